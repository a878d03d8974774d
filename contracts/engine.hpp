// The rules engine: a pure function (state, ordered transactions) -> (state', receipts).
// No clock (block time comes from the context), no I/O, no floats, no unordered iteration.
//
// Two levels of rejection:
//   - envelope rejections (wrong chain, unknown type or signer, stale nonce) make a
//     transaction inadmissible: the mempool refuses it and a block holding one is invalid;
//   - payload rejections (a rule of the transaction type) are recorded in the block as a
//     receipt with the stable code; the nonce is consumed and nothing else changes.
// Signatures are checked by the caller before execution (in parallel, see node/).
#pragma once

#include <vector>

#include "ledger/state.hpp"
#include "ledger/store.hpp"
#include "ledger/transaction.hpp"

namespace flex {

struct ExecutionContext {
  std::int64_t height = 0;
  std::int64_t time = 0;          // block time, UTC seconds
  Hash32 previous_app_hash{};     // the app hash after the block before (for the daily digest)
};

// Codes: tx.wrong_chain, tx.unknown_type, tx.unknown_signer, tx.stale_nonce. The signer must
// be a participant, or for evidence.duplicate_vote a validator of the state.
Status check_envelope(const StateOverlay& state, const Transaction& transaction);
// The same, with the chain id (fixed by genesis) already known to the caller.
Status check_envelope(const StateOverlay& state, const Transaction& transaction, const std::string& chain_id);

// Runs one admissible transaction; always consumes its nonce.
Receipt execute_transaction(StateOverlay& state, const ExecutionContext& context,
                            const Transaction& transaction);

struct BlockExecution {
  WriteSet writes;
  std::vector<Receipt> receipts;
  Hash32 app_hash{};
};

// Builds a block one transaction at a time: the proposer's path, where an inadmissible
// transaction is left out instead of invalidating the block.
class BlockBuilder {
 public:
  BlockBuilder(const State& base, const ExecutionContext& context);
  // Rejects (and leaves state untouched) when the transaction is inadmissible.
  Status add(const Transaction& transaction);
  // Ends the block; the builder is spent afterwards.
  BlockExecution finish();

 private:
  const State& base_;
  ExecutionContext context_;
  StateOverlay state_;
  std::string chain_id_;  // read once per block; genesis fixes it
  std::vector<Receipt> receipts_;
  std::vector<Hash32> transaction_ids_;  // for the daily digest
};

// Executes a block's transactions in order. A block holding an inadmissible transaction
// is rejected whole (code block.invalid_transaction) and nothing is changed.
Result<BlockExecution> execute_block(const State& base, const ExecutionContext& context,
                                     const std::vector<Transaction>& transactions);

bool is_known_transaction_type(std::string_view type);
// Whether the role is in the type's row of docs/ROLES.md (ownership rules come on top).
bool role_may_submit(std::string_view type, std::string_view role);

}  // namespace flex
