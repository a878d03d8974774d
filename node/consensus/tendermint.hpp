// Tendermint BFT as Algorithm 1 of Buchman, Kwon and Milosevic, "The latest gossip on BFT
// consensus" (arXiv:1807.04938v3). Comments name the algorithm's line numbers.
//
// A pure state machine for one node: inputs (received messages, fired timeouts, answers
// from the host) go in, outputs (messages to sign and send, timeouts to schedule, blocks to
// check, decisions) come out, in order. No I/O, no clock, no randomness, no unordered
// iteration: the same inputs give the same outputs on every machine. The host (driver.hpp)
// verifies signatures and membership before a message reaches the core, signs what the
// core asks to sign and feeds its own signed messages back in as received ones (they are
// the paper's log of sent messages).
//
// After each input the rules are re-evaluated in the fixed order 49, 55, 22, 28, 36, 44,
// 34, 47 until none fires (the paper allows any order; a fixed one gives determinism).
//
// Additions to the pseudo-code, none of which affects safety:
//   - Start gate: after a decision the next height waits for StartHeight (the host sends it
//     when transactions wait or the empty-block interval passes), a proposal for the
//     height, or messages from more than a third of the power. A late start is a slow
//     process, which the model allows.
//   - Log bounds: messages for rounds above round_p + kRoundWindow are not stored; only each
//     validator's highest round is, so line 55 can still catch up with a far-ahead network
//     (it then starts the highest round that more than a third of the power has reached).
//     At most kProposalsPerRound proposals are kept per round. A validator that votes twice
//     in a round (one Equivocation output) counts, as in the paper, for each value it
//     signed; besides its first vote only nil and proposed blocks are kept.
//     Messages for h_p + 1 are buffered; anything else is dropped.
//   - valid(v) is asked of the host (CheckValidity) and remembered for the height; a rule
//     that needs it waits until the answer (ValidityKnown) comes back.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <variant>
#include <vector>

#include "node/consensus/messages.hpp"
#include "node/consensus/validator_set.hpp"

