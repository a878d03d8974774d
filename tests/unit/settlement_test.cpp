// Delivery and settlement (issue 4), end to end through the contracts, with every balance
// checked to the micro-unit. The first case is the USEF-style example of DESIGN.md §5:
// a 1-hour ISP, baseline 10 MW, 2 MW ordered up at 7 EUR/MWh, penalty 11 EUR/MWh.
#include <catch2/catch.hpp>

#include <random>

#include "contracts/digest.hpp"
#include "contracts/queries.hpp"
#include "contracts/readings.hpp"
#include "ledger/hash.hpp"
#include "ledger/merkle.hpp"
#include "market_fixture.hpp"

using namespace flex;
using namespace flex::test;
using namespace flex::test::market;

namespace {

constexpr std::int64_t mw = 1'000'000;

// The test genesis plus a metering company, with 1-hour ISPs and an 11 EUR/MWh penalty.
Genesis settlement_genesis(std::int64_t isp_seconds, std::int64_t fee_basis_points = 0) {
  Genesis genesis = test_genesis();
  genesis.participants.push_back(GenesisParticipant{public_key_for("meter"), "Metering company", {"metering"}});
  genesis.params["isp_seconds"] = isp_seconds;
  genesis.params["penalty_micro_per_mwh"] = 11 * eur_per_mwh;
  genesis.params["fee_basis_points"] = fee_basis_points;
  if (fee_basis_points > 0) genesis.params["fee_account"] = to_hex(public_key_for("operator"));
  return genesis;
}

Json reading(const std::string& point, std::int64_t isp_start, std::int64_t import_wh, std::int64_t export_wh = 0) {
  return Json{{"metering_point_id", point}, {"isp_start", isp_start}, {"import_wh", import_wh},
              {"export_wh", export_wh}, {"quality", "measured"}};
}

Json readings(Json list) { return Json{{"readings", std::move(list)}}; }

// Row i of a settlement's columns, with each asset's row under "assets" (assets without an
// order in the ISP left out), so that tests read one ISP at a time.
Json isp_row(const Json& settlement, std::size_t i) {
  Json row = Json::object();
  for (const auto& [name, values] : settlement["isps"].items()) row[name] = values[i];
  row["assets"] = Json::object();
  for (const auto& [asset_id, columns] : settlement["assets"].items()) {
    if (columns["OrderedFlexPower"][i] == 0) continue;
    for (const auto& [name, values] : columns.items()) row["assets"][asset_id][name] = values[i];
  }
  return row;
}

// What a debtor owes a creditor on contract c0000000001.
std::string debt(const char* debtor, const char* creditor) {
  return "debt/c0000000001/" + to_hex(public_key_for(debtor)) + "/" + to_hex(public_key_for(creditor));
}

// A 12 MW site of Alice's (2 MW up), a 2 MW energy contract for 02:00-03:00 at 7 EUR/MWh
// with a meter-before baseline, matched; the DSO starts with 100 EUR and Alice with 10 EUR.
// 1-hour ISPs, 100 EUR for the DSO, and Alice's prequalified 12 MW site (2 MW up, MP-001).
TestLedger market_with_site(const Genesis& genesis, std::int64_t connection_w = 12 * mw) {
  TestLedger ledger(genesis, t0);
  REQUIRE(ledger.run("operator", "token.mint", mint("dso", 100'000'000)) == "ok");
  REQUIRE(ledger.run("dso", "zone.create", zone("feeder-7")) == "ok");
  Json site = asset("alice-site", "feeder-7", "MP-001", 2 * mw, 0);
  site["connection_w"] = connection_w;
  REQUIRE(ledger.run("alice", "asset.register", site) == "ok");
  REQUIRE(ledger.run("dso", "asset.prequalify", prequalify("alice-site")) == "ok");
  return ledger;
}

TestLedger market_with_site(std::int64_t fee_basis_points = 0) {
  return market_with_site(settlement_genesis(3600, fee_basis_points));
}

// Alice's 2 MW up energy offer for 02:00-03:00 at 7 EUR/MWh, meter-before baseline (1 ISP back).
Json usef_offer() {
  Json offer = energy_offer("a", "alice-site", 2 * mw, 7, 1'000'000);
  offer["start"] = t0 + 2 * hour;
  offer["end"] = t0 + 3 * hour;
  offer["expires_at"] = t0 + 2 * hour;
  offer["baseline"] = Json{{"method", "meter_before_after"}, {"params", Json{{"isps_before", 1}}}, {"version", 1}};
  return offer;
}

TestLedger usef_contract(std::int64_t fee_basis_points = 0) {
  TestLedger ledger = market_with_site(fee_basis_points);
  REQUIRE(ledger.run("operator", "token.mint", mint("alice", 10'000'000)) == "ok");
  REQUIRE(ledger.run("alice", "offer.create", usef_offer()) == "ok");
  REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + 2 * hour, t0 + 3 * hour, 2 * mw, 7)) == "ok");
  REQUIRE(ledger.run("dso", "request.match", by_id("request_id", "r")) == "ok");
  // Escrow: 2 MW × 1 h × 7 EUR/MWh = 14 EUR.
  REQUIRE(record(ledger, keys::contract("c0000000001"))["escrow_micro"] == 14'000'000);
  REQUIRE(account(ledger, "dso") == balances(86'000'000, 14'000'000));
  return ledger;
}

}  // namespace

