// Shared vocabulary of the market contracts: directions, products, ISP-aligned periods,
// per-ISP power profiles and money lines (DESIGN.md §3). Integers only.
#pragma once

#include <string>
#include <vector>

#include "contracts/handlers.hpp"

namespace flex {

// Bounds that reach consensus (PROTOCOL.md §3 "Market limits").
namespace market_limits {
inline constexpr std::int64_t max_power_w = 1'000'000'000'000;         // 1 TW per ISP value
inline constexpr std::int64_t max_energy_wh = 1'000'000'000'000'000;   // 1 PWh of storage
inline constexpr std::int64_t max_price_micro = 1'000'000'000'000'000;  // 10^9 currency units per MWh or MW·h
inline constexpr std::int64_t max_order_isps = 2976;                    // 31 days of 15-minute ISPs
inline constexpr std::int64_t order_horizon_seconds = 5 * 366 * 86400;  // as far ahead as an outlook
inline constexpr std::int64_t ppm = 1'000'000;                          // 1.0 as parts per million
}  // namespace market_limits

enum class Product { Energy, Reservation, CapacityLimitation };

std::string_view product_name(Product product);
// Codes: payload.invalid.
Result<Product> payload_product(const Json& payload);
Result<std::string> payload_direction(const Json& payload);

// The prices a product carries; an order carries exactly these (max_ prefixed on requests).
bool product_has_activation_price(Product product);
bool product_has_availability_price(Product product);

// [start, end) on the ISP grid of the market.
struct Period {
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::int64_t isp_seconds = 0;
  std::int64_t isp_count() const { return (end - start) / isp_seconds; }
  std::int64_t isp_start(std::int64_t index) const { return start + index * isp_seconds; }
};

std::int64_t market_isp_seconds(const StateOverlay& state);

// Reads start and end: on the grid, start >= block time, at most max_order_isps long and
// within the order horizon. Codes: payload.invalid, order.bad_period.
Result<Period> payload_period(const Json& payload, std::int64_t isp_seconds, std::int64_t block_time);

// "power_w" as one integer for every ISP, or an array with one integer per ISP; each in
// [0, max_power_w], and not all zero. Codes: payload.invalid.
Result<std::vector<std::int64_t>> payload_power_profile(const Json& payload, const Period& period);

// The money of one contract ISP line: power_w × seconds × price / (10^6 × 3600), with the
// price in micro-units per MWh or per MW·h, computed in 128 bits and rounded half to even.
// nullopt when the result exceeds 2^53-1.
std::optional<std::int64_t> line_amount_micro(std::int64_t power_w, std::int64_t seconds, std::int64_t price_micro);

// a + b, or nullopt beyond 2^53-1 (amounts are non-negative).
std::optional<std::int64_t> add_amounts(std::int64_t a, std::int64_t b);

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day);
// A UTC day number as YYYY-MM-DD.
std::string utc_date(std::int64_t days);

// UTC seconds as 16 zero-padded digits, so state keys sort by time.
std::string padded_time(std::int64_t seconds);

// The prices of an order or contract, 0 where the product has none.
struct Prices {
  std::int64_t activation_micro_per_mwh = 0;
  std::int64_t availability_micro_per_mw_h = 0;
};

// The most a profile can cost at `prices`: availability and full activation, line by line.
// Codes: order.amount_overflow.
Result<std::int64_t> profile_cost_micro(const std::vector<std::int64_t>& power_w, std::int64_t isp_seconds,
                                        const Prices& prices);

Json to_json(const std::vector<std::int64_t>& values);
std::vector<std::int64_t> int_vector(const Json& array);

}  // namespace flex
