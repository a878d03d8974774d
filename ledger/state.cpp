#include "ledger/state.hpp"

#include <vector>

#include "ledger/hash.hpp"
#include "ledger/merkle.hpp"

namespace flex {
namespace {

void append_length_prefixed(Bytes& out, std::string_view text) {
  auto length = static_cast<std::uint32_t>(text.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(length >> shift));
  out.insert(out.end(), text.begin(), text.end());
}

}  // namespace

Hash32 state_leaf_hash(std::string_view key, std::string_view value) {
  Bytes leaf;
  leaf.reserve(8 + key.size() + value.size());
  append_length_prefixed(leaf, key);
  append_length_prefixed(leaf, value);
  return merkle_leaf_hash(leaf);
}

State::State(Entries entries) : entries_(std::move(entries)) {
  for (const auto& [key, value] : entries_) leaf_hashes_[key] = state_leaf_hash(key, value);
}

std::optional<std::string> State::get(std::string_view key) const {
  auto found = entries_.find(key);
  if (found == entries_.end()) return std::nullopt;
  return found->second;
}

void State::apply(const WriteSet& writes) {
  for (const auto& [key, value] : writes) {
    if (value) {
      entries_[key] = *value;
      leaf_hashes_[key] = state_leaf_hash(key, *value);
    } else {
      entries_.erase(key);
      leaf_hashes_.erase(key);
    }
  }
}

Hash32 State::app_hash() const {
  std::vector<Hash32> leaves;
  leaves.reserve(leaf_hashes_.size());
  for (const auto& [key, hash] : leaf_hashes_) leaves.push_back(hash);
  return merkle_root_of_leaf_hashes(leaves);
}

Hash32 State::app_hash_after(const WriteSet& writes) const {
  std::vector<Hash32> leaves;
  leaves.reserve(leaf_hashes_.size() + writes.size());
  auto current = leaf_hashes_.begin();
  auto write = writes.begin();
  // Merge two sorted sequences; a write replaces or erases the entry with its key.
  while (current != leaf_hashes_.end() || write != writes.end()) {
    if (write == writes.end() || (current != leaf_hashes_.end() && current->first < write->first)) {
      leaves.push_back(current->second);
      ++current;
      continue;
    }
    if (current != leaf_hashes_.end() && current->first == write->first) ++current;
    if (write->second) leaves.push_back(state_leaf_hash(write->first, *write->second));
    ++write;
  }
  return merkle_root_of_leaf_hashes(leaves);
}

std::optional<std::string> StateOverlay::get(std::string_view key) const {
  if (auto found = transaction_writes_.find(key); found != transaction_writes_.end()) {
    return found->second;
  }
  if (auto found = block_writes_.find(key); found != block_writes_.end()) return found->second;
  return base_.get(key);
}

std::optional<std::string> StateOverlay::first_key_from(std::string_view key) const {
  std::string from(key);
  for (;;) {
    // The smallest candidate of the three layers; the top layer that holds it decides.
    std::optional<std::string> smallest;
    auto consider = [&](const auto& map) {
      auto found = map.lower_bound(from);
      if (found != map.end() && (!smallest || found->first < *smallest)) smallest = found->first;
    };
    consider(base_.entries());
    consider(block_writes_);
    consider(transaction_writes_);
    if (!smallest) return std::nullopt;
    if (get(*smallest)) return smallest;
    from = *smallest + '\0';  // erased in a write set: look past it
  }
}

void StateOverlay::commit_transaction() {
  for (auto& [key, value] : transaction_writes_) block_writes_[key] = std::move(value);
  transaction_writes_.clear();
}

}  // namespace flex
