#include "contracts/genesis.hpp"

#include <algorithm>
#include <set>

#include "contracts/roles.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/hash.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

Rejection invalid(const std::string& why) { return reject("genesis.invalid", why); }

std::optional<PublicKey> key_field(const Json& json) {
  if (!json.contains("public_key") || !json["public_key"].is_string()) return std::nullopt;
  auto key = from_hex_fixed<32>(json["public_key"].get_ref<const std::string&>());
  if (!key || !is_valid_public_key(*key)) return std::nullopt;
  return key;
}

Json validator_to_json(const Validator& validator) {
  return Json{{"name", validator.name}, {"power", validator.power},
              {"public_key", to_hex(validator.public_key)}};
}

Result<std::vector<Validator>> parse_validators(const Json& json) {
  if (!json.is_array() || json.empty()) return invalid("validators must be a non-empty array");
  std::vector<Validator> validators;
  std::set<PublicKey> seen;
  for (const auto& entry : json) {
    auto key = entry.is_object() ? key_field(entry) : std::nullopt;
    if (!key) return invalid("validator public_key must be a valid x-only key in hex");
    if (!seen.insert(*key).second) return invalid("duplicate validator key");
    if (!entry.contains("power") || !entry["power"].is_number_integer() ||
        entry["power"].get<std::int64_t>() < 1 || entry["power"].get<std::int64_t>() > 1000000) {
      return invalid("validator power must be an integer in [1, 1000000]");
    }
    std::string name = entry.contains("name") && entry["name"].is_string() ? entry["name"].get<std::string>() : "";
    validators.push_back(Validator{*key, entry["power"].get<std::int64_t>(), name});
  }
  return validators;
}

Result<std::vector<GenesisParticipant>> parse_participants(const Json& json) {
  if (!json.is_array()) return invalid("participants must be an array");
  std::vector<GenesisParticipant> participants;
  std::set<PublicKey> seen;
  bool has_operator = false;
  for (const auto& entry : json) {
    auto key = entry.is_object() ? key_field(entry) : std::nullopt;
    if (!key) return invalid("participant public_key must be a valid x-only key in hex");
    if (!seen.insert(*key).second) return invalid("duplicate participant key");
    if (!entry.contains("name") || !entry["name"].is_string() || entry["name"].get_ref<const std::string&>().empty()) {
      return invalid("participant name must be a non-empty string");
    }
    if (!entry.contains("roles") || !entry["roles"].is_array() || entry["roles"].empty()) {
      return invalid("participant roles must be a non-empty array");
    }
    GenesisParticipant participant{*key, entry["name"].get<std::string>(), {}};
    for (const auto& role : entry["roles"]) {
      if (!role.is_string() || !parse_role(role.get_ref<const std::string&>())) {
        return invalid("unknown role in genesis participant " + participant.name);
      }
      participant.roles.push_back(role.get<std::string>());
      has_operator = has_operator || role == "operator";
    }
    std::sort(participant.roles.begin(), participant.roles.end());
    participant.roles.erase(std::unique(participant.roles.begin(), participant.roles.end()),
                            participant.roles.end());
    participants.push_back(std::move(participant));
  }
  if (!has_operator) return invalid("genesis must name at least one operator participant");
  return participants;
}

}  // namespace

