// Pending transactions: de-duplicated by id and by (signer, nonce), bounded in count and
// bytes, reaped per signer in nonce order, signers in order of first arrival.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "ledger/result.hpp"
#include "ledger/transaction.hpp"

namespace flex {

struct MempoolLimits {
  std::size_t max_transactions = 20000;
  std::size_t max_bytes = 64 * 1024 * 1024;
};

class Mempool {
 public:
  explicit Mempool(MempoolLimits limits = {}) : limits_(limits) {}

  // Codes: mempool.duplicate, mempool.nonce_taken, mempool.full.
  Status add(Transaction transaction);

  // Up to the limits, without removing them.
  std::vector<Transaction> reap(std::size_t max_transactions, std::size_t max_bytes) const;

  // Drops the given transactions, and any whose nonce the chain has now passed.
  void remove(const std::vector<Transaction>& transactions);
  void remove_ids(const std::vector<Hash32>& ids);

  bool contains(const Hash32& id) const;
  std::size_t size() const;
  std::size_t bytes() const;

 private:
  struct Pending {
    std::uint64_t arrival = 0;
    Transaction transaction;
  };
  void erase_locked(const PublicKey& signer, std::int64_t nonce);

  MempoolLimits limits_;
  mutable std::mutex mutex_;
  std::uint64_t next_arrival_ = 0;
  std::size_t bytes_ = 0;
  std::set<Hash32> ids_;
  std::map<PublicKey, std::map<std::int64_t, Pending>> by_signer_;
};

}  // namespace flex
