// Peer-to-peer framing (PROTOCOL.md §12): every message on a peer connection is
//   u32be length ‖ u8 type ‖ payload,   length = 1 + payload bytes,
// with a cap per type, checked as soon as the 5-byte prefix is in, before the payload is
// buffered; a bad frame closes the connection. Pure: no sockets here.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "ledger/result.hpp"

namespace flex::p2p {

enum class FrameType : std::uint8_t {
  hello = 0x01,
  auth = 0x02,
  ping = 0x03,
  pong = 0x04,
  transactions = 0x10,
  proposal = 0x20,
  vote = 0x21,
  evidence = 0x22,
  round_step = 0x23,
  status = 0x30,
  get_blocks = 0x31,
  blocks = 0x32,
};

inline constexpr std::size_t kMaxFrameBytes = 16u << 20;  // any frame
inline constexpr std::size_t kFrameHeaderBytes = 5;

bool is_known_frame_type(std::uint8_t type);
// The largest payload a frame of `type` may carry: proposals and block batches 16 MiB
// (8 MiB of transactions plus their framing), transaction batches 1 MiB, the rest 4 KiB.
std::size_t max_payload_bytes(FrameType type);

struct Frame {
  FrameType type;
  std::string payload;
};

// Throws std::length_error for a payload over the type's cap (a local bug, not input).
std::string encode_frame(FrameType type, std::string_view payload);

// Splits a byte stream into frames. Codes: p2p.frame_empty (length 0),
// p2p.frame_too_large, p2p.unknown_frame_type. After an error the decoder is spent.
class FrameDecoder {
 public:
  // Appends `bytes` and moves every complete frame to ready().
  Status feed(std::string_view bytes);
  std::deque<Frame>& ready() { return ready_; }
  std::size_t buffered_bytes() const { return buffer_.size(); }

 private:
  std::string buffer_;
  std::deque<Frame> ready_;
  bool failed_ = false;
};

}  // namespace flex::p2p
