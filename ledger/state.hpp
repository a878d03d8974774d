// Ledger state: a sorted map from text keys to canonical-JSON values, and its commitment.
//
// App hash = RFC 6962 Merkle root over one leaf per entry, in ascending byte order of keys,
// with leaf data = u32be(len(key)) || key || u32be(len(value)) || value. A Merkle tree
// (rather than a flat hash) lets later light clients check one entry with a proof.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/bytes.hpp"

namespace flex {

// Pending changes: a value to write, or nullopt to erase.
using WriteSet = std::map<std::string, std::optional<std::string>, std::less<>>;

Hash32 state_leaf_hash(std::string_view key, std::string_view value);

class State {
 public:
  using Entries = std::map<std::string, std::string, std::less<>>;

  State() = default;
  explicit State(Entries entries);

  std::optional<std::string> get(std::string_view key) const;
  void apply(const WriteSet& writes);
  Hash32 app_hash() const;
  // The app hash this state would have after `writes`, without applying them.
  Hash32 app_hash_after(const WriteSet& writes) const;
  const Entries& entries() const { return entries_; }

 private:
  Entries entries_;
  std::map<std::string, Hash32, std::less<>> leaf_hashes_;  // cache, same keys as entries_
};

// Reads through a per-transaction and a per-block write set to a base state, so a rejected
// transaction is discarded without touching anything else.
class StateOverlay {
 public:
  explicit StateOverlay(const State& base) : base_(base) {}

  std::optional<std::string> get(std::string_view key) const;
  // The first live key >= `key`, across the base and both write sets, in byte order.
  std::optional<std::string> first_key_from(std::string_view key) const;
  void put(std::string key, std::string value) { transaction_writes_[std::move(key)] = std::move(value); }
  void erase(std::string key) { transaction_writes_[std::move(key)] = std::nullopt; }

  void commit_transaction();
  void rollback_transaction() { transaction_writes_.clear(); }
  const WriteSet& block_writes() const { return block_writes_; }
  WriteSet take_block_writes() { return std::move(block_writes_); }

 private:
  const State& base_;
  WriteSet block_writes_;
  WriteSet transaction_writes_;
};

}  // namespace flex