TEST_CASE("the USEF example of DESIGN.md §5: payment for A = 7, 8, 9, 10, 11 MW", "[settlement]") {
  struct Row {
    std::int64_t actual_mw, delivered_mw, deficiency_mw, payment_eur;
  };
  // DESIGN.md §5, B = 10, Q = 2, price 7, penalty 11: delivered = clamp(B - A, 0, Q),
  // deficiency = max(0, A - (B - Q)), payment = 7 × delivered - 11 × deficiency.
  for (Row row : {Row{7, 2, 0, 14}, Row{8, 2, 0, 14}, Row{9, 1, 1, -4}, Row{10, 0, 2, -22}, Row{11, 0, 3, -33}}) {
    INFO("A = " << row.actual_mw << " MW");
    TestLedger ledger = usef_contract();
    ledger.advance(3 * hour);  // 03:00: the contract's ISP is over
    // 01:00-02:00 read 10 MWh (the baseline); 02:00-03:00 read A.
    REQUIRE(ledger.run("meter", "meter.submit",
                       readings(Json::array({reading("MP-001", t0 + hour, 10 * mw), reading("MP-001", t0 + 2 * hour, row.actual_mw * mw)}))) ==
            "ok");
    Json settlement = record(ledger, "settlement/c0000000001");
    REQUIRE(settlement["isps"]["isp_start"].size() == 1);
    Json isp = isp_row(settlement, 0);
    CHECK(isp["BaselinePower"] == 10 * mw);
    CHECK(isp["ActualPower"] == row.actual_mw * mw);
    CHECK(isp["OrderedFlexPower"] == 2 * mw);
    CHECK(isp["DeliveredFlexPower"] == row.delivered_mw * mw);
    CHECK(isp["PowerDeficiency"] == row.deficiency_mw * mw);
    CHECK(isp["NetSettlement"] == row.payment_eur * 1'000'000);
    CHECK(settlement["net_micro"] == row.payment_eur * 1'000'000);
    CHECK(settlement["trigger"] == "readings_complete");
    CHECK(record(ledger, keys::contract("c0000000001"))["status"] == "settled");
    std::int64_t payment = row.payment_eur * 1'000'000;
    if (payment >= 0) {
      // The seller gets the payment, the buyer the rest of its 14 EUR escrow.
      CHECK(account(ledger, "alice") == balances(10'000'000 + payment, 0));
      CHECK(account(ledger, "dso") == balances(86'000'000 + 14'000'000 - payment, 0));
    } else {
      // The buyer gets its escrow back and what Alice can pay of the penalty (she has 10 EUR);
      // the rest is a debt.
      std::int64_t collected = std::min<std::int64_t>(-payment, 10'000'000);
      CHECK(account(ledger, "alice") == balances(10'000'000 - collected, 0));
      CHECK(account(ledger, "dso") == balances(100'000'000 + collected, 0));
      if (-payment > collected) {
        CHECK(record(ledger, debt("alice", "dso")) ==
              Json{{"amount_micro", -payment - collected}, {"contract_id", "c0000000001"},
                   {"creditor", to_hex(public_key_for("dso"))}, {"debtor", to_hex(public_key_for("alice"))}});
      } else {
        CHECK_FALSE(ledger.state.get(debt("alice", "dso")));
      }
    }
    // Settled once: after the dispute window it is final, and a correction changes nothing.
    CHECK(record(ledger, "settlement/c0000000001")["final_at"] == t0 + 3 * hour + 7 * 86400);
    ledger.advance(7 * 86400);
    REQUIRE(ledger.run_block({}).empty());
    CHECK(record(ledger, "settlement/c0000000001")["status"] == "final");
    REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + 2 * hour, 7 * mw)}))) == "ok");
    CHECK(record(ledger, "settlement/c0000000001")["version"] == 1);
    CHECK(record(ledger, "settlement/c0000000001")["net_micro"] == payment);
  }
}

TEST_CASE("a late correction before finality re-runs the settlement and moves only the difference", "[settlement]") {
  TestLedger ledger = usef_contract();
  ledger.advance(3 * hour);
  const std::string dso = to_hex(public_key_for("dso")), alice = to_hex(public_key_for("alice"));
  // A = 9 MW: net -4 EUR, which Alice pays from her 10.
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-001", t0 + hour, 10 * mw), reading("MP-001", t0 + 2 * hour, 9 * mw)}))) == "ok");
  CHECK(account(ledger, "alice") == balances(6'000'000, 0));
  CHECK(account(ledger, "dso") == balances(104'000'000, 0));

  SECTION("corrections move each difference, through a debt and back") {
    // Corrected to 8 MW: net +14 EUR, 18 more than before, from the DSO to Alice.
    ledger.advance(hour);
    REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + 2 * hour, 8 * mw)}))) == "ok");
    Json settlement = record(ledger, "settlement/c0000000001");
    CHECK(settlement["version"] == 2);
    CHECK(settlement["trigger"] == "correction");
    CHECK(settlement["revised_at"] == t0 + 4 * hour);
    CHECK(settlement["net_micro"] == 14'000'000);
    CHECK(isp_row(settlement, 0)["ActualPower"] == 8 * mw);
    CHECK(settlement["money"] ==
          Json{{"moves", Json::array({Json{{"amount_micro", 18'000'000}, {"from", dso}, {"paid_micro", 18'000'000}, {"to", alice}}})}});
    CHECK(settlement["status"] == "provisional");
    CHECK(settlement["final_at"] == t0 + 3 * hour + 7 * 86400);  // the window does not restart
    // The superseded version is kept.
    Json first = record(ledger, "settlement_history/c0000000001/0000000000000001");
    CHECK(first["version"] == 1);
    CHECK(first["net_micro"] == -4'000'000);
    // The same balances as if 8 MW had been read first.
    CHECK(account(ledger, "alice") == balances(24'000'000, 0));
    CHECK(account(ledger, "dso") == balances(86'000'000, 0));

    // Corrected to 11 MW: net -33 EUR, 47 less; Alice has 24, so she owes 23.
    REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + 2 * hour, 11 * mw)}))) == "ok");
    CHECK(record(ledger, "settlement/c0000000001")["money"] ==
          Json{{"moves", Json::array({Json{{"amount_micro", 47'000'000}, {"debt_micro", 23'000'000}, {"from", alice},
                                           {"paid_micro", 24'000'000}, {"to", dso}}})}});
    CHECK(account(ledger, "alice") == balances(0, 0));
    CHECK(account(ledger, "dso") == balances(110'000'000, 0));
    CHECK(record(ledger, debt("alice", "dso"))["amount_micro"] == 23'000'000);

    // Back to 8 MW: the 47 owed to Alice first cancels her 23 debt; the DSO pays the other 24.
    REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + 2 * hour, 8 * mw)}))) == "ok");
    CHECK(record(ledger, "settlement/c0000000001")["money"] ==
          Json{{"moves", Json::array({Json{{"amount_micro", 47'000'000}, {"debt_cancelled_micro", 23'000'000}, {"from", dso},
                                           {"paid_micro", 24'000'000}, {"to", alice}}})}});
    CHECK_FALSE(ledger.state.get(debt("alice", "dso")));
    CHECK(account(ledger, "alice") == balances(24'000'000, 0));
    CHECK(account(ledger, "dso") == balances(86'000'000, 0));

    // A correction of the baseline's history re-runs it too: B = 9, A = 8 delivers 1 MW and
    // falls 1 MW short, 7 - 11 = -4 EUR.
    REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + hour, 9 * mw)}))) == "ok");
    CHECK(record(ledger, "settlement/c0000000001")["version"] == 5);
    CHECK(record(ledger, "settlement/c0000000001")["net_micro"] == -4'000'000);
    CHECK(account(ledger, "alice") == balances(6'000'000, 0));
    CHECK(account(ledger, "dso") == balances(104'000'000, 0));
    // A reading that changes nothing makes no new version.
    REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + hour, 9 * mw)}))) == "ok");
    CHECK(record(ledger, "settlement/c0000000001")["version"] == 5);
  }

  SECTION("the window closes exactly at final_at") {
    ledger.advance(7 * 86400 - 1);
    REQUIRE(ledger.run_block({}).empty());
    CHECK(record(ledger, "settlement/c0000000001")["status"] == "provisional");
    ledger.advance(1);
    REQUIRE(ledger.run_block({}).empty());
    CHECK(record(ledger, "settlement/c0000000001")["status"] == "final");
    CHECK(ledger.run("alice", "settlement.dispute", Json{{"contract_id", "c0000000001"}, {"reason", "late"}}) ==
          "settlement.final");
    REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + 2 * hour, 8 * mw)}))) == "ok");
    CHECK(record(ledger, "settlement/c0000000001")["version"] == 1);
    CHECK(account(ledger, "alice") == balances(6'000'000, 0));
  }
}

