// Rule-by-rule tests of the pure Tendermint core (node/consensus/tendermint.hpp) against
// Algorithm 1 of Buchman, Kwon and Milosevic, "The latest gossip on BFT consensus"
// (arXiv:1807.04938v3). Each test is named by the algorithm's line; the rule table is
// docs/CONSENSUS-PLAN.md §1. They were written from the paper and the header, not from the
// implementation, and assert only what the paper or the header fixes (for instance never
// the relative order of unrelated outputs of one handle() call).
//
// Fixture: four validators of power 1 (T = 4, so 2f+1 = 3 and f+1 = 2), named v0..v3 in
// key order, so proposer(h, r) = v[(h + r) mod 4]: at height 1, round 0 is v1's, round 1
// v2's, round 2 v3's and round 3 v0's. The core never verifies signatures, so all are zero.
// Outputs are rendered as short text ("prevote h1 r0 A") so a failure shows what came out.
// Set FLEX_TENDERMINT_TRACE=1 to print every input and its outputs.
#include <catch2/catch.hpp>

#include <array>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "ledger/block.hpp"
#include "ledger/hash.hpp"
#include "node/consensus/tendermint.hpp"

using namespace flex;
using namespace flex::consensus;

namespace {

using Lines = std::vector<std::string>;
const std::optional<Hash32> kNil;  // a vote for nil
const std::string kUnlocked = "locked nil@-1 valid nil@-1";

// ---- Keys, validators and blocks ----

// v_i's key: every byte 0x10 * (i + 1), so key order is index order.
PublicKey key(std::size_t index) {
  PublicKey result{};
  result.fill(static_cast<std::uint8_t>(0x10 * (index + 1)));
  return result;
}

std::string validator_name(const PublicKey& public_key) {
  return "v" + std::to_string(public_key[0] / 0x10 - 1);
}

// Built in reverse order on purpose: the set sorts by key.
ValidatorSet validator_set(std::size_t count) {
  std::vector<Validator> validators;
  for (std::size_t i = count; i-- > 0;) validators.push_back(Validator{key(i), 1, "v" + std::to_string(i)});
  return ValidatorSet(std::move(validators));
}

std::size_t proposer_index(std::int64_t height, std::int64_t round, std::size_t count) {
  return static_cast<std::size_t>((height + round) % static_cast<std::int64_t>(count));
}

std::map<Hash32, std::string>& block_names() {
  static std::map<Hash32, std::string> names;
  return names;
}

struct TestBlock {
  std::string name;
  std::shared_ptr<const Block> block;
  Hash32 id{};
};

// A block of `height`, distinct per name; id = block_hash(header) as in PROTOCOL §7.
TestBlock make_block(const std::string& name, std::int64_t height, std::size_t builder = 0) {
  Block block;
  block.header.chain_id = "flexledger-test";
  block.header.height = height;
  block.header.time = 1'767'225'600 + height;
  block.header.app_hash = sha256(name);
  block.header.proposer = key(builder);
  Hash32 id = block_hash(block.header);
  block_names()[id] = name;
  return TestBlock{name, std::make_shared<const Block>(std::move(block)), id};
}

std::string block_name(const std::optional<Hash32>& id) {
  if (!id) return "nil";
  auto found = block_names().find(*id);
  return found == block_names().end() ? "?" + to_hex(*id).substr(0, 8) : found->second;
}

SignedVote vote_by(std::size_t validator, VoteType type, std::int64_t height, std::int64_t round,
                   std::optional<Hash32> block) {
  return SignedVote{type, height, round, block, key(validator), Signature{}};
}

SignedProposal proposal_by(std::size_t signer, std::int64_t height, std::int64_t round, std::int64_t valid_round,
                           const TestBlock& block) {
  return SignedProposal{height, round, valid_round, block.id, block.block, key(signer), Signature{}};
}

// ---- Rendering outputs as text ----

std::string type_text(VoteType type) { return type == VoteType::prevote ? "prevote" : "precommit"; }

std::string step_text(Step step) {
  switch (step) {
    case Step::propose: return "propose";
    case Step::prevote: return "prevote";
    case Step::precommit: return "precommit";
  }
  return "step?";
}

std::string at(std::int64_t height, std::int64_t round) {
  return "h" + std::to_string(height) + " r" + std::to_string(round);
}

std::string locks_text(const Locks& locks) {
  return "locked " + block_name(locks.locked) + "@" + std::to_string(locks.locked_round) + " valid " +
         block_name(locks.valid) + "@" + std::to_string(locks.valid_round);
}

std::string vote_text(const SignedVote& vote) {
  return validator_name(vote.validator) + " " + type_text(vote.type) + " " + at(vote.height, vote.round) + " " +
         block_name(vote.block);
}

std::string text(const GetValue& get) { return at(get.height, get.round); }
std::string text(const CheckValidity& check) {
  bool block_matches = check.block && block_hash(check.block->header) == check.id;
  return block_name(check.id) + (block_matches ? "" : " (block does not match id)");
}
std::string text(const SignProposal& proposal) {
  bool block_matches = proposal.block && block_hash(proposal.block->header) == proposal.id;
  return at(proposal.height, proposal.round) + " vr" + std::to_string(proposal.valid_round) + " " +
         block_name(proposal.id) + (block_matches ? "" : " (block does not match id)");
}
std::string text(const SignVote& vote) {
  return type_text(vote.type) + " " + at(vote.height, vote.round) + " " + block_name(vote.block);
}
std::string text(const ScheduleTimeout& timeout) {
  return step_text(timeout.step) + " " + at(timeout.height, timeout.round) + " " + std::to_string(timeout.delay_ms) +
         "ms";
}
// "h1 r0 A by v1 v2 v3": the signers in the order given; a precommit that is not for
// (height, round, id) shows as "vN(wrong)".
std::string text(const Decide& decide) {
  std::string result = at(decide.height, decide.round) + " " + block_name(decide.id) + " by";
  for (const SignedVote& precommit : decide.precommits) {
    bool matches = precommit.type == VoteType::precommit && precommit.height == decide.height &&
                   precommit.round == decide.round && precommit.block == decide.id;
    result += " " + validator_name(precommit.validator) + (matches ? "" : "(wrong)");
  }
  if (!decide.block || block_hash(decide.block->header) != decide.id) result += " (block does not match id)";
  return result;
}
std::string text(const Equivocation& equivocation) {
  const SignedVote& first = equivocation.first;
  return validator_name(first.validator) + " " + type_text(first.type) + " " + at(first.height, first.round) + ": " +
         block_name(first.block) + " then " + block_name(equivocation.second.block) +
         (equivocation.second.validator == first.validator ? "" : " (different validators)");
}

// Every output, with its kind and the locks it carries: for transcripts and determinism.
std::string full_text(const Output& output) {
  struct Visitor {
    std::string operator()(const GetValue& x) const { return "GetValue " + text(x); }
    std::string operator()(const CheckValidity& x) const { return "CheckValidity " + text(x); }
    std::string operator()(const SignProposal& x) const {
      return "SignProposal " + text(x) + " " + locks_text(x.locks);
    }
    std::string operator()(const SignVote& x) const { return "SignVote " + text(x) + " " + locks_text(x.locks); }
    std::string operator()(const ScheduleTimeout& x) const { return "ScheduleTimeout " + text(x); }
    std::string operator()(const Decide& x) const { return "Decide " + text(x); }
    std::string operator()(const Equivocation& x) const { return "Equivocation " + text(x); }
  };
  return std::visit(Visitor{}, output);
}

std::string full_text(const Input& input) {
  struct Visitor {
    std::string operator()(const StartHeight&) const { return "StartHeight"; }
    std::string operator()(const ProposalReceived& x) const {
      const SignedProposal& p = x.proposal;
      return "ProposalReceived " + validator_name(p.signer) + " " + at(p.height, p.round) + " vr" +
             std::to_string(p.valid_round) + " " + block_name(p.block_id);
    }
    std::string operator()(const VoteReceived& x) const { return "VoteReceived " + vote_text(x.vote); }
    std::string operator()(const TimeoutFired& x) const {
      return "TimeoutFired " + step_text(x.step) + " " + at(x.height, x.round);
    }
    std::string operator()(const ValueReady& x) const {
      return "ValueReady " + at(x.height, x.round) + " " + block_name(x.id);
    }
    std::string operator()(const ValidityKnown& x) const {
      return "ValidityKnown " + block_name(x.id) + (x.valid ? " valid" : " invalid");
    }
    std::string operator()(const CommittedElsewhere& x) const {
      return "CommittedElsewhere " + std::to_string(x.height);
    }
  };
  return std::visit(Visitor{}, input);
}

template <class T>
std::vector<T> all_of(const std::vector<Output>& outputs) {
  std::vector<T> result;
  for (const Output& output : outputs) {
    if (const T* item = std::get_if<T>(&output)) result.push_back(*item);
  }
  return result;
}

// The outputs of kind T as text, in output order.
template <class T>
Lines lines_of(const std::vector<Output>& outputs) {
  Lines result;
  for (const T& item : all_of<T>(outputs)) result.push_back(text(item));
  return result;
}

// The names of the blocks an output carries for double-sign protection (lock_blocks).
std::set<std::string> names_of(const std::vector<std::shared_ptr<const Block>>& blocks) {
  std::set<std::string> names;
  for (const auto& block : blocks) names.insert(block ? block_name(block_hash(block->header)) : "null");
  return names;
}

void append(std::vector<Output>& to, const std::vector<Output>& more) { to.insert(to.end(), more.begin(), more.end()); }

// ---- The harness: one core and a scripted host ----

class Harness {
 public:
  Harness(std::size_t validator_count, std::optional<std::size_t> self, std::int64_t height = 1,
          std::optional<Resume> resume = std::nullopt)
      : count_(validator_count),
        self_(self),
        core_(validator_set(validator_count), self ? std::optional<PublicKey>(key(*self)) : std::nullopt,
              TimeoutParams{}, height, std::move(resume)) {}

