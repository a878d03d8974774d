// JSON codecs of consensus messages (node/consensus/messages.hpp): votes, blocks and
// proposals round-trip exactly, one vote's canonical text is written out by hand from the
// header's member list, and every malformed shape is rejected with consensus.malformed.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "ledger/block.hpp"
#include "ledger/canonical_json.hpp"
#include "ledger/hash.hpp"
#include "ledger/limits.hpp"
#include "node/consensus/messages.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::consensus;
using namespace flex::test;

namespace {

std::string repeat(const std::string& text, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

template <std::size_t N>
std::array<std::uint8_t, N> filled(std::uint8_t byte) {
  std::array<std::uint8_t, N> bytes{};
  bytes.fill(byte);
  return bytes;
}

SignedVote sample_vote() {
  return SignedVote{VoteType::prevote, 5, 2, counting_hash(), filled<32>(0xab), filled<64>(0xcd)};
}

// Operator mints 5.00 to Alice, Alice pays Bob 1.25 (block_check_test's admissible pair).
std::vector<Transaction> two_signed_transactions() {
  return {signed_tx("operator", "token.mint", 1, mint("alice", 5'000'000)),
          signed_tx("alice", "token.transfer", 1, transfer("bob", 1'250'000))};
}

Block sample_block(std::vector<Transaction> transactions) {
  Block block;
  block.header.chain_id = flex::test::chain_id;
  block.header.height = 7;
  block.header.time = 1767225700;
  block.header.previous_hash = sha256("previous");
  block.header.app_hash = sha256("app");
  block.header.proposer = public_key_for("operator");
  block.header.validator_set_hash = sha256("validators");
  block.header.tx_root = transactions_root(transactions);
  block.transactions = std::move(transactions);
  return block;
}

SignedProposal sample_proposal() {
  auto block = std::make_shared<const Block>(sample_block(two_signed_transactions()));
  SignedProposal proposal;
  proposal.height = 7;
  proposal.round = 3;
  proposal.valid_round = 1;
  proposal.block_id = block_hash(block->header);
  proposal.block = block;
  proposal.signer = public_key_for("operator");
  proposal.signature = filled<64>(0x5a);
  return proposal;
}

// Through canonical text and back, as the store and the wire carry them.
Json reparsed(const Json& json) { return Json::parse(to_canonical(json)); }

std::vector<std::string> transactions_of(const Block& block) {
  std::vector<std::string> canonical;
  for (const auto& transaction : block.transactions) canonical.push_back(transaction.canonical);
  return canonical;
}

template <class T>
std::string code_of(const Result<T>& result) {
  return result ? "ok" : result.rejection().code;
}

}  // namespace

// ---- Round trips ----

TEST_CASE("a vote for a block and a nil vote round-trip through canonical JSON", "[consensus]") {
  const SignedVote prevote = sample_vote();
  auto decoded = vote_from_json(reparsed(vote_to_json(prevote)));
  REQUIRE(decoded);
  CHECK(*decoded == prevote);

  const SignedVote nil_precommit{VoteType::precommit, 9, 0, std::nullopt, public_key_for("operator"), filled<64>(1)};
  decoded = vote_from_json(reparsed(vote_to_json(nil_precommit)));
  REQUIRE(decoded);
  CHECK(*decoded == nil_precommit);
  CHECK_FALSE(decoded->block);
  CHECK(decoded->type == VoteType::precommit);
}

TEST_CASE("a prevote's canonical JSON text, written by hand", "[consensus]") {
  // Members in sorted order, as the header comment of messages.hpp lists them.
  const std::string expected = std::string(R"({"block_hash":")") + kCountingHex +
                               R"(","height":5,"round":2,"signature":")" + repeat("cd", 64) +
                               R"(","type":"prevote","validator":")" + repeat("ab", 32) + R"("})";
  CHECK(to_canonical(vote_to_json(sample_vote())) == expected);

  const SignedVote nil_precommit{VoteType::precommit, 5, 2, std::nullopt, filled<32>(0xab), filled<64>(0xcd)};
  const std::string nil_expected = std::string(R"({"block_hash":null,"height":5,"round":2,"signature":")") +
                                   repeat("cd", 64) + R"(","type":"precommit","validator":")" + repeat("ab", 32) +
                                   R"("})";
  CHECK(to_canonical(vote_to_json(nil_precommit)) == nil_expected);
}

