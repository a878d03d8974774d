// The decoded-record cache behind the list queries: it must never answer with a record
// decoded from text other than what the state holds now, and must stay within its budget.
#include <catch2/catch.hpp>

#include "contracts/queries.hpp"
#include "contracts/record_cache.hpp"

using namespace flex;

TEST_CASE("a cached record is used only for the same text; rewritten text is decoded again", "[record_cache]") {
  RecordCache cache(1'000);
  auto first = cache.decoded("offer/o1", R"({"power_w":5000})", "offer_id", "o1");
  CHECK(*first == Json{{"offer_id", "o1"}, {"power_w", 5000}});
  CHECK(cache.decoded("offer/o1", R"({"power_w":5000})", "offer_id", "o1") == first);  // the same object: a hit
  auto rewritten = cache.decoded("offer/o1", R"({"power_w":4000})", "offer_id", "o1");
  CHECK(rewritten != first);
  CHECK((*rewritten)["power_w"] == 4000);
  CHECK((*first)["power_w"] == 5000);  // a reader still holding the old record keeps it intact
  // The same key read with another id field is another record.
  CHECK(*cache.decoded("offer/o1", R"({"power_w":4000})", "id", "o1") == Json{{"id", "o1"}, {"power_w", 4000}});
  CHECK(cache.size() == 1);
}

TEST_CASE("the cache starts again from empty when its text budget is spent", "[record_cache]") {
  RecordCache cache(40);  // room for two 16-byte texts, not three
  const std::string text = R"({"value":123456})";
  REQUIRE(text.size() == 16);
  cache.decoded("k/1", text, "id", "1");
  cache.decoded("k/2", text, "id", "2");
  CHECK(cache.size() == 2);
  cache.decoded("k/3", text, "id", "3");
  CHECK(cache.size() == 1);
  auto big = cache.decoded("k/4", R"({"text":")" + std::string(64, 'x') + R"("})", "id", "4");  // above the budget: not kept
  CHECK((*big)["id"] == "4");
  CHECK(cache.size() == 1);
}

TEST_CASE("a list query sees a record rewritten in the state, not the decoded copy of before", "[record_cache]") {
  State state(State::Entries{{"zone/z1", R"({"dso":"aa","kind":"feeder","name":"North"})"}});
  ZoneQuery query;
  REQUIRE(find_zones(state, query).items.at(0)["name"] == "North");
  state.apply(WriteSet{{"zone/z1", std::optional<std::string>(R"({"dso":"aa","kind":"feeder","name":"South"})")}});
  Page page = find_zones(state, query);
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0] == Json{{"dso", "aa"}, {"kind", "feeder"}, {"name", "South"}, {"zone_id", "z1"}});
  query.kind = "substation";
  CHECK(find_zones(state, query).items.empty());
}
