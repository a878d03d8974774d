// Participants, roles, suspension and credit lines (issue 3, "Participants and roles" and
// the credit-line part of "Tokens and escrow"). Amounts are worked out in the comments.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

Json participant(const State& state, std::string_view who) {
  return Json::parse(*state.get(keys::participant(public_key_for(who))));
}

std::int64_t available(const State& state, std::string_view who) {
  auto account = state.get(keys::account(public_key_for(who)));
  return account ? Json::parse(*account)["available_micro"].get<std::int64_t>() : 0;
}

Json key_of(std::string_view who) { return to_hex(public_key_for(who)); }

}  // namespace

TEST_CASE("operators admit with a company code and update names, codes and roles", "[participants]") {
  TestLedger ledger;
  const State& state = ledger.state;
  Json admit{{"public_key", key_of("carol")}, {"name", "Carol BV"}, {"roles", {"aggregator"}}, {"company_code", "NL-123"}};
  CHECK(ledger.run_alone(signed_tx("operator", "participant.admit", 1, admit)) == "ok");
  CHECK(participant(state, "carol") ==
        Json{{"company_code", "NL-123"}, {"name", "Carol BV"}, {"roles", {"aggregator"}}, {"status", "active"}});
  Json update{{"public_key", key_of("carol")}, {"roles", {"prosumer", "aggregator", "prosumer"}}, {"name", "Carol"}};
  CHECK(ledger.run_alone(signed_tx("operator", "participant.update", 2, update)) == "ok");
  CHECK(participant(state, "carol") ==
        Json{{"company_code", "NL-123"}, {"name", "Carol"}, {"roles", {"aggregator", "prosumer"}}, {"status", "active"}});

  CHECK(ledger.run_alone(signed_tx("operator", "participant.update", 3, Json{{"public_key", key_of("carol")}})) ==
        "payload.invalid");
  CHECK(ledger.run_alone(signed_tx("operator", "participant.update", 4,
                                   Json{{"public_key", key_of("mallory")}, {"name", "M"}})) == "participant.unknown");
  CHECK(ledger.run_alone(signed_tx("operator", "participant.update", 5,
                                   Json{{"public_key", key_of("operator")}, {"roles", {"dso"}}})) ==
        "participant.self_lockout");
  CHECK(ledger.run_alone(signed_tx("alice", "participant.update", 1,
                                   Json{{"public_key", key_of("alice")}, {"roles", {"operator"}}})) ==
        "auth.role_required");
  CHECK(ledger.run_alone(signed_tx("operator", "participant.update", 6,
                                   Json{{"public_key", key_of("carol")}, {"roles", {"emperor"}}})) ==
        "participant.bad_role");
}

TEST_CASE("a suspended participant can do nothing until reinstated, and keeps its balance", "[participants]") {
  TestLedger ledger;
  const State& state = ledger.state;
  CHECK(ledger.run_block({signed_tx("operator", "token.mint", 1, mint("alice", 1'000'000))}) ==
        std::vector<std::string>{"ok"});
  Json suspend{{"public_key", key_of("alice")}, {"reason", "unpaid fees"}};
  CHECK(ledger.run_alone(signed_tx("operator", "participant.suspend", 2, suspend)) == "ok");
  CHECK(participant(state, "alice")["status"] == "suspended");
  CHECK(participant(state, "alice")["suspension_reason"] == "unpaid fees");
  CHECK(ledger.run_alone(signed_tx("alice", "token.transfer", 1, transfer("bob", 1))) == "participant.suspended");
  CHECK(available(state, "alice") == 1'000'000);
  // Money can still reach a suspended participant (e.g. a settlement of an old contract).
  CHECK(ledger.run_alone(signed_tx("operator", "token.mint", 3, mint("alice", 5))) == "ok");
  CHECK(available(state, "alice") == 1'000'005);
  CHECK(ledger.run_alone(signed_tx("operator", "participant.suspend", 4, suspend)) == "participant.already_suspended");
  CHECK(ledger.run_alone(signed_tx("operator", "participant.suspend", 5,
                                   Json{{"public_key", key_of("operator")}, {"reason", "oops"}})) ==
        "participant.self_lockout");
  CHECK(ledger.run_alone(signed_tx("operator", "participant.reinstate", 6, Json{{"public_key", key_of("alice")}})) ==
        "ok");
  CHECK(participant(state, "alice") == Json{{"name", "Alice"}, {"roles", {"prosumer"}}, {"status", "active"}});
  CHECK(ledger.run_alone(signed_tx("alice", "token.transfer", 2, transfer("bob", 1))) == "ok");
  CHECK(ledger.run_alone(signed_tx("operator", "participant.reinstate", 7, Json{{"public_key", key_of("alice")}})) ==
        "participant.not_suspended");
}

TEST_CASE("a buyer's credit line lets its balance go negative down to the limit", "[participants][credit]") {
  TestLedger ledger;
  const State& state = ledger.state;
  auto line = [](std::string_view who, std::int64_t limit) {
    return Json{{"public_key", key_of(who)}, {"limit_micro", limit}};
  };
  CHECK(ledger.run_alone(signed_tx("operator", "account.set_credit_line", 1, line("dso", 1'000'000))) == "ok");
  CHECK(Json::parse(*state.get(keys::account(public_key_for("dso")))) ==
        Json{{"available_micro", 0}, {"credit_limit_micro", 1'000'000}, {"held_micro", 0}});
  // 0 + 1.00 of credit: paying 0.60 leaves -0.60; another 0.50 would need -1.10.
  CHECK(ledger.run_alone(signed_tx("dso", "token.transfer", 1, transfer("alice", 600'000))) == "ok");
  CHECK(available(state, "dso") == -600'000);
  CHECK(ledger.run_alone(signed_tx("dso", "token.transfer", 2, transfer("alice", 500'000))) == "token.insufficient_funds");
  CHECK(ledger.run_alone(signed_tx("dso", "token.transfer", 3, transfer("alice", 400'000))) == "ok");
  CHECK(available(state, "dso") == -1'000'000);
  // The limit cannot drop below what is in use; a burn never draws on credit.
  CHECK(ledger.run_alone(signed_tx("operator", "account.set_credit_line", 2, line("dso", 999'999))) ==
        "account.credit_in_use");
  Json burn{{"from", key_of("dso")}, {"amount_micro", 1}, {"fiat_reference", "payout"}};
  CHECK(ledger.run_alone(signed_tx("operator", "token.burn", 3, burn)) == "token.insufficient_funds");
  CHECK(ledger.run_alone(signed_tx("operator", "account.set_credit_line", 4, line("alice", 10))) == "account.not_buyer");
  CHECK(ledger.run_alone(signed_tx("operator", "account.set_credit_line", 5, line("mallory", 10))) == "account.unknown");
  CHECK(ledger.run_alone(signed_tx("operator", "account.set_credit_line", 6, line("dso", -1))) == "payload.invalid");
  CHECK(ledger.run_alone(signed_tx("dso", "account.set_credit_line", 4, line("dso", 5'000'000))) == "auth.role_required");
  // Conservation holds with a negative balance: -1.00 (dso) + 1.00 (alice) = 0 minted.
  CHECK(available(state, "dso") + available(state, "alice") == 0);
}
