// Market fixtures shared by the market tests: payload builders and an onboarded market.
// Block time starts at 2026-01-01T00:00:00Z (t0); ISPs are 15 minutes.
#pragma once

#include "contracts/market.hpp"
#include "contracts/state_keys.hpp"
#include "test_support.hpp"

namespace flex::test::market {

constexpr std::int64_t t0 = 1767225600;
constexpr std::int64_t hour = 3600;
constexpr std::int64_t eur_per_mwh = 1'000'000;  // micro-units per MWh for 1 EUR/MWh

inline Json account(const TestLedger& ledger, std::string_view who) {
  auto stored = ledger.state.get(keys::account(public_key_for(who)));
  return stored ? Json::parse(*stored) : Json{{"available_micro", 0}, {"credit_limit_micro", 0}, {"held_micro", 0}};
}

inline Json balances(std::int64_t available, std::int64_t held, std::int64_t credit = 0) {
  return Json{{"available_micro", available}, {"credit_limit_micro", credit}, {"held_micro", held}};
}

inline Json record(const TestLedger& ledger, const std::string& key) {
  auto stored = ledger.state.get(key);
  REQUIRE(stored);
  return Json::parse(*stored);
}

inline std::int64_t committed(const TestLedger& ledger, const std::string& asset, const std::string& direction, std::int64_t t) {
  auto stored = ledger.state.get("commitment/" + asset + "/" + direction + "/" + padded_time(t));
  return stored ? Json::parse(*stored).get<std::int64_t>() : 0;
}

inline Json zone(const std::string& id) {
  Json ring = Json::array({Json::array({30'000'000, 39'000'000}), Json::array({30'100'000, 39'000'000}),
                           Json::array({30'100'000, 39'100'000}), Json::array({30'000'000, 39'000'000})});
  return Json{{"zone_id", id},
              {"name", "Feeder " + id},
              {"kind", "feeder"},
              {"polygon", Json{{"type", "Polygon"}, {"coordinates", Json::array({ring})}}},
              {"import_limit_w", 400'000},
              {"export_limit_w", 250'000}};
}

inline Json asset(const std::string& id, const std::string& zone_id, const std::string& metering_point, std::int64_t max_up_w,
           std::int64_t max_down_w) {
  return Json{{"asset_id", id},
              {"name", "Asset " + id},
              {"technology", "battery"},
              {"max_up_w", max_up_w},
              {"max_down_w", max_down_w},
              {"storage_wh", 20'000},
              {"connection_w", 17'000},
              {"metering_point_id", metering_point},
              {"zone_id", zone_id},
              {"property", Json{{"city", "Eskişehir"}, {"postal_code", "26200"}, {"latitude_micro", 39'778'359},
                                {"longitude_micro", 30'518'275}, {"status", "connected"}}}};
}

inline Json prequalify(const std::string& id) { return Json{{"asset_id", id}, {"decision", "qualified"}}; }

// An energy offer, "up", from 01:00 to 02:00 (four ISPs).
inline Json energy_offer(const std::string& id, const std::string& asset_id, std::int64_t power_w, std::int64_t price_eur,
                  std::int64_t min_ppm, const std::string& zone_id = "feeder-7") {
  return Json{{"offer_id", id},
              {"zone_id", zone_id},
              {"asset_ids", Json::array({asset_id})},
              {"direction", "up"},
              {"product", "energy"},
              {"start", t0 + hour},
              {"end", t0 + 2 * hour},
              {"power_w", power_w},
              {"activation_price_micro_per_mwh", price_eur * eur_per_mwh},
              {"min_activation_ppm", min_ppm},
              {"expires_at", t0 + hour},
              {"baseline", Json{{"method", "rolling_average"}, {"version", 1}}}};
}

inline Json energy_request(const std::string& id, std::int64_t start, std::int64_t end, std::int64_t power_w,
                    std::int64_t max_price_eur, const std::string& zone_id = "feeder-7") {
  return Json{{"request_id", id},
              {"zone_id", zone_id},
              {"direction", "up"},
              {"product", "energy"},
              {"start", start},
              {"end", end},
              {"power_w", power_w},
              {"max_activation_price_micro_per_mwh", max_price_eur * eur_per_mwh},
              {"expires_at", start}};
}

inline Json fill(const std::string& offer_id, std::int64_t power_w) { return Json{{"offer_id", offer_id}, {"power_w", power_w}}; }
inline Json purchase(const std::string& request_id, Json fills) { return Json{{"request_id", request_id}, {"fills", std::move(fills)}}; }
inline Json by_id(const char* field, const std::string& id) { return Json{{field, id}}; }

// A market with a zone, 100 EUR for the DSO, and two prequalified assets: Alice's battery
// (10 kW up) and Bob's EV charger (5 kW up).
inline TestLedger onboarded_market() {
  TestLedger ledger(test_genesis(), t0);
  REQUIRE(ledger.run("operator", "token.mint", mint("dso", 100'000'000)) == "ok");
  REQUIRE(ledger.run("dso", "zone.create", zone("feeder-7")) == "ok");
  REQUIRE(ledger.run("alice", "asset.register", asset("alice-battery", "feeder-7", "MP-001", 10'000, 8'000)) == "ok");
  Json ev = asset("bob-ev", "feeder-7", "MP-002", 5'000, 5'000);
  ev["technology"] = "ev_charger";
  REQUIRE(ledger.run("bob", "asset.register", ev) == "ok");
  REQUIRE(ledger.run("dso", "asset.prequalify", prequalify("alice-battery")) == "ok");
  REQUIRE(ledger.run("dso", "asset.prequalify", prequalify("bob-ev")) == "ok");
  return ledger;
}

}  // namespace flex::test::market