TEST_CASE("a block with signed transactions and an empty block round-trip", "[consensus]") {
  const Block block = sample_block(two_signed_transactions());
  auto decoded = block_from_json(reparsed(block_to_json(block)));
  REQUIRE(decoded);
  CHECK(block_hash(decoded->header) == block_hash(block.header));
  CHECK(to_canonical(header_to_json(decoded->header)) == to_canonical(header_to_json(block.header)));
  REQUIRE(decoded->transactions.size() == 2);
  CHECK(transactions_of(*decoded) == transactions_of(block));
  CHECK(decoded->transactions[0].id == block.transactions[0].id);
  CHECK(decoded->transactions[1].id == block.transactions[1].id);
  CHECK(decoded->transactions[1].signer == public_key_for("alice"));
  CHECK(verify_transaction_signature(decoded->transactions[0]));
  CHECK(verify_transaction_signature(decoded->transactions[1]));
  CHECK(transactions_root(decoded->transactions) == block.header.tx_root);

  const Block empty = sample_block({});
  decoded = block_from_json(reparsed(block_to_json(empty)));
  REQUIRE(decoded);
  CHECK(block_hash(decoded->header) == block_hash(empty.header));
  CHECK(decoded->transactions.empty());
  // Transactions are carried as their canonical strings.
  CHECK(block_to_json(block)["transactions"][0] == Json(block.transactions[0].canonical));
}

TEST_CASE("a proposal with a block of signed transactions round-trips", "[consensus]") {
  const SignedProposal proposal = sample_proposal();
  auto decoded = proposal_from_json(reparsed(proposal_to_json(proposal)));
  REQUIRE(decoded);
  CHECK(decoded->height == 7);
  CHECK(decoded->round == 3);
  CHECK(decoded->valid_round == 1);
  CHECK(decoded->block_id == proposal.block_id);
  CHECK(decoded->signer == proposal.signer);
  CHECK(decoded->signature == proposal.signature);
  REQUIRE(decoded->block);
  CHECK(block_hash(decoded->block->header) == proposal.block_id);
  CHECK(transactions_of(*decoded->block) == transactions_of(*proposal.block));
  // Encoding the decoded proposal gives the same text.
  CHECK(to_canonical(proposal_to_json(*decoded)) == to_canonical(proposal_to_json(proposal)));

  SignedProposal fresh = proposal;  // valid_round -1: a fresh value (line 19)
  fresh.valid_round = -1;
  decoded = proposal_from_json(reparsed(proposal_to_json(fresh)));
  REQUIRE(decoded);
  CHECK(decoded->valid_round == -1);
}

// ---- Malformed votes ----

TEST_CASE("a vote missing any member, or with an extra one, is consensus.malformed", "[consensus]") {
  const Json good = vote_to_json(sample_vote());
  REQUIRE(vote_from_json(good));
  for (const char* member : {"block_hash", "height", "round", "signature", "type", "validator"}) {
    INFO("without " << member);
    Json missing = good;
    missing.erase(member);
    CHECK(code_of(vote_from_json(missing)) == "consensus.malformed");
    // Seven members less one plus another: six, with one of them unknown.
    Json replaced = missing;
    replaced["extra"] = 1;
    CHECK(code_of(vote_from_json(replaced)) == "consensus.malformed");
  }
  Json extra = good;
  extra["chain_id"] = "flexledger-test";
  CHECK(code_of(vote_from_json(extra)) == "consensus.malformed");
  CHECK(code_of(vote_from_json(Json::array())) == "consensus.malformed");
  CHECK(code_of(vote_from_json(Json("vote"))) == "consensus.malformed");
  CHECK(code_of(vote_from_json(Json(nullptr))) == "consensus.malformed");
}

