// The money of settlements (DESIGN.md §2.10): the escrow's release when a contract first
// settles, and the differences that re-runs and adjustments move afterwards.
//   debt/<contract id>/<debtor>/<creditor>   {"amount_micro":N,"contract_id":S,"creditor":HEX64,"debtor":HEX64}
// A debt is what a party owed on a contract and could not pay (its available balance was at
// minus its credit line). Debts between the same two parties on one contract net out.
#pragma once

#include "contracts/handlers.hpp"

namespace flex {

// fee_basis_points of an amount, rounded half to even, in 128 bits.
std::int64_t fee_of(std::int64_t amount, std::int64_t basis_points);

// The operator's fee that a net settlement of a contract stands for: fee_basis_points of the
// part of the net paid to the seller, clamp(net, 0, escrow).
std::int64_t settlement_fee(const StateOverlay& state, const Json& contract, std::int64_t net);

// Releases a contract's escrow E for its first result, net N with fee F:
//   N >= 0: the seller gets N - F, the fee account F, the buyer E - N back;
//   N <  0: the buyer gets E back, and the seller owes it |N| (pay_owed).
// Returns the money record.
Json release_escrow(StateOverlay& state, const Json& contract, std::int64_t net, std::int64_t fee);

// Moves what changed when a settlement's result went from (old_net, old_fee) to
// (new_net, new_fee): the buyer owes the seller new_net - old_net (the seller owes the buyer
// when it is negative), and the seller owes the fee account new_fee - old_fee (the fee account
// owes the seller when negative). Returns {"moves":[...]}, one per non-zero amount.
Json move_difference(StateOverlay& state, const Json& contract, std::int64_t old_net, std::int64_t old_fee,
                     std::int64_t new_net, std::int64_t new_fee);

}  // namespace flex
