// Request counts and latencies per route, rendered with the node's gauges in the Prometheus
// text format (GET /api/v1/metrics). Latency buckets are integer microseconds.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace flex::api {

class Metrics {
 public:
  static constexpr std::array<std::int64_t, 10> bucket_upper_us = {250,     500,     1'000,   2'500,     5'000,
                                                                   10'000,  25'000,  100'000, 1'000'000, 10'000'000};

  void record(const std::string& route, unsigned status, std::int64_t micros);
  // The request series, as Prometheus text (without the node gauges, which the caller adds).
  std::string render() const;

 private:
  struct Series {
    std::map<unsigned, std::uint64_t> by_status;
    std::array<std::uint64_t, bucket_upper_us.size() + 1> buckets{};  // the last is +Inf
    std::uint64_t count = 0;
    std::int64_t sum_us = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Series> series_;  // by "METHOD PATTERN"
};

}  // namespace flex::api
