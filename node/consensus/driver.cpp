#include "node/consensus/driver.hpp"

#include <algorithm>

#include "ledger/hash.hpp"
#include "node/keyfile.hpp"

namespace flex::consensus {

namespace {

// Rounds beyond this are refused outright: honest rounds grow by one per timeout, so a
// larger one only comes from a faulty validator, and it keeps round arithmetic far from
// overflow.
constexpr std::int64_t kMaxRound = std::int64_t{1} << 40;

}  // namespace

KeySigner::KeySigner(SecretKey key, std::function<Hash32()> aux_random)
    : key_(std::move(key)), aux_random_(std::move(aux_random)) {
  auto derived = derive_public_key(key_);
  if (!derived) throw std::invalid_argument("the validator key is not a valid secret key");
  public_key_ = *derived;
}

std::optional<Signature> KeySigner::sign(const Hash32& digest) {
  return schnorr_sign(key_, digest, aux_random_ ? aux_random_() : random_bytes32());
}

std::optional<Signature> KeySigner::sign_vote(const SignVote&, const Hash32& digest) { return sign(digest); }

std::optional<Signature> KeySigner::sign_proposal(const SignProposal&, const Hash32& digest) { return sign(digest); }

ConsensusDriver::ConsensusDriver(LedgerPort& ledger, ValidatorSet validators, VoteSigner* signer, DriverHost& host,
                                 DriverOptions options, SignatureCheck verify, std::optional<Resume> resume)
    : ledger_(ledger),
      signer_(signer),
      host_(host),
      options_(options),
      verify_(verify ? std::move(verify) : SignatureCheck(schnorr_verify)),
      core_(std::move(validators), signer ? std::optional(signer->public_key()) : std::nullopt, options.timeouts,
            ledger.height() + 1, signer ? resume : std::nullopt),
      resume_(signer ? std::move(resume) : std::nullopt) {}

void ConsensusDriver::start() {
  host_.schedule(DriverTimer{DriverTimer::Kind::regossip, 0, 0}, options_.regossip_ms);
  if (options_.empty_block_interval_ms > 0) {
    host_.schedule(DriverTimer{DriverTimer::Kind::start_gate, height(), 0}, options_.empty_block_interval_ms);
  }
  if (resume_) {
    // The core counts the resumed locked and valid blocks as valid (they were, on this same
    // tip); the ledger must have executed them too, or deciding one could not commit it.
    for (const auto& block : resume_->blocks) {
      if (auto valid = ledger_.validate(*block, host_.now_seconds()); !valid) {
        throw std::runtime_error("a resumed lock block no longer validates: " + valid.rejection().message);
      }
    }
    RoundState at = core_.state();
    auto kind = at.step == Step::propose   ? DriverTimer::Kind::propose
                : at.step == Step::prevote ? DriverTimer::Kind::prevote
                                           : DriverTimer::Kind::precommit;
    host_.schedule(DriverTimer{kind, at.height, at.round}, options_.timeouts.timeout_ms(at.step, at.round));
    if (resume_->proposal) {
      host_.broadcast(*resume_->proposal);
      feed(ProposalReceived{*resume_->proposal});
    }
    if (resume_->vote) {
      host_.broadcast(*resume_->vote);
      feed(VoteReceived{*resume_->vote});
    }
    resume_.reset();
  }
  if (ledger_.has_pending_transactions()) feed(StartHeight{});
}

Status ConsensusDriver::on_proposal(const SignedProposal& proposal) {
  const std::int64_t current = height();
  if (proposal.height != current && proposal.height != current + 1) {
    return reject("consensus.wrong_height", "a proposal for height " + std::to_string(proposal.height));
  }
  if (proposal.round < 0 || proposal.round > kMaxRound || proposal.valid_round < -1 ||
      proposal.valid_round >= proposal.round) {
    return reject("consensus.bad_round", "a proposal with round " + std::to_string(proposal.round) +
                                             " and valid round " + std::to_string(proposal.valid_round));
  }
  if (!proposal.block || proposal.block->header.height != proposal.height ||
      block_hash(proposal.block->header) != proposal.block_id) {
    return reject("consensus.bad_block_id", "the proposal's block id is not its block's hash");
  }
  if (!validators().contains(proposal.signer)) {
    return reject("consensus.unknown_validator", "a proposal signed by a key outside the validator set");
  }
  if (validators().proposer(proposal.height, proposal.round).public_key != proposal.signer) {
    return reject("consensus.not_proposer", "the proposal's signer is not the proposer of its round");
  }
  // A fresh value (valid round -1) must be the signer's own block; a re-proposed one may
  // have been built by the proposer of an earlier round.
  if (proposal.valid_round == -1 && proposal.block->header.proposer != proposal.signer) {
    return reject("consensus.malformed", "a fresh proposal of a block built by another validator");
  }
  if (!verify_(proposal.signature, proposal.digest(ledger_.chain_id()), proposal.signer)) {
    return reject("consensus.bad_signature", "the proposal's signature does not verify");
  }
  feed(ProposalReceived{proposal});
  return ok_status();
}

Status ConsensusDriver::on_vote(const SignedVote& vote) {
  const std::int64_t current = height();
  if (vote.height != current && vote.height != current + 1) {
    return reject("consensus.wrong_height", "a vote for height " + std::to_string(vote.height));
  }
  if (vote.round < 0 || vote.round > kMaxRound) {
    return reject("consensus.bad_round", "a vote with round " + std::to_string(vote.round));
  }
  if (vote.type != VoteType::prevote && vote.type != VoteType::precommit) {
    return reject("consensus.malformed", "a vote of unknown type");
  }
  if (!validators().contains(vote.validator)) {
    return reject("consensus.unknown_validator", "a vote signed by a key outside the validator set");
  }
  if (!verify_(vote.signature, vote.digest(ledger_.chain_id()), vote.validator)) {
    return reject("consensus.bad_signature", "the vote's signature does not verify");
  }
  feed(VoteReceived{vote});
  return ok_status();
}

void ConsensusDriver::on_timer(const DriverTimer& timer) {
  switch (timer.kind) {
    case DriverTimer::Kind::propose:
      feed(TimeoutFired{Step::propose, timer.height, timer.round});
      break;
    case DriverTimer::Kind::prevote:
      feed(TimeoutFired{Step::prevote, timer.height, timer.round});
      break;
    case DriverTimer::Kind::precommit:
      feed(TimeoutFired{Step::precommit, timer.height, timer.round});
      break;
    case DriverTimer::Kind::start_gate:
      if (timer.height == height() && state().round < 0) feed(StartHeight{});
      break;
    case DriverTimer::Kind::regossip:
      // The paper assumes every message a correct process sent or received reaches every
      // correct process eventually; re-sending the height's log gives that over lossy links.
      if (state().round >= 0) {
        for (const auto& message : core_.log_messages()) {
          std::visit([&](const auto& m) { host_.broadcast(m); }, message);
        }
      }
      host_.schedule(DriverTimer{DriverTimer::Kind::regossip, 0, 0}, options_.regossip_ms);
      break;
  }
}

void ConsensusDriver::on_transactions() {
  // A late wake-up may find them already committed: then there is nothing to start for.
  if (state().round < 0 && ledger_.has_pending_transactions()) feed(StartHeight{});
}

Status ConsensusDriver::on_committed_block(const Block& block, const Commit& commit) {
  if (block.header.height != ledger_.height() + 1) {
    return reject("consensus.wrong_height", "a committed block for height " + std::to_string(block.header.height));
  }
  if (auto verified = verify_commit(commit, block.header, validators().validators()); !verified) return verified;
  if (auto valid = ledger_.validate(block, host_.now_seconds()); !valid) return valid;
  ledger_.commit(block, commit);
  feed(CommittedElsewhere{block.header.height});  // the core moves on before anything else runs
  after_commit(block, commit);
  drain();
  return ok_status();
}

void ConsensusDriver::feed(Input input) {
  queue_.push_back(std::move(input));
  drain();
}

void ConsensusDriver::drain() {
  if (feeding_) return;  // the running loop below picks new inputs up, in order
  feeding_ = true;
  try {
    while (!queue_.empty()) {
      Input next = std::move(queue_.front());
      queue_.pop_front();
      for (auto& output : core_.handle(next)) perform(output);
    }
  } catch (...) {
    feeding_ = false;
    queue_.clear();
    throw;
  }
  feeding_ = false;
}

void ConsensusDriver::perform(Output& output) {
  std::visit(
      Overloaded{
          [&](GetValue& request) {
            auto block = ledger_.propose(host_.now_seconds(), signer_->public_key());
            Hash32 id = block_hash(block->header);
            built_here_.insert(id);
            queue_.push_back(ValueReady{request.height, request.round, std::move(block), id});
          },
          [&](CheckValidity& check) {
            bool valid = built_here_.count(check.id) > 0 ||
                         (check.block && ledger_.validate(*check.block, host_.now_seconds()).ok());
            queue_.push_back(ValidityKnown{check.id, valid});
          },
          [&](SignProposal& request) {
            SignedProposal proposal{request.height, request.round, request.valid_round, request.id, request.block,
                                    signer_->public_key(), {}};
            auto signature = signer_->sign_proposal(request, proposal.digest(ledger_.chain_id()));
            if (!signature) return;  // refused: as if the message were lost
            proposal.signature = *signature;
            host_.broadcast(proposal);
            queue_.push_back(ProposalReceived{std::move(proposal)});
          },
          [&](SignVote& request) {
            SignedVote vote{request.type, request.height, request.round, request.block, signer_->public_key(), {}};
            auto signature = signer_->sign_vote(request, vote.digest(ledger_.chain_id()));
            if (!signature) return;
            vote.signature = *signature;
            host_.broadcast(vote);
            queue_.push_back(VoteReceived{std::move(vote)});
          },
          [&](ScheduleTimeout& timeout) {
            auto kind = timeout.step == Step::propose   ? DriverTimer::Kind::propose
                        : timeout.step == Step::prevote ? DriverTimer::Kind::prevote
                                                        : DriverTimer::Kind::precommit;
            host_.schedule(DriverTimer{kind, timeout.height, timeout.round}, timeout.delay_ms);
          },
          [&](Decide& decision) {
            Commit commit{decision.height, decision.round, decision.id, {}};
            for (const auto& vote : decision.precommits) {
              commit.signatures.push_back(CommitSignature{vote.validator, vote.signature});
            }
            ledger_.commit(*decision.block, commit);
            after_commit(*decision.block, commit);
          },
          [&](Equivocation& evidence) { host_.equivocation(evidence.first, evidence.second); },
      },
      output);
}

void ConsensusDriver::after_commit(const Block& block, const Commit& commit) {
  built_here_.clear();
  host_.committed(block, commit);
  const std::int64_t next = block.header.height + 1;
  if (options_.empty_block_interval_ms > 0) {
    host_.schedule(DriverTimer{DriverTimer::Kind::start_gate, next, 0}, options_.empty_block_interval_ms);
  }
  if (ledger_.has_pending_transactions()) queue_.push_back(StartHeight{});
}

}  // namespace flex::consensus
