#include "contracts/accounts.hpp"

#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {

Account read_account(const StateOverlay& state, const PublicKey& owner) {
  auto stored = read_json(state, keys::account(owner));
  if (!stored) return {};
  return Account{(*stored)["available_micro"].get<std::int64_t>(), (*stored)["held_micro"].get<std::int64_t>(),
                 (*stored)["credit_limit_micro"].get<std::int64_t>()};
}

void write_account(StateOverlay& state, const PublicKey& owner, const Account& account) {
  write_json(state, keys::account(owner),
             Json{{"available_micro", account.available_micro},
                  {"credit_limit_micro", account.credit_limit_micro},
                  {"held_micro", account.held_micro}});
}

Status require_participant(const StateOverlay& state, const PublicKey& key, const char* field) {
  if (state.get(keys::participant(key))) return ok_status();
  if (auto valid = require_valid_key(key, field); !valid) return valid;
  return reject("token.unknown_account", "account " + to_hex(key) + " is not a participant");
}

Status credit(StateOverlay& state, const PublicKey& owner, std::int64_t amount) {
  Account account = read_account(state, owner);
  if (account.available_micro > limits::max_json_integer - amount) {
    return reject("token.overflow", "balance would exceed 2^53-1 micro-units");
  }
  account.available_micro += amount;
  write_account(state, owner, account);
  return ok_status();
}

namespace {

// Rejects unless `amount` fits above the account's floor: 0, or minus its credit line.
Status check_headroom(const Account& account, std::int64_t amount, Funding funding) {
  std::int64_t floor = funding == Funding::MayUseCredit ? -account.credit_limit_micro : 0;
  // Written as a comparison of the headroom, so no subtraction can overflow.
  if (account.available_micro - floor < amount) {
    return reject("token.insufficient_funds", "available balance " + std::to_string(account.available_micro) +
                                                  (floor < 0 ? " plus credit line " + std::to_string(-floor) : "") +
                                                  " is below " + std::to_string(amount));
  }
  return ok_status();
}

}  // namespace

Status debit(StateOverlay& state, const PublicKey& owner, std::int64_t amount, Funding funding) {
  Account account = read_account(state, owner);
  if (auto status = check_headroom(account, amount, funding); !status) return status;
  account.available_micro -= amount;
  write_account(state, owner, account);
  return ok_status();
}

Status hold_funds(StateOverlay& state, const PublicKey& owner, std::int64_t amount) {
  Account account = read_account(state, owner);
  if (auto status = check_headroom(account, amount, Funding::MayUseCredit); !status) return status;
  account.available_micro -= amount;
  account.held_micro += amount;
  write_account(state, owner, account);
  return ok_status();
}

}  // namespace flex
