// Two-phase transfers (DESIGN.md §4, after TigerBeetle's pending transfers).
//   escrow.hold {"amount_micro":N,"expires_at":T,"memo":S?,"payee":HEX64}   payer = signer
//   escrow.post {"amount_micro":N,"hold_id":HEX64}                          payer only
//   escrow.void {"hold_id":HEX64}                                           payee only
// A hold moves money from the payer's available balance (credit line allowed) to its
// held balance. Posting pays N <= the hold to the payee and returns the rest to the payer;
// voiding returns it all; at the first block whose time is >= expires_at it expires and
// returns it all. Settled holds leave the state.
//   hold/<hold_id>                        {"amount_micro":N,"expires_at":T,"payee":HEX64,"payer":HEX64}
//   hold_expiry/<expires_at, 16 digits>/<hold_id>   the hold id; ordered by expiry
// The hold id is the id of the transaction that made it.
#include "contracts/escrow.hpp"

#include "contracts/accounts.hpp"
#include "contracts/market.hpp"
#include "contracts/state_keys.hpp"

namespace flex {
namespace {

constexpr std::size_t max_memo_bytes = 256;
constexpr std::int64_t max_hold_seconds = 10LL * 366 * 86400;
constexpr std::string_view expiry_prefix = "hold_expiry/";

std::string expiry_key(std::int64_t expires_at, const std::string& hold_id) {
  return std::string(expiry_prefix) + padded_time(expires_at) + "/" + hold_id;
}

struct Hold {
  std::string id;
  PublicKey payer{};
  PublicKey payee{};
  std::int64_t amount_micro = 0;
  std::int64_t expires_at = 0;
};

std::optional<Hold> read_hold(const StateOverlay& state, const std::string& hold_id) {
  auto stored = read_json(state, keys::hold(hold_id));
  if (!stored) return std::nullopt;
  return Hold{hold_id, *from_hex_fixed<32>((*stored)["payer"].get<std::string>()),
              *from_hex_fixed<32>((*stored)["payee"].get<std::string>()), (*stored)["amount_micro"].get<std::int64_t>(),
              (*stored)["expires_at"].get<std::int64_t>()};
}

// Pays `to_payee` of the hold to the payee and the rest back to the payer; removes the hold.
Status settle(StateOverlay& state, const Hold& hold, std::int64_t to_payee) {
  Account payer = read_account(state, hold.payer);
  payer.held_micro -= hold.amount_micro;
  payer.available_micro += hold.amount_micro - to_payee;
  write_account(state, hold.payer, payer);
  if (to_payee > 0) {
    if (auto status = credit(state, hold.payee, to_payee); !status) return status;
  }
  state.erase(keys::hold(hold.id));
  state.erase(expiry_key(hold.expires_at, hold.id));
  return ok_status();
}

Result<Hold> payload_hold(const StateOverlay& state, const Json& payload) {
  if (!payload.contains("hold_id") || !payload["hold_id"].is_string() ||
      !from_hex_fixed<32>(payload["hold_id"].get_ref<const std::string&>())) {
    return reject("payload.invalid", "hold_id must be 64 lowercase hex");
  }
  auto hold = read_hold(state, payload["hold_id"].get<std::string>());
  if (!hold) return reject("escrow.unknown_hold", "no pending hold " + payload["hold_id"].get<std::string>());
  return *hold;
}

}  // namespace

void expire_holds(StateOverlay& state, std::int64_t block_time) {
  for (auto key = state.first_key_from(expiry_prefix); key && key->starts_with(expiry_prefix);
       key = state.first_key_from(expiry_prefix)) {
    std::int64_t expires_at = std::stoll(key->substr(expiry_prefix.size(), 16));
    if (expires_at > block_time) return;
    auto hold = read_hold(state, key->substr(expiry_prefix.size() + 17));
    (void)settle(state, *hold, 0);  // returning money to its payer cannot overflow: it came from there
  }
}

Status create_hold(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto payee = payload_key(payload, "payee");
  if (!payee) return payee.rejection();
  auto amount = payload_amount(payload, "amount_micro");
  if (!amount) return amount.rejection();
  if (!payload.contains("expires_at") || !payload["expires_at"].is_number_integer()) {
    return reject("payload.invalid", "expires_at must be an integer of UTC seconds");
  }
  if (payload.contains("memo")) {
    if (auto memo = payload_text(payload, "memo", max_memo_bytes); !memo) return memo.rejection();
  }
  std::int64_t expires_at = payload["expires_at"].get<std::int64_t>();
  if (expires_at <= context.block.time || expires_at > context.block.time + max_hold_seconds) {
    return reject("escrow.bad_expiry", "expires_at must be after the block time and at most ten years ahead");
  }
  if (*payee == context.transaction.signer) return reject("escrow.self_hold", "a hold to oneself changes nothing");
  if (auto status = require_participant(context.state, *payee, "payee"); !status) return status;
  const PublicKey& payer = context.transaction.signer;
  if (auto status = hold_funds(context.state, payer, *amount); !status) return status;
  std::string hold_id = to_hex(context.transaction.id);
  write_json(context.state, keys::hold(hold_id),
             Json{{"amount_micro", *amount}, {"expires_at", expires_at}, {"payee", to_hex(*payee)},
                  {"payer", to_hex(payer)}});
  write_json(context.state, expiry_key(expires_at, hold_id), hold_id);
  return ok_status();
}

Status post_hold(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto hold = payload_hold(context.state, payload);
  if (!hold) return hold.rejection();
  auto amount = payload_amount(payload, "amount_micro");
  if (!amount) return amount.rejection();
  if (hold->payer != context.transaction.signer) return reject("escrow.not_payer", "only the payer posts a hold");
  if (*amount > hold->amount_micro) {
    return reject("escrow.amount_exceeds_hold", "cannot post " + std::to_string(*amount) + " of a hold of " +
                                                    std::to_string(hold->amount_micro));
  }
  return settle(context.state, *hold, *amount);
}

Status void_hold(HandlerContext& context) {
  auto hold = payload_hold(context.state, context.transaction.payload);
  if (!hold) return hold.rejection();
  if (hold->payee != context.transaction.signer) return reject("escrow.not_payee", "only the payee voids a hold");
  return settle(context.state, *hold, 0);
}

}  // namespace flex
