// The market story of issue 3: onboarding, deposit, zone, assets, prequalification, offers,
// a request, automatic matching and manual purchase, with balances and holds checked to the
// micro-unit at every step. Every amount is worked by hand in the comments, with
// line = W × 900 s × price / (10^6 × 3600) (DESIGN.md §3).
// Block time starts at 2026-01-01T00:00:00Z (t0); ISPs are 15 minutes.
#include <catch2/catch.hpp>

#include "contracts/orders.hpp"
#include "market_fixture.hpp"

using namespace flex;
using namespace flex::test;
using namespace flex::test::market;


TEST_CASE("line amounts: W × s × price / 3.6e9, rounded half to even", "[market]") {
  // 8 kW for 15 min = 2 kWh; at 250 EUR/MWh that is 0.50 EUR.
  CHECK(line_amount_micro(8'000, 900, 250 * eur_per_mwh) == 500'000);
  // 1 W for 1 s at 1 800 micro/MWh: 1800 / 3.6e9 = 0.0000005 -> half, rounds to even 0.
  CHECK(line_amount_micro(1, 900, 2 * 1'000'000) == 0);  // 900 × 2e6 = 1.8e9 = exactly half of 3.6e9 -> 0 (even)
  CHECK(line_amount_micro(3, 900, 2 * 1'000'000) == 2);  // 5.4e9 / 3.6e9 = 1.5 -> 2 (even)
  CHECK(line_amount_micro(5, 900, 2 * 1'000'000) == 2);  // 9.0e9 / 3.6e9 = 2.5 -> 2 (even)
  CHECK(line_amount_micro(1, 900, 3 * 1'000'000) == 1);  // 2.7e9 / 3.6e9 = 0.75 -> 1
  // The largest inputs: 10^12 W × 3600 s × 10^15 / 3.6e9 = 10^21, beyond 2^53-1.
  CHECK_FALSE(line_amount_micro(1'000'000'000'000, 3600, 1'000'000'000'000'000));
  // USEF example of DESIGN.md §5: 2 MW for one hour at 7 EUR/MWh = 14 EUR.
  CHECK(line_amount_micro(2'000'000, 3600, 7 * eur_per_mwh) == 14'000'000);
}

TEST_CASE("market story: assets, offers, a request, automatic match and manual purchase", "[market]") {
  TestLedger ledger = onboarded_market();
  CHECK(record(ledger, keys::asset("alice-battery"))["prequalification"]["status"] == "qualified");

  // Offers: Bob 5 kW at 150 EUR/MWh all-or-nothing; Alice 6 kW at 200 EUR/MWh, at least half.
  REQUIRE(ledger.run("bob", "offer.create", energy_offer("b1", "bob-ev", 5'000, 150, 1'000'000)) == "ok");
  REQUIRE(ledger.run("alice", "offer.create", energy_offer("a1", "alice-battery", 6'000, 200, 500'000)) == "ok");

  // The request: 8 kW up, 01:00-02:00, at most 250 EUR/MWh. Budget: 4 ISPs × 0.50 = 2.00 EUR.
  REQUIRE(ledger.run("dso", "request.create", energy_request("r1", t0 + hour, t0 + 2 * hour, 8'000, 250)) == "ok");
  CHECK(account(ledger, "dso") == balances(98'000'000, 2'000'000));
  CHECK(record(ledger, keys::request("r1"))["budget_micro"] == 2'000'000);

  // Matching takes Bob first (cheaper): 5 kW per ISP, 4 × 0.1875 = 0.75 EUR. Alice then fills
  // the 3 kW left (half her 6 kW, her minimum): 4 × 0.15 = 0.60 EUR. The request is filled
  // and its unused budget, 2.00 - 0.75 - 0.60 = 0.65 EUR, returns to the DSO.
  REQUIRE(ledger.run("dso", "request.match", by_id("request_id", "r1")) == "ok");
  Json bob_contract = record(ledger, keys::contract("c0000000001"));
  CHECK(bob_contract["seller"] == to_hex(public_key_for("bob")));
  CHECK(bob_contract["power_w"] == Json::array({5'000, 5'000, 5'000, 5'000}));
  CHECK(bob_contract["escrow_micro"] == 750'000);
  CHECK(bob_contract["status"] == "active");
  CHECK(bob_contract["allocation"] == Json{{"bob-ev", Json::array({5'000, 5'000, 5'000, 5'000})}});
  Json alice_contract = record(ledger, keys::contract("c0000000002"));
  CHECK(alice_contract["power_w"] == Json::array({3'000, 3'000, 3'000, 3'000}));
  CHECK(alice_contract["escrow_micro"] == 600'000);
  CHECK(alice_contract["prices"]["activation_price_micro_per_mwh"] == 200 * eur_per_mwh);  // pay-as-bid
  CHECK(alice_contract["baseline"] ==
        Json{{"method", "rolling_average"}, {"params", Json{{"days", 5}}}, {"version", 1}});
  CHECK(record(ledger, keys::request("r1"))["status"] == "filled");
  CHECK(record(ledger, keys::request("r1"))["budget_micro"] == 0);
  CHECK(record(ledger, keys::offer("b1"))["status"] == "filled");
  CHECK(record(ledger, keys::offer("a1"))["remaining_w"] == Json::array({3'000, 3'000, 3'000, 3'000}));
  CHECK(account(ledger, "dso") == balances(98'650'000, 1'350'000));
  CHECK(committed(ledger, "bob-ev", "up", t0 + hour) == 5'000);
  CHECK(committed(ledger, "alice-battery", "up", t0 + hour + 2700) == 3'000);
  CHECK(committed(ledger, "alice-battery", "down", t0 + hour) == 0);

  // A second request, 4 kW for 01:00-01:30 at most 200 EUR/MWh: budget 2 × 0.20 = 0.40 EUR.
  REQUIRE(ledger.run("dso", "request.create", energy_request("r2", t0 + hour, t0 + hour + 1800, 4'000, 200)) == "ok");
  CHECK(account(ledger, "dso") == balances(98'250'000, 1'750'000));
  CHECK(ledger.run("dso", "request.purchase", purchase("r2", Json::array({fill("b1", 1'000)}))) == "offer.not_open");
  CHECK(ledger.run("dso", "request.purchase", purchase("r2", Json::array({fill("a1", 4'000)}))) ==
        "offer.insufficient_remaining");
  CHECK(ledger.run("dso", "request.purchase", purchase("r2", Json::array({fill("a1", 1'000)}))) ==
        "offer.below_min_fraction");
  CHECK(ledger.run("bob", "request.purchase", purchase("r2", Json::array({fill("a1", 3'000)}))) ==
        "auth.role_required");
  // 3 kW for two ISPs at Alice's 200 EUR/MWh: 2 × 0.15 = 0.30 EUR from the 0.40 budget.
  REQUIRE(ledger.run("dso", "request.purchase", purchase("r2", Json::array({fill("a1", 3'000)}))) == "ok");
  Json manual = record(ledger, keys::contract("c0000000003"));
  CHECK(manual["start"] == t0 + hour);
  CHECK(manual["end"] == t0 + hour + 1800);
  CHECK(manual["escrow_micro"] == 300'000);
  CHECK(record(ledger, keys::request("r2"))["remaining_w"] == Json::array({1'000, 1'000}));
  CHECK(record(ledger, keys::request("r2"))["budget_micro"] == 100'000);
  CHECK(record(ledger, keys::offer("a1"))["remaining_w"] == Json::array({0, 0, 3'000, 3'000}));
  CHECK(account(ledger, "dso") == balances(98'250'000, 1'750'000));

  // Cancelling r2 returns its 0.10 EUR; the contracts keep their 1.65 EUR in escrow.
  REQUIRE(ledger.run("dso", "request.cancel", by_id("request_id", "r2")) == "ok");
  CHECK(account(ledger, "dso") == balances(98'350'000, 1'650'000));
  CHECK(ledger.run("dso", "request.cancel", by_id("request_id", "r2")) == "request.not_open");

  // Alice revokes what is left of a1; its matched quantity stays in contracts 2 and 3.
  CHECK(ledger.run("bob", "offer.revoke", by_id("offer_id", "a1")) == "offer.not_seller");
  REQUIRE(ledger.run("alice", "offer.revoke", by_id("offer_id", "a1")) == "ok");
  CHECK(record(ledger, keys::offer("a1"))["status"] == "revoked");
  CHECK(ledger.state.get(keys::contract("c0000000002")));
  CHECK(committed(ledger, "alice-battery", "up", t0 + hour) == 6'000);
  CHECK(ledger.run("alice", "offer.revoke", by_id("offer_id", "a1")) == "offer.not_open");
  REQUIRE(ledger.run("dso", "request.create", energy_request("r3", t0 + hour, t0 + 2 * hour, 1'000, 250)) == "ok");
  CHECK(ledger.run("dso", "request.purchase", purchase("r3", Json::array({fill("a1", 1'000)}))) == "offer.not_open");
}

TEST_CASE("no double use: two offers on one asset never commit more than its maximum", "[market]") {
  TestLedger ledger = onboarded_market();
  // Alice offers her 10 kW battery twice; each offer alone fits the asset.
  REQUIRE(ledger.run("alice", "offer.create", energy_offer("a1", "alice-battery", 6'000, 100, 100'000)) == "ok");
  REQUIRE(ledger.run("alice", "offer.create", energy_offer("a2", "alice-battery", 10'000, 120, 100'000)) == "ok");
  CHECK(ledger.run("alice", "offer.create", energy_offer("a3", "alice-battery", 10'001, 120, 100'000)) ==
        "offer.exceeds_asset_capacity");
  REQUIRE(ledger.run("dso", "request.create", energy_request("r1", t0 + hour, t0 + 2 * hour, 6'000, 250)) == "ok");
  REQUIRE(ledger.run("dso", "request.purchase", purchase("r1", Json::array({fill("a1", 6'000)}))) == "ok");
  // 4 kW of the battery is left: buying 5 kW of a2 must fail, in every ISP.
  REQUIRE(ledger.run("dso", "request.create", energy_request("r2", t0 + hour, t0 + 2 * hour, 8'000, 250)) == "ok");
  CHECK(ledger.run("dso", "request.purchase", purchase("r2", Json::array({fill("a2", 5'000)}))) ==
        "asset.capacity_exceeded");
  // Matching takes only what is free: 4 kW per ISP.
  REQUIRE(ledger.run("dso", "request.match", by_id("request_id", "r2")) == "ok");
  CHECK(record(ledger, keys::contract("c0000000002"))["power_w"] == Json::array({4'000, 4'000, 4'000, 4'000}));
  for (std::int64_t isp = 0; isp < 4; ++isp) CHECK(committed(ledger, "alice-battery", "up", t0 + hour + isp * 900) == 10'000);
  CHECK(ledger.run("dso", "request.match", by_id("request_id", "r2")) == "match.nothing_matched");
  // The owner cannot shrink the battery below what is sold.
  CHECK(ledger.run("alice", "asset.update", Json{{"asset_id", "alice-battery"}, {"max_up_w", 9'999}}) ==
        "asset.capacity_committed");
}

TEST_CASE("matching order: cheapest, then oldest, then smallest id; minimum fractions respected", "[market]") {
  TestLedger ledger = onboarded_market();
  REQUIRE(ledger.run("operator", "participant.admit",
                     Json{{"public_key", to_hex(public_key_for("carol"))}, {"name", "Carol"}, {"roles", {"prosumer"}}}) == "ok");
  REQUIRE(ledger.run("carol", "asset.register", asset("carol-hp", "feeder-7", "MP-003", 3'000, 0)) == "ok");
  REQUIRE(ledger.run("dso", "asset.prequalify", prequalify("carol-hp")) == "ok");
  // Same price 100 for Bob's "z" and Carol's "m" in one block (equally old: smallest id wins),
  // Alice at 100 but a block later (younger).
  REQUIRE(ledger.run_block({signed_tx("bob", "offer.create", 2, energy_offer("z", "bob-ev", 2'000, 100, 1'000'000)),
                            signed_tx("carol", "offer.create", 2, energy_offer("m", "carol-hp", 2'000, 100, 1'000'000))}) ==
          std::vector<std::string>{"ok", "ok"});
  REQUIRE(ledger.run("alice", "offer.create", energy_offer("a", "alice-battery", 2'000, 100, 1'000'000)) == "ok");
  // A request for 5 kW: m (2 kW) then z (2 kW); a is all-or-nothing at 2 kW but only 1 kW is left.
  REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + hour, t0 + 2 * hour, 5'000, 100)) == "ok");
  REQUIRE(ledger.run("dso", "request.match", by_id("request_id", "r")) == "ok");
  CHECK(record(ledger, keys::contract("c0000000001"))["offer_id"] == "m");
  CHECK(record(ledger, keys::contract("c0000000002"))["offer_id"] == "z");
  CHECK_FALSE(ledger.state.get(keys::contract("c0000000003")));
  CHECK(record(ledger, keys::request("r"))["remaining_w"] == Json::array({1'000, 1'000, 1'000, 1'000}));
  CHECK(record(ledger, keys::offer("a"))["remaining_w"] == Json::array({2'000, 2'000, 2'000, 2'000}));
}

TEST_CASE("assets: register, duplicates, consent and prequalification", "[market][assets]") {
  TestLedger ledger(test_genesis(), t0);
  REQUIRE(ledger.run("dso", "zone.create", zone("feeder-7")) == "ok");
  REQUIRE(ledger.run("operator", "participant.admit",
                     Json{{"public_key", to_hex(public_key_for("agg"))}, {"name", "Aggregator"}, {"roles", {"aggregator"}}}) == "ok");
  REQUIRE(ledger.run("operator", "participant.admit",
                     Json{{"public_key", to_hex(public_key_for("dso2"))}, {"name", "Other DSO"}, {"roles", {"dso"}}}) == "ok");
  CHECK(ledger.run("alice", "asset.register", asset("x", "nowhere", "MP-1", 1, 1)) == "zone.unknown");
  CHECK(ledger.run("alice", "asset.register", asset("x", "feeder-7", "MP 1", 1, 1)) == "asset.invalid");
  CHECK(ledger.run("alice", "asset.register", asset("x", "feeder-7", "MP-1", 0, 0)) == "asset.invalid");
  Json bad_property = asset("x", "feeder-7", "MP-1", 1, 1);
  bad_property["property"]["target_connection_date"] = "2026-02-30";
  CHECK(ledger.run("alice", "asset.register", bad_property) == "asset.invalid");
  bad_property["property"] = Json{{"colour", "red"}};
  CHECK(ledger.run("alice", "asset.register", bad_property) == "asset.invalid");
  CHECK(ledger.run("dso", "asset.register", asset("x", "feeder-7", "MP-1", 1, 1)) == "auth.role_required");
  REQUIRE(ledger.run("alice", "asset.register", asset("alice-pv", "feeder-7", "MP-1", 4'000, 0)) == "ok");
  CHECK(ledger.run("bob", "asset.register", asset("alice-pv", "feeder-7", "MP-2", 1, 1)) == "asset.exists");
  CHECK(ledger.run("bob", "asset.register", asset("bob-pv", "feeder-7", "MP-1", 1, 1)) ==
        "asset.duplicate_metering_point");
  CHECK(ledger.run("bob", "asset.update", Json{{"asset_id", "alice-pv"}, {"name", "Mine"}}) == "asset.not_owner");

  // Prequalification is the zone DSO's, and a rejection states its reason.
  CHECK(ledger.run("dso2", "asset.prequalify", prequalify("alice-pv")) == "zone.not_owner");
  CHECK(ledger.run("dso", "asset.prequalify", Json{{"asset_id", "alice-pv"}, {"decision", "rejected"}}) == "payload.invalid");
  REQUIRE(ledger.run("dso", "asset.prequalify",
                     Json{{"asset_id", "alice-pv"}, {"decision", "rejected"}, {"reason", "feeder at its export limit"}}) == "ok");
  CHECK(record(ledger, keys::asset("alice-pv"))["prequalification"] ==
        Json{{"decided_at", t0}, {"reason", "feeder at its export limit"}, {"status", "rejected"}});
  Json pv_offer = energy_offer("o1", "alice-pv", 1'000, 100, 1'000'000);
  CHECK(ledger.run("alice", "offer.create", pv_offer) == "asset.not_prequalified");
  REQUIRE(ledger.run("dso", "asset.prequalify", prequalify("alice-pv")) == "ok");

  // The aggregator needs Alice's consent, and loses it when she withdraws it.
  CHECK(ledger.run("agg", "offer.create", pv_offer) == "asset.no_consent");
  Json consent{{"asset_id", "alice-pv"}, {"aggregator", to_hex(public_key_for("agg"))}, {"granted", true}};
  CHECK(ledger.run("agg", "asset.consent", consent) == "asset.not_owner");
  Json to_bob = consent;
  to_bob["aggregator"] = to_hex(public_key_for("bob"));
  CHECK(ledger.run("alice", "asset.consent", to_bob) == "asset.not_aggregator");
  REQUIRE(ledger.run("alice", "asset.consent", consent) == "ok");
  CHECK(ledger.run("alice", "asset.consent", consent) == "asset.consent_unchanged");
  REQUIRE(ledger.run("agg", "offer.create", pv_offer) == "ok");
  consent["granted"] = false;
  REQUIRE(ledger.run("alice", "asset.consent", consent) == "ok");
  pv_offer["offer_id"] = "o2";
  CHECK(ledger.run("agg", "offer.create", pv_offer) == "asset.no_consent");

  // A technical change sends the asset back to prequalification; a cosmetic one does not.
  REQUIRE(ledger.run("alice", "asset.update", Json{{"asset_id", "alice-pv"}, {"name", "Roof PV"}}) == "ok");
  CHECK(record(ledger, keys::asset("alice-pv"))["prequalification"]["status"] == "qualified");
  REQUIRE(ledger.run("alice", "asset.update", Json{{"asset_id", "alice-pv"}, {"metering_point_id", "MP-9"}}) == "ok");
  CHECK(record(ledger, keys::asset("alice-pv"))["prequalification"] == Json{{"status", "pending"}});
  CHECK_FALSE(ledger.state.get(keys::metering_point("MP-1")));
  REQUIRE(ledger.run("bob", "asset.register", asset("bob-pv", "feeder-7", "MP-1", 1, 1)) == "ok");
}

TEST_CASE("every rejection of offers, requests and purchases leaves the state unchanged", "[market]") {
  TestLedger ledger = onboarded_market();
  REQUIRE(ledger.run("dso", "zone.create", zone("feeder-8")) == "ok");
  REQUIRE(ledger.run("alice", "asset.register", asset("alice-2", "feeder-8", "MP-008", 5'000, 0)) == "ok");
  REQUIRE(ledger.run("dso", "asset.prequalify", prequalify("alice-2")) == "ok");
  REQUIRE(ledger.run("alice", "offer.create", energy_offer("a1", "alice-battery", 4'000, 200, 250'000)) == "ok");
  REQUIRE(ledger.run("alice", "offer.create", energy_offer("a8", "alice-2", 4'000, 100, 250'000, "feeder-8")) == "ok");

  SECTION("wrong role") {
    CHECK(ledger.run("auditor", "offer.create", energy_offer("x", "alice-battery", 1'000, 1, 1)) == "auth.role_required");
    CHECK(ledger.run("alice", "request.create", energy_request("x", t0 + hour, t0 + 2 * hour, 1'000, 1)) ==
          "auth.role_required");
  }
  SECTION("suspended participant") {
    REQUIRE(ledger.run("operator", "participant.suspend",
                       Json{{"public_key", to_hex(public_key_for("alice"))}, {"reason", "audit"}}) == "ok");
    CHECK(ledger.run("alice", "offer.create", energy_offer("x", "alice-battery", 1'000, 1, 1)) == "participant.suspended");
    // Its open offers are skipped by matching.
    REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + hour, t0 + 2 * hour, 1'000, 250)) == "ok");
    CHECK(ledger.run("dso", "request.match", by_id("request_id", "r")) == "match.nothing_matched");
    CHECK(ledger.run("dso", "request.purchase", purchase("r", Json::array({fill("a1", 1'000)}))) == "offer.seller_suspended");
  }
  SECTION("insufficient funds, with and without a credit line") {
    // 100 EUR buys 100 kWh at most: 100 kW for one hour at 1000 EUR/MWh is 100 EUR; 1 W more is too much.
    CHECK(ledger.run("dso", "request.create", energy_request("x", t0 + hour, t0 + 2 * hour, 100'001, 1'000)) ==
          "token.insufficient_funds");
    REQUIRE(ledger.run("dso", "request.create", energy_request("x", t0 + hour, t0 + 2 * hour, 100'000, 1'000)) == "ok");
    CHECK(account(ledger, "dso") == balances(0, 100'000'000));
    REQUIRE(ledger.run("operator", "account.set_credit_line",
                       Json{{"public_key", to_hex(public_key_for("dso"))}, {"limit_micro", 2'000'000}}) == "ok");
    REQUIRE(ledger.run("dso", "request.create", energy_request("y", t0 + hour, t0 + 2 * hour, 2'000, 1'000)) == "ok");
    CHECK(account(ledger, "dso") == balances(-2'000'000, 102'000'000, 2'000'000));
  }
  SECTION("zone, direction and product mismatches") {
    REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + hour, t0 + 2 * hour, 1'000, 250)) == "ok");
    CHECK(ledger.run("dso", "request.purchase", purchase("r", Json::array({fill("a8", 1'000)}))) == "match.zone_mismatch");
    Json down = energy_request("d", t0 + hour, t0 + 2 * hour, 1'000, 250);
    down["direction"] = "down";
    REQUIRE(ledger.run("dso", "request.create", down) == "ok");
    CHECK(ledger.run("dso", "request.purchase", purchase("d", Json::array({fill("a1", 1'000)}))) ==
          "match.direction_mismatch");
  }
  SECTION("prices beyond the maximum") {
    REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + hour, t0 + 2 * hour, 1'000, 199)) == "ok");
    CHECK(ledger.run("dso", "request.purchase", purchase("r", Json::array({fill("a1", 1'000)}))) == "match.price_above_max");
    CHECK(ledger.run("dso", "request.match", by_id("request_id", "r")) == "match.nothing_matched");
  }
  SECTION("no overlap, and a window outside it") {
    REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + 2 * hour, t0 + 3 * hour, 1'000, 250)) == "ok");
    CHECK(ledger.run("dso", "request.purchase", purchase("r", Json::array({fill("a1", 1'000)}))) == "match.no_overlap");
    REQUIRE(ledger.run("dso", "request.create", energy_request("s", t0 + hour, t0 + 2 * hour, 1'000, 250)) == "ok");
    Json windowed = fill("a1", 1'000);
    windowed["start"] = t0 + hour + 450;
    CHECK(ledger.run("dso", "request.purchase", purchase("s", Json::array({windowed}))) == "match.bad_window");
    windowed["start"] = t0 + hour + 900;
    windowed["end"] = t0 + hour + 1800;
    REQUIRE(ledger.run("dso", "request.purchase", purchase("s", Json::array({windowed}))) == "ok");
    CHECK(record(ledger, keys::contract("c0000000001"))["power_w"] == Json::array({1'000}));
  }
  SECTION("an expired request returns its budget and can no longer buy") {
    REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + hour, t0 + 2 * hour, 1'000, 250)) == "ok");
    CHECK(account(ledger, "dso") == balances(99'750'000, 250'000));  // 4 × 1 kW × 0.25 h × 0.25 EUR/kWh
    ledger.advance(hour);  // the request expires at its start, 01:00
    REQUIRE(ledger.run_block({}).empty());
    CHECK(account(ledger, "dso") == balances(100'000'000, 0));
    CHECK(record(ledger, keys::request("r"))["status"] == "expired");
    CHECK(record(ledger, keys::offer("a1"))["status"] == "expired");
    CHECK(ledger.run("dso", "request.purchase", purchase("r", Json::array({fill("a1", 1'000)}))) == "request.not_open");
  }
  SECTION("malformed orders") {
    Json bad = energy_offer("x", "alice-battery", 1'000, 1, 1);
    bad["start"] = t0 + hour + 1;
    CHECK(ledger.run("alice", "offer.create", bad) == "order.bad_period");
    bad = energy_offer("x", "alice-battery", 1'000, 1, 1);
    bad["availability_price_micro_per_mw_h"] = 5;
    CHECK(ledger.run("alice", "offer.create", bad) == "payload.invalid");
    bad = energy_offer("x", "alice-battery", 1'000, 1, 0);
    CHECK(ledger.run("alice", "offer.create", bad) == "payload.invalid");
    bad = energy_offer("x", "alice-battery", 1'000, 1, 1);
    bad["baseline"] = Json{{"method", "none"}, {"version", 1}};
    CHECK(ledger.run("alice", "offer.create", bad) == "order.bad_baseline");
    bad["baseline"] = Json{{"method", "x_of_y"}, {"params", Json{{"x", 6}, {"y", 5}}}, {"version", 1}};
    CHECK(ledger.run("alice", "offer.create", bad) == "order.bad_baseline");
    bad = energy_offer("x", "alice-battery", 1'000, 1, 1);
    bad["expires_at"] = t0;
    CHECK(ledger.run("alice", "offer.create", bad) == "order.bad_expiry");
    bad = energy_offer("x", "alice-battery", 1'000, 1, 1);
    bad["power_w"] = Json::array({1'000, 1'000});
    CHECK(ledger.run("alice", "offer.create", bad) == "payload.invalid");
    CHECK(ledger.run("alice", "offer.create", energy_offer("a1", "alice-battery", 1'000, 1, 1)) == "offer.exists");
    // A maximum cost beyond 2^53-1 micro-units is rejected, not wrapped.
    Json huge = energy_request("x", t0 + hour, t0 + 2 * hour, 1'000'000'000'000, 0);
    huge["max_activation_price_micro_per_mwh"] = 1'000'000'000'000'000;
    CHECK(ledger.run("dso", "request.create", huge) == "order.amount_overflow");
  }
}

TEST_CASE("members of the wrong JSON type are rejected with a code, never thrown", "[market]") {
  TestLedger ledger = onboarded_market();
  Json bad_zone = zone("feeder-9");
  bad_zone["polygon"]["type"] = 5;
  CHECK(ledger.run("dso", "zone.create", bad_zone) == "zone.bad_polygon");
  CHECK(ledger.run("dso", "zone.outlook",
                   Json{{"zone_id", "feeder-7"}, {"direction", 5}, {"resolution", "isp"}, {"points", Json::array()}}) ==
        "payload.invalid");
  Json offer = energy_offer("x", "alice-battery", 1'000, 1, 1);
  offer["baseline"]["method"] = 5;
  CHECK(ledger.run("alice", "offer.create", offer) == "order.bad_baseline");
  offer["baseline"] = Json{{"method", "x_of_y"}, {"params", Json{{"x", "five"}}}, {"version", 1}};
  CHECK(ledger.run("alice", "offer.create", offer) == "order.bad_baseline");
  CHECK(ledger.run("alice", "asset.update", Json{{"asset_id", "alice-battery"}, {"property", "big"}}) == "asset.invalid");
  CHECK(ledger.run("alice", "asset.update", Json{{"asset_id", "alice-battery"}, {"junk", 1}}) == "payload.invalid");
}

TEST_CASE("rounding: contract lines may exceed the request's budget line, and the buyer pays the difference", "[market]") {
  TestLedger ledger = onboarded_market();
  // Leave the DSO exactly 3 micro-units.
  REQUIRE(ledger.run("dso", "token.transfer", transfer("operator", 99'999'997)) == "ok");
  // 2 W for one ISP at 6 EUR/MWh: 2 × 900 × 6e6 / 3.6e9 = 3.0 -> budget 3, all of it held.
  REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + hour, t0 + hour + 900, 2, 6)) == "ok");
  CHECK(account(ledger, "dso") == balances(0, 3));
  REQUIRE(ledger.run("alice", "offer.create", energy_offer("a", "alice-battery", 1, 6, 1'000'000)) == "ok");
  REQUIRE(ledger.run("bob", "offer.create", energy_offer("b", "bob-ev", 1, 6, 1'000'000)) == "ok");
  // Each 1 W line is 1 × 900 × 6e6 / 3.6e9 = 1.5, rounded half to even: 2. Alice's takes 2 of the 3.
  REQUIRE(ledger.run("dso", "request.purchase", purchase("r", Json::array({fill("a", 1)}))) == "ok");
  CHECK(record(ledger, keys::contract("c0000000001"))["escrow_micro"] == 2);
  CHECK(record(ledger, keys::request("r"))["budget_micro"] == 1);
  // Bob's line needs 1 more than the budget holds, and the DSO has nothing available.
  CHECK(ledger.run("dso", "request.match", by_id("request_id", "r")) == "token.insufficient_funds");
  REQUIRE(ledger.run("operator", "account.set_credit_line",
                     Json{{"public_key", to_hex(public_key_for("dso"))}, {"limit_micro", 1}}) == "ok");
  REQUIRE(ledger.run("dso", "request.match", by_id("request_id", "r")) == "ok");
  CHECK(record(ledger, keys::contract("c0000000002"))["escrow_micro"] == 2);
  CHECK(account(ledger, "dso") == balances(-1, 4, 1));  // two escrows of 2, one unit on credit
}

TEST_CASE("an offer whose remainder is below its minimum everywhere leaves the book", "[market]") {
  TestLedger ledger = onboarded_market();
  REQUIRE(ledger.run("alice", "offer.create", energy_offer("a", "alice-battery", 6'000, 100, 500'000)) == "ok");
  REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + hour, t0 + 2 * hour, 4'000, 100)) == "ok");
  REQUIRE(ledger.run("dso", "request.purchase", purchase("r", Json::array({fill("a", 4'000)}))) == "ok");
  // 2 kW left per ISP, below the 3 kW minimum (half of 6 kW): nothing more can be sold.
  Json offer = record(ledger, keys::offer("a"));
  CHECK(offer["status"] == "filled");
  CHECK(offer["remaining_w"] == Json::array({2'000, 2'000, 2'000, 2'000}));
  CHECK_FALSE(ledger.state.get(book_key(offer)));
}

TEST_CASE("commitments of past ISPs do not hold an asset's maximum; lost roles end consent", "[market]") {
  TestLedger ledger = onboarded_market();
  REQUIRE(ledger.run("alice", "offer.create", energy_offer("a", "alice-battery", 6'000, 100, 100'000)) == "ok");
  REQUIRE(ledger.run("dso", "request.create", energy_request("r", t0 + hour, t0 + 2 * hour, 6'000, 100)) == "ok");
  REQUIRE(ledger.run("dso", "request.purchase", purchase("r", Json::array({fill("a", 6'000)}))) == "ok");
  Json smaller{{"asset_id", "alice-battery"}, {"max_up_w", 5'000}};
  CHECK(ledger.run("alice", "asset.update", smaller) == "asset.capacity_committed");
  ledger.advance(2 * hour);  // every committed ISP is now in the past
  CHECK(ledger.run("alice", "asset.update", smaller) == "ok");

  REQUIRE(ledger.run("operator", "participant.admit",
                     Json{{"public_key", to_hex(public_key_for("agg"))}, {"name", "Aggregator"}, {"roles", {"aggregator"}}}) == "ok");
  REQUIRE(ledger.run("bob", "asset.consent",
                     Json{{"asset_id", "bob-ev"}, {"aggregator", to_hex(public_key_for("agg"))}, {"granted", true}}) == "ok");
  Json offer = energy_offer("g", "bob-ev", 1'000, 100, 100'000);
  offer["start"] = ledger.time() + hour;
  offer["end"] = ledger.time() + 2 * hour;
  offer["expires_at"] = ledger.time() + hour;
  REQUIRE(ledger.run("agg", "offer.create", offer) == "ok");
  REQUIRE(ledger.run("operator", "participant.update",
                     Json{{"public_key", to_hex(public_key_for("agg"))}, {"roles", {"prosumer"}}}) == "ok");
  offer["offer_id"] = "g2";
  CHECK(ledger.run("agg", "offer.create", offer) == "asset.no_consent");
}

TEST_CASE("an asset may name its owner's supplier, a participant holding retailer", "[market][assets]") {
  TestLedger ledger(test_genesis(), t0);
  REQUIRE(ledger.run("dso", "zone.create", zone("feeder-7")) == "ok");
  REQUIRE(ledger.run("operator", "participant.admit",
                     Json{{"public_key", to_hex(public_key_for("shop"))}, {"name", "Energy shop"}, {"roles", {"retailer"}}}) == "ok");
  Json site = asset("alice-pv", "feeder-7", "MP-1", 4'000, 0);
  site["supplier"] = to_hex(public_key_for("bob"));  // a prosumer, not a retailer
  CHECK(ledger.run("alice", "asset.register", site) == "asset.not_retailer");
  site["supplier"] = "shop";
  CHECK(ledger.run("alice", "asset.register", site) == "payload.invalid");
  site["supplier"] = to_hex(public_key_for("shop"));
  REQUIRE(ledger.run("alice", "asset.register", site) == "ok");
  CHECK(record(ledger, keys::asset("alice-pv"))["supplier"] == to_hex(public_key_for("shop")));
  // Changing the supplier is not a technical change: the prequalification stays.
  REQUIRE(ledger.run("dso", "asset.prequalify", prequalify("alice-pv")) == "ok");
  REQUIRE(ledger.run("alice", "asset.update", Json{{"asset_id", "alice-pv"}, {"supplier", nullptr}}) == "ok");
  CHECK_FALSE(record(ledger, keys::asset("alice-pv")).contains("supplier"));
  CHECK(record(ledger, keys::asset("alice-pv"))["prequalification"]["status"] == "qualified");
}
