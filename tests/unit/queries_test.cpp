// Read-only market queries (issue 3, "Reading the state") over a market built through the
// contracts: filters, cursor pages, a zone's order book, an account and an asset's commitments.
#include <catch2/catch.hpp>

#include "contracts/queries.hpp"
#include "market_fixture.hpp"

using namespace flex;
using namespace flex::test;
using namespace flex::test::market;

namespace {

std::vector<std::string> ids(const Page& page, const char* field) {
  std::vector<std::string> out;
  for (const auto& item : page.items) out.push_back(item[field].get<std::string>());
  return out;
}

// Bob's EV charger offers 5 kW at 150 and Alice's battery 6 kW at 200 and 3 kW at 90 (01:00-02:00);
// the DSO has bought 2 kW of a1 for 01:00-01:30 and has request r2 open.
TestLedger traded_market() {
  TestLedger ledger = onboarded_market();
  REQUIRE(ledger.run("operator", "participant.update",
                     Json{{"public_key", to_hex(public_key_for("alice"))}, {"company_code", "ALC-42"}}) == "ok");
  REQUIRE(ledger.run("bob", "offer.create", energy_offer("b1", "bob-ev", 5'000, 150, 1'000'000)) == "ok");
  REQUIRE(ledger.run("alice", "offer.create", energy_offer("a1", "alice-battery", 6'000, 200, 100'000)) == "ok");
  Json late = energy_offer("a2", "alice-battery", 3'000, 90, 100'000);
  late["start"] = t0 + 2 * hour;
  late["end"] = t0 + 3 * hour;
  REQUIRE(ledger.run("alice", "offer.create", late) == "ok");
  REQUIRE(ledger.run("dso", "request.create", energy_request("r1", t0 + hour, t0 + hour + 1800, 2'000, 250)) == "ok");
  REQUIRE(ledger.run("dso", "request.purchase", purchase("r1", Json::array({fill("a1", 2'000)}))) == "ok");
  REQUIRE(ledger.run("dso", "request.create", energy_request("r2", t0 + hour, t0 + 2 * hour, 1'000, 100)) == "ok");
  return ledger;
}

}  // namespace

TEST_CASE("offers filter by zone, time, technology, price and power, page by page", "[queries]") {
  TestLedger ledger = traded_market();
  OfferQuery all;
  CHECK(ids(find_offers(ledger.state, all), "offer_id") == std::vector<std::string>{"a1", "a2", "b1"});
  OfferQuery by_technology;
  by_technology.technology = "ev_charger";
  CHECK(ids(find_offers(ledger.state, by_technology), "offer_id") == std::vector<std::string>{"b1"});
  OfferQuery by_window;
  by_window.window_start = t0 + 2 * hour;  // only a2 reaches past 02:00
  CHECK(ids(find_offers(ledger.state, by_window), "offer_id") == std::vector<std::string>{"a2"});
  OfferQuery by_price;
  by_price.min_price_micro = 100 * eur_per_mwh;
  by_price.max_price_micro = 150 * eur_per_mwh;
  CHECK(ids(find_offers(ledger.state, by_price), "offer_id") == std::vector<std::string>{"b1"});
  OfferQuery by_power;
  by_power.min_power_w = 5'000;  // a1 has 4 kW left in its first two ISPs but 6 kW in the last two
  CHECK(ids(find_offers(ledger.state, by_power), "offer_id") == std::vector<std::string>{"a1", "b1"});
  by_power.min_power_w = 6'001;
  CHECK(find_offers(ledger.state, by_power).items.empty());
  OfferQuery wrong_zone;
  wrong_zone.zone_id = "feeder-8";
  CHECK(find_offers(ledger.state, wrong_zone).items.empty());

  OfferQuery paging;
  paging.limit = 2;
  Page first = find_offers(ledger.state, paging);
  CHECK(ids(first, "offer_id") == std::vector<std::string>{"a1", "a2"});
  REQUIRE(first.next_after == "a2");
  paging.after = first.next_after;
  Page second = find_offers(ledger.state, paging);
  CHECK(ids(second, "offer_id") == std::vector<std::string>{"b1"});
  CHECK_FALSE(second.next_after);
}

TEST_CASE("a zone's order book lists open offers cheapest first and its open requests", "[queries]") {
  TestLedger ledger = traded_market();
  auto book = zone_order_book(ledger.state, "feeder-7");
  REQUIRE(book);
  std::vector<std::string> up_energy;
  for (const auto& offer : (*book)["offers"]["up"]["energy"]) up_energy.push_back(offer["offer_id"].get<std::string>());
  CHECK(up_energy == std::vector<std::string>{"a2", "b1", "a1"});  // 90, 150, 200 EUR/MWh
  CHECK((*book)["offers"]["down"]["energy"].empty());
  REQUIRE((*book)["requests"].size() == 1);  // r1 is filled
  CHECK((*book)["requests"][0]["request_id"] == "r2");
  CHECK_FALSE(zone_order_book(ledger.state, "nowhere"));
}

TEST_CASE("an account shows its balance, holds, request budgets and contract escrow", "[queries]") {
  TestLedger ledger = traded_market();
  // r1's budget: 2 ISPs × 2 kW × 0.25 h × 0.25 EUR/kWh = 0.25 EUR; the contract at 200 EUR/MWh
  // costs 2 × 0.10 = 0.20 EUR, and r1 is then filled, returning 0.05. r2: 4 × 1 kW × 0.25 h × 0.10 = 0.10 EUR.
  auto view = account_view(ledger.state, to_hex(public_key_for("dso")));
  REQUIRE(view);
  CHECK((*view)["available_micro"] == 100'000'000 - 200'000 - 100'000);
  CHECK((*view)["held_micro"] == 300'000);
  CHECK((*view)["request_budgets"] == Json::array({Json{{"budget_micro", 100'000}, {"request_id", "r2"}}}));
  CHECK((*view)["contract_escrows"] == Json::array({Json{{"contract_id", "c0000000001"}, {"escrow_micro", 200'000}}}));
  CHECK((*view)["holds"].empty());
  CHECK((*view)["last_nonce"] == 6);  // zone.create, two prequalifications, two request.create and a purchase
  CHECK_FALSE(account_view(ledger.state, to_hex(public_key_for("nobody"))));
}

TEST_CASE("assets search by name or company code; commitments per ISP; contracts by asset", "[queries]") {
  TestLedger ledger = traded_market();
  AssetQuery by_code;
  by_code.text = "alc-4";
  CHECK(ids(find_assets(ledger.state, by_code), "asset_id") == std::vector<std::string>{"alice-battery"});
  AssetQuery by_name;
  by_name.text = "BOB-EV";
  CHECK(ids(find_assets(ledger.state, by_name), "asset_id") == std::vector<std::string>{"bob-ev"});
  AssetQuery qualified;
  qualified.prequalification = "qualified";
  CHECK(find_assets(ledger.state, qualified).items.size() == 2);

  auto commitments = asset_commitments(ledger.state, "alice-battery");
  REQUIRE(commitments);
  CHECK((*commitments)["commitments"] ==
        Json::array({Json{{"committed_w", 2'000}, {"direction", "up"}, {"isp_start", t0 + hour}, {"max_w", 10'000}},
                     Json{{"committed_w", 2'000}, {"direction", "up"}, {"isp_start", t0 + hour + 900}, {"max_w", 10'000}}}));
  ContractQuery by_asset;
  by_asset.asset_id = "alice-battery";
  CHECK(ids(find_contracts(ledger.state, by_asset), "contract_id") == std::vector<std::string>{"c0000000001"});
  by_asset.asset_id = "bob-ev";
  CHECK(find_contracts(ledger.state, by_asset).items.empty());
  RequestQuery open;
  open.status = "open";
  CHECK(ids(find_requests(ledger.state, open), "request_id") == std::vector<std::string>{"r2"});
}

TEST_CASE("participants by role and status, zones by DSO, and a zone's outlook", "[queries]") {
  TestLedger ledger = traded_market();
  ParticipantQuery prosumers;
  prosumers.role = "prosumer";
  Page page = find_participants(ledger.state, prosumers);
  REQUIRE(page.items.size() == 2);
  std::vector<std::string> names;
  for (const auto& participant : page.items) names.push_back(participant["name"].get<std::string>());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"Alice", "Bob"});
  REQUIRE(ledger.run("operator", "participant.suspend",
                     Json{{"public_key", to_hex(public_key_for("bob"))}, {"reason", "audit"}}) == "ok");
  prosumers.status = "suspended";
  page = find_participants(ledger.state, prosumers);
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0]["public_key"] == to_hex(public_key_for("bob")));

  ZoneQuery mine;
  mine.dso = to_hex(public_key_for("dso"));
  CHECK(ids(find_zones(ledger.state, mine), "zone_id") == std::vector<std::string>{"feeder-7"});
  mine.dso = to_hex(public_key_for("alice"));
  CHECK(find_zones(ledger.state, mine).items.empty());

  Json points = Json::array({Json::array({1769904000, 120'000}), Json::array({1772323200, 90'000})});  // Feb, Mar 2026
  REQUIRE(ledger.run("dso", "zone.outlook",
                     Json{{"zone_id", "feeder-7"}, {"direction", "up"}, {"resolution", "month"}, {"points", points}}) == "ok");
  CHECK(zone_outlook(ledger.state, "feeder-7") == Json{{"up", Json{{"month", points}}}, {"zone_id", "feeder-7"}});
  CHECK_FALSE(zone_outlook(ledger.state, "nowhere"));
}
