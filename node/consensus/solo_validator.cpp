#include "node/consensus/solo_validator.hpp"

#include "node/keyfile.hpp"
#include "node/log.hpp"

namespace flex {

SoloValidator::SoloValidator(Chain& chain, SecretKey key, const Clock& clock, SoloValidatorOptions options)
    : chain_(chain), key_(std::move(key)), clock_(clock), options_(options) {
  public_key_ = *derive_public_key(key_);
  auto validators = chain_.validators();
  if (validators.size() != 1 || validators[0].public_key != public_key_) {
    throw std::runtime_error("single-validator mode needs this node's key (" + to_hex(public_key_) +
                             ") to be the only validator in genesis");
  }
}

SoloValidator::~SoloValidator() { stop(); }

void SoloValidator::start() {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void SoloValidator::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

void SoloValidator::notify_transaction() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  wake_.notify_one();
}

void SoloValidator::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    bool timed_out = false;
    {
      std::unique_lock lock(mutex_);
      auto has_work = [&] { return pending_ || chain_.mempool_size() > 0; };
      if (options_.empty_block_interval.count() > 0) {
        timed_out = !wake_.wait_for(lock, stop, options_.empty_block_interval, has_work);
      } else {
        wake_.wait(lock, stop, has_work);
      }
      pending_ = false;
    }
    if (stop.stop_requested()) break;
    if (!timed_out && chain_.mempool_size() == 0) continue;
    try {
      produce_block();
    } catch (const std::exception& error) {
      // A local failure (disk full, I/O error): nothing was committed; stop producing.
      log::error("block.commit_failed", {{"reason", error.what()}});
      if (options_.on_failure) options_.on_failure(error.what());
      return;
    }
  }
}

void SoloValidator::produce_block() {
  Proposal proposal = chain_.propose(clock_.now_seconds(), public_key_);
  Commit commit;
  commit.height = proposal.block.header.height;
  commit.round = 0;
  commit.block_hash = block_hash(proposal.block.header);
  Hash32 digest = precommit_digest(proposal.block.header.chain_id, commit.height, commit.round, commit.block_hash);
  auto signature = schnorr_sign(key_, digest, random_bytes32());
  if (!signature) throw std::runtime_error("signing the precommit failed");
  commit.signatures.push_back(CommitSignature{public_key_, *signature});
  chain_.commit(proposal, commit);
  log::info("block.committed", {{"height", commit.height},
                                {"transactions", proposal.block.transactions.size()},
                                {"hash", to_hex(commit.block_hash)}});
}

}  // namespace flex
