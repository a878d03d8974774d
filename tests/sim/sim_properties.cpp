#include "tests/sim/sim_properties.hpp"

#include "tests/sim/sim_trace.hpp"

#include "contracts/state_keys.hpp"

namespace flex::sim {

namespace {

std::string kind_name(SignedKind kind) {
  switch (kind) {
    case SignedKind::proposal: return "proposal";
    case SignedKind::prevote: return "prevote";
    case SignedKind::precommit: return "precommit";
  }
  return "?";
}

// Nodes may store different valid signature subsets for one block, so a commit is
// identified by all of its bytes.
std::string commit_identity(const Commit& commit) {
  std::string identity(reinterpret_cast<const char*>(commit.block_hash.data()), commit.block_hash.size());
  identity += std::to_string(commit.height) + "/" + std::to_string(commit.round) + "/";
  for (const auto& signature : commit.signatures) {
    identity.append(reinterpret_cast<const char*>(signature.validator.data()), signature.validator.size());
    identity.append(reinterpret_cast<const char*>(signature.signature.data()), signature.signature.size());
  }
  return identity;
}

}  // namespace

Properties::Properties(std::string chain_id, std::vector<Validator> validators)
    : chain_id_(std::move(chain_id)), validators_(std::move(validators)) {}

std::optional<Failure> Properties::honest_commit(const std::string& node, const Block& block, const Commit& commit) {
  const std::int64_t height = block.header.height;
  Hash32 id = block_hash(block.header);
  auto [entry, inserted] = decided_.try_emplace(height, id);
  if (inserted) {
    decided_by_[height] = node;
  } else if (entry->second != id) {
    return Failure{"agreement", height,
                   node + " committed " + short_hex(id) + " where " + decided_by_[height] + " committed " +
                       short_hex(entry->second)};
  }
  std::string identity = commit_identity(commit);
  if (!verified_commits_.count(identity)) {
    if (auto verified = verify_commit(commit, block.header, validators_); !verified) {
      return Failure{"validity", height, node + " stored a commit that fails verify_commit: " +
                                             verified.rejection().code + " " + verified.rejection().message};
    }
    verified_commits_.insert(std::move(identity));
  }
  return std::nullopt;
}

std::optional<Failure> Properties::honest_signature(const std::string& node, const PublicKey& validator,
                                                    std::int64_t height, std::int64_t round, SignedKind kind,
                                                    const Hash32& digest) {
  auto [entry, inserted] = signed_.try_emplace(std::make_tuple(validator, height, round, kind), digest, node);
  if (!inserted && entry->second.first != digest) {
    return Failure{"honest signing", height,
                   node + " signed a second " + kind_name(kind) + " at height " + std::to_string(height) + " round " +
                       std::to_string(round) + " (" + short_hex(digest) + ", first " + short_hex(entry->second.first) +
                       " by " + entry->second.second + ")"};
  }
  return std::nullopt;
}

std::optional<Failure> Properties::check_chains(const std::vector<HonestChain>& chains, const Genesis& genesis,
                                                const State::Entries& initial_state, SignatureMemo& memo,
                                                const std::set<Hash32>& client_transactions,
                                                const std::set<Hash32>& evidence_transactions, bool require_all) const {
  const HonestChain* longest = nullptr;
  for (const auto& chain : chains) {
    if (!longest || chain.ledger->height() > longest->ledger->height()) longest = &chain;
  }
  if (!longest) return std::nullopt;
  // Every honest chain is a prefix of the longest (agreement checks each commit as it happens;
  // this also covers blocks a node holds that were never reported).
  for (const auto& chain : chains) {
    for (std::int64_t height = 1; height <= chain.ledger->height(); ++height) {
      if (block_hash(chain.ledger->stored(height)->block->header) !=
          block_hash(longest->ledger->stored(height)->block->header)) {
        return Failure{"agreement", height, chain.node + " and " + longest->node + " hold different blocks"};
      }
    }
  }

  // The replay's clock reads each block's own time, as the live nodes' clocks did at most
  // max_clock_ahead_seconds earlier.
  SimLedger replay(genesis, initial_state, memo, /*max_clock_ahead_seconds=*/0);
  std::map<std::int64_t, Hash32> app_hashes{{0, replay.state_app_hash()}};
  std::set<Hash32> seen;
  for (std::int64_t height = 1; height <= longest->ledger->height(); ++height) {
    const StoredBlock& stored = *longest->ledger->stored(height);
    if (auto valid = replay.validate(*stored.block, stored.block->header.time); !valid) {
      return Failure{"validity", height, "replay rejects the block: " + valid.rejection().code};
    }
    replay.commit(*stored.block, stored.commit);
    app_hashes[height] = replay.state_app_hash();
    if (app_hashes[height] != stored.block->header.app_hash) {
      return Failure{"validity", height, "replayed state does not match the header's app hash"};
    }
    for (const auto& transaction : stored.block->transactions) {
      if (!client_transactions.count(transaction.id) && !evidence_transactions.count(transaction.id)) {
        return Failure{"validity", height,
                       "transaction " + short_hex(transaction.id) + " is neither a client's nor honest evidence"};
      }
      if (!seen.insert(transaction.id).second) {
        return Failure{"validity", height, "transaction " + short_hex(transaction.id) + " is committed twice"};
      }
    }
  }
  for (const auto& chain : chains) {
    if (chain.ledger->state_app_hash() != app_hashes[chain.ledger->height()]) {
      return Failure{"validity", chain.ledger->height(), chain.node + "'s state differs from the replay"};
    }
  }
  if (require_all) {
    for (const auto& id : client_transactions) {
      if (!seen.count(id)) {
        return Failure{"liveness", longest->ledger->height(), "client transaction " + short_hex(id) + " never committed"};
      }
    }
  }
  return std::nullopt;
}

std::optional<Failure> Properties::check_evidence(const std::vector<HonestChain>& chains,
                                                  const std::vector<EvidenceReport>& reports,
                                                  std::size_t& committed) const {
  committed = 0;
  std::int64_t final_height = 0;
  for (const auto& chain : chains) final_height = std::max(final_height, chain.ledger->height());
  // Each equivocation with its reports: one excused report is not enough while another could land.
  std::map<std::string, std::vector<const EvidenceReport*>> by_key;
  for (const auto& report : reports) {
    by_key[keys::evidence(report.validator, report.height, report.round, report.type)].push_back(&report);
  }
  for (const auto& [key, key_reports] : by_key) {
    const HonestChain* missing = nullptr;
    for (const auto& chain : chains) {
      if (chain.ledger->height() == final_height && !chain.ledger->holds(key)) missing = &chain;
    }
    if (!missing) {
      ++committed;
      continue;
    }
    bool excused = true;
    std::string reporters;
    for (const EvidenceReport* report : key_reports) {
      if (report->refused.empty() && !report->lost && !report->superseded && !report->too_late) excused = false;
      reporters += (reporters.empty() ? "" : ", ") + report->reporter + " tx " + short_hex(report->transaction) +
                   (report->refused.empty() ? "" : " refused " + report->refused) + (report->lost ? " lost" : "") +
                   (report->superseded ? " superseded" : "") + (report->too_late ? " too late" : "");
    }
    if (!excused) {
      const EvidenceReport& first = *key_reports.front();
      return Failure{"evidence", final_height,
                     missing->node + " lacks " + first.type + " evidence against " + short_hex(first.validator) +
                         " at height " + std::to_string(first.height) + " round " + std::to_string(first.round) +
                         " (reported by " + reporters + ")"};
    }
  }
  return std::nullopt;
}

}  // namespace flex::sim
