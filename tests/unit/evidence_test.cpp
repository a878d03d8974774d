// Equivocation evidence on the chain (issue 7, increment 3; docs/CONSENSUS-PLAN.md §3,
// docs/PROTOCOL.md §9 evidence.duplicate_vote). Every vote here is really signed: BIP-340
// over vote_digest, by the key of the validator named in the payload.
#include <catch2/catch.hpp>

#include "contracts/evidence.hpp"
#include "ledger/block.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

constexpr const char* evidence_type = "evidence.duplicate_vote";

// The test genesis with three validators: "operator" (also the operator participant),
// "validator-b" (the one that equivocates; no participant) and "regulator-node" (a
// regulator's validator key; no participant either).
Genesis evidence_genesis() {
  Genesis genesis = test_genesis();
  genesis.validators.push_back(Validator{public_key_for("validator-b"), 1, "b"});
  genesis.validators.push_back(Validator{public_key_for("regulator-node"), 1, "regulator"});
  return genesis;
}

// Two block hashes whose order is plain from their bytes: low (0x11...) < high (0x22...).
Hash32 filled(std::uint8_t byte) {
  Hash32 hash;
  hash.fill(byte);
  return hash;
}
const Hash32 block_low = filled(0x11);
const Hash32 block_high = filled(0x22);

SignedVote vote(std::string_view signer, VoteType type, std::int64_t height, std::int64_t round,
                  std::optional<Hash32> block, const std::string& chain = chain_id) {
  SignedVote signed_vote{type, height, round, block, public_key_for(signer), {}};
  signed_vote.signature = *schnorr_sign(key_for(signer), vote_digest(type, chain, height, round, block), Hash32{});
  return signed_vote;
}

SignedVote prevote(std::optional<Hash32> block, std::int64_t height = 1) {
  return vote("validator-b", VoteType::prevote, height, 0, block);
}

Json vote_json(const SignedVote& reported) {
  return Json{{"block_hash", reported.block ? Json(to_hex(*reported.block)) : Json(nullptr)},
              {"signature", to_hex(reported.signature)}};
}

Json hex_of(std::string_view who) { return to_hex(public_key_for(who)); }

// validator-b's two prevotes at height 1, round 0, in the payload's order (low first).
Json equivocation_payload() { return duplicate_vote_payload(prevote(block_low), prevote(block_high)); }

std::size_t evidence_records(const State& state) {
  std::size_t count = 0;
  for (const auto& [key, value] : state.entries()) count += key.starts_with("evidence/") ? 1 : 0;
  return count;
}

std::string envelope_code(const State& state, const Transaction& transaction) {
  StateOverlay overlay(state);
  auto status = check_envelope(overlay, transaction);
  return status ? "ok" : status.rejection().code;
}

}  // namespace

TEST_CASE("evidence keys pad height and round to 16 digits", "[evidence]") {
  const std::string validator = to_hex(public_key_for("validator-b"));
  CHECK(keys::evidence(public_key_for("validator-b"), 12345, 7, "precommit") ==
        "evidence/" + validator + "/0000000000012345/0000000000000007/precommit");
  // 2^53 - 1 has 16 digits, so the largest height still fits without padding.
  CHECK(keys::evidence(public_key_for("validator-b"), 9007199254740991, 0, "prevote") ==
        "evidence/" + validator + "/9007199254740991/0000000000000000/prevote");
}

TEST_CASE("the builder lists the two votes by block hash, nil first, whatever the argument order", "[evidence]") {
  SignedVote nil_vote = prevote(std::nullopt);
  SignedVote low = prevote(block_low);
  Json expected{{"height", 1},
                {"round", 0},
                {"type", "prevote"},
                {"validator", hex_of("validator-b")},
                {"votes", Json::array({vote_json(nil_vote), vote_json(low)})}};
  CHECK(duplicate_vote_payload(nil_vote, low) == expected);
  CHECK(duplicate_vote_payload(low, nil_vote) == expected);
  Transaction transaction = make_duplicate_vote_evidence(chain_id, key_for("operator"), 7, low, nil_vote, Hash32{});
  CHECK(transaction.type == "evidence.duplicate_vote");
  CHECK(transaction.signer == public_key_for("operator"));
  CHECK(transaction.nonce == 7);
  CHECK(transaction.payload == expected);
  CHECK(verify_transaction_signature(transaction));
}

