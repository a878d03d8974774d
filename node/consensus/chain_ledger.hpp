// The node's Chain as consensus sees it (LedgerPort). Blocks this node built or validated
// are kept with their execution until the height is committed, so no block runs twice.
#pragma once

#include <map>
#include <mutex>

#include "node/chain.hpp"
#include "node/consensus/driver.hpp"

namespace flex::consensus {

class ChainLedger final : public LedgerPort {
 public:
  explicit ChainLedger(Chain& chain);

  const std::string& chain_id() const override { return chain_.genesis().chain_id; }
  std::int64_t height() const override { return chain_.status().height; }
  bool has_pending_transactions() const override { return chain_.mempool_size() > 0; }
  std::shared_ptr<const Block> propose(std::int64_t now_seconds, const PublicKey& proposer) override;
  Status validate(const Block& block, std::int64_t now_seconds) override;
  void commit(const Block& block, const Commit& commit) override;
  std::optional<std::pair<Block, Commit>> committed_block(std::int64_t height) const override;

  std::int64_t max_clock_ahead_seconds = 10;

 private:
  std::shared_ptr<const Block> remember(Proposal proposal);

  Chain& chain_;
  std::map<Hash32, std::shared_ptr<const Proposal>> proposals_;  // of the height in progress, by block hash
};

}  // namespace flex::consensus