  // The host answers CheckValidity at once for blocks whose answer the test has set, and
  // leaves the others pending. The answer's outputs are appended.
  void answer_validity(const TestBlock& block, bool valid) { validity_[block.id] = valid; }

  std::vector<Output> feed(const Input& input) {
    std::vector<Output> outputs = handle(input);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const auto* check = std::get_if<CheckValidity>(&outputs[i]);
      if (check == nullptr) continue;
      auto answer = validity_.find(check->id);
      if (answer == validity_.end()) continue;
      append(outputs, handle(ValidityKnown{answer->first, answer->second}));
    }
    return outputs;
  }

  std::vector<Output> prevote(std::size_t validator, std::int64_t round, std::optional<Hash32> block,
                              std::int64_t height = 1) {
    return feed(VoteReceived{vote_by(validator, VoteType::prevote, height, round, block)});
  }
  std::vector<Output> precommit(std::size_t validator, std::int64_t round, std::optional<Hash32> block,
                                std::int64_t height = 1) {
    return feed(VoteReceived{vote_by(validator, VoteType::precommit, height, round, block)});
  }
  // A proposal signed by proposer(height, round).
  std::vector<Output> propose(std::int64_t round, std::int64_t valid_round, const TestBlock& block,
                              std::int64_t height = 1) {
    std::size_t proposer = proposer_index(height, round, count_);
    return feed(ProposalReceived{proposal_by(proposer, height, round, valid_round, block)});
  }
  std::vector<Output> fire(Step step, std::int64_t round, std::int64_t height = 1) {
    return feed(TimeoutFired{step, height, round});
  }

  // The host signs what the core asked to sign and feeds it back (one level, no cascade).
  std::vector<Output> feed_back(const std::vector<Output>& outputs) {
    std::vector<Output> result;
    for (const Output& output : outputs) {
      if (const auto* vote = std::get_if<SignVote>(&output)) {
        append(result, feed(VoteReceived{own_vote(*vote)}));
      } else if (const auto* proposal = std::get_if<SignProposal>(&output)) {
        append(result, feed(ProposalReceived{own_proposal(*proposal)}));
      }
    }
    return result;
  }

  // A host that answers everything at once: signs and feeds back, builds a block for each
  // GetValue (named "built h<h> r<r>"), answers CheckValidity (valid unless answer_validity
  // said otherwise). Timeouts are left to the test. Returns every output, in order.
  std::vector<Output> cascade(const Input& first) {
    std::deque<Input> pending{first};
    std::vector<Output> everything;
    while (!pending.empty()) {
      REQUIRE(everything.size() < 1000);  // a cascade is finite
      std::vector<Output> outputs = handle(pending.front());
      pending.pop_front();
      for (const Output& output : outputs) {
        everything.push_back(output);
        if (const auto* vote = std::get_if<SignVote>(&output)) {
          pending.push_back(VoteReceived{own_vote(*vote)});
        } else if (const auto* proposal = std::get_if<SignProposal>(&output)) {
          pending.push_back(ProposalReceived{own_proposal(*proposal)});
        } else if (const auto* check = std::get_if<CheckValidity>(&output)) {
          auto answer = validity_.find(check->id);
          pending.push_back(ValidityKnown{check->id, answer == validity_.end() || answer->second});
        } else if (const auto* get = std::get_if<GetValue>(&output)) {
          TestBlock built = make_block("built " + at(get->height, get->round), get->height, self_.value_or(0));
          built_.push_back(built);
          pending.push_back(ValueReady{get->height, get->round, built.block, built.id});
        }
      }
    }
    return everything;
  }

  RoundState state() const { return core_.state(); }
  // "h1 r0 prevote"; only "h2 r-1" while the start gate is closed (the step is then moot).
  std::string position() const {
    RoundState state = core_.state();
    std::string result = at(state.height, state.round);
    return state.round < 0 ? result : result + " " + step_text(state.step);
  }
  std::string locks() const { return locks_text(core_.state().locks); }
  const std::vector<TestBlock>& built() const { return built_; }

 private:
  std::vector<Output> handle(const Input& input) {
    std::vector<Output> outputs = core_.handle(input);
    if (std::getenv("FLEX_TENDERMINT_TRACE") != nullptr) {
      std::cerr << "  " << full_text(input) << "\n";
      for (const Output& output : outputs) std::cerr << "    -> " << full_text(output) << "\n";
    }
    return outputs;
  }

  SignedVote own_vote(const SignVote& vote) const {
    REQUIRE(self_.has_value());  // an observer is never asked to sign
    return vote_by(*self_, vote.type, vote.height, vote.round, vote.block);
  }
  SignedProposal own_proposal(const SignProposal& proposal) const {
    REQUIRE(self_.has_value());
    return SignedProposal{proposal.height, proposal.round, proposal.valid_round, proposal.id,
                          proposal.block,  key(*self_),   Signature{}};
  }

  std::size_t count_;
  std::optional<std::size_t> self_;
  Tendermint core_;
  std::map<Hash32, bool> validity_;
  std::vector<TestBlock> built_;
};

// Self locks `block` in round 0 of height 1 (line 36) with the prevotes of `others`, then the
// round ends by their nil precommits (lines 47, 65). Afterwards self is at round 1, step
// propose, locked on `block` at round 0. Round 0's proposer is v1.
void lock_in_round_0_then_start_round_1(Harness& node, const TestBlock& block, std::size_t first_other,
                                        std::size_t second_other) {
  node.answer_validity(block, true);
  node.feed(StartHeight{});
  auto prevoted = node.propose(0, -1, block);
  REQUIRE(lines_of<SignVote>(prevoted) == Lines{"prevote h1 r0 " + block.name});
  node.feed_back(prevoted);
  node.prevote(first_other, 0, block.id);
  auto precommitted = node.prevote(second_other, 0, block.id);
  REQUIRE(lines_of<SignVote>(precommitted) == Lines{"precommit h1 r0 " + block.name});
  node.feed_back(precommitted);
  node.precommit(first_other, 0, kNil);
  auto scheduled = node.precommit(second_other, 0, kNil);
  REQUIRE(lines_of<ScheduleTimeout>(scheduled) == Lines{"precommit h1 r0 500ms"});
  node.fire(Step::precommit, 0);
  REQUIRE(node.position() == "h1 r1 propose");
  REQUIRE(node.locks() == "locked " + block.name + "@0 valid " + block.name + "@0");
}

// Self v0 decides `block` at height 1, round 0 (proposal by v1, precommits of v1..v3).
void decide_height_1(Harness& node, const TestBlock& block) {
  node.answer_validity(block, true);
  node.propose(0, -1, block);
  node.precommit(1, 0, block.id);
  node.precommit(2, 0, block.id);
  auto decided = node.precommit(3, 0, block.id);
  REQUIRE(lines_of<Decide>(decided) == Lines{"h1 r0 " + block.name + " by v1 v2 v3"});
}

}  // namespace

// ---- The fixture and the timeouts ----

TEST_CASE("fixture: with equal powers proposer(h, r) is v[(h + r) mod 4]", "[tendermint]") {
  ValidatorSet validators = validator_set(4);
  CHECK(validators.total_power() == 4);
  CHECK(validators.is_quorum(3));  // 2f+1 = 3: 3*3 > 2*4
  CHECK_FALSE(validators.is_quorum(2));
  CHECK(validators.exceeds_third(2));  // f+1 = 2: 3*2 > 4
  CHECK_FALSE(validators.exceeds_third(1));
  CHECK(validators.proposer(1, 0).public_key == key(1));
  CHECK(validators.proposer(1, 1).public_key == key(2));
  CHECK(validators.proposer(1, 2).public_key == key(3));
  CHECK(validators.proposer(1, 3).public_key == key(0));
  CHECK(validators.proposer(2, 0).public_key == key(2));
  CHECK(validators.proposer(3, 0).public_key == key(3));
}

