// check_next_block: a valid block on the genesis tip, then the same block with one thing
// changed for every rejection code in node/block_check.hpp, in the order the header lists them.
#include <catch2/catch.hpp>

#include <functional>

#include "contracts/engine.hpp"
#include "contracts/genesis.hpp"
#include "ledger/limits.hpp"
#include "node/block_check.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

constexpr std::int64_t kMaxAhead = 5;  // seconds a block may run ahead of the local clock

struct Fixture {
  Genesis genesis = test_genesis();
  State state{genesis_state(genesis)};
  ChainTip tip{genesis.chain_id, 0, genesis.hash(), genesis.genesis_time, state.app_hash()};
  std::int64_t block_time = genesis.genesis_time + 100;
  std::int64_t now = block_time;  // the local clock agrees with the proposer's

  // Operator mints 5.00 to Alice, Alice pays Bob 1.25: both admissible on the genesis state
  // (the pattern of engine_test's "mint, transfer and burn move exact amounts").
  std::vector<Transaction> admissible() const {
    return {signed_tx("operator", "token.mint", 1, mint("alice", 5'000'000)),
            signed_tx("alice", "token.transfer", 1, transfer("bob", 1'250'000))};
  }

  // A valid next block, built as Chain::propose builds one.
  Block valid_block(std::int64_t time, std::vector<Transaction> transactions) const {
    Block block;
    block.header.chain_id = genesis.chain_id;
    block.header.height = tip.height + 1;
    block.header.time = time;
    block.header.previous_hash = tip.last_block_hash;
    block.header.proposer = public_key_for("operator");
    block.header.validator_set_hash = validator_set_hash(validators_from_state(state));
    BlockBuilder builder(state, ExecutionContext{block.header.height, time, tip.app_hash});
    for (const auto& transaction : transactions) REQUIRE(builder.add(transaction).ok());
    block.header.app_hash = builder.finish().app_hash;
    block.header.tx_root = transactions_root(transactions);
    block.transactions = std::move(transactions);
    return block;
  }
  Block valid_block() const { return valid_block(block_time, admissible()); }
};

std::string code_of(const Result<BlockExecution>& result) { return result ? "ok" : result.rejection().code; }

// One way to break a block (or the clock it is judged by) for one rejection code.
struct Breaker {
  std::string code;
  std::function<void(Block&, std::int64_t& now)> apply;
};

// In the order check_next_block checks them (node/block_check.hpp).
std::vector<Breaker> breakers(const Fixture& fixture) {
  return {
      {"block.wrong_chain", [](Block& b, std::int64_t&) { b.header.chain_id = "other-chain"; }},
      {"block.wrong_height", [](Block& b, std::int64_t&) { b.header.height = 2; }},
      {"block.wrong_previous", [](Block& b, std::int64_t&) { b.header.previous_hash[0] ^= 1; }},
      {"block.time_before_previous",
       [&fixture](Block& b, std::int64_t&) { b.header.time = fixture.tip.last_block_time - 1; }},
      // One second past the allowed lead over the local clock.
      {"block.time_in_future", [](Block& b, std::int64_t& now) { now = b.header.time - kMaxAhead - 1; }},
      // Alice is a participant but not a validator.
      {"block.unknown_proposer", [](Block& b, std::int64_t&) { b.header.proposer = public_key_for("alice"); }},
      {"block.wrong_validator_set", [](Block& b, std::int64_t&) { b.header.validator_set_hash[0] ^= 1; }},
      // One transaction over the count bound (copies: the bound is checked before signatures).
      {"block.too_large",
       [](Block& b, std::int64_t&) {
         const Transaction copy = b.transactions[0];
         b.transactions.resize(limits::max_transactions_per_block + 1, copy);
       }},
      // The transaction's canonical bytes (and so its id and tx_root) stay as they were.
      {"block.bad_transaction_signature", [](Block& b, std::int64_t&) { b.transactions[1].sig[0] ^= 1; }},
      {"block.wrong_tx_root", [](Block& b, std::int64_t&) { b.header.tx_root[0] ^= 1; }},
      // The operator's nonce 1 again, correctly signed and with tx_root recomputed, so only
      // execution finds it: tx.stale_nonce makes the block invalid.
      {"block.invalid_transaction",
       [](Block& b, std::int64_t&) {
         b.transactions.push_back(signed_tx("operator", "token.mint", 1, mint("bob", 7)));
         b.header.tx_root = transactions_root(b.transactions);
       }},
      {"block.wrong_app_hash", [](Block& b, std::int64_t&) { b.header.app_hash[0] ^= 1; }},
  };
}

}  // namespace