TEST_CASE("two conflicting prevotes are recorded exactly, once", "[evidence]") {
  TestLedger ledger(evidence_genesis());
  SignedVote low = prevote(block_low);
  SignedVote high = prevote(block_high);
  // Given high first: the builder orders them.
  CHECK(ledger.run_alone(make_duplicate_vote_evidence(chain_id, key_for("operator"), 1, high, low, Hash32{})) == "ok");
  const std::string key = "evidence/" + to_hex(public_key_for("validator-b")) + "/0000000000000001/0000000000000000/prevote";
  REQUIRE(ledger.state.get(key));
  Json record{{"height", 1},
              {"reported_height", 1},  // the first block TestLedger runs is height 1
              {"reporter", hex_of("operator")},
              {"round", 0},
              {"type", "prevote"},
              {"validator", hex_of("validator-b")},
              {"votes", Json::array({vote_json(low), vote_json(high)})}};
  CHECK(*ledger.state.get(key) == to_canonical(record));
  CHECK(evidence_records(ledger.state) == 1);

  // The same equivocation again, by another validator or by the same one: a receipt only.
  CHECK(ledger.run_alone(make_duplicate_vote_evidence(chain_id, key_for("regulator-node"), 1, low, high, Hash32{})) ==
        "evidence.duplicate");
  CHECK(ledger.run_alone(make_duplicate_vote_evidence(chain_id, key_for("operator"), 2, low, high, Hash32{})) ==
        "evidence.duplicate");
  CHECK(*ledger.state.get(key) == to_canonical(record));
  CHECK(evidence_records(ledger.state) == 1);
}

TEST_CASE("a nil vote conflicts with a vote for a block; prevotes and precommits are separate records", "[evidence]") {
  TestLedger ledger(evidence_genesis());
  SignedVote nil_precommit = vote("validator-b", VoteType::precommit, 1, 3, std::nullopt);
  SignedVote block_precommit = vote("validator-b", VoteType::precommit, 1, 3, block_high);
  CHECK(ledger.run_alone(
            make_duplicate_vote_evidence(chain_id, key_for("operator"), 1, block_precommit, nil_precommit, Hash32{})) ==
        "ok");
  const std::string prefix = "evidence/" + to_hex(public_key_for("validator-b")) + "/0000000000000001/0000000000000003/";
  REQUIRE(ledger.state.get(prefix + "precommit"));
  Json record = Json::parse(*ledger.state.get(prefix + "precommit"));
  CHECK(record["type"] == "precommit");
  CHECK(record["round"] == 3);
  CHECK(record["votes"] == Json::array({vote_json(nil_precommit), vote_json(block_precommit)}));
  CHECK(record["votes"][0]["block_hash"].is_null());

  SignedVote nil_prevote = vote("validator-b", VoteType::prevote, 1, 3, std::nullopt);
  SignedVote block_prevote = vote("validator-b", VoteType::prevote, 1, 3, block_high);
  CHECK(ledger.run_alone(
            make_duplicate_vote_evidence(chain_id, key_for("operator"), 2, nil_prevote, block_prevote, Hash32{})) ==
        "ok");
  CHECK(ledger.state.get(prefix + "prevote"));
  CHECK(evidence_records(ledger.state) == 2);
}

TEST_CASE("evidence.malformed: the payload's shape and the order of its votes", "[evidence]") {
  TestLedger ledger(evidence_genesis());
  const Json good = equivocation_payload();
  auto changed = [&](auto change) {
    Json payload = good;
    change(payload);
    return ledger.run("operator", evidence_type, payload);
  };
  Json nil_vote = vote_json(prevote(std::nullopt));
  CHECK(changed([](Json& p) { std::swap(p["votes"][0], p["votes"][1]); }) == "evidence.malformed");  // high first
  CHECK(changed([&](Json& p) { p["votes"] = Json::array({p["votes"][0], nil_vote}); }) == "evidence.malformed");  // nil second
  CHECK(changed([](Json& p) { p["votes"].erase(1); }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["votes"].push_back(p["votes"][1]); }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["votes"] = Json::object(); }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p.erase("votes"); }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["votes"][0] = "vote"; }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["votes"][0].erase("block_hash"); }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["votes"][0]["block_hash"] = std::string(63, '1'); }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["votes"][0]["block_hash"] = 17; }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["votes"][1].erase("signature"); }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["votes"][1]["signature"] = std::string(128, 'G'); }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["height"] = 0; }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["height"] = "1"; }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["round"] = -1; }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p.erase("round"); }) == "evidence.malformed");
  CHECK(changed([](Json& p) { p["type"] = "proposal"; }) == "evidence.malformed");  // conflicting proposals are not evidence
  CHECK(changed([](Json& p) { p["validator"] = "validator-b"; }) == "evidence.malformed");
  CHECK(evidence_records(ledger.state) == 0);
  // Malformed comes first: equal hashes in a three-vote list are still malformed.
  CHECK(changed([](Json& p) { p["votes"] = Json::array({p["votes"][0], p["votes"][0], p["votes"][0]}); }) ==
        "evidence.malformed");
  CHECK(ledger.run("operator", evidence_type, good) == "ok");
}

