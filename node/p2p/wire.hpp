// Payloads of the gossip and block-sync frames (PROTOCOL.md §12), after the handshake.
// Decoders check shape only (signatures and commits are the driver's job); every failure is
// p2p.bad_payload, which closes the connection. Pure: no sockets here.
//   TXS        u32be count ‖ (u32be length ‖ canonical transaction bytes) × count, 1..256 of them
//   PROPOSAL   the canonical proposal JSON (node/consensus/messages.hpp), with its block
//   VOTE       the canonical vote JSON
//   STATUS     canonical {"height":N}
//   GET_BLOCKS canonical {"count":1..16,"from":N≥1}
//   BLOCKS     canonical {"blocks":[{"block":...,"commit":...}, ...]}, one or more, in height order
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/consensus/messages.hpp"
#include "node/p2p/frame.hpp"

namespace flex::p2p {

inline constexpr std::size_t kMaxTransactionsPerFrame = 256;
inline constexpr std::int64_t kMaxBlocksPerRequest = 16;

// Throws std::length_error when the batch does not fit one TXS frame (a local bug).
std::string encode_transactions(const std::vector<std::string>& canonical_transactions);
Result<std::vector<std::string>> decode_transactions(std::string_view payload);

std::string encode_proposal(const consensus::SignedProposal& proposal);
Result<consensus::SignedProposal> decode_proposal(std::string_view payload);
std::string encode_vote(const consensus::SignedVote& vote);
Result<consensus::SignedVote> decode_vote(std::string_view payload);

std::string encode_status(std::int64_t height);
Result<std::int64_t> decode_status(std::string_view payload);

struct BlockRequest {
  std::int64_t from = 1;
  std::int64_t count = 1;
};
std::string encode_get_blocks(const BlockRequest& request);
Result<BlockRequest> decode_get_blocks(std::string_view payload);

using CommittedBlock = std::pair<Block, Commit>;
// The first blocks (at most 16) that fit one BLOCKS frame, at least one (a block is at most 8 MiB of
// transactions). Returns the payload and how many blocks it holds.
std::pair<std::string, std::size_t> encode_blocks(const std::vector<CommittedBlock>& blocks);
Result<std::vector<CommittedBlock>> decode_blocks(std::string_view payload);

}  // namespace flex::p2p
