#include "ledger/schnorr.hpp"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <openssl/crypto.h>

#include <stdexcept>

namespace flex {
namespace {

// One context for the process; libsecp256k1 allows concurrent use of a const context.
const secp256k1_context* context() {
  static const secp256k1_context* instance = [] {
    secp256k1_context* created = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (created == nullptr) throw std::runtime_error("secp256k1: context creation failed");
    return created;
  }();
  return instance;
}

std::optional<secp256k1_keypair> make_keypair(const SecretKey& secret) {
  secp256k1_keypair keypair;
  if (secp256k1_keypair_create(context(), &keypair, secret.bytes().data()) != 1) {
    return std::nullopt;
  }
  return keypair;
}

}  // namespace

SecretKey::~SecretKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

std::optional<PublicKey> derive_public_key(const SecretKey& secret) {
  auto keypair = make_keypair(secret);
  if (!keypair) return std::nullopt;
  secp256k1_xonly_pubkey xonly;
  PublicKey out{};
  if (secp256k1_keypair_xonly_pub(context(), &xonly, nullptr, &*keypair) != 1 ||
      secp256k1_xonly_pubkey_serialize(context(), out.data(), &xonly) != 1) {
    return std::nullopt;
  }
  OPENSSL_cleanse(&*keypair, sizeof(*keypair));
  return out;
}

bool is_valid_public_key(const PublicKey& public_key) {
  secp256k1_xonly_pubkey parsed;
  return secp256k1_xonly_pubkey_parse(context(), &parsed, public_key.data()) == 1;
}

std::optional<Signature> schnorr_sign(const SecretKey& secret, const Hash32& message,
                                      const Hash32& aux_random) {
  auto keypair = make_keypair(secret);
  if (!keypair) return std::nullopt;
  Signature signature{};
  int signed_ok = secp256k1_schnorrsig_sign32(context(), signature.data(), message.data(),
                                              &*keypair, aux_random.data());
  OPENSSL_cleanse(&*keypair, sizeof(*keypair));
  if (signed_ok != 1) return std::nullopt;
  auto public_key = derive_public_key(secret);
  if (!public_key || !schnorr_verify(signature, message, *public_key)) return std::nullopt;
  return signature;
}

bool schnorr_verify(const Signature& signature, const Hash32& message,
                    const PublicKey& public_key) {
  secp256k1_xonly_pubkey parsed;
  if (secp256k1_xonly_pubkey_parse(context(), &parsed, public_key.data()) != 1) return false;
  return secp256k1_schnorrsig_verify(context(), signature.data(), message.data(),
                                     message.size(), &parsed) == 1;
}

}  // namespace flex
