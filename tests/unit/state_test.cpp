#include <catch2/catch.hpp>

#include <random>

#include "ledger/hash.hpp"
#include "ledger/merkle.hpp"
#include "ledger/state.hpp"

using namespace flex;

TEST_CASE("the app hash is the RFC 6962 root over length-prefixed entries in key order", "[state]") {
  State empty;
  CHECK(to_hex(empty.app_hash()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  State state(State::Entries{{"b", "2"}, {"a", "1"}});
  // Leaf data for ("a","1"): 00000001 61 00000001 31.
  Bytes leaf_a = {0, 0, 0, 1, 'a', 0, 0, 0, 1, '1'};
  Bytes leaf_b = {0, 0, 0, 1, 'b', 0, 0, 0, 1, '2'};
  CHECK(state.app_hash() == merkle_node_hash(merkle_leaf_hash(leaf_a), merkle_leaf_hash(leaf_b)));
}

TEST_CASE("app_hash_after equals the hash after applying, for random write sets", "[state][property]") {
  std::mt19937_64 random(20261121);
  for (int round = 0; round < 300; ++round) {
    INFO("seed 20261121 round " << round);
    State::Entries entries;
    int size = static_cast<int>(random() % 40);
    for (int i = 0; i < size; ++i) entries["k" + std::to_string(random() % 60)] = std::to_string(random() % 1000);
    State state(entries);
    WriteSet writes;
    int changes = static_cast<int>(random() % 20);
    for (int i = 0; i < changes; ++i) {
      std::string key = "k" + std::to_string(random() % 60);
      if (random() % 3 == 0) writes[key] = std::nullopt;
      else writes[key] = std::to_string(random() % 1000);
    }
    Hash32 predicted = state.app_hash_after(writes);
    state.apply(writes);
    CHECK(predicted == state.app_hash());
    CHECK(state.app_hash() == State(state.entries()).app_hash());
  }
}

TEST_CASE("an overlay rolls back a transaction without touching the block or the base", "[state]") {
  State base(State::Entries{{"x", "1"}});
  StateOverlay overlay(base);
  overlay.put("y", "2");
  overlay.commit_transaction();
  overlay.put("x", "9");
  overlay.erase("y");
  CHECK(overlay.get("x") == "9");
  CHECK_FALSE(overlay.get("y"));
  overlay.rollback_transaction();
  CHECK(overlay.get("x") == "1");
  CHECK(overlay.get("y") == "2");
  CHECK(base.get("y") == std::nullopt);
  CHECK(overlay.block_writes().size() == 1);
}

TEST_CASE("first_key_from walks live keys in order across base and write sets", "[state]") {
  State base(State::Entries{{"a", "1"}, {"c", "3"}, {"e", "5"}});
  StateOverlay overlay(base);
  overlay.put("b", "2");
  overlay.erase("c");
  overlay.commit_transaction();
  overlay.put("d", "4");
  overlay.erase("e");
  std::vector<std::string> keys;
  for (auto key = overlay.first_key_from(""); key; key = overlay.first_key_from(*key + '\0')) keys.push_back(*key);
  CHECK(keys == std::vector<std::string>{"a", "b", "d"});
  CHECK(overlay.first_key_from("b\x01") == "d");
  CHECK_FALSE(overlay.first_key_from("e"));
}
