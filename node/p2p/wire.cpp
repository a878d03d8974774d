#include "node/p2p/wire.hpp"

#include <stdexcept>

#include "ledger/limits.hpp"

namespace flex::p2p {
namespace {

Rejection bad_payload(const std::string& what) { return reject("p2p.bad_payload", what); }

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

std::uint32_t get_u32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<std::uint8_t>(bytes[at + i]);
  return value;
}

// A canonical JSON object payload of a frame type, parsed within that type's cap.
Result<Json> parse_object(std::string_view payload, FrameType type, const char* what) {
  auto json = parse_canonical(payload, max_payload_bytes(type));
  if (!json) return bad_payload(std::string(what) + " is not canonical JSON: " + json.rejection().message);
  if (!json->is_object()) return bad_payload(std::string(what) + " is a JSON object");
  return std::move(*json);
}

}  // namespace

std::string encode_transactions(const std::vector<std::string>& canonical_transactions) {
  if (canonical_transactions.empty() || canonical_transactions.size() > kMaxTransactionsPerFrame) {
    throw std::length_error("a TXS frame carries 1 to 256 transactions");
  }
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(canonical_transactions.size()));
  for (const auto& bytes : canonical_transactions) {
    put_u32(out, static_cast<std::uint32_t>(bytes.size()));
    out += bytes;
  }
  if (out.size() > max_payload_bytes(FrameType::transactions)) throw std::length_error("TXS frame over its cap");
  return out;
}

Result<std::vector<std::string>> decode_transactions(std::string_view payload) {
  if (payload.size() < 4) return bad_payload("TXS starts with a 4-byte count");
  std::uint32_t count = get_u32(payload, 0);
  if (count == 0 || count > kMaxTransactionsPerFrame) return bad_payload("TXS carries 1 to 256 transactions");
  std::vector<std::string> out;
  out.reserve(count);
  std::size_t at = 4;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (payload.size() - at < 4) return bad_payload("TXS ends inside a length");
    std::uint32_t length = get_u32(payload, at);
    at += 4;
    if (length == 0 || length > limits::max_transaction_bytes || payload.size() - at < length) {
      return bad_payload("TXS has a transaction of a bad length");
    }
    out.emplace_back(payload.substr(at, length));
    at += length;
  }
  if (at != payload.size()) return bad_payload("TXS has bytes after its last transaction");
  return out;
}

std::string encode_proposal(const consensus::SignedProposal& proposal) {
  return to_canonical(consensus::proposal_to_json(proposal));
}

Result<consensus::SignedProposal> decode_proposal(std::string_view payload) {
  auto json = parse_object(payload, FrameType::proposal, "PROPOSAL");
  if (!json) return json.rejection();
  auto proposal = consensus::proposal_from_json(*json);
  if (!proposal) return bad_payload("PROPOSAL: " + proposal.rejection().message);
  return proposal;
}

std::string encode_vote(const consensus::SignedVote& vote) { return to_canonical(consensus::vote_to_json(vote)); }

Result<consensus::SignedVote> decode_vote(std::string_view payload) {
  auto json = parse_object(payload, FrameType::vote, "VOTE");
  if (!json) return json.rejection();
  auto vote = consensus::vote_from_json(*json);
  if (!vote) return bad_payload("VOTE: " + vote.rejection().message);
  return vote;
}

std::string encode_status(std::int64_t height) { return to_canonical(Json{{"height", height}}); }

Result<std::int64_t> decode_status(std::string_view payload) {
  auto json = parse_object(payload, FrameType::status, "STATUS");
  if (!json) return json.rejection();
  std::int64_t height = -1;
  if (json->size() != 1 || !integer_field(*json, "height", height) || height < 0) {
    return bad_payload("STATUS is {\"height\":N} with N >= 0");
  }
  return height;
}

std::string encode_get_blocks(const BlockRequest& request) {
  return to_canonical(Json{{"count", request.count}, {"from", request.from}});
}

Result<BlockRequest> decode_get_blocks(std::string_view payload) {
  auto json = parse_object(payload, FrameType::get_blocks, "GET_BLOCKS");
  if (!json) return json.rejection();
  BlockRequest request;
  if (json->size() != 2 || !integer_field(*json, "count", request.count) || !integer_field(*json, "from", request.from) ||
      request.count < 1 || request.count > kMaxBlocksPerRequest || request.from < 1) {
    return bad_payload("GET_BLOCKS is {\"count\":1..16,\"from\":N>=1}");
  }
  return request;
}

std::pair<std::string, std::size_t> encode_blocks(const std::vector<CommittedBlock>& blocks) {
  if (blocks.empty()) throw std::length_error("a BLOCKS frame carries at least one block");
  const std::size_t cap = max_payload_bytes(FrameType::blocks);
  std::string out = "{\"blocks\":[";
  std::size_t count = 0;
  for (const auto& [block, commit] : blocks) {
    std::string item = to_canonical(Json{{"block", consensus::block_to_json(block)}, {"commit", commit_to_json(commit)}});
    if (count == static_cast<std::size_t>(kMaxBlocksPerRequest)) break;
    if (count > 0 && out.size() + 1 + item.size() + 2 > cap) break;
    if (count > 0) out += ',';
    out += item;
    ++count;
  }
  out += "]}";
  if (out.size() > cap) throw std::length_error("a block does not fit a BLOCKS frame");
  return {std::move(out), count};
}

Result<std::vector<CommittedBlock>> decode_blocks(std::string_view payload) {
  auto json = parse_object(payload, FrameType::blocks, "BLOCKS");
  if (!json) return json.rejection();
  if (json->size() != 1 || !json->contains("blocks") || !(*json)["blocks"].is_array() || (*json)["blocks"].empty() ||
      (*json)["blocks"].size() > static_cast<std::size_t>(kMaxBlocksPerRequest)) {
    return bad_payload("BLOCKS is {\"blocks\":[1..16 of {\"block\",\"commit\"}]}");
  }
  std::vector<CommittedBlock> out;
  for (const auto& item : (*json)["blocks"]) {
    if (!item.is_object() || item.size() != 2 || !item.contains("block") || !item.contains("commit")) {
      return bad_payload("each of BLOCKS is {\"block\",\"commit\"}");
    }
    auto block = consensus::block_from_json(item["block"]);
    if (!block) return bad_payload("BLOCKS: " + block.rejection().message);
    auto commit = commit_from_json(item["commit"]);
    if (!commit) return bad_payload("BLOCKS: " + commit.rejection().message);
    if (!out.empty() && block->header.height != out.back().first.header.height + 1) {
      return bad_payload("BLOCKS are consecutive heights");
    }
    out.emplace_back(std::move(*block), std::move(*commit));
  }
  return out;
}

}  // namespace flex::p2p
