// Token balances (micro-units) and credit lines. Holds and two-phase transfers build on these.
//   token.mint              {"amount_micro":N,"fiat_reference":S,"to":HEX64}    (operator)
//   token.burn              {"amount_micro":N,"fiat_reference":S,"from":HEX64}  (operator)
//   token.transfer          {"amount_micro":N,"memo":S?,"to":HEX64}             (participants)
//   account.set_credit_line {"limit_micro":N,"public_key":HEX64}                (operator)
// Accounts (contracts/accounts.hpp) may go down to minus their credit line through
// transfers and holds, never through a burn.
#include "contracts/accounts.hpp"
#include "contracts/handlers.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

constexpr std::size_t max_reference_bytes = 128;
constexpr std::size_t max_memo_bytes = 256;

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
  if (auto status = debit(context.state, *from, *amount, Funding::AvailableOnly); !status) return status;
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
  if (auto status = debit(context.state, context.transaction.signer, *amount, Funding::MayUseCredit); !status) {
    return status;
  }
  return credit(context.state, *to, *amount);
}

Status set_credit_line(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto key = payload_key(payload, "public_key");
  if (!key) return key.rejection();
  if (!payload.contains("limit_micro") || !payload["limit_micro"].is_number_integer() ||
      payload["limit_micro"].get<std::int64_t>() < 0) {
    return reject("payload.invalid", "limit_micro must be a non-negative integer");
  }
  std::int64_t limit = payload["limit_micro"].get<std::int64_t>();
  auto participant = read_json(context.state, keys::participant(*key));
  if (!participant) return reject("account.unknown", "account " + to_hex(*key) + " is not a participant");
  bool buyer = false;
  for (const auto& role : (*participant)["roles"]) buyer = buyer || role == "dso" || role == "tso" || role == "retailer";
  if (!buyer) return reject("account.not_buyer", "credit lines are for buyers (dso, tso, retailer) only");
  Account account = read_account(context.state, *key);
  if (account.available_micro < -limit) {
    return reject("account.credit_in_use", "the account already uses " + std::to_string(-account.available_micro) +
                                               " of credit, more than the new limit");
  }
  account.credit_limit_micro = limit;
  write_account(context.state, *key, account);
  return ok_status();
}

}  // namespace flex
