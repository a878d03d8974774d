// Equivocation evidence (docs/CONSENSUS-PLAN.md §3, docs/PROTOCOL.md §9).
//   evidence.duplicate_vote {"height":N,"round":R,"type":"prevote"|"precommit","validator":HEX64,
//                            "votes":[{"block_hash":HEX64|null,"signature":HEX128},{...}]}
// Signed by any validator of the state, as a validator and not as a participant (the
// envelope checks that, contracts/engine.cpp). The two votes are the validator's signatures
// of vote_digest for the same height, round and type and different block hashes, listed
// by block hash with nil (null) first. Each equivocation is recorded once:
//   evidence/<validator>/<height:16>/<round:16>/<type>
//     {"height":N,"reported_height":H,"reporter":HEX64,"round":R,"type":S,"validator":HEX64,
//      "votes":[{"block_hash":HEX64|null,"signature":HEX128},{...}]}
// where H is the height of the block that recorded it. Conflicting proposals are not evidence.
#include "contracts/evidence.hpp"

#include <array>
#include <cassert>

#include "contracts/handlers.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

struct EvidenceVote {
  std::optional<Hash32> block;
  Signature signature{};
};

struct DuplicateVote {
  std::int64_t height = 0;
  std::int64_t round = 0;
  VoteType type = VoteType::prevote;
  PublicKey validator{};
  std::array<EvidenceVote, 2> votes;
};

Rejection malformed(const std::string& why) { return reject("evidence.malformed", why); }

Json vote_to_json(const std::optional<Hash32>& block, const Signature& signature) {
  return Json{{"block_hash", block ? Json(to_hex(*block)) : Json(nullptr)}, {"signature", to_hex(signature)}};
}

Result<EvidenceVote> parse_vote(const Json& vote) {
  if (!vote.is_object() || !vote.contains("block_hash")) return malformed("a vote is {\"block_hash\",\"signature\"}");
  EvidenceVote parsed;
  if (!vote["block_hash"].is_null()) {
    auto block = hex_field<32>(vote, "block_hash");
    if (!block) return malformed("a vote's block_hash is 64 hex or null");
    parsed.block = *block;
  }
  auto signature = hex_field<64>(vote, "signature");
  if (!signature) return malformed("a vote's signature is 128 hex");
  parsed.signature = *signature;
  return parsed;
}

// Shape only, and the votes' order; nothing here reads state.
Result<DuplicateVote> parse_duplicate_vote(const Json& payload) {
  DuplicateVote evidence;
  if (!integer_field(payload, "height", evidence.height) || evidence.height < 1 ||
      evidence.height > limits::max_json_integer) {
    return malformed("height must be an integer in [1, 2^53-1]");
  }
  if (!integer_field(payload, "round", evidence.round) || evidence.round < 0 ||
      evidence.round > limits::max_json_integer) {
    return malformed("round must be an integer in [0, 2^53-1]");
  }
  const std::string type = text_member(payload, "type");
  if (type != "prevote" && type != "precommit") return malformed("type must be prevote or precommit");
  evidence.type = type == "prevote" ? VoteType::prevote : VoteType::precommit;
  auto validator = hex_field<32>(payload, "validator");
  if (!validator) return malformed("validator must be a 64-hex public key");
  evidence.validator = *validator;
  if (!payload.contains("votes") || !payload["votes"].is_array() || payload["votes"].size() != 2) {
    return malformed("votes must list exactly two votes");
  }
  for (std::size_t i = 0; i < 2; ++i) {
    auto vote = parse_vote(payload["votes"][i]);
    if (!vote) return vote.rejection();
    evidence.votes[i] = *vote;
  }
  // std::optional orders nullopt (a nil vote) before every hash; equal hashes are the next rule.
  if (evidence.votes[1].block < evidence.votes[0].block) {
    return malformed("votes must be ordered by block_hash, null first");
  }
  return evidence;
}

}  // namespace

Status report_duplicate_vote(HandlerContext& context) {
  auto evidence = parse_duplicate_vote(context.transaction.payload);
  if (!evidence) return evidence.rejection();
  const auto& [first, second] = evidence->votes;
  if (first.block == second.block) {
    return reject("evidence.not_conflicting", "both votes are for the same block hash");
  }
  if (!is_validator(context.state, evidence->validator)) {
    return reject("evidence.unknown_validator", to_hex(evidence->validator) + " is not a validator");
  }
  if (evidence->height > context.block.height) {
    return reject("evidence.future", "height " + std::to_string(evidence->height) + " is above this block's " +
                                         std::to_string(context.block.height));
  }
  const std::string chain_id = (*read_json(context.state, keys::chain))["chain_id"].get<std::string>();
  for (const EvidenceVote& vote : evidence->votes) {
    Hash32 digest = vote_digest(evidence->type, chain_id, evidence->height, evidence->round, vote.block);
    if (!schnorr_verify(vote.signature, digest, evidence->validator)) {
      return reject("evidence.bad_signature", "a vote's signature does not verify under the validator's key");
    }
  }
  const std::string type_name(vote_type_name(evidence->type));
  std::string key = keys::evidence(evidence->validator, evidence->height, evidence->round, type_name);
  if (context.state.get(key)) return reject("evidence.duplicate", "this equivocation is already recorded");
  Json record{{"height", evidence->height},
              {"reported_height", context.block.height},
              {"reporter", to_hex(context.transaction.signer)},
              {"round", evidence->round},
              {"type", type_name},
              {"validator", to_hex(evidence->validator)},
              {"votes", Json::array({vote_to_json(first.block, first.signature),
                                     vote_to_json(second.block, second.signature)})}};
  write_json(context.state, std::move(key), record);
  return ok_status();
}

Json duplicate_vote_payload(const SignedVote& first, const SignedVote& second) {
  // Two votes that differ in anything but the block hash are not one equivocation.
  assert(first.validator == second.validator && first.height == second.height && first.round == second.round &&
         first.type == second.type);
  const bool swap = second.block < first.block;
  const SignedVote& lower = swap ? second : first;
  const SignedVote& upper = swap ? first : second;
  return Json{{"height", first.height},
              {"round", first.round},
              {"type", vote_type_name(first.type)},
              {"validator", to_hex(first.validator)},
              {"votes", Json::array({vote_to_json(lower.block, lower.signature),
                                     vote_to_json(upper.block, upper.signature)})}};
}

Transaction make_duplicate_vote_evidence(const std::string& chain_id, const SecretKey& reporter, std::int64_t nonce,
                                         const SignedVote& first, const SignedVote& second,
                                         const Hash32& aux_random) {
  return sign_transaction(chain_id, duplicate_vote_type, reporter, nonce, duplicate_vote_payload(first, second),
                          aux_random);
}

}  // namespace flex