TEST_CASE("timeouts: timeoutX(r) = initX + r * deltaX, capped at 60 s", "[tendermint]") {
  TimeoutParams params;  // the defaults of docs/CONSENSUS-PLAN.md §1
  CHECK(params.timeout_ms(Step::propose, 0) == 1000);
  CHECK(params.timeout_ms(Step::propose, 3) == 2500);  // 1000 + 3 * 500
  CHECK(params.timeout_ms(Step::prevote, 0) == 500);
  CHECK(params.timeout_ms(Step::prevote, 2) == 1000);  // 500 + 2 * 250
  CHECK(params.timeout_ms(Step::precommit, 4) == 1500);  // 500 + 4 * 250
  CHECK(params.timeout_ms(Step::propose, 118) == 60'000);  // 1000 + 118 * 500, exactly the cap
  CHECK(params.timeout_ms(Step::propose, 119) == 60'000);  // 60,500 capped
  CHECK(params.timeout_ms(Step::precommit, 1'000'000) == 60'000);
}

// ---- Lines 10-21: StartRound ----

TEST_CASE("line 11: StartRound as proposer asks for a value, then proposes it with validRound -1", "[tendermint]") {
  Harness node(4, 1);  // v1 proposes round 0 of height 1
  CHECK(node.position() == "h1 r-1");

  auto started = node.feed(StartHeight{});
  CHECK(lines_of<GetValue>(started) == Lines{"h1 r0"});  // line 18
  CHECK(lines_of<SignProposal>(started).empty());
  CHECK(lines_of<ScheduleTimeout>(started).empty());  // line 21 is the non-proposer's branch
  CHECK(node.position() == "h1 r0 propose");

  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  auto proposed = node.feed(ValueReady{1, 0, block_a.block, block_a.id});
  auto proposals = all_of<SignProposal>(proposed);
  REQUIRE(lines_of<SignProposal>(proposed) == Lines{"h1 r0 vr-1 A"});  // line 19 with validRound_p = -1
  CHECK(locks_text(proposals[0].locks) == kUnlocked);
  CHECK(lines_of<SignVote>(proposed).empty());  // the own proposal counts once fed back

  auto prevoted = node.feed_back(proposed);  // line 22 on the own proposal
  CHECK(lines_of<SignVote>(prevoted) == Lines{"prevote h1 r0 A"});
  CHECK(node.position() == "h1 r0 prevote");
}

TEST_CASE("line 18: a value for a round already left is not proposed", "[tendermint]") {
  Harness node(4, 1);
  CHECK(lines_of<GetValue>(node.feed(StartHeight{})) == Lines{"h1 r0"});
  node.prevote(2, 1, kNil);
  node.prevote(3, 1, kNil);  // line 55: round 1, v2's
  REQUIRE(node.position() == "h1 r1 propose");

  TestBlock late = make_block("late", 1, 1);
  node.answer_validity(late, true);
  auto outputs = node.feed(ValueReady{1, 0, late.block, late.id});
  CHECK(lines_of<SignProposal>(outputs).empty());
  CHECK(lines_of<SignVote>(outputs).empty());
  CHECK(node.position() == "h1 r1 propose");
}

TEST_CASE("line 15: proposer re-proposes validValue with validRound", "[tendermint]") {
  Harness node(4, 2);  // v2 proposes round 1 of height 1
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  auto started = node.feed(StartHeight{});
  CHECK(lines_of<ScheduleTimeout>(started) == Lines{"propose h1 r0 1000ms"});

  auto prevoted = node.propose(0, -1, block_a);
  REQUIRE(lines_of<SignVote>(prevoted) == Lines{"prevote h1 r0 A"});
  node.feed_back(prevoted);
  node.prevote(0, 0, block_a.id);
  auto precommitted = node.prevote(1, 0, block_a.id);
  REQUIRE(lines_of<SignVote>(precommitted) == Lines{"precommit h1 r0 A"});  // line 36: lock and valid
  node.feed_back(precommitted);
  node.precommit(0, 0, kNil);
  CHECK(lines_of<ScheduleTimeout>(node.precommit(1, 0, kNil)) == Lines{"precommit h1 r0 500ms"});

  auto round_1 = node.fire(Step::precommit, 0);  // line 65 -> StartRound(1), v2 proposes
  auto proposals = all_of<SignProposal>(round_1);
  REQUIRE(lines_of<SignProposal>(round_1) == Lines{"h1 r1 vr0 A"});  // lines 15-16, 19
  CHECK(locks_text(proposals[0].locks) == "locked A@0 valid A@0");
  CHECK(names_of(proposals[0].lock_blocks) == std::set<std::string>{"A"});
  CHECK(lines_of<GetValue>(round_1).empty());  // line 18 is only for validValue = nil
  CHECK(lines_of<ScheduleTimeout>(round_1).empty());
  CHECK(node.position() == "h1 r1 propose");
  CHECK(node.locks() == "locked A@0 valid A@0");
}

TEST_CASE("line 21: non-proposer schedules timeoutPropose(r) = 1000 + r*500 ms", "[tendermint]") {
  Harness node(4, 0);  // v0 proposes only round 3 of height 1
  auto round_0 = node.feed(StartHeight{});
  CHECK(lines_of<ScheduleTimeout>(round_0) == Lines{"propose h1 r0 1000ms"});
  CHECK(lines_of<GetValue>(round_0).empty());
  CHECK(node.position() == "h1 r0 propose");

  node.prevote(2, 1, kNil);
  auto round_1 = node.prevote(3, 1, kNil);  // line 55
  CHECK(lines_of<ScheduleTimeout>(round_1) == Lines{"propose h1 r1 1500ms"});
  node.prevote(2, 2, kNil);
  auto round_2 = node.prevote(3, 2, kNil);
  CHECK(lines_of<ScheduleTimeout>(round_2) == Lines{"propose h1 r2 2000ms"});
  node.prevote(2, 3, kNil);
  auto round_3 = node.prevote(3, 3, kNil);  // now v0 is the proposer
  CHECK(lines_of<ScheduleTimeout>(round_3).empty());
  CHECK(lines_of<GetValue>(round_3) == Lines{"h1 r3"});
  CHECK(node.position() == "h1 r3 propose");
}

// ---- Lines 22-27: prevote on a fresh proposal ----

TEST_CASE("line 22: fresh proposal, unlocked -> prevote id(v)", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  node.feed(StartHeight{});
  auto outputs = node.propose(0, -1, block_a);
  CHECK(lines_of<CheckValidity>(outputs) == Lines{"A"});
  auto votes = all_of<SignVote>(outputs);
  REQUIRE(lines_of<SignVote>(outputs) == Lines{"prevote h1 r0 A"});
  CHECK(locks_text(votes[0].locks) == kUnlocked);
  CHECK(names_of(votes[0].lock_blocks) == std::set<std::string>{"A"});  // only the block it votes for
  CHECK(votes[0].lock_votes.empty());
  CHECK(node.position() == "h1 r0 prevote");
  CHECK(node.locks() == kUnlocked);
}

TEST_CASE("line 22: waits for ValidityKnown, and asks once per block", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.feed(StartHeight{});
  auto first = node.propose(0, -1, block_a);
  CHECK(lines_of<CheckValidity>(first) == Lines{"A"});
  CHECK(lines_of<SignVote>(first).empty());
  CHECK(node.position() == "h1 r0 propose");

  auto again = node.propose(0, -1, block_a);  // the same proposal, gossiped twice
  CHECK(lines_of<CheckValidity>(again).empty());
  CHECK(lines_of<SignVote>(again).empty());

  auto answered = node.feed(ValidityKnown{block_a.id, true});
  CHECK(lines_of<SignVote>(answered) == Lines{"prevote h1 r0 A"});
  CHECK(node.position() == "h1 r0 prevote");
}

TEST_CASE("line 22: invalid proposal -> prevote nil", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, false);
  node.feed(StartHeight{});
  auto outputs = node.propose(0, -1, block_a);
  CHECK(lines_of<SignVote>(outputs) == Lines{"prevote h1 r0 nil"});
  CHECK(node.position() == "h1 r0 prevote");
}

TEST_CASE("line 22: locked on another value -> prevote nil", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_b = make_block("B", 1, 2);
  lock_in_round_0_then_start_round_1(node, block_a, 1, 2);
  node.answer_validity(block_b, true);
  auto outputs = node.propose(1, -1, block_b);  // v2's fresh proposal of round 1
  auto votes = all_of<SignVote>(outputs);
  REQUIRE(lines_of<SignVote>(outputs) == Lines{"prevote h1 r1 nil"});
  CHECK(locks_text(votes[0].locks) == "locked A@0 valid A@0");
  CHECK(node.position() == "h1 r1 prevote");
}

TEST_CASE("line 22: locked on the same value -> prevote id(v), validity remembered for the height", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  lock_in_round_0_then_start_round_1(node, block_a, 1, 2);
  auto outputs = node.propose(1, -1, block_a);
  CHECK(lines_of<SignVote>(outputs) == Lines{"prevote h1 r1 A"});  // lockedValue_p = v
  CHECK(lines_of<CheckValidity>(outputs).empty());  // valid(A) was answered in round 0
}

TEST_CASE("line 22: a proposal of another round does not prevote; it is used when its round starts", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_b = make_block("B", 1, 2);
  node.answer_validity(block_b, true);
  node.feed(StartHeight{});
  auto early = node.propose(1, -1, block_b);  // v2's proposal of round 1, while at round 0
  CHECK(lines_of<SignVote>(early).empty());
  CHECK(node.position() == "h1 r0 propose");

  // Line 55: the proposal and a prevote are messages of round 1 from two senders (f+1).
  auto round_1 = node.prevote(3, 1, kNil);
  CHECK(lines_of<ScheduleTimeout>(round_1) == Lines{"propose h1 r1 1500ms"});
  CHECK(lines_of<SignVote>(round_1) == Lines{"prevote h1 r1 B"});
  CHECK(node.position() == "h1 r1 prevote");
}

// ---- Lines 28-33: prevote on a proposal with a proof-of-lock ----

TEST_CASE("line 28: proposal with vr and 2f+1 prevotes at vr, lockedRound <= vr -> prevote id(v) (unlock)",
          "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_b = make_block("B", 1, 3);
  lock_in_round_0_then_start_round_1(node, block_a, 1, 2);  // lockedRound_p = 0
  node.answer_validity(block_b, true);

  // Round 1: B gets 2f+1 prevotes; v0 never sees round 1's proposal, so it does not relock.
  for (std::size_t validator : {1, 2, 3}) CHECK(lines_of<SignVote>(node.prevote(validator, 1, block_b.id)).empty());
  CHECK(node.position() == "h1 r1 propose");
  node.prevote(1, 2, block_b.id);
  auto round_2 = node.prevote(2, 2, block_b.id);  // line 55
  CHECK(lines_of<ScheduleTimeout>(round_2) == Lines{"propose h1 r2 2000ms"});

  auto prevoted = node.propose(2, 1, block_b);  // v3 re-proposes B with vr = 1 > lockedRound 0
  auto votes = all_of<SignVote>(prevoted);
  REQUIRE(lines_of<SignVote>(prevoted) == Lines{"prevote h1 r2 B"});
  CHECK(locks_text(votes[0].locks) == "locked A@0 valid A@0");  // a prevote does not move the lock
  CHECK(node.position() == "h1 r2 prevote");

  // With its own prevote v0 sees 2f+1 for B in round 2 (v0, v1, v2): line 36 relocks.
  auto precommitted = node.feed_back(prevoted);
  CHECK(lines_of<SignVote>(precommitted) == Lines{"precommit h1 r2 B"});
  CHECK(node.locks() == "locked B@2 valid B@2");
}

TEST_CASE("line 28: lockedRound > vr and other value -> nil", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 2);
  TestBlock block_b = make_block("B", 1, 1);
  node.answer_validity(block_a, true);
  node.answer_validity(block_b, true);
  node.feed(StartHeight{});
  // Round 0: B gets 2f+1 prevotes but v0 never sees the proposal, and prevotes nil on timeout.
  for (std::size_t validator : {1, 2, 3}) node.prevote(validator, 0, block_b.id);
  CHECK(lines_of<SignVote>(node.fire(Step::propose, 0)) == Lines{"prevote h1 r0 nil"});

  // Round 1: v0 locks A.
  node.prevote(2, 1, block_a.id);
  node.prevote(3, 1, block_a.id);  // line 55
  REQUIRE(node.position() == "h1 r1 propose");
  auto prevoted = node.propose(1, -1, block_a);
  REQUIRE(lines_of<SignVote>(prevoted) == Lines{"prevote h1 r1 A"});
  REQUIRE(lines_of<SignVote>(node.feed_back(prevoted)) == Lines{"precommit h1 r1 A"});
  REQUIRE(node.locks() == "locked A@1 valid A@1");

  // Round 2: v3 re-proposes B with vr = 0 < lockedRound 1.
  node.prevote(1, 2, kNil);
  node.prevote(2, 2, kNil);  // line 55
  REQUIRE(node.position() == "h1 r2 propose");
  auto outputs = node.propose(2, 0, block_b);
  CHECK(lines_of<SignVote>(outputs) == Lines{"prevote h1 r2 nil"});
  CHECK(node.locks() == "locked A@1 valid A@1");
}

TEST_CASE("line 28: waits for the 2f+1 prevotes at vr, counting prevotes of past rounds", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_b = make_block("B", 1, 1);
  node.answer_validity(block_b, true);
  node.feed(StartHeight{});
  node.prevote(1, 1, block_b.id);
  node.prevote(3, 1, block_b.id);  // line 55: round 1
  REQUIRE(node.position() == "h1 r1 propose");

  auto proposed = node.propose(1, 0, block_b);  // vr = 0 without its proof yet; line 22 needs vr = -1
  CHECK(lines_of<SignVote>(proposed).empty());
  CHECK(lines_of<SignVote>(node.prevote(1, 0, block_b.id)).empty());
  CHECK(lines_of<SignVote>(node.prevote(3, 0, block_b.id)).empty());  // 2 of 3
  CHECK(lines_of<SignVote>(node.prevote(2, 0, block_b.id)) == Lines{"prevote h1 r1 B"});
  CHECK(node.position() == "h1 r1 prevote");
}

TEST_CASE("line 28: a proposal with vr >= round_p is no proof-of-lock", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_b = make_block("B", 1, 2);
  node.answer_validity(block_b, true);
  node.feed(StartHeight{});
  node.prevote(1, 1, block_b.id);
  node.prevote(3, 1, block_b.id);  // line 55: round 1
  REQUIRE(node.position() == "h1 r1 propose");
  std::vector<Output> outputs = node.propose(1, 1, block_b);  // v2 claims vr = 1 = round_p
  append(outputs, node.prevote(2, 1, block_b.id));           // 2f+1 prevotes for B at round 1
  CHECK(lines_of<SignVote>(outputs).empty());  // 0 <= vr < round_p fails; line 22 needs vr = -1
  CHECK(node.position() == "h1 r1 propose");
}

// ---- Lines 34-35: the prevote timeout ----

TEST_CASE("line 34: 2f+1 prevotes of mixed values schedule timeoutPrevote once", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_b = make_block("B", 1, 2);
  node.answer_validity(block_a, true);
  node.feed(StartHeight{});
  node.feed_back(node.propose(0, -1, block_a));  // v0 prevotes A
  CHECK(lines_of<ScheduleTimeout>(node.prevote(1, 0, kNil)).empty());
  auto third = node.prevote(2, 0, block_b.id);  // A, nil, B: 2f+1 of any value
  CHECK(lines_of<ScheduleTimeout>(third) == Lines{"prevote h1 r0 500ms"});
  CHECK(lines_of<SignVote>(third).empty());
  auto fourth = node.prevote(3, 0, kNil);
  CHECK(lines_of<ScheduleTimeout>(fourth).empty());  // "for the first time"
  CHECK(lines_of<SignVote>(fourth).empty());  // nil has 2, A 1, B 1: no 2f+1 for anything
  CHECK(node.position() == "h1 r0 prevote");
}

TEST_CASE("line 34: waits for the prevote step", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_b = make_block("B", 1, 2);
  node.feed(StartHeight{});
  std::vector<Output> outputs;
  append(outputs, node.prevote(1, 0, kNil));
  append(outputs, node.prevote(2, 0, block_b.id));
  append(outputs, node.prevote(3, 0, block_a.id));
  CHECK(lines_of<ScheduleTimeout>(outputs).empty());  // step_p = propose
  auto timed_out = node.fire(Step::propose, 0);  // line 57, then line 34 on re-evaluation
  CHECK(lines_of<SignVote>(timed_out) == Lines{"prevote h1 r0 nil"});
  CHECK(lines_of<ScheduleTimeout>(timed_out) == Lines{"prevote h1 r0 500ms"});
}

// ---- Lines 36-43: lock and precommit ----

TEST_CASE("line 36: in prevote step -> lock, precommit id(v), validValue set; only once per round", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  node.feed(StartHeight{});
  node.feed_back(node.propose(0, -1, block_a));
  CHECK(lines_of<SignVote>(node.prevote(1, 0, block_a.id)).empty());
  auto outputs = node.prevote(2, 0, block_a.id);  // v0, v1, v2
  auto votes = all_of<SignVote>(outputs);
  REQUIRE(lines_of<SignVote>(outputs) == Lines{"precommit h1 r0 A"});
  CHECK(votes[0].locks.locked == block_a.id);
  CHECK(votes[0].locks.locked_round == 0);
  CHECK(names_of(votes[0].lock_blocks) == std::set<std::string>{"A"});  // the locked block, to persist
  CHECK(node.position() == "h1 r0 precommit");
  CHECK(node.locks() == "locked A@0 valid A@0");

  CHECK(lines_of<SignVote>(node.prevote(3, 0, block_a.id)).empty());
  CHECK(lines_of<SignVote>(node.propose(0, -1, block_a)).empty());
  CHECK(node.locks() == "locked A@0 valid A@0");
}

TEST_CASE("line 36 at precommit step only updates validValue/validRound", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.feed(StartHeight{});
  node.feed_back(node.fire(Step::propose, 0));  // v0 prevotes nil
  std::vector<Output> all_in;
  for (std::size_t validator : {1, 2, 3}) append(all_in, node.prevote(validator, 0, block_a.id));
  CHECK(lines_of<SignVote>(all_in).empty());  // 2f+1 for A, but no proposal seen
  CHECK(lines_of<ScheduleTimeout>(all_in) == Lines{"prevote h1 r0 500ms"});  // line 34, at v2's
  CHECK(lines_of<SignVote>(node.fire(Step::prevote, 0)) == Lines{"precommit h1 r0 nil"});  // line 61
  CHECK(node.position() == "h1 r0 precommit");

  auto proposed = node.propose(0, -1, block_a);  // the proposal arrives late
  CHECK(lines_of<CheckValidity>(proposed) == Lines{"A"});
  CHECK(node.locks() == kUnlocked);  // line 36 needs valid(v)
  auto answered = node.feed(ValidityKnown{block_a.id, true});
  CHECK(lines_of<SignVote>(answered).empty());
  CHECK(node.locks() == "locked nil@-1 valid A@0");
  CHECK(node.position() == "h1 r0 precommit");
}

TEST_CASE("line 36: no lock on an invalid value", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, false);
  node.feed(StartHeight{});
  CHECK(lines_of<SignVote>(node.propose(0, -1, block_a)) == Lines{"prevote h1 r0 nil"});
  std::vector<Output> outputs;
  for (std::size_t validator : {1, 2, 3}) append(outputs, node.prevote(validator, 0, block_a.id));
  CHECK(lines_of<SignVote>(outputs).empty());
  CHECK(node.locks() == kUnlocked);
  CHECK(node.position() == "h1 r0 prevote");
}

