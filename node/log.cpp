#include "node/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace flex::log {
namespace {

std::atomic<Level> minimum_level{Level::Info};
std::mutex output_mutex;

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  return buffer;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "info";
}

}  // namespace

void set_minimum_level(Level level) { minimum_level = level; }

void write(Level level, std::string_view event, Json fields) {
  if (level < minimum_level.load()) return;
  fields["ts"] = timestamp();
  fields["level"] = level_name(level);
  fields["event"] = std::string(event);
  std::string line = fields.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::lock_guard lock(output_mutex);
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace flex::log
