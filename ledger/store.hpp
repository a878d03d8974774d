// SQLite store of the chain and its state. File layout (schema version 1):
//
//   meta(key TEXT PRIMARY KEY, value TEXT)       -- "schema_version", "chain_id", "genesis"
//   blocks(height INTEGER PRIMARY KEY, hash TEXT, header TEXT, commit_json TEXT)
//   transactions(id TEXT PRIMARY KEY, height INTEGER, position INTEGER, body TEXT,
//                code TEXT, message TEXT)         -- body = canonical signed envelope;
//                                                  -- code/message = the receipt
//   state(key TEXT PRIMARY KEY, value TEXT)       -- state after the highest block
//
// Hashes are lowercase hex; header and commit are canonical JSON. The store runs in WAL
// mode with synchronous=FULL, and commit_block writes one block, its transactions,
// receipts and state changes in one SQLite transaction: all of it lands, or none.
// Store errors are local failures (exceptions), never rejections.
// A read-write store holds an exclusive lock on "<path>.lock" (flock) for its lifetime, so
// two nodes can never write one chain.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "ledger/block.hpp"
#include "ledger/state.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace flex {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Receipt {
  std::string code = "ok";  // "ok", or the stable rejection code
  std::string message;
  bool ok() const { return code == "ok"; }
};

struct StoredBlock {
  std::int64_t height = 0;
  std::string hash_hex;
  std::string header_json;  // canonical
  std::string commit_json;  // canonical
};

struct StoredTransaction {
  std::string id_hex;
  std::int64_t height = 0;
  std::int64_t position = 0;
  std::string body;
  Receipt receipt;
};

// A block to store; it refers to (does not copy) the caller's transactions and receipts.
struct BlockRecord {
  const BlockHeader& header;
  const Commit& commit;
  std::span<const Transaction> transactions;
  std::span<const Receipt> receipts;  // one per transaction, same order
};

// Takes the exclusive writer lock of a SQLite file (an flock on `path`.lock) and returns its
// descriptor, or throws StoreError naming who to stop. Closing the descriptor releases it.
int lock_store(const std::string& path);

class Store {
 public:
  enum class Mode { ReadWrite, ReadOnly };
  static std::unique_ptr<Store> open(const std::string& path, Mode mode = Mode::ReadWrite);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  std::optional<std::string> meta(const std::string& key);
  bool initialized() { return meta("genesis").has_value(); }
  // Writes genesis and the state it defines, once, atomically.
  void initialize(const std::string& chain_id, const std::string& genesis_canonical,
                  const State::Entries& genesis_state);

  std::int64_t height();
  std::optional<StoredBlock> block(std::int64_t height);
  std::vector<StoredTransaction> block_transactions(std::int64_t height);
  std::optional<StoredTransaction> transaction(const std::string& id_hex);
  // An account's history: the transactions that name `text` (a participant's 64-hex key) as
  // signer or anywhere in the payload, newest first, strictly before (height, position)
  // `before` when given, at most `limit`. A scan of the transactions table.
  std::vector<StoredTransaction> transactions_naming(const std::string& text,
                                                     std::optional<std::pair<std::int64_t, std::int64_t>> before,
                                                     std::size_t limit);
  State::Entries load_state();
  // Highest height any transaction row names (0 when none).
  std::int64_t max_transaction_height();

  // Holds one read transaction, so that a long series of reads sees one consistent chain
  // while a node keeps writing (WAL).
  void begin_snapshot() { execute("BEGIN"); }
  void end_snapshot() { execute("COMMIT"); }

  void commit_block(const BlockRecord& record, const WriteSet& state_changes);

 private:
  Store(sqlite3* database, int lock_fd);
  void execute(const char* sql);
  sqlite3_stmt* prepared(const char* sql);

  sqlite3* database_;
  int lock_fd_;  // -1 for a read-only store
  std::vector<std::pair<const char*, sqlite3_stmt*>> statements_;
};

}  // namespace flex