TEST_CASE("a vote with a bad type, hex or integer member is consensus.malformed", "[consensus]") {
  const Json good = vote_to_json(sample_vote());
  auto with = [&good](const char* member, Json value) {
    Json changed = good;
    changed[member] = std::move(value);
    return code_of(vote_from_json(changed));
  };
  // Type: only prevote and precommit, as strings.
  CHECK(with("type", "proposal") == "consensus.malformed");
  CHECK(with("type", "Prevote") == "consensus.malformed");
  CHECK(with("type", 2) == "consensus.malformed");
  CHECK(with("type", nullptr) == "consensus.malformed");
  // Hex lengths: 64 digits for block_hash and validator, 128 for signature.
  CHECK(with("block_hash", repeat("0", 62)) == "consensus.malformed");
  CHECK(with("block_hash", repeat("0", 66)) == "consensus.malformed");
  CHECK(with("block_hash", repeat("0", 63)) == "consensus.malformed");
  CHECK(with("block_hash", "") == "consensus.malformed");
  CHECK(with("validator", repeat("ab", 31)) == "consensus.malformed");
  CHECK(with("validator", repeat("ab", 33)) == "consensus.malformed");
  CHECK(with("signature", repeat("cd", 32)) == "consensus.malformed");
  CHECK(with("signature", repeat("cd", 65)) == "consensus.malformed");
  // Hex digits: lower-case only.
  CHECK(with("block_hash", repeat("zz", 32)) == "consensus.malformed");
  CHECK(with("validator", repeat("AB", 32)) == "consensus.malformed");
  CHECK(with("block_hash", 5) == "consensus.malformed");
  // Integers: height and round are JSON integers.
  CHECK(with("height", 5.5) == "consensus.malformed");
  CHECK(with("height", "5") == "consensus.malformed");
  CHECK(with("height", nullptr) == "consensus.malformed");
  CHECK(with("round", 2.0) == "consensus.malformed");
  CHECK(with("round", true) == "consensus.malformed");
  // The unchanged vote decodes (so each line above fails for its one change).
  CHECK(with("type", "prevote") == "ok");
}

// ---- Malformed blocks ----

TEST_CASE("a block with a missing, extra or badly typed member is consensus.malformed", "[consensus]") {
  const Json good = block_to_json(sample_block(two_signed_transactions()));
  REQUIRE(block_from_json(good));
  for (const char* member : {"header", "transactions"}) {
    INFO("without " << member);
    Json missing = good;
    missing.erase(member);
    CHECK(code_of(block_from_json(missing)) == "consensus.malformed");
  }
  Json extra = good;
  extra["commit"] = Json::object();
  CHECK(code_of(block_from_json(extra)) == "consensus.malformed");

  Json not_array = good;
  not_array["transactions"] = Json::object();
  CHECK(code_of(block_from_json(not_array)) == "consensus.malformed");

  Json bad_header = good;
  bad_header["header"].erase("app_hash");
  CHECK(code_of(block_from_json(bad_header)) == "consensus.malformed");
  Json short_header_hash = good;
  short_header_hash["header"]["tx_root"] = repeat("0", 62);
  CHECK(code_of(block_from_json(short_header_hash)) == "consensus.malformed");
  Json fractional_height = good;
  fractional_height["header"]["height"] = 7.5;
  CHECK(code_of(block_from_json(fractional_height)) == "consensus.malformed");

  CHECK(code_of(block_from_json(Json::array())) == "consensus.malformed");
  CHECK(code_of(block_from_json(Json(nullptr))) == "consensus.malformed");
}

TEST_CASE("a block whose transaction is not a canonical transaction string is consensus.malformed", "[consensus]") {
  const Block block = sample_block(two_signed_transactions());
  const Json good = block_to_json(block);

  Json number = good;
  number["transactions"][1] = 42;
  CHECK(code_of(block_from_json(number)) == "consensus.malformed");

  Json object = good;  // the transaction as a JSON object rather than its canonical string
  object["transactions"][0] = Json::parse(block.transactions[0].canonical);
  CHECK(code_of(block_from_json(object)) == "consensus.malformed");

  Json garbage = good;
  garbage["transactions"][0] = "not a transaction";
  CHECK(code_of(block_from_json(garbage)) == "consensus.malformed");

  Json spaced = good;  // the same envelope with a space: no longer canonical
  spaced["transactions"][0] = " " + block.transactions[0].canonical;
  CHECK(code_of(block_from_json(spaced)) == "consensus.malformed");
}

