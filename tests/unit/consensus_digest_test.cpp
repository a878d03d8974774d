// The bytes validators sign in consensus (ledger/block.hpp, PROTOCOL.md §7): each digest is
// checked against a canonical JSON string written out by hand, so a change of field name,
// order, type string or tag shows up here.
#include <catch2/catch.hpp>

#include "ledger/block.hpp"
#include "ledger/hash.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

TEST_CASE("vote type names are prevote and precommit", "[consensus]") {
  CHECK(vote_type_name(VoteType::prevote) == "prevote");
  CHECK(vote_type_name(VoteType::precommit) == "precommit");
}

TEST_CASE("a nil prevote signs the canonical vote with a null block hash", "[consensus]") {
  const std::string canonical = R"({"block_hash":null,"chain_id":"c","height":5,"round":2,"type":"prevote"})";
  CHECK(vote_digest(VoteType::prevote, "c", 5, 2, std::nullopt) == tagged_hash("FlexLedger/vote", canonical));
}

TEST_CASE("a prevote and a precommit for a block sign its hex hash", "[consensus]") {
  const std::string prevote = std::string(R"({"block_hash":")") + kCountingHex +
                              R"(","chain_id":"c","height":5,"round":2,"type":"prevote"})";
  const std::string precommit = std::string(R"({"block_hash":")") + kCountingHex +
                                R"(","chain_id":"c","height":5,"round":2,"type":"precommit"})";
  CHECK(vote_digest(VoteType::prevote, "c", 5, 2, counting_hash()) == tagged_hash("FlexLedger/vote", prevote));
  CHECK(vote_digest(VoteType::precommit, "c", 5, 2, counting_hash()) == tagged_hash("FlexLedger/vote", precommit));
  // A nil precommit.
  CHECK(vote_digest(VoteType::precommit, "c", 5, 2, std::nullopt) ==
        tagged_hash("FlexLedger/vote", R"({"block_hash":null,"chain_id":"c","height":5,"round":2,"type":"precommit"})"));
}

TEST_CASE("precommit_digest is the precommit vote digest, with the bytes commits already sign", "[consensus]") {
  const Hash32 hash = sha256("a block");
  CHECK(precommit_digest("flexledger-test", 7, 0, hash) == vote_digest(VoteType::precommit, "flexledger-test", 7, 0, hash));
  CHECK(precommit_digest("c", 5, 2, counting_hash()) == vote_digest(VoteType::precommit, "c", 5, 2, counting_hash()));
  // The format in the header comment of ledger/block.hpp (unchanged from before prevotes existed).
  const std::string canonical = std::string(R"({"block_hash":")") + kCountingHex +
                                R"(","chain_id":"c","height":5,"round":2,"type":"precommit"})";
  CHECK(precommit_digest("c", 5, 2, counting_hash()) == tagged_hash("FlexLedger/vote", canonical));
}

TEST_CASE("every field of a vote changes its digest", "[consensus]") {
  const Hash32 hash = counting_hash();
  const Hash32 base = vote_digest(VoteType::prevote, "c", 5, 2, hash);
  CHECK(vote_digest(VoteType::precommit, "c", 5, 2, hash) != base);
  CHECK(vote_digest(VoteType::prevote, "c", 5, 2, std::nullopt) != base);
  CHECK(vote_digest(VoteType::prevote, "d", 5, 2, hash) != base);
  CHECK(vote_digest(VoteType::prevote, "c", 6, 2, hash) != base);
  CHECK(vote_digest(VoteType::prevote, "c", 5, 3, hash) != base);
  Hash32 other = hash;
  other[31] ^= 1;
  CHECK(vote_digest(VoteType::prevote, "c", 5, 2, other) != base);
  // Nil prevote and nil precommit differ too.
  CHECK(vote_digest(VoteType::prevote, "c", 5, 2, std::nullopt) != vote_digest(VoteType::precommit, "c", 5, 2, std::nullopt));
  // The same inputs give the same digest.
  CHECK(vote_digest(VoteType::prevote, "c", 5, 2, hash) == base);
}

TEST_CASE("a proposal signs its block hash and valid round under its own tag", "[consensus]") {
  const std::string canonical = std::string(R"({"block_hash":")") + kCountingHex +
                                R"(","chain_id":"c","height":5,"round":2,"type":"proposal","valid_round":-1})";
  CHECK(proposal_digest("c", 5, 2, -1, counting_hash()) == tagged_hash("FlexLedger/proposal", canonical));
  const std::string with_valid_round = std::string(R"({"block_hash":")") + kCountingHex +
                                       R"(","chain_id":"c","height":5,"round":2,"type":"proposal","valid_round":1})";
  CHECK(proposal_digest("c", 5, 2, 1, counting_hash()) == tagged_hash("FlexLedger/proposal", with_valid_round));
  CHECK(proposal_digest("c", 5, 2, 0, counting_hash()) != proposal_digest("c", 5, 2, -1, counting_hash()));
  CHECK(proposal_digest("c", 5, 3, -1, counting_hash()) != proposal_digest("c", 5, 2, -1, counting_hash()));
  // Domain separation: the proposal tag is not the vote tag, so the same JSON under the vote
  // tag is another digest, and no proposal digest equals a vote digest for the same block.
  CHECK(proposal_digest("c", 5, 2, -1, counting_hash()) != tagged_hash("FlexLedger/vote", canonical));
  CHECK(proposal_digest("c", 5, 2, -1, counting_hash()) != vote_digest(VoteType::prevote, "c", 5, 2, counting_hash()));
  CHECK(proposal_digest("c", 5, 2, -1, counting_hash()) != vote_digest(VoteType::precommit, "c", 5, 2, counting_hash()));
}
