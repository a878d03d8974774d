#include "node/node_signer.hpp"

#include "node/keyfile.hpp"

namespace flex {

NodeSigner::NodeSigner(Chain& chain, Keyring keyring, const Clock& clock)
    : chain_(chain), keyring_(std::move(keyring)), clock_(clock) {}

Result<SignedSubmission> NodeSigner::submit(const PublicKey& participant, const std::string& type, Json payload) {
  const SecretKey* key = keyring_.find(participant);
  if (!key) return reject("auth.no_key", "this node does not hold the key of participant " + to_hex(participant));
  // The checks every decoder applies, before signing: integers in range, size.
  if (auto integers = check_integer_only(payload); !integers) return integers.rejection();
  std::lock_guard lock(mutex_);
  // Above both the ledger's last nonce and the last one this node handed out (still pending).
  std::int64_t nonce = std::max(chain_.last_nonce(participant), last_nonce_[participant]) + 1;
  Transaction signed_transaction = sign_transaction(chain_.genesis().chain_id, type, *key, nonce, std::move(payload), random_bytes32());
  // Through the decoder, as a peer or a verifier would read it (size, canonical form).
  auto decoded = decode_transaction(signed_transaction.canonical);
  if (!decoded) return decoded.rejection();
  Transaction& transaction = *decoded;
  Receipt receipt = chain_.dry_run(transaction, clock_.now_seconds());
  if (!receipt.ok()) return reject(receipt.code, receipt.message);
  auto admitted = chain_.submit(std::move(transaction));
  if (!admitted) return admitted.rejection();
  last_nonce_[participant] = nonce;
  return SignedSubmission{*admitted, nonce};
}

std::optional<StoredTransaction> NodeSigner::wait_committed(const Hash32& id, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string id_hex = to_hex(id);
  while (true) {
    std::int64_t height = chain_.status().height;
    if (auto stored = chain_.transaction(id_hex)) return stored;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    chain_.wait_for_height(height + 1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
  }
}

}  // namespace flex
