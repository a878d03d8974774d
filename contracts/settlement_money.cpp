#include "contracts/settlement_money.hpp"

#include <algorithm>

#include "contracts/accounts.hpp"
#include "contracts/market.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

std::string debt_key(const std::string& contract_id, const std::string& debtor, const std::string& creditor) {
  return "debt/" + contract_id + "/" + debtor + "/" + creditor;
}

PublicKey key_of(const std::string& hex) { return *from_hex_fixed<32>(hex); }

// `payer` owes `payee` `amount` on a contract. It first cancels what the payee owes the payer
// on the same contract, then comes from the payer's available balance down to minus its
// credit line; what is left becomes (or adds to) the payer's debt. Returns the move record.
Json pay_owed(StateOverlay& state, const std::string& contract_id, const std::string& payer,
              const std::string& payee, std::int64_t amount) {
  Json move{{"amount_micro", amount}, {"from", payer}, {"to", payee}};
  if (payer == payee) {  // e.g. a seller that is also the fee account: nothing moves
    move["paid_micro"] = amount;
    return move;
  }
  const std::string owed_back_key = debt_key(contract_id, payee, payer);
  if (auto owed_back = read_json(state, owed_back_key)) {
    std::int64_t owed = (*owed_back)["amount_micro"].get<std::int64_t>();
    std::int64_t cancelled = std::min(owed, amount);
    if (owed == cancelled) {
      state.erase(owed_back_key);
    } else {
      (*owed_back)["amount_micro"] = owed - cancelled;
      write_json(state, owed_back_key, *owed_back);
    }
    amount -= cancelled;
    move["debt_cancelled_micro"] = cancelled;
  }
  Account account = read_account(state, key_of(payer));
  std::int64_t paid = std::clamp<std::int64_t>(account.available_micro + account.credit_limit_micro, 0, amount);
  account.available_micro -= paid;
  write_account(state, key_of(payer), account);
  (void)credit(state, key_of(payee), paid);  // money already in the supply cannot overflow
  move["paid_micro"] = paid;
  if (amount > paid) {
    const std::string key = debt_key(contract_id, payer, payee);
    auto debt = read_json(state, key);
    // Saturates at 2^53 - 1: a record beyond the ledger's integer range cannot be written.
    std::int64_t total = std::min(limits::max_json_integer,
                                  (debt ? (*debt)["amount_micro"].get<std::int64_t>() : 0) + (amount - paid));
    write_json(state, key, Json{{"amount_micro", total}, {"contract_id", contract_id}, {"creditor", payee}, {"debtor", payer}});
    move["debt_micro"] = amount - paid;
  }
  return move;
}

std::string fee_account(const StateOverlay& state) { return market_param(state, "fee_account").get<std::string>(); }

}  // namespace

std::int64_t fee_of(std::int64_t amount, std::int64_t basis_points) {
  __extension__ using Wide = __int128;
  Wide numerator = static_cast<Wide>(amount) * basis_points;
  Wide quotient = numerator / 10'000, remainder = numerator % 10'000;
  if (remainder * 2 > 10'000 || (remainder * 2 == 10'000 && (quotient & 1) != 0)) ++quotient;
  return static_cast<std::int64_t>(quotient);
}

std::int64_t settlement_fee(const StateOverlay& state, const Json& contract, std::int64_t net) {
  std::int64_t paid = std::clamp<std::int64_t>(net, 0, contract["escrow_micro"].get<std::int64_t>());
  return fee_of(paid, market_param(state, "fee_basis_points").get<std::int64_t>());
}

Json release_escrow(StateOverlay& state, const Json& contract, std::int64_t net, std::int64_t fee) {
  const std::string contract_id = contract["contract_id"].get<std::string>();
  const std::string buyer = contract["buyer"].get<std::string>(), seller = contract["seller"].get<std::string>();
  const std::int64_t escrow = contract["escrow_micro"].get<std::int64_t>();
  Account buyer_account = read_account(state, key_of(buyer));
  buyer_account.held_micro -= escrow;
  Json money{{"escrow_micro", escrow}};
  if (net >= 0) {
    std::int64_t paid = std::min(net, escrow);  // a computed net never exceeds the escrow it was priced from
    buyer_account.available_micro += escrow - paid;
    write_account(state, key_of(buyer), buyer_account);
    (void)credit(state, key_of(seller), paid - fee);
    if (fee > 0) (void)credit(state, key_of(fee_account(state)), fee);
    money["paid_to_seller_micro"] = paid - fee;
    money["fee_micro"] = fee;
    money["returned_to_buyer_micro"] = escrow - paid;
    return money;
  }
  buyer_account.available_micro += escrow;
  write_account(state, key_of(buyer), buyer_account);
  Json move = pay_owed(state, contract_id, seller, buyer, -net);
  money["charged_to_seller_micro"] = move["paid_micro"];
  money["returned_to_buyer_micro"] = escrow + move["paid_micro"].get<std::int64_t>();
  money["fee_micro"] = 0;
  if (move.contains("debt_micro")) money["debt_micro"] = move["debt_micro"];
  return money;
}

Json move_difference(StateOverlay& state, const Json& contract, std::int64_t old_net, std::int64_t old_fee,
                     std::int64_t new_net, std::int64_t new_fee) {
  const std::string contract_id = contract["contract_id"].get<std::string>();
  const std::string buyer = contract["buyer"].get<std::string>(), seller = contract["seller"].get<std::string>();
  Json moves = Json::array();
  // Nets are within ±(2^53 - 1), so their difference fits in int64.
  if (std::int64_t owed = new_net - old_net; owed > 0) {
    moves.push_back(pay_owed(state, contract_id, buyer, seller, owed));
  } else if (owed < 0) {
    moves.push_back(pay_owed(state, contract_id, seller, buyer, -owed));
  }
  if (std::int64_t fee = new_fee - old_fee; fee > 0) {
    moves.push_back(pay_owed(state, contract_id, seller, fee_account(state), fee));
  } else if (fee < 0) {
    moves.push_back(pay_owed(state, contract_id, fee_account(state), seller, -fee));
  }
  return Json{{"moves", moves}};
}

}  // namespace flex