TEST_CASE("a re-run recomputes the operator's fee and moves it back", "[settlement]") {
  TestLedger ledger = usef_contract(250);
  ledger.advance(3 * hour);
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-001", t0 + hour, 10 * mw), reading("MP-001", t0 + 2 * hour, 8 * mw)}))) == "ok");
  CHECK(account(ledger, "alice") == balances(23'650'000, 0));  // 10 + 14 - 0.35 fee
  CHECK(account(ledger, "operator") == balances(350'000, 0));
  // Corrected to 9 MW: net -4 EUR. Alice returns 18 EUR; the fee account returns her 0.35.
  REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + 2 * hour, 9 * mw)}))) == "ok");
  Json settlement = record(ledger, "settlement/c0000000001");
  CHECK(settlement["fee_micro"] == 0);
  CHECK(settlement["money"]["moves"].size() == 2);
  CHECK(settlement["money"]["moves"][1] == Json{{"amount_micro", 350'000}, {"from", to_hex(public_key_for("operator"))},
                                                {"paid_micro", 350'000}, {"to", to_hex(public_key_for("alice"))}});
  // As if 9 MW had been read first: Alice 10 - 4, the DSO 100 + 4, no fee.
  CHECK(account(ledger, "alice") == balances(6'000'000, 0));
  CHECK(account(ledger, "dso") == balances(104'000'000, 0));
  CHECK(account(ledger, "operator") == balances(0, 0));
}

TEST_CASE("a dispute holds finality until the operator re-runs or adjusts with a reason", "[settlement][dispute]") {
  TestLedger ledger = usef_contract();
  ledger.advance(3 * hour);
  // Before any settlement there is nothing to dispute.
  CHECK(ledger.run("alice", "settlement.dispute", Json{{"contract_id", "c0000000001"}, {"reason", "x"}}) ==
        "settlement.unknown");
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-001", t0 + hour, 10 * mw), reading("MP-001", t0 + 2 * hour, 9 * mw)}))) == "ok");
  const Json dispute{{"contract_id", "c0000000001"}, {"reason", "the meter was replaced at 02:10"}};
  CHECK(ledger.run("bob", "settlement.dispute", dispute) == "settlement.not_party");
  CHECK(ledger.run("auditor", "settlement.dispute", dispute) == "auth.role_required");
  CHECK(ledger.run("alice", "settlement.dispute", Json{{"contract_id", "c0000000001"}}) == "payload.invalid");
  CHECK(ledger.run("operator", "settlement.resolve",
                   Json{{"contract_id", "c0000000001"}, {"reason", "r"}, {"resolution", "rerun"}}) == "settlement.not_disputed");
  REQUIRE(ledger.run("alice", "settlement.dispute", dispute) == "ok");
  CHECK(ledger.run("dso", "settlement.dispute", dispute) == "settlement.disputed");
  Json settlement = record(ledger, "settlement/c0000000001");
  CHECK(settlement["status"] == "disputed");
  CHECK(settlement["dispute"] == Json{{"opened_at", t0 + 3 * hour}, {"opened_by", to_hex(public_key_for("alice"))},
                                      {"reason", "the meter was replaced at 02:10"}});
  // Past final_at a disputed settlement stays open.
  ledger.advance(8 * 86400);
  REQUIRE(ledger.run_block({}).empty());
  CHECK(record(ledger, "settlement/c0000000001")["status"] == "disputed");

  SECTION("by an adjustment") {
    const Json adjust{{"contract_id", "c0000000001"}, {"net_micro", 7'000'000}, {"reason", "site visit: 1 MW delivered"},
                      {"resolution", "adjust"}};
    CHECK(ledger.run("alice", "settlement.resolve", adjust) == "auth.role_required");
    Json too_much = adjust;
    too_much["net_micro"] = 14'000'001;  // above the 14 EUR escrow
    CHECK(ledger.run("operator", "settlement.resolve", too_much) == "payload.invalid");
    Json no_reason = adjust;
    no_reason.erase("reason");
    CHECK(ledger.run("operator", "settlement.resolve", no_reason) == "payload.invalid");
    CHECK(record(ledger, "settlement/c0000000001")["version"] == 1);  // rejections change nothing
    REQUIRE(ledger.run("operator", "settlement.resolve", adjust) == "ok");
    settlement = record(ledger, "settlement/c0000000001");
    CHECK(settlement["status"] == "final");
    CHECK(settlement["trigger"] == "adjustment");
    CHECK(settlement["net_micro"] == 7'000'000);
    CHECK(isp_row(settlement, 0)["NetSettlement"] == -4'000'000);  // the computed breakdown stays
    CHECK(settlement["dispute"]["resolution"] == "adjust");
    CHECK(settlement["dispute"]["resolution_reason"] == "site visit: 1 MW delivered");
    CHECK(settlement["dispute"]["resolved_by"] == to_hex(public_key_for("operator")));
    // From -4 to +7: the DSO pays Alice 11 more.
    CHECK(account(ledger, "alice") == balances(17'000'000, 0));
    CHECK(account(ledger, "dso") == balances(93'000'000, 0));
    CHECK(ledger.run("operator", "settlement.resolve", adjust) == "settlement.not_disputed");
  }

  SECTION("by a re-run after a correction") {
    // The correction re-runs the disputed settlement; it stays disputed.
    REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + 2 * hour, 8 * mw)}))) == "ok");
    CHECK(record(ledger, "settlement/c0000000001")["status"] == "disputed");
    CHECK(record(ledger, "settlement/c0000000001")["net_micro"] == 14'000'000);
    REQUIRE(ledger.run("operator", "settlement.resolve",
                       Json{{"contract_id", "c0000000001"}, {"reason", "corrected reading"}, {"resolution", "rerun"}}) == "ok");
    settlement = record(ledger, "settlement/c0000000001");
    CHECK(settlement["status"] == "final");
    CHECK(settlement["version"] == 2);  // the re-run found nothing new to change
    CHECK(account(ledger, "alice") == balances(24'000'000, 0));
    CHECK(account(ledger, "dso") == balances(86'000'000, 0));
    REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + 2 * hour, 11 * mw)}))) == "ok");
    CHECK(record(ledger, "settlement/c0000000001")["net_micro"] == 14'000'000);
  }
}

