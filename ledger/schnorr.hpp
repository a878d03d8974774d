// BIP-340 Schnorr signatures over secp256k1 (libsecp256k1). Public keys are 32-byte
// x-only keys; signatures are 64 bytes. Signing takes its auxiliary randomness from the
// caller, so this file draws no random numbers.
#pragma once

#include <array>
#include <optional>

#include "ledger/bytes.hpp"

namespace flex {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

// A secret key that wipes itself on destruction.
class SecretKey {
 public:
  explicit SecretKey(const std::array<std::uint8_t, 32>& bytes) : bytes_(bytes) {}
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  ~SecretKey();
  const std::array<std::uint8_t, 32>& bytes() const { return bytes_; }

 private:
  std::array<std::uint8_t, 32> bytes_;
};

// The x-only public key, or nullopt when the secret is zero or not below the curve order.
std::optional<PublicKey> derive_public_key(const SecretKey& secret);

// True when `public_key` is the x coordinate of a point on the curve.
bool is_valid_public_key(const PublicKey& public_key);

// BIP-340 sign of a 32-byte message; nullopt for an invalid secret. The signature is
// verified before it is returned, as BIP-340 recommends.
std::optional<Signature> schnorr_sign(const SecretKey& secret, const Hash32& message,
                                      const Hash32& aux_random);

bool schnorr_verify(const Signature& signature, const Hash32& message,
                    const PublicKey& public_key);

}  // namespace flex
