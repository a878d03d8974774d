// The properties a simulated run must keep (docs/CONSENSUS-PLAN.md §5):
//   agreement       one global height -> block hash map over every honest node's commits,
//                   across restarts; a second hash at a height fails;
//   honest signing  one global (validator, height, round, kind) -> digest map over what honest
//                   validators signed, across restarts: each double-sign record as it is
//                   saved (also those a crash point kept from being sent) and each message
//                   as it is sent; a second digest fails;
//   validity        every honest commit passes verify_commit; at the end a fresh ledger
//                   replays the chain to the same app hashes as every honest node, and the
//                   chain holds only client transactions and honest validators' evidence,
//                   none twice;
//   evidence        every equivocation an honest validator reported (evidence.duplicate_vote,
//                   as flexnode's on_equivocation) is recorded under
//                   evidence/<validator>/<height>/<round>/<type> in the state of every honest
//                   node at the final height, unless each of its reports was refused on
//                   admission, lost (its reporter crashed since: a crash empties the mempool
//                   and transactions are not regossiped), superseded (a later nonce of the
//                   reporter, gossiped where this one was lost, committed first and made it
//                   stale: nonces may gap) or made too late (no block the reporter proposed
//                   after the report, which would hold its pending evidence, was committed
//                   before the run ended; a proposer of height h may have built its block
//                   before it reported at ledger height h - 1, so only heights from h + 1 count).
// Liveness and determinism are run-level checks and live in the world and in sim_main.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "tests/sim/sim_ledger.hpp"

namespace flex::sim {

struct Failure {
  std::string property;
  std::int64_t height = 0;
  std::string detail;
};

enum class SignedKind : std::uint8_t { proposal = 1, prevote = 2, precommit = 3 };

// One equivocation report by an honest validator, made when its driver saw two conflicting votes.
struct EvidenceReport {
  std::string reporter;
  PublicKey validator{};
  std::int64_t height = 0;
  std::int64_t round = 0;
  std::string type;            // "prevote" or "precommit"
  Hash32 transaction{};        // the evidence.duplicate_vote transaction's id
  std::string refused;         // the admission rejection's code, empty when admitted
  bool lost = false;           // the reporter crashed since, losing its mempool
  bool superseded = false;     // a later nonce of the reporter committed first: this one is stale
  bool too_late = false;       // the reporter proposed no committed block after it
};

struct HonestChain {
  std::string node;
  const SimLedger* ledger = nullptr;
};

class Properties {
 public:
  Properties(std::string chain_id, std::vector<Validator> validators);

  std::optional<Failure> honest_commit(const std::string& node, const Block& block, const Commit& commit);
  std::optional<Failure> honest_signature(const std::string& node, const PublicKey& validator, std::int64_t height,
                                          std::int64_t round, SignedKind kind, const Hash32& digest);

  const std::map<std::int64_t, Hash32>& decided() const { return decided_; }

  // Replays the longest honest chain on a fresh ledger and checks every honest node against
  // it, and that the chain holds only `client_transactions` and `evidence_transactions`, none twice (and every one of
  // them when `require_all` is set).
  std::optional<Failure> check_chains(const std::vector<HonestChain>& chains, const Genesis& genesis,
                                      const State::Entries& initial_state, SignatureMemo& memo,
                                      const std::set<Hash32>& client_transactions,
                                      const std::set<Hash32>& evidence_transactions, bool require_all) const;

  // The evidence property over `reports`, on the chains at the longest height. `committed`
  // counts the equivocations found on chain.
  std::optional<Failure> check_evidence(const std::vector<HonestChain>& chains,
                                        const std::vector<EvidenceReport>& reports, std::size_t& committed) const;

 private:
  std::string chain_id_;
  std::vector<Validator> validators_;
  std::map<std::int64_t, Hash32> decided_;
  std::map<std::int64_t, std::string> decided_by_;  // the first node that committed each height
  std::map<std::tuple<PublicKey, std::int64_t, std::int64_t, SignedKind>, std::pair<Hash32, std::string>> signed_;
  std::set<std::string> verified_commits_;  // commits already checked, by their bytes
};

}  // namespace flex::sim