namespace {

// Integer market parameters: default and bounds (PROTOCOL.md §6).
struct IntegerParam {
  const char* name;
  std::int64_t default_value, min, max;
};
constexpr std::int64_t day_seconds = 86400;
constexpr IntegerParam integer_params[] = {
    {"activation_gate_seconds", 900, 0, day_seconds},            // activations arrive this long before the ISP
    {"dispute_window_seconds", 7 * day_seconds, 0, 90 * day_seconds},  // after settlement, before it is final
    {"fee_basis_points", 0, 0, 10000},                           // of the settled value, paid by the seller
    {"penalty_micro_per_mwh", 0, 0, 1'000'000'000'000'000},      // per MWh of deficiency; 0 disables penalties
    {"reading_margin_ppm", 100'000, 0, 10'000'000},              // readings may exceed connection × ISP by this
    {"settlement_deadline_seconds", 2 * day_seconds, 3600, 90 * day_seconds},  // after a contract's end: time for readings
    {"tolerance_ppm", 0, 0, 200'000},                          // deficiencies up to this share of the order count as delivered
};

}  // namespace

Json default_market_params() {
  Json params{{"isp_seconds", 900}, {"currency", "EUR"}, {"require_prequalification", true}, {"wait_for_readings", false}};
  for (const auto& param : integer_params) params[param.name] = param.default_value;
  return params;
}

Json Genesis::to_json() const {
  Json validator_list = Json::array();
  for (const auto& validator : validators) validator_list.push_back(validator_to_json(validator));
  Json participant_list = Json::array();
  for (const auto& participant : participants) {
    participant_list.push_back(Json{{"public_key", to_hex(participant.public_key)},
                                    {"name", participant.name},
                                    {"roles", participant.roles}});
  }
  return Json{{"chain_id", chain_id},           {"genesis_time", genesis_time},
              {"validators", validator_list},   {"participants", participant_list},
              {"params", params}};
}

Hash32 Genesis::hash() const { return sha256(canonical()); }

Result<Genesis> parse_genesis(const Json& json) {
  if (!json.is_object()) return invalid("genesis must be a JSON object");
  if (!is_integer_only(json)) return invalid("genesis must hold integers only, no floats");
  Genesis genesis;
  if (!json.contains("chain_id") || !json["chain_id"].is_string() ||
      !is_identifier(json["chain_id"].get_ref<const std::string&>())) {
    return invalid("chain_id must be an identifier [a-z0-9._-]{1,64}");
  }
  genesis.chain_id = json["chain_id"].get<std::string>();
  if (!json.contains("genesis_time") || !json["genesis_time"].is_number_integer() ||
      json["genesis_time"].get<std::int64_t>() < 0) {
    return invalid("genesis_time must be a non-negative integer of UTC seconds");
  }
  genesis.genesis_time = json["genesis_time"].get<std::int64_t>();
  auto validators = parse_validators(json.value("validators", Json()));
  if (!validators) return validators.rejection();
  genesis.validators = *validators;
  auto participants = parse_participants(json.value("participants", Json()));
  if (!participants) return participants.rejection();
  genesis.participants = *participants;
  genesis.params = default_market_params();
  if (json.contains("params")) {
    if (!json["params"].is_object()) return invalid("params must be an object");
    genesis.params.update(json["params"]);
  }
  if (!genesis.params["isp_seconds"].is_number_integer() || genesis.params["isp_seconds"].get<std::int64_t>() < 60 ||
      3600 % genesis.params["isp_seconds"].get<std::int64_t>() != 0) {
    return invalid("params.isp_seconds must divide an hour and be at least 60");
  }
  for (const auto& param : integer_params) {
    const Json& value = genesis.params[param.name];
    if (!value.is_number_integer() || value.get<std::int64_t>() < param.min || value.get<std::int64_t>() > param.max) {
      return invalid(std::string("params.") + param.name + " must be an integer in [" + std::to_string(param.min) + ", " +
                     std::to_string(param.max) + "]");
    }
  }
  if (genesis.params.contains("fee_account") || genesis.params["fee_basis_points"] != 0) {
    const Json& account = genesis.params["fee_account"];
    auto key = account.is_string() ? from_hex_fixed<32>(account.get<std::string>()) : std::nullopt;
    if (!key || std::none_of(genesis.participants.begin(), genesis.participants.end(),
                             [&](const GenesisParticipant& participant) { return participant.public_key == *key; })) {
      return invalid("params.fee_account must be the key of a genesis participant when a fee is charged");
    }
  }
  const Json& currency = genesis.params["currency"];
  if (!currency.is_string() || currency.get_ref<const std::string&>().size() != 3 ||
      currency.get_ref<const std::string&>().find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
    return invalid("params.currency must be a three-letter ISO 4217 code such as EUR");
  }
  for (const char* flag : {"require_prequalification", "wait_for_readings"}) {
    if (!genesis.params[flag].is_boolean()) return invalid(std::string("params.") + flag + " must be true or false");
  }
  return genesis;
}

Result<Genesis> parse_genesis_text(std::string_view text) {
  auto json = parse_json_bounded(text, limits::max_genesis_bytes);
  if (!json) return invalid(json.rejection().message);
  return parse_genesis(*json);
}

Result<Genesis> parse_stored_genesis(std::string_view canonical) {
  auto json = parse_canonical(canonical, limits::max_genesis_bytes);
  if (!json) return invalid("stored genesis: " + json.rejection().message);
  auto genesis = parse_genesis(*json);
  if (!genesis) return genesis;
  if (genesis->canonical() != canonical) return invalid(
        "stored genesis is not in this build's normalised form; a data directory made by an earlier build whose "
        "genesis lacks a market parameter this build adds must be recreated");
  return genesis;
}

State::Entries genesis_state(const Genesis& genesis) {
  State::Entries entries;
  entries[keys::chain] = to_canonical(Json{{"chain_id", genesis.chain_id}, {"genesis_time", genesis.genesis_time}});
  entries[keys::params] = to_canonical(genesis.params);
  entries[keys::validators] = to_canonical(genesis.to_json()["validators"]);
  entries[keys::supply] = to_canonical(Json{{"minted_micro", 0}, {"burned_micro", 0}});
  for (const auto& participant : genesis.participants) {
    entries[keys::participant(participant.public_key)] = to_canonical(
        Json{{"name", participant.name}, {"roles", participant.roles}, {"status", "active"}});
  }
  return entries;
}

std::vector<Validator> validators_from_state(const State& state) {
  std::vector<Validator> validators;
  auto stored = state.get(keys::validators);
  if (!stored) return validators;
  for (const auto& entry : Json::parse(*stored)) {
    validators.push_back(Validator{*from_hex_fixed<32>(entry["public_key"].get<std::string>()),
                                   entry["power"].get<std::int64_t>(), entry["name"].get<std::string>()});
  }
  return validators;
}

}  // namespace flex
