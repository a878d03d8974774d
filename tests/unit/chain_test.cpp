#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <atomic>
#include <thread>

#include "contracts/state_keys.hpp"
#include "node/chain.hpp"
#include "node/consensus/tendermint_node.hpp"
#include "node/verify_chain.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

class FixedClock final : public Clock {
 public:
  std::int64_t now_seconds() const override { return now; }
  std::int64_t now = 1767225600 + 60;
};

Commit sign_commit(const Proposal& proposal) {
  Commit commit{proposal.block.header.height, 0, block_hash(proposal.block.header), {}};
  Hash32 digest = precommit_digest(chain_id, commit.height, 0, commit.block_hash);
  commit.signatures.push_back({public_key_for("operator"), *schnorr_sign(key_for("operator"), digest, Hash32{})});
  return commit;
}

void make_block(Chain& chain, std::int64_t time) {
  Proposal proposal = chain.propose(time, public_key_for("operator"));
  chain.commit(proposal, sign_commit(proposal));
}

consensus::TendermintNodeOptions no_empty_blocks() {
  consensus::TendermintNodeOptions options;
  options.driver.empty_block_interval_ms = 0;
  return options;
}

// A chain whose only validator makes blocks as transactions arrive (no empty blocks).
struct RunningNode {
  TempDir dir;
  std::unique_ptr<Chain> chain = Chain::open(dir.file("ledger.sqlite"), test_genesis());
  FixedClock clock;
  consensus::TendermintNode validator{*chain, key_for("operator"), clock, no_empty_blocks()};
  RunningNode() {
    chain->set_on_admitted([this](std::string_view) { validator.notify_transaction(); });
    validator.start();
  }
};

}  // namespace

TEST_CASE("submission checks signature and envelope against committed state", "[chain]") {
  TempDir dir;
  auto chain = Chain::open(dir.file("ledger.sqlite"), test_genesis());
  auto good = signed_tx("operator", "token.mint", 1, mint("alice", 10));
  CHECK(chain->submit(good.canonical).ok());
  std::string bad_signature = good.canonical;
  bad_signature[bad_signature.find("\"sig\":\"") + 7] ^= 1;
  auto result = chain->submit(bad_signature);
  CHECK((result.ok() ? "ok" : result.rejection().code) == std::string("tx.bad_signature"));
  CHECK(chain->submit(signed_tx("mallory", "token.mint", 1, mint("alice", 1)).canonical).rejection().code == "tx.unknown_signer");
  CHECK(chain->submit(good.canonical).rejection().code == "mempool.duplicate");
  CHECK(chain->mempool_size() == 1);
  make_block(*chain, 1767225700);
  CHECK(chain->submit(good.canonical).rejection().code == "tx.stale_nonce");
  CHECK(chain->status().height == 1);
  CHECK(chain->mempool_size() == 0);
}

TEST_CASE("blocks link, never go back in time, and reopen at the same height and app hash", "[chain]") {
  TempDir dir;
  ChainStatus before;
  {
    auto chain = Chain::open(dir.file("ledger.sqlite"), test_genesis());
    REQUIRE(chain->submit(signed_tx("operator", "token.mint", 1, mint("alice", 500)).canonical).ok());
    make_block(*chain, 1767225700);
    REQUIRE(chain->submit(signed_tx("alice", "token.transfer", 1, transfer("bob", 200)).canonical).ok());
    make_block(*chain, 1767225650);  // a clock behind the last block
    before = chain->status();
    auto second = Json::parse(chain->block(2)->header_json);
    CHECK(second["time"] == 1767225700);
    CHECK(second["previous_hash"] == Json::parse(chain->block(1)->commit_json)["block_hash"]);
    CHECK(Json::parse(chain->block(1)->header_json)["previous_hash"] == to_hex(test_genesis().hash()));
  }
  auto reopened = Chain::open(dir.file("ledger.sqlite"), std::nullopt);
  CHECK(reopened->status().height == 2);
  CHECK(reopened->status().app_hash == before.app_hash);
  CHECK(reopened->status().last_block_hash == before.last_block_hash);
  auto report = verify_chain(dir.file("ledger.sqlite"));
  CHECK(report.ok);
  CHECK(report.verified_height == 2);
}

TEST_CASE("a data directory refuses a different genesis", "[chain]") {
  TempDir dir;
  { auto chain = Chain::open(dir.file("ledger.sqlite"), test_genesis()); }
  Genesis other = test_genesis();
  other.genesis_time += 1;
  CHECK_THROWS_WITH(Chain::open(dir.file("ledger.sqlite"), other),
                    Catch::Contains("differs from the genesis"));
  CHECK_THROWS_WITH(Chain::open(dir.file("empty.sqlite"), std::nullopt), Catch::Contains("no genesis"));
}

TEST_CASE("the single validator commits waiting transactions and signs a valid commit", "[chain][consensus]") {
  RunningNode node;
  auto& chain = node.chain;
  auto& validator = node.validator;
  const auto& clock = node.clock;
  auto mint_tx = signed_tx("operator", "token.mint", 1, mint("alice", 77));
  REQUIRE(chain->submit(mint_tx.canonical).ok());
  REQUIRE(chain->wait_for_height(1, std::chrono::seconds(10)));
  validator.stop();
  auto stored = chain->transaction(to_hex(mint_tx.id));
  REQUIRE(stored);
  CHECK(stored->receipt.code == "ok");
  auto header = header_from_json(Json::parse(chain->block(stored->height)->header_json));
  auto commit = commit_from_json(Json::parse(chain->block(stored->height)->commit_json));
  CHECK(verify_commit(*commit, *header, chain->validators()).ok());
  CHECK(header->time == clock.now);
}

