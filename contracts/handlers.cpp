#include "contracts/handlers.hpp"

#include "contracts/genesis.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {

std::optional<Json> read_json(const StateOverlay& state, const std::string& key) {
  auto stored = state.get(key);
  if (!stored) return std::nullopt;
  return Json::parse(*stored);
}

void write_json(StateOverlay& state, std::string key, const Json& value) {
  state.put(std::move(key), to_canonical(value));
}

Result<PublicKey> payload_key(const Json& payload, const char* field) {
  if (!payload.contains(field) || !payload[field].is_string()) {
    return reject("payload.invalid", std::string(field) + " must be a 64-hex public key");
  }
  auto key = from_hex_fixed<32>(payload[field].get_ref<const std::string&>());
  if (!key) return reject("payload.invalid", std::string(field) + " must be a 64-hex public key");
  return *key;
}

Status require_valid_key(const PublicKey& key, const char* field) {
  if (!is_valid_public_key(key)) {
    return reject("payload.invalid", std::string(field) + " must be a valid x-only public key");
  }
  return ok_status();
}

Result<std::int64_t> payload_amount(const Json& payload, const char* field) {
  if (!payload.contains(field) || !payload[field].is_number_integer() ||
      payload[field].get<std::int64_t>() <= 0) {
    return reject("payload.invalid", std::string(field) + " must be a positive integer");
  }
  return payload[field].get<std::int64_t>();
}

Result<std::string> payload_text(const Json& payload, const char* field, std::size_t max_length) {
  if (!payload.contains(field) || !payload[field].is_string() ||
      payload[field].get_ref<const std::string&>().empty() ||
      payload[field].get_ref<const std::string&>().size() > max_length) {
    return reject("payload.invalid", std::string(field) + " must be a string of 1 to " +
                                         std::to_string(max_length) + " bytes");
  }
  return payload[field].get<std::string>();
}

Result<std::int64_t> payload_integer(const Json& payload, const char* field, std::int64_t min, std::int64_t max) {
  if (!payload.contains(field) || !payload[field].is_number_integer() || payload[field].get<std::int64_t>() < min ||
      payload[field].get<std::int64_t>() > max) {
    return reject("payload.invalid", std::string(field) + " must be an integer in [" + std::to_string(min) + ", " +
                                         std::to_string(max) + "]");
  }
  return payload[field].get<std::int64_t>();
}

std::string text_member(const Json& object, const char* field) {
  if (!object.is_object() || !object.contains(field) || !object[field].is_string()) return {};
  return object[field].get<std::string>();
}

Result<std::string> payload_identifier(const Json& payload, const char* field) {
  if (!payload.contains(field) || !payload[field].is_string() ||
      !is_identifier(payload[field].get_ref<const std::string&>())) {
    return reject("payload.invalid", std::string(field) + " must be an identifier [a-z0-9._-]{1,64}");
  }
  return payload[field].get<std::string>();
}

bool holds_role(const Json& participant, std::string_view role) {
  for (const auto& held : participant["roles"]) {
    if (held.get_ref<const std::string&>() == role) return true;
  }
  return false;
}

bool is_validator(const StateOverlay& state, const PublicKey& key) {
  auto validators = read_json(state, keys::validators);
  if (!validators) return false;
  const std::string key_hex = to_hex(key);
  for (const auto& validator : *validators) {
    if (validator["public_key"].get_ref<const std::string&>() == key_hex) return true;
  }
  return false;
}

Json market_param(const StateOverlay& state, const char* name) {
  auto params = read_json(state, keys::params);
  if (params && params->contains(name)) return (*params)[name];
  return default_market_params()[name];
}

}  // namespace flex
