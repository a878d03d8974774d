// Evidence of equivocation: two signed votes of one validator that conflict
// (docs/CONSENSUS-PLAN.md §3, docs/PROTOCOL.md §9). The handler is
// report_duplicate_vote (contracts/handlers.hpp); this header builds the transaction.
#pragma once

#include <optional>
#include <string>

#include "ledger/block.hpp"
#include "ledger/transaction.hpp"

namespace flex {

inline constexpr const char* duplicate_vote_type = "evidence.duplicate_vote";

// The payload for two votes of one validator, height, round and type, in either order:
// it lists them by block hash, nil first, as the handler requires.
Json duplicate_vote_payload(const SignedVote& first, const SignedVote& second);

// A signed evidence.duplicate_vote transaction by `reporter` (a validator's key).
Transaction make_duplicate_vote_evidence(const std::string& chain_id, const SecretKey& reporter, std::int64_t nonce,
                                         const SignedVote& first, const SignedVote& second,
                                         const Hash32& aux_random);

}  // namespace flex
