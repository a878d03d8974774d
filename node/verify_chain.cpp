#include "node/verify_chain.hpp"

#include <algorithm>

#include "contracts/engine.hpp"
#include "contracts/genesis.hpp"
#include "ledger/hash.hpp"
#include "ledger/limits.hpp"
#include "ledger/merkle.hpp"
#include "ledger/store.hpp"
#include "node/signature_batch.hpp"

namespace flex {
namespace {

struct ChainCursor {
  State state;
  Hash32 previous_hash{};
  std::int64_t previous_time = 0;
  std::string chain_id;
  Hash32 previous_app_hash{};  // after the block before; the genesis state's at first
};

// Checks each daily digest in the state against the stored blocks it covers: the Merkle
// root of their transaction ids and the app hash of the day's last block. Returns the
// height and reason of the first mismatch.
std::optional<std::pair<std::int64_t, std::string>> check_digests(Store& store, const State& state) {
  const auto& entries = state.entries();
  for (auto it = entries.lower_bound("digest/"); it != entries.end() && it->first.starts_with("digest/"); ++it) {
    Json digest = Json::parse(it->second);
    std::int64_t last = digest["last_height"].get<std::int64_t>();
    std::vector<Hash32> leaf_hashes;
    for (std::int64_t height = digest["first_height"].get<std::int64_t>(); height <= last; ++height) {
      for (const auto& row : store.block_transactions(height)) {
        leaf_hashes.push_back(merkle_leaf_hash(*from_hex_fixed<32>(row.id_hex)));
      }
    }
    if (to_hex(merkle_root_of_leaf_hashes(leaf_hashes)) != digest["tx_root"]) {
      return std::pair{last, "the digest of " + digest["date"].get<std::string>() + " has a wrong transaction root"};
    }
    auto block = store.block(last);
    if (!block || Json::parse(block->header_json)["app_hash"] != digest["app_hash"]) {
      return std::pair{last, "the digest of " + digest["date"].get<std::string>() + " names another app hash"};
    }
  }
  return std::nullopt;
}

// Empty when block `height` checks out; else the reason. Advances the cursor on success.
std::string verify_block(Store& store, std::int64_t height, ChainCursor& cursor) {
  auto stored = store.block(height);
  if (!stored) return "block is missing";
  auto header_json = parse_canonical(stored->header_json, limits::max_block_bytes);
  if (!header_json) return "header is not canonical JSON: " + header_json.rejection().message;
  auto header = header_from_json(*header_json);
  if (!header) return header.rejection().message;
  Hash32 hash = sha256(stored->header_json);
  if (to_hex(hash) != stored->hash_hex) return "stored block hash does not match the header";
  if (header->chain_id != cursor.chain_id) return "header names another chain";
  if (header->height != height) return "header height is " + std::to_string(header->height);
  if (header->previous_hash != cursor.previous_hash) return "previous_hash does not link to the block before";
  if (header->time < cursor.previous_time) return "block time goes back";
  auto validators = validators_from_state(cursor.state);
  if (header->validator_set_hash != validator_set_hash(validators)) return "validator_set_hash is wrong";
  if (std::none_of(validators.begin(), validators.end(),
                   [&](const Validator& v) { return v.public_key == header->proposer; })) {
    return "the proposer is not a validator";
  }

  std::vector<Transaction> transactions;
  std::vector<Receipt> stored_receipts;
  for (const auto& row : store.block_transactions(height)) {
    if (row.position != static_cast<std::int64_t>(transactions.size())) return "transaction positions have a gap";
    auto transaction = decode_transaction(row.body);
    if (!transaction) return "transaction " + std::to_string(row.position) + ": " + transaction.rejection().message;
    if (to_hex(transaction->id) != row.id_hex) return "transaction " + std::to_string(row.position) + ": id mismatch";
    transactions.push_back(std::move(*transaction));
    stored_receipts.push_back(row.receipt);
  }
  std::size_t block_bytes = 0;
  for (const auto& transaction : transactions) block_bytes += transaction.canonical.size();
  if (transactions.size() > limits::max_transactions_per_block || block_bytes > limits::max_block_bytes) {
    return "block exceeds the limits of transactions or bytes per block";
  }
  if (header->tx_root != transactions_root(transactions)) return "tx_root does not match the transactions";
  if (auto bad = first_bad_signature(transactions)) return "transaction " + std::to_string(*bad) + ": bad signature";

  auto execution = execute_block(cursor.state, ExecutionContext{header->height, header->time, cursor.previous_app_hash},
                                 transactions);
  if (!execution) return execution.rejection().message;
  // Receipt codes are consensus; their messages are informational (PROTOCOL.md §9).
  for (std::size_t i = 0; i < transactions.size(); ++i) {
    if (execution->receipts[i].code != stored_receipts[i].code) {
      return "transaction " + std::to_string(i) + ": replayed receipt code " + execution->receipts[i].code +
             " differs from the stored " + stored_receipts[i].code;
    }
  }
  if (execution->app_hash != header->app_hash) return "replayed app hash differs from the header";

  auto commit_json = parse_canonical(stored->commit_json, limits::max_block_bytes);
  if (!commit_json) return "commit is not canonical JSON";
  auto commit = commit_from_json(*commit_json);
  if (!commit) return commit.rejection().message;
  if (auto verified = verify_commit(*commit, *header, validators); !verified) return verified.rejection().message;

  cursor.state.apply(execution->writes);
  cursor.previous_hash = hash;
  cursor.previous_time = header->time;
  cursor.previous_app_hash = header->app_hash;
  return {};
}

}  // namespace

VerifyReport verify_chain(const std::string& store_path,
                          const std::function<void(std::int64_t, std::int64_t)>& progress) {
  VerifyReport report;
  std::unique_ptr<Store> store;
  try {
    store = Store::open(store_path, Store::Mode::ReadOnly);
    store->begin_snapshot();  // one consistent view, even while a node is writing
    report.chain_height = store->height();
  } catch (const StoreError& error) {
    report.first_bad_height = 0;
    report.reason = error.what();
    return report;
  }
  std::int64_t height = 0;
  try {
    auto genesis_text = store->meta("genesis");
    auto genesis = genesis_text ? parse_stored_genesis(*genesis_text)
                                : Result<Genesis>(reject("genesis.invalid", "the store holds no genesis"));
    if (!genesis) {
      report.first_bad_height = 0;  // height 0 stands for genesis
      report.reason = genesis.rejection().message;
      return report;
    }
    ChainCursor cursor{State(genesis_state(*genesis)), sha256(*genesis_text), genesis->genesis_time,
                       genesis->chain_id, Hash32{}};
    cursor.previous_app_hash = cursor.state.app_hash();
    for (height = 1; height <= report.chain_height; ++height) {
      std::string reason = verify_block(*store, height, cursor);
      if (!reason.empty()) {
        report.first_bad_height = height;
        report.reason = reason;
        return report;
      }
      report.verified_height = height;
      if (progress) progress(height, report.chain_height);
    }
    if (store->max_transaction_height() > report.chain_height) {
      report.first_bad_height = report.chain_height + 1;
      report.reason = "transaction rows name a height above the last block";
      return report;
    }
    if (store->load_state() != cursor.state.entries()) {
      report.first_bad_height = report.chain_height;
      report.reason = "the stored state table differs from the state replayed from genesis";
      return report;
    }
    if (auto bad = check_digests(*store, cursor.state)) {
      report.first_bad_height = bad->first;
      report.reason = bad->second;
      return report;
    }
  } catch (const std::exception& error) {
    report.first_bad_height = height;
    report.reason = std::string("store unreadable: ") + error.what();
    return report;
  }
  report.ok = true;
  return report;
}

}  // namespace flex
