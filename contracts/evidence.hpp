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

// One signed vote, in plain fields so that contracts/ needs nothing from node/consensus
// (its SignedVote has the same members).
struct ReportedVote {
  VoteType type = VoteType::prevote;
  std::int64_t height = 0;
  std::int64_t round = 0;
  std::optional<Hash32> block;  // nullopt: a vote for nil
  PublicKey validator{};
  Signature signature{};
};

// The payload for two votes of one validator, height, round and type, in either order:
// it lists them by block hash, nil first, as the handler requires.
Json duplicate_vote_payload(const ReportedVote& first, const ReportedVote& second);

// A signed evidence.duplicate_vote transaction by `reporter` (a validator's key).
Transaction make_duplicate_vote_evidence(const std::string& chain_id, const SecretKey& reporter, std::int64_t nonce,
                                         const ReportedVote& first, const ReportedVote& second,
                                         const Hash32& aux_random);

}  // namespace flex
