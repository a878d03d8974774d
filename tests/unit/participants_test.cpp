// Participants, roles, suspension and credit lines (issue 3, "Participants and roles" and
// the credit-line part of "Tokens and escrow"). Amounts are worked out in the comments.
#include <catch2/catch.hpp>

#include "contracts/engine.hpp"
#include "contracts/state_keys.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

// Runs one block on `state`, applying it; returns the receipt codes.
std::vector<std::string> run_block(State& state, std::vector<Transaction> transactions) {
  static std::int64_t height = 0;
  ++height;
  auto execution = execute_block(state, ExecutionContext{height, 1767225600 + height}, transactions);
  REQUIRE(execution);
  state.apply(execution->writes);
  std::vector<std::string> codes;
  for (const auto& receipt : execution->receipts) codes.push_back(receipt.code);
  return codes;
}

Json participant(const State& state, std::string_view who) {
  return Json::parse(*state.get(keys::participant(public_key_for(who))));
}

std::int64_t available(const State& state, std::string_view who) {
  auto account = state.get(keys::account(public_key_for(who)));
  return account ? Json::parse(*account)["available_micro"].get<std::int64_t>() : 0;
}

Json key_of(std::string_view who) { return to_hex(public_key_for(who)); }

// One transaction alone in a block; checks that a rejection changes nothing but the nonce.
std::string run_alone(State& state, const Transaction& transaction) {
  State before = state;
  auto codes = run_block(state, {transaction});
  if (codes[0] != "ok") {
    State without_nonce(state.entries());
    without_nonce.apply({{keys::nonce(transaction.signer), before.get(keys::nonce(transaction.signer))}});
    CHECK(without_nonce.app_hash() == before.app_hash());
  }
  return codes[0];
}

}  // namespace

TEST_CASE("operators admit with a company code and update names, codes and roles", "[participants]") {
  State state(genesis_state(test_genesis()));
  Json admit{{"public_key", key_of("carol")}, {"name", "Carol BV"}, {"roles", {"aggregator"}}, {"company_code", "NL-123"}};
  CHECK(run_alone(state, signed_tx("operator", "participant.admit", 1, admit)) == "ok");
  CHECK(participant(state, "carol") ==
        Json{{"company_code", "NL-123"}, {"name", "Carol BV"}, {"roles", {"aggregator"}}, {"status", "active"}});
  Json update{{"public_key", key_of("carol")}, {"roles", {"prosumer", "aggregator", "prosumer"}}, {"name", "Carol"}};
  CHECK(run_alone(state, signed_tx("operator", "participant.update", 2, update)) == "ok");
  CHECK(participant(state, "carol") ==
        Json{{"company_code", "NL-123"}, {"name", "Carol"}, {"roles", {"aggregator", "prosumer"}}, {"status", "active"}});

  CHECK(run_alone(state, signed_tx("operator", "participant.update", 3, Json{{"public_key", key_of("carol")}})) ==
        "payload.invalid");
  CHECK(run_alone(state, signed_tx("operator", "participant.update", 4,
                                   Json{{"public_key", key_of("mallory")}, {"name", "M"}})) == "participant.unknown");
  CHECK(run_alone(state, signed_tx("operator", "participant.update", 5,
                                   Json{{"public_key", key_of("operator")}, {"roles", {"dso"}}})) ==
        "participant.self_lockout");
  CHECK(run_alone(state, signed_tx("alice", "participant.update", 1,
                                   Json{{"public_key", key_of("alice")}, {"roles", {"operator"}}})) ==
        "auth.role_required");
  CHECK(run_alone(state, signed_tx("operator", "participant.update", 6,
                                   Json{{"public_key", key_of("carol")}, {"roles", {"emperor"}}})) ==
        "participant.bad_role");
}