// ---- Lines 44-46: precommit nil ----

TEST_CASE("line 44: 2f+1 nil prevotes -> precommit nil", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  node.feed(StartHeight{});
  node.feed_back(node.propose(0, -1, block_a));  // v0 prevotes A
  CHECK(lines_of<SignVote>(node.prevote(1, 0, kNil)).empty());
  CHECK(lines_of<SignVote>(node.prevote(2, 0, kNil)).empty());
  auto outputs = node.prevote(3, 0, kNil);
  auto votes = all_of<SignVote>(outputs);
  REQUIRE(lines_of<SignVote>(outputs) == Lines{"precommit h1 r0 nil"});
  CHECK(locks_text(votes[0].locks) == kUnlocked);
  CHECK(node.position() == "h1 r0 precommit");
  CHECK(node.locks() == kUnlocked);
}

TEST_CASE("line 44: not in the propose step; fires right after line 57 moves to prevote", "[tendermint]") {
  Harness node(4, 0);
  node.feed(StartHeight{});
  std::vector<Output> outputs;
  for (std::size_t validator : {1, 2, 3}) append(outputs, node.prevote(validator, 0, kNil));
  CHECK(lines_of<SignVote>(outputs).empty());
  CHECK(node.position() == "h1 r0 propose");
  auto timed_out = node.fire(Step::propose, 0);
  CHECK(lines_of<SignVote>(timed_out) == Lines{"prevote h1 r0 nil", "precommit h1 r0 nil"});
  CHECK(node.position() == "h1 r0 precommit");
}

// ---- Lines 47-48: the precommit timeout ----

TEST_CASE("line 47: 2f+1 mixed precommits schedule timeoutPrecommit once, in any step", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_b = make_block("B", 1, 2);
  node.feed(StartHeight{});
  CHECK(lines_of<ScheduleTimeout>(node.precommit(1, 0, block_a.id)).empty());
  CHECK(lines_of<ScheduleTimeout>(node.precommit(2, 0, kNil)).empty());
  CHECK(lines_of<ScheduleTimeout>(node.precommit(3, 0, block_b.id)) == Lines{"precommit h1 r0 500ms"});
  CHECK(node.position() == "h1 r0 propose");  // line 47 has no step condition and moves no step
  CHECK(lines_of<ScheduleTimeout>(node.precommit(0, 0, kNil)).empty());  // "for the first time"
}

// ---- Lines 49-54: decide ----

