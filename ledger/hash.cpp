#include "ledger/hash.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace flex {

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: SHA-256 initialisation failed");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_); }

Sha256& Sha256::update(std::span<const std::uint8_t> data) {
  if (EVP_DigestUpdate(context_, data.data(), data.size()) != 1) {
    throw std::runtime_error("OpenSSL: SHA-256 update failed");
  }
  return *this;
}

Hash32 Sha256::finish() {
  Hash32 digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_, digest.data(), &length) != 1 || length != digest.size()) {
    throw std::runtime_error("OpenSSL: SHA-256 final failed");
  }
  return digest;
}

Hash32 sha256(std::span<const std::uint8_t> data) { return Sha256().update(data).finish(); }

Hash32 tagged_hash(std::string_view tag, std::span<const std::uint8_t> message) {
  Hash32 tag_hash = sha256(tag);
  return Sha256().update(tag_hash).update(tag_hash).update(message).finish();
}

}  // namespace flex