TEST_CASE("nets stay within [-(2^53-1-E), E], so what any new version moves fits the ledger's integers", "[settlement][dispute]") {
  const std::int64_t max = 9007199254740991;  // 2^53 - 1
  SECTION("a correction whose penalty saturates") {
    // A penalty of 10^9 EUR/MWh on a 100 MW site: reading 100 MWh in the 2 MW up ISP falls
    // 92 MW short, a penalty line beyond 2^53 - 1 that saturates; the net stops at
    // -(2^53 - 1 - 14 EUR), so the move from +14 EUR is exactly 2^53 - 1.
    Genesis genesis = settlement_genesis(3600);
    genesis.params["penalty_micro_per_mwh"] = 1'000'000'000'000'000;
    TestLedger ledger = market_with_site(genesis, 100 * mw);
    REQUIRE(ledger.run("alice", "offer.create", usef_offer()) == "ok");
    REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + 2 * hour, t0 + 3 * hour, 2 * mw, 7)) == "ok");
    REQUIRE(ledger.run("dso", "request.match", by_id("request_id", "r")) == "ok");
    ledger.advance(3 * hour);
    REQUIRE(ledger.run("meter", "meter.submit",
                       readings(Json::array({reading("MP-001", t0 + hour, 10 * mw), reading("MP-001", t0 + 2 * hour, 8 * mw)}))) == "ok");
    REQUIRE(record(ledger, "settlement/c0000000001")["net_micro"] == 14'000'000);
    REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + 2 * hour, 100 * mw)}))) == "ok");
    Json settlement = record(ledger, "settlement/c0000000001");
    CHECK(isp_row(settlement, 0)["Penalty"] == max);
    CHECK(settlement["net_micro"] == -(max - 14'000'000));
    CHECK(settlement["money"]["moves"][0]["amount_micro"] == max);
    CHECK(record(ledger, debt("alice", "dso"))["amount_micro"] == max - 14'000'000);  // she had 14 EUR
  }
  SECTION("an adjustment") {
    TestLedger ledger = usef_contract();
    ledger.advance(3 * hour);
    REQUIRE(ledger.run("meter", "meter.submit",
                       readings(Json::array({reading("MP-001", t0 + hour, 10 * mw), reading("MP-001", t0 + 2 * hour, 8 * mw)}))) == "ok");
    REQUIRE(ledger.run("dso", "settlement.dispute", Json{{"contract_id", "c0000000001"}, {"reason", "no delivery"}}) == "ok");
    Json adjust{{"contract_id", "c0000000001"}, {"net_micro", -(max - 14'000'000) - 1}, {"reason", "fraud"}, {"resolution", "adjust"}};
    CHECK(ledger.run("operator", "settlement.resolve", adjust) == "payload.invalid");
    adjust["net_micro"] = -(max - 14'000'000);
    REQUIRE(ledger.run("operator", "settlement.resolve", adjust) == "ok");
    // From +14 EUR: Alice owes 2^53 - 1; she pays her 24 EUR and owes the rest.
    CHECK(account(ledger, "alice") == balances(0, 0));
    CHECK(record(ledger, debt("alice", "dso"))["amount_micro"] == max - 24'000'000);
  }
}

TEST_CASE("a contract may take the seller's own sub-meter as proof, when the buyer accepts it", "[settlement][readings]") {
  TestLedger ledger = market_with_site();
  // The sub-meter is registered like a metering point: unique, and not the main meter.
  Json update{{"asset_id", "alice-site"}, {"sub_metering_point_id", "MP-001"}};
  CHECK(ledger.run("alice", "asset.update", update) == "asset.invalid");
  Json other = asset("bob-site", "feeder-7", "SUB-001", 2 * mw, 0);
  REQUIRE(ledger.run("bob", "asset.register", other) == "ok");
  update["sub_metering_point_id"] = "SUB-001";
  CHECK(ledger.run("alice", "asset.update", update) == "asset.duplicate_metering_point");
  update["sub_metering_point_id"] = "SUB-ALICE";
  Json offer = usef_offer();
  offer["metering"] = "sub_meter";
  CHECK(ledger.run("alice", "offer.create", offer) == "offer.no_sub_meter");
  // A new meter sends the asset back to prequalification.
  REQUIRE(ledger.run("alice", "asset.update", update) == "ok");
  CHECK(record(ledger, keys::asset("alice-site"))["prequalification"]["status"] == "pending");
  REQUIRE(ledger.run("dso", "asset.prequalify", prequalify("alice-site")) == "ok");
  REQUIRE(ledger.run("alice", "offer.create", offer) == "ok");
  // A request that does not accept sub-meters neither buys nor matches it.
  REQUIRE(ledger.run("dso", "request.create", energy_request("strict", t0 + 2 * hour, t0 + 3 * hour, 2 * mw, 7)) == "ok");
  CHECK(ledger.run("dso", "request.purchase",
                   Json{{"request_id", "strict"}, {"fills", Json::array({Json{{"offer_id", "a"}, {"power_w", 2 * mw}}})}}) ==
        "match.sub_meter_not_accepted");
  CHECK(ledger.run("dso", "request.match", by_id("request_id", "strict")) == "match.nothing_matched");
  Json accepting = energy_request("r", t0 + 2 * hour, t0 + 3 * hour, 2 * mw, 7);
  accepting["accept_sub_meter"] = "yes";
  CHECK(ledger.run("dso", "request.create", accepting) == "payload.invalid");
  accepting["accept_sub_meter"] = true;
  REQUIRE(ledger.run("dso", "request.create", accepting) == "ok");
  REQUIRE(ledger.run("dso", "request.match", by_id("request_id", "r")) == "ok");
  Json contract = record(ledger, keys::contract("c0000000001"));
  CHECK(contract["metering"] == "sub_meter");
  CHECK(contract["asset_terms"]["alice-site"]["metering_point_id"] == "SUB-ALICE");

  ledger.advance(3 * hour);
  REQUIRE(ledger.run_block({}).empty());  // the strict request expires
  // Alice may read her sub-meter, not her main meter nor Bob's; Bob may not read hers.
  CHECK(ledger.run("alice", "meter.submit", readings(Json::array({reading("MP-001", t0 + hour, 10 * mw)}))) ==
        "auth.role_required");
  CHECK(ledger.run("alice", "meter.submit", readings(Json::array({reading("SUB-001", t0 + hour, mw)}))) ==
        "auth.role_required");
  CHECK(ledger.run("bob", "meter.submit", readings(Json::array({reading("SUB-ALICE", t0 + hour, mw)}))) ==
        "auth.role_required");
  // The main meter's readings do not settle a sub-metered contract.
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-001", t0 + hour, 10 * mw), reading("MP-001", t0 + 2 * hour, 8 * mw)}))) == "ok");
  CHECK_FALSE(ledger.state.get("settlement/c0000000001"));
  // The sub-meter sees only the flexible load: 3 MW before, 1 MW during: 2 MW delivered, 14 EUR.
  REQUIRE(ledger.run("alice", "meter.submit",
                     readings(Json::array({reading("SUB-ALICE", t0 + hour, 3 * mw), reading("SUB-ALICE", t0 + 2 * hour, 1 * mw)}))) ==
          "ok");
  Json settlement = record(ledger, "settlement/c0000000001");
  CHECK(isp_row(settlement, 0)["BaselinePower"] == 3 * mw);
  CHECK(isp_row(settlement, 0)["ActualPower"] == 1 * mw);
  CHECK(settlement["net_micro"] == 14'000'000);
  StateOverlay view(ledger.state);
  CHECK(read_meter_reading(view, "SUB-ALICE", t0 + 2 * hour, hour)->submitted_by == to_hex(public_key_for("alice")));
  CHECK(account(ledger, "alice") == balances(14'000'000, 0));
  // The meters that prove a contract stay until its settlement is final.
  const Json drop{{"asset_id", "alice-site"}, {"sub_metering_point_id", nullptr}};
  CHECK(ledger.run("alice", "asset.update", drop) == "asset.meter_in_use");
  ledger.advance(7 * 86400);
  REQUIRE(ledger.run_block({}).empty());
  REQUIRE(record(ledger, "settlement/c0000000001")["status"] == "final");
  REQUIRE(ledger.run("alice", "asset.update", drop) == "ok");
  CHECK_FALSE(ledger.state.get(keys::metering_point("SUB-ALICE")));
  CHECK_FALSE(record(ledger, keys::asset("alice-site")).contains("sub_metering_point_id"));
  // A point keeps its first kind: Alice's released sub-meter never becomes a main meter (its
  // history is self-reported), and her main meter never becomes her sub-meter.
  Json reuse = asset("bob-2", "feeder-7", "SUB-ALICE", 2 * mw, 0);
  CHECK(ledger.run("bob", "asset.register", reuse) == "asset.meter_kind_mismatch");
  CHECK(ledger.run("alice", "asset.update",
                   Json{{"asset_id", "alice-site"}, {"metering_point_id", "MP-NEW"}, {"sub_metering_point_id", "MP-001"}}) ==
        "asset.meter_kind_mismatch");
}