TEST_CASE("a valid next block returns its execution with the header's app hash", "[block_check]") {
  Fixture fixture;
  const State::Entries before = fixture.state.entries();
  const Block block = fixture.valid_block();
  auto result = check_next_block(fixture.state, fixture.tip, block, fixture.now, kMaxAhead);
  REQUIRE(result.ok());
  CHECK(result->app_hash == block.header.app_hash);
  REQUIRE(result->receipts.size() == 2);
  CHECK(result->receipts[0].code == "ok");
  CHECK(result->receipts[1].code == "ok");
  // The state is a const input: checking does not apply the block.
  CHECK(fixture.state.entries() == before);
  // Applying the returned writes gives the state the header commits to.
  State applied = fixture.state;
  applied.apply(result->writes);
  CHECK(applied.app_hash() == block.header.app_hash);
}

TEST_CASE("an empty block is a valid next block", "[block_check]") {
  Fixture fixture;
  const Block block = fixture.valid_block(fixture.block_time, {});
  CHECK(block.header.tx_root == transactions_root({}));
  auto result = check_next_block(fixture.state, fixture.tip, block, fixture.now, kMaxAhead);
  REQUIRE(result.ok());
  CHECK(result->app_hash == block.header.app_hash);
  CHECK(result->receipts.empty());
}

TEST_CASE("each broken rule gives its own rejection code and leaves the state untouched", "[block_check]") {
  Fixture fixture;
  const State::Entries entries_before = fixture.state.entries();
  const Hash32 app_hash_before = fixture.state.app_hash();
  for (const auto& breaker : breakers(fixture)) {
    Block block = fixture.valid_block();
    std::int64_t now = fixture.now;
    breaker.apply(block, now);
    INFO("breaking for " << breaker.code);
    CHECK(code_of(check_next_block(fixture.state, fixture.tip, block, now, kMaxAhead)) == breaker.code);
    CHECK(fixture.state.app_hash() == app_hash_before);
    CHECK(fixture.state.entries() == entries_before);
  }
}

TEST_CASE("the first broken rule in header order is the one reported", "[block_check]") {
  // With the faults k..end all present, the code is fault k's: so the checks run in the order
  // the header lists. Faults are applied last-first, so tx_root is recomputed before it is broken.
  Fixture fixture;
  const auto all = breakers(fixture);
  for (std::size_t first = 0; first < all.size(); ++first) {
    Block block = fixture.valid_block();
    std::int64_t now = fixture.now;
    for (std::size_t k = all.size(); k-- > first;) all[k].apply(block, now);
    INFO("faults from " << all[first].code);
    CHECK(code_of(check_next_block(fixture.state, fixture.tip, block, now, kMaxAhead)) == all[first].code);
  }
}

TEST_CASE("the wrong height is rejected below as well as above the next height", "[block_check]") {
  Fixture fixture;
  for (std::int64_t height : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{2}, std::int64_t{100}}) {
    Block block = fixture.valid_block();
    block.header.height = height;
    INFO("height " << height);
    CHECK(code_of(check_next_block(fixture.state, fixture.tip, block, fixture.now, kMaxAhead)) == "block.wrong_height");
  }
}

TEST_CASE("block time may equal the previous block's and may lead the clock by exactly the bound", "[block_check]") {
  Fixture fixture;
  // The same second as the previous (genesis) time is allowed: time never goes back.
  const Block same_second = fixture.valid_block(fixture.tip.last_block_time, fixture.admissible());
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, same_second, fixture.tip.last_block_time, kMaxAhead)) == "ok");
  // A block time of now + 5 with a bound of 5 passes; now + 6 does not.
  const Block block = fixture.valid_block();
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, block, block.header.time - kMaxAhead, kMaxAhead)) == "ok");
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, block, block.header.time - kMaxAhead - 1, kMaxAhead)) ==
        "block.time_in_future");
  // A bound of 0 accepts a block stamped with the local second exactly.
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, block, block.header.time, 0)) == "ok");
  // A clock ahead of the block is fine: only running ahead of the clock is bounded.
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, block, block.header.time + 3600, kMaxAhead)) == "ok");
}

