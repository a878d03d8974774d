// The validators of a height, with the two quorum tests and the proposer of each round.
// Pure: no I/O, no clock, integer arithmetic only, so every node gets the same answers.
//
// Quorums (T = total power, P = the summed power of distinct senders):
//   2f+1, "a quorum":       3P > 2T   (the rule verify_commit uses)
//   f+1,  "exceeds a third": 3P > T
// Proposer rotation (docs/PROTOCOL.md §7, "Consensus messages"): sort validators by public-key bytes; validator i
// of power p_i owns p_i events (i, j), 0 <= j < p_i, at virtual times (2j+1)/(2 p_i); sort all
// T events by time (ties to the smaller key). proposer(h, r) owns the event at index
// (h + r) mod T. With equal powers that is V[(h + r) mod n]; powers (2,1,1) give A B C A.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ledger/block.hpp"

namespace flex::consensus {

class ValidatorSet {
 public:
  // Throws std::invalid_argument on an empty set, a duplicate key, or a power outside
  // [1, 10^12] (so 3P and the event comparisons stay inside int64).
  explicit ValidatorSet(std::vector<Validator> validators);

  // Sorted by public-key bytes.
  const std::vector<Validator>& validators() const { return validators_; }
  std::size_t size() const { return validators_.size(); }
  std::int64_t total_power() const { return total_power_; }
  // The index in validators(), or nullopt for a key outside the set.
  std::optional<std::size_t> index_of(const PublicKey& key) const;
  bool contains(const PublicKey& key) const { return index_of(key).has_value(); }
  // 0 for a key outside the set.
  std::int64_t power_of(const PublicKey& key) const;

  bool is_quorum(std::int64_t power) const { return 3 * power > 2 * total_power_; }
  bool exceeds_third(std::int64_t power) const { return 3 * power > total_power_; }

  // Requires height >= 1 and round >= 0.
  const Validator& proposer(std::int64_t height, std::int64_t round) const;

  Hash32 hash() const { return validator_set_hash(validators_); }

 private:
  std::vector<Validator> validators_;
  std::int64_t total_power_ = 0;
};

}  // namespace flex::consensus
