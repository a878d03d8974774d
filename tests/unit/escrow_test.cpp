// Two-phase transfers (issue 3, "Tokens and escrow"; DESIGN.md §4). Amounts worked by hand
// in the comments; block time starts at 2026-01-01T00:00:00Z (1767225600).
#include <catch2/catch.hpp>

#include "contracts/state_keys.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

constexpr std::int64_t t0 = 1767225600;

Json account(const TestLedger& ledger, std::string_view who) {
  auto stored = ledger.state.get(keys::account(public_key_for(who)));
  return stored ? Json::parse(*stored) : Json{{"available_micro", 0}, {"credit_limit_micro", 0}, {"held_micro", 0}};
}

Json hold_to(std::string_view payee, std::int64_t amount, std::int64_t expires_at) {
  return Json{{"payee", to_hex(public_key_for(payee))}, {"amount_micro", amount}, {"expires_at", expires_at}};
}

std::string hold_id_of(const Transaction& transaction) { return to_hex(transaction.id); }

Json balances(std::int64_t available, std::int64_t held, std::int64_t credit = 0) {
  return Json{{"available_micro", available}, {"credit_limit_micro", credit}, {"held_micro", held}};
}

}  // namespace

TEST_CASE("a hold is posted in part: the payee gets the part, the payer the rest", "[escrow]") {
  TestLedger ledger(test_genesis(), t0);
  REQUIRE(ledger.run("operator", "token.mint", mint("dso", 10'000'000)) == "ok");
  Transaction hold = signed_tx("dso", "escrow.hold", 1, hold_to("alice", 4'000'000, t0 + 3600));
  REQUIRE(ledger.run_alone(hold) == "ok");
  // 10.00 available -> 6.00 available + 4.00 held.
  CHECK(account(ledger, "dso") == balances(6'000'000, 4'000'000));
  Json post{{"hold_id", hold_id_of(hold)}, {"amount_micro", 2'500'000}};
  CHECK(ledger.run_alone(signed_tx("alice", "escrow.post", 1, post)) == "escrow.not_payer");
  CHECK(ledger.run_alone(signed_tx("dso", "escrow.post", 2, Json{{"hold_id", hold_id_of(hold)}, {"amount_micro", 4'000'001}})) ==
        "escrow.amount_exceeds_hold");
  CHECK(ledger.run_alone(signed_tx("dso", "escrow.post", 3, post)) == "ok");
  // 2.50 to Alice; the unposted 1.50 returns: 6.00 + 1.50 = 7.50.
  CHECK(account(ledger, "dso") == balances(7'500'000, 0));
  CHECK(account(ledger, "alice") == balances(2'500'000, 0));
  CHECK_FALSE(ledger.state.get(keys::hold(hold_id_of(hold))));
  CHECK(ledger.run_alone(signed_tx("dso", "escrow.post", 4, post)) == "escrow.unknown_hold");
}

TEST_CASE("the payee may void a hold, and only the payee", "[escrow]") {
  TestLedger ledger(test_genesis(), t0);
  REQUIRE(ledger.run("operator", "token.mint", mint("dso", 1'000'000)) == "ok");
  Transaction hold = signed_tx("dso", "escrow.hold", 1, hold_to("bob", 1'000'000, t0 + 60));
  REQUIRE(ledger.run_alone(hold) == "ok");
  CHECK(account(ledger, "dso") == balances(0, 1'000'000));
  Json void_it{{"hold_id", hold_id_of(hold)}};
  CHECK(ledger.run_alone(signed_tx("dso", "escrow.void", 2, void_it)) == "escrow.not_payee");
  CHECK(ledger.run_alone(signed_tx("bob", "escrow.void", 1, void_it)) == "ok");
  CHECK(account(ledger, "dso") == balances(1'000'000, 0));
  CHECK(account(ledger, "bob") == balances(0, 0));
}

TEST_CASE("a hold expires at the first block at or after its time", "[escrow]") {
  TestLedger early(test_genesis(), t0);
  REQUIRE(early.run("operator", "token.mint", mint("dso", 500)) == "ok");
  Transaction hold = signed_tx("dso", "escrow.hold", 1, hold_to("alice", 300, t0 + 900));
  REQUIRE(early.run_alone(hold) == "ok");
  // The same state seen by a block 899 s later (not yet) and one 900 s later (expired).
  State kept = early.state;
  auto not_yet = execute_block(kept, ExecutionContext{3, t0 + 899}, {});
  REQUIRE(not_yet);
  CHECK(not_yet->writes.empty());
  auto expired = execute_block(kept, ExecutionContext{3, t0 + 900}, {});
  REQUIRE(expired);
  kept.apply(expired->writes);
  CHECK(Json::parse(*kept.get(keys::account(public_key_for("dso")))) == balances(500, 0));
  CHECK_FALSE(kept.get(keys::hold(hold_id_of(hold))));
  // Nothing of the expiry index is left behind.
  StateOverlay view(kept);
  auto next = view.first_key_from("hold_expiry/");
  CHECK((!next || next->rfind("hold_expiry/", 0) != 0));
}

TEST_CASE("holds draw on a credit line and are refused beyond it, or with a bad expiry", "[escrow]") {
  TestLedger ledger(test_genesis(), t0);
  REQUIRE(ledger.run("operator", "account.set_credit_line",
                     Json{{"public_key", to_hex(public_key_for("dso"))}, {"limit_micro", 2'000'000}}) == "ok");
  CHECK(ledger.run("dso", "escrow.hold", hold_to("alice", 1'500'000, t0 + 60)) == "ok");
  // Credit 2.00, of which 1.50 is held: 0.50 of headroom left.
  CHECK(account(ledger, "dso") == balances(-1'500'000, 1'500'000, 2'000'000));
  CHECK(ledger.run("dso", "escrow.hold", hold_to("alice", 500'001, t0 + 60)) == "token.insufficient_funds");
  CHECK(ledger.run("dso", "escrow.hold", hold_to("alice", 1, t0)) == "escrow.bad_expiry");
  CHECK(ledger.run("dso", "escrow.hold", hold_to("alice", 1, t0 + 10LL * 366 * 86400 + 1)) == "escrow.bad_expiry");
  CHECK(ledger.run("dso", "escrow.hold", hold_to("dso", 1, t0 + 60)) == "escrow.self_hold");
  CHECK(ledger.run("dso", "escrow.hold", hold_to("mallory", 1, t0 + 60)) == "token.unknown_account");
  CHECK(ledger.run("auditor", "escrow.hold", hold_to("alice", 1, t0 + 60)) == "auth.role_required");
  CHECK(ledger.run("dso", "escrow.post", Json{{"hold_id", "XYZ"}, {"amount_micro", 1}}) == "payload.invalid");
}
