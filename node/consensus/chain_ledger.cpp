#include "node/consensus/chain_ledger.hpp"

namespace flex::consensus {

ChainLedger::ChainLedger(Chain& chain) : chain_(chain) {}

std::shared_ptr<const Block> ChainLedger::remember(Proposal proposal) {
  auto kept = std::make_shared<const Proposal>(std::move(proposal));
  proposals_[block_hash(kept->block.header)] = kept;
  return std::shared_ptr<const Block>(kept, &kept->block);  // shares the proposal, copies nothing
}

std::shared_ptr<const Block> ChainLedger::propose(std::int64_t now_seconds, const PublicKey& proposer) {
  return remember(chain_.propose(now_seconds, proposer));
}

Status ChainLedger::validate(const Block& block, std::int64_t now_seconds) {
  if (proposals_.count(block_hash(block.header))) return ok_status();
  auto proposal = chain_.validate(block, now_seconds, max_clock_ahead_seconds);
  if (!proposal) return proposal.rejection();
  remember(std::move(*proposal));
  return ok_status();
}

void ChainLedger::commit(const Block& block, const Commit& commit) {
  auto found = proposals_.find(block_hash(block.header));
  if (found == proposals_.end()) throw std::logic_error("commit of a block that was neither proposed nor validated");
  auto proposal = found->second;
  proposals_.clear();  // the height is decided: every other candidate is void
  chain_.commit(*proposal, commit);
}

std::optional<std::pair<Block, Commit>> ChainLedger::committed_block(std::int64_t height) const {
  auto stored = chain_.block(height);
  if (!stored) return std::nullopt;
  auto header = header_from_json(Json::parse(stored->header_json));
  auto commit = commit_from_json(Json::parse(stored->commit_json));
  if (!header || !commit) return std::nullopt;
  Block block{*header, {}};
  for (const auto& row : chain_.block_transactions(height)) {
    auto transaction = decode_transaction(row.body);
    if (!transaction) return std::nullopt;
    block.transactions.push_back(std::move(*transaction));
  }
  return std::pair{std::move(block), std::move(*commit)};
}

}  // namespace flex::consensus