TEST_CASE("line 49: decides with 2f+1 precommits in a round r < round_p (proposal of that round)", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  node.feed(StartHeight{});
  CHECK(lines_of<SignVote>(node.propose(0, -1, block_a)) == Lines{"prevote h1 r0 A"});
  node.prevote(2, 1, kNil);
  node.prevote(3, 1, kNil);  // line 55
  REQUIRE(node.position() == "h1 r1 propose");

  CHECK(lines_of<Decide>(node.precommit(3, 0, block_a.id)).empty());
  CHECK(lines_of<Decide>(node.precommit(1, 0, block_a.id)).empty());
  auto decided = node.precommit(2, 0, block_a.id);
  auto decisions = all_of<Decide>(decided);
  REQUIRE(lines_of<Decide>(decided) == Lines{"h1 r0 A by v1 v2 v3"});  // sorted by key
  CHECK(decisions[0].precommits[0] == vote_by(1, VoteType::precommit, 1, 0, block_a.id));
  CHECK(node.position() == "h2 r-1");
  CHECK(node.locks() == kUnlocked);
  CHECK(lines_of<Decide>(node.precommit(0, 0, block_a.id)).empty());  // decided once
}

TEST_CASE("line 49: decide lists the precommits sorted by key; after it h+1, round -1, locks reset", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  node.feed(StartHeight{});
  node.feed_back(node.propose(0, -1, block_a));
  node.prevote(1, 0, block_a.id);
  auto precommitted = node.prevote(2, 0, block_a.id);
  REQUIRE(lines_of<SignVote>(precommitted) == Lines{"precommit h1 r0 A"});
  REQUIRE(node.locks() == "locked A@0 valid A@0");

  node.precommit(1, 0, kNil);  // not part of the decision
  node.precommit(3, 0, block_a.id);
  CHECK(lines_of<Decide>(node.feed_back(precommitted)).empty());  // v0's own precommit: 2 for A
  auto decided = node.precommit(2, 0, block_a.id);
  CHECK(lines_of<Decide>(decided) == Lines{"h1 r0 A by v0 v2 v3"});
  CHECK(node.position() == "h2 r-1");
  CHECK(node.locks() == kUnlocked);  // line 54 resets locked and valid

  auto next = node.feed(StartHeight{});
  CHECK(lines_of<ScheduleTimeout>(next) == Lines{"propose h2 r0 1000ms"});  // v2 proposes (2, 0)
  CHECK(node.position() == "h2 r0 propose");
}

TEST_CASE("line 49: no decision on fewer than 2f+1 precommits", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  node.feed(StartHeight{});
  node.propose(0, -1, block_a);
  std::vector<Output> outputs;
  append(outputs, node.precommit(1, 0, block_a.id));
  append(outputs, node.precommit(2, 0, block_a.id));  // f+1, not 2f+1
  append(outputs, node.precommit(3, 0, kNil));
  CHECK(lines_of<Decide>(outputs).empty());
  CHECK(node.state().height == 1);
}

TEST_CASE("line 49: invalid value not decided", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, false);
  node.feed(StartHeight{});
  node.propose(0, -1, block_a);
  std::vector<Output> outputs;
  for (std::size_t validator : {1, 2, 3}) append(outputs, node.precommit(validator, 0, block_a.id));
  CHECK(lines_of<Decide>(outputs).empty());
  CHECK(node.state().height == 1);
}

TEST_CASE("line 49: waits for the proposal and for ValidityKnown; 49 runs before 22", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.feed(StartHeight{});
  std::vector<Output> outputs;
  for (std::size_t validator : {1, 2, 3}) append(outputs, node.precommit(validator, 0, block_a.id));
  CHECK(lines_of<Decide>(outputs).empty());  // no proposal yet
  auto proposed = node.propose(0, -1, block_a);
  CHECK(lines_of<CheckValidity>(proposed) == Lines{"A"});
  CHECK(lines_of<Decide>(proposed).empty());
  auto answered = node.feed(ValidityKnown{block_a.id, true});
  CHECK(lines_of<Decide>(answered) == Lines{"h1 r0 A by v1 v2 v3"});
  CHECK(lines_of<SignVote>(answered).empty());  // the fixed order puts 49 before 22
  CHECK(node.position() == "h2 r-1");
}

TEST_CASE("line 49: decides the value of the second proposal of a round", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_b = make_block("B", 1, 1);
  node.answer_validity(block_a, true);
  node.answer_validity(block_b, true);
  node.feed(StartHeight{});
  CHECK(lines_of<SignVote>(node.propose(0, -1, block_a)) == Lines{"prevote h1 r0 A"});
  CHECK(lines_of<SignVote>(node.propose(0, -1, block_b)).empty());  // v1 equivocates; v0 prevoted already
  std::vector<Output> outputs;
  for (std::size_t validator : {1, 2, 3}) append(outputs, node.precommit(validator, 0, block_b.id));
  CHECK(lines_of<Decide>(outputs) == Lines{"h1 r0 B by v1 v2 v3"});
}

// ---- Lines 55-56: round skip ----

TEST_CASE("line 55: f+1 messages of a higher round start it; f do not", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_b = make_block("B", 1, 3);
  node.feed(StartHeight{});
  CHECK(node.prevote(1, 2, kNil).empty());  // f = 1 sender: stored, nothing else
  CHECK(node.position() == "h1 r0 propose");
  node.precommit(1, 2, kNil);  // the same sender again counts once
  CHECK(node.position() == "h1 r0 propose");
  auto skipped = node.precommit(2, 2, block_b.id);  // f+1 = 2 senders, mixed types and values
  CHECK(lines_of<ScheduleTimeout>(skipped) == Lines{"propose h1 r2 2000ms"});
  CHECK(node.position() == "h1 r2 propose");
  node.prevote(1, 1, kNil);
  node.prevote(2, 1, kNil);  // f+1 of a lower round: round > round_p fails
  CHECK(node.position() == "h1 r2 propose");
}

TEST_CASE("line 55: beyond the round window, f+1 senders at a far round still start it", "[tendermint]") {
  Harness node(4, 0);
  node.feed(StartHeight{});
  node.prevote(1, 100, kNil);  // round_p + 100 > round_p + kRoundWindow
  auto skipped = node.prevote(2, 100, kNil);
  CHECK(lines_of<ScheduleTimeout>(skipped) == Lines{"propose h1 r100 51000ms"});  // v1 proposes (1, 100)
  CHECK(node.position() == "h1 r100 propose");
  node.precommit(2, 300, kNil);
  auto far = node.precommit(3, 300, kNil);
  CHECK(lines_of<ScheduleTimeout>(far) == Lines{"propose h1 r300 60000ms"});  // capped
  CHECK(node.position() == "h1 r300 propose");
}

// ---- Lines 57-67: timeouts ----

TEST_CASE("line 57: timeoutPropose prevotes nil only while h, r and step still match", "[tendermint]") {
  Harness node(4, 0);
  CHECK(node.fire(Step::propose, 0).empty());  // gate closed: round_p = -1
  node.feed(StartHeight{});
  CHECK(node.fire(Step::propose, 1).empty());
  CHECK(node.fire(Step::propose, 0, 2).empty());
  auto fired = node.fire(Step::propose, 0);
  auto votes = all_of<SignVote>(fired);
  REQUIRE(lines_of<SignVote>(fired) == Lines{"prevote h1 r0 nil"});
  CHECK(locks_text(votes[0].locks) == kUnlocked);
  CHECK(node.position() == "h1 r0 prevote");
  CHECK(node.fire(Step::propose, 0).empty());  // step_p is prevote now
}

TEST_CASE("line 61: timeoutPrevote precommits nil only while h, r and step still match", "[tendermint]") {
  Harness node(4, 0);
  node.feed(StartHeight{});
  CHECK(node.fire(Step::prevote, 0).empty());  // step_p is propose
  node.fire(Step::propose, 0);
  CHECK(node.fire(Step::prevote, 1).empty());
  CHECK(node.fire(Step::prevote, 0, 2).empty());
  CHECK(lines_of<SignVote>(node.fire(Step::prevote, 0)) == Lines{"precommit h1 r0 nil"});
  CHECK(node.position() == "h1 r0 precommit");
  CHECK(node.fire(Step::prevote, 0).empty());
}

TEST_CASE("line 65: timeoutPrecommit starts the next round only while h and r still match", "[tendermint]") {
  Harness node(4, 0);
  node.feed(StartHeight{});
  CHECK(node.fire(Step::precommit, 1).empty());
  CHECK(node.fire(Step::precommit, 0, 2).empty());
  auto fired = node.fire(Step::precommit, 0);  // no step condition: from propose too
  CHECK(lines_of<ScheduleTimeout>(fired) == Lines{"propose h1 r1 1500ms"});
  CHECK(node.position() == "h1 r1 propose");
  CHECK(node.fire(Step::precommit, 0).empty());  // stale
  CHECK(node.fire(Step::propose, 0).empty());    // stale
  CHECK(node.position() == "h1 r1 propose");
}

TEST_CASE("lines 57/61/65: timers of a decided height are no-ops", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.feed(StartHeight{});
  decide_height_1(node, block_a);
  node.feed(StartHeight{});
  REQUIRE(node.position() == "h2 r0 propose");
  CHECK(node.fire(Step::propose, 0).empty());
  CHECK(node.fire(Step::prevote, 0).empty());
  CHECK(node.fire(Step::precommit, 0).empty());
  CHECK(node.position() == "h2 r0 propose");
}

// ---- Equivocation and the log ----

