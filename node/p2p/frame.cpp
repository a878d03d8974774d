#include "node/p2p/frame.hpp"

#include <stdexcept>

namespace flex::p2p {

bool is_known_frame_type(std::uint8_t type) {
  switch (static_cast<FrameType>(type)) {
    case FrameType::hello:
    case FrameType::auth:
    case FrameType::ping:
    case FrameType::pong:
    case FrameType::transactions:
    case FrameType::proposal:
    case FrameType::vote:
    case FrameType::evidence:
    case FrameType::round_step:
    case FrameType::status:
    case FrameType::get_blocks:
    case FrameType::blocks:
      return true;
  }
  return false;
}

std::size_t max_payload_bytes(FrameType type) {
  switch (type) {
    case FrameType::proposal:
    case FrameType::blocks:
      return kMaxFrameBytes - 1;
    case FrameType::transactions:
      return 1u << 20;
    default:
      return 4096;
  }
}

std::string encode_frame(FrameType type, std::string_view payload) {
  if (payload.size() > max_payload_bytes(type)) throw std::length_error("a p2p frame over its type's cap");
  const auto length = static_cast<std::uint32_t>(payload.size() + 1);
  std::string frame;
  frame.reserve(kFrameHeaderBytes + payload.size());
  for (int shift = 24; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((length >> shift) & 0xff));
  frame.push_back(static_cast<char>(type));
  frame.append(payload);
  return frame;
}

Status FrameDecoder::feed(std::string_view bytes) {
  if (failed_) return reject("p2p.frame_after_error", "the connection already sent a bad frame");
  buffer_.append(bytes);
  std::size_t offset = 0;
  Status result = ok_status();
  while (buffer_.size() - offset >= kFrameHeaderBytes) {
    std::uint32_t length = 0;
    for (std::size_t i = 0; i < 4; ++i) length = (length << 8) | static_cast<std::uint8_t>(buffer_[offset + i]);
    const auto type = static_cast<std::uint8_t>(buffer_[offset + 4]);
    if (length == 0) {
      result = reject("p2p.frame_empty", "a frame of length 0");
    } else if (!is_known_frame_type(type)) {
      result = reject("p2p.unknown_frame_type", "a frame of unknown type " + std::to_string(type));
    } else if (length - 1 > max_payload_bytes(static_cast<FrameType>(type))) {
      result = reject("p2p.frame_too_large", "a frame of " + std::to_string(length) + " bytes for type " +
                                                 std::to_string(type));
    }
    if (!result) {
      failed_ = true;
      buffer_.clear();
      return result;
    }
    if (buffer_.size() - offset < 4 + static_cast<std::size_t>(length)) break;  // the rest is still on its way
    ready_.push_back(Frame{static_cast<FrameType>(type), buffer_.substr(offset + kFrameHeaderBytes, length - 1)});
    offset += 4 + length;
  }
  buffer_.erase(0, offset);
  return result;
}

}  // namespace flex::p2p
