// ConsensusDriver: the Tendermint core (tendermint.hpp) joined to a ledger, a signer and a
// network, through interfaces only, so flexnode and the deterministic simulator
// (tests/sim/) run the very same code. Single-threaded: the host calls it from one thread
// (an Asio strand in flexnode, the event loop in the simulator).
//
// The driver checks every message before the core sees it (chain, height window, set
// membership, the round's proposer, signatures) and never trusts the network: bad input is
// dropped with a code, never asserted on. It answers the core's requests at once: GetValue
// by LedgerPort::propose, CheckValidity by LedgerPort::validate (blocks it built itself are
// valid by construction), SignVote/SignProposal through the VoteSigner, then sends the
// signed message and feeds it back to the core as received.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>

#include "ledger/result.hpp"
#include "node/consensus/tendermint.hpp"

namespace flex::consensus {

// The node's chain as consensus sees it. Implemented by the simulator's SimLedger now and by
// Chain in flexnode.
class LedgerPort {
 public:
  virtual ~LedgerPort() = default;
  virtual const std::string& chain_id() const = 0;
  virtual std::int64_t height() const = 0;  // the last committed height
  virtual bool has_pending_transactions() const = 0;
  // A block for height() + 1 from pending transactions, with `proposer` in its header.
  virtual std::shared_ptr<const Block> propose(std::int64_t now_seconds, const PublicKey& proposer) = 0;
  // Whether `block` is a valid next block on the tip (PROTOCOL.md §10 steps 1-3, and a time
  // at most kMaxClockAheadSeconds ahead of `now_seconds`). Codes: block.*.
  virtual Status validate(const Block& block, std::int64_t now_seconds) = 0;
  // Stores a block that propose() built or validate() accepted on the current tip, with its
  // commit, and advances the state. Throws on a local failure (the node must stop).
  virtual void commit(const Block& block, const Commit& commit) = 0;
  // A committed block with its stored commit (for peers that are behind).
  virtual std::optional<std::pair<Block, Commit>> committed_block(std::int64_t height) const = 0;
};

// Signs consensus messages. A signer may refuse (double-sign protection, node/consensus/
// privval); a refused message is not sent, which the protocol sees as a lost message.
class VoteSigner {
 public:
  virtual ~VoteSigner() = default;
  virtual const PublicKey& public_key() const = 0;
  virtual std::optional<Signature> sign_vote(const SignVote& request, const Hash32& digest) = 0;
  virtual std::optional<Signature> sign_proposal(const SignProposal& request, const Hash32& digest) = 0;
};

// A signer holding the key in memory, with no protection against signing twice.
class KeySigner final : public VoteSigner {
 public:
  // `aux_random` gives BIP-340's auxiliary randomness (random_bytes32 when empty; the
  // simulator passes a seeded source).
  explicit KeySigner(SecretKey key, std::function<Hash32()> aux_random = nullptr);
  const PublicKey& public_key() const override { return public_key_; }
  std::optional<Signature> sign_vote(const SignVote& request, const Hash32& digest) override;
  std::optional<Signature> sign_proposal(const SignProposal& request, const Hash32& digest) override;

 private:
  std::optional<Signature> sign(const Hash32& digest);
  SecretKey key_;
  PublicKey public_key_{};
  std::function<Hash32()> aux_random_;
};

// What the driver asks of its surroundings: the network, timers and the clock.
struct DriverTimer {
  enum class Kind : std::uint8_t { propose, prevote, precommit, start_gate, regossip };
  Kind kind;
  std::int64_t height = 0, round = 0;
};

class DriverHost {
 public:
  virtual ~DriverHost() = default;
  virtual void broadcast(const SignedProposal& proposal) = 0;
  virtual void broadcast(const SignedVote& vote) = 0;
  // Calls ConsensusDriver::on_timer(timer) after `delay_ms`; timers are never cancelled.
  virtual void schedule(const DriverTimer& timer, std::int64_t delay_ms) = 0;
  // Wall-clock UTC seconds, for block times and the validity bound.
  virtual std::int64_t now_seconds() const = 0;
  // After a block is committed (by consensus or by sync).
  virtual void committed(const Block& /*block*/, const Commit& /*commit*/) {}
  // Two conflicting signed votes of one validator at one height, round and type.
  virtual void equivocation(const SignedVote& /*first*/, const SignedVote& /*second*/) {}
};

struct DriverOptions {
  TimeoutParams timeouts;
  // The next height starts this long after a commit even with nothing to propose; zero
  // means only transactions (or other validators) start it.
  std::int64_t empty_block_interval_ms = 5000;
  std::int64_t regossip_ms = 1000;  // re-send the height's log while undecided
  // A valid block's time may be at most this far ahead of the local clock.
  std::int64_t max_clock_ahead_seconds = 10;
};

using SignatureCheck = std::function<bool(const Signature&, const Hash32&, const PublicKey&)>;

class ConsensusDriver {
 public:
  // `signer` is null on a full node. `verify` defaults to schnorr_verify (the simulator
  // passes a memo so each distinct signature is verified once per world). `resume` comes from
  // PrivValidator::resume after a restart in the middle of a height.
  ConsensusDriver(LedgerPort& ledger, ValidatorSet validators, VoteSigner* signer, DriverHost& host,
                  DriverOptions options, SignatureCheck verify = nullptr, std::optional<Resume> resume = std::nullopt);

  // Begins at ledger.height() + 1 and arms the start gate and re-gossip timers. A resumed
  // validator re-sends its last message and re-arms the timeout of its step, so lines 55
  // and 65 move it on like a correct process whose messages were delayed.
  void start();
  // Codes for dropped messages: consensus.wrong_height (stale or too far ahead),
  // consensus.bad_round, consensus.unknown_validator, consensus.not_proposer,
  // consensus.bad_block_id, consensus.bad_signature, consensus.malformed.
  Status on_proposal(const SignedProposal& proposal);
  Status on_vote(const SignedVote& vote);
  void on_timer(const DriverTimer& timer);
  // Transactions were admitted: opens the start gate of the current height.
  void on_transactions();
  // A block with its commit from a peer (block sync): verified (verify_commit against the
  // set, then validate) and committed when it is the next height. Codes: commit.*, block.*,
  // consensus.wrong_height.
  Status on_committed_block(const Block& block, const Commit& commit);

  RoundState state() const { return core_.state(); }
  std::int64_t height() const { return core_.state().height; }
  const ValidatorSet& validators() const { return core_.validators(); }

 private:
  void feed(Input input);
  void drain();  // runs queued inputs through the core until none is left
  void perform(Output& output);
  void after_commit(const Block& block, const Commit& commit);

  LedgerPort& ledger_;
  VoteSigner* signer_;
  DriverHost& host_;
  DriverOptions options_;
  SignatureCheck verify_;
  Tendermint core_;
  std::deque<Input> queue_;
  bool feeding_ = false;
  std::set<Hash32> built_here_;  // ids of blocks propose() made for the current height
  std::optional<Resume> resume_;
};

}  // namespace flex::consensus
