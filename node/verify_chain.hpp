// Re-verifies a stored chain from genesis: every header hash and previous link, Merkle
// root, transaction encoding and signature, commit signature and quorum; replays every
// block through the contracts to the same receipts and app hashes; and compares the
// replayed state with the stored state table.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace flex {

struct VerifyReport {
  bool ok = false;
  std::int64_t chain_height = 0;   // blocks in the store
  std::int64_t verified_height = 0;  // highest height that passed every check
  std::optional<std::int64_t> first_bad_height;
  std::string reason;  // why first_bad_height failed
};

// `progress(height, chain_height)` is called after each verified block.
VerifyReport verify_chain(const std::string& store_path,
                          const std::function<void(std::int64_t, std::int64_t)>& progress = {});

}  // namespace flex