TEST_CASE("equivocation: one Equivocation; the sender counts for each value it signed, once per tally",
          "[tendermint]") {
  // The paper counts the senders of matching messages, so a validator that signed A and nil
  // is in both tallies; in a tally of any value (lines 34, 47, 55) it is still one sender.
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_b = make_block("B", 1, 1);
  node.feed(StartHeight{});
  auto own_nil = node.fire(Step::propose, 0);  // v0 prevotes nil, fed back later
  REQUIRE(lines_of<SignVote>(own_nil) == Lines{"prevote h1 r0 nil"});
  std::vector<Output> outputs = node.prevote(1, 0, block_a.id);
  CHECK(all_of<Equivocation>(outputs).empty());
  auto second = node.prevote(1, 0, kNil);
  auto equivocations = all_of<Equivocation>(second);
  REQUIRE(lines_of<Equivocation>(second) == Lines{"v1 prevote h1 r0: A then nil"});
  CHECK(equivocations[0].first == vote_by(1, VoteType::prevote, 1, 0, block_a.id));
  CHECK(equivocations[0].second == vote_by(1, VoteType::prevote, 1, 0, kNil));
  append(outputs, second);

  append(outputs, node.prevote(2, 0, block_b.id));
  CHECK(lines_of<ScheduleTimeout>(outputs).empty());  // senders v1, v2: 2, not 2f+1 (line 34)
  auto third_sender = node.prevote(3, 0, kNil);
  CHECK(lines_of<ScheduleTimeout>(third_sender) == Lines{"prevote h1 r0 500ms"});
  CHECK(lines_of<SignVote>(third_sender).empty());  // nil has v1, v3: 2
  auto precommitted = node.feed_back(own_nil);      // nil has v0, v1, v3: 2f+1 (line 44)
  CHECK(lines_of<SignVote>(precommitted) == Lines{"precommit h1 r0 nil"});

  append(outputs, node.prevote(1, 0, block_b.id));  // reported once per validator, round and type
  CHECK(all_of<Equivocation>(outputs).size() == 1);
}

TEST_CASE("equivocation: besides the first vote only nil and proposed blocks are kept", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  node.feed(StartHeight{});
  node.prevote(1, 0, kNil);
  CHECK(lines_of<Equivocation>(node.prevote(1, 0, block_a.id)) == Lines{"v1 prevote h1 r0: nil then A"});
  // A is not proposed yet, so v1's vote for it is not kept.
  auto prevoted = node.propose(0, -1, block_a);
  REQUIRE(lines_of<SignVote>(prevoted) == Lines{"prevote h1 r0 A"});
  node.feed_back(prevoted);
  CHECK(lines_of<SignVote>(node.prevote(2, 0, block_a.id)).empty());  // A has v0, v2
  // Re-gossiped once the proposal is in, it counts: v0, v1, v2 (line 36).
  auto again = node.prevote(1, 0, block_a.id);
  CHECK(lines_of<Equivocation>(again).empty());
  CHECK(lines_of<SignVote>(again) == Lines{"precommit h1 r0 A"});
}

TEST_CASE("equivocation: a repeated identical vote is not one and counts once", "[tendermint]") {
  Harness node(4, 0);
  node.feed(StartHeight{});
  node.fire(Step::propose, 0);  // v0 prevotes nil but does not feed it back
  std::vector<Output> outputs;
  append(outputs, node.prevote(1, 0, kNil));
  append(outputs, node.prevote(1, 0, kNil));
  append(outputs, node.prevote(2, 0, kNil));
  CHECK(all_of<Equivocation>(outputs).empty());
  CHECK(lines_of<SignVote>(outputs).empty());  // nil has v1, v2: 2
  CHECK(lines_of<SignVote>(node.prevote(3, 0, kNil)) == Lines{"precommit h1 r0 nil"});  // line 44
}

TEST_CASE("equivocation: votes of other types or rounds do not conflict", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_b = make_block("B", 1, 1);
  node.feed(StartHeight{});
  std::vector<Output> outputs;
  append(outputs, node.prevote(1, 0, block_a.id));
  append(outputs, node.precommit(1, 0, block_b.id));
  append(outputs, node.prevote(1, 1, block_b.id));
  CHECK(all_of<Equivocation>(outputs).empty());
}

TEST_CASE("log_messages: the proposal and votes of the height are kept for re-gossip", "[tendermint]") {
  TestBlock block_a = make_block("A", 1, 1);
  // The header fixes the order: proposals first, then votes by round, type and key.
  Tendermint core(validator_set(4), key(0), TimeoutParams{}, 1);
  core.handle(StartHeight{});
  core.handle(ProposalReceived{proposal_by(1, 1, 0, -1, block_a)});
  core.handle(VoteReceived{vote_by(2, VoteType::precommit, 1, 0, block_a.id)});
  core.handle(VoteReceived{vote_by(2, VoteType::prevote, 1, 0, block_a.id)});
  core.handle(VoteReceived{vote_by(1, VoteType::prevote, 1, 0, block_a.id)});
  Lines logged;
  for (const auto& message : core.log_messages()) {
    if (const auto* proposal = std::get_if<SignedProposal>(&message)) {
      logged.push_back("proposal " + validator_name(proposal->signer) + " " + at(proposal->height, proposal->round) +
                       " " + block_name(proposal->block_id));
    } else {
      logged.push_back(vote_text(std::get<SignedVote>(message)));
    }
  }
  CHECK(logged == Lines{"proposal v1 h1 r0 A", "v1 prevote h1 r0 A", "v2 prevote h1 r0 A", "v2 precommit h1 r0 A"});
}

// ---- The start gate ----

TEST_CASE("start gate: a new core waits at round -1; StartHeight opens round 0; again is a no-op", "[tendermint]") {
  Harness node(4, 0);
  CHECK(node.position() == "h1 r-1");
  CHECK(node.locks() == kUnlocked);
  CHECK(node.prevote(1, 0, kNil).empty());  // logged, f < f+1
  CHECK(node.position() == "h1 r-1");
  CHECK(lines_of<ScheduleTimeout>(node.feed(StartHeight{})) == Lines{"propose h1 r0 1000ms"});
  CHECK(node.position() == "h1 r0 propose");
  node.prevote(2, 2, kNil);
  node.prevote(3, 2, kNil);
  REQUIRE(node.position() == "h1 r2 propose");
  CHECK(node.feed(StartHeight{}).empty());
  CHECK(node.position() == "h1 r2 propose");
}

TEST_CASE("start gate: messages for h before StartHeight are logged; f+1 of them open it", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  CHECK(node.prevote(1, 0, block_a.id).empty());
  CHECK(node.position() == "h1 r-1");
  auto opened = node.prevote(2, 0, block_a.id);  // f+1 = 2 senders
  CHECK(lines_of<ScheduleTimeout>(opened) == Lines{"propose h1 r0 1000ms"});
  CHECK(node.position() == "h1 r0 propose");

  auto prevoted = node.propose(0, -1, block_a);
  REQUIRE(lines_of<SignVote>(prevoted) == Lines{"prevote h1 r0 A"});
  // v1's prevote from before the gate still counts: v0, v1, v2 make 2f+1 (line 36).
  CHECK(lines_of<SignVote>(node.feed_back(prevoted)) == Lines{"precommit h1 r0 A"});
}

TEST_CASE("start gate: a proposal for the height opens it", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  auto outputs = node.propose(0, -1, block_a);
  CHECK(lines_of<SignVote>(outputs) == Lines{"prevote h1 r0 A"});
  CHECK(node.position() == "h1 r0 prevote");
}

TEST_CASE("start gate: f+1 messages of a later round open it and line 55 reaches that round", "[tendermint]") {
  Harness node(4, 0);
  node.precommit(2, 3, kNil);
  CHECK(node.position() == "h1 r-1");
  auto opened = node.precommit(3, 3, kNil);
  CHECK(node.position() == "h1 r3 propose");
  CHECK(lines_of<GetValue>(opened) == Lines{"h1 r3"});  // v0 proposes (1, 3)
}

// ---- Heights ----

TEST_CASE("messages for h+1 are buffered and used after the decision of h", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_c = make_block("C", 2, 2);
  node.answer_validity(block_a, true);
  node.answer_validity(block_c, true);
  node.feed(StartHeight{});
  std::vector<Output> early;
  append(early, node.propose(0, -1, block_c, 2));  // v2 proposes (2, 0)
  append(early, node.prevote(1, 0, block_c.id, 2));
  append(early, node.prevote(2, 0, block_c.id, 2));
  CHECK(early.empty());  // not even CheckValidity: valid(v) is judged on the tip of h
  CHECK(node.position() == "h1 r0 propose");

  node.propose(0, -1, block_a);
  node.precommit(1, 0, block_a.id);
  node.precommit(2, 0, block_a.id);
  auto decided = node.precommit(3, 0, block_a.id);
  CHECK(lines_of<Decide>(decided) == Lines{"h1 r0 A by v1 v2 v3"});
  // The buffered proposal opens height 2's gate; v0 prevotes C.
  CHECK(lines_of<CheckValidity>(decided) == Lines{"C"});
  CHECK(lines_of<ScheduleTimeout>(decided) == Lines{"propose h2 r0 1000ms"});
  CHECK(lines_of<SignVote>(decided) == Lines{"prevote h2 r0 C"});
  CHECK(node.position() == "h2 r0 prevote");
  // The buffered prevotes of v1, v2 count with v0's own: line 36 at height 2.
  CHECK(lines_of<SignVote>(node.feed_back(decided)) == Lines{"precommit h2 r0 C"});
}

TEST_CASE("messages for h+1 are buffered under the log's bounds: one validator's flood evicts no one", "[tendermint]") {
  // docs/CONSENSUS-PLAN.md §1, log bounds: "Buffer messages for h_p + 1 under the same
  // bounds": only the first vote per (validator, round, type) counts, so v3's conflicting
  // votes for height 2 must not push v1's and v2's out of the buffer.
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_c = make_block("C", 2, 2);
  node.answer_validity(block_c, true);
  node.feed(StartHeight{});
  for (std::int64_t round = 0; round <= Tendermint::kRoundWindow; ++round) {
    for (int copy = 0; copy < 8; ++copy) {
      node.prevote(3, round, sha256("flood " + std::to_string(round) + " " + std::to_string(copy)), 2);
    }
  }
  node.prevote(1, 0, block_c.id, 2);
  node.prevote(2, 0, block_c.id, 2);
  node.propose(0, -1, block_c, 2);  // v2 proposes (2, 0)
  decide_height_1(node, block_a);
  REQUIRE(node.position() == "h2 r0 prevote");  // the buffered proposal opened the gate; v0 prevoted C
  // v0's own prevote with the buffered ones of v1 and v2 makes 2f+1 for C (line 36).
  auto precommitted = node.prevote(0, 0, block_c.id, 2);
  CHECK(lines_of<SignVote>(precommitted) == Lines{"precommit h2 r0 C"});
}

