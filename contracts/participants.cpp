// participant.admit: the operator admits a participant with a name and roles.
//   payload {"name":S,"public_key":HEX64,"roles":[S...]}
#include <algorithm>

#include "contracts/handlers.hpp"
#include "contracts/state_keys.hpp"

namespace flex {

namespace {
constexpr std::size_t max_name_bytes = 200;
constexpr std::size_t max_roles = 9;
}  // namespace

Status admit_participant(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto key = payload_key(payload, "public_key");
  if (!key) return key.rejection();
  if (auto valid = require_valid_key(*key, "public_key"); !valid) return valid;
  auto name = payload_text(payload, "name", max_name_bytes);
  if (!name) return name.rejection();
  if (!payload.contains("roles") || !payload["roles"].is_array() || payload["roles"].empty() ||
      payload["roles"].size() > max_roles) {
    return reject("payload.invalid", "roles must be an array of 1 to 9 role names");
  }
  std::vector<std::string> roles;
  for (const auto& role : payload["roles"]) {
    if (!role.is_string() || !parse_role(role.get_ref<const std::string&>())) {
      return reject("participant.bad_role", "unknown role " + role.dump());
    }
    roles.push_back(role.get<std::string>());
  }
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  if (context.state.get(keys::participant(*key))) {
    return reject("participant.exists", "participant " + to_hex(*key) + " is already admitted");
  }
  write_json(context.state, keys::participant(*key),
             Json{{"name", *name}, {"roles", roles}, {"status", "active"}});
  return ok_status();
}

}  // namespace flex
