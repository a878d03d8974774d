// bench_matching: the market contracts alone (no node, no storage), on one core.
//
//   1. offer.create: N pre-signed offers, each on its own asset, executed in blocks of
//      1000 (execution plus the block's app hash), as offers per second;
//   2. request.match: one request that needs the power of K offers, against the book of N,
//      as milliseconds for the block that holds the match.
// Signing happens before the clock starts. Figures go to docs/BENCHMARKS.md.
//
// Usage: bench_matching [--offers N] [--fills K]
#include <cstring>

#include "bench_support.hpp"

namespace flex::bench {
namespace {

constexpr std::int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t hour = 3600;
constexpr std::size_t block_size = 1000;
constexpr std::int64_t offer_power_w = 5'000;

int run(std::size_t offers, std::size_t fills) {
  Signer operator_signer{"operator"}, dso{"dso"}, seller{"seller"};
  BenchLedger ledger{State(genesis_state(bench_genesis()))};
  ledger.run({dso.sign("zone.create", bench_zone("z1")),
              operator_signer.sign("token.mint", Json{{"to", to_hex(public_key_for("dso"))}, {"amount_micro", 1'000'000'000'000},
                                                      {"fiat_reference", "bench"}})},
             t0);
  std::vector<Transaction> assets, offer_transactions;
  for (std::size_t i = 0; i < offers; ++i) {
    std::string id = "asset-" + std::to_string(i);
    assets.push_back(seller.sign("asset.register", Json{{"asset_id", id}, {"name", id}, {"technology", "battery"},
                                                        {"max_up_w", offer_power_w}, {"max_down_w", offer_power_w},
                                                        {"storage_wh", 10'000}, {"connection_w", 10'000},
                                                        {"metering_point_id", "MP-" + std::to_string(i)}, {"zone_id", "z1"}}));
  }
  for (std::size_t i = 0; i < offers; ++i) {
    // Prices spread so the book is not one price level; matching takes the cheapest first.
    offer_transactions.push_back(seller.sign(
        "offer.create",
        Json{{"offer_id", "offer-" + std::to_string(i)}, {"zone_id", "z1"}, {"asset_ids", Json::array({"asset-" + std::to_string(i)})},
             {"direction", "up"}, {"product", "energy"}, {"start", t0 + hour}, {"end", t0 + 2 * hour}, {"power_w", offer_power_w},
             {"activation_price_micro_per_mwh", static_cast<std::int64_t>(100'000'000 + (i * 7919) % offers * 1000)},
             {"min_activation_ppm", 1'000'000}, {"expires_at", t0 + hour},
             {"baseline", Json{{"method", "rolling_average"}, {"version", 1}}}}));
  }
  Transaction request = dso.sign("request.create",
                                 Json{{"request_id", "r1"}, {"zone_id", "z1"}, {"direction", "up"}, {"product", "energy"},
                                      {"start", t0 + hour}, {"end", t0 + 2 * hour},
                                      {"power_w", static_cast<std::int64_t>(fills) * offer_power_w},
                                      {"max_activation_price_micro_per_mwh", 1'000'000'000}, {"expires_at", t0 + hour}});
  Transaction match = dso.sign("request.match", Json{{"request_id", "r1"}});
  ledger.run_in_blocks(assets, t0, block_size);

  auto start = SteadyClock::now();
  ledger.run_in_blocks(offer_transactions, t0, block_size);
  double offer_seconds = seconds_since(start);
  ledger.run({request}, t0);
  start = SteadyClock::now();
  ledger.run({match}, t0);
  double match_seconds = seconds_since(start);

  std::size_t contracts = ledger.count("contract/");
  if (contracts != fills) {
    std::fprintf(stderr, "expected %zu contracts, got %zu\n", fills, contracts);
    return 1;
  }
  std::printf("offers in the book:      %zu (state entries: %zu)\n", offers, ledger.state.entries().size());
  std::printf("offer.create:            %.0f offers/s (%.3f s for %zu, blocks of %zu)\n", static_cast<double>(offers) / offer_seconds,
              offer_seconds, offers, block_size);
  std::printf("request.match, %zu fills: %.1f ms for the block\n", fills, match_seconds * 1000);
  return 0;
}

}  // namespace
}  // namespace flex::bench

int main(int argc, char** argv) {
  std::size_t offers = 10000, fills = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--offers") == 0) offers = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--fills") == 0) fills = std::strtoull(argv[i + 1], nullptr, 10);
  }
  if (offers == 0 || fills == 0 || fills > offers || fills > 100 || offers > 1'000'000) {
    std::fprintf(stderr, "usage: bench_matching [--offers N (1..1000000)] [--fills K (1..100, at most N)]\n");
    return 2;
  }
  return flex::bench::run(offers, fills);
}
