#include <catch2/catch.hpp>

#include "ledger/hash.hpp"
#include "ledger/limits.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

TEST_CASE("a signed transaction round-trips through its canonical bytes", "[tx]") {
  Transaction made = signed_tx("alice", "token.transfer", 7, transfer("bob", 1500));
  std::string expected_prefix = "{\"chain_id\":\"flexledger-test\",\"nonce\":7,\"payload\":{\"amount_micro\":1500,\"to\":\"" +
                                to_hex(public_key_for("bob")) + "\"},\"sig\":\"";
  CHECK(made.canonical.rfind(expected_prefix, 0) == 0);
  CHECK(made.id == sha256(made.canonical));
  auto decoded = decode_transaction(made.canonical);
  REQUIRE(decoded);
  CHECK(decoded->id == made.id);
  CHECK(decoded->signer == public_key_for("alice"));
  CHECK(decoded->nonce == 7);
  CHECK(decoded->payload == made.payload);
  CHECK(verify_transaction_signature(*decoded));
  // The signed bytes are the envelope without "sig", and the id covers the signature too.
  CHECK(signing_bytes(made).find("\"sig\"") == std::string::npos);
}

TEST_CASE("any change to a signed field breaks the signature", "[tx]") {
  Transaction made = signed_tx("alice", "token.transfer", 1, transfer("bob", 100));
  Transaction other_amount = made;
  other_amount.payload["amount_micro"] = 101;
  CHECK_FALSE(verify_transaction_signature(other_amount));
  Transaction other_nonce = made;
  other_nonce.nonce = 2;
  CHECK_FALSE(verify_transaction_signature(other_nonce));
  Transaction other_chain = made;
  other_chain.chain_id = "another-chain";
  CHECK_FALSE(verify_transaction_signature(other_chain));
  Transaction other_signer = made;
  other_signer.signer = public_key_for("bob");
  CHECK_FALSE(verify_transaction_signature(other_signer));
}

TEST_CASE("malformed envelopes are rejected with tx.malformed", "[tx]") {
  Transaction made = signed_tx("alice", "token.transfer", 1, transfer("bob", 100));
  Json envelope = Json::parse(made.canonical);
  auto code_after = [&](auto&& change) {
    Json copy = envelope;
    change(copy);
    auto decoded = decode_transaction(to_canonical(copy));
    return decoded ? std::string("ok") : decoded.rejection().code;
  };
  CHECK(code_after([](Json&) {}) == "ok");
  CHECK(code_after([](Json& j) { j.erase("sig"); }) == "tx.malformed");
  CHECK(code_after([](Json& j) { j["extra"] = 1; }) == "tx.malformed");
  CHECK(code_after([](Json& j) { j["nonce"] = 0; }) == "tx.malformed");
  CHECK(code_after([](Json& j) { j["nonce"] = -4; }) == "tx.malformed");
  CHECK(code_after([](Json& j) { j["nonce"] = "1"; }) == "tx.malformed");
  CHECK(code_after([](Json& j) { j["payload"] = Json::array(); }) == "tx.malformed");
  CHECK(code_after([](Json& j) { j["signer"] = "ABC"; }) == "tx.malformed");
  CHECK(code_after([](Json& j) { std::string s = j["signer"]; s[0] = 'A'; j["signer"] = s; }) == "tx.malformed");
  CHECK(code_after([](Json& j) { j["sig"] = std::string(126, 'a'); }) == "tx.malformed");
  CHECK(code_after([](Json& j) { j["type"] = "Token.Transfer"; }) == "tx.malformed");
  CHECK(code_after([](Json& j) { j["chain_id"] = ""; }) == "tx.malformed");
  CHECK(decode_transaction("[]").rejection().code == "tx.malformed");
}

TEST_CASE("oversized and non-canonical transactions are rejected before anything else", "[tx]") {
  Json payload = transfer("bob", 1);
  payload["memo"] = std::string(limits::max_transaction_bytes, 'x');
  Transaction big = signed_tx("alice", "token.transfer", 1, payload);
  CHECK(decode_transaction(big.canonical).rejection().code == "tx.too_large");

  Transaction made = signed_tx("alice", "token.transfer", 1, transfer("bob", 100));
  std::string spaced = made.canonical;
  spaced.insert(1, " ");
  CHECK(decode_transaction(spaced).rejection().code == "encoding.not_canonical");
  std::string with_float = made.canonical;
  with_float.replace(with_float.find(":100"), 4, ":100.0");
  CHECK(decode_transaction(with_float).rejection().code == "encoding.float");
}