TEST_CASE("the operator's fee is taken from the seller's payment", "[settlement]") {
  TestLedger ledger = usef_contract(250);  // 2.5 %
  ledger.advance(3 * hour);
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-001", t0 + hour, 10 * mw), reading("MP-001", t0 + 2 * hour, 8 * mw)}))) == "ok");
  // 14 EUR delivered; fee 2.5 % = 0.35 EUR to the operator; Alice gets 13.65 EUR.
  CHECK(record(ledger, "settlement/c0000000001")["money"] ==
        Json{{"escrow_micro", 14'000'000}, {"fee_micro", 350'000}, {"paid_to_seller_micro", 13'650'000},
             {"returned_to_buyer_micro", 0}});
  CHECK(account(ledger, "alice") == balances(23'650'000, 0));
  CHECK(account(ledger, "operator") == balances(350'000, 0));
  CHECK(account(ledger, "dso") == balances(86'000'000, 0));
}

TEST_CASE("missing readings: nothing settles early; at the deadline the ISP counts as not delivered", "[settlement]") {
  TestLedger ledger = usef_contract();
  ledger.advance(3 * hour);
  // Only the baseline ISP is read: the contract waits.
  REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + hour, 10 * mw)}))) == "ok");
  CHECK_FALSE(ledger.state.get("settlement/c0000000001"));
  CHECK(account(ledger, "dso") == balances(86'000'000, 14'000'000));
  // The deadline: 2 days after the contract's end (03:00 on 3 January).
  ledger.advance(2 * 86400 - 1);
  REQUIRE(ledger.run_block({}).empty());
  CHECK_FALSE(ledger.state.get("settlement/c0000000001"));
  ledger.advance(1);
  REQUIRE(ledger.run_block({}).empty());
  Json settlement = record(ledger, "settlement/c0000000001");
  CHECK(settlement["trigger"] == "deadline");
  // Not delivered: deficiency 2 MW, penalty 2 × 11 = 22 EUR; Alice pays her 10 EUR, owes 12.
  CHECK(isp_row(settlement, 0)["PowerDeficiency"] == 2 * mw);
  CHECK(isp_row(settlement, 0)["ActualPower"].is_null());
  CHECK(settlement["net_micro"] == -22'000'000);
  CHECK(account(ledger, "dso") == balances(110'000'000, 0));
  CHECK(account(ledger, "alice") == balances(0, 0));
  CHECK(record(ledger, debt("alice", "dso"))["amount_micro"] == 12'000'000);
}

TEST_CASE("the day scanner and the full parse agree on random batches of readings and corrections", "[readings]") {
  // 15-minute ISPs over three UTC days; each seed submits 1 to 6 batches of up to 40 readings
  // (many of them corrections of an ISP read before), then compares, for every ISP, the net
  // power read_net_power_series scans with the one read_meter_reading parses.
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    INFO("seed " << seed);
    std::mt19937_64 random(seed);
    TestLedger ledger(settlement_genesis(900), t0);
    Json site = asset("site", "feeder-7", "MP-001", 2 * mw, 0);
    site["connection_w"] = 12 * mw;
    REQUIRE(ledger.run("dso", "zone.create", zone("feeder-7")) == "ok");
    REQUIRE(ledger.run("alice", "asset.register", site) == "ok");
    ledger.advance(3 * 86400);
    const std::int64_t batches = 1 + static_cast<std::int64_t>(random() % 6);
    for (std::int64_t b = 0; b < batches; ++b) {
      Json list = Json::array();
      const std::size_t size = 1 + random() % 40;
      for (std::size_t r = 0; r < size; ++r) {
        std::int64_t isp_start = t0 + static_cast<std::int64_t>(random() % (3 * 96)) * 900;
        list.push_back(reading("MP-001", isp_start, static_cast<std::int64_t>(random() % 3'000'001),
                               static_cast<std::int64_t>(random() % 3'000'001)));
      }
      REQUIRE(ledger.run("meter", "meter.submit", readings(list)) == "ok");
    }
    StateOverlay view(ledger.state);
    IspSeries series(t0 - 86400, t0 + 4 * 86400, 900);
    read_net_power_series(view, "MP-001", t0 - 86400, t0 + 4 * 86400, 900, series);
    std::size_t read = 0;
    for (std::int64_t t = t0; t < t0 + 3 * 86400; t += 900) {
      auto parsed = read_meter_reading(view, "MP-001", t, 900);
      REQUIRE(series.at(t).has_value() == parsed.has_value());
      if (!parsed) continue;
      ++read;
      CHECK(*series.at(t) == (parsed->import_wh - parsed->export_wh) * 4);
    }
    CHECK(series.count() == read);
  }
}

TEST_CASE("meter readings are checked: role, metering point, grid, time and size", "[settlement][readings]") {
  TestLedger ledger = usef_contract();
  ledger.advance(3 * hour);
  CHECK(ledger.run("alice", "meter.submit", readings(Json::array({reading("MP-001", t0, 1)}))) == "auth.role_required");
  CHECK(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-404", t0, 1)}))) == "meter.unknown_point");
  CHECK(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + 900, 1)}))) == "meter.off_grid");
  // 03:00-04:00 has not ended at 03:00.
  CHECK(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0 + 3 * hour, 1)}))) == "meter.future");
  // 12 MW × 1 h + 10 % = 13.2 MWh at most.
  CHECK(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0, 13'200'001)}))) == "meter.absurd");
  CHECK(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0, 0, 13'200'001)}))) == "meter.absurd");
  CHECK(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0, -1)}))) == "meter.bad_value");
  // A batch is whole or nothing: one bad reading rejects the good one before it.
  CHECK(ledger.run("meter", "meter.submit",
                   readings(Json::array({reading("MP-001", t0, 5), reading("MP-001", t0 + 1, 5)}))) == "meter.off_grid");
  CHECK_FALSE(ledger.state.get(meter_day_key("MP-001", t0)));
  REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0, 13'200'000)}))) == "ok");
  REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-001", t0, 5'000'000)}))) == "ok");
  // One entry per metering point and UTC day, one slot per ISP: [import, export, quality,
  // version, recorded_at, submitter]. A correction is a new version.
  Json day = record(ledger, meter_day_key("MP-001", t0));
  CHECK(day["submitters"] == Json::array({to_hex(public_key_for("meter"))}));
  CHECK(day["isps"].size() == 24);
  CHECK(day["isps"][0] == Json::array({5'000'000, 0, "m", 2, t0 + 3 * hour, 0}));
  CHECK(day["isps"][1].is_null());
  // A batch that reads and corrects the same ISP applies in order: two more versions.
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-001", t0 + hour, 1), reading("MP-001", t0 + hour, 2, 3)}))) == "ok");
  StateOverlay view(ledger.state);
  auto corrected = read_meter_reading(view, "MP-001", t0 + hour, hour);
  REQUIRE(corrected);
  CHECK(corrected->version == 2);
  CHECK(corrected->import_wh == 2);
  CHECK(corrected->export_wh == 3);
  CHECK(corrected->quality == "measured");
}

