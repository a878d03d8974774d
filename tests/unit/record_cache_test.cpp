// The decoded-record cache behind the list queries: it must never answer with a record
// decoded from text other than what the state holds now, and must stay within its budget.
#include <catch2/catch.hpp>

#include <random>

#include "api/route_support.hpp"
#include "contracts/queries.hpp"
#include "contracts/record_cache.hpp"

using namespace flex;

TEST_CASE("a cached record is used only for the same text; rewritten text is decoded again", "[record_cache]") {
  RecordCache cache;
  auto first = cache.decoded("offer/o1", R"({"power_w":5000})", "offer_id", "o1");
  CHECK(first->json == Json{{"offer_id", "o1"}, {"power_w", 5000}});
  CHECK(first->members == std::vector<std::pair<std::string, std::string>>{{"offer_id", R"("offer_id":"o1")"}, {"power_w", R"("power_w":5000)"}});
  CHECK(cache.decoded("offer/o1", R"({"power_w":5000})", "offer_id", "o1") == first);  // the same object: a hit
  auto rewritten = cache.decoded("offer/o1", R"({"power_w":4000})", "offer_id", "o1");
  CHECK(rewritten != first);
  CHECK(rewritten->json["power_w"] == 4000);
  CHECK(first->json["power_w"] == 5000);  // a reader still holding the old record keeps it intact
  // The same key read with another id field is another record.
  CHECK(cache.decoded("offer/o1", R"({"power_w":4000})", "id", "o1")->json == Json{{"id", "o1"}, {"power_w", 4000}});
  CHECK(cache.size() == 1);
}

TEST_CASE("the cache keeps within its budget, evicting some entries rather than all", "[record_cache]") {
  RecordCache cache(64 * 1024);
  const std::string text = R"({"value":123456})";
  for (int i = 0; i < 10'000; ++i) {
    std::string id = std::to_string(100'000 + i);
    REQUIRE(cache.decoded("k/" + id, text, "id", id)->json["id"] == id);
    REQUIRE(cache.bytes() <= 64 * 1024);
  }
  CHECK(cache.size() > 300);  // about 160 bytes each: a full cache holds some 400, eviction frees a quarter
  // A record above 1/64 of the budget is decoded but not kept, so it pushes nothing out.
  std::size_t before = cache.size();
  auto big = cache.decoded("k/big", R"({"text":")" + std::string(2'000, 'x') + R"("})", "id", "big");
  CHECK(big->json["text"].get<std::string>().size() == 2'000);
  CHECK(cache.size() == before);
}

TEST_CASE("a list query sees a record rewritten in the state, not the decoded copy of before", "[record_cache]") {
  State state(State::Entries{{"zone/z1", R"({"dso":"aa","kind":"feeder","name":"North"})"}});
  RecordCache cache;
  ZoneQuery query;
  query.cache = &cache;
  REQUIRE(find_zones(state, query).items.at(0)["name"] == "North");
  state.apply(WriteSet{{"zone/z1", std::optional<std::string>(R"({"dso":"aa","kind":"feeder","name":"South"})")}});
  Page page = find_zones(state, query);
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0] == Json{{"dso", "aa"}, {"kind", "feeder"}, {"name", "South"}, {"zone_id", "z1"}});
  query.kind = "substation";
  CHECK(find_zones(state, query).items.empty());
  query.kind.reset();
  query.shared_records = true;  // the API's way: the cache's own records, nothing copied
  Page shared = find_zones(state, query);
  CHECK(shared.items.empty());
  REQUIRE(shared.records.size() == 1);
  CHECK(shared.records[0]->json["name"] == "South");
}

// A list response is put together from each record's serialized members; it must be the
// very text the JSON of the redacted record dumps to. Seeded random records and redactions.
TEST_CASE("records assembled from serialized members equal the dump of the redacted record", "[record_cache]") {
  const std::vector<std::string> names = {"asset_ids", "end", "note", "owner", "power_w", "property", "seller", "zone_id", "\u00e9t\u00e9"};
  for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
    std::mt19937_64 random(seed);
    INFO("seed " << seed);
    Json record = Json::object();
    for (const auto& name : names) {
      switch (random() % 5) {
        case 0: break;  // absent
        case 1: record[name] = static_cast<std::int64_t>(random() % 2'000'000) - 1'000'000; break;
        case 2: record[name] = "text \"" + std::to_string(random() % 100) + "\" \u00fc\n"; break;
        case 3: record[name] = Json::array({static_cast<std::int64_t>(random() % 10), "x", Json{{"k", nullptr}}}); break;
        default: record[name] = Json{{"nested", Json{{"b", true}, {"a", 1}}}}; break;
      }
    }
    api::Hidden hidden;
    for (const auto& name : names) {
      auto pick = random() % 4;
      if (pick == 0) hidden.redacted.push_back(name);
      if (pick == 1) hidden.removed.push_back(name);
    }
    RecordCache cache;
    auto cached = cache.decoded("offer/o-" + std::to_string(seed), json_text(record), "offer_id", "o-" + std::to_string(seed));
    std::string assembled;
    api::append_record_text(assembled, *cached, hidden);
    CHECK(assembled == json_text(api::apply_hidden(cached->json, hidden)));
  }
}
