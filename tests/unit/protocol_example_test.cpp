// The worked example of docs/PROTOCOL.md §4, so the document stays true. The digest, id
// and leaf hashes were recomputed independently with Python's hashlib from the bytes shown.
#include <catch2/catch.hpp>

#include "ledger/block.hpp"
#include "ledger/hash.hpp"
#include "ledger/merkle.hpp"
#include "ledger/state.hpp"

using namespace flex;

TEST_CASE("the PROTOCOL.md worked transaction example holds byte for byte", "[protocol]") {
  SecretKey alice(sha256("alice"));
  SecretKey bob(sha256("bob"));
  CHECK(to_hex(alice.bytes()) == "2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90");
  CHECK(to_hex(*derive_public_key(alice)) == "9997a497d964fc1a62885b05a51166a65a90df00492c8d7cf61d6accf54803be");
  Transaction transaction = sign_transaction(
      "flexledger-test", "token.transfer", alice, 1,
      Json{{"to", to_hex(*derive_public_key(bob))}, {"amount_micro", 1500000}}, Hash32{});
  CHECK(signing_bytes(transaction) ==
        R"({"chain_id":"flexledger-test","nonce":1,"payload":{"amount_micro":1500000,"to":"4edfcf9dfe6c0b5c83d1ab3f78d1b39a46ebac6798e08e19761f5ed89ec83c10"},"signer":"9997a497d964fc1a62885b05a51166a65a90df00492c8d7cf61d6accf54803be","type":"token.transfer"})");
  CHECK(to_hex(signing_digest(transaction)) == "186a34cadf72790cd3b4b16d7311da50180cb0539b8ddb70491d5c85f024a811");
  CHECK(to_hex(transaction.sig) ==
        "fced77b1cb014a04b50bfb9c8038e7263845f68c96e40820e450b94ced7027a0"
        "2980776d7ecf0a448ff9d0bbc5beb5010f18d7bfc19782802ff8e00a0633ddc5");
  CHECK(to_hex(transaction.id) == "a04e4e915de4ad8b05afa7e6ac3e60375ddb71a35e52ee5580217504304c6613");
  CHECK(to_hex(transactions_root({transaction})) == "9b93e9de7a57a8a0cefe8ebd8a1191d1dec1b77f789c2c9dd2b040fda1426fdb");
  CHECK(to_hex(state_leaf_hash("nonce/abc", "1")) == "22793c7cd39737efcdb406ffd31ab9beebd56a7fc55dd453e74d57130d2d61a3");
}
