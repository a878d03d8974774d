// Password hashing with scrypt (RFC 7914) through OpenSSL. The encoded form, stored in the
// user database, is one ASCII line:
//
//   scrypt$<log2N>$<r>$<p>$<salt hex>$<hash hex>
//
// with a 16-byte random salt and a 32-byte derived key, both lowercase hex. New hashes use
// N = 2^15, r = 8, p = 1; verification recomputes with the parameters the encoding names,
// so the cost can be raised later without invalidating stored hashes.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "ledger/bytes.hpp"

namespace flex::api {

namespace password_limits {
inline constexpr unsigned default_log2_n = 15;
inline constexpr unsigned default_r = 8;
inline constexpr unsigned default_p = 1;
inline constexpr std::size_t salt_bytes = 16;
inline constexpr std::size_t hash_bytes = 32;
// The ranges verify_password accepts: enough room to tune, bounded so a stored hash cannot
// demand unbounded memory or time.
inline constexpr unsigned min_log2_n = 10, max_log2_n = 20;
inline constexpr unsigned min_r = 1, max_r = 16;
inline constexpr unsigned min_p = 1, max_p = 4;
}  // namespace password_limits

// Hashes with the default parameters and a fresh salt. Throws std::runtime_error if OpenSSL fails.
std::string hash_password(std::string_view password);

// True if `password` matches `encoded`; false for a wrong password or a malformed encoding
// or out-of-range parameters. Never throws.
bool verify_password(std::string_view password, std::string_view encoded);

// Raw scrypt with N = 2^log2_n; exposed for the RFC 7914 known-answer tests. Throws
// std::runtime_error if OpenSSL fails.
Bytes scrypt_derive(std::string_view password, std::span<const std::uint8_t> salt, unsigned log2_n, unsigned r,
                    unsigned p, std::size_t length);

}  // namespace flex::api
