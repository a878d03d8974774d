#include "node/consensus/tendermint.hpp"

#include <set>

#include <algorithm>

namespace flex::consensus {

std::string_view step_name(Step step) {
  switch (step) {
    case Step::propose: return "propose";
    case Step::prevote: return "prevote";
    case Step::precommit: return "precommit";
  }
  return "unknown";
}

std::int64_t TimeoutParams::timeout_ms(Step step, std::int64_t round) const {
  std::int64_t initial = step == Step::propose ? propose_ms : step == Step::prevote ? prevote_ms : precommit_ms;
  std::int64_t delta =
      step == Step::propose ? propose_delta_ms : step == Step::prevote ? prevote_delta_ms : precommit_delta_ms;
  __int128 value = static_cast<__int128>(initial) + static_cast<__int128>(std::max<std::int64_t>(round, 0)) * delta;
  return static_cast<std::int64_t>(std::min<__int128>(value, cap_ms));
}

Tendermint::Tendermint(ValidatorSet validators, std::optional<PublicKey> self, TimeoutParams timeouts,
                       std::int64_t height, std::optional<Resume> resume)
    : validators_(std::move(validators)), self_(self), timeouts_(timeouts) {
  if (self_ && !validators_.contains(*self_)) self_.reset();  // a key outside the set only follows
  reset_for_height(height);
  if (resume && self_) {
    round_ = resume->round;
    step_ = resume->step;
    locks_ = resume->locks;
    for (const auto& block : resume->blocks) {
      Hash32 id = block_hash(block->header);
      blocks_.emplace(id, block);
      valid_[id] = true;  // it was judged valid on this same tip before the restart
    }
    for (const auto& proposal : resume->proposals) {
      if (!blocks_.count(proposal.block_id)) continue;  // only proposals of the kept blocks
      SignedProposal kept = proposal;
      kept.block = blocks_.at(proposal.block_id);
      log_[kept.round].proposals.push_back(std::move(kept));
    }
    for (const auto& vote : resume->votes) {
      if (vote.type == VoteType::prevote) log_[vote.round].prevotes[vote.validator].push_back(vote);
    }
  }
}

void Tendermint::reset_for_height(std::int64_t height) {
  height_ = height;
  round_ = -1;
  step_ = Step::propose;
  locks_ = Locks{};  // line 54 (and line 2 at the first height)
  log_.clear();
  highest_round_.clear();
  blocks_.clear();
  valid_.clear();
  validity_asked_.clear();
  prevote_timeout_scheduled_.clear();
  precommit_timeout_scheduled_.clear();
  rule_36_done_.clear();
  equivocations_reported_.clear();
  value_requested_ = false;
}

RoundState Tendermint::state() const { return RoundState{height_, round_, step_, locks_}; }

std::vector<Output> Tendermint::handle(const Input& input) {
  std::vector<Output> out;
  std::visit(Overloaded{
                 [&](const StartHeight&) {
                   if (round_ < 0) start_round(0, out);  // line 10, once the gate opens
                 },
                 [&](const ProposalReceived& received) { accept(received.proposal, out); },
                 [&](const VoteReceived& received) { accept(received.vote, out); },
                 [&](const TimeoutFired& timeout) { on_timeout(timeout, out); },
                 [&](const ValueReady& value) { on_value(value, out); },
                 [&](const ValidityKnown& known) {
                   if (validity_asked_.count(known.id) && !valid_.count(known.id)) valid_[known.id] = known.valid;
                 },
                 [&](const CommittedElsewhere& committed) {
                   if (committed.height >= height_) move_to_height(committed.height + 1, out);
                 },
             },
             input);
  evaluate(out);
  return out;
}

// ---- The message log ----

void Tendermint::accept(const SignedProposal& proposal, std::vector<Output>& out) {
  if (proposal.round < 0 || !proposal.block) return;
  if (proposal.height == height_) {
    store(proposal, out);
  } else if (proposal.height == height_ + 1 && proposal.round <= kRoundWindow) {
    auto& round = next_proposals_[proposal.round];
    bool repeat = std::any_of(round.begin(), round.end(), [&](const SignedProposal& p) {
      return p.block_id == proposal.block_id && p.valid_round == proposal.valid_round;
    });
    if (!repeat && round.size() < kProposalsPerRound) round.push_back(proposal);
  }
}

void Tendermint::accept(const SignedVote& vote, std::vector<Output>& out) {
  if (vote.round < 0 || !validators_.contains(vote.validator)) return;
  if (vote.height == height_) {
    store(vote, out);
  } else if (vote.height == height_ + 1 && vote.round <= kRoundWindow) {
    auto& votes = next_votes_[std::tuple{vote.validator, vote.round, vote.type}];
    bool repeat = std::any_of(votes.begin(), votes.end(), [&](const SignedVote& v) { return v.block == vote.block; });
    if (!repeat && votes.size() < kProposalsPerRound + 2) votes.push_back(vote);
  }
}

void Tendermint::store(const SignedProposal& proposal, std::vector<Output>& out) {
  auto& highest = highest_round_[proposal.signer];
  highest = std::max(highest, proposal.round);
  if (proposal.round > std::max<std::int64_t>(round_, 0) + kRoundWindow) return;
  RoundLog& round = log_[proposal.round];
  for (const auto& logged : round.proposals) {
    if (logged.block_id == proposal.block_id && logged.valid_round == proposal.valid_round) return;  // a repeat
  }
  if (round.proposals.size() >= kProposalsPerRound) return;
  round.proposals.push_back(proposal);
  blocks_.emplace(proposal.block_id, proposal.block);
  if (!valid_.count(proposal.block_id) && validity_asked_.insert(proposal.block_id).second) {
    out.push_back(CheckValidity{proposal.block_id, proposal.block});
  }
}

void Tendermint::store(const SignedVote& vote, std::vector<Output>& out) {
  auto& highest = highest_round_[vote.validator];
  highest = std::max(highest, vote.round);
  if (vote.round > std::max<std::int64_t>(round_, 0) + kRoundWindow) return;
  RoundLog& round = log_[vote.round];
  auto& votes = (vote.type == VoteType::prevote ? round.prevotes : round.precommits)[vote.validator];
  for (const auto& logged : votes) {
    if (logged.block == vote.block) return;  // a repeat
  }
  if (!votes.empty()) {
    // A second value: proof that the validator signed twice.
    if (equivocations_reported_.insert({vote.validator, vote.round, vote.type}).second) {
      out.push_back(Equivocation{votes.front(), vote});
    }
    // The paper counts every sender of a matching message, so a faulty validator's votes
    // count for each value it signed; dropping all but the first would leave correct nodes
    // with different tallies and could stall them for good. Bounded: besides the first vote,
    // only nil and the blocks proposed in the round are kept (others return by re-gossip
    // once their proposal is in).
    bool proposed = std::any_of(round.proposals.begin(), round.proposals.end(),
                                [&](const SignedProposal& p) { return vote.block == p.block_id; });
    if (!vote.block || proposed) votes.push_back(vote);
    return;
  }
  votes.push_back(vote);
}

const Tendermint::RoundLog* Tendermint::round_log(std::int64_t round) const {
  auto found = log_.find(round);
  return found == log_.end() ? nullptr : &found->second;
}

std::int64_t Tendermint::vote_power(std::int64_t round, VoteType type,
                                    const std::optional<std::optional<Hash32>>& block) const {
  const RoundLog* log = round_log(round);
  if (!log) return 0;
  std::int64_t power = 0;
  for (const auto& [key, votes] : type == VoteType::prevote ? log->prevotes : log->precommits) {
    bool counts = !block || std::any_of(votes.begin(), votes.end(), [&](const SignedVote& v) { return v.block == *block; });
    if (counts) power += validators_.power_of(key);
  }
  return power;
}

std::int64_t Tendermint::prevote_power(std::int64_t round, const std::optional<Hash32>& block) const {
  return vote_power(round, VoteType::prevote, block);
}

std::int64_t Tendermint::precommit_power(std::int64_t round, const std::optional<Hash32>& block) const {
  return vote_power(round, VoteType::precommit, block);
}

// The summed power of distinct validators with any message in `round`.
std::int64_t Tendermint::sender_power(std::int64_t round) const {
  const RoundLog* log = round_log(round);
  if (!log) return 0;
  std::set<PublicKey> senders;
  for (const auto& proposal : log->proposals) senders.insert(proposal.signer);
  for (const auto& entry : log->prevotes) senders.insert(entry.first);
  for (const auto& entry : log->precommits) senders.insert(entry.first);
  std::int64_t power = 0;
  for (const auto& key : senders) power += validators_.power_of(key);
  return power;
}

std::optional<bool> Tendermint::validity(const SignedProposal& proposal, std::vector<Output>& out) {
  if (auto known = valid_.find(proposal.block_id); known != valid_.end()) return known->second;
  if (validity_asked_.insert(proposal.block_id).second) out.push_back(CheckValidity{proposal.block_id, proposal.block});
  return std::nullopt;
}

std::vector<std::variant<SignedProposal, SignedVote>> Tendermint::log_messages() const {
  std::vector<std::variant<SignedProposal, SignedVote>> messages;
  for (const auto& [round, log] : log_) {
    for (const auto& proposal : log.proposals) messages.emplace_back(proposal);
  }
  for (const auto& [round, log] : log_) {
    for (const auto& entry : log.prevotes) messages.insert(messages.end(), entry.second.begin(), entry.second.end());
    for (const auto& entry : log.precommits) messages.insert(messages.end(), entry.second.begin(), entry.second.end());
  }
  return messages;
}

// ---- Steps ----

void Tendermint::start_round(std::int64_t round, std::vector<Output>& out) {  // lines 11-21
  round_ = round;
  step_ = Step::propose;
  value_requested_ = false;
  if (self_ && validators_.proposer(height_, round_).public_key == *self_) {
    if (locks_.valid) {  // line 15: re-propose the value that may have been decided
      out.push_back(SignProposal{height_, round_, locks_.valid_round, *locks_.valid, blocks_.at(*locks_.valid), locks_,
                                 lock_blocks(locks_.valid), lock_proposals(locks_.valid), lock_votes()});
    } else {  // line 18
      value_requested_ = true;
      out.push_back(GetValue{height_, round_});
    }
  } else {
    schedule(Step::propose, out);  // line 21
  }
}

void Tendermint::on_value(const ValueReady& value, std::vector<Output>& out) {  // line 19
  if (!value_requested_ || value.height != height_ || value.round != round_ || step_ != Step::propose || !value.block) {
    return;  // a stale answer: the round moved on meanwhile
  }
  value_requested_ = false;
  blocks_.emplace(value.id, value.block);
  valid_[value.id] = true;  // built by this node on its own tip
  out.push_back(SignProposal{height_, round_, -1, value.id, value.block, locks_, lock_blocks(value.id),
                             lock_proposals(value.id), lock_votes()});
}

void Tendermint::vote(VoteType type, std::optional<Hash32> block, std::vector<Output>& out) {
  if (self_) out.push_back(SignVote{type, height_, round_, block, locks_, lock_blocks(block), lock_proposals(block), lock_votes()});
}

std::vector<SignedProposal> Tendermint::lock_proposals(const std::optional<Hash32>& signing) const {
  std::vector<SignedProposal> proposals;
  auto add = [&](std::int64_t round, const std::optional<Hash32>& id) {
    if (!id) return;
    auto logged = log_.find(round);
    if (logged == log_.end()) return;
    for (const auto& proposal : logged->second.proposals) {
      bool known = std::any_of(proposals.begin(), proposals.end(), [&](const SignedProposal& p) {
        return p.round == proposal.round && p.block_id == proposal.block_id;
      });
      if (proposal.block_id == *id && !known) proposals.push_back(proposal);
    }
  };
  add(locks_.locked_round, locks_.locked);
  add(locks_.valid_round, locks_.valid);
  add(round_, signing);
  return proposals;
}

std::vector<std::shared_ptr<const Block>> Tendermint::lock_blocks(const std::optional<Hash32>& signing) const {
  std::vector<std::shared_ptr<const Block>> blocks;
  std::set<Hash32> listed;
  for (const auto& id : {locks_.locked, locks_.valid, signing}) {
    if (id && listed.insert(*id).second) blocks.push_back(blocks_.at(*id));
  }
  return blocks;
}

std::vector<SignedVote> Tendermint::lock_votes() const {
  std::vector<SignedVote> votes;
  if (!locks_.valid) return votes;
  auto logged = log_.find(locks_.valid_round);
  if (logged == log_.end()) return votes;
  for (const auto& [validator, cast] : logged->second.prevotes) {
    for (const auto& vote : cast) {
      if (vote.block == locks_.valid) votes.push_back(vote);
    }
  }
  return votes;
}

void Tendermint::schedule(Step step, std::vector<Output>& out) {
  if (self_) out.push_back(ScheduleTimeout{step, height_, round_, timeouts_.timeout_ms(step, round_)});
}

void Tendermint::on_timeout(const TimeoutFired& timeout, std::vector<Output>& out) {
  if (timeout.height != height_ || timeout.round != round_) return;  // stale: the guards of lines 57-67
  if (timeout.step == Step::propose && step_ == Step::propose) {  // line 57
    vote(VoteType::prevote, std::nullopt, out);
    step_ = Step::prevote;
  } else if (timeout.step == Step::prevote && step_ == Step::prevote) {  // line 61
    vote(VoteType::precommit, std::nullopt, out);
    step_ = Step::precommit;
  } else if (timeout.step == Step::precommit) {  // line 65
    start_round(round_ + 1, out);
  }
}

void Tendermint::move_to_height(std::int64_t height, std::vector<Output>& out) {
  decltype(next_proposals_) proposals;
  decltype(next_votes_) votes;
  if (height == height_ + 1) {
    proposals.swap(next_proposals_);
    votes.swap(next_votes_);
  }
  next_proposals_.clear();
  next_votes_.clear();
  reset_for_height(height);
  for (const auto& [round, list] : proposals) {
    for (const auto& proposal : list) store(proposal, out);
  }
  for (const auto& [key, list] : votes) {
    for (const auto& vote : list) store(vote, out);
  }
}

void Tendermint::decide_height(std::int64_t round, const SignedProposal& proposal, std::vector<Output>& out) {
  Decide decision{height_, round, proposal.block_id, proposal.block, {}};
  for (const auto& [key, votes] : log_.at(round).precommits) {  // map order: sorted by key
    for (const auto& vote : votes) {
      if (vote.block == proposal.block_id) decision.precommits.push_back(vote);
    }
  }
  out.push_back(std::move(decision));
  move_to_height(height_ + 1, out);  // line 54, with the start gate closed
}

// ---- The upon-rules ----

void Tendermint::evaluate(std::vector<Output>& out) {
  for (;;) {
    if (round_ < 0) {
      // The start gate also opens on a proposal for the height or on messages from more
      // than a third of the power: others have started, so this node is late.
      std::int64_t senders = 0;
      for (const auto& entry : highest_round_) senders += validators_.power_of(entry.first);
      bool proposal_seen = std::any_of(log_.begin(), log_.end(), [](const auto& r) { return !r.second.proposals.empty(); });
      if (!proposal_seen && !validators_.exceeds_third(senders)) return;
      start_round(0, out);
      continue;
    }
    if (rule_49(out) || rule_55(out) || rule_22(out) || rule_28(out) || rule_36(out) || rule_44(out) ||
        rule_34(out) || rule_47(out)) {
      continue;
    }
    return;
  }
}

bool Tendermint::rule_49(std::vector<Output>& out) {  // lines 49-54
  for (const auto& [round, log] : log_) {
    for (const auto& proposal : log.proposals) {
      if (!validators_.is_quorum(precommit_power(round, proposal.block_id))) continue;
      auto valid = validity(proposal, out);
      if (!valid || !*valid) continue;
      SignedProposal decided = proposal;  // the log is cleared by the decision
      decide_height(round, decided, out);
      return true;
    }
  }
  return false;
}

bool Tendermint::rule_55(std::vector<Output>& out) {  // lines 55-56
  // Within the window: f+1 senders of messages of exactly that round (the highest such round).
  for (auto it = log_.rbegin(); it != log_.rend() && it->first > round_; ++it) {
    if (validators_.exceeds_third(sender_power(it->first))) {
      start_round(it->first, out);
      return true;
    }
  }
  // Beyond the window only each validator's highest round is known: start the highest round
  // that validators holding more than a third of the power have reached.
  std::vector<std::pair<std::int64_t, std::int64_t>> reached;  // (highest round, power)
  for (const auto& [key, highest] : highest_round_) reached.emplace_back(highest, validators_.power_of(key));
  std::sort(reached.begin(), reached.end(), std::greater<>());
  std::int64_t power = 0;
  for (const auto& [highest, validator_power] : reached) {
    power += validator_power;
    if (validators_.exceeds_third(power)) {
      if (highest > round_ + kRoundWindow) {
        start_round(highest, out);
        return true;
      }
      break;
    }
  }
  return false;
}

bool Tendermint::rule_22(std::vector<Output>& out) {  // lines 22-27
  if (step_ != Step::propose) return false;
  const RoundLog* log = round_log(round_);
  if (!log) return false;
  for (const auto& proposal : log->proposals) {
    if (proposal.valid_round != -1) continue;
    auto valid = validity(proposal, out);
    if (!valid) continue;
    bool acceptable = *valid && (locks_.locked_round == -1 || locks_.locked == proposal.block_id);
    vote(VoteType::prevote, acceptable ? std::optional(proposal.block_id) : std::nullopt, out);
    step_ = Step::prevote;
    return true;
  }
  return false;
}

bool Tendermint::rule_28(std::vector<Output>& out) {  // lines 28-33
  if (step_ != Step::propose) return false;
  const RoundLog* log = round_log(round_);
  if (!log) return false;
  for (const auto& proposal : log->proposals) {
    const std::int64_t vr = proposal.valid_round;
    if (vr < 0 || vr >= round_) continue;
    if (!validators_.is_quorum(prevote_power(vr, proposal.block_id))) continue;
    auto valid = validity(proposal, out);
    if (!valid) continue;
    bool acceptable = *valid && (locks_.locked_round <= vr || locks_.locked == proposal.block_id);
    vote(VoteType::prevote, acceptable ? std::optional(proposal.block_id) : std::nullopt, out);
    step_ = Step::prevote;
    return true;
  }
  return false;
}

bool Tendermint::rule_36(std::vector<Output>& out) {  // lines 36-43
  if (step_ == Step::propose || rule_36_done_.count(round_)) return false;
  const RoundLog* log = round_log(round_);
  if (!log) return false;
  for (const auto& proposal : log->proposals) {
    if (!validators_.is_quorum(prevote_power(round_, proposal.block_id))) continue;
    auto valid = validity(proposal, out);
    if (!valid || !*valid) continue;
    rule_36_done_.insert(round_);
    locks_.valid = proposal.block_id;  // lines 42-43
    locks_.valid_round = round_;
    if (step_ == Step::prevote) {  // lines 37-41
      locks_.locked = proposal.block_id;
      locks_.locked_round = round_;
      vote(VoteType::precommit, proposal.block_id, out);
      step_ = Step::precommit;
    }
    return true;
  }
  return false;
}

bool Tendermint::rule_44(std::vector<Output>& out) {  // lines 44-46
  if (step_ != Step::prevote || !validators_.is_quorum(prevote_power(round_, std::nullopt))) return false;
  vote(VoteType::precommit, std::nullopt, out);
  step_ = Step::precommit;
  return true;
}

bool Tendermint::rule_34(std::vector<Output>& out) {  // lines 34-35
  if (step_ != Step::prevote || prevote_timeout_scheduled_.count(round_)) return false;
  if (!validators_.is_quorum(vote_power(round_, VoteType::prevote, std::nullopt))) return false;
  prevote_timeout_scheduled_.insert(round_);
  schedule(Step::prevote, out);
  return true;
}

bool Tendermint::rule_47(std::vector<Output>& out) {  // lines 47-48
  if (precommit_timeout_scheduled_.count(round_)) return false;
  if (!validators_.is_quorum(vote_power(round_, VoteType::precommit, std::nullopt))) return false;
  precommit_timeout_scheduled_.insert(round_);
  schedule(Step::precommit, out);
  return true;
}

}  // namespace flex::consensus
