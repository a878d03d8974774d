#include "node/consensus/validator_set.hpp"

#include <algorithm>
#include <stdexcept>

namespace flex::consensus {

namespace {

constexpr std::int64_t kMaxPower = 1'000'000'000'000;

// How many of validator k's events (k, l) come before time (2j+1)/(2 p_i), i.e. have
// (2l+1) p_i < (2j+1) p_k, or equal when k sorts before i (ties go to the smaller key).
std::int64_t events_before(std::int64_t p_k, std::int64_t p_i, std::int64_t j, bool k_first) {
  __int128 x = static_cast<__int128>(2 * j + 1) * p_k;  // compare odd o = 2l+1 against x / p_i
  __int128 largest_odd_bound = k_first ? x / p_i : (x - 1) / p_i;  // o <= this
  __int128 count = (largest_odd_bound + 1) / 2;                      // odd numbers in [1, bound]
  return static_cast<std::int64_t>(std::min<__int128>(count, p_k));
}

}  // namespace

ValidatorSet::ValidatorSet(std::vector<Validator> validators) : validators_(std::move(validators)) {
  if (validators_.empty()) throw std::invalid_argument("a validator set needs at least one validator");
  std::sort(validators_.begin(), validators_.end(),
            [](const Validator& a, const Validator& b) { return a.public_key < b.public_key; });
  for (std::size_t i = 0; i < validators_.size(); ++i) {
    if (i > 0 && validators_[i].public_key == validators_[i - 1].public_key) {
      throw std::invalid_argument("a validator appears twice in the set");
    }
    if (validators_[i].power < 1 || validators_[i].power > kMaxPower) {
      throw std::invalid_argument("a validator's power must be between 1 and 10^12");
    }
    total_power_ += validators_[i].power;
  }
}

std::optional<std::size_t> ValidatorSet::index_of(const PublicKey& key) const {
  auto found = std::lower_bound(validators_.begin(), validators_.end(), key,
                                [](const Validator& v, const PublicKey& k) { return v.public_key < k; });
  if (found == validators_.end() || found->public_key != key) return std::nullopt;
  return static_cast<std::size_t>(found - validators_.begin());
}

std::int64_t ValidatorSet::power_of(const PublicKey& key) const {
  auto index = index_of(key);
  return index ? validators_[*index].power : 0;
}

const Validator& ValidatorSet::proposer(std::int64_t height, std::int64_t round) const {
  if (height < 1 || round < 0) throw std::invalid_argument("proposer() needs height >= 1 and round >= 0");
  const auto target = static_cast<std::int64_t>((static_cast<__int128>(height) + round) % total_power_);
  // The event at rank `target` belongs to exactly one validator; find it by a binary search
  // over each validator's own events (their ranks increase with j).
  for (std::size_t i = 0; i < validators_.size(); ++i) {
    const std::int64_t p_i = validators_[i].power;
    auto rank = [&](std::int64_t j) {
      std::int64_t before = 0;
      for (std::size_t k = 0; k < validators_.size(); ++k) {
        before += k == i ? j : events_before(validators_[k].power, p_i, j, k < i);
      }
      return before;
    };
    std::int64_t low = 0, high = p_i - 1;
    while (low < high) {
      std::int64_t middle = low + (high - low) / 2;
      if (rank(middle) < target) low = middle + 1; else high = middle;
    }
    if (rank(low) == target) return validators_[i];
  }
  throw std::logic_error("proposer(): no event has the target rank");  // unreachable: ranks cover 0..T-1
}

}  // namespace flex::consensus
