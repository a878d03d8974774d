// What every benchmark prints about the machine it ran on: CPU model, date, load.
#pragma once

#include <ctime>
#include <fstream>
#include <string>

namespace flex::bench {

// The value after "prefix ...:" in a /proc file such as /proc/cpuinfo; "unknown" if absent.
inline std::string first_field(const char* path, const std::string& prefix) {
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    auto colon = line.find(':');
    std::string value = colon == std::string::npos ? line : line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    return value;
  }
  return "unknown";
}

inline std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return buffer;
}

inline std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return file ? one + " " + five + " " + fifteen : "unknown";
}

}  // namespace flex::bench
