// The node's only source of wall time, behind an interface so tests can drive it.
#pragma once

#include <chrono>
#include <cstdint>

namespace flex {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_seconds() const = 0;  // UTC seconds
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_seconds() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  }
};

}  // namespace flex
