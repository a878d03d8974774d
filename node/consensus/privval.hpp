// Double-sign protection: a validator records what it last signed (height, round, step and
// the digest) durably BEFORE the signature leaves the process, and never signs a conflicting
// message afterwards, across crashes and restarts. After CometBFT's privval and
// spec/consensus/signing.md.
//
// Steps are ordered proposal (1) < prevote (2) < precommit (3). For a request (h, r, s, d)
// against the stored (H, R, S, D):
//   (h, r, s) >  (H, R, S): sign, persist the new record (with the core's locks and the
//                           locked and valid blocks), then release the signature;
//   (h, r, s) == (H, R, S): d == D: release the stored signature (BIP-340 signatures are
//                           randomised, so signing again would make a second one); else refuse;
//   (h, r, s) <  (H, R, S): refuse.
// A refused message is not sent; the protocol sees a lost message.
//
// The locks are persisted too: a validator that forgets its lock after a restart
// ("amnesia") can help a conflicting block to a quorum, which the protocol's safety argument
// rules out for correct validators.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "node/consensus/driver.hpp"

namespace flex::consensus {

struct LastSigned {
  std::int64_t height = 0, round = 0;
  std::uint8_t step = 0;  // 1 proposal, 2 prevote, 3 precommit
  Hash32 digest{};
  Signature signature{};
  std::optional<SignedVote> vote;          // the signed message, to re-send after a restart
  std::optional<SignedProposal> proposal;  // (exactly one of the two)
  Locks locks;  // and what else a restart needs (tendermint.hpp SignVote)
  std::vector<std::shared_ptr<const Block>> lock_blocks;
  std::vector<SignedProposal> lock_proposals;  // the signed proposals of those blocks
  std::vector<SignedVote> lock_votes;          // the valid block's polka
};

class PrivvalStore {
 public:
  virtual ~PrivvalStore() = default;
  virtual std::optional<LastSigned> load() = 0;
  // Durable when it returns (or throws; then nothing may be sent).
  virtual void save(const LastSigned& record) = 0;
};

// For the simulator: survives a simulated crash because the world keeps it.
class MemoryPrivvalStore final : public PrivvalStore {
 public:
  std::optional<LastSigned> load() override { return record_; }
  void save(const LastSigned& record) override { record_ = record; }

 private:
  std::optional<LastSigned> record_;
};

// data/consensus.sqlite: WAL with synchronous=FULL, so COMMIT reaches the disk; an flock
// keeps a second process off it. Kept apart from ledger.sqlite, which is identical on every
// node and exported; full nodes have none.
class SqlitePrivvalStore final : public PrivvalStore {
 public:
  // Creates the file or opens it; refuses (std::runtime_error) a file made for another chain
  // or another validator key.
  static std::unique_ptr<SqlitePrivvalStore> open(const std::string& path, const std::string& chain_id,
                                                  const PublicKey& validator);
  ~SqlitePrivvalStore() override;
  std::optional<LastSigned> load() override;
  void save(const LastSigned& record) override;

 private:
  struct Database;
  explicit SqlitePrivvalStore(std::unique_ptr<Database> database);
  std::unique_ptr<Database> database_;
};

class PrivValidator final : public VoteSigner {
 public:
  PrivValidator(SecretKey key, PrivvalStore& store, std::string chain_id, std::function<Hash32()> aux_random = nullptr);

  const PublicKey& public_key() const override { return public_key_; }
  std::optional<Signature> sign_vote(const SignVote& request, const Hash32& digest) override;
  std::optional<Signature> sign_proposal(const SignProposal& request, const Hash32& digest) override;

  // Where consensus resumes after a restart, given the committed height: nullopt when the
  // last signature is at or below it (start the next height afresh). Throws
  // std::runtime_error when it is above committed + 1, which no correct run produces.
  std::optional<Resume> resume(std::int64_t committed_height) const;
  std::int64_t refusals() const { return refusals_; }

 private:
  std::optional<Signature> sign(LastSigned next);

  SecretKey key_;
  PublicKey public_key_{};
  PrivvalStore& store_;
  std::string chain_id_;
  std::function<Hash32()> aux_random_;
  std::optional<LastSigned> last_;
  std::int64_t refusals_ = 0;
};

}  // namespace flex::consensus
