// Shared helpers for unit tests: deterministic keys, a genesis, signing without randomness.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "contracts/engine.hpp"
#include "contracts/genesis.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/hash.hpp"
#include "ledger/transaction.hpp"

namespace flex::test {

// A valid secret key derived from a label, the same on every run.
inline SecretKey key_for(std::string_view label) { return SecretKey(sha256(label)); }
inline PublicKey public_key_for(std::string_view label) { return *derive_public_key(key_for(label)); }

inline constexpr const char* chain_id = "flexledger-test";

// Bytes 0x00, 0x01, ..., 0x1f, so the hex form is easy to write by hand in expected texts.
inline Hash32 counting_hash() {
  Hash32 hash{};
  for (std::size_t i = 0; i < hash.size(); ++i) hash[i] = static_cast<std::uint8_t>(i);
  return hash;
}
inline constexpr const char* kCountingHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// Genesis: "operator" is validator and operator; "alice" and "bob" are prosumers,
// "dso" is a DSO, "auditor" an auditor.
inline Genesis test_genesis() {
  Genesis genesis;
  genesis.chain_id = chain_id;
  genesis.genesis_time = 1767225600;  // 2026-01-01T00:00:00Z
  genesis.validators.push_back(Validator{public_key_for("operator"), 1, "validator"});
  genesis.participants.push_back(GenesisParticipant{public_key_for("operator"), "Operator", {"operator"}});
  genesis.participants.push_back(GenesisParticipant{public_key_for("alice"), "Alice", {"prosumer"}});
  genesis.participants.push_back(GenesisParticipant{public_key_for("bob"), "Bob", {"prosumer"}});
  genesis.participants.push_back(GenesisParticipant{public_key_for("dso"), "Grid DSO", {"dso"}});
  genesis.participants.push_back(GenesisParticipant{public_key_for("auditor"), "Auditor", {"auditor"}});
  genesis.params = default_market_params();
  return genesis;
}

inline Transaction signed_tx(std::string_view signer, std::string type, std::int64_t nonce, Json payload,
                             std::string chain = chain_id) {
  return sign_transaction(std::move(chain), std::move(type), key_for(signer), nonce, std::move(payload), Hash32{});
}

inline Json mint(std::string_view to, std::int64_t amount) {
  return Json{{"to", to_hex(public_key_for(to))}, {"amount_micro", amount}, {"fiat_reference", "wire-" + std::to_string(amount)}};
}
inline Json transfer(std::string_view to, std::int64_t amount) {
  return Json{{"to", to_hex(public_key_for(to))}, {"amount_micro", amount}};
}

// A ledger state driven block by block through the contracts, for contract tests.
class TestLedger {
 public:
  explicit TestLedger(const Genesis& genesis = test_genesis(), std::int64_t block_time = 1767225600)
      : state(genesis_state(genesis)), block_time_(block_time) {}

  // Runs one block and applies it; returns the receipt codes.
  std::vector<std::string> run_block(const std::vector<Transaction>& transactions) {
    auto execution = execute_block(state, ExecutionContext{++height_, block_time_, previous_app_hash_}, transactions);
    REQUIRE(execution);
    state.apply(execution->writes);
    previous_app_hash_ = execution->app_hash;
    for (const auto& transaction : transactions) executed_ids.push_back(transaction.id);
    std::vector<std::string> codes;
    for (const auto& receipt : execution->receipts) codes.push_back(receipt.code);
    return codes;
  }

  // Runs one transaction alone in a block; checks a rejection changed nothing but the nonce
  // (and the day's digest record, which counts every transaction of a block).
  std::string run_alone(const Transaction& transaction) {
    State before = state;
    std::string code = run_block({transaction})[0];
    if (code != "ok") {
      State without_nonce(state.entries());
      without_nonce.apply({{keys::nonce(transaction.signer), before.get(keys::nonce(transaction.signer))},
                           {"digest_day", before.get("digest_day")}});
      CHECK(without_nonce.app_hash() == before.app_hash());
    }
    return code;
  }

  // As run_alone, signing with the signer's next nonce.
  std::string run(std::string_view signer, const std::string& type, const Json& payload) {
    return run_alone(signed_tx(signer, type, ++nonces_[std::string(signer)], payload));
  }

  // Later blocks carry a later time.
  void advance(std::int64_t seconds) { block_time_ += seconds; }
  std::int64_t time() const { return block_time_; }

  State state;
  std::vector<Hash32> executed_ids;  // every transaction run, in block order

 private:
  std::int64_t block_time_;
  std::int64_t height_ = 0;
  Hash32 previous_app_hash_ = state.app_hash();
  std::map<std::string, std::int64_t> nonces_;
};

// A temporary directory removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device device;
    path_ = std::filesystem::temp_directory_path() / ("flex-test-" + std::to_string(device()) + std::to_string(device()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace flex::test
