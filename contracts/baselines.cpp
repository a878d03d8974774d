#include "contracts/baselines.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace flex {
namespace {

// Sums and differences of readings are taken in 128 bits, so no intermediate can overflow.
// Readings are ledger integers (|v| <= 2^53 - 1), so every final baseline fits in int64.
__extension__ using Wide = __int128;

constexpr std::int64_t seconds_per_day = 86'400;
constexpr std::int64_t parts_per_million = 1'000'000;
// History walks look back at most 2 × wanted + this many days (weekends, event days, gaps).
constexpr std::int64_t extra_lookback_days = 14;

// Rounds sum / count to the nearest integer, ties to even. Half-even is symmetric under
// negation, so the magnitude is rounded and the sign put back.
Wide mean_wide(Wide sum, std::int64_t count) {
  assert(count > 0);
  const bool negative = sum < 0;
  const Wide magnitude = negative ? -sum : sum;
  Wide quotient = magnitude / count;
  const Wide twice_remainder = 2 * (magnitude % count);
  if (twice_remainder > count || (twice_remainder == count && quotient % 2 != 0)) ++quotient;
  return negative ? -quotient : quotient;
}

Rejection insufficient(const std::string& what, std::int64_t isp_start) {
  return reject("baseline.insufficient_data", what + " for the ISP starting at " + std::to_string(isp_start));
}

// An integer parameter in [min, max]; absent takes the default; any other JSON type is rejected.
Result<std::int64_t> int_param(const Json& params, const char* name, std::int64_t default_value,
                               std::int64_t min, std::int64_t max) {
  auto bad = [&] {
    return reject("baseline.bad_params", std::string(name) + " must be an integer from " + std::to_string(min) +
                                             " to " + std::to_string(max));
  };
  if (!params.contains(name)) return default_value;
  const Json& value = params[name];
  if (!value.is_number_integer()) return bad();
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) return bad();
  const auto number = value.get<std::int64_t>();
  if (number < min || number > max) return bad();
  return number;
}

// The reading of one ISP, if metered.
std::optional<std::int64_t> reading(const IspSeries* series, std::int64_t isp_start) {
  if (!series) return std::nullopt;
  return series->at(isp_start);
}

bool is_event_day(const BaselineInput& input, std::int64_t day) {
  return input.event_days && input.event_days->count(day) != 0;
}

enum class DayFilter { WorkingDays, SameDayType };

// The readings at t's time of day on the `wanted` most recent eligible days before t's day,
// walking back at most 2 × wanted + 14 days. Eligible: the filter's day type, not an event
// day, and metered at that time of day.
Result<std::vector<std::int64_t>> history(const BaselineInput& input, std::int64_t isp_start, std::int64_t wanted,
                                          DayFilter filter) {
  const std::int64_t day = utc_day(isp_start);
  const std::int64_t time_of_day = isp_start - day * seconds_per_day;
  const bool weekend = is_weekend(day);
  std::vector<std::int64_t> values;
  values.reserve(static_cast<std::size_t>(wanted));
  for (std::int64_t back = 1; back <= 2 * wanted + extra_lookback_days; ++back) {
    const std::int64_t candidate = day - back;
    const bool wrong_type = filter == DayFilter::WorkingDays ? is_weekend(candidate) : is_weekend(candidate) != weekend;
    if (wrong_type || is_event_day(input, candidate)) continue;
    auto value = reading(input.actual_w, candidate * seconds_per_day + time_of_day);
    if (!value) continue;
    values.push_back(*value);
    if (static_cast<std::int64_t>(values.size()) == wanted) return values;
  }
  return insufficient("fewer than " + std::to_string(wanted) + " eligible history days", isp_start);
}

Result<std::vector<std::int64_t>> nomination(const BaselineInput& input) {
  std::vector<std::int64_t> baseline;
  baseline.reserve(input.isp_starts.size());
  for (std::int64_t isp_start : input.isp_starts) {
    auto nominated = reading(input.nomination_w, isp_start);
    if (!nominated) return insufficient("no nomination", isp_start);
    baseline.push_back(*nominated);
  }
  return baseline;
}