TEST_CASE("a node whose key is not in the validator set follows and never signs", "[chain][consensus]") {
  TempDir dir;
  auto chain = Chain::open(dir.file("ledger.sqlite"), test_genesis());
  FixedClock clock;
  CHECK(consensus::TendermintNode(*chain, key_for("operator"), clock, no_empty_blocks()).is_validator());
  CHECK_FALSE(consensus::TendermintNode(*chain, key_for("alice"), clock, no_empty_blocks()).is_validator());
  CHECK_FALSE(consensus::TendermintNode(*chain, std::nullopt, clock, no_empty_blocks()).is_validator());
}

TEST_CASE("verification finds a tampered transaction at its height", "[chain][verify]") {
  TempDir dir;
  {
    auto chain = Chain::open(dir.file("ledger.sqlite"), test_genesis());
    for (int height = 1; height <= 4; ++height) {
      REQUIRE(chain->submit(signed_tx("operator", "token.mint", height, mint("alice", height)).canonical).ok());
      make_block(*chain, 1767225700 + height);
    }
  }
  REQUIRE(verify_chain(dir.file("ledger.sqlite")).ok);
  {
    auto store = Store::open(dir.file("ledger.sqlite"));
    auto row = store->block_transactions(3).at(0);
    // Rewrite the amount minted at height 3 in place, keeping the old id.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(dir.file("ledger.sqlite").c_str(), &raw) == SQLITE_OK);
    std::string body = row.body;
    body.replace(body.find("\"amount_micro\":3"), 16, "\"amount_micro\":9");
    std::string sql = "UPDATE transactions SET body='" + body + "' WHERE id='" + row.id_hex + "'";
    REQUIRE(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  auto report = verify_chain(dir.file("ledger.sqlite"));
  CHECK_FALSE(report.ok);
  CHECK(report.first_bad_height == 3);
  CHECK(report.verified_height == 2);
  CHECK(report.reason == "transaction 0: id mismatch");
}

namespace {

void run_sql(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  char* error = nullptr;
  int code = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(raw);
  REQUIRE(code == SQLITE_OK);
}

std::string chain_with_blocks(const TempDir& dir, int blocks) {
  auto chain = Chain::open(dir.file("ledger.sqlite"), test_genesis());
  for (int height = 1; height <= blocks; ++height) {
    REQUIRE(chain->submit(signed_tx("operator", "token.mint", height, mint("alice", height)).canonical).ok());
    make_block(*chain, 1767225700 + height);
  }
  return dir.file("ledger.sqlite");
}

}  // namespace

TEST_CASE("verification reads one consistent snapshot while the node writes", "[chain][verify]") {
  RunningNode node;
  auto& chain = node.chain;
  auto& validator = node.validator;
  const auto& dir = node.dir;
  std::atomic<bool> done{false};
  std::thread load([&] {
    for (int nonce = 1; nonce <= 400; ++nonce) {
      (void)chain->submit(signed_tx("operator", "token.mint", nonce, mint("alice", 1)).canonical);
    }
    done = true;
  });
  int reports = 0;
  while (!done || reports < 3) {
    auto report = verify_chain(dir.file("ledger.sqlite"));
    INFO("report " << reports << ": " << report.reason);
    CHECK(report.ok);
    ++reports;
  }
  load.join();
  validator.stop();
}

TEST_CASE("verification rejects a stored genesis that is not the canonical one", "[chain][verify]") {
  TempDir dir;
  std::string path = chain_with_blocks(dir, 1);
  run_sql(path, "UPDATE meta SET value = ' ' || value WHERE key = 'genesis'");
  auto report = verify_chain(path);
  CHECK_FALSE(report.ok);
  CHECK(report.first_bad_height == 0);
  CHECK_THAT(report.reason, Catch::Contains("stored genesis"));
  // A hostile export with absurd nesting is refused, not a crash.
  run_sql(path, "UPDATE meta SET value = '{\"x\":' || replace(hex(zeroblob(100000)), '00', '[') || '}' WHERE key = 'genesis'");
  report = verify_chain(path);
  CHECK_FALSE(report.ok);
  CHECK_THAT(report.reason, Catch::Contains("nesting deeper"));
}

TEST_CASE("verification finds transaction rows above the last block and malformed commits", "[chain][verify]") {
  TempDir dir;
  std::string path = chain_with_blocks(dir, 3);
  run_sql(path, "INSERT INTO transactions SELECT '" + std::string(64, 'a') +
                    "', 9, 0, body, code, message FROM transactions WHERE height = 1");
  auto report = verify_chain(path);
  CHECK_FALSE(report.ok);
  CHECK(report.first_bad_height == 4);
  CHECK(report.reason == "transaction rows name a height above the last block");
  run_sql(path, "DELETE FROM transactions WHERE height = 9");
  REQUIRE(verify_chain(path).ok);
  run_sql(path, "UPDATE blocks SET commit_json = replace(commit_json, ',\"height\"', ',\"extra\":1,\"height\"') "
                "WHERE height = 2");
  report = verify_chain(path);
  CHECK(report.first_bad_height == 2);
  CHECK(report.reason == "commit has a missing or bad field");
}