namespace flex::consensus {

// std::visit over several lambdas.
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

// timeoutX(r) = initX + r * deltaX (the text after Algorithm 1), capped at cap_ms.
struct TimeoutParams {
  std::int64_t propose_ms = 1000, propose_delta_ms = 500;
  std::int64_t prevote_ms = 500, prevote_delta_ms = 250;
  std::int64_t precommit_ms = 500, precommit_delta_ms = 250;
  std::int64_t cap_ms = 60'000;
  std::int64_t timeout_ms(Step step, std::int64_t round) const;
};

// lockedValue/lockedRound and validValue/validRound (lines 5-8), by block id.
struct Locks {
  std::int64_t locked_round = -1;
  std::optional<Hash32> locked;
  std::int64_t valid_round = -1;
  std::optional<Hash32> valid;
  friend bool operator==(const Locks&, const Locks&) = default;
};

// Where a validator restarts within a height, from its double-sign protection record
// (privval.hpp): the round and step of its last signature, its locks and the locked and
// valid blocks, and that last message, which the host sends again.
struct Resume {
  std::int64_t round = 0;
  Step step = Step::propose;
  Locks locks;
  std::vector<std::shared_ptr<const Block>> blocks;
  std::optional<SignedVote> vote;
  std::optional<SignedProposal> proposal;
  // The signed proposals of the kept blocks, and the prevotes that made the valid block
  // valid (its polka): without them a validator that voted for a block could not go on
  // with it after a restart (lines 36 and 49 need the round's proposal, line 28 the polka),
  // which stalls a lone validator for good (flexsim seeds 1003 and 1985).
  std::vector<SignedProposal> proposals;
  std::vector<SignedVote> votes;
};

// ---- Inputs ----
struct StartHeight {};                            // the start gate of h_p opens
struct ProposalReceived { SignedProposal proposal; };  // signed by proposer(height, round)
struct VoteReceived { SignedVote vote; };         // signed by a validator of the set
struct TimeoutFired { Step step; std::int64_t height, round; };
struct ValueReady { std::int64_t height, round; std::shared_ptr<const Block> block; Hash32 id; };  // answers GetValue
struct ValidityKnown { Hash32 id; bool valid; };  // answers CheckValidity
struct CommittedElsewhere { std::int64_t height; };  // block sync committed up to height
using Input = std::variant<StartHeight, ProposalReceived, VoteReceived, TimeoutFired, ValueReady, ValidityKnown,
                           CommittedElsewhere>;

// ---- Outputs ----
struct GetValue { std::int64_t height, round; };  // line 18: build a block on the tip
struct CheckValidity { Hash32 id; std::shared_ptr<const Block> block; };
struct SignProposal {  // line 19
  std::int64_t height, round, valid_round;
  Hash32 id;
  std::shared_ptr<const Block> block;
  // After this step, for double-sign protection to persist so a restart can go on: the
  // locks; the locked and valid blocks and the block being signed for; their proposals; and
  // the valid block's polka.
  Locks locks;
  std::vector<std::shared_ptr<const Block>> lock_blocks;
  std::vector<SignedProposal> lock_proposals;
  std::vector<SignedVote> lock_votes;
};
struct SignVote {  // lines 24/26/30/32/40/45/59/63
  VoteType type;
  std::int64_t height, round;
  std::optional<Hash32> block;
  Locks locks;  // and the rest as in SignProposal
  std::vector<std::shared_ptr<const Block>> lock_blocks;
  std::vector<SignedProposal> lock_proposals;
  std::vector<SignedVote> lock_votes;
};
struct ScheduleTimeout { Step step; std::int64_t height, round, delay_ms; };
struct Decide {  // line 51
  std::int64_t height, round;
  Hash32 id;
  std::shared_ptr<const Block> block;
  std::vector<SignedVote> precommits;  // for (height, round, id), sorted by validator key
};
struct Equivocation { SignedVote first, second; };
using Output = std::variant<GetValue, CheckValidity, SignProposal, SignVote, ScheduleTimeout, Decide, Equivocation>;

struct RoundState {
  std::int64_t height = 0;
  std::int64_t round = -1;  // -1 while the start gate of the height is closed
  Step step = Step::propose;
  Locks locks;
};

class Tendermint {
 public:
  static constexpr std::int64_t kRoundWindow = 64;
  static constexpr std::size_t kProposalsPerRound = 2;

  // `self` is nullopt on a full node: it follows and decides (line 49), never signs.
  // Starts at `height` with the start gate closed, or where `resume` says.
  Tendermint(ValidatorSet validators, std::optional<PublicKey> self, TimeoutParams timeouts, std::int64_t height,
             std::optional<Resume> resume = std::nullopt);

  std::vector<Output> handle(const Input& input);

  RoundState state() const;
  const ValidatorSet& validators() const { return validators_; }
  // Every proposal and vote logged for h_p, for periodic re-gossip (the paper's gossip
  // assumption under loss): proposals first, then votes by round, type and key.
  std::vector<std::variant<SignedProposal, SignedVote>> log_messages() const;

 private:
  struct RoundLog {
    std::vector<SignedProposal> proposals;  // in arrival order
    // Each validator's first vote, then any conflicting ones that count (nil, or a block
    // proposed in the round).
    std::map<PublicKey, std::vector<SignedVote>> prevotes, precommits;
  };

