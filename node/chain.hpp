// The node's view of the chain: the store, the state after the last block, and the
// mempool. Consensus drives it through propose() and commit(), from one thread; the API
// submits and reads from many.
//
// Locking, so that submissions never wait for the disk: signatures are verified with no
// lock; submit() and propose() share the state lock; commit() writes SQLite under the
// store lock only, then takes the state lock exclusively just to apply the block's writes.
// Queries use a second, read-only SQLite connection (WAL lets it read while a block is
// being written).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "contracts/engine.hpp"
#include "contracts/genesis.hpp"
#include "ledger/limits.hpp"
#include "ledger/store.hpp"
#include "node/block_check.hpp"
#include "node/mempool.hpp"

namespace flex {

struct ChainOptions {
  MempoolLimits mempool;
  std::size_t max_block_transactions = limits::max_transactions_per_block;
  std::size_t max_block_bytes = limits::max_block_bytes;
};

struct ChainStatus {
  std::string chain_id;
  std::int64_t height = 0;
  Hash32 app_hash{};
  Hash32 last_block_hash{};  // the genesis hash at height 0
  std::int64_t last_block_time = 0;
  Hash32 genesis_hash{};
  std::size_t mempool_transactions = 0;
  std::size_t mempool_bytes = 0;
};

struct Proposal {
  Block block;
  BlockExecution execution;
};

class Chain {
 public:
  // Opens the store at `store_path`. An empty store is initialised from `genesis`; a store
  // that holds a genesis must hold this one (when given). Throws std::runtime_error.
  static std::unique_ptr<Chain> open(const std::string& store_path, const std::optional<Genesis>& genesis,
                                     ChainOptions options = {});

  // Decodes, verifies and admits a transaction to the mempool. Codes: tx.*, encoding.*,
  // mempool.*, and tx.bad_signature.
  Result<Hash32> submit(std::string_view bytes);
  Result<Hash32> submit(Transaction transaction);

  // The next block from the mempool; inadmissible transactions are dropped from it.
  Proposal propose(std::int64_t now_seconds, const PublicKey& proposer);
  // Whether `block` (proposed by another validator) is a valid next block on the tip: see
  // check_next_block. On success the proposal, with its execution, can be committed.
  Result<Proposal> validate(const Block& block, std::int64_t now_seconds, std::int64_t max_clock_ahead_seconds) const;
  // Persists a proposal (from propose() or validate() on the current tip) with its commit
  // and advances the state. Throws StoreError. Only the consensus thread calls it.
  void commit(const Proposal& proposal, const Commit& commit);

  ChainStatus status() const;
  const Genesis& genesis() const { return genesis_; }
  std::vector<Validator> validators() const;
  bool wait_for_height(std::int64_t height, std::chrono::milliseconds timeout) const;
  // Called (outside any lock, on the submitting thread) after each admitted transaction,
  // with its canonical bytes.
  void set_on_admitted(std::function<void(std::string_view canonical)> callback) { on_admitted_ = std::move(callback); }
  // Called (outside any lock, on the committing thread) after each block is applied, with its
  // height and state writes. Set before consensus starts.
  void set_on_committed(std::function<void(std::int64_t height, const WriteSet& writes)> callback) {
    on_committed_ = std::move(callback);
  }

  // Runs `read` on the committed state under the shared lock; it must not call back into Chain.
  template <class Read>
  auto read_state(Read&& read) const {
    std::shared_lock lock(state_mutex_);
    return read(static_cast<const State&>(state_));
  }
  // What `transaction` would do if it ran next, in a block at `now_seconds`, on the committed
  // state: the envelope check, then the contract; nothing is kept. (Begin-block work of that
  // block, such as expiries, is not run first.)
  Receipt dry_run(const Transaction& transaction, std::int64_t now_seconds) const;
  // The signer's last accepted nonce, 0 when it has none.
  std::int64_t last_nonce(const PublicKey& signer) const;
  // Milliseconds the last commit took (store write and state apply).
  std::int64_t last_commit_milliseconds() const { return last_commit_ms_.load(); }

  std::optional<StoredBlock> block(std::int64_t height);
  std::vector<StoredTransaction> block_transactions(std::int64_t height);
  // A committed transaction, once its block's writes are in the state (nullopt before).
  std::optional<StoredTransaction> transaction(const std::string& id_hex);
  // See Store::transactions_naming.
  std::vector<StoredTransaction> transactions_naming(const std::string& text,
                                                     std::optional<std::pair<std::int64_t, std::int64_t>> before,
                                                     std::size_t limit);
  std::size_t mempool_size() const { return mempool_.size(); }
  bool mempool_contains(const Hash32& id) const { return mempool_.contains(id); }

 private:
  Chain(std::unique_ptr<Store> store, const std::string& store_path, Genesis genesis, ChainOptions options);

  ChainOptions options_;
  Genesis genesis_;
  Hash32 genesis_hash_{};
  Mempool mempool_;
  std::function<void(std::string_view)> on_admitted_;
  std::function<void(std::int64_t, const WriteSet&)> on_committed_;
  std::atomic<std::int64_t> last_commit_ms_{0};

  std::mutex store_mutex_;  // guards store_, the writing connection
  std::unique_ptr<Store> store_;
  std::mutex reader_mutex_;  // guards reader_, the read-only connection
  std::unique_ptr<Store> reader_;

  mutable std::shared_mutex state_mutex_;  // guards everything below
  mutable std::condition_variable_any height_changed_;
  State state_;
  std::int64_t height_ = 0;
  Hash32 last_block_hash_{};
  std::int64_t last_block_time_ = 0;
  Hash32 app_hash_{};  // of state_, kept so status() costs nothing
};

}  // namespace flex
