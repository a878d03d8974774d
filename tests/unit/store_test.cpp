#include <catch2/catch.hpp>

#include <fstream>

#include "contracts/engine.hpp"
#include "ledger/store.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

// A block and what it refers to, kept alive together.
struct OwnedBlock {
  BlockHeader header;
  Commit commit;
  std::vector<Transaction> transactions;
  std::vector<Receipt> receipts;
  BlockRecord record() const { return BlockRecord{header, commit, transactions, receipts}; }
};

OwnedBlock block_for(const State& state, std::int64_t height, std::vector<Transaction> transactions,
                     BlockExecution& execution) {
  auto executed = execute_block(state, ExecutionContext{height, 1767225600 + height}, transactions);
  REQUIRE(executed);
  execution = *executed;
  OwnedBlock block;
  block.header.chain_id = chain_id;
  block.header.height = height;
  block.header.app_hash = execution.app_hash;
  block.transactions = std::move(transactions);
  block.receipts = execution.receipts;
  block.commit.height = height;
  return block;
}

}  // namespace

TEST_CASE("a committed block, its transactions, receipts and state survive reopening", "[store]") {
  TempDir dir;
  Genesis genesis = test_genesis();
  State state(genesis_state(genesis));
  {
    auto store = Store::open(dir.file("ledger.sqlite"));
    CHECK_FALSE(store->initialized());
    store->initialize(genesis.chain_id, genesis.canonical(), state.entries());
    BlockExecution execution;
    auto block = block_for(state, 1, {signed_tx("operator", "token.mint", 1, mint("alice", 42)),
                                      signed_tx("alice", "token.transfer", 1, transfer("bob", 50))}, execution);
    store->commit_block(block.record(), execution.writes);
    state.apply(execution.writes);
  }
  auto store = Store::open(dir.file("ledger.sqlite"));
  CHECK(store->initialized());
  CHECK(store->meta("chain_id") == chain_id);
  CHECK(store->meta("genesis") == genesis.canonical());
  CHECK(store->height() == 1);
  auto rows = store->block_transactions(1);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].receipt.code == "ok");
  CHECK(rows[1].receipt.code == "token.insufficient_funds");
  CHECK(store->load_state() == state.entries());
  CHECK(store->transaction(rows[1].id_hex)->position == 1);
  CHECK_FALSE(store->transaction(std::string(64, '0')));
}

TEST_CASE("a block that fails to store leaves nothing behind", "[store]") {
  TempDir dir;
  Genesis genesis = test_genesis();
  State state(genesis_state(genesis));
  auto store = Store::open(dir.file("ledger.sqlite"));
  store->initialize(genesis.chain_id, genesis.canonical(), state.entries());
  BlockExecution execution;
  Transaction mint_tx = signed_tx("operator", "token.mint", 1, mint("alice", 42));
  auto first = block_for(state, 1, {mint_tx}, execution);
  store->commit_block(first.record(), execution.writes);
  // Height 2 repeats a transaction id: the insert fails half-way through the block.
  BlockExecution second_execution;
  auto second = block_for(state, 2, {signed_tx("operator", "token.mint", 2, mint("bob", 7))}, second_execution);
  second.transactions.push_back(mint_tx);
  second.receipts.push_back(Receipt{});
  CHECK_THROWS_AS(store->commit_block(second.record(), second_execution.writes), StoreError);
  CHECK(store->height() == 1);
  CHECK(store->block_transactions(2).empty());
  State after_first(genesis_state(genesis));
  after_first.apply(execution.writes);
  CHECK(store->load_state() == after_first.entries());
  std::vector<Receipt> no_receipts;
  CHECK_THROWS_AS(store->commit_block(BlockRecord{first.header, first.commit, first.transactions, no_receipts}, {}),
                  StoreError);
}

TEST_CASE("the store runs in WAL mode", "[store]") {
  TempDir dir;
  { auto store = Store::open(dir.file("ledger.sqlite")); }
  std::ifstream header(dir.file("ledger.sqlite"), std::ios::binary);
  char bytes[20] = {};
  header.read(bytes, sizeof bytes);
  // SQLite file format §1.3: bytes 18 and 19 are 2 in WAL mode.
  CHECK(bytes[18] == 2);
  CHECK(bytes[19] == 2);
}

TEST_CASE("only one writer may open a store at a time", "[store]") {
  TempDir dir;
  auto first = Store::open(dir.file("ledger.sqlite"));
  CHECK_THROWS_WITH(Store::open(dir.file("ledger.sqlite")), Catch::Contains("in use by another process"));
  CHECK_NOTHROW(Store::open(dir.file("ledger.sqlite"), Store::Mode::ReadOnly));
  first.reset();
  CHECK_NOTHROW(Store::open(dir.file("ledger.sqlite")));
}

TEST_CASE("an account's history: transactions naming it as signer or in the payload, newest first, paged", "[store]") {
  TempDir dir;
  Genesis genesis = test_genesis();
  State state(genesis_state(genesis));
  auto store = Store::open(dir.file("ledger.sqlite"));
  store->initialize(genesis.chain_id, genesis.canonical(), state.entries());
  BlockExecution execution;
  auto first = block_for(state, 1, {signed_tx("operator", "token.mint", 1, mint("alice", 100)),   // names alice
                                    signed_tx("operator", "token.mint", 2, mint("bob", 100))},    // does not
                         execution);
  store->commit_block(first.record(), execution.writes);
  state.apply(execution.writes);
  auto second = block_for(state, 2, {signed_tx("bob", "token.transfer", 1, transfer("dso", 10)),   // does not
                                     signed_tx("alice", "token.transfer", 1, transfer("bob", 30)),  // signed by alice
                                     signed_tx("bob", "token.transfer", 2, transfer("alice", 5))},  // pays alice
                          execution);
  store->commit_block(second.record(), execution.writes);
  const std::string alice = to_hex(public_key_for("alice"));
  auto history = store->transactions_naming(alice, std::nullopt, 10);
  REQUIRE(history.size() == 3);
  CHECK(history[0].id_hex == to_hex(second.transactions[2].id));
  CHECK(history[1].id_hex == to_hex(second.transactions[1].id));
  CHECK(history[2].id_hex == to_hex(first.transactions[0].id));
  auto page = store->transactions_naming(alice, std::nullopt, 2);
  REQUIRE(page.size() == 2);
  auto rest = store->transactions_naming(alice, std::pair{page[1].height, page[1].position}, 2);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].id_hex == history[2].id_hex);
  CHECK(store->transactions_naming(to_hex(public_key_for("auditor")), std::nullopt, 10).empty());
}
