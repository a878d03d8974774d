#include "tests/sim/sim_ledger.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"
#include "node/block_check.hpp"

namespace flex::sim {

bool SignatureMemo::transaction(const Transaction& transaction) {
  auto [entry, inserted] = transactions_.try_emplace(transaction.id, false);
  if (inserted) entry->second = verify_transaction_signature(transaction);
  return entry->second;
}

bool SignatureMemo::consensus(const Signature& signature, const Hash32& digest, const PublicKey& key) {
  std::array<std::uint8_t, 128> memo_key{};
  std::memcpy(memo_key.data(), signature.data(), 64);
  std::memcpy(memo_key.data() + 64, digest.data(), 32);
  std::memcpy(memo_key.data() + 96, key.data(), 32);
  auto [entry, inserted] = signatures_.try_emplace(memo_key, false);
  if (inserted) entry->second = schnorr_verify(signature, digest, key);
  return entry->second;
}

SimLedger::SimLedger(const Genesis& genesis, const State::Entries& initial_state, SignatureMemo& memo,
                     std::int64_t max_clock_ahead_seconds)
    : state_(initial_state), memo_(memo), max_clock_ahead_seconds_(max_clock_ahead_seconds) {
  tip_.chain_id = genesis.chain_id;
  tip_.height = 0;
  tip_.last_block_hash = genesis.hash();
  tip_.last_block_time = genesis.genesis_time;
  tip_.app_hash = state_.app_hash();
  validator_set_hash_ = validator_set_hash(validators_from_state(state_));
}

Status SimLedger::submit(const Transaction& transaction) {
  if (transaction.canonical.size() > limits::max_transaction_bytes) return reject("tx.too_large", "too large");
  if (!memo_.transaction(transaction)) return reject("tx.bad_signature", "the signature does not verify");
  StateOverlay view(state_);
  if (auto envelope = check_envelope(view, transaction, tip_.chain_id); !envelope) return envelope;
  return mempool_->add(transaction);
}

std::int64_t SimLedger::last_nonce(const PublicKey& signer) const {
  auto value = state_.get(keys::nonce(signer));
  return value ? Json::parse(*value).get<std::int64_t>() : 0;
}

std::shared_ptr<const Block> SimLedger::build_block(std::int64_t time, const PublicKey& proposer,
                                                    std::size_t max_transactions) {
  auto block = std::make_shared<Block>();
  BlockHeader& header = block->header;
  header.chain_id = tip_.chain_id;
  header.height = tip_.height + 1;
  header.time = time;
  header.previous_hash = tip_.last_block_hash;
  header.proposer = proposer;
  header.validator_set_hash = validator_set_hash_;

  // As Chain::propose: an inadmissible pending transaction is left out and dropped.
  BlockBuilder builder(state_, ExecutionContext{header.height, header.time, tip_.app_hash});
  std::vector<Hash32> dropped;
  for (auto& transaction : mempool_->reap(max_transactions, limits::max_block_bytes)) {
    if (builder.add(transaction)) {
      block->transactions.push_back(std::move(transaction));
    } else {
      dropped.push_back(transaction.id);
    }
  }
  if (!dropped.empty()) mempool_->remove_ids(dropped);
  BlockExecution execution = builder.finish();
  header.tx_root = transactions_root(block->transactions);
  header.app_hash = execution.app_hash;
  checked_[block_hash(header)] = std::move(execution);
  return block;
}

std::shared_ptr<const Block> SimLedger::propose(std::int64_t now_seconds, const PublicKey& proposer) {
  // Block time never goes back, as in Chain::propose.
  return build_block(std::max(now_seconds, tip_.last_block_time), proposer, limits::max_transactions_per_block);
}

Status SimLedger::validate(const Block& block, std::int64_t now_seconds) {
  Hash32 id = block_hash(block.header);
  if (checked_.count(id)) return ok_status();  // built or validated on this very tip
  auto execution = check_next_block(state_, tip_, block, now_seconds, max_clock_ahead_seconds_,
                                    [this](const Transaction& transaction) { return memo_.transaction(transaction); });
  if (!execution) return execution.rejection();
  checked_[id] = std::move(*execution);
  return ok_status();
}

void SimLedger::commit(const Block& block, const Commit& commit) {
  const BlockHeader& header = block.header;
  Hash32 id = block_hash(header);
  if (header.height != tip_.height + 1 || header.previous_hash != tip_.last_block_hash) {
    throw std::logic_error("commit of a block that does not extend the tip");
  }
  if (commit.block_hash != id || commit.height != header.height) throw std::logic_error("commit does not sign this block");
  auto checked = checked_.find(id);
  if (checked == checked_.end()) throw std::logic_error("commit of a block neither proposed nor validated here");
  state_.apply(checked->second.writes);
  tip_.height = header.height;
  tip_.last_block_hash = id;
  tip_.last_block_time = header.time;
  tip_.app_hash = header.app_hash;
  mempool_->remove(block.transactions);
  blocks_.push_back(StoredBlock{std::make_shared<const Block>(block), commit});
  checked_.clear();  // every cached execution was on the old tip
}

std::optional<std::pair<Block, Commit>> SimLedger::committed_block(std::int64_t height) const {
  const StoredBlock* found = stored(height);
  if (!found) return std::nullopt;
  return std::make_pair(*found->block, found->commit);
}

const StoredBlock* SimLedger::stored(std::int64_t height) const {
  if (height < 1 || height > tip_.height) return nullptr;
  return &blocks_[static_cast<std::size_t>(height - 1)];
}

void SimLedger::lose_volatile_state() {
  mempool_ = std::make_unique<Mempool>();
  checked_.clear();
}

}  // namespace flex::sim