TEST_CASE("evidence.not_conflicting: the same block hash twice, or nil twice", "[evidence]") {
  TestLedger ledger(evidence_genesis());
  Json same_block = equivocation_payload();
  same_block["votes"][1] = same_block["votes"][0];
  CHECK(ledger.run("operator", evidence_type, same_block) == "evidence.not_conflicting");
  Json both_nil = equivocation_payload();
  both_nil["votes"] = Json::array({vote_json(prevote(std::nullopt)), vote_json(prevote(std::nullopt))});
  CHECK(ledger.run("operator", evidence_type, both_nil) == "evidence.not_conflicting");
  // Before the validator is looked up: an unknown one with equal hashes is not conflicting.
  same_block["validator"] = hex_of("alice");
  CHECK(ledger.run("operator", evidence_type, same_block) == "evidence.not_conflicting");
  CHECK(evidence_records(ledger.state) == 0);
}

TEST_CASE("evidence.unknown_validator: really signed votes of a key outside the validator set", "[evidence]") {
  TestLedger ledger(evidence_genesis());
  // Alice is a participant, not a validator; her own two signed votes prove nothing.
  Json payload = duplicate_vote_payload(vote("alice", VoteType::prevote, 1, 0, block_low),
                                        vote("alice", VoteType::prevote, 1, 0, block_high));
  CHECK(ledger.run("operator", evidence_type, payload) == "evidence.unknown_validator");
  // Before the height: the same at a future height is still unknown_validator.
  Json future = duplicate_vote_payload(vote("alice", VoteType::prevote, 9, 0, block_low),
                                       vote("alice", VoteType::prevote, 9, 0, block_high));
  CHECK(ledger.run("operator", evidence_type, future) == "evidence.unknown_validator");
  CHECK(evidence_records(ledger.state) == 0);
}

TEST_CASE("evidence.future: a height above the block's; the block's own height is accepted", "[evidence]") {
  TestLedger ledger(evidence_genesis());  // TestLedger runs blocks 1, 2, 3... one per run
  Json at_height_two = duplicate_vote_payload(prevote(block_low, 2), prevote(block_high, 2));
  CHECK(ledger.run("operator", evidence_type, at_height_two) == "evidence.future");  // block 1
  // Before the signatures: a forged pair at height 3 is future in block 2.
  Json forged = duplicate_vote_payload(prevote(block_low, 3), prevote(block_high, 3));
  std::swap(forged["votes"][0]["signature"], forged["votes"][1]["signature"]);
  CHECK(ledger.run("operator", evidence_type, forged) == "evidence.future");  // block 2
  CHECK(evidence_records(ledger.state) == 0);
  Json at_height_three = duplicate_vote_payload(prevote(block_low, 3), prevote(block_high, 3));
  CHECK(ledger.run("operator", evidence_type, at_height_three) == "ok");  // block 3
  CHECK(ledger.run("operator", evidence_type, at_height_two) == "ok");    // block 4: height 2 is past now
  CHECK(evidence_records(ledger.state) == 2);
}

