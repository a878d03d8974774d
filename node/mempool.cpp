#include "node/mempool.hpp"

#include <algorithm>

namespace flex {

Status Mempool::add(Transaction transaction) {
  std::lock_guard lock(mutex_);
  if (ids_.count(transaction.id)) {
    return reject("mempool.duplicate", "transaction is already pending");
  }
  auto& queue = by_signer_[transaction.signer];
  if (queue.count(transaction.nonce)) {
    return reject("mempool.nonce_taken", "another pending transaction of this signer has nonce " +
                                             std::to_string(transaction.nonce));
  }
  if (ids_.size() >= limits_.max_transactions || bytes_ + transaction.canonical.size() > limits_.max_bytes) {
    if (queue.empty()) by_signer_.erase(transaction.signer);
    return reject("mempool.full", "the mempool is full; try again shortly");
  }
  ids_.insert(transaction.id);
  bytes_ += transaction.canonical.size();
  std::int64_t nonce = transaction.nonce;
  queue.emplace(nonce, Pending{next_arrival_++, std::move(transaction)});
  return ok_status();
}

std::vector<Transaction> Mempool::reap(std::size_t max_transactions, std::size_t max_bytes) const {
  std::lock_guard lock(mutex_);
  // Signers ordered by the arrival of their lowest-nonce pending transaction.
  std::vector<std::pair<std::uint64_t, const std::map<std::int64_t, Pending>*>> signers;
  for (const auto& [signer, queue] : by_signer_) signers.emplace_back(queue.begin()->second.arrival, &queue);
  std::sort(signers.begin(), signers.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Transaction> out;
  std::size_t total_bytes = 0;
  for (const auto& [arrival, queue] : signers) {
    for (const auto& [nonce, pending] : *queue) {
      if (out.size() >= max_transactions) return out;
      if (total_bytes + pending.transaction.canonical.size() > max_bytes) return out;
      total_bytes += pending.transaction.canonical.size();
      out.push_back(pending.transaction);
    }
  }
  return out;
}

void Mempool::erase_locked(const PublicKey& signer, std::int64_t nonce) {
  auto queue = by_signer_.find(signer);
  if (queue == by_signer_.end()) return;
  auto entry = queue->second.find(nonce);
  if (entry == queue->second.end()) return;
  ids_.erase(entry->second.transaction.id);
  bytes_ -= entry->second.transaction.canonical.size();
  queue->second.erase(entry);
  if (queue->second.empty()) by_signer_.erase(queue);
}

void Mempool::remove(const std::vector<Transaction>& transactions) {
  std::lock_guard lock(mutex_);
  for (const auto& transaction : transactions) {
    // Everything of this signer at or below the committed nonce is now stale.
    auto queue = by_signer_.find(transaction.signer);
    while (queue != by_signer_.end() && !queue->second.empty() &&
           queue->second.begin()->first <= transaction.nonce) {
      erase_locked(transaction.signer, queue->second.begin()->first);
      queue = by_signer_.find(transaction.signer);
    }
  }
}

void Mempool::remove_ids(const std::vector<Hash32>& ids) {
  std::lock_guard lock(mutex_);
  for (const auto& id : ids) {
    if (!ids_.count(id)) continue;
    for (auto& [signer, queue] : by_signer_) {
      auto found = std::find_if(queue.begin(), queue.end(),
                                [&](const auto& entry) { return entry.second.transaction.id == id; });
      if (found != queue.end()) {
        erase_locked(PublicKey(signer), found->first);
        break;
      }
    }
  }
}

bool Mempool::contains(const Hash32& id) const {
  std::lock_guard lock(mutex_);
  return ids_.count(id) > 0;
}

std::size_t Mempool::size() const {
  std::lock_guard lock(mutex_);
  return ids_.size();
}

std::size_t Mempool::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace flex
