// Signs transactions for the node's users with the keys the node holds (DESIGN.md §7: users
// log in and act as the node's participant). A transaction is dry-run on the committed state
// before it is submitted, so a request the contracts would reject writes nothing.
#pragma once

#include <chrono>
#include <map>
#include <mutex>

#include "node/chain.hpp"
#include "node/clock.hpp"
#include "node/keyring.hpp"

namespace flex {

struct SignedSubmission {
  Hash32 id{};
  std::int64_t nonce = 0;
};

class NodeSigner {
 public:
  NodeSigner(Chain& chain, Keyring keyring, const Clock& clock);

  const Keyring& keyring() const { return keyring_; }
  bool holds_key(const PublicKey& participant) const { return keyring_.find(participant) != nullptr; }

  // Signs `type`/`payload` as `participant` with its next nonce, dry-runs it, and submits it.
  // Codes: auth.no_key (the node does not hold the key), the envelope's and the contract's
  // codes from the dry run, and the mempool's.
  Result<SignedSubmission> submit(const PublicKey& participant, const std::string& type, Json payload);

  // Waits until the transaction is in a committed block; nullopt on timeout.
  std::optional<StoredTransaction> wait_committed(const Hash32& id, std::chrono::milliseconds timeout);

 private:
  Chain& chain_;
  Keyring keyring_;
  const Clock& clock_;
  std::mutex mutex_;  // one submission at a time, so nonces reach the mempool in order
  std::map<PublicKey, std::int64_t> last_nonce_;
};

}  // namespace flex
