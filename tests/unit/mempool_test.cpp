#include <catch2/catch.hpp>

#include "node/mempool.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

TEST_CASE("the mempool de-duplicates by id and by signer and nonce", "[mempool]") {
  Mempool mempool;
  Transaction first = signed_tx("alice", "token.transfer", 1, transfer("bob", 1));
  CHECK(mempool.add(first).ok());
  CHECK(mempool.add(first).rejection().code == "mempool.duplicate");
  CHECK(mempool.add(signed_tx("alice", "token.transfer", 1, transfer("bob", 2))).rejection().code == "mempool.nonce_taken");
  CHECK(mempool.size() == 1);
  CHECK(mempool.bytes() == first.canonical.size());
}

TEST_CASE("the mempool is bounded in count and in bytes", "[mempool]") {
  Transaction one = signed_tx("alice", "token.transfer", 1, transfer("bob", 1));
  Mempool by_count(MempoolLimits{2, 1 << 20});
  CHECK(by_count.add(one).ok());
  CHECK(by_count.add(signed_tx("alice", "token.transfer", 2, transfer("bob", 1))).ok());
  CHECK(by_count.add(signed_tx("bob", "token.transfer", 1, transfer("alice", 1))).rejection().code == "mempool.full");
  Mempool by_bytes(MempoolLimits{100, one.canonical.size() + 10});
  CHECK(by_bytes.add(one).ok());
  CHECK(by_bytes.add(signed_tx("bob", "token.transfer", 1, transfer("alice", 1))).rejection().code == "mempool.full");
  CHECK(by_bytes.size() == 1);
}

TEST_CASE("reaping orders each signer by nonce and signers by first arrival", "[mempool]") {
  Mempool mempool;
  auto bob1 = signed_tx("bob", "token.transfer", 1, transfer("alice", 1));
  auto alice3 = signed_tx("alice", "token.transfer", 3, transfer("bob", 1));
  auto alice1 = signed_tx("alice", "token.transfer", 1, transfer("bob", 1));
  auto bob2 = signed_tx("bob", "token.transfer", 2, transfer("alice", 1));
  for (const auto& transaction : {bob1, alice3, alice1, bob2}) REQUIRE(mempool.add(transaction).ok());
  auto reaped = mempool.reap(10, 1 << 20);
  std::vector<Hash32> ids;
  for (const auto& transaction : reaped) ids.push_back(transaction.id);
  // Bob's lowest nonce arrived first (arrival 0); Alice's lowest nonce (1) arrived third.
  CHECK(ids == std::vector<Hash32>{bob1.id, bob2.id, alice1.id, alice3.id});
  CHECK(mempool.reap(3, 1 << 20).size() == 3);
  CHECK(mempool.reap(10, bob1.canonical.size()).size() == 1);
}

TEST_CASE("removing committed transactions also drops the signer's stale ones", "[mempool]") {
  Mempool mempool;
  auto alice1 = signed_tx("alice", "token.transfer", 1, transfer("bob", 1));
  auto alice2 = signed_tx("alice", "token.transfer", 2, transfer("bob", 1));
  auto alice5 = signed_tx("alice", "token.transfer", 5, transfer("bob", 1));
  for (const auto& transaction : {alice1, alice2, alice5}) REQUIRE(mempool.add(transaction).ok());
  mempool.remove({alice2});
  CHECK(mempool.size() == 1);
  CHECK(mempool.contains(alice5.id));
  CHECK_FALSE(mempool.contains(alice1.id));
  mempool.remove_ids({alice5.id});
  CHECK(mempool.size() == 0);
  CHECK(mempool.bytes() == 0);
}
