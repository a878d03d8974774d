// Merkle tree hash of RFC 6962 §2.1 (Certificate Transparency):
//   MTH({})      = SHA-256()
//   MTH({d0})    = SHA-256(0x00 || d0)
//   MTH(D[0:n])  = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])),  k = largest power of 2 < n
// Odd counts need no duplication: the split leaves the last subtree smaller, which avoids
// the duplicate-leaf ambiguity of Bitcoin's tree (CVE-2012-2459).
#pragma once

#include <span>
#include <vector>

#include "ledger/bytes.hpp"

namespace flex {

Hash32 merkle_leaf_hash(std::span<const std::uint8_t> leaf_data);
Hash32 merkle_node_hash(const Hash32& left, const Hash32& right);

// Root over already-hashed leaves (each = merkle_leaf_hash of its data).
Hash32 merkle_root_of_leaf_hashes(std::span<const Hash32> leaf_hashes);

// Root over raw leaf data.
Hash32 merkle_root(std::span<const Bytes> leaves);

}  // namespace flex
