// Meter readings: storage and the net power they give per ISP (contracts/readings.cpp).
#pragma once

#include "contracts/handlers.hpp"

namespace flex {

std::string reading_key(const std::string& metering_point_id, std::int64_t isp_start);

// The latest reading's net average power in W (import - export), or nullopt when unread.
std::optional<std::int64_t> read_net_power_w(const StateOverlay& state, const std::string& metering_point_id,
                                             std::int64_t isp_start, std::int64_t isp_seconds);

// nomination/<asset>/<isp start>: the seller's declared net power (contracts/nominations.cpp).
std::string nomination_key(const std::string& asset_id, std::int64_t isp_start);

}  // namespace flex