namespace {

// Alice's 12 MW site with a 2 MW reservation for 02:00-04:00 (two 1-hour ISPs) at
// 3 EUR/MW·h availability and 7 EUR/MWh activation. Escrow per ISP: 6 + 14 = 20 EUR.
TestLedger reservation_contract(const std::string& product = "reservation") {
  TestLedger ledger = market_with_site();
  Json offer = usef_offer();
  offer["product"] = product;
  offer["end"] = t0 + 4 * hour;
  offer["availability_price_micro_per_mw_h"] = 3 * eur_per_mwh;
  Json request = energy_request("r", t0 + 2 * hour, t0 + 4 * hour, 2 * mw, 7);
  request["product"] = product;
  request["max_availability_price_micro_per_mw_h"] = 3 * eur_per_mwh;
  if (product == "capacity_limitation") {
    offer.erase("activation_price_micro_per_mwh");
    request.erase("max_activation_price_micro_per_mwh");
    offer["baseline"] = Json{{"method", "none"}, {"version", 1}};
  }
  REQUIRE(ledger.run("alice", "offer.create", offer) == "ok");
  REQUIRE(ledger.run("dso", "request.create", request) == "ok");
  REQUIRE(ledger.run("dso", "request.match", by_id("request_id", "r")) == "ok");
  return ledger;
}

Json activation(std::int64_t isp_start, std::int64_t power_w) {
  return Json{{"contract_id", "c0000000001"}, {"activations", Json::array({Json{{"isp_start", isp_start}, {"power_w", power_w}}})}};
}

}  // namespace

TEST_CASE("a reservation without activation earns its availability fee at the deadline", "[settlement]") {
  TestLedger ledger = reservation_contract();
  CHECK(record(ledger, keys::contract("c0000000001"))["status"] == "reserved");
  CHECK(account(ledger, "dso") == balances(60'000'000, 40'000'000));
  ledger.advance(4 * hour + 2 * 86400);  // the deadline
  REQUIRE(ledger.run_block({}).empty());
  // Availability 2 ISPs × 6 EUR = 12 EUR to Alice; 40 - 12 = 28 EUR back to the DSO.
  CHECK(record(ledger, "settlement/c0000000001")["net_micro"] == 12'000'000);
  CHECK(account(ledger, "alice") == balances(12'000'000, 0));
  CHECK(account(ledger, "dso") == balances(88'000'000, 0));
}

TEST_CASE("a reservation activated before the gate is paid for what it delivers", "[settlement]") {
  TestLedger ledger = reservation_contract();
  CHECK(ledger.run("alice", "contract.activate", activation(t0 + 2 * hour, mw)) == "auth.role_required");
  CHECK(ledger.run("dso", "contract.activate", activation(t0 + 2 * hour, 2 * mw + 1)) == "activation.exceeds_reserved");
  CHECK(ledger.run("dso", "contract.activate", activation(t0 + 2 * hour + 900, mw)) == "activation.bad_isp");
  ledger.advance(hour + 2700 + 1);  // 01:45:01, past the 15-minute gate of the 02:00 ISP
  CHECK(ledger.run("dso", "contract.activate", activation(t0 + 2 * hour, mw)) == "activation.after_gate");
  REQUIRE(ledger.run("dso", "contract.activate", activation(t0 + 3 * hour, mw)) == "ok");  // 03:00 is still open
  CHECK(record(ledger, keys::contract("c0000000001"))["activated_w"] == Json::array({0, mw}));
  ledger.advance(4 * hour - (hour + 2700 + 1));  // 04:00
  // Baseline from 02:00-03:00 (10 MW); 03:00-04:00 reads 8.6 MW: 1 MW ordered up, 1.4 MW delivered -> 1 MW paid.
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-001", t0 + 2 * hour, 10 * mw), reading("MP-001", t0 + 3 * hour, 8'600'000)}))) == "ok");
  Json settlement = record(ledger, "settlement/c0000000001");
  // ISP 02:00: not activated, availability 6 EUR. ISP 03:00: 6 EUR availability + 1 MW × 7 = 13 EUR.
  CHECK(isp_row(settlement, 0)["NetSettlement"] == 6'000'000);
  CHECK(isp_row(settlement, 0)["OrderedFlexPower"] == 0);
  CHECK(isp_row(settlement, 1)["DeliveredFlexPower"] == mw);
  CHECK(isp_row(settlement, 1)["NetSettlement"] == 13'000'000);
  CHECK(account(ledger, "alice") == balances(19'000'000, 0));
  CHECK(account(ledger, "dso") == balances(81'000'000, 0));
}

TEST_CASE("an activation not delivered loses that ISP's availability fee and pays the penalty", "[settlement]") {
  TestLedger ledger = reservation_contract();
  REQUIRE(ledger.run("dso", "contract.activate", activation(t0 + 2 * hour, 2 * mw)) == "ok");
  ledger.advance(4 * hour);
  // Baseline 01:00 = 10 MW; 02:00 reads 9.5 MW: 0.5 MW delivered, 1.5 MW short.
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-001", t0 + hour, 10 * mw), reading("MP-001", t0 + 2 * hour, 9'500'000)}))) == "ok");
  Json isp = isp_row(record(ledger, "settlement/c0000000001"), 0);
  // Price: 0.5 MW × 7 = 3.50 EUR, availability cut; penalty 1.5 MW × 11 = 16.50 EUR -> -13 EUR.
  CHECK(isp["Price"] == 3'500'000);
  CHECK(isp["Penalty"] == 16'500'000);
  CHECK(isp["NetSettlement"] == -13'000'000);
  // The 03:00 ISP was not activated: 6 EUR availability. Net -7 EUR: Alice has nothing, so it is a debt.
  CHECK(record(ledger, "settlement/c0000000001")["net_micro"] == -7'000'000);
  CHECK(account(ledger, "dso") == balances(100'000'000, 0));
  CHECK(record(ledger, debt("alice", "dso"))["amount_micro"] == 7'000'000);
}

