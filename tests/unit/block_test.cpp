#include <catch2/catch.hpp>

#include "ledger/block.hpp"
#include "ledger/hash.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

BlockHeader sample_header() {
  BlockHeader header;
  header.chain_id = chain_id;
  header.height = 3;
  header.time = 1767225900;
  header.previous_hash = sha256("previous");
  header.tx_root = sha256("");
  header.app_hash = sha256("state");
  header.proposer = public_key_for("v0");
  return header;
}

std::vector<Validator> four_validators() {
  return {{public_key_for("v0"), 1, "dso"}, {public_key_for("v1"), 1, "tso"},
          {public_key_for("v2"), 1, "operator"}, {public_key_for("v3"), 1, "regulator"}};
}

Commit commit_by(const BlockHeader& header, std::initializer_list<const char*> signers, std::int64_t round = 0) {
  Commit commit{header.height, round, block_hash(header), {}};
  for (const char* signer : signers) {
    Hash32 digest = precommit_digest(header.chain_id, header.height, round, commit.block_hash);
    commit.signatures.push_back({public_key_for(signer), *schnorr_sign(key_for(signer), digest, Hash32{})});
  }
  return commit;
}

}  // namespace

TEST_CASE("the block hash is SHA-256 of the canonical header", "[block]") {
  BlockHeader header = sample_header();
  std::string canonical = to_canonical(header_to_json(header));
  CHECK(canonical.rfind("{\"app_hash\":\"", 0) == 0);
  CHECK(block_hash(header) == sha256(canonical));
  auto parsed = header_from_json(Json::parse(canonical));
  REQUIRE(parsed);
  CHECK(block_hash(*parsed) == block_hash(header));
  Json broken = header_to_json(header);
  broken.erase("tx_root");
  CHECK(header_from_json(broken).rejection().code == "block.malformed_header");
}

TEST_CASE("a commit needs more than 2/3 of the voting power", "[block][commit]") {
  BlockHeader header = sample_header();
  auto validators = four_validators();
  CHECK(verify_commit(commit_by(header, {"v0", "v1", "v2"}), header, validators).ok());
  CHECK(verify_commit(commit_by(header, {"v0", "v1", "v2", "v3"}), header, validators).ok());
  // 2 of 4 is exactly 1/2; 3 of 4 with power 1 each is 3/4 > 2/3.
  CHECK(verify_commit(commit_by(header, {"v0", "v1"}), header, validators).rejection().code == "commit.no_quorum");
  // Weighted: v0 holds 4 of 7, so v0 + v1 = 5/7 > 2/3, while v1 + v2 + v3 = 3/7 is not.
  validators[0].power = 4;
  CHECK(verify_commit(commit_by(header, {"v0", "v1"}), header, validators).ok());
  CHECK(verify_commit(commit_by(header, {"v1", "v2", "v3"}), header, validators).rejection().code == "commit.no_quorum");
}

TEST_CASE("bad commits are rejected with specific codes", "[block][commit]") {
  BlockHeader header = sample_header();
  auto validators = four_validators();
  CHECK(verify_commit(commit_by(header, {"v0", "v0", "v1"}), header, validators).rejection().code ==
        "commit.duplicate_validator");
  CHECK(verify_commit(commit_by(header, {"v0", "v1", "outsider"}), header, validators).rejection().code ==
        "commit.unknown_validator");
  Commit tampered = commit_by(header, {"v0", "v1", "v2"});
  tampered.signatures[1].signature[5] ^= 1;
  CHECK(verify_commit(tampered, header, validators).rejection().code == "commit.bad_signature");
  // A vote for round 1 does not verify as a vote for round 0.
  Commit other_round = commit_by(header, {"v0", "v1", "v2"}, 1);
  other_round.round = 0;
  CHECK(verify_commit(other_round, header, validators).rejection().code == "commit.bad_signature");
  BlockHeader other = header;
  other.app_hash = sha256("other state");
  CHECK(verify_commit(commit_by(header, {"v0", "v1", "v2"}), other, validators).rejection().code == "commit.hash_mismatch");
  Commit wrong_height = commit_by(header, {"v0", "v1", "v2"});
  wrong_height.height = 4;
  CHECK(verify_commit(wrong_height, header, validators).rejection().code == "commit.height_mismatch");
}

TEST_CASE("commit JSON round-trips", "[block][commit]") {
  BlockHeader header = sample_header();
  Commit commit = commit_by(header, {"v0", "v2", "v3"}, 2);
  auto parsed = commit_from_json(Json::parse(to_canonical(commit_to_json(commit))));
  REQUIRE(parsed);
  CHECK(to_canonical(commit_to_json(*parsed)) == to_canonical(commit_to_json(commit)));
  CHECK(verify_commit(*parsed, header, four_validators()).ok());
}

TEST_CASE("the validator set hash does not depend on listing order", "[block]") {
  auto validators = four_validators();
  auto reversed = std::vector<Validator>(validators.rbegin(), validators.rend());
  CHECK(validator_set_hash(validators) == validator_set_hash(reversed));
  validators[2].power = 2;
  CHECK(validator_set_hash(validators) != validator_set_hash(reversed));
}