// The mean of the k readings just before the first ISP, the same for every ISP.
Result<std::vector<std::int64_t>> meter_before_after(const Json& params, const BaselineInput& input) {
  auto isps_before = int_param(params, "isps_before", 1, 1, 16);
  if (!isps_before) return isps_before.rejection();
  if (input.isp_starts.empty()) return std::vector<std::int64_t>{};
  const std::int64_t first = input.isp_starts.front();
  Wide sum = 0;
  for (std::int64_t back = *isps_before; back >= 1; --back) {
    auto value = reading(input.actual_w, first - back * input.isp_seconds);
    if (!value) return insufficient("no reading " + std::to_string(back) + " ISP(s) before the event", first);
    sum += *value;
  }
  const auto before = static_cast<std::int64_t>(mean_wide(sum, *isps_before));
  return std::vector<std::int64_t>(input.isp_starts.size(), before);
}

Result<std::vector<std::int64_t>> rolling_average(const Json& params, const BaselineInput& input) {
  auto days = int_param(params, "days", 5, 1, 60);
  if (!days) return days.rejection();
  std::vector<std::int64_t> baseline;
  baseline.reserve(input.isp_starts.size());
  for (std::int64_t isp_start : input.isp_starts) {
    auto values = history(input, isp_start, *days, DayFilter::WorkingDays);
    if (!values) return values.rejection();
    Wide sum = 0;
    for (std::int64_t value : *values) sum += value;
    baseline.push_back(static_cast<std::int64_t>(mean_wide(sum, *days)));
  }
  return baseline;
}

struct XOfY {
  std::int64_t x = 5, y = 10, adjustment_isps = 0, adjustment_cap_ppm = 0;
};

// Bounds as in contracts/orders.cpp; they also bound the work per ISP.
Result<XOfY> x_of_y_params(const Json& params) {
  XOfY result;
  auto x = int_param(params, "x", 5, 1, 60);
  if (!x) return x.rejection();
  auto y = int_param(params, "y", 10, 1, 60);
  if (!y) return y.rejection();
  auto adjustment_isps = int_param(params, "adjustment_isps", 0, 0, 16);
  if (!adjustment_isps) return adjustment_isps.rejection();
  auto cap = int_param(params, "adjustment_cap_ppm", 0, 0, parts_per_million);
  if (!cap) return cap.rejection();
  if (*x > *y) return reject("baseline.bad_params", "x_of_y needs x <= y");
  return XOfY{*x, *y, *adjustment_isps, *cap};
}

// B0(t): the mean of the x highest of the y most recent same-day-type readings.
Result<std::int64_t> unadjusted_x_of_y(const XOfY& params, const BaselineInput& input, std::int64_t isp_start) {
  auto values = history(input, isp_start, params.y, DayFilter::SameDayType);
  if (!values) return values.rejection();
  std::sort(values->begin(), values->end(), std::greater<>());
  Wide sum = 0;
  for (std::int64_t i = 0; i < params.x; ++i) sum += (*values)[static_cast<std::size_t>(i)];
  return static_cast<std::int64_t>(mean_wide(sum, params.x));
}

// The additive same-day adjustment: the mean of A(u) - B0(u) over the k ISPs before the
// first. A cap of 0 ppm allows no adjustment, so then nothing is computed or required.
Result<Wide> same_day_adjustment(const XOfY& params, const BaselineInput& input) {
  if (params.adjustment_isps == 0 || params.adjustment_cap_ppm == 0 || input.isp_starts.empty()) return Wide{0};
  const std::int64_t first = input.isp_starts.front();
  Wide sum = 0;
  for (std::int64_t back = params.adjustment_isps; back >= 1; --back) {
    const std::int64_t isp_start = first - back * input.isp_seconds;
    auto actual = reading(input.actual_w, isp_start);
    if (!actual) return insufficient("no reading for the same-day adjustment", isp_start);
    auto expected = unadjusted_x_of_y(params, input, isp_start);
    if (!expected) return expected.rejection();
    sum += Wide{*actual} - Wide{*expected};
  }
  return mean_wide(sum, params.adjustment_isps);
}

