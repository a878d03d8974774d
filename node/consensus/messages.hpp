// The signed messages of Tendermint consensus: proposals and votes (PROTOCOL.md §7).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ledger/block.hpp"
#include "ledger/result.hpp"

namespace flex::consensus {

enum class Step : std::uint8_t { propose = 1, prevote = 2, precommit = 3 };
std::string_view step_name(Step step);

using SignedVote = flex::SignedVote;  // ledger/block.hpp: evidence records it too

struct SignedProposal {
  std::int64_t height = 0;
  std::int64_t round = 0;
  std::int64_t valid_round = -1;  // -1, or the round of the proof-of-lock being re-proposed
  Hash32 block_id{};              // block_hash(block->header)
  std::shared_ptr<const Block> block;
  PublicKey signer{};
  Signature signature{};

  Hash32 digest(const std::string& chain_id) const {
    return proposal_digest(chain_id, height, round, valid_round, block_id);
  }
};

// JSON forms (canonical when serialised with to_canonical), for the privval store and the
// wire. Decoders check shape only, never signatures; code consensus.malformed.
//   vote:     {"block_hash":HEX64|null,"height","round","signature","type","validator"}
//   block:    {"header":{...PROTOCOL §7},"transactions":[canonical transaction, ...]}
//   proposal: {"block":block,"block_hash","height","round","signature","signer","valid_round"}
Json vote_to_json(const SignedVote& vote);
Result<SignedVote> vote_from_json(const Json& json);
Json block_to_json(const Block& block);
Result<Block> block_from_json(const Json& json);
Json proposal_to_json(const SignedProposal& proposal);
Result<SignedProposal> proposal_from_json(const Json& json);

}  // namespace flex::consensus
