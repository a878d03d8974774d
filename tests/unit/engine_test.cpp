#include <catch2/catch.hpp>

#include "contracts/engine.hpp"
#include "contracts/state_keys.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

// Runs one block of transactions on `state` (applying it) and returns the receipt codes.
std::vector<std::string> run_block(State& state, std::vector<Transaction> transactions, std::int64_t height = 1) {
  auto execution = execute_block(state, ExecutionContext{height, 1767225600 + height}, transactions);
  REQUIRE(execution);
  state.apply(execution->writes);
  std::vector<std::string> codes;
  for (const auto& receipt : execution->receipts) codes.push_back(receipt.code);
  return codes;
}

std::int64_t balance(const State& state, std::string_view who) {
  auto account = state.get(keys::account(public_key_for(who)));
  return account ? Json::parse(*account)["available_micro"].get<std::int64_t>() : 0;
}

std::string envelope_code(const State& state, const Transaction& transaction) {
  StateOverlay overlay(state);
  auto status = check_envelope(overlay, transaction);
  return status ? "ok" : status.rejection().code;
}

}  // namespace

TEST_CASE("envelope checks reject wrong chain, unknown type, unknown signer and stale nonce", "[engine]") {
  State state(genesis_state(test_genesis()));
  CHECK(envelope_code(state, signed_tx("alice", "token.transfer", 1, transfer("bob", 1))) == "ok");
  CHECK(envelope_code(state, signed_tx("alice", "token.transfer", 1, transfer("bob", 1), "other-chain")) == "tx.wrong_chain");
  CHECK(envelope_code(state, signed_tx("alice", "token.steal", 1, transfer("bob", 1))) == "tx.unknown_type");
  CHECK(envelope_code(state, signed_tx("mallory", "token.transfer", 1, transfer("bob", 1))) == "tx.unknown_signer");
  run_block(state, {signed_tx("operator", "token.mint", 5, mint("alice", 10))});
  CHECK(envelope_code(state, signed_tx("operator", "token.mint", 5, mint("alice", 10))) == "tx.stale_nonce");
  CHECK(envelope_code(state, signed_tx("operator", "token.mint", 4, mint("alice", 10))) == "tx.stale_nonce");
  CHECK(envelope_code(state, signed_tx("operator", "token.mint", 6, mint("alice", 10))) == "ok");
}

TEST_CASE("a block holding an inadmissible transaction is rejected whole", "[engine]") {
  State state(genesis_state(test_genesis()));
  Hash32 before = state.app_hash();
  auto execution = execute_block(state, ExecutionContext{1, 1767225601},
                                 {signed_tx("operator", "token.mint", 1, mint("alice", 10)),
                                  signed_tx("operator", "token.mint", 1, mint("alice", 10))});
  REQUIRE_FALSE(execution);
  CHECK(execution.rejection().code == "block.invalid_transaction");
  CHECK(state.app_hash() == before);
}