TEST_CASE("evidence.bad_signature: each vote must verify under the state's chain id", "[evidence]") {
  TestLedger ledger(evidence_genesis());
  // Signed for another chain: real signatures by validator-b, of other bytes.
  Json other_chain = duplicate_vote_payload(vote("validator-b", VoteType::prevote, 1, 0, block_low, "other-chain"),
                                            vote("validator-b", VoteType::prevote, 1, 0, block_high, "other-chain"));
  CHECK(ledger.run("operator", evidence_type, other_chain) == "evidence.bad_signature");
  // Each signature on the other vote.
  Json swapped = equivocation_payload();
  std::swap(swapped["votes"][0]["signature"], swapped["votes"][1]["signature"]);
  CHECK(ledger.run("operator", evidence_type, swapped) == "evidence.bad_signature");
  // Only the second vote wrong: its signature is of round 1, the payload says round 0.
  Json second_wrong = equivocation_payload();
  second_wrong["votes"][1] = vote_json(vote("validator-b", VoteType::prevote, 1, 1, block_high));
  CHECK(ledger.run("operator", evidence_type, second_wrong) == "evidence.bad_signature");
  // The type is signed too: precommits presented as prevotes.
  Json as_prevotes = duplicate_vote_payload(vote("validator-b", VoteType::precommit, 1, 0, block_low),
                                            vote("validator-b", VoteType::precommit, 1, 0, block_high));
  as_prevotes["type"] = "prevote";
  CHECK(ledger.run("operator", evidence_type, as_prevotes) == "evidence.bad_signature");
  // Votes by another validator (operator) named as validator-b's.
  Json framed = duplicate_vote_payload(vote("operator", VoteType::prevote, 1, 0, block_low),
                                       vote("operator", VoteType::prevote, 1, 0, block_high));
  framed["validator"] = hex_of("validator-b");
  CHECK(ledger.run("operator", evidence_type, framed) == "evidence.bad_signature");
  CHECK(evidence_records(ledger.state) == 0);

  // Before the duplicate check: once recorded, a forged copy is still bad_signature.
  CHECK(ledger.run("operator", evidence_type, equivocation_payload()) == "ok");
  CHECK(ledger.run("operator", evidence_type, swapped) == "evidence.bad_signature");
  CHECK(ledger.run("operator", evidence_type, equivocation_payload()) == "evidence.duplicate");
}

TEST_CASE("only a validator signs evidence: any other signer is inadmissible", "[evidence]") {
  State state(genesis_state(evidence_genesis()));
  Transaction by_alice = make_duplicate_vote_evidence(chain_id, key_for("alice"), 1, prevote(block_low),
                                                      prevote(block_high), Hash32{});
  Transaction by_mallory = make_duplicate_vote_evidence(chain_id, key_for("mallory"), 1, prevote(block_low),
                                                        prevote(block_high), Hash32{});
  Transaction by_operator = make_duplicate_vote_evidence(chain_id, key_for("operator"), 1, prevote(block_low),
                                                         prevote(block_high), Hash32{});
  // Alice is a participant but not a validator; mallory is neither.
  CHECK(envelope_code(state, by_alice) == "tx.unknown_signer");
  CHECK(envelope_code(state, by_mallory) == "tx.unknown_signer");
  CHECK(envelope_code(state, by_operator) == "ok");
  // A validator that is not a participant still signs no other type.
  CHECK(envelope_code(state, signed_tx("regulator-node", "token.transfer", 1, transfer("bob", 1))) ==
        "tx.unknown_signer");

  Hash32 before = state.app_hash();
  auto execution = execute_block(state, ExecutionContext{1, 1767225601}, {by_operator, by_alice});
  REQUIRE_FALSE(execution);
  CHECK(execution.rejection().code == "block.invalid_transaction");
  CHECK(state.app_hash() == before);
}

TEST_CASE("a validator that is not a participant submits evidence; its nonce is checked as usual", "[evidence]") {
  TestLedger ledger(evidence_genesis());
  const PublicKey regulator_node = public_key_for("regulator-node");
  Transaction report = make_duplicate_vote_evidence(chain_id, key_for("regulator-node"), 1, prevote(block_low),
                                                    prevote(block_high), Hash32{});
  CHECK(ledger.run_alone(report) == "ok");
  const std::string key = keys::evidence(public_key_for("validator-b"), 1, 0, "prevote");
  REQUIRE(ledger.state.get(key));
  CHECK(Json::parse(*ledger.state.get(key))["reporter"] == to_hex(regulator_node));
  CHECK(ledger.state.get(keys::nonce(regulator_node)) == "1");
  CHECK_FALSE(ledger.state.get(keys::participant(regulator_node)));  // it did not become one
  CHECK(envelope_code(ledger.state, report) == "tx.stale_nonce");

  // No role is in the type's row (docs/ROLES.md): the validator set decides, not roles.
  CHECK(is_known_transaction_type(evidence_type));
  for (const char* role : {"prosumer", "aggregator", "dso", "tso", "retailer", "metering", "operator", "auditor",
                           "regulator"}) {
    CHECK_FALSE(role_may_submit(evidence_type, role));
  }
}
