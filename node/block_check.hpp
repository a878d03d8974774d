// Whether a proposed block is a valid next block on a node's tip: PROTOCOL.md §10 steps 1-3
// (the checks a verifier makes of a stored block, less the stored hash and receipts) plus a
// bound on how far its time may run ahead of the local clock. Consensus asks this of every
// proposal it did not build itself (valid(v) in Algorithm 1). Shared by Chain and the
// simulator's ledger, so both judge blocks by the same code.
#pragma once

#include <functional>

#include "contracts/engine.hpp"
#include "ledger/block.hpp"

namespace flex {

struct ChainTip {
  std::string chain_id;
  std::int64_t height = 0;  // committed
  Hash32 last_block_hash{};  // the genesis hash at height 0
  std::int64_t last_block_time = 0;
  Hash32 app_hash{};
};

// Codes, in the order checked: block.wrong_chain, block.wrong_height, block.wrong_previous,
// block.time_before_previous, block.time_in_future, block.unknown_proposer,
// block.wrong_validator_set, block.too_large, block.bad_transaction_signature,
// block.wrong_tx_root, block.invalid_transaction, block.wrong_app_hash.
// `signature_ok` defaults to verify_transaction_signature.
Result<BlockExecution> check_next_block(const State& state, const ChainTip& tip, const Block& block,
                                        std::int64_t now_seconds, std::int64_t max_clock_ahead_seconds,
                                        const std::function<bool(const Transaction&)>& signature_ok = nullptr);

}  // namespace flex
