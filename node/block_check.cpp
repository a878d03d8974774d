#include "node/block_check.hpp"

#include <algorithm>

#include "contracts/genesis.hpp"
#include "ledger/limits.hpp"

namespace flex {

Result<BlockExecution> check_next_block(const State& state, const ChainTip& tip, const Block& block,
                                        std::int64_t now_seconds, std::int64_t max_clock_ahead_seconds,
                                        const std::function<bool(const Transaction&)>& signature_ok) {
  const BlockHeader& header = block.header;
  if (header.chain_id != tip.chain_id) return reject("block.wrong_chain", "the block is for chain " + header.chain_id);
  if (header.height != tip.height + 1) {
    return reject("block.wrong_height", "the block is for height " + std::to_string(header.height) +
                                            ", the next height is " + std::to_string(tip.height + 1));
  }
  if (header.previous_hash != tip.last_block_hash) {
    return reject("block.wrong_previous", "the block does not link to the last block");
  }
  if (header.time < tip.last_block_time) {
    return reject("block.time_before_previous", "the block time is before the previous block's");
  }
  if (header.time > now_seconds + max_clock_ahead_seconds) {
    return reject("block.time_in_future", "the block time is " + std::to_string(header.time - now_seconds) +
                                              " s ahead of this node's clock");
  }
  auto validators = validators_from_state(state);
  if (std::none_of(validators.begin(), validators.end(),
                   [&](const Validator& v) { return v.public_key == header.proposer; })) {
    return reject("block.unknown_proposer", "the block's proposer is not a validator");
  }
  if (header.validator_set_hash != validator_set_hash(validators)) {
    return reject("block.wrong_validator_set", "the block names another validator set");
  }
  std::size_t bytes = 0;
  for (const auto& transaction : block.transactions) bytes += transaction.canonical.size();
  if (block.transactions.size() > limits::max_transactions_per_block || bytes > limits::max_block_bytes) {
    return reject("block.too_large", "the block holds " + std::to_string(block.transactions.size()) +
                                         " transactions of " + std::to_string(bytes) + " bytes");
  }
  for (std::size_t i = 0; i < block.transactions.size(); ++i) {
    const auto& transaction = block.transactions[i];
    if (!(signature_ok ? signature_ok(transaction) : verify_transaction_signature(transaction))) {
      return reject("block.bad_transaction_signature",
                    "the signature of transaction " + std::to_string(i) + " does not verify");
    }
  }
  if (header.tx_root != transactions_root(block.transactions)) {
    return reject("block.wrong_tx_root", "the transaction root does not match the transactions");
  }
  auto execution = execute_block(state, ExecutionContext{header.height, header.time, tip.app_hash}, block.transactions);
  if (!execution) return execution.rejection();
  if (execution->app_hash != header.app_hash) {
    return reject("block.wrong_app_hash", "executing the block gives another app hash");
  }
  return execution;
}

}  // namespace flex
