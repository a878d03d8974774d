// Token balances (micro-units). Holds, credit lines and two-phase transfers build on these.
//   token.mint     {"amount_micro":N,"fiat_reference":S,"to":HEX64}     (operator)
//   token.burn     {"amount_micro":N,"fiat_reference":S,"from":HEX64}   (operator)
//   token.transfer {"amount_micro":N,"memo":S?,"to":HEX64}              (participants)
// Invariant: the sum of all available balances = minted - burned.
#include "contracts/handlers.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

constexpr std::size_t max_reference_bytes = 128;
constexpr std::size_t max_memo_bytes = 256;

std::int64_t available_balance(const StateOverlay& state, const PublicKey& owner) {
  auto account = read_json(state, keys::account(owner));
  return account ? (*account)["available_micro"].get<std::int64_t>() : 0;
}

void set_available_balance(StateOverlay& state, const PublicKey& owner, std::int64_t amount) {
  write_json(state, keys::account(owner), Json{{"available_micro", amount}});
}

// Every participant's key was checked at admission, so only an unknown key needs the
// (costly) curve check, which decides between payload.invalid and token.unknown_account.
Status require_participant(const StateOverlay& state, const PublicKey& key, const char* field) {
  if (state.get(keys::participant(key))) return ok_status();
  if (auto valid = require_valid_key(key, field); !valid) return valid;
  return reject("token.unknown_account", "account " + to_hex(key) + " is not a participant");
}

// Adds to a balance, rejecting totals that leave the safe-integer range of signed data.
Status credit(StateOverlay& state, const PublicKey& owner, std::int64_t amount) {
  std::int64_t balance = available_balance(state, owner);
  if (balance > limits::max_json_integer - amount) {
    return reject("token.overflow", "balance would exceed 2^53-1 micro-units");
  }
  set_available_balance(state, owner, balance + amount);
  return ok_status();
}

Status debit(StateOverlay& state, const PublicKey& owner, std::int64_t amount) {
  std::int64_t balance = available_balance(state, owner);
  if (balance < amount) {
    return reject("token.insufficient_funds", "available balance " + std::to_string(balance) +
                                                  " is below " + std::to_string(amount));
  }
  set_available_balance(state, owner, balance - amount);
  return ok_status();
}

Status update_supply(StateOverlay& state, const char* field, std::int64_t amount) {
  Json supply = *read_json(state, keys::supply);
  std::int64_t total = supply[field].get<std::int64_t>();
  if (total > limits::max_json_integer - amount) {
    return reject("token.overflow", "total supply would exceed 2^53-1 micro-units");
  }
  supply[field] = total + amount;
  write_json(state, keys::supply, supply);
  return ok_status();
}

}  // namespace

Status mint_tokens(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto to = payload_key(payload, "to");
  if (!to) return to.rejection();
  auto amount = payload_amount(payload, "amount_micro");
  if (!amount) return amount.rejection();
  auto reference = payload_text(payload, "fiat_reference", max_reference_bytes);
  if (!reference) return reference.rejection();
  if (auto status = require_participant(context.state, *to, "to"); !status) return status;
  if (auto status = update_supply(context.state, "minted_micro", *amount); !status) return status;
  return credit(context.state, *to, *amount);
}

Status burn_tokens(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto from = payload_key(payload, "from");
  if (!from) return from.rejection();
  auto amount = payload_amount(payload, "amount_micro");
  if (!amount) return amount.rejection();
  auto reference = payload_text(payload, "fiat_reference", max_reference_bytes);
  if (!reference) return reference.rejection();
  if (auto status = require_participant(context.state, *from, "from"); !status) return status;
  if (auto status = debit(context.state, *from, *amount); !status) return status;
  return update_supply(context.state, "burned_micro", *amount);
}

Status transfer_tokens(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto to = payload_key(payload, "to");
  if (!to) return to.rejection();
  auto amount = payload_amount(payload, "amount_micro");
  if (!amount) return amount.rejection();
  if (payload.contains("memo")) {
    if (auto memo = payload_text(payload, "memo", max_memo_bytes); !memo) return memo.rejection();
  }
  if (*to == context.transaction.signer) {
    return reject("token.self_transfer", "a transfer to oneself changes nothing");
  }
  if (auto status = require_participant(context.state, *to, "to"); !status) return status;
  if (auto status = debit(context.state, context.transaction.signer, *amount); !status) return status;
  return credit(context.state, *to, *amount);
}

}  // namespace flex
