#include "ledger/transaction.hpp"

#include "ledger/hash.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

Json unsigned_envelope(const Transaction& transaction) {
  return Json{{"chain_id", transaction.chain_id},
              {"type", transaction.type},
              {"signer", to_hex(transaction.signer)},
              {"nonce", transaction.nonce},
              {"payload", transaction.payload}};
}

Rejection malformed(const std::string& why) { return reject("tx.malformed", why); }

// The signing bytes of a canonical envelope are its bytes without the member
// ,"sig":"<128 hex>". Quotes inside strings are escaped, so that text can only be a member;
// the envelope's own comes after the payload and is therefore the last occurrence.
std::string signing_bytes_of_canonical(const std::string& canonical, const Signature& sig) {
  std::string member = ",\"sig\":\"" + to_hex(sig) + "\"";
  std::string bytes = canonical;
  bytes.erase(canonical.rfind(member), member.size());
  return bytes;
}

}  // namespace

bool is_identifier(std::string_view text) {
  if (text.empty() || text.size() > limits::max_identifier_length) return false;
  for (char c : text) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                   c == '-';
    if (!allowed) return false;
  }
  return true;
}

std::string signing_bytes(const Transaction& transaction) {
  return to_canonical(unsigned_envelope(transaction));
}

Hash32 signing_digest(const Transaction& transaction) {
  return tagged_hash(tags::transaction, signing_bytes(transaction));
}

Transaction sign_transaction(std::string chain_id, std::string type, const SecretKey& secret,
                             std::int64_t nonce, Json payload, const Hash32& aux_random) {
  Transaction transaction;
  transaction.chain_id = std::move(chain_id);
  transaction.type = std::move(type);
  auto public_key = derive_public_key(secret);
  if (!public_key) throw std::invalid_argument("sign_transaction: invalid secret key");
  transaction.signer = *public_key;
  transaction.nonce = nonce;
  transaction.payload = std::move(payload);
  auto signature = schnorr_sign(secret, signing_digest(transaction), aux_random);
  if (!signature) throw std::invalid_argument("sign_transaction: signing failed");
  transaction.sig = *signature;
  Json envelope = unsigned_envelope(transaction);
  envelope["sig"] = to_hex(transaction.sig);
  transaction.canonical = to_canonical(envelope);
  transaction.id = sha256(transaction.canonical);
  transaction.signed_digest = signing_digest(transaction);
  return transaction;
}

Result<Transaction> decode_transaction(std::string_view bytes) {
  if (bytes.size() > limits::max_transaction_bytes) {
    return reject("tx.too_large", "transaction of " + std::to_string(bytes.size()) +
                                      " bytes exceeds the limit of " +
                                      std::to_string(limits::max_transaction_bytes));
  }
  auto parsed = parse_canonical(bytes, limits::max_transaction_bytes);
  if (!parsed) return parsed.rejection();
  Json& envelope = *parsed;
  if (!envelope.is_object() || envelope.size() != 6) {
    return malformed("envelope must be an object with exactly chain_id, nonce, payload, sig, "
                     "signer and type");
  }
  for (const char* field : {"chain_id", "type", "signer", "nonce", "payload", "sig"}) {
    if (!envelope.contains(field)) return malformed(std::string("missing field ") + field);
  }
  Transaction transaction;
  if (!envelope["chain_id"].is_string() || !is_identifier(envelope["chain_id"].get_ref<const std::string&>())) {
    return malformed("chain_id must be an identifier [a-z0-9._-]{1,64}");
  }
  transaction.chain_id = envelope["chain_id"].get<std::string>();
  if (!envelope["type"].is_string() || !is_identifier(envelope["type"].get_ref<const std::string&>())) {
    return malformed("type must be an identifier [a-z0-9._-]{1,64}");
  }
  transaction.type = envelope["type"].get<std::string>();
  auto signer = envelope["signer"].is_string()
                    ? from_hex_fixed<32>(envelope["signer"].get_ref<const std::string&>())
                    : std::nullopt;
  if (!signer) return malformed("signer must be 64 lowercase hex characters");
  transaction.signer = *signer;
  if (!envelope["nonce"].is_number_integer() || envelope["nonce"].get<std::int64_t>() < 1) {
    return malformed("nonce must be a positive integer");
  }
  transaction.nonce = envelope["nonce"].get<std::int64_t>();
  if (!envelope["payload"].is_object()) return malformed("payload must be an object");
  transaction.payload = std::move(envelope["payload"]);
  auto sig = envelope["sig"].is_string()
                 ? from_hex_fixed<64>(envelope["sig"].get_ref<const std::string&>())
                 : std::nullopt;
  if (!sig) return malformed("sig must be 128 lowercase hex characters");
  transaction.sig = *sig;
  transaction.canonical = std::string(bytes);
  transaction.id = sha256(transaction.canonical);
  transaction.signed_digest =
      tagged_hash(tags::transaction, signing_bytes_of_canonical(transaction.canonical, transaction.sig));
  return transaction;
}

bool verify_transaction_signature(const Transaction& transaction) {
  return schnorr_verify(transaction.sig, transaction.signed_digest, transaction.signer);
}

}  // namespace flex
