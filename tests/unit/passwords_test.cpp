#include <catch2/catch.hpp>

#include <regex>

#include "api/passwords.hpp"

using namespace flex;
using namespace flex::api;

namespace {

// A valid encoding of `password` at the cheapest accepted cost, built from the raw
// derivation so the malformed variants below differ from it in one field only.
std::string cheap_encoding(const std::string& password) {
  Bytes salt(password_limits::salt_bytes, 0x5a);
  Bytes hash = scrypt_derive(password, salt, 10, 1, 1, password_limits::hash_bytes);
  return "scrypt$10$1$1$" + to_hex(salt) + "$" + to_hex(hash);
}

}  // namespace

TEST_CASE("scrypt_derive matches the RFC 7914 section 12 test vectors", "[users][passwords]") {
  // RFC 7914, section 12, first vector: empty password and salt, N = 16, r = 1, p = 1.
  CHECK(to_hex(scrypt_derive("", as_bytes(""), 4, 1, 1, 64)) ==
        "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
        "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
  // Second vector: "password" / "NaCl", N = 1024, r = 8, p = 16.
  CHECK(to_hex(scrypt_derive("password", as_bytes("NaCl"), 10, 8, 16, 64)) ==
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
}

TEST_CASE("hash_password writes the documented encoding and verifies only the right password",
          "[users][passwords]") {
  std::string encoded = hash_password("correct horse battery");
  CHECK(std::regex_match(encoded, std::regex(R"(scrypt\$15\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64})")));
  CHECK(verify_password("correct horse battery", encoded));
  CHECK_FALSE(verify_password("correct horse batterz", encoded));
  CHECK_FALSE(verify_password("correct horse battery ", encoded));
  CHECK_FALSE(verify_password("", encoded));

  // A fresh salt each time: equal passwords give different hashes, and both verify.
  std::string again = hash_password("correct horse battery");
  CHECK(again != encoded);
  CHECK(again.substr(14, 32) != encoded.substr(14, 32));
  CHECK(verify_password("correct horse battery", again));
}

TEST_CASE("verify_password recomputes with the parameters the encoding names", "[users][passwords]") {
  std::string encoded = cheap_encoding("correct horse battery");
  CHECK(verify_password("correct horse battery", encoded));
  CHECK_FALSE(verify_password("wrong horse battery", encoded));
  // The same salt and hash under other parameters no longer match.
  CHECK_FALSE(verify_password("correct horse battery", "scrypt$11" + encoded.substr(9)));
}

TEST_CASE("verify_password returns false for every malformed encoding", "[users][passwords]") {
  const std::string password = "correct horse battery";
  const std::string good = cheap_encoding(password);
  REQUIRE(verify_password(password, good));
  const std::string salt = good.substr(14, 32);
  const std::string hash = good.substr(47, 64);
  auto with = [&](const std::string& log2_n, const std::string& r, const std::string& p, const std::string& salt_hex,
                  const std::string& hash_hex) {
    return "scrypt$" + log2_n + "$" + r + "$" + p + "$" + salt_hex + "$" + hash_hex;
  };
  REQUIRE(with("10", "1", "1", salt, hash) == good);

  const std::vector<std::string> malformed = {
      // Wrong scheme.
      "bcrypt" + good.substr(6), "SCRYPT" + good.substr(6), "scrypt2" + good.substr(6), good.substr(7),
      // Bad hex: uppercase, a non-hex digit, an odd length.
      with("10", "1", "1", "5A" + salt.substr(2), hash), with("10", "1", "1", salt, "g" + hash.substr(1)),
      with("10", "1", "1", salt + "5", hash),
      // Out-of-range or non-decimal parameters.
      with("9", "1", "1", salt, hash), with("21", "1", "1", salt, hash), with("10", "0", "1", salt, hash),
      with("10", "17", "1", salt, hash), with("10", "1", "0", salt, hash), with("10", "1", "5", salt, hash),
      with("-10", "1", "1", salt, hash), with("+10", "1", "1", salt, hash), with("10 ", "1", "1", salt, hash),
      with("", "1", "1", salt, hash), with("1e1", "1", "1", salt, hash),
      with("4294967306", "1", "1", salt, hash),  // 2^32 + 10 wraps to 10 if parsed carelessly
      // Wrong salt or hash length.
      with("10", "1", "1", salt.substr(2), hash), with("10", "1", "1", salt + "00", hash),
      with("10", "1", "1", "", hash), with("10", "1", "1", salt, hash.substr(2)), with("10", "1", "1", salt, ""),
      // Truncated, or extra fields.
      good.substr(0, good.size() - 1), good.substr(0, good.size() - 65), good.substr(0, 20), "scrypt", "", "$$$$$",
      good + "$", good + "$00",
  };
  for (const auto& encoded : malformed) {
    INFO("encoded: " << encoded);
    CHECK_FALSE(verify_password(password, encoded));
  }
}
