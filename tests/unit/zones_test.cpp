// Congestion zones and outlooks (issue 3, "Zones"). Timestamps were computed with Python's
// calendar.timegm, e.g. 2026-02-01T00:00:00Z = 1769904000.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

constexpr std::int64_t block_time = 1767225600;  // 2026-01-01T00:00:00Z

Genesis zones_genesis() {
  Genesis genesis = test_genesis();
  genesis.participants.push_back(GenesisParticipant{public_key_for("dso2"), "Other DSO", {"dso"}});
  return genesis;
}

// A square of about 1 km around the ZES Bozüyük charger (39.916473 N, 30.014083 E), in
// micro-degrees.
Json square() {
  return Json{{"type", "Polygon"},
              {"coordinates", {{{30009000, 39912000}, {30019000, 39912000}, {30019000, 39921000},
                                {30009000, 39921000}, {30009000, 39912000}}}}};
}

Json zone_payload() {
  return Json{{"zone_id", "bozuyuk-feeder-7"}, {"name", "Bozüyük feeder 7"}, {"kind", "feeder"},
              {"polygon", square()}, {"import_limit_w", 4'000'000}, {"export_limit_w", 2'500'000}};
}

}  // namespace

TEST_CASE("a DSO creates a zone and alone may update it", "[zones]") {
  TestLedger market(zones_genesis(), block_time);
  CHECK(market.run("dso", "zone.create", zone_payload()) == "ok");
  Json stored = Json::parse(*market.state.get("zone/bozuyuk-feeder-7"));
  CHECK(stored["dso"] == to_hex(public_key_for("dso")));
  CHECK(stored["import_limit_w"] == 4'000'000);
  CHECK(stored["polygon"] == square());
  CHECK(market.run("dso", "zone.create", zone_payload()) == "zone.exists");
  CHECK(market.run("alice", "zone.create", zone_payload()) == "auth.role_required");
  Json update{{"zone_id", "bozuyuk-feeder-7"}, {"export_limit_w", 3'000'000}};
  CHECK(market.run("dso2", "zone.update", update) == "zone.not_owner");
  CHECK(market.run("dso", "zone.update", Json{{"zone_id", "nowhere"}, {"name", "x"}}) == "zone.unknown");
  CHECK(market.run("dso", "zone.update", update) == "ok");
  CHECK(Json::parse(*market.state.get("zone/bozuyuk-feeder-7"))["export_limit_w"] == 3'000'000);
}

TEST_CASE("malformed polygons and fields are rejected", "[zones]") {
  TestLedger market(zones_genesis(), block_time);
  auto with = [](const char* field, Json value) {
    Json payload = zone_payload();
    payload[field] = std::move(value);
    return payload;
  };
  Json open_ring = square();
  open_ring["coordinates"][0].back() = Json{30009000, 39912001};
  Json triangle_without_close = square();
  triangle_without_close["coordinates"][0] = {{30009000, 39912000}, {30019000, 39912000}, {30009000, 39912000}};
  Json off_earth = square();
  off_earth["coordinates"][0][1] = Json{30019000, 91000000};
  Json text_position = square();
  text_position["coordinates"][0][1] = Json{"30.019", "39.912"};
  Json multi = square();
  multi["type"] = "MultiPolygon";
  CHECK(market.run("dso", "zone.create", with("polygon", open_ring)) == "zone.bad_polygon");
  CHECK(market.run("dso", "zone.create", with("polygon", triangle_without_close)) == "zone.bad_polygon");
  CHECK(market.run("dso", "zone.create", with("polygon", off_earth)) == "zone.bad_polygon");
  CHECK(market.run("dso", "zone.create", with("polygon", text_position)) == "zone.bad_polygon");
  CHECK(market.run("dso", "zone.create", with("polygon", multi)) == "zone.bad_polygon");
  Json huge = square();
  huge["coordinates"][0] = Json::array();
  for (int i = 0; i < 2001; ++i) huge["coordinates"][0].push_back(Json{30009000 + i, 39912000});
  huge["coordinates"][0].push_back(Json{30009000, 39912000});
  CHECK(market.run("dso", "zone.create", with("polygon", huge)) == "zone.bad_polygon");
  CHECK(market.run("dso", "zone.create", with("kind", "district")) == "zone.invalid");
  CHECK(market.run("dso", "zone.create", with("kind", "postcode_set")) == "zone.invalid");
  CHECK(market.run("dso", "zone.create", with("import_limit_w", -1)) == "zone.invalid");
  CHECK(market.run("dso", "zone.create", with("zone_id", "Bad Id")) == "payload.invalid");
  Json missing = zone_payload();
  missing.erase("polygon");
  CHECK(market.run("dso", "zone.create", missing) == "zone.invalid");
  Json postcodes = with("kind", "postcode_set");
  postcodes["postcodes"] = {"11300", "03200"};
  CHECK(market.run("dso", "zone.create", postcodes) == "ok");
}

TEST_CASE("an outlook sits on its resolution's grid, in order, within five years", "[zones][outlook]") {
  TestLedger market(zones_genesis(), block_time);
  REQUIRE(market.run("dso", "zone.create", zone_payload()) == "ok");
  auto outlook = [](const char* resolution, Json points) {
    return Json{{"zone_id", "bozuyuk-feeder-7"}, {"direction", "up"}, {"resolution", resolution},
                {"points", std::move(points)}};
  };
  // Per ISP (900 s) for the first hour of 2026, monthly peaks far ahead.
  Json near_term = {{1767225600, 1'200'000}, {1767226500, 1'350'000}, {1767227400, 900'000}, {1767228300, 0}};
  CHECK(market.run("dso", "zone.outlook", outlook("isp", near_term)) == "ok");
  CHECK(Json::parse(*market.state.get("zone_outlook/bozuyuk-feeder-7/up/isp")) == near_term);
  CHECK(market.run("dso", "zone.outlook", outlook("month", {{1769904000, 2'000'000}, {1922313600, 3'100'000}})) == "ok");
  CHECK(market.run("dso", "zone.outlook", outlook("month", {{1769990400, 1}})) == "outlook.off_grid");  // Feb 2nd
  CHECK(market.run("dso", "zone.outlook", outlook("isp", {{1767225601, 1}})) == "outlook.off_grid");
  CHECK(market.run("dso", "zone.outlook", outlook("hour", {{1767229200, 1}, {1767225600, 1}})) == "outlook.unordered");
  CHECK(market.run("dso", "zone.outlook", outlook("month", {{1927670400, 1}})) == "outlook.beyond_horizon");
  CHECK(market.run("dso", "zone.outlook", outlook("day", {{1767225600, -5}})) == "outlook.bad_point");
  CHECK(market.run("dso", "zone.outlook", outlook("week", Json::array())) == "payload.invalid");
  CHECK(market.run("dso2", "zone.outlook", outlook("day", {{1767225600, 5}})) == "zone.not_owner");
  // A new series replaces the old one for its direction and resolution.
  CHECK(market.run("dso", "zone.outlook", outlook("isp", {{1767225600, 7}})) == "ok");
  CHECK(Json::parse(*market.state.get("zone_outlook/bozuyuk-feeder-7/up/isp")) == Json{{1767225600, 7}});
}
