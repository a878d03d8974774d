#include "node/chain.hpp"

#include "contracts/state_keys.hpp"
#include "node/log.hpp"

namespace flex {

std::unique_ptr<Chain> Chain::open(const std::string& store_path, const std::optional<Genesis>& genesis,
                                   ChainOptions options) {
  auto store = Store::open(store_path);
  std::optional<Genesis> stored_genesis;
  if (auto text = store->meta("genesis")) {
    auto parsed = parse_stored_genesis(*text);
    if (!parsed) throw std::runtime_error("stored genesis is invalid: " + parsed.rejection().message);
    stored_genesis = *parsed;
    if (genesis && genesis->canonical() != stored_genesis->canonical()) {
      throw std::runtime_error("the genesis file differs from the genesis this data directory was created with");
    }
  } else {
    if (!genesis) throw std::runtime_error("empty data directory and no genesis given");
    store->initialize(genesis->chain_id, genesis->canonical(), genesis_state(*genesis));
    stored_genesis = genesis;
  }
  return std::unique_ptr<Chain>(new Chain(std::move(store), store_path, *stored_genesis, options));
}

Chain::Chain(std::unique_ptr<Store> store, const std::string& store_path, Genesis genesis, ChainOptions options)
    : options_(options),
      genesis_(std::move(genesis)),
      mempool_(options.mempool),
      store_(std::move(store)),
      reader_(Store::open(store_path, Store::Mode::ReadOnly)) {
  state_ = State(store_->load_state());
  height_ = store_->height();
  genesis_hash_ = genesis_.hash();
  app_hash_ = state_.app_hash();
  last_block_hash_ = genesis_hash_;
  last_block_time_ = genesis_.genesis_time;
  if (height_ > 0) {
    auto last = store_->block(height_);
    auto header = header_from_json(Json::parse(last->header_json));
    if (!header) throw StoreError("stored header at height " + std::to_string(height_) + " is malformed");
    last_block_hash_ = block_hash(*header);
    last_block_time_ = header->time;
    if (header->app_hash != app_hash_) {
      throw StoreError("stored state does not match the app hash of block " + std::to_string(height_));
    }
  }
}

Result<Hash32> Chain::submit(std::string_view bytes) {
  auto decoded = decode_transaction(bytes);
  if (!decoded) return decoded.rejection();
  return submit(std::move(*decoded));
}

Result<Hash32> Chain::submit(Transaction transaction) {
  if (transaction.canonical.size() > limits::max_transaction_bytes) {
    return reject("tx.too_large", "transaction of " + std::to_string(transaction.canonical.size()) + " bytes exceeds the limit of " +
                                      std::to_string(limits::max_transaction_bytes));
  }
  if (!verify_transaction_signature(transaction)) {
    return reject("tx.bad_signature", "the signature does not verify for the signer's key");
  }
  Hash32 id = transaction.id;
  std::string canonical = on_admitted_ ? transaction.canonical : std::string();  // the mempool takes the original
  {
    std::shared_lock lock(state_mutex_);
    StateOverlay view(state_);
    if (auto envelope = check_envelope(view, transaction, genesis_.chain_id); !envelope) return envelope.rejection();
    if (auto added = mempool_.add(std::move(transaction)); !added) return added.rejection();
  }
  if (on_admitted_) on_admitted_(canonical);
  return id;
}

Proposal Chain::propose(std::int64_t now_seconds, const PublicKey& proposer) {
  std::shared_lock lock(state_mutex_);
  Proposal proposal;
  BlockHeader& header = proposal.block.header;
  header.chain_id = genesis_.chain_id;
  header.height = height_ + 1;
  header.time = std::max(now_seconds, last_block_time_);  // block time never goes back
  header.previous_hash = last_block_hash_;
  header.proposer = proposer;
  header.validator_set_hash = validator_set_hash(validators_from_state(state_));

  BlockBuilder builder(state_, ExecutionContext{header.height, header.time, app_hash_});
  std::vector<Hash32> dropped;
  for (auto& transaction : mempool_.reap(options_.max_block_transactions, options_.max_block_bytes)) {
    if (builder.add(transaction)) {
      proposal.block.transactions.push_back(std::move(transaction));
    } else {
      dropped.push_back(transaction.id);
    }
  }
  if (!dropped.empty()) {
    mempool_.remove_ids(dropped);
    log::warn("mempool.dropped_inadmissible", {{"count", dropped.size()}});
  }
  proposal.execution = builder.finish();
  header.tx_root = transactions_root(proposal.block.transactions);
  header.app_hash = proposal.execution.app_hash;
  return proposal;
}

Result<Proposal> Chain::validate(const Block& block, std::int64_t now_seconds,
                                 std::int64_t max_clock_ahead_seconds) const {
  std::shared_lock lock(state_mutex_);
  ChainTip tip{genesis_.chain_id, height_, last_block_hash_, last_block_time_, app_hash_};
  auto execution = check_next_block(state_, tip, block, now_seconds, max_clock_ahead_seconds);
  if (!execution) return execution.rejection();
  return Proposal{block, std::move(*execution)};
}

void Chain::commit(const Proposal& proposal, const Commit& commit) {
  auto started = std::chrono::steady_clock::now();
  const BlockHeader& header = proposal.block.header;
  {
    std::shared_lock lock(state_mutex_);
    if (header.height != height_ + 1 || header.previous_hash != last_block_hash_) {
      throw std::logic_error("commit of a block that does not extend the tip");
    }
    if (commit.block_hash != block_hash(header) || commit.height != header.height) {
      throw std::logic_error("commit does not sign this block");
    }
  }
  {
    // The state lock is not held here: submissions go on while the disk syncs.
    std::lock_guard lock(store_mutex_);
    store_->commit_block(BlockRecord{header, commit, proposal.block.transactions, proposal.execution.receipts},
                         proposal.execution.writes);
  }
  {
    std::unique_lock lock(state_mutex_);
    state_.apply(proposal.execution.writes);
    height_ = header.height;
    last_block_hash_ = commit.block_hash;
    last_block_time_ = header.time;
    app_hash_ = header.app_hash;
    // Inside the lock, so no submission sees a transaction both committed and pending.
    mempool_.remove(proposal.block.transactions);
  }
  last_commit_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  height_changed_.notify_all();
  if (on_committed_) on_committed_(header.height, proposal.execution.writes);
}

Receipt Chain::dry_run(const Transaction& transaction, std::int64_t now_seconds) const {
  std::shared_lock lock(state_mutex_);
  StateOverlay view(state_);
  if (auto envelope = check_envelope(view, transaction, genesis_.chain_id); !envelope) {
    return Receipt{envelope.rejection().code, envelope.rejection().message};
  }
  ExecutionContext context{height_ + 1, std::max(now_seconds, last_block_time_), app_hash_};
  return execute_transaction(view, context, transaction);
}

std::int64_t Chain::last_nonce(const PublicKey& signer) const {
  std::shared_lock lock(state_mutex_);
  auto value = state_.get(keys::nonce(signer));
  return value ? Json::parse(*value).get<std::int64_t>() : 0;
}

ChainStatus Chain::status() const {
  std::shared_lock lock(state_mutex_);
  return ChainStatus{genesis_.chain_id, height_, app_hash_, last_block_hash_, last_block_time_,
                     genesis_hash_, mempool_.size(), mempool_.bytes()};
}

std::vector<Validator> Chain::validators() const {
  std::shared_lock lock(state_mutex_);
  return validators_from_state(state_);
}

bool Chain::wait_for_height(std::int64_t height, std::chrono::milliseconds timeout) const {
  std::shared_lock lock(state_mutex_);
  return height_changed_.wait_for(lock, timeout, [&] { return height_ >= height; });
}

std::optional<StoredBlock> Chain::block(std::int64_t height) {
  std::lock_guard lock(reader_mutex_);
  return reader_->block(height);
}

std::vector<StoredTransaction> Chain::block_transactions(std::int64_t height) {
  std::lock_guard lock(reader_mutex_);
  return reader_->block_transactions(height);
}

std::optional<StoredTransaction> Chain::transaction(const std::string& id_hex) {
  std::optional<StoredTransaction> stored;
  {
    std::lock_guard lock(reader_mutex_);
    stored = reader_->transaction(id_hex);
  }
  // A block is in the store a moment before its writes reach the state: until then its
  // transactions are not reported committed, so whoever sees one committed also sees its
  // effects (a newly admitted signer, say).
  if (stored && stored->height > status().height) return std::nullopt;
  return stored;
}

std::vector<StoredTransaction> Chain::transactions_naming(const std::string& text,
                                                         std::optional<std::pair<std::int64_t, std::int64_t>> before,
                                                         std::size_t limit) {
  std::lock_guard lock(reader_mutex_);
  return reader_->transactions_naming(text, before, limit);
}

}  // namespace flex
