#include "contracts/engine.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "contracts/digest.hpp"
#include "contracts/escrow.hpp"
#include "contracts/handlers.hpp"
#include "contracts/orders.hpp"
#include "contracts/settlement.hpp"
#include "contracts/state_keys.hpp"

namespace flex {
namespace {

using Handler = Status (*)(HandlerContext&);

// Who signs a type: an admitted participant holding one of its roles, or, for equivocation
// evidence only, any validator of the state, signing as a validator and not as a participant.
enum class Signer { Participant, Validator };

struct TransactionType {
  std::string_view name;
  std::initializer_list<Role> allowed_roles;  // the signer needs one of them
  Handler handler;
  Signer signer = Signer::Participant;
};

// Everyone who trades; auditors and regulators submit nothing.
constexpr std::initializer_list<Role> market_roles = {Role::Prosumer, Role::Aggregator, Role::Dso, Role::Tso,
                                                      Role::Retailer, Role::Metering, Role::Operator};

constexpr std::initializer_list<Role> seller_roles = {Role::Prosumer, Role::Aggregator};
constexpr std::initializer_list<Role> buyer_roles = {Role::Dso, Role::Tso, Role::Retailer};
constexpr std::initializer_list<Role> trading_roles = {Role::Prosumer, Role::Aggregator, Role::Dso, Role::Tso,
                                                       Role::Retailer};

// The transaction types and who may submit them (docs/ROLES.md keeps the same table).
const std::array<TransactionType, 30> transaction_types{{
    {"account.set_credit_line", {Role::Operator}, set_credit_line},
    {"asset.consent", seller_roles, record_consent},
    {"asset.prequalify", {Role::Dso}, prequalify_asset},
    {"asset.register", seller_roles, register_asset},
    {"asset.update", seller_roles, update_asset},
    {"contract.activate", buyer_roles, activate_contract},
    {"escrow.hold", market_roles, create_hold},
    {"escrow.post", market_roles, post_hold},
    {"escrow.void", market_roles, void_hold},
    // No role: the signer need not be a participant (docs/ROLES.md).
    {"evidence.duplicate_vote", {}, report_duplicate_vote, Signer::Validator},
    // Sellers submit their own sub-meters' readings only (contracts/readings.cpp).
    {"meter.submit", {Role::Metering, Role::Prosumer, Role::Aggregator}, submit_readings},
    {"nomination.submit", seller_roles, submit_nomination},
    {"offer.create", seller_roles, create_offer},
    {"offer.revoke", seller_roles, revoke_offer},
    {"participant.admit", {Role::Operator}, admit_participant},
    {"participant.reinstate", {Role::Operator}, reinstate_participant},
    {"participant.suspend", {Role::Operator}, suspend_participant},
    {"participant.update", {Role::Operator}, update_participant},
    {"request.cancel", buyer_roles, cancel_request},
    {"request.create", buyer_roles, create_request},
    {"request.match", buyer_roles, match_request},
    {"request.purchase", buyer_roles, purchase_offers},
    {"settlement.dispute", trading_roles, dispute_settlement},
    {"settlement.resolve", {Role::Operator}, resolve_dispute},
    {"token.burn", {Role::Operator}, burn_tokens},
    {"token.mint", {Role::Operator}, mint_tokens},
    {"token.transfer", market_roles, transfer_tokens},
    {"zone.create", {Role::Dso}, create_zone},
    {"zone.outlook", {Role::Dso}, publish_outlook},
    {"zone.update", {Role::Dso}, update_zone},
}};

const TransactionType* find_type(std::string_view name) {
  for (const auto& type : transaction_types) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

Status check_role(const Json& participant, const TransactionType& type) {
  if (participant.value("status", "") != "active") {
    return reject("participant.suspended", "the signer is suspended");
  }
  for (const auto& role_text : participant["roles"]) {
    auto role = parse_role(role_text.get<std::string>());
    if (role && std::find(type.allowed_roles.begin(), type.allowed_roles.end(), *role) !=
                    type.allowed_roles.end()) {
      return ok_status();
    }
  }
  return reject("auth.role_required",
                "the signer holds no role allowed to submit " + std::string(type.name));
}

std::string chain_id_of(const StateOverlay& state) {
  auto chain = read_json(state, keys::chain);
  return chain ? (*chain)["chain_id"].get<std::string>() : std::string();
}

}  // namespace

bool is_known_transaction_type(std::string_view type) { return find_type(type) != nullptr; }

bool role_may_submit(std::string_view type_name, std::string_view role_name) {
  const TransactionType* type = find_type(type_name);
  auto role = parse_role(role_name);
  return type && role && std::find(type->allowed_roles.begin(), type->allowed_roles.end(), *role) != type->allowed_roles.end();
}

Status check_envelope(const StateOverlay& state, const Transaction& transaction, const std::string& chain_id) {
  if (transaction.chain_id != chain_id) {
    return reject("tx.wrong_chain", "transaction is for chain '" + transaction.chain_id + "'");
  }
  const TransactionType* type = find_type(transaction.type);
  if (!type) {
    return reject("tx.unknown_type", "unknown transaction type '" + transaction.type + "'");
  }
  if (type->signer == Signer::Validator) {
    if (!is_validator(state, transaction.signer)) {
      return reject("tx.unknown_signer", "signer " + to_hex(transaction.signer) + " is not a validator");
    }
  } else if (!state.get(keys::participant(transaction.signer))) {
    return reject("tx.unknown_signer", "signer " + to_hex(transaction.signer) + " is not a participant");
  }
  auto last_nonce = read_json(state, keys::nonce(transaction.signer));
  if (last_nonce && transaction.nonce <= last_nonce->get<std::int64_t>()) {
    return reject("tx.stale_nonce", "nonce " + std::to_string(transaction.nonce) +
                                        " is not above the signer's last nonce " +
                                        std::to_string(last_nonce->get<std::int64_t>()));
  }
  return ok_status();
}

Status check_envelope(const StateOverlay& state, const Transaction& transaction) {
  return check_envelope(state, transaction, chain_id_of(state));
}

Receipt execute_transaction(StateOverlay& state, const ExecutionContext& context,
                            const Transaction& transaction) {
  const TransactionType& type = *find_type(transaction.type);
  // A validator signs as a validator: there is no participant record whose role to check.
  Status status = type.signer == Signer::Validator
                      ? ok_status()
                      : check_role(*read_json(state, keys::participant(transaction.signer)), type);
  if (status) {
    HandlerContext handler_context{state, context, transaction};
    try {
      status = type.handler(handler_context);
    } catch (const Json::exception&) {
      // A member of an unexpected JSON type that a handler failed to check: the same on every
      // node, so it is a rejection like any other, never a halted chain.
      status = reject("payload.invalid", "the payload has a member of the wrong JSON type");
    }
  }
  if (!status) state.rollback_transaction();
  write_json(state, keys::nonce(transaction.signer), transaction.nonce);
  state.commit_transaction();
  if (!status) return Receipt{status.rejection().code, status.rejection().message};
  return Receipt{};
}

BlockBuilder::BlockBuilder(const State& base, const ExecutionContext& context)
    : base_(base), context_(context), state_(base), chain_id_(chain_id_of(state_)) {
  // Begin-block: the digest of a finished day, then holds, orders and settlements whose
  // time has come, before any transaction runs.
  close_digest_day(state_, context);
  expire_holds(state_, context.time);
  expire_orders(state_, context.time);
  settle_due_contracts(state_, context.time);
  finalize_settlements(state_, context.time);
  state_.commit_transaction();
}

Status BlockBuilder::add(const Transaction& transaction) {
  if (auto envelope = check_envelope(state_, transaction, chain_id_); !envelope) return envelope;
  receipts_.push_back(execute_transaction(state_, context_, transaction));
  transaction_ids_.push_back(transaction.id);
  return ok_status();
}

BlockExecution BlockBuilder::finish() {
  add_digest_transactions(state_, context_, transaction_ids_);
  state_.commit_transaction();
  BlockExecution execution;
  execution.writes = state_.take_block_writes();
  execution.receipts = std::move(receipts_);
  execution.app_hash = base_.app_hash_after(execution.writes);
  return execution;
}

Result<BlockExecution> execute_block(const State& base, const ExecutionContext& context,
                                     const std::vector<Transaction>& transactions) {
  BlockBuilder builder(base, context);
  for (std::size_t i = 0; i < transactions.size(); ++i) {
    if (auto status = builder.add(transactions[i]); !status) {
      return reject("block.invalid_transaction", "transaction " + std::to_string(i) +
                                                     " is inadmissible: " + status.rejection().code);
    }
  }
  return builder.finish();
}

}  // namespace flex