TEST_CASE("a block of more than 5000 transactions is consensus.malformed; 5000 decode", "[consensus]") {
  const Transaction transaction = signed_tx("operator", "token.mint", 1, mint("alice", 5'000'000));
  Json transactions = Json::array();
  for (std::size_t i = 0; i < limits::max_transactions_per_block; ++i) transactions.push_back(transaction.canonical);
  Json block{{"header", header_to_json(sample_block({}).header)}, {"transactions", transactions}};
  // 5000 (the bound, ledger/limits.hpp): shape only, so copies of one transaction decode.
  auto decoded = block_from_json(block);
  REQUIRE(decoded);
  CHECK(decoded->transactions.size() == 5000);

  block["transactions"].push_back(transaction.canonical);  // 5001
  CHECK(code_of(block_from_json(block)) == "consensus.malformed");
}

// ---- Malformed proposals ----

TEST_CASE("a proposal missing any member, or with an extra one, is consensus.malformed", "[consensus]") {
  const Json good = proposal_to_json(sample_proposal());
  REQUIRE(proposal_from_json(good));
  for (const char* member : {"block", "block_hash", "height", "round", "signature", "signer", "valid_round"}) {
    INFO("without " << member);
    Json missing = good;
    missing.erase(member);
    CHECK(code_of(proposal_from_json(missing)) == "consensus.malformed");
    Json replaced = missing;
    replaced["extra"] = 1;
    CHECK(code_of(proposal_from_json(replaced)) == "consensus.malformed");
  }
  Json extra = good;
  extra["type"] = "proposal";
  CHECK(code_of(proposal_from_json(extra)) == "consensus.malformed");
  CHECK(code_of(proposal_from_json(Json::array())) == "consensus.malformed");
}

TEST_CASE("a proposal with a bad member, block or block hash is consensus.malformed", "[consensus]") {
  const SignedProposal proposal = sample_proposal();
  const Json good = proposal_to_json(proposal);
  auto with = [&good](const char* member, Json value) {
    Json changed = good;
    changed[member] = std::move(value);
    return code_of(proposal_from_json(changed));
  };
  CHECK(with("height", 7.0) == "consensus.malformed");
  CHECK(with("round", "3") == "consensus.malformed");
  CHECK(with("valid_round", nullptr) == "consensus.malformed");
  CHECK(with("signer", repeat("ab", 31)) == "consensus.malformed");
  CHECK(with("signature", repeat("cd", 63)) == "consensus.malformed");
  CHECK(with("block_hash", repeat("0", 66)) == "consensus.malformed");
  // A proposal always carries its block.
  CHECK(with("block", nullptr) == "consensus.malformed");
  CHECK(with("block", "a block") == "consensus.malformed");
  // A well-formed hash that is not the block's: another block's hash.
  CHECK(with("block_hash", to_hex(block_hash(sample_block({}).header))) == "consensus.malformed");
  CHECK(with("block_hash", kCountingHex) == "consensus.malformed");
  // A block with a non-string transaction inside.
  Json bad_block = good["block"];
  bad_block["transactions"][0] = 1;
  CHECK(with("block", bad_block) == "consensus.malformed");
  // The unchanged proposal decodes.
  CHECK(with("height", 7) == "ok");
}

// JSON numbers above INT64_MAX parse as unsigned integers; a decoder that casts them would
// read 2^64 - 1 as -1 and 2^63 as INT64_MIN, so the decoded message is not the one sent.
TEST_CASE("a vote or proposal whose height does not fit in a signed 64-bit integer is consensus.malformed",
          "[consensus]") {
  Json vote = vote_to_json(sample_vote());
  vote["height"] = Json::parse("18446744073709551615");  // 2^64 - 1
  CHECK(code_of(vote_from_json(vote)) == "consensus.malformed");
  vote["height"] = Json::parse("9223372036854775808");  // 2^63
  CHECK(code_of(vote_from_json(vote)) == "consensus.malformed");
  vote["height"] = Json::parse("9223372036854775807");  // 2^63 - 1 fits
  auto decoded = vote_from_json(vote);
  REQUIRE(decoded);
  CHECK(decoded->height == 9223372036854775807);

  Json proposal = proposal_to_json(sample_proposal());
  proposal["round"] = Json::parse("18446744073709551615");
  CHECK(code_of(proposal_from_json(proposal)) == "consensus.malformed");
}
