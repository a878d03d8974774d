// Fixed-size byte strings and lowercase hex, the text form of every hash, key and
// signature in signed data.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace flex {

using Bytes = std::vector<std::uint8_t>;
using Hash32 = std::array<std::uint8_t, 32>;

std::string to_hex(std::span<const std::uint8_t> bytes);

// Accepts lowercase hex only, so that each byte string has exactly one text form.
std::optional<Bytes> from_hex(std::string_view hex);

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> from_hex_fixed(std::string_view hex) {
  if (hex.size() != 2 * N) return std::nullopt;
  auto bytes = from_hex(hex);
  if (!bytes) return std::nullopt;
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = (*bytes)[i];
  return out;
}

inline std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace flex
