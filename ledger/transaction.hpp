// The signed transaction envelope:
//   {"chain_id":S,"nonce":N,"payload":{...},"sig":HEX128,"signer":HEX64,"type":S}
// in canonical JSON. The signature is BIP-340 over
//   tagged_hash("FlexLedger/tx", canonical bytes of the envelope without "sig"),
// and the transaction id is SHA-256 of the complete canonical envelope (sig included).
#pragma once

#include <string>
#include <string_view>

#include "ledger/canonical_json.hpp"
#include "ledger/result.hpp"
#include "ledger/schnorr.hpp"

namespace flex {

struct Transaction {
  std::string chain_id;
  std::string type;
  PublicKey signer{};
  std::int64_t nonce = 0;
  Json payload = Json::object();
  Signature sig{};

  std::string canonical;  // the complete signed envelope, as stored and hashed
  Hash32 id{};            // sha256(canonical)
  Hash32 signed_digest{};  // tagged hash of the signing bytes, derived from `canonical`
};

// Bytes the signer signs: the canonical envelope without "sig".
std::string signing_bytes(const Transaction& transaction);
Hash32 signing_digest(const Transaction& transaction);

// Builds, signs and encodes a transaction. `aux_random` is BIP-340 auxiliary randomness.
Transaction sign_transaction(std::string chain_id, std::string type, const SecretKey& secret,
                             std::int64_t nonce, Json payload, const Hash32& aux_random);

// Decodes and checks shape only (size, canonical form, fields and their formats); it does
// not verify the signature or consult state. Codes: tx.too_large, encoding.*, tx.malformed.
Result<Transaction> decode_transaction(std::string_view bytes);

// Verifies `sig` over `signed_digest`, the digest of the bytes the transaction was decoded
// from (or signed as); a Transaction is not meant to be edited after that.
bool verify_transaction_signature(const Transaction& transaction);

// Identifier syntax shared by chain ids and transaction types: [a-z0-9._-]{1,64}.
bool is_identifier(std::string_view text);

}  // namespace flex
