#include "ledger/hash.hpp"

#include <openssl/evp.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace flex {
namespace {

// Fetched once: OpenSSL 3 otherwise looks the algorithm up on every initialisation.
const EVP_MD* sha256_algorithm() {
  static EVP_MD* algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (algorithm == nullptr) throw std::runtime_error("OpenSSL: SHA-256 unavailable");
  return algorithm;
}

// SHA256(tag) for the few tags in use, computed once per tag and thread.
const Hash32& tag_hash(std::string_view tag) {
  thread_local std::vector<std::pair<std::string, Hash32>> cache;
  for (const auto& [cached_tag, hash] : cache) {
    if (cached_tag == tag) return hash;
  }
  cache.emplace_back(std::string(tag), sha256(tag));
  return cache.back().second;
}

}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr || EVP_DigestInit_ex(context_, sha256_algorithm(), nullptr) != 1) {
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
  const Hash32& prefix = tag_hash(tag);
  return Sha256().update(prefix).update(prefix).update(message).finish();
}

}  // namespace flex
