#include "contracts/market.hpp"

#include <cstdio>

#include "ledger/limits.hpp"

namespace flex {

std::string_view product_name(Product product) {
  switch (product) {
    case Product::Energy: return "energy";
    case Product::Reservation: return "reservation";
    case Product::CapacityLimitation: return "capacity_limitation";
  }
  return "energy";
}

Result<Product> payload_product(const Json& payload) {
  if (payload.contains("product") && payload["product"].is_string()) {
    const auto& name = payload["product"].get_ref<const std::string&>();
    for (Product product : {Product::Energy, Product::Reservation, Product::CapacityLimitation}) {
      if (name == product_name(product)) return product;
    }
  }
  return reject("payload.invalid", "product must be energy, reservation or capacity_limitation");
}

Result<std::string> payload_direction(const Json& payload) {
  if (payload.contains("direction") && payload["direction"].is_string() &&
      (payload["direction"] == "up" || payload["direction"] == "down")) {
    return payload["direction"].get<std::string>();
  }
  return reject("payload.invalid", "direction must be up or down");
}

bool product_has_activation_price(Product product) { return product != Product::CapacityLimitation; }
bool product_has_availability_price(Product product) { return product != Product::Energy; }

std::int64_t market_isp_seconds(const StateOverlay& state) {
  return market_param(state, "isp_seconds").get<std::int64_t>();
}

Result<Period> payload_period(const Json& payload, std::int64_t isp_seconds, std::int64_t block_time) {
  auto start = payload_integer(payload, "start", 0, limits::max_json_integer);
  if (!start) return start.rejection();
  auto end = payload_integer(payload, "end", 0, limits::max_json_integer);
  if (!end) return end.rejection();
  Period period{*start, *end, isp_seconds};
  if (*start % isp_seconds != 0 || *end % isp_seconds != 0) {
    return reject("order.bad_period", "start and end must lie on the " + std::to_string(isp_seconds) + "-second ISP grid");
  }
  if (*end <= *start || period.isp_count() > market_limits::max_order_isps) {
    return reject("order.bad_period", "a period holds 1 to " + std::to_string(market_limits::max_order_isps) + " ISPs");
  }
  if (*start < block_time || *start > block_time + market_limits::order_horizon_seconds) {
    return reject("order.bad_period", "a period starts at or after the block time and at most five years ahead");
  }
  return period;
}

Result<std::vector<std::int64_t>> payload_power_profile(const Json& payload, const Period& period) {
  auto count = static_cast<std::size_t>(period.isp_count());
  const std::string range = "[0, " + std::to_string(market_limits::max_power_w) + "]";
  if (!payload.contains("power_w")) return reject("payload.invalid", "power_w is required");
  const Json& power = payload["power_w"];
  std::vector<std::int64_t> profile;
  if (power.is_number_integer()) {
    profile.assign(count, power.get<std::int64_t>());
  } else if (power.is_array() && power.size() == count) {
    for (const auto& value : power) {
      if (!value.is_number_integer()) return reject("payload.invalid", "power_w values must be integers of watts");
      profile.push_back(value.get<std::int64_t>());
    }
  } else {
    return reject("payload.invalid", "power_w is one integer of watts or an array of " + std::to_string(count) +
                                         " (one per ISP)");
  }
  bool any = false;
  for (std::int64_t value : profile) {
    if (value < 0 || value > market_limits::max_power_w) {
      return reject("payload.invalid", "power_w values must lie in " + range);
    }
    any = any || value > 0;
  }
  if (!any) return reject("payload.invalid", "power_w must be positive in at least one ISP");
  return profile;
}

std::optional<std::int64_t> line_amount_micro(std::int64_t power_w, std::int64_t seconds, std::int64_t price_micro) {
  __extension__ using Wide = unsigned __int128;
  // power <= 10^12, seconds <= 3600, price <= 2^53: the product stays below 2^128.
  Wide numerator = static_cast<Wide>(power_w) * static_cast<Wide>(seconds) * static_cast<Wide>(price_micro);
  constexpr Wide divisor = 3'600'000'000;  // 10^6 W per MW × 3600 s per hour
  Wide quotient = numerator / divisor;
  Wide remainder = numerator % divisor;
  if (remainder * 2 > divisor || (remainder * 2 == divisor && (quotient & 1) != 0)) ++quotient;
  if (quotient > static_cast<Wide>(limits::max_json_integer)) return std::nullopt;
  return static_cast<std::int64_t>(quotient);
}

std::optional<std::int64_t> add_amounts(std::int64_t a, std::int64_t b) {
  if (a > limits::max_json_integer - b) return std::nullopt;
  return a + b;
}

void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  auto day_of_era = static_cast<unsigned>(days - era * 146097);
  unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  unsigned month_index = (5 * day_of_year + 2) / 153;
  day = day_of_year - (153 * month_index + 2) / 5 + 1;
  month = month_index < 10 ? month_index + 3 : month_index - 9;
  year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);
}

std::string utc_date(std::int64_t days) {
  std::int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, year, month, day);
  char text[32];
  std::snprintf(text, sizeof text, "%04lld-%02u-%02u", static_cast<long long>(year), month, day);
  return text;
}

std::string padded_time(std::int64_t seconds) {
  char padded[17];
  std::snprintf(padded, sizeof padded, "%016lld", static_cast<long long>(seconds));
  return padded;
}

Result<std::int64_t> profile_cost_micro(const std::vector<std::int64_t>& power_w, std::int64_t isp_seconds,
                                        const Prices& prices) {
  std::optional<std::int64_t> total = 0;
  for (std::int64_t power : power_w) {
    for (std::int64_t price : {prices.availability_micro_per_mw_h, prices.activation_micro_per_mwh}) {
      auto line = line_amount_micro(power, isp_seconds, price);
      if (line) total = add_amounts(*total, *line);
      if (!line || !total) return reject("order.amount_overflow", "the order's cost exceeds 2^53-1 micro-units");
    }
  }
  return *total;
}

Json to_json(const std::vector<std::int64_t>& values) {
  Json array = Json::array();
  for (std::int64_t value : values) array.push_back(value);
  return array;
}

std::vector<std::int64_t> int_vector(const Json& array) {
  std::vector<std::int64_t> values;
  values.reserve(array.size());
  for (const auto& value : array) values.push_back(value.get<std::int64_t>());
  return values;
}

}  // namespace flex
