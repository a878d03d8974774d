// SHA-256 through OpenSSL EVP, and BIP-340 tagged hashes for domain separation:
// tagged_hash(tag, m) = SHA256(SHA256(tag) || SHA256(tag) || m).
#pragma once

#include <span>
#include <string_view>

#include "ledger/bytes.hpp"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace flex {

Hash32 sha256(std::span<const std::uint8_t> data);
inline Hash32 sha256(std::string_view text) { return sha256(as_bytes(text)); }

// Incremental SHA-256 for hashing several parts without concatenating them.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256& update(std::span<const std::uint8_t> data);
  Sha256& update(std::string_view text) { return update(as_bytes(text)); }
  Hash32 finish();

 private:
  ::evp_md_ctx_st* context_;
};

Hash32 tagged_hash(std::string_view tag, std::span<const std::uint8_t> message);
inline Hash32 tagged_hash(std::string_view tag, std::string_view message) {
  return tagged_hash(tag, as_bytes(message));
}

// Domain tags: each signed or hashed structure has its own, so no signature or hash made
// for one purpose can be replayed as another.
namespace tags {
inline constexpr std::string_view transaction = "FlexLedger/tx";
inline constexpr std::string_view vote = "FlexLedger/vote";
inline constexpr std::string_view proposal = "FlexLedger/proposal";
inline constexpr std::string_view p2p = "FlexLedger/p2p";
}  // namespace tags

}  // namespace flex