TEST_CASE("a capacity limitation is checked against connection capacity minus the order", "[settlement]") {
  TestLedger ledger = reservation_contract("capacity_limitation");
  // Escrow: availability only, 2 ISPs × 2 MW × 3 EUR = 12 EUR.
  CHECK(account(ledger, "dso") == balances(88'000'000, 12'000'000));
  ledger.advance(4 * hour);
  // Import cap: 12 MW connection - 2 MW = 10 MW. 02:00 reads 9.8 MW (kept), 03:00 reads 10.5 MW (0.5 MW over).
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-001", t0 + 2 * hour, 9'800'000), reading("MP-001", t0 + 3 * hour, 10'500'000)}))) == "ok");
  Json settlement = record(ledger, "settlement/c0000000001");
  CHECK(isp_row(settlement, 0)["NetSettlement"] == 6'000'000);
  CHECK(isp_row(settlement, 0)["BaselinePower"].is_null());  // no baseline: the limit is checked directly
  CHECK(isp_row(settlement, 1)["PowerDeficiency"] == 500'000);
  CHECK(isp_row(settlement, 1)["DeliveredFlexPower"] == 1'500'000);
  // Availability cut, penalty 0.5 MW × 11 = 5.50 EUR.
  CHECK(isp_row(settlement, 1)["NetSettlement"] == -5'500'000);
  CHECK(settlement["net_micro"] == 500'000);
  CHECK(account(ledger, "alice") == balances(500'000, 0));
  CHECK(account(ledger, "dso") == balances(99'500'000, 0));
}

TEST_CASE("an aggregator's portfolio is settled per asset and summed per ISP", "[settlement]") {
  TestLedger ledger(settlement_genesis(3600), t0);
  REQUIRE(ledger.run("operator", "participant.admit",
                     Json{{"public_key", to_hex(public_key_for("agg"))}, {"name", "Aggregator"}, {"roles", {"aggregator"}}}) == "ok");
  REQUIRE(ledger.run("operator", "token.mint", mint("dso", 100'000'000)) == "ok");
  REQUIRE(ledger.run("dso", "zone.create", zone("feeder-7")) == "ok");
  for (auto [id, point] : {std::pair{"p1", "MP-1"}, std::pair{"p2", "MP-2"}}) {
    Json site = asset(id, "feeder-7", point, mw, 0);
    site["connection_w"] = 12 * mw;
    REQUIRE(ledger.run("agg", "asset.register", site) == "ok");
    REQUIRE(ledger.run("dso", "asset.prequalify", prequalify(id)) == "ok");
  }
  Json offer = energy_offer("o", "p1", 1'500'000, 7, 1'000'000);
  offer["asset_ids"] = Json::array({"p1", "p2"});
  offer["start"] = t0 + 2 * hour;
  offer["end"] = t0 + 3 * hour;
  offer["expires_at"] = t0 + 2 * hour;
  offer["baseline"] = Json{{"method", "meter_before_after"}, {"params", Json{{"isps_before", 1}}}, {"version", 1}};
  REQUIRE(ledger.run("agg", "offer.create", offer) == "ok");
  REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + 2 * hour, t0 + 3 * hour, 1'500'000, 7)) == "ok");
  REQUIRE(ledger.run("dso", "request.match", by_id("request_id", "r")) == "ok");
  // 1.5 MW over the assets in order: p1 takes its 1 MW, p2 the other 0.5 MW. Escrow 10.50 EUR.
  CHECK(record(ledger, keys::contract("c0000000001"))["allocation"] ==
        Json{{"p1", Json::array({mw})}, {"p2", Json::array({500'000})}});
  ledger.advance(3 * hour);
  // p1: baseline 5 MW, reads 4 MW: delivers its 1 MW. p2: baseline 3 MW, reads 3 MW: delivers nothing.
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-1", t0 + hour, 5 * mw), reading("MP-1", t0 + 2 * hour, 4 * mw)}))) == "ok");
  CHECK_FALSE(ledger.state.get("settlement/c0000000001"));  // p2 is not read yet
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-2", t0 + hour, 3 * mw), reading("MP-2", t0 + 2 * hour, 3 * mw)}))) == "ok");
  Json isp = isp_row(record(ledger, "settlement/c0000000001"), 0);
  CHECK(isp["assets"]["p1"] == Json{{"ActualPower", 4 * mw}, {"BaselinePower", 5 * mw}, {"DeliveredFlexPower", mw},
                                    {"OrderedFlexPower", mw}, {"PowerDeficiency", 0}});
  CHECK(isp["assets"]["p2"] == Json{{"ActualPower", 3 * mw}, {"BaselinePower", 3 * mw}, {"DeliveredFlexPower", 0},
                                    {"OrderedFlexPower", 500'000}, {"PowerDeficiency", 500'000}});
  CHECK(isp["BaselinePower"] == 8 * mw);
  CHECK(isp["ActualPower"] == 7 * mw);
  // 1 MW × 7 = 7 EUR, less 0.5 MW × 11 = 5.50 EUR: 1.50 EUR to the aggregator, 9 EUR back.
  CHECK(isp["NetSettlement"] == 1'500'000);
  CHECK(account(ledger, "agg") == balances(1'500'000, 0));
  CHECK(account(ledger, "dso") == balances(98'500'000, 0));
}

TEST_CASE("a nominated baseline settles a down contract; nominations close at the gate", "[settlement]") {
  TestLedger ledger = market_with_site();
  Json heat = asset("alice-heat", "feeder-7", "MP-002", 0, 2 * mw);
  heat["connection_w"] = 12 * mw;
  REQUIRE(ledger.run("alice", "asset.register", heat) == "ok");
  REQUIRE(ledger.run("dso", "asset.prequalify", prequalify("alice-heat")) == "ok");
  Json offer = energy_offer("h", "alice-heat", 2 * mw, 7, 1'000'000);
  offer["direction"] = "down";
  offer["start"] = t0 + 2 * hour;
  offer["end"] = t0 + 3 * hour;
  offer["expires_at"] = t0 + 2 * hour;
  offer["baseline"] = Json{{"method", "nomination"}, {"version", 1}};
  REQUIRE(ledger.run("alice", "offer.create", offer) == "ok");
  Json request = energy_request("r", t0 + 2 * hour, t0 + 3 * hour, 2 * mw, 7);
  request["direction"] = "down";
  REQUIRE(ledger.run("dso", "request.create", request) == "ok");
  REQUIRE(ledger.run("dso", "request.match", by_id("request_id", "r")) == "ok");

  auto nominate = [](std::int64_t t, std::int64_t w) {
    return Json{{"asset_id", "alice-heat"}, {"points", Json::array({Json::array({t, w})})}};
  };
  CHECK(ledger.run("bob", "nomination.submit", nominate(t0 + 2 * hour, 3 * mw)) == "asset.no_consent");
  CHECK(ledger.run("alice", "nomination.submit", nominate(t0 + 2 * hour + 60, 3 * mw)) == "nomination.off_grid");
  CHECK(ledger.run("alice", "nomination.submit",
                   Json{{"asset_id", "alice-heat"},
                        {"points", Json::array({Json::array({t0 + 3 * hour, 1}), Json::array({t0 + 2 * hour, 1})})}}) ==
        "nomination.unordered");
  REQUIRE(ledger.run("alice", "nomination.submit", nominate(t0 + 2 * hour, 3 * mw)) == "ok");
  ledger.advance(hour + 2700 + 1);  // 01:45:01: the 02:00 ISP's gate has closed
  CHECK(ledger.run("alice", "nomination.submit", nominate(t0 + 2 * hour, 5 * mw)) == "nomination.after_gate");
  ledger.advance(3 * hour - (hour + 2700 + 1));  // 03:00
  REQUIRE(ledger.run("meter", "meter.submit", readings(Json::array({reading("MP-002", t0 + 2 * hour, 4'500'000)}))) == "ok");
  // Down: B = 3 MW nominated, Q = 2 MW, A = 4.5 MW: delivered = clamp(A - B, 0, Q) = 1.5 MW,
  // deficiency = max(0, (B + Q) - A) = 0.5 MW; 1.5 × 7 - 0.5 × 11 = 10.50 - 5.50 = 5 EUR.
  Json isp = isp_row(record(ledger, "settlement/c0000000001"), 0);
  CHECK(isp["BaselinePower"] == 3 * mw);
  CHECK(isp["DeliveredFlexPower"] == 1'500'000);
  CHECK(isp["PowerDeficiency"] == 500'000);
  CHECK(isp["NetSettlement"] == 5'000'000);
  CHECK(account(ledger, "alice") == balances(5'000'000, 0));
  CHECK(account(ledger, "dso") == balances(95'000'000, 0));
}

TEST_CASE("KPIs per zone and day: volumes, weighted price, delivery ratio, penalties, escrow outstanding", "[settlement][queries]") {
  TestLedger ledger = usef_contract();
  KpiQuery query;
  query.from = t0;
  query.to = t0 + 86400;
  // Before settlement: the 14 EUR escrow is outstanding, nothing is delivered yet.
  Json before = market_kpis(ledger.state, query)["buckets"];
  REQUIRE(before.size() == 1);
  CHECK(before[0]["escrow_outstanding_micro"] == 14'000'000);
  CHECK(before[0]["delivery_ratio_ppm"].is_null());
  ledger.advance(3 * hour);
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-001", t0 + hour, 10 * mw), reading("MP-001", t0 + 2 * hour, 9 * mw)}))) == "ok");
  // A = 9 MW: 1 of 2 MWh delivered (500,000 ppm), 11 EUR penalty, net -4 EUR.
  CHECK(market_kpis(ledger.state, query)["buckets"] ==
        Json::array({Json{{"activation_price_micro_per_mwh", 7 * eur_per_mwh},
                          {"availability_price_micro_per_mw_h", nullptr},
                          {"contracted_wh", 2 * mw},
                          {"contracts", 1},
                          {"delivered_wh", mw},
                          {"delivery_ratio_ppm", 500'000},
                          {"escrow_outstanding_micro", 0},
                          {"net_settled_micro", -4'000'000},
                          {"offered_wh", 2 * mw},
                          {"offers", 1},
                          {"ordered_wh", 2 * mw},
                          {"penalties_micro", 11'000'000},
                          {"requested_wh", 2 * mw},
                          {"requests", 1},
                          {"settled_contracts", 1},
                          {"start", t0},
                          {"zone_id", "feeder-7"}}}));
  query.zone_id = "feeder-8";
  CHECK(market_kpis(ledger.state, query)["buckets"].empty());
}

TEST_CASE("the frontier gives the RFC 6962 root for every count", "[digest]") {
  std::vector<Hash32> leaves, frontier;
  for (std::uint64_t count = 0; count <= 300; ++count) {
    INFO("leaves: " << count);
    CHECK(frontier_root(frontier) == merkle_root_of_leaf_hashes(leaves));
    Hash32 leaf = merkle_leaf_hash(sha256(std::to_string(count)));
    frontier_add(frontier, count, leaf);
    leaves.push_back(leaf);
  }
  // The frontier holds one subtree per set bit of the count: 300 = 256 + 32 + 8 + 4.
  CHECK(frontier.size() == 5);  // 301 leaves: 256 + 32 + 8 + 4 + 1
}

TEST_CASE("the first block of a day records the digest of the day before", "[digest]") {
  TestLedger ledger = usef_contract();
  ledger.advance(3 * hour);
  REQUIRE(ledger.run("meter", "meter.submit",
                     readings(Json::array({reading("MP-001", t0 + hour, 10 * mw), reading("MP-001", t0 + 2 * hour, 8 * mw)}))) == "ok");
  const Hash32 app_hash_at_day_end = ledger.state.app_hash();
  const std::vector<Hash32> day_one = ledger.executed_ids;
  ledger.advance(86400 - 3 * hour - 1);  // 23:59:59: still 1 January
  REQUIRE(ledger.run_block({}).empty());
  CHECK_FALSE(ledger.state.get("digest/2026-01-01"));
  const Hash32 app_hash_at_last_block = ledger.state.app_hash();
  ledger.advance(1);  // 2 January, 00:00:00
  REQUIRE(ledger.run_block({}).empty());
  std::vector<Hash32> leaf_hashes;
  for (const auto& id : day_one) leaf_hashes.push_back(merkle_leaf_hash(id));
  // 8 transactions set the market up and 1 read the meter (blocks 1-9, then the empty block 10);
  // the contract delivered 2 MWh for 14 EUR.
  CHECK(record(ledger, "digest/2026-01-01") ==
        Json{{"app_hash", to_hex(app_hash_at_last_block)},
             {"contracts", 1},
             {"date", "2026-01-01"},
             {"first_height", 1},
             {"last_height", static_cast<std::int64_t>(day_one.size()) + 1},
             {"settled_contracts", 1},
             {"settled_energy_wh", 2 * mw},
             {"settled_value_micro", 14'000'000},
             {"transactions", static_cast<std::int64_t>(day_one.size())},
             {"tx_root", to_hex(merkle_root_of_leaf_hashes(leaf_hashes))}});
  CHECK(day_one.size() == 9);
  CHECK(app_hash_at_day_end == app_hash_at_last_block);  // an empty block changes no state
  CHECK(record(ledger, "digest_day")["day"] == (t0 + 86400) / 86400);
}

TEST_CASE("a day's totals saturate at 2^53-1 instead of leaving the I-JSON range", "[digest]") {
  TestLedger ledger(settlement_genesis(900), t0);
  REQUIRE(ledger.run_block({}).empty());  // block 1 opens the day
  StateOverlay overlay(ledger.state);
  const std::int64_t max = 9007199254740991;
  count_digest_settlement(overlay, 1, max, -max);
  count_digest_settlement(overlay, 1, max, -max);  // would be ±2^54 unsaturated
  Json day = Json::parse(*overlay.get("digest_day"));
  CHECK(day["settled_contracts"] == 2);
  CHECK(day["settled_energy_wh"] == max);
  CHECK(day["settled_value_micro"] == -max);
}