Result<std::vector<std::int64_t>> x_of_y(const Json& json_params, const BaselineInput& input) {
  auto params = x_of_y_params(json_params);
  if (!params) return params.rejection();
  auto adjustment = same_day_adjustment(*params, input);
  if (!adjustment) return adjustment.rejection();
  std::vector<std::int64_t> baseline;
  baseline.reserve(input.isp_starts.size());
  for (std::int64_t isp_start : input.isp_starts) {
    auto unadjusted = unadjusted_x_of_y(*params, input, isp_start);
    if (!unadjusted) return unadjusted.rejection();
    const Wide magnitude = *unadjusted < 0 ? -Wide{*unadjusted} : Wide{*unadjusted};
    const Wide cap = params->adjustment_cap_ppm * magnitude / parts_per_million;
    const Wide capped = std::clamp(*adjustment, -cap, cap);
    baseline.push_back(static_cast<std::int64_t>(Wide{*unadjusted} + capped));
  }
  return baseline;
}

}  // namespace

IspSeries::IspSeries(std::int64_t first, std::int64_t end, std::int64_t isp_seconds)
    : first_(first), isp_seconds_(isp_seconds) {
  const std::int64_t size = end > first ? (end - first + isp_seconds - 1) / isp_seconds : 0;
  values_.resize(static_cast<std::size_t>(size));
  present_.resize(static_cast<std::size_t>(size));
}

IspSeries IspSeries::from_map(const std::map<std::int64_t, std::int64_t>& values, std::int64_t isp_seconds) {
  if (values.empty()) return IspSeries(0, 0, isp_seconds);
  IspSeries series(values.begin()->first, values.rbegin()->first + isp_seconds, isp_seconds);
  for (const auto& [isp_start, value] : values) series.set(isp_start, value);
  return series;
}

std::optional<std::size_t> IspSeries::slot(std::int64_t isp_start) const {
  if (isp_start < first_ || (isp_start - first_) % isp_seconds_ != 0) return std::nullopt;
  const auto index = static_cast<std::size_t>((isp_start - first_) / isp_seconds_);
  if (index >= values_.size()) return std::nullopt;
  return index;
}

void IspSeries::set(std::int64_t isp_start, std::int64_t value) {
  if (auto index = slot(isp_start)) {
    values_[*index] = value;
    present_[*index] = 1;
  }
}

std::optional<std::int64_t> IspSeries::at(std::int64_t isp_start) const {
  auto index = slot(isp_start);
  if (!index || !present_[*index]) return std::nullopt;
  return values_[*index];
}

std::size_t IspSeries::count() const { return static_cast<std::size_t>(std::count(present_.begin(), present_.end(), 1)); }

std::int64_t mean_half_even(std::int64_t sum, std::int64_t count) {
  return static_cast<std::int64_t>(mean_wide(sum, count));
}

std::int64_t utc_day(std::int64_t seconds) {
  std::int64_t day = seconds / seconds_per_day;
  if (seconds % seconds_per_day < 0) --day;  // division truncates toward zero; floor instead
  return day;
}

bool is_weekend(std::int64_t day) {
  // Day 0 was a Thursday; counting Monday as 0, Thursday is 3, Saturday 5 and Sunday 6.
  std::int64_t weekday = (day + 3) % 7;
  if (weekday < 0) weekday += 7;
  return weekday >= 5;
}

Result<std::vector<std::int64_t>> compute_baseline(const Json& baseline, const BaselineInput& input) {
  auto unknown = [] { return reject("baseline.unknown_method", "baseline must name a known method, version 1"); };
  if (!baseline.is_object() || !baseline.contains("method") || !baseline["method"].is_string()) return unknown();
  if (!baseline.contains("version") || !baseline["version"].is_number_integer() || baseline["version"] != 1) {
    return unknown();
  }
  const Json params = baseline.contains("params") ? baseline["params"] : Json::object();
  if (!params.is_object()) return reject("baseline.bad_params", "params must be an object");
  if (input.isp_seconds <= 0) return reject("baseline.bad_params", "isp_seconds must be positive");
  const auto& method = baseline["method"].get_ref<const std::string&>();
  if (method == "nomination") return nomination(input);
  if (method == "meter_before_after") return meter_before_after(params, input);
  if (method == "rolling_average") return rolling_average(params, input);
  if (method == "x_of_y") return x_of_y(params, input);
  if (method == "none") return std::vector<std::int64_t>(input.isp_starts.size(), 0);
  return unknown();
}

}  // namespace flex