TEST_CASE("messages for h+1: a repeated proposal takes no second slot; line 49 finds the other one", "[tendermint]") {
  // At most kProposalsPerRound proposals per round, and a gossiped repeat is not a new one
  // (as in the log of h_p). v2 equivocates at (2, 0); the others precommit its second value.
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_c = make_block("C", 2, 2);
  TestBlock block_d = make_block("D", 2, 2);
  node.answer_validity(block_c, true);
  node.answer_validity(block_d, true);
  node.feed(StartHeight{});
  node.propose(0, -1, block_c, 2);
  node.propose(0, -1, block_c, 2);  // the same proposal, gossiped again
  node.propose(0, -1, block_d, 2);
  for (std::size_t validator : {1, 2, 3}) node.precommit(validator, 0, block_d.id, 2);
  node.answer_validity(block_a, true);
  node.propose(0, -1, block_a);
  node.precommit(1, 0, block_a.id);
  node.precommit(2, 0, block_a.id);
  auto decided = node.precommit(3, 0, block_a.id);
  CHECK(lines_of<Decide>(decided) == Lines{"h1 r0 A by v1 v2 v3", "h2 r0 D by v1 v2 v3"});
  CHECK(node.position() == "h3 r-1");
}

TEST_CASE("messages for h+2 are dropped", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_c = make_block("C", 2, 2);
  TestBlock block_d = make_block("D", 3, 3);
  node.answer_validity(block_d, true);
  node.feed(StartHeight{});
  std::vector<Output> dropped;
  append(dropped, node.propose(0, -1, block_d, 3));  // v3 proposes (3, 0)
  append(dropped, node.prevote(1, 0, block_d.id, 3));
  append(dropped, node.prevote(2, 0, block_d.id, 3));
  CHECK(dropped.empty());

  decide_height_1(node, block_a);
  CHECK(node.position() == "h2 r-1");
  node.answer_validity(block_c, true);
  node.feed(StartHeight{});
  node.propose(0, -1, block_c, 2);
  node.precommit(1, 0, block_c.id, 2);
  node.precommit(2, 0, block_c.id, 2);
  auto decided = node.precommit(3, 0, block_c.id, 2);
  CHECK(lines_of<Decide>(decided) == Lines{"h2 r0 C by v1 v2 v3"});
  CHECK(lines_of<CheckValidity>(decided).empty());  // D was not kept
  CHECK(node.position() == "h3 r-1");  // had they been kept, the proposal and f+1 would open it
}

TEST_CASE("messages for h-1 are dropped", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  node.feed(StartHeight{});
  decide_height_1(node, block_a);
  REQUIRE(node.position() == "h2 r-1");
  std::vector<Output> stale;
  append(stale, node.prevote(1, 0, block_a.id));
  append(stale, node.prevote(2, 0, block_a.id));
  append(stale, node.precommit(0, 0, block_a.id));
  append(stale, node.propose(0, -1, block_a));
  CHECK(stale.empty());
  CHECK(node.position() == "h2 r-1");
}

TEST_CASE("block sync: CommittedElsewhere moves past the synced height with the gate closed", "[tendermint]") {
  Harness node(4, 0);
  TestBlock block_a = make_block("A", 1, 1);
  lock_in_round_0_then_start_round_1(node, block_a, 1, 2);
  node.feed(CommittedElsewhere{3});
  CHECK(node.position() == "h4 r-1");
  CHECK(node.locks() == kUnlocked);
  CHECK(node.feed(CommittedElsewhere{2}).empty());  // behind us
  CHECK(node.position() == "h4 r-1");
}

// ---- Restart inside a height (Resume, docs/CONSENSUS-PLAN.md §3) ----

TEST_CASE("resume: the core starts at the stored round, step and locks", "[tendermint]") {
  TestBlock block_a = make_block("A", 1, 1);
  Harness node(4, 0, 1, Resume{1, Step::prevote, Locks{0, block_a.id, 0, block_a.id}, {block_a.block}, {}, {}, {}, {}});
  CHECK(node.position() == "h1 r1 prevote");
  CHECK(node.locks() == "locked A@0 valid A@0");
}

TEST_CASE("resume at step prevote: the round's proposal and timeoutPropose sign nothing again", "[tendermint]") {
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_b = make_block("B", 1, 2);
  Harness node(4, 0, 1, Resume{1, Step::prevote, Locks{0, block_a.id, 0, block_a.id}, {block_a.block}, {}, {}, {}, {}});
  node.answer_validity(block_b, true);
  std::vector<Output> outputs = node.propose(1, -1, block_b);  // line 22 needs step_p = propose
  append(outputs, node.fire(Step::propose, 1));                // line 57 needs step_p = propose
  CHECK(lines_of<SignVote>(outputs).empty());
  CHECK(lines_of<SignVote>(node.fire(Step::prevote, 1)) == Lines{"precommit h1 r1 nil"});  // line 61
}

TEST_CASE("resume locked: a fresh proposal of another value gets prevote nil (no amnesia)", "[tendermint]") {
  TestBlock block_a = make_block("A", 1, 1);
  TestBlock block_b = make_block("B", 1, 2);
  Harness node(4, 0, 1, Resume{1, Step::propose, Locks{0, block_a.id, 0, block_a.id}, {block_a.block}, {}, {}, {}, {}});
  node.answer_validity(block_b, true);
  CHECK(lines_of<SignVote>(node.propose(1, -1, block_b)) == Lines{"prevote h1 r1 nil"});
}

TEST_CASE("resume with validValue: the proposer of a later round re-proposes the stored block", "[tendermint]") {
  TestBlock block_a = make_block("A", 1, 1);
  Harness node(4, 2, 1, Resume{0, Step::precommit, Locks{0, block_a.id, 0, block_a.id}, {block_a.block}, {}, {}, {}, {}});
  auto round_1 = node.fire(Step::precommit, 0);  // line 65; v2 proposes (1, 1)
  CHECK(lines_of<SignProposal>(round_1) == Lines{"h1 r1 vr0 A"});  // the text checks the block against the id
  CHECK(lines_of<GetValue>(round_1).empty());
}

TEST_CASE("line 28 with lockedRound = vr: a proof-of-lock at the lock's own round unlocks", "[tendermint]") {
  // Only reachable through a restart: the log after it has 2f+1 prevotes for B at round 1
  // while the stored lock is A at round 1. Line 29 asks lockedRound_p <= vr, not <.
  TestBlock block_a = make_block("A", 1, 2);
  TestBlock block_b = make_block("B", 1, 3);
  Harness node(4, 0, 1, Resume{2, Step::propose, Locks{1, block_a.id, 1, block_a.id}, {block_a.block}, {}, {}, {}, {}});
  node.answer_validity(block_b, true);
  for (std::size_t validator : {1, 2, 3}) node.prevote(validator, 1, block_b.id);
  CHECK(lines_of<SignVote>(node.propose(2, 1, block_b)) == Lines{"prevote h1 r2 B"});  // v3's proposal
}

// ---- Observers and n = 1 ----

TEST_CASE("observer (self nullopt): never signs or asks for values, and still decides by line 49", "[tendermint]") {
  Harness node(4, std::nullopt);
  TestBlock block_a = make_block("A", 1, 1);
  node.answer_validity(block_a, true);
  std::vector<Output> everything;
  append(everything, node.feed(StartHeight{}));
  append(everything, node.propose(0, -1, block_a));
  for (std::size_t validator : {0, 1, 2}) append(everything, node.prevote(validator, 0, block_a.id));
  append(everything, node.fire(Step::propose, 0));
  append(everything, node.fire(Step::prevote, 0));
  append(everything, node.precommit(0, 0, block_a.id));
  append(everything, node.precommit(1, 0, block_a.id));
  auto decided = node.precommit(2, 0, block_a.id);
  append(everything, decided);
  CHECK(lines_of<Decide>(decided) == Lines{"h1 r0 A by v0 v1 v2"});
  CHECK(node.position() == "h2 r-1");
  CHECK(lines_of<SignVote>(everything).empty());
  CHECK(lines_of<SignProposal>(everything).empty());
  CHECK(lines_of<GetValue>(everything).empty());
}

TEST_CASE("observer with n = 1: the proposal and one precommit decide", "[tendermint]") {
  Harness node(1, std::nullopt);
  TestBlock block_a = make_block("A", 1, 0);
  node.answer_validity(block_a, true);
  std::vector<Output> everything;
  append(everything, node.feed(StartHeight{}));
  append(everything, node.propose(0, -1, block_a));
  auto decided = node.precommit(0, 0, block_a.id);
  append(everything, decided);
  CHECK(lines_of<Decide>(decided) == Lines{"h1 r0 A by v0"});
  CHECK(lines_of<SignVote>(everything).empty());
  CHECK(lines_of<SignProposal>(everything).empty());
  CHECK(node.position() == "h2 r-1");
}

TEST_CASE("n = 1: each input cascades to the next request, from StartHeight to Decide", "[tendermint]") {
  Harness node(1, 0);
  TestBlock block_a = make_block("A", 1, 0);
  node.answer_validity(block_a, true);  // if the core asks about its own block at all
  std::vector<Output> everything;

  auto started = node.feed(StartHeight{});
  append(everything, started);
  CHECK(lines_of<GetValue>(started) == Lines{"h1 r0"});
  auto proposed = node.feed(ValueReady{1, 0, block_a.block, block_a.id});
  append(everything, proposed);
  CHECK(lines_of<SignProposal>(proposed) == Lines{"h1 r0 vr-1 A"});
  auto prevoted = node.feed_back(proposed);
  append(everything, prevoted);
  CHECK(lines_of<SignVote>(prevoted) == Lines{"prevote h1 r0 A"});
  auto precommitted = node.feed_back(prevoted);
  append(everything, precommitted);
  CHECK(lines_of<SignVote>(precommitted) == Lines{"precommit h1 r0 A"});  // line 36 with 1 of 1
  CHECK(node.locks() == "locked A@0 valid A@0");
  auto decided = node.feed_back(precommitted);
  append(everything, decided);
  CHECK(lines_of<Decide>(decided) == Lines{"h1 r0 A by v0"});
  CHECK(node.position() == "h2 r-1");
  CHECK(node.locks() == kUnlocked);
  // The proposer schedules no propose timeout, 36 precedes 34 and 49 precedes 47 in the
  // fixed order, so a lone validator never schedules a timeout.
  CHECK(lines_of<ScheduleTimeout>(everything).empty());

  CHECK(lines_of<GetValue>(node.feed(StartHeight{})) == Lines{"h2 r0"});
}

