// Baseline methods (DESIGN.md §5): what a metering point would have drawn without the
// activation. Pure integer code: no clock, no I/O, no floats. Power is the average over an
// ISP in W, net consumption (import - export, so import is positive).
//
// Methods, each version 1, with the parameters recorded in the contract (contracts/orders.cpp
// fills in the defaults):
//   nomination          {}                      the seller's declared schedule
//   x_of_y              {"x","y","adjustment_isps","adjustment_cap_ppm"}
//   rolling_average     {"days"}
//   meter_before_after  {"isps_before"}
//   none                {}                      capacity limitation: no baseline
//
// History ("the same ISP on an earlier day") means the reading at the same UTC time of day,
// walking back from the day before, over at most 2 × wanted + 14 days, skipping event days,
// days without that reading, and days of the wrong type: rolling_average takes working days
// (Mon-Fri UTC); x_of_y takes days of the same type (weekday or weekend) as the ISP's day.
// x_of_y averages the x highest of y such readings (B0), then adds the same-day adjustment,
// mean(A(u) - B0(u)) over the adjustment_isps ISPs before the first ISP, clamped per ISP to
// ±adjustment_cap_ppm × |B0| / 10^6 (so a cap of 0 means no adjustment). Every mean is
// mean_half_even.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "ledger/canonical_json.hpp"
#include "ledger/result.hpp"

namespace flex {

// Net power per ISP on one grid, held densely over [first, end): lookups by time are O(1),
// which matters when a baseline reads weeks of history for every ISP of a contract.
class IspSeries {
 public:
  IspSeries() = default;
  IspSeries(std::int64_t first, std::int64_t end, std::int64_t isp_seconds);
  // Spans the map's keys (all on the grid of isp_seconds).
  static IspSeries from_map(const std::map<std::int64_t, std::int64_t>& values, std::int64_t isp_seconds);
  // Sets an ISP inside the span and on the grid (anything else is ignored).
  void set(std::int64_t isp_start, std::int64_t value);
  // The value of an ISP; nullopt when unset, off the grid or outside the span.
  std::optional<std::int64_t> at(std::int64_t isp_start) const;
  std::size_t count() const;  // ISPs set

 private:
  std::optional<std::size_t> slot(std::int64_t isp_start) const;
  std::int64_t first_ = 0, isp_seconds_ = 1;
  std::vector<std::int64_t> values_;
  std::vector<char> present_;
};

struct BaselineInput {
  std::int64_t isp_seconds = 900;
  // The ISPs to compute a baseline for (UTC seconds of their start), ascending, on the grid.
  std::vector<std::int64_t> isp_starts;
  // Metered net power per ISP start (history before the event and, for same-day
  // adjustment and meter-before, the ISPs just before it). Missing ISPs are absent.
  const IspSeries* actual_w = nullptr;
  // UTC days (days since 1970-01-01) excluded from history: days with other activations.
  const std::set<std::int64_t>* event_days = nullptr;
  // The seller's nominated net power per ISP start (method nomination only).
  const IspSeries* nomination_w = nullptr;
};

// The baseline for each of input.isp_starts, in order. `baseline` is the contract's
// {"method":S,"params":{...},"version":1}.
// Codes: baseline.insufficient_data (history, nomination or pre-event readings missing),
// baseline.unknown_method (not an object, unknown method, or version other than 1),
// baseline.bad_params (params not an object, or a parameter of the wrong type or out of the
// bounds contracts/orders.cpp enforces; x > y).
// Readings are ledger integers (|v| <= 2^53 - 1); intermediate sums are 128-bit.
Result<std::vector<std::int64_t>> compute_baseline(const Json& baseline, const BaselineInput& input);

// Helpers shared with settlement: integer mean rounded half to even, and UTC calendar facts.
std::int64_t mean_half_even(std::int64_t sum, std::int64_t count);
std::int64_t utc_day(std::int64_t seconds);        // floor(seconds / 86400)
bool is_weekend(std::int64_t utc_day);              // Saturday or Sunday (1970-01-01 was a Thursday)

}  // namespace flex
