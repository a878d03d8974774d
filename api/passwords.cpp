#include "api/passwords.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>

namespace flex::api {
namespace {

using namespace password_limits;

constexpr std::string_view scheme = "scrypt";
constexpr std::size_t encoded_fields = 6;

struct Encoded {
  unsigned log2_n = 0;
  unsigned r = 0;
  unsigned p = 0;
  Bytes salt;
  Bytes hash;
};

// A decimal in [low, high], digits only (no sign, no spaces).
std::optional<unsigned> parse_bounded(std::string_view text, unsigned low, unsigned high) {
  unsigned value = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < low || value > high) return std::nullopt;
  return value;
}

// Splits on '$' into exactly encoded_fields fields, or nullopt.
std::optional<std::array<std::string_view, encoded_fields>> split_fields(std::string_view encoded) {
  std::array<std::string_view, encoded_fields> fields;
  for (std::size_t i = 0; i < encoded_fields; ++i) {
    std::size_t separator = encoded.find('$');
    bool last = i + 1 == encoded_fields;
    if (last != (separator == std::string_view::npos)) return std::nullopt;
    fields[i] = encoded.substr(0, separator);
    if (!last) encoded.remove_prefix(separator + 1);
  }
  return fields;
}

std::optional<Encoded> parse_encoded(std::string_view encoded) {
  auto fields = split_fields(encoded);
  if (!fields || (*fields)[0] != scheme) return std::nullopt;
  auto log2_n = parse_bounded((*fields)[1], min_log2_n, max_log2_n);
  auto r = parse_bounded((*fields)[2], min_r, max_r);
  auto p = parse_bounded((*fields)[3], min_p, max_p);
  auto salt = from_hex((*fields)[4]);
  auto hash = from_hex((*fields)[5]);
  if (!log2_n || !r || !p || !salt || !hash || salt->size() != salt_bytes || hash->size() != hash_bytes) {
    return std::nullopt;
  }
  return Encoded{*log2_n, *r, *p, std::move(*salt), std::move(*hash)};
}

}  // namespace

Bytes scrypt_derive(std::string_view password, std::span<const std::uint8_t> salt, unsigned log2_n, unsigned r,
                    unsigned p, std::size_t length) {
  if (log2_n >= 64) throw std::runtime_error("scrypt: log2 N out of range");
  std::uint64_t n = std::uint64_t{1} << log2_n;
  // OpenSSL's default memory cap (32 MiB) is just below what N = 2^15, r = 8 needs, so
  // allow exactly its V (128 r (N + 2)) and B (128 r p) buffers.
  std::uint64_t max_memory = 128 * std::uint64_t{r} * (n + 2 + p);
  Bytes key(length);
  static constexpr std::uint8_t empty_salt[1] = {0};
  if (EVP_PBE_scrypt(password.empty() ? "" : password.data(), password.size(),
                     salt.empty() ? empty_salt : salt.data(), salt.size(), n, r, p, max_memory, key.data(),
                     key.size()) != 1) {
    throw std::runtime_error("OpenSSL scrypt failed");
  }
  return key;
}

std::string hash_password(std::string_view password) {
  Bytes salt(salt_bytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  Bytes hash = scrypt_derive(password, salt, default_log2_n, default_r, default_p, hash_bytes);
  return std::string(scheme) + "$" + std::to_string(default_log2_n) + "$" + std::to_string(default_r) + "$" +
         std::to_string(default_p) + "$" + to_hex(salt) + "$" + to_hex(hash);
}

bool verify_password(std::string_view password, std::string_view encoded) {
  try {
    auto parsed = parse_encoded(encoded);
    if (!parsed) return false;
    Bytes derived = scrypt_derive(password, parsed->salt, parsed->log2_n, parsed->r, parsed->p, parsed->hash.size());
    bool match = CRYPTO_memcmp(derived.data(), parsed->hash.data(), derived.size()) == 0;
    OPENSSL_cleanse(derived.data(), derived.size());
    return match;
  } catch (const std::exception&) {
    return false;  // an OpenSSL or allocation failure is not a match, and the caller expects no throw
  }
}

}  // namespace flex::api
