// The trace of one simulated run: every line is hashed (FNV-1a 64, enough to tell two runs
// apart; it is not a security boundary), the last kKeptLines are kept for a failure report,
// and with --trace every line is printed as it happens.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.hpp"

namespace flex::sim {

class Trace {
 public:
  static constexpr std::size_t kKeptLines = 200;

  explicit Trace(bool echo) : echo_(echo) {}

  void line(std::int64_t time_us, std::string_view text) {
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%lld.%06lld ", static_cast<long long>(time_us / 1'000'000),
                  static_cast<long long>(time_us % 1'000'000));
    std::string& slot = kept_[count_ % kKeptLines];
    slot.assign(stamp);
    slot.append(text);
    for (unsigned char c : slot) hash_ = (hash_ ^ c) * 0x100000001b3ULL;
    hash_ = (hash_ ^ '\n') * 0x100000001b3ULL;
    ++count_;
    if (echo_) std::printf("%s\n", slot.c_str());
  }

  std::uint64_t hash() const { return hash_; }
  std::uint64_t count() const { return count_; }

  std::vector<std::string> last_lines() const {
    std::vector<std::string> lines;
    std::uint64_t first = count_ > kKeptLines ? count_ - kKeptLines : 0;
    for (std::uint64_t i = first; i < count_; ++i) lines.push_back(kept_[i % kKeptLines]);
    return lines;
  }

 private:
  bool echo_;
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
  std::uint64_t count_ = 0;
  std::array<std::string, kKeptLines> kept_;
};

// Short forms for trace lines: the first 4 bytes of a hash or key.
inline std::string short_hex(const std::array<std::uint8_t, 32>& bytes) {
  return to_hex(std::span<const std::uint8_t>(bytes.data(), 4));
}

}  // namespace flex::sim
