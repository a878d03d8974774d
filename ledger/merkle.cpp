#include "ledger/merkle.hpp"

#include "ledger/hash.hpp"

namespace flex {

Hash32 merkle_leaf_hash(std::span<const std::uint8_t> leaf_data) {
  const std::uint8_t prefix = 0x00;
  return Sha256().update({&prefix, 1}).update(leaf_data).finish();
}

Hash32 merkle_node_hash(const Hash32& left, const Hash32& right) {
  const std::uint8_t prefix = 0x01;
  return Sha256().update({&prefix, 1}).update(left).update(right).finish();
}

static std::size_t largest_power_of_two_below(std::size_t n) {
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Hash32 merkle_root_of_leaf_hashes(std::span<const Hash32> leaf_hashes) {
  if (leaf_hashes.empty()) return sha256(std::span<const std::uint8_t>{});
  if (leaf_hashes.size() == 1) return leaf_hashes[0];
  std::size_t split = largest_power_of_two_below(leaf_hashes.size());
  return merkle_node_hash(merkle_root_of_leaf_hashes(leaf_hashes.first(split)),
                          merkle_root_of_leaf_hashes(leaf_hashes.subspan(split)));
}

Hash32 merkle_root(std::span<const Bytes> leaves) {
  std::vector<Hash32> leaf_hashes;
  leaf_hashes.reserve(leaves.size());
  for (const auto& leaf : leaves) leaf_hashes.push_back(merkle_leaf_hash(leaf));
  return merkle_root_of_leaf_hashes(leaf_hashes);
}

}  // namespace flex