TEST_CASE("mint, transfer and burn move exact amounts", "[engine][tokens]") {
  State state(genesis_state(test_genesis()));
  auto codes = run_block(state, {signed_tx("operator", "token.mint", 1, mint("alice", 5'000'000)),
                                 signed_tx("alice", "token.transfer", 1, transfer("bob", 1'250'000)),
                                 signed_tx("bob", "token.transfer", 1, transfer("dso", 250'000))});
  CHECK(codes == std::vector<std::string>{"ok", "ok", "ok"});
  // 5.00 EUR minted to Alice; Alice pays Bob 1.25; Bob pays the DSO 0.25.
  CHECK(balance(state, "alice") == 3'750'000);
  CHECK(balance(state, "bob") == 1'000'000);
  CHECK(balance(state, "dso") == 250'000);
  Json burn{{"from", to_hex(public_key_for("bob"))}, {"amount_micro", 400'000}, {"fiat_reference", "payout-1"}};
  CHECK(run_block(state, {signed_tx("operator", "token.burn", 2, burn)}, 2) == std::vector<std::string>{"ok"});
  CHECK(balance(state, "bob") == 600'000);
  CHECK(Json::parse(*state.get(keys::supply)) == Json{{"minted_micro", 5'000'000}, {"burned_micro", 400'000}});
}

TEST_CASE("payload rejections are receipts that consume the nonce and change nothing else", "[engine][tokens]") {
  State state(genesis_state(test_genesis()));
  run_block(state, {signed_tx("operator", "token.mint", 1, mint("alice", 100))});
  Hash32 before = state.app_hash();
  std::optional<std::string> day_before = state.get("digest_day");
  auto codes = run_block(state, {signed_tx("alice", "token.transfer", 1, transfer("bob", 101))}, 2);
  CHECK(codes == std::vector<std::string>{"token.insufficient_funds"});
  CHECK(balance(state, "alice") == 100);
  CHECK(balance(state, "bob") == 0);
  CHECK(state.get(keys::nonce(public_key_for("alice"))) == "1");
  // Only the nonce entry (and the day's digest record, which counts the transaction) differs.
  State without_nonce(state.entries());
  without_nonce.apply({{keys::nonce(public_key_for("alice")), std::nullopt}, {"digest_day", day_before}});
  CHECK(without_nonce.app_hash() == before);
}

TEST_CASE("roles decide who may submit each type", "[engine][roles]") {
  State state(genesis_state(test_genesis()));
  Json admit{{"public_key", to_hex(public_key_for("carol"))}, {"name", "Carol"}, {"roles", {"prosumer"}}};
  auto codes = run_block(state, {signed_tx("alice", "token.mint", 1, mint("alice", 1)),
                                 signed_tx("alice", "participant.admit", 2, admit),
                                 signed_tx("auditor", "token.transfer", 1, transfer("bob", 1)),
                                 signed_tx("operator", "participant.admit", 1, admit),
                                 signed_tx("operator", "participant.admit", 2, admit)});
  CHECK(codes == std::vector<std::string>{"auth.role_required", "auth.role_required", "auth.role_required", "ok",
                                          "participant.exists"});
  CHECK(Json::parse(*state.get(keys::participant(public_key_for("carol")))) ==
        Json{{"name", "Carol"}, {"roles", {"prosumer"}}, {"status", "active"}});
}

TEST_CASE("payload validation rejects bad fields with payload.invalid", "[engine][tokens]") {
  State state(genesis_state(test_genesis()));
  Json zero = transfer("bob", 0);
  Json negative = transfer("bob", -5);
  Json bad_key = transfer("bob", 5);
  bad_key["to"] = std::string(64, 'f');  // x beyond the field size: not a valid key
  Json missing = Json{{"amount_micro", 5}};
  Json bad_role{{"public_key", to_hex(public_key_for("carol"))}, {"name", "Carol"}, {"roles", {"king"}}};
  auto codes = run_block(state, {signed_tx("alice", "token.transfer", 1, zero),
                                 signed_tx("alice", "token.transfer", 2, negative),
                                 signed_tx("alice", "token.transfer", 3, bad_key),
                                 signed_tx("alice", "token.transfer", 4, missing),
                                 signed_tx("alice", "token.transfer", 5, transfer("alice", 1)),
                                 signed_tx("alice", "token.transfer", 6, transfer("mallory", 1)),
                                 signed_tx("operator", "participant.admit", 1, bad_role)});
  CHECK(codes == std::vector<std::string>{"payload.invalid", "payload.invalid", "payload.invalid", "payload.invalid",
                                          "token.self_transfer", "token.unknown_account", "participant.bad_role"});
}

TEST_CASE("balances stay inside the safe-integer range", "[engine][tokens]") {
  State state(genesis_state(test_genesis()));
  auto codes = run_block(state, {signed_tx("operator", "token.mint", 1, mint("alice", 9007199254740991)),
                                 signed_tx("operator", "token.mint", 2, mint("bob", 1))});
  CHECK(codes == std::vector<std::string>{"ok", "token.overflow"});
  CHECK(balance(state, "bob") == 0);
}

TEST_CASE("genesis validation names what is wrong", "[engine][genesis]") {
  Json good = test_genesis().to_json();
  CHECK(parse_genesis(good).ok());
  auto message_after = [&](auto&& change) {
    Json copy = good;
    change(copy);
    auto parsed = parse_genesis(copy);
    return parsed ? std::string("ok") : parsed.rejection().message;
  };
  CHECK(message_after([](Json& j) { j["validators"] = Json::array(); }) == "validators must be a non-empty array");
  CHECK(message_after([](Json& j) { j["participants"][0]["roles"] = {"dso"}; }) ==
        "genesis must name at least one operator participant");
  CHECK(message_after([](Json& j) { j["params"]["isp_seconds"] = 7; }) == "params.isp_seconds must divide an hour and be at least 60");
  CHECK(message_after([](Json& j) { j["params"]["fee"] = 0.5; }) == "genesis must hold integers only, no floats");
  CHECK(message_after([](Json& j) { j["chain_id"] = "Bad Chain"; }) == "chain_id must be an identifier [a-z0-9._-]{1,64}");
}
