// Protocol limits. Every bound that reaches consensus is a named constant here, so that
// every node enforces the same one (PROTOCOL.md "Limits").
#pragma once

#include <cstddef>
#include <cstdint>

namespace flex::limits {

inline constexpr std::size_t max_transaction_bytes = 64 * 1024;
inline constexpr std::size_t max_json_depth = 32;
// RFC 7493 (I-JSON) safe integers: exact in every JSON implementation, JavaScript included.
inline constexpr std::int64_t max_json_integer = 9007199254740991;  // 2^53 - 1
inline constexpr std::size_t max_transactions_per_block = 5000;
inline constexpr std::size_t max_block_bytes = 8 * 1024 * 1024;
inline constexpr std::size_t max_identifier_length = 64;
inline constexpr std::size_t max_genesis_bytes = 16 * 1024 * 1024;

}  // namespace flex::limits