TEST_CASE("a suspended participant can do nothing until reinstated, and keeps its balance", "[participants]") {
  State state(genesis_state(test_genesis()));
  CHECK(run_block(state, {signed_tx("operator", "token.mint", 1, mint("alice", 1'000'000))}) ==
        std::vector<std::string>{"ok"});
  Json suspend{{"public_key", key_of("alice")}, {"reason", "unpaid fees"}};
  CHECK(run_alone(state, signed_tx("operator", "participant.suspend", 2, suspend)) == "ok");
  CHECK(participant(state, "alice")["status"] == "suspended");
  CHECK(participant(state, "alice")["suspension_reason"] == "unpaid fees");
  CHECK(run_alone(state, signed_tx("alice", "token.transfer", 1, transfer("bob", 1))) == "participant.suspended");
  CHECK(available(state, "alice") == 1'000'000);
  // Money can still reach a suspended participant (e.g. a settlement of an old contract).
  CHECK(run_alone(state, signed_tx("operator", "token.mint", 3, mint("alice", 5))) == "ok");
  CHECK(available(state, "alice") == 1'000'005);
  CHECK(run_alone(state, signed_tx("operator", "participant.suspend", 4, suspend)) == "participant.already_suspended");
  CHECK(run_alone(state, signed_tx("operator", "participant.suspend", 5,
                                   Json{{"public_key", key_of("operator")}, {"reason", "oops"}})) ==
        "participant.self_lockout");
  CHECK(run_alone(state, signed_tx("operator", "participant.reinstate", 6, Json{{"public_key", key_of("alice")}})) ==
        "ok");
  CHECK(participant(state, "alice") == Json{{"name", "Alice"}, {"roles", {"prosumer"}}, {"status", "active"}});
  CHECK(run_alone(state, signed_tx("alice", "token.transfer", 2, transfer("bob", 1))) == "ok");
  CHECK(run_alone(state, signed_tx("operator", "participant.reinstate", 7, Json{{"public_key", key_of("alice")}})) ==
        "participant.not_suspended");
}

TEST_CASE("a buyer's credit line lets its balance go negative down to the limit", "[participants][credit]") {
  State state(genesis_state(test_genesis()));
  auto line = [](std::string_view who, std::int64_t limit) {
    return Json{{"public_key", key_of(who)}, {"limit_micro", limit}};
  };
  CHECK(run_alone(state, signed_tx("operator", "account.set_credit_line", 1, line("dso", 1'000'000))) == "ok");
  CHECK(Json::parse(*state.get(keys::account(public_key_for("dso")))) ==
        Json{{"available_micro", 0}, {"credit_limit_micro", 1'000'000}});
  // 0 + 1.00 of credit: paying 0.60 leaves -0.60; another 0.50 would need -1.10.
  CHECK(run_alone(state, signed_tx("dso", "token.transfer", 1, transfer("alice", 600'000))) == "ok");
  CHECK(available(state, "dso") == -600'000);
  CHECK(run_alone(state, signed_tx("dso", "token.transfer", 2, transfer("alice", 500'000))) == "token.insufficient_funds");
  CHECK(run_alone(state, signed_tx("dso", "token.transfer", 3, transfer("alice", 400'000))) == "ok");
  CHECK(available(state, "dso") == -1'000'000);
  // The limit cannot drop below what is in use; a burn never draws on credit.
  CHECK(run_alone(state, signed_tx("operator", "account.set_credit_line", 2, line("dso", 999'999))) ==
        "account.credit_in_use");
  Json burn{{"from", key_of("dso")}, {"amount_micro", 1}, {"fiat_reference", "payout"}};
  CHECK(run_alone(state, signed_tx("operator", "token.burn", 3, burn)) == "token.insufficient_funds");
  CHECK(run_alone(state, signed_tx("operator", "account.set_credit_line", 4, line("alice", 10))) == "account.not_buyer");
  CHECK(run_alone(state, signed_tx("operator", "account.set_credit_line", 5, line("mallory", 10))) == "account.unknown");
  CHECK(run_alone(state, signed_tx("operator", "account.set_credit_line", 6, line("dso", -1))) == "payload.invalid");
  CHECK(run_alone(state, signed_tx("dso", "account.set_credit_line", 4, line("dso", 5'000'000))) == "auth.role_required");
  // Conservation holds with a negative balance: -1.00 (dso) + 1.00 (alice) = 0 minted.
  CHECK(available(state, "dso") + available(state, "alice") == 0);
}
