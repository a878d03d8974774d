// Helpers shared by the contract benchmarks: deterministic keys, a signer with its nonce,
// and a ledger driven block by block through execute_block (no node, no storage).
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "contracts/engine.hpp"
#include "contracts/genesis.hpp"
#include "ledger/hash.hpp"

namespace flex::bench {

using SteadyClock = std::chrono::steady_clock;

inline constexpr const char* bench_chain_id = "flexledger-bench";

inline SecretKey key_for(std::string_view label) { return SecretKey(sha256(label)); }
inline PublicKey public_key_for(std::string_view label) { return *derive_public_key(key_for(label)); }

struct Signer {
  std::string label;
  std::int64_t nonce = 0;
  Transaction sign(std::string type, Json payload) {
    return sign_transaction(bench_chain_id, std::move(type), key_for(label), ++nonce, std::move(payload), Hash32{});
  }
};

inline double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// A genesis at 2026-01-01T00:00:00Z: "operator" is validator and operator, "dso" a DSO,
// "seller" an aggregator, "meter" a metering company; prequalification is off (one
// transaction less per asset).
inline Genesis bench_genesis() {
  Genesis genesis;
  genesis.chain_id = bench_chain_id;
  genesis.genesis_time = 1767225600;
  genesis.validators.push_back(Validator{public_key_for("operator"), 1, "validator"});
  genesis.participants.push_back(GenesisParticipant{public_key_for("operator"), "Operator", {"operator"}});
  genesis.participants.push_back(GenesisParticipant{public_key_for("dso"), "DSO", {"dso"}});
  genesis.participants.push_back(GenesisParticipant{public_key_for("seller"), "Aggregator", {"aggregator"}});
  genesis.participants.push_back(GenesisParticipant{public_key_for("meter"), "Metering", {"metering"}});
  genesis.params = default_market_params();
  genesis.params["require_prequalification"] = false;
  return genesis;
}

// A zone.create payload for a small square zone.
inline Json bench_zone(const std::string& zone_id) {
  Json ring = Json::array({Json::array({0, 0}), Json::array({1000, 0}), Json::array({1000, 1000}), Json::array({0, 0})});
  return Json{{"zone_id", zone_id}, {"name", "Zone"}, {"kind", "feeder"},
              {"polygon", Json{{"type", "Polygon"}, {"coordinates", Json::array({ring})}}},
              {"import_limit_w", 1'000'000'000}, {"export_limit_w", 1'000'000'000}};
}

struct BenchLedger {
  State state;
  std::int64_t height = 0;
  Hash32 previous_app_hash = state.app_hash();

  // Executes and applies one block at `time`; exits on any rejected transaction.
  void run(const std::vector<Transaction>& block, std::int64_t time) {
    auto execution = execute_block(state, ExecutionContext{++height, time, previous_app_hash}, block);
    if (!execution) {
      std::fprintf(stderr, "block rejected: %s\n", execution.rejection().message.c_str());
      std::exit(1);
    }
    for (const auto& receipt : execution->receipts) {
      if (receipt.code != "ok") {
        std::fprintf(stderr, "transaction rejected: %s %s\n", receipt.code.c_str(), receipt.message.c_str());
        std::exit(1);
      }
    }
    state.apply(execution->writes);
    previous_app_hash = execution->app_hash;
  }

  // Runs `transactions` in blocks of `block_size`, all at `time`.
  void run_in_blocks(const std::vector<Transaction>& transactions, std::int64_t time, std::size_t block_size) {
    for (std::size_t i = 0; i < transactions.size(); i += block_size) {
      run(std::vector<Transaction>(transactions.begin() + static_cast<std::ptrdiff_t>(i),
                                   transactions.begin() + static_cast<std::ptrdiff_t>(std::min(i + block_size, transactions.size()))),
          time);
    }
  }

  std::size_t count(std::string_view prefix) const {
    std::size_t n = 0;
    for (auto it = state.entries().lower_bound(prefix); it != state.entries().end() && it->first.starts_with(prefix); ++it) ++n;
    return n;
  }
};

}  // namespace flex::bench
