// Accounts: {"available_micro":N,"credit_limit_micro":C,"held_micro":H}.
// Available may go down to -C (a buyer's "billing relationship"); H is what the account
// has promised in pending holds (contracts/escrow.cpp).
// Invariant: the sum over accounts of available + held = minted - burned.
#pragma once

#include "contracts/handlers.hpp"

namespace flex {

struct Account {
  std::int64_t available_micro = 0;
  std::int64_t held_micro = 0;
  std::int64_t credit_limit_micro = 0;
};

Account read_account(const StateOverlay& state, const PublicKey& owner);
void write_account(StateOverlay& state, const PublicKey& owner, const Account& account);

// Only an unknown key needs the (costly) curve check, which decides between
// payload.invalid and token.unknown_account.
Status require_participant(const StateOverlay& state, const PublicKey& key, const char* field);

// Adds to available, rejecting totals beyond 2^53-1 (token.overflow).
Status credit(StateOverlay& state, const PublicKey& owner, std::int64_t amount);

enum class Funding { AvailableOnly, MayUseCredit };
// Takes from available, down to 0 or to minus the credit line (token.insufficient_funds).
Status debit(StateOverlay& state, const PublicKey& owner, std::int64_t amount, Funding funding);

// Moves `amount` from available (down to minus the credit line) to held, for a new hold.
Status hold_funds(StateOverlay& state, const PublicKey& owner, std::int64_t amount);

}  // namespace flex