TEST_CASE("n = 1 restarted after its precommit decides by the stored proposal (line 49), not stalls", "[tendermint]") {
  // Found by flexsim's crash points: a lone validator that saved its precommit and crashed
  // before the commit could never decide again without the round's proposal.
  Harness before(1, 0);
  TestBlock block_a = make_block("A", 1, 0);
  before.feed(StartHeight{});
  auto proposed = before.feed(ValueReady{1, 0, block_a.block, block_a.id});
  auto precommitted = before.feed_back(before.feed_back(proposed));
  const SignVote* precommit = nullptr;
  for (const auto& output : precommitted) {
    if (const auto* vote = std::get_if<SignVote>(&output)) precommit = vote;
  }
  REQUIRE(precommit != nullptr);
  REQUIRE(precommit->lock_proposals.size() == 1);
  CHECK(precommit->lock_proposals[0].round == 0);
  CHECK(precommit->lock_proposals[0].block_id == block_a.id);
  const SignedVote own_precommit = vote_by(0, VoteType::precommit, 1, 0, block_a.id);

  Harness restarted(1, 0, 1, Resume{0, Step::precommit, precommit->locks, precommit->lock_blocks, own_precommit, {},
                                    precommit->lock_proposals, precommit->lock_votes});
  CHECK(lines_of<Decide>(restarted.feed(VoteReceived{own_precommit})) == Lines{"h1 r0 A by v0"});

  Harness without_proposal(1, 0, 1, Resume{0, Step::precommit, precommit->locks, precommit->lock_blocks, own_precommit, {}, {}, {}});
  CHECK(lines_of<Decide>(without_proposal.feed(VoteReceived{own_precommit})).empty());
}

TEST_CASE("n = 1 restarted after its prevote goes on to precommit and decide (line 36 by the stored proposal)",
          "[tendermint]") {
  // flexsim seed 1985: saved the prevote, crashed before sending it, nothing locked yet.
  Harness before(1, 0);
  TestBlock block_a = make_block("A", 1, 0);
  before.feed(StartHeight{});
  const SignVote* prevote = nullptr;
  auto prevoted = before.feed_back(before.feed(ValueReady{1, 0, block_a.block, block_a.id}));
  for (const auto& output : prevoted) {
    if (const auto* vote = std::get_if<SignVote>(&output)) prevote = vote;
  }
  REQUIRE(prevote != nullptr);
  CHECK(prevote->locks == Locks{});
  REQUIRE(prevote->lock_blocks.size() == 1);  // the block it prevoted for, with its proposal
  REQUIRE(prevote->lock_proposals.size() == 1);
  const SignedVote own_prevote = vote_by(0, VoteType::prevote, 1, 0, block_a.id);

  Harness restarted(1, 0, 1, Resume{0, Step::prevote, prevote->locks, prevote->lock_blocks, own_prevote, {},
                                    prevote->lock_proposals, prevote->lock_votes});
  auto outputs = restarted.feed(VoteReceived{own_prevote});
  CHECK(lines_of<SignVote>(outputs) == Lines{"precommit h1 r0 A"});
  CHECK(lines_of<Decide>(restarted.feed_back(outputs)) == Lines{"h1 r0 A by v0"});
}

TEST_CASE("n = 1: an answering host decides one block per StartHeight", "[tendermint]") {
  Harness node(1, 0);
  for (std::int64_t height = 1; height <= 3; ++height) {
    auto outputs = node.cascade(StartHeight{});
    REQUIRE(node.built().size() == static_cast<std::size_t>(height));
    const std::string built = node.built().back().name;
    CHECK(built == "built h" + std::to_string(height) + " r0");
    CHECK(lines_of<Decide>(outputs) == Lines{"h" + std::to_string(height) + " r0 " + built + " by v0"});
    CHECK(lines_of<SignVote>(outputs) == Lines{"prevote h" + std::to_string(height) + " r0 " + built,
                                               "precommit h" + std::to_string(height) + " r0 " + built});
    CHECK(node.position() == "h" + std::to_string(height + 1) + " r-1");
  }
}

// ---- Determinism and random inputs ----

namespace {

// A seeded script of inputs over heights 1-3, rounds 0-3 and blocks A, B per height (a
// 64-bit LCG, Knuth's MMIX constants, so the script is the same everywhere).
std::vector<Input> random_script(std::uint64_t seed, std::size_t length) {
  std::uint64_t state = seed;
  auto next = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  std::map<std::pair<std::int64_t, int>, TestBlock> blocks;
  auto block = [&](std::int64_t height, int which) -> const TestBlock& {
    auto key_of = std::make_pair(height, which);
    if (!blocks.count(key_of)) {
      blocks.emplace(key_of, make_block(std::string(1, static_cast<char>('A' + which)) + std::to_string(height), height,
                                        static_cast<std::size_t>(which)));
    }
    return blocks.at(key_of);
  };
  std::vector<Input> script{StartHeight{}};
  while (script.size() < length) {
    auto height = static_cast<std::int64_t>(1 + next(3));
    auto round = static_cast<std::int64_t>(next(4));
    int which = static_cast<int>(next(2));
    std::uint64_t kind = next(20);
    if (kind < 12) {  // votes, the bulk of the traffic, mostly for A
      std::uint64_t value = next(4);
      std::optional<Hash32> voted = value == 3 ? kNil : std::optional<Hash32>(block(height, value == 2 ? 1 : 0).id);
      VoteType type = next(2) == 0 ? VoteType::prevote : VoteType::precommit;
      script.push_back(VoteReceived{vote_by(static_cast<std::size_t>(next(4)), type, height, round, voted)});
    } else if (kind < 15) {
      auto valid_round = static_cast<std::int64_t>(next(static_cast<std::uint64_t>(round + 1))) - 1;
      script.push_back(ProposalReceived{proposal_by(proposer_index(height, round, 4), height, round, valid_round,
                                                    block(height, which))});
    } else if (kind < 17) {
      script.push_back(ValidityKnown{block(height, which).id, next(5) != 0});
    } else if (kind < 19) {
      Step step = std::array<Step, 3>{Step::propose, Step::prevote, Step::precommit}[next(3)];
      script.push_back(TimeoutFired{step, height, round});
    } else {
      const TestBlock& value = block(height, which);
      script.push_back(next(2) == 0 ? Input{StartHeight{}} : Input{ValueReady{height, round, value.block, value.id}});
    }
  }
  return script;
}

}  // namespace

TEST_CASE("determinism: the same input sequence to two cores gives identical outputs", "[tendermint]") {
  for (std::uint64_t seed : {1ULL, 7ULL, 2024ULL}) {
    INFO("seed " << seed);
    std::vector<Input> script = random_script(seed, 600);
    Tendermint first(validator_set(4), key(0), TimeoutParams{}, 1);
    Tendermint second(validator_set(4), key(0), TimeoutParams{}, 1);
    std::size_t outputs = 0;
    for (std::size_t i = 0; i < script.size(); ++i) {
      Lines first_lines, second_lines;
      for (const Output& output : first.handle(script[i])) first_lines.push_back(full_text(output));
      for (const Output& output : second.handle(script[i])) second_lines.push_back(full_text(output));
      INFO("input " << i << ": " << full_text(script[i]));
      REQUIRE(first_lines == second_lines);
      outputs += first_lines.size();
    }
    CHECK(outputs > 0);
    CHECK(first.state().height == second.state().height);
    CHECK(first.state().round == second.state().round);
    CHECK(first.state().step == second.state().step);
    CHECK(first.state().locks == second.state().locks);
  }
}

TEST_CASE("random inputs: never two votes or proposals for one (h, r, type), each height decided once",
          "[tendermint]") {
  std::size_t decisions = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    INFO("seed " << seed);
    std::vector<Input> script = random_script(seed, 500);
    Tendermint core(validator_set(4), key(0), TimeoutParams{}, 1);
    std::map<std::tuple<std::int64_t, std::int64_t, int>, std::optional<Hash32>> signed_votes;
    std::set<std::pair<std::int64_t, std::int64_t>> signed_proposals;
    std::int64_t last_decided = 0;
    for (std::size_t i = 0; i < script.size(); ++i) {
      INFO("input " << i << ": " << full_text(script[i]));
      for (const Output& output : core.handle(script[i])) {
        if (const auto* vote = std::get_if<SignVote>(&output)) {
          auto inserted = signed_votes.emplace(std::make_tuple(vote->height, vote->round, static_cast<int>(vote->type)),
                                               vote->block);
          CHECK(inserted.second);  // a second vote of one (h, r, type) would be a double sign
        } else if (const auto* proposal = std::get_if<SignProposal>(&output)) {
          CHECK(signed_proposals.emplace(proposal->height, proposal->round).second);
          CHECK(core.validators().proposer(proposal->height, proposal->round).public_key == key(0));
        } else if (const auto* decide = std::get_if<Decide>(&output)) {
          CHECK(decide->height == last_decided + 1);
          last_decided = decide->height;
          CHECK(decide->precommits.size() >= 3);
          CHECK(text(*decide).find("wrong") == std::string::npos);
          ++decisions;
        }
      }
    }
  }
  // The script is dense enough that some seeds decide; a run without one checks less.
  CHECK(decisions > 0);
}
