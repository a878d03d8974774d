#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "ledger/hash.hpp"
#include "ledger/schnorr.hpp"

using namespace flex;

namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::stringstream stream(line);
  while (std::getline(stream, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

TEST_CASE("SHA-256 matches the FIPS 180-2 examples", "[crypto]") {
  // FIPS 180-2, Appendix B.1 and the empty-message digest.
  CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 incremental;
  incremental.update("ab").update("c");
  CHECK(to_hex(incremental.finish()) == to_hex(sha256("abc")));
}

TEST_CASE("tagged hash is SHA256(SHA256(tag) || SHA256(tag) || m) and separates domains", "[crypto]") {
  Hash32 tag = sha256("FlexLedger/tx");
  std::string joined(tag.begin(), tag.end());
  joined += std::string(tag.begin(), tag.end()) + "message";
  CHECK(tagged_hash("FlexLedger/tx", "message") == sha256(joined));
  CHECK(tagged_hash("FlexLedger/tx", "message") != tagged_hash("FlexLedger/vote", "message"));
}

TEST_CASE("every BIP-340 test vector passes signing and verification", "[crypto][bip340]") {
  // The published vectors of BIP-340 (bitcoin/bips bip-0340/test-vectors.csv).
  std::ifstream file(std::string(FLEX_TEST_DATA_DIR) + "/bip340-test-vectors.csv");
  REQUIRE(file);
  std::string line;
  std::getline(file, line);  // header
  int vectors = 0;
  while (std::getline(file, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto fields = split_csv_line(line);
    REQUIRE(fields.size() >= 7);
    INFO("vector " << fields[0] << " " << (fields.size() > 7 ? fields[7] : ""));
    auto public_key = from_hex_fixed<32>(lower(fields[2]));
    auto message = from_hex_fixed<32>(lower(fields[4]));
    auto signature = from_hex_fixed<64>(lower(fields[5]));
    REQUIRE(public_key);
    REQUIRE(message);
    REQUIRE(signature);
    bool expected = fields[6] == "TRUE";
    CHECK(schnorr_verify(*signature, *message, *public_key) == expected);
    if (!fields[1].empty()) {
      SecretKey secret(*from_hex_fixed<32>(lower(fields[1])));
      auto derived = derive_public_key(secret);
      REQUIRE(derived);
      CHECK(to_hex(*derived) == lower(fields[2]));
      auto made = schnorr_sign(secret, *message, *from_hex_fixed<32>(lower(fields[3])));
      REQUIRE(made);
      CHECK(to_hex(*made) == lower(fields[5]));
    }
    ++vectors;
  }
  CHECK(vectors == 15);
}

TEST_CASE("malformed secret keys are refused", "[crypto]") {
  SecretKey zero(Hash32{});
  CHECK_FALSE(derive_public_key(zero));
  CHECK_FALSE(schnorr_sign(zero, Hash32{}, Hash32{}));
  // The secp256k1 group order n is not a valid secret (SEC 2, §2.4.1).
  SecretKey order(*from_hex_fixed<32>("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"));
  CHECK_FALSE(derive_public_key(order));
  SecretKey below_order(*from_hex_fixed<32>("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"));
  CHECK(derive_public_key(below_order));
}

TEST_CASE("malformed public keys and signatures never verify", "[crypto]") {
  SecretKey secret(sha256("signer"));
  PublicKey public_key = *derive_public_key(secret);
  Hash32 message = sha256("message");
  Signature signature = *schnorr_sign(secret, message, Hash32{});
  REQUIRE(schnorr_verify(signature, message, public_key));

  // BIP-340 vector 5: not on the curve; vector 14: x exceeds the field size.
  auto off_curve = *from_hex_fixed<32>("eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34");
  auto beyond_field = *from_hex_fixed<32>("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc30");
  CHECK_FALSE(is_valid_public_key(off_curve));
  CHECK_FALSE(is_valid_public_key(beyond_field));
  CHECK_FALSE(schnorr_verify(signature, message, off_curve));
  CHECK_FALSE(schnorr_verify(signature, message, PublicKey{}));

  for (std::size_t byte : {0u, 31u, 32u, 63u}) {
    Signature tampered = signature;
    tampered[byte] ^= 0x01;
    CHECK_FALSE(schnorr_verify(tampered, message, public_key));
  }
  CHECK_FALSE(schnorr_verify(Signature{}, message, public_key));
  CHECK_FALSE(schnorr_verify(signature, sha256("other message"), public_key));
}

TEST_CASE("hex accepts lowercase only and exact lengths", "[crypto]") {
  CHECK(from_hex("00ff") == Bytes{0x00, 0xff});
  CHECK_FALSE(from_hex("00FF"));
  CHECK_FALSE(from_hex("0"));
  CHECK_FALSE(from_hex("zz"));
  CHECK_FALSE(from_hex_fixed<2>("00"));
  CHECK(to_hex(Bytes{0xde, 0xad}) == "dead");
}
