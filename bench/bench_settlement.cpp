// bench_settlement: settling a batch of contracts from meter readings, the contracts alone
// (no node, no storage), on one core.
//
// N assets each sell one 1-day energy contract (96 ISPs of 15 minutes, 5 kW up) with an
// X-of-Y baseline (5 of 10 weekdays). Outside the timed region: the market is set up, the
// contracts are matched, and 14 days of history readings (10 weekdays) are submitted, all
// signed beforehand. Timed: the block holding the N × 96 readings of the event day, which
// also settles all N contracts (baselines, delivery, money). The target is one
// million readings processed in under 10 s (10,000 contracts × 96 ISPs).
//
// Usage: bench_settlement [--contracts N]
#include <cstring>

#include "bench_support.hpp"

namespace flex::bench {
namespace {

constexpr std::int64_t t0 = 1767225600;              // 2026-01-01T00:00:00Z, a Thursday
constexpr std::int64_t day = 86400;
constexpr std::int64_t isp = 900;
constexpr std::int64_t isps_per_day = day / isp;
constexpr std::int64_t event_day = t0 + 20 * day;    // 2026-01-21, a Wednesday
constexpr std::int64_t history_days = 14;            // holds the 10 weekdays X-of-Y needs
constexpr std::size_t readings_per_batch = 500;      // ~55 kB: inside the 64 kB transaction limit
constexpr std::int64_t power_w = 5'000;

// Readings of every asset for the ISPs of one day, in batches.
void add_day_readings(std::vector<Transaction>& out, Signer& meter, std::size_t assets, std::int64_t day_start,
                      bool event) {
  Json batch = Json::array();
  auto flush = [&] {
    if (batch.empty()) return;
    out.push_back(meter.sign("meter.submit", Json{{"readings", batch}}));
    batch = Json::array();
  };
  for (std::size_t a = 0; a < assets; ++a) {
    for (std::int64_t i = 0; i < isps_per_day; ++i) {
      // About 4-5 kW of load on ordinary days (1000-1199 Wh per ISP); 3 kW less on the event day.
      std::int64_t wh = 1000 + static_cast<std::int64_t>((a * 37 + static_cast<std::size_t>(i) * 11) % 200) - (event ? 750 : 0);
      batch.push_back(Json{{"metering_point_id", "MP-" + std::to_string(a)}, {"isp_start", day_start + i * isp},
                           {"import_wh", wh}, {"export_wh", 0}, {"quality", "measured"}});
      if (batch.size() == readings_per_batch) flush();
    }
  }
  flush();
}

int run(std::size_t contracts) {
  Signer operator_signer{"operator"}, dso{"dso"}, seller{"seller"}, meter{"meter"};
  BenchLedger ledger{State(genesis_state(bench_genesis()))};
  std::printf("signing...\n");
  std::vector<Transaction> setup{dso.sign("zone.create", bench_zone("z1")),
                                 operator_signer.sign("token.mint", Json{{"to", to_hex(public_key_for("dso"))},
                                                                         {"amount_micro", 1'000'000'000'000},
                                                                         {"fiat_reference", "bench"}})};
  for (std::size_t a = 0; a < contracts; ++a) {
    std::string id = "asset-" + std::to_string(a);
    setup.push_back(seller.sign("asset.register", Json{{"asset_id", id}, {"name", id}, {"technology", "heat_pump"},
                                                       {"max_up_w", power_w}, {"max_down_w", 0}, {"storage_wh", 0},
                                                       {"connection_w", 20'000}, {"metering_point_id", "MP-" + std::to_string(a)},
                                                       {"zone_id", "z1"}}));
    setup.push_back(seller.sign(
        "offer.create",
        Json{{"offer_id", "offer-" + std::to_string(a)}, {"zone_id", "z1"}, {"asset_ids", Json::array({id})},
             {"direction", "up"}, {"product", "energy"}, {"start", event_day}, {"end", event_day + day}, {"power_w", power_w},
             {"activation_price_micro_per_mwh", 100'000'000}, {"min_activation_ppm", 1'000'000}, {"expires_at", event_day},
             {"baseline", Json{{"method", "x_of_y"}, {"params", Json{{"x", 5}, {"y", 10}}}, {"version", 1}}}}));
  }
  setup.push_back(dso.sign("request.create", Json{{"request_id", "r1"}, {"zone_id", "z1"}, {"direction", "up"},
                                                  {"product", "energy"}, {"start", event_day}, {"end", event_day + day},
                                                  {"power_w", static_cast<std::int64_t>(contracts) * power_w},
                                                  {"max_activation_price_micro_per_mwh", 100'000'000}, {"expires_at", event_day}}));
  for (std::size_t made = 0; made < contracts; made += 100) setup.push_back(dso.sign("request.match", Json{{"request_id", "r1"}}));
  std::vector<Transaction> history, event;
  for (std::int64_t d = history_days; d >= 1; --d) add_day_readings(history, meter, contracts, event_day - d * day, false);
  add_day_readings(event, meter, contracts, event_day, true);

  std::printf("setting up %zu contracts and %lld days of history...\n", contracts, static_cast<long long>(history_days));
  ledger.run_in_blocks(setup, t0, 5000);
  if (ledger.count("contract/") != contracts) {
    std::fprintf(stderr, "expected %zu contracts, got %zu\n", contracts, ledger.count("contract/"));
    return 1;
  }
  auto start = SteadyClock::now();
  ledger.run(history, event_day + day);  // one block: one app hash for the whole history
  double history_seconds = seconds_since(start);
  std::size_t history_readings = contracts * static_cast<std::size_t>(history_days * isps_per_day);

  start = SteadyClock::now();
  ledger.run(event, event_day + day + 60);
  double event_seconds = seconds_since(start);
  std::size_t event_readings = contracts * static_cast<std::size_t>(isps_per_day);
  if (ledger.count("settlement/") != contracts) {
    std::fprintf(stderr, "expected %zu settlements, got %zu\n", contracts, ledger.count("settlement/"));
    return 1;
  }
  std::printf("state entries:                 %zu\n", ledger.state.entries().size());
  std::printf("history readings (no settling): %zu in %.2f s = %.0f readings/s\n", history_readings, history_seconds,
              static_cast<double>(history_readings) / history_seconds);
  std::printf("event-day readings + settling:  %zu readings, %zu contracts in %.2f s = %.0f readings/s, %.0f contracts/s\n",
              event_readings, contracts, event_seconds, static_cast<double>(event_readings) / event_seconds,
              static_cast<double>(contracts) / event_seconds);
  return 0;
}

}  // namespace
}  // namespace flex::bench

int main(int argc, char** argv) {
  std::size_t contracts = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--contracts") == 0) contracts = std::strtoull(argv[i + 1], nullptr, 10);
  }
  if (contracts == 0 || contracts > 100'000) {
    std::fprintf(stderr, "usage: bench_settlement [--contracts N (1..100000)]\n");
    return 2;
  }
  return flex::bench::run(contracts);
}
