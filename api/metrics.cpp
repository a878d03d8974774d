#include "api/metrics.hpp"

#include <sstream>

namespace flex::api {
namespace {
// Route labels come from the route table, but quote-escape them anyway.
std::string label(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (c == '\n') { escaped += "\\n"; continue; }
    escaped += c;
  }
  return escaped;
}
}  // namespace

void Metrics::record(const std::string& route, unsigned status, std::int64_t micros) {
  std::lock_guard lock(mutex_);
  Series& series = series_[route];
  ++series.by_status[status];
  std::size_t bucket = 0;
  while (bucket < bucket_upper_us.size() && micros > bucket_upper_us[bucket]) ++bucket;
  ++series.buckets[bucket];
  ++series.count;
  series.sum_us += micros;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP flex_http_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE flex_http_requests_total counter\n";
  for (const auto& [route, series] : series_) {
    for (const auto& [status, count] : series.by_status) {
      out << "flex_http_requests_total{route=\"" << label(route) << "\",status=\"" << status << "\"} " << count << "\n";
    }
  }
  out << "# HELP flex_http_request_duration_seconds Time to answer a request, by route.\n"
         "# TYPE flex_http_request_duration_seconds histogram\n";
  for (const auto& [route, series] : series_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bucket_upper_us.size(); ++i) {
      cumulative += series.buckets[i];
      std::string le = "+Inf";
      if (i < bucket_upper_us.size()) {
        // Microseconds as decimal seconds, without floating point.
        std::int64_t us = bucket_upper_us[i];
        std::string fraction = std::to_string(1'000'000 + us % 1'000'000).substr(1);
        while (fraction.size() > 1 && fraction.back() == '0') fraction.pop_back();
        le = std::to_string(us / 1'000'000) + "." + fraction;
      }
      out << "flex_http_request_duration_seconds_bucket{route=\"" << label(route) << "\",le=\"" << le << "\"} "
          << cumulative << "\n";
    }
    std::string sum_fraction = std::to_string(1'000'000 + series.sum_us % 1'000'000).substr(1);
    out << "flex_http_request_duration_seconds_sum{route=\"" << label(route) << "\"} " << series.sum_us / 1'000'000 << "."
        << sum_fraction << "\n";
    out << "flex_http_request_duration_seconds_count{route=\"" << label(route) << "\"} " << series.count << "\n";
  }
  return out.str();
}

}  // namespace flex::api
