// The daily digest (DESIGN.md §2.11): at the first block of each UTC day the chain records
// a digest of the previous day that had blocks: the RFC 6962 Merkle root of that day's
// transaction ids in block order, the app hash after the day's last block, and counts and
// totals. It can be exported and anchored elsewhere (flexctl digest).
//   digest_day                 the day being accumulated: {"contracts":N,"day":D,"first_height":H,
//                              "frontier":[HEX...],"settled_contracts":N,"settled_energy_wh":N,
//                              "settled_value_micro":N,"transactions":N}
//   digest/<YYYY-MM-DD>        {"app_hash":HEX,"contracts":N,"date":S,"first_height":H,"last_height":H,
//                              "settled_contracts":N,"settled_energy_wh":N,"settled_value_micro":N,
//                              "transactions":N,"tx_root":HEX}
// The frontier holds the roots of the perfect subtrees that the transaction count's binary
// form gives, largest first, so the day's root needs no list of ids in state.
#pragma once

#include <span>

#include "contracts/handlers.hpp"

namespace flex {

// Begin-block: closes the accumulated day when the block starts a later one.
void close_digest_day(StateOverlay& state, const ExecutionContext& context);
// End of block: adds the block's transaction ids, in order, to the day.
void add_digest_transactions(StateOverlay& state, const ExecutionContext& context, std::span<const Hash32> ids);
// Counters: a contract made; settlements (1 for a first settlement, 0 for a re-run or an
// adjustment, which add the change in delivered energy and net value).
void count_digest_contract(StateOverlay& state);
void count_digest_settlement(StateOverlay& state, std::int64_t settlements, std::int64_t delivered_wh,
                             std::int64_t net_micro);

// The RFC 6962 root of leaves given by a frontier (see above) and their count.
Hash32 frontier_root(const std::vector<Hash32>& frontier);
// Adds one leaf hash to a frontier that holds `count` leaves.
void frontier_add(std::vector<Hash32>& frontier, std::uint64_t count, const Hash32& leaf_hash);

}  // namespace flex
