// SimLedger: a node's chain for the simulator. The real contracts (BlockBuilder,
// check_next_block) over an in-memory State, with a real Mempool; no SQLite. Its committed
// blocks are the node's disk and survive a crash; the mempool and the cache of checked
// blocks are memory and do not.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <vector>

#include "contracts/engine.hpp"
#include "contracts/genesis.hpp"
#include "node/block_check.hpp"
#include "node/consensus/driver.hpp"
#include "node/mempool.hpp"

namespace flex::sim {

// Each distinct signature of a world is verified once, for real: n nodes checking the same
// vote or transaction would otherwise cost n verifications and dominate the run time.
class SignatureMemo {
 public:
  bool transaction(const Transaction& transaction);
  bool consensus(const Signature& signature, const Hash32& digest, const PublicKey& key);

 private:
  std::map<Hash32, bool> transactions_;  // by transaction id, which covers the signature
  std::map<std::array<std::uint8_t, 128>, bool> signatures_;  // signature || digest || key
};

struct StoredBlock {
  std::shared_ptr<const Block> block;
  Commit commit;
};

class SimLedger final : public consensus::LedgerPort {
 public:
  SimLedger(const Genesis& genesis, const State::Entries& initial_state, SignatureMemo& memo,
            std::int64_t max_clock_ahead_seconds);

  const std::string& chain_id() const override { return tip_.chain_id; }
  std::int64_t height() const override { return tip_.height; }
  bool has_pending_transactions() const override { return mempool_->size() > 0; }
  std::shared_ptr<const Block> propose(std::int64_t now_seconds, const PublicKey& proposer) override;
  Status validate(const Block& block, std::int64_t now_seconds) override;
  void commit(const Block& block, const Commit& commit) override;
  std::optional<std::pair<Block, Commit>> committed_block(std::int64_t height) const override;

  // Admission as Chain::submit: signature, envelope against the committed state, mempool.
  Status submit(const Transaction& transaction);
  // A block at `time` from at most `max_transactions` pending transactions, remembered as
  // checked (propose() and the Byzantine proposer's second block both come from here).
  std::shared_ptr<const Block> build_block(std::int64_t time, const PublicKey& proposer, std::size_t max_transactions);
  // A crash loses what a node holds in memory.
  void lose_volatile_state();

  const StoredBlock* stored(std::int64_t height) const;
  const ChainTip& tip() const { return tip_; }
  Hash32 state_app_hash() const { return state_.app_hash(); }
  std::size_t pending_transactions() const { return mempool_->size(); }
  // The signer's last committed nonce (0 when none), as Chain::last_nonce.
  std::int64_t last_nonce(const PublicKey& signer) const;
  // Whether the committed state holds `key`.
  bool holds(const std::string& key) const { return state_.get(key).has_value(); }

 private:
  ChainTip tip_;
  State state_;
  SignatureMemo& memo_;
  std::int64_t max_clock_ahead_seconds_;
  Hash32 validator_set_hash_{};
  std::unique_ptr<Mempool> mempool_ = std::make_unique<Mempool>();
  std::map<Hash32, BlockExecution> checked_;  // blocks of the next height built or validated here
  std::vector<StoredBlock> blocks_;           // blocks_[h - 1] is height h
};

}  // namespace flex::sim