  void reset_for_height(std::int64_t height);
  void accept(const SignedProposal& proposal, std::vector<Output>& out);
  void accept(const SignedVote& vote, std::vector<Output>& out);
  void store(const SignedProposal& proposal, std::vector<Output>& out);
  void store(const SignedVote& vote, std::vector<Output>& out);
  void start_round(std::int64_t round, std::vector<Output>& out);
  void maybe_open_gate(std::vector<Output>& out);
  void evaluate(std::vector<Output>& out);
  void decide_height(std::int64_t round, const SignedProposal& proposal, std::vector<Output>& out);
  void vote(VoteType type, std::optional<Hash32> block, std::vector<Output>& out);
  // What a signing request carries for a restart (SignVote, SignProposal); `signing` is the
  // block of the message being signed at round_.
  std::vector<std::shared_ptr<const Block>> lock_blocks(const std::optional<Hash32>& signing) const;
  std::vector<SignedProposal> lock_proposals(const std::optional<Hash32>& signing) const;
  std::vector<SignedVote> lock_votes() const;
  void schedule(Step step, std::vector<Output>& out);
  void on_timeout(const TimeoutFired& timeout, std::vector<Output>& out);
  void on_value(const ValueReady& value, std::vector<Output>& out);
  void move_to_height(std::int64_t height, std::vector<Output>& out);

  bool rule_49(std::vector<Output>& out);  // decide
  bool rule_55(std::vector<Output>& out);  // round skip on f+1
  bool rule_22(std::vector<Output>& out);  // prevote on a fresh proposal
  bool rule_28(std::vector<Output>& out);  // prevote on a proposal with a proof-of-lock
  bool rule_36(std::vector<Output>& out);  // lock and precommit on 2f+1 prevotes
  bool rule_44(std::vector<Output>& out);  // precommit nil on 2f+1 nil prevotes
  bool rule_34(std::vector<Output>& out);  // schedule the prevote timeout
  bool rule_47(std::vector<Output>& out);  // schedule the precommit timeout

  // valid(v): nullopt while unknown (and asks the host once).
  std::optional<bool> validity(const SignedProposal& proposal, std::vector<Output>& out);
  std::int64_t prevote_power(std::int64_t round, const std::optional<Hash32>& block) const;
  std::int64_t precommit_power(std::int64_t round, const std::optional<Hash32>& block) const;
  // Of the validators with a `type` vote in `round`: for `block` when given (an empty inner
  // optional is nil), for any value otherwise.
  std::int64_t vote_power(std::int64_t round, VoteType type, const std::optional<std::optional<Hash32>>& block) const;
  std::int64_t sender_power(std::int64_t round) const;
  const RoundLog* round_log(std::int64_t round) const;

  ValidatorSet validators_;
  std::optional<PublicKey> self_;
  TimeoutParams timeouts_;

  // Algorithm 1 state (lines 2-8); round_ is -1 while the start gate is closed.
  std::int64_t height_ = 0;
  std::int64_t round_ = -1;
  Step step_ = Step::propose;
  Locks locks_;

  // The message log of h_p, and what the once-only rules have done.
  std::map<std::int64_t, RoundLog> log_;
  std::map<PublicKey, std::int64_t> highest_round_;  // every validator's highest round at h_p
  std::map<Hash32, std::shared_ptr<const Block>> blocks_;
  std::map<Hash32, bool> valid_;
  std::set<Hash32> validity_asked_;
  std::set<std::int64_t> prevote_timeout_scheduled_;   // line 34, per round
  std::set<std::int64_t> precommit_timeout_scheduled_;  // line 47, per round
  std::set<std::int64_t> rule_36_done_;                 // line 36, per round
  std::set<std::tuple<PublicKey, std::int64_t, VoteType>> equivocations_reported_;
  bool value_requested_ = false;  // GetValue sent for (height_, round_)

  // Messages for h_p + 1, replayed through the log's own rules when the height is reached:
  // at most kProposalsPerRound proposals per round and kProposalsPerRound + 2 distinct votes
  // per (validator, round, type), so no validator can crowd out another.
  std::map<std::int64_t, std::vector<SignedProposal>> next_proposals_;
  std::map<std::tuple<PublicKey, std::int64_t, VoteType>, std::vector<SignedVote>> next_votes_;
};

}  // namespace flex::consensus
