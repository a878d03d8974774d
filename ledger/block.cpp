#include "ledger/block.hpp"

#include <algorithm>
#include <set>

#include "ledger/hash.hpp"
#include "ledger/merkle.hpp"

namespace flex {
Json header_to_json(const BlockHeader& header) {
  return Json{{"chain_id", header.chain_id},
              {"height", header.height},
              {"time", header.time},
              {"previous_hash", to_hex(header.previous_hash)},
              {"tx_root", to_hex(header.tx_root)},
              {"app_hash", to_hex(header.app_hash)},
              {"proposer", to_hex(header.proposer)},
              {"validator_set_hash", to_hex(header.validator_set_hash)}};
}

Result<BlockHeader> header_from_json(const Json& json) {
  Rejection malformed = reject("block.malformed_header", "block header has a missing or bad field");
  if (!json.is_object() || json.size() != 8) return malformed;
  BlockHeader header;
  if (!json.contains("chain_id") || !json["chain_id"].is_string()) return malformed;
  header.chain_id = json["chain_id"].get<std::string>();
  if (!integer_field(json, "height", header.height) || !integer_field(json, "time", header.time)) {
    return malformed;
  }
  auto previous = hex_field<32>(json, "previous_hash");
  auto tx_root = hex_field<32>(json, "tx_root");
  auto app_hash = hex_field<32>(json, "app_hash");
  auto proposer = hex_field<32>(json, "proposer");
  auto validators = hex_field<32>(json, "validator_set_hash");
  if (!previous || !tx_root || !app_hash || !proposer || !validators) return malformed;
  header.previous_hash = *previous;
  header.tx_root = *tx_root;
  header.app_hash = *app_hash;
  header.proposer = *proposer;
  header.validator_set_hash = *validators;
  return header;
}

Hash32 block_hash(const BlockHeader& header) { return sha256(to_canonical(header_to_json(header))); }

Hash32 validator_set_hash(std::vector<Validator> validators) {
  std::sort(validators.begin(), validators.end(),
            [](const Validator& a, const Validator& b) { return a.public_key < b.public_key; });
  Json list = Json::array();
  for (const auto& validator : validators) {
    list.push_back(Json{{"public_key", to_hex(validator.public_key)}, {"power", validator.power}});
  }
  return sha256(to_canonical(list));
}

Json commit_to_json(const Commit& commit) {
  Json signatures = Json::array();
  for (const auto& entry : commit.signatures) {
    signatures.push_back(Json{{"validator", to_hex(entry.validator)},
                              {"signature", to_hex(entry.signature)}});
  }
  return Json{{"height", commit.height},
              {"round", commit.round},
              {"block_hash", to_hex(commit.block_hash)},
              {"signatures", signatures}};
}

Result<Commit> commit_from_json(const Json& json) {
  Rejection malformed = reject("commit.malformed", "commit has a missing or bad field");
  if (!json.is_object() || json.size() != 4) return malformed;
  Commit commit;
  auto hash = hex_field<32>(json, "block_hash");
  if (!integer_field(json, "height", commit.height) || !integer_field(json, "round", commit.round) ||
      !hash || !json.contains("signatures") || !json["signatures"].is_array()) {
    return malformed;
  }
  commit.block_hash = *hash;
  for (const auto& entry : json["signatures"]) {
    if (!entry.is_object() || entry.size() != 2) return malformed;
    auto validator = hex_field<32>(entry, "validator");
    auto signature = hex_field<64>(entry, "signature");
    if (!validator || !signature) return malformed;
    commit.signatures.push_back(CommitSignature{*validator, *signature});
  }
  return commit;
}

std::string_view vote_type_name(VoteType type) { return type == VoteType::prevote ? "prevote" : "precommit"; }

Hash32 vote_digest(VoteType type, const std::string& chain_id, std::int64_t height, std::int64_t round,
                   const std::optional<Hash32>& block_hash) {
  Json vote{{"type", vote_type_name(type)},
            {"chain_id", chain_id},
            {"height", height},
            {"round", round},
            {"block_hash", block_hash ? Json(to_hex(*block_hash)) : Json(nullptr)}};
  return tagged_hash(tags::vote, to_canonical(vote));
}

Hash32 proposal_digest(const std::string& chain_id, std::int64_t height, std::int64_t round,
                       std::int64_t valid_round, const Hash32& block_hash) {
  Json proposal{{"type", "proposal"},
                {"chain_id", chain_id},
                {"height", height},
                {"round", round},
                {"valid_round", valid_round},
                {"block_hash", to_hex(block_hash)}};
  return tagged_hash(tags::proposal, to_canonical(proposal));
}

Hash32 precommit_digest(const std::string& chain_id, std::int64_t height, std::int64_t round,
                        const Hash32& block_hash) {
  return vote_digest(VoteType::precommit, chain_id, height, round, block_hash);
}

Status verify_commit(const Commit& commit, const BlockHeader& header,
                     const std::vector<Validator>& validators) {
  if (commit.height != header.height) {
    return reject("commit.height_mismatch", "commit is for another height");
  }
  if (commit.block_hash != block_hash(header)) {
    return reject("commit.hash_mismatch", "commit signs another block hash");
  }
  std::int64_t total_power = 0;
  for (const auto& validator : validators) total_power += validator.power;
  Hash32 digest = precommit_digest(header.chain_id, commit.height, commit.round, commit.block_hash);
  std::set<PublicKey> seen;
  std::int64_t signed_power = 0;
  for (const auto& entry : commit.signatures) {
    auto validator = std::find_if(validators.begin(), validators.end(), [&](const Validator& v) {
      return v.public_key == entry.validator;
    });
    if (validator == validators.end()) {
      return reject("commit.unknown_validator", "commit signed by a key outside the validator set");
    }
    if (!seen.insert(entry.validator).second) {
      return reject("commit.duplicate_validator", "commit holds two signatures of one validator");
    }
    if (!schnorr_verify(entry.signature, digest, entry.validator)) {
      return reject("commit.bad_signature", "commit signature does not verify");
    }
    signed_power += validator->power;
  }
  if (3 * signed_power <= 2 * total_power) {
    return reject("commit.no_quorum", "commit signatures hold no more than 2/3 of voting power");
  }
  return ok_status();
}

Hash32 transactions_root(const std::vector<Transaction>& transactions) {
  std::vector<Hash32> leaves;
  leaves.reserve(transactions.size());
  for (const auto& transaction : transactions) leaves.push_back(merkle_leaf_hash(transaction.id));
  return merkle_root_of_leaf_hashes(leaves);
}

}  // namespace flex
