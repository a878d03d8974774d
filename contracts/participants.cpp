// Participants and their roles, managed by operators only.
//   participant.admit     {"company_code":S?,"name":S,"public_key":HEX64,"roles":[S...]}
//   participant.update    {"company_code":S?,"name":S?,"public_key":HEX64,"roles":[S...]?}
//   participant.suspend   {"public_key":HEX64,"reason":S}
//   participant.reinstate {"public_key":HEX64}
// An operator may not suspend itself or drop its own operator role, so the market always
// keeps at least one active operator.
#include <algorithm>

#include "contracts/handlers.hpp"
#include "contracts/state_keys.hpp"

namespace flex {

namespace {

constexpr std::size_t max_name_bytes = 200;
constexpr std::size_t max_company_code_bytes = 64;
constexpr std::size_t max_reason_bytes = 500;
constexpr std::size_t max_roles = 9;

Result<std::vector<std::string>> payload_roles(const Json& payload) {
  if (!payload.contains("roles") || !payload["roles"].is_array() || payload["roles"].empty() ||
      payload["roles"].size() > max_roles) {
    return reject("payload.invalid", "roles must be an array of 1 to 9 role names");
  }
  std::vector<std::string> roles;
  for (const auto& role : payload["roles"]) {
    if (!role.is_string() || !parse_role(role.get_ref<const std::string&>())) {
      return reject("participant.bad_role", "unknown role " + role.dump(-1, ' ', false, Json::error_handler_t::replace));
    }
    roles.push_back(role.get<std::string>());
  }
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  return roles;
}

// The target participant's record, or participant.unknown.
Result<Json> existing_participant(const StateOverlay& state, const PublicKey& key) {
  auto record = read_json(state, keys::participant(key));
  if (!record) return reject("participant.unknown", "participant " + to_hex(key) + " is not admitted");
  return *record;
}

bool has_role(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

}  // namespace

Status admit_participant(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto key = payload_key(payload, "public_key");
  if (!key) return key.rejection();
  if (auto valid = require_valid_key(*key, "public_key"); !valid) return valid;
  auto name = payload_text(payload, "name", max_name_bytes);
  if (!name) return name.rejection();
  auto roles = payload_roles(payload);
  if (!roles) return roles.rejection();
  Json record{{"name", *name}, {"roles", *roles}, {"status", "active"}};
  if (payload.contains("company_code")) {
    auto code = payload_text(payload, "company_code", max_company_code_bytes);
    if (!code) return code.rejection();
    record["company_code"] = *code;
  }
  if (context.state.get(keys::participant(*key))) {
    return reject("participant.exists", "participant " + to_hex(*key) + " is already admitted");
  }
  write_json(context.state, keys::participant(*key), record);
  return ok_status();
}

Status update_participant(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto key = payload_key(payload, "public_key");
  if (!key) return key.rejection();
  if (!payload.contains("name") && !payload.contains("roles") && !payload.contains("company_code")) {
    return reject("payload.invalid", "give at least one of name, roles and company_code");
  }
  auto record = existing_participant(context.state, *key);
  if (!record) return record.rejection();
  if (payload.contains("name")) {
    auto name = payload_text(payload, "name", max_name_bytes);
    if (!name) return name.rejection();
    (*record)["name"] = *name;
  }
  if (payload.contains("company_code")) {
    auto code = payload_text(payload, "company_code", max_company_code_bytes);
    if (!code) return code.rejection();
    (*record)["company_code"] = *code;
  }
  if (payload.contains("roles")) {
    auto roles = payload_roles(payload);
    if (!roles) return roles.rejection();
    if (*key == context.transaction.signer && !has_role(*roles, "operator")) {
      return reject("participant.self_lockout", "an operator may not remove its own operator role");
    }
    (*record)["roles"] = *roles;
  }
  write_json(context.state, keys::participant(*key), *record);
  return ok_status();
}

Status suspend_participant(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto key = payload_key(payload, "public_key");
  if (!key) return key.rejection();
  auto reason = payload_text(payload, "reason", max_reason_bytes);
  if (!reason) return reason.rejection();
  if (*key == context.transaction.signer) {
    return reject("participant.self_lockout", "an operator may not suspend itself");
  }
  auto record = existing_participant(context.state, *key);
  if (!record) return record.rejection();
  if ((*record)["status"] == "suspended") {
    return reject("participant.already_suspended", "participant " + to_hex(*key) + " is already suspended");
  }
  (*record)["status"] = "suspended";
  (*record)["suspension_reason"] = *reason;
  write_json(context.state, keys::participant(*key), *record);
  return ok_status();
}

Status reinstate_participant(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto key = payload_key(payload, "public_key");
  if (!key) return key.rejection();
  auto record = existing_participant(context.state, *key);
  if (!record) return record.rejection();
  if ((*record)["status"] != "suspended") {
    return reject("participant.not_suspended", "participant " + to_hex(*key) + " is not suspended");
  }
  (*record)["status"] = "active";
  record->erase("suspension_reason");
  write_json(context.state, keys::participant(*key), *record);
  return ok_status();
}

}  // namespace flex
