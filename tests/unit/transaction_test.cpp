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
  // Edit the decoded envelope and re-encode it canonically, as an attacker would.
  auto verifies_after = [&](auto&& change) {
    Json envelope = Json::parse(made.canonical);
    change(envelope);
    auto decoded = decode_transaction(to_canonical(envelope));
    REQUIRE(decoded);
    return verify_transaction_signature(*decoded);
  };
  CHECK(verifies_after([](Json&) {}));
  CHECK_FALSE(verifies_after([](Json& j) { j["payload"]["amount_micro"] = 101; }));
  CHECK_FALSE(verifies_after([](Json& j) { j["payload"]["memo"] = "added"; }));
  CHECK_FALSE(verifies_after([](Json& j) { j["nonce"] = 2; }));
  CHECK_FALSE(verifies_after([](Json& j) { j["chain_id"] = "another-chain"; }));
  CHECK_FALSE(verifies_after([](Json& j) { j["type"] = "token.burn"; }));
  CHECK_FALSE(verifies_after([](Json& j) { j["signer"] = to_hex(public_key_for("bob")); }));
}

TEST_CASE("the digest taken from the bytes equals the digest of the fields", "[tx]") {
  // A payload member named "sig" holding the signature's own text must not confuse the
  // byte-level derivation of the signing bytes.
  Transaction made = signed_tx("alice", "token.transfer", 3, transfer("bob", 100));
  Json tricky = transfer("bob", 100);
  tricky["sig"] = to_hex(made.sig);
  tricky["zz"] = ",\"sig\":\"" + to_hex(made.sig) + "\"";
  for (const Json& payload : {transfer("bob", 100), tricky, Json::object()}) {
    Transaction signed_one = signed_tx("alice", "token.transfer", 3, payload);
    auto decoded = decode_transaction(signed_one.canonical);
    REQUIRE(decoded);
    CHECK(decoded->signed_digest == signing_digest(*decoded));
    CHECK(verify_transaction_signature(*decoded));
  }
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
  CHECK(decode_transaction(with_float).rejection().code == "encoding.non_integer");
}
