// Meter readings: storage and the net power they give per ISP (contracts/readings.cpp).
#pragma once

#include <map>

#include "contracts/baselines.hpp"
#include "contracts/handlers.hpp"

namespace flex {

// meter_day/<metering point>/<UTC day start, 16 digits>: one day of a point's readings.
std::string meter_day_key(const std::string& metering_point_id, std::int64_t day_start);

struct MeterReading {
  std::int64_t import_wh = 0, export_wh = 0;
  std::string quality;       // measured | estimated
  std::int64_t version = 0;  // 1, then one more per correction
  std::int64_t recorded_at = 0;
  std::string submitted_by;  // HEX64
};

// The latest reading of one ISP, or nullopt when unread.
std::optional<MeterReading> read_meter_reading(const StateOverlay& state, const std::string& metering_point_id,
                                               std::int64_t isp_start, std::int64_t isp_seconds);

// Sets in `series` the net average power in W, (import - export) × 3600 / isp_seconds, of
// every ISP read in [from, to). One state read per UTC day.
void read_net_power_series(const StateOverlay& state, const std::string& metering_point_id, std::int64_t from,
                           std::int64_t to, std::int64_t isp_seconds, IspSeries& series);

// nomination/<asset>/<isp start>: the seller's declared net power (contracts/nominations.cpp).
std::string nomination_key(const std::string& asset_id, std::int64_t isp_start);

}  // namespace flex
