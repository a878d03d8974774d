// Transaction handlers, one per type, and the context they run in.
#pragma once

#include "contracts/engine.hpp"
#include "contracts/roles.hpp"

namespace flex {

struct HandlerContext {
  StateOverlay& state;
  const ExecutionContext& block;
  const Transaction& transaction;
};

// Reads a canonical JSON value from state; nullopt when the key is absent.
std::optional<Json> read_json(const StateOverlay& state, const std::string& key);
void write_json(StateOverlay& state, std::string key, const Json& value);

// Payload field readers that reject with payload.invalid on a missing or ill-typed field.
// payload_key checks the hex form only: whether the key is on the curve costs a square root,
// so it is decided where it matters (a new participant, or a key that names no participant).
Result<PublicKey> payload_key(const Json& payload, const char* field);
Status require_valid_key(const PublicKey& key, const char* field);
Result<std::int64_t> payload_amount(const Json& payload, const char* field);
Result<std::string> payload_text(const Json& payload, const char* field, std::size_t max_length);
// An integer in [min, max], else payload.invalid.
Result<std::int64_t> payload_integer(const Json& payload, const char* field, std::int64_t min, std::int64_t max);
// A string member, or "" when it is absent or not a string (never throws on bad types).
std::string text_member(const Json& object, const char* field);
// An identifier [a-z0-9._-]{1,64}, else payload.invalid.
Result<std::string> payload_identifier(const Json& payload, const char* field);

// Whether a participant record lists `role` among its roles.
bool holds_role(const Json& participant, std::string_view role);
// Whether the key is in the state's `validators`.
bool is_validator(const StateOverlay& state, const PublicKey& key);
// A market parameter from state (genesis defaults fill the missing ones).
Json market_param(const StateOverlay& state, const char* name);

Status admit_participant(HandlerContext& context);
Status update_participant(HandlerContext& context);
Status suspend_participant(HandlerContext& context);
Status reinstate_participant(HandlerContext& context);
Status set_credit_line(HandlerContext& context);
Status create_zone(HandlerContext& context);
Status update_zone(HandlerContext& context);
Status publish_outlook(HandlerContext& context);
Status mint_tokens(HandlerContext& context);
Status burn_tokens(HandlerContext& context);
Status transfer_tokens(HandlerContext& context);
Status register_asset(HandlerContext& context);
Status update_asset(HandlerContext& context);
Status record_consent(HandlerContext& context);
Status prequalify_asset(HandlerContext& context);
Status create_offer(HandlerContext& context);
Status revoke_offer(HandlerContext& context);
Status create_request(HandlerContext& context);
Status cancel_request(HandlerContext& context);
Status purchase_offers(HandlerContext& context);
Status match_request(HandlerContext& context);
Status submit_readings(HandlerContext& context);
Status activate_contract(HandlerContext& context);
Status submit_nomination(HandlerContext& context);
Status dispute_settlement(HandlerContext& context);
Status resolve_dispute(HandlerContext& context);
Status report_duplicate_vote(HandlerContext& context);

}  // namespace flex