TEST_CASE("the size bound counts transactions and bytes", "[block_check]") {
  Fixture fixture;
  auto accept_all = [](const Transaction&) { return true; };
  // Exactly max_transactions_per_block passes the bound; the copies then fail later, at
  // tx_root, which still names the original two.
  Block at_limit = fixture.valid_block();
  at_limit.transactions.resize(limits::max_transactions_per_block, at_limit.transactions[0]);
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, at_limit, fixture.now, kMaxAhead, accept_all)) ==
        "block.wrong_tx_root");
  // One transaction whose bytes alone exceed max_block_bytes.
  Block heavy = fixture.valid_block();
  heavy.transactions[0].canonical.resize(limits::max_block_bytes + 1, ' ');
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, heavy, fixture.now, kMaxAhead, accept_all)) == "block.too_large");
  // Two transactions of max_block_bytes / 2 bytes each: exactly the bound, not too large. Past
  // the size check only the ids (unchanged) and decoded fields are read, so the block passes.
  Block at_byte_limit = fixture.valid_block();
  at_byte_limit.transactions[0].canonical.resize(limits::max_block_bytes / 2, ' ');
  at_byte_limit.transactions[1].canonical.resize(limits::max_block_bytes / 2, ' ');
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, at_byte_limit, fixture.now, kMaxAhead, accept_all)) == "ok");
}

TEST_CASE("a given signature check replaces the default one", "[block_check]") {
  Fixture fixture;
  Block tampered = fixture.valid_block();
  tampered.transactions[1].sig[0] ^= 1;
  // The default check finds the flipped byte.
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, tampered, fixture.now, kMaxAhead)) ==
        "block.bad_transaction_signature");
  // A check that (like a cache of already-verified ids) says yes lets the block through: the
  // flipped field is not part of the canonical bytes that tx_root and execution use.
  int calls = 0;
  auto trusting = [&calls](const Transaction&) { ++calls; return true; };
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, tampered, fixture.now, kMaxAhead, trusting)) == "ok");
  CHECK(calls == 2);
  // A check that refuses Alice's transaction rejects a block the default would accept.
  const Block block = fixture.valid_block();
  auto refuse_alice = [](const Transaction& t) { return t.signer != public_key_for("alice"); };
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, block, fixture.now, kMaxAhead, refuse_alice)) ==
        "block.bad_transaction_signature");
}

TEST_CASE("reordering a block's transactions changes its tx_root", "[block_check]") {
  Fixture fixture;
  // Alice's transfer before the mint that funds it: tx_root is over ids in block order.
  Block swapped = fixture.valid_block();
  std::swap(swapped.transactions[0], swapped.transactions[1]);
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, swapped, fixture.now, kMaxAhead)) == "block.wrong_tx_root");
}

TEST_CASE("execution takes the previous app hash from the tip", "[block_check]") {
  // The previous app hash reaches state only when a block closes a day's digest
  // (contracts/digest.cpp), so commit block 1 on the genesis day and judge block 2 a day later.
  Fixture fixture;
  const Block first = fixture.valid_block();
  auto first_execution = check_next_block(fixture.state, fixture.tip, first, fixture.now, kMaxAhead);
  REQUIRE(first_execution.ok());
  fixture.state.apply(first_execution->writes);
  fixture.tip = ChainTip{fixture.genesis.chain_id, 1, block_hash(first.header), first.header.time, first.header.app_hash};

  const std::int64_t next_day = first.header.time + 86'400;
  const Block second = fixture.valid_block(next_day, {signed_tx("bob", "token.transfer", 1, transfer("dso", 250'000))});
  CHECK(code_of(check_next_block(fixture.state, fixture.tip, second, next_day, kMaxAhead)) == "ok");
  // The same block judged on a tip that claims another app hash for block 1.
  ChainTip other_tip = fixture.tip;
  other_tip.app_hash[0] ^= 1;
  CHECK(code_of(check_next_block(fixture.state, other_tip, second, next_day, kMaxAhead)) == "block.wrong_app_hash");
}
