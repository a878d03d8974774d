#include "node/consensus/messages.hpp"

#include "ledger/limits.hpp"

namespace flex::consensus {

namespace {

Rejection malformed(const std::string& what) { return reject("consensus.malformed", what); }

}  // namespace

Json vote_to_json(const SignedVote& vote) {
  return Json{{"block_hash", vote.block ? Json(to_hex(*vote.block)) : Json(nullptr)},
              {"height", vote.height},
              {"round", vote.round},
              {"signature", to_hex(vote.signature)},
              {"type", vote_type_name(vote.type)},
              {"validator", to_hex(vote.validator)}};
}

Result<SignedVote> vote_from_json(const Json& json) {
  if (!json.is_object() || json.size() != 6 || !json.contains("block_hash") || !json.contains("type") ||
      !json["type"].is_string()) {
    return malformed("a vote needs exactly block_hash, height, round, signature, type and validator");
  }
  SignedVote vote;
  const auto& type = json["type"].get_ref<const std::string&>();
  if (type == "prevote") vote.type = VoteType::prevote;
  else if (type == "precommit") vote.type = VoteType::precommit;
  else return malformed("a vote's type is prevote or precommit");
  if (!json["block_hash"].is_null()) {
    auto hash = hex_field<32>(json, "block_hash");
    if (!hash) return malformed("a vote's block_hash is 64 hex digits or null");
    vote.block = *hash;
  }
  auto signature = hex_field<64>(json, "signature");
  auto validator = hex_field<32>(json, "validator");
  if (!integer_field(json, "height", vote.height) || !integer_field(json, "round", vote.round) || !signature ||
      !validator) {
    return malformed("a vote has a missing or bad height, round, signature or validator");
  }
  vote.signature = *signature;
  vote.validator = *validator;
  return vote;
}

Json block_to_json(const Block& block) {
  Json transactions = Json::array();
  for (const auto& transaction : block.transactions) transactions.push_back(transaction.canonical);
  return Json{{"header", header_to_json(block.header)}, {"transactions", transactions}};
}

Result<Block> block_from_json(const Json& json) {
  if (!json.is_object() || json.size() != 2 || !json.contains("header") || !json.contains("transactions") ||
      !json["transactions"].is_array() || json["transactions"].size() > limits::max_transactions_per_block) {
    return malformed("a block needs exactly a header and at most 5000 transactions");
  }
  auto header = header_from_json(json["header"]);
  if (!header) return malformed("a block header: " + header.rejection().message);
  Block block{*header, {}};
  for (const auto& text : json["transactions"]) {
    if (!text.is_string()) return malformed("a block's transactions are canonical strings");
    auto transaction = decode_transaction(text.get_ref<const std::string&>());
    if (!transaction) return malformed("a block's transaction: " + transaction.rejection().message);
    block.transactions.push_back(std::move(*transaction));
  }
  return block;
}

Json proposal_to_json(const SignedProposal& proposal) {
  return Json{{"block", proposal.block ? block_to_json(*proposal.block) : Json(nullptr)},
              {"block_hash", to_hex(proposal.block_id)},
              {"height", proposal.height},
              {"round", proposal.round},
              {"signature", to_hex(proposal.signature)},
              {"signer", to_hex(proposal.signer)},
              {"valid_round", proposal.valid_round}};
}

Result<SignedProposal> proposal_from_json(const Json& json) {
  if (!json.is_object() || json.size() != 7 || !json.contains("block")) {
    return malformed("a proposal needs exactly block, block_hash, height, round, signature, signer and valid_round");
  }
  SignedProposal proposal;
  auto block_id = hex_field<32>(json, "block_hash");
  auto signature = hex_field<64>(json, "signature");
  auto signer = hex_field<32>(json, "signer");
  if (!integer_field(json, "height", proposal.height) || !integer_field(json, "round", proposal.round) ||
      !integer_field(json, "valid_round", proposal.valid_round) || !block_id || !signature || !signer) {
    return malformed("a proposal has a missing or bad member");
  }
  auto block = block_from_json(json["block"]);
  if (!block) return block.rejection();
  if (block_hash(block->header) != *block_id) return malformed("a proposal's block_hash is not its block's hash");
  proposal.block_id = *block_id;
  proposal.signature = *signature;
  proposal.signer = *signer;
  proposal.block = std::make_shared<const Block>(std::move(*block));
  return proposal;
}

}  // namespace flex::consensus
