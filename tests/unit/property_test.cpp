// Property test: thousands of seeded random transaction sequences run through the
// contracts block by block, checked after every block against an independent model of
// balances and against the invariants of DESIGN.md §4 (conservation, no balance below its credit line).
// A failure prints the seed and the round so it can be replayed.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

#include "contracts/engine.hpp"
#include "contracts/state_keys.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

const std::vector<std::string> signers = {"operator", "alice", "bob", "dso", "auditor"};
const std::vector<std::string> recipients = {"operator", "alice", "bob", "dso", "auditor", "mallory"};

struct Model {
  std::map<std::string, std::int64_t> balances;
  std::map<std::string, std::int64_t> credit_limits;
  std::set<std::string> suspended;
  std::int64_t minted = 0;
  std::int64_t burned = 0;

  // The receipt code the contracts must give, applying the effect when "ok".
  std::string apply(const std::string& signer, const std::string& type, const std::string& other, std::int64_t amount) {
    // Status, then role, then the payload (PROTOCOL.md §9).
    if (suspended.count(signer)) return "participant.suspended";
    if (type == "token.transfer" ? signer == "auditor" : signer != "operator") return "auth.role_required";
    if (type == "participant.suspend" || type == "participant.reinstate") return apply_status(signer, type, other);
    if (type == "account.set_credit_line") return apply_credit_line(other, amount);
    if (amount <= 0) return "payload.invalid";
    if (type == "token.transfer") {
      if (other == signer) return "token.self_transfer";
      if (other == "mallory") return "token.unknown_account";
      if (balances[signer] + credit_limits[signer] < amount) return "token.insufficient_funds";
      balances[signer] -= amount;
      balances[other] += amount;
      return "ok";
    }
    if (other == "mallory") return "token.unknown_account";
    if (type == "token.mint") {
      minted += amount;
      balances[other] += amount;
      return "ok";
    }
    if (balances[other] < amount) return "token.insufficient_funds";  // a burn never uses credit
    balances[other] -= amount;
    burned += amount;
    return "ok";
  }

  std::string apply_status(const std::string& signer, const std::string& type, const std::string& other) {
    if (type == "participant.suspend") {
      if (other == signer) return "participant.self_lockout";
      if (other == "mallory") return "participant.unknown";
      if (!suspended.insert(other).second) return "participant.already_suspended";
      return "ok";
    }
    if (other == "mallory") return "participant.unknown";
    if (!suspended.erase(other)) return "participant.not_suspended";
    return "ok";
  }

  std::string apply_credit_line(const std::string& other, std::int64_t limit) {
    if (other == "mallory") return "account.unknown";
    if (other != "dso") return "account.not_buyer";  // the only buyer in the test genesis
    if (balances[other] < -limit) return "account.credit_in_use";
    credit_limits[other] = limit;
    return "ok";
  }
};

struct Sequence {
  std::vector<std::vector<Transaction>> blocks;
  std::vector<std::vector<std::string>> expected_codes;
  Model model;
};

Json payload_for(const std::string& type, const std::string& other, std::int64_t amount) {
  std::string key = to_hex(public_key_for(other));
  if (type == "participant.suspend") return Json{{"public_key", key}, {"reason", "test"}};
  if (type == "participant.reinstate") return Json{{"public_key", key}};
  if (type == "account.set_credit_line") return Json{{"public_key", key}, {"limit_micro", amount}};
  Json payload{{"amount_micro", amount}};
  payload[type == "token.burn" ? "from" : "to"] = key;
  if (type != "token.transfer") payload["fiat_reference"] = "ref";
  return payload;
}

Sequence random_sequence(std::mt19937_64& random) {
  Sequence sequence;
  std::map<std::string, std::int64_t> nonces;
  int block_count = 1 + static_cast<int>(random() % 4);
  for (int b = 0; b < block_count; ++b) {
    std::vector<Transaction> block;
    std::vector<std::string> codes;
    int size = static_cast<int>(random() % 8);
    for (int t = 0; t < size; ++t) {
      const std::string& signer = signers[random() % signers.size()];
      const std::string& other = recipients[random() % recipients.size()];
      static const char* types[] = {"token.mint", "token.transfer", "token.transfer", "token.transfer",
                                    "token.burn", "account.set_credit_line", "participant.suspend",
                                    "participant.reinstate"};
      std::string type = types[random() % 8];
      std::int64_t amount = static_cast<std::int64_t>(random() % 1200);
      Json payload = payload_for(type, other, amount);
      block.push_back(signed_tx(signer, type, ++nonces[signer], payload));
      codes.push_back(sequence.model.apply(signer, type, other, amount));
    }
    sequence.blocks.push_back(std::move(block));
    sequence.expected_codes.push_back(std::move(codes));
  }
  return sequence;
}

std::vector<Hash32> run(const Sequence& sequence, std::uint64_t seed, int round) {
  State state(genesis_state(test_genesis()));
  std::vector<Hash32> app_hashes;
  Model model;
  for (std::size_t b = 0; b < sequence.blocks.size(); ++b) {
    auto execution = execute_block(state, ExecutionContext{static_cast<std::int64_t>(b + 1), 1767225600}, sequence.blocks[b]);
    REQUIRE(execution);
    state.apply(execution->writes);
    app_hashes.push_back(execution->app_hash);
    std::vector<std::string> codes;
    for (const auto& receipt : execution->receipts) codes.push_back(receipt.code);
    INFO("seed " << seed << " round " << round << " block " << b);
    REQUIRE(codes == sequence.expected_codes[b]);
    // Conservation: the sum of balances is minted - burned, and none is below its credit line.
    Json supply = Json::parse(*state.get(keys::supply));
    std::int64_t total = 0;
    for (const auto& [key, value] : state.entries()) {
      if (key.rfind("account/", 0) != 0) continue;
      Json account = Json::parse(value);
      std::int64_t available = account["available_micro"].get<std::int64_t>();
      REQUIRE(available >= -account["credit_limit_micro"].get<std::int64_t>());  // never below its credit line
      total += available;
    }
    REQUIRE(total == supply["minted_micro"].get<std::int64_t>() - supply["burned_micro"].get<std::int64_t>());
    REQUIRE(execution->app_hash == state.app_hash());
  }
  for (const auto& [name, amount] : sequence.model.balances) {
    auto account = state.get(keys::account(public_key_for(name)));
    std::int64_t stored = account ? Json::parse(*account)["available_micro"].get<std::int64_t>() : 0;
    INFO("seed " << seed << " round " << round << " account " << name);
    REQUIRE(stored == amount);
  }
  return app_hashes;
}

}  // namespace

TEST_CASE("random token sequences conserve money and match the model, deterministically", "[property][tokens]") {
  const std::uint64_t seed = 0x5EED2026;
  std::mt19937_64 random(seed);
  const int rounds = 2000;
  for (int round = 0; round < rounds; ++round) {
    Sequence sequence = random_sequence(random);
    auto first = run(sequence, seed, round);
    // Replaying the same blocks from genesis gives the same app hash after every block.
    CHECK(run(sequence, seed, round) == first);
  }
}
