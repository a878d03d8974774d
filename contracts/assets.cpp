// The asset register (DESIGN.md §2.3), kept by each asset's owner (a prosumer or aggregator).
//   asset.register   {"asset_id":ID,"connection_w":N,"max_down_w":N,"max_up_w":N,"metering_point_id":M,
//                     "name":S,"property":{...}?,"storage_wh":N,"sub_metering_point_id":M?,
//                     "supplier":HEX64?,"technology":T,"zone_id":ID}
//   asset.update     the same members, asset_id required, the others optional (owner only);
//                    "sub_metering_point_id":null removes the sub-meter, "supplier":null the supplier
//   asset.consent    {"aggregator":HEX64,"asset_id":ID,"granted":true|false}       (owner only)
//   asset.prequalify {"asset_id":ID,"decision":"qualified"|"rejected","reason":S?} (the zone's DSO)
// A metering point backs one asset only; the optional sub-meter is the seller's own meter
// behind the connection, which an offer may name as proof of delivery (contracts/orders.cpp).
// Changing the zone, the technology, a power or energy figure or a metering point sends the
// asset back to prequalification; a maximum
// may not drop below power already committed to contracts in an ISP that has not begun.
//   asset/<id>                         the record, with "owner" and "prequalification"
//   metering_point/<id>                the asset id it backs (main meter or sub-meter)
//   consent/<asset_id>/<aggregator>    {"granted_at":T}
#include "contracts/assets.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "contracts/market.hpp"
#include "contracts/state_keys.hpp"

namespace flex {
namespace {

constexpr std::size_t max_name_bytes = 200;
constexpr std::size_t max_metering_point_bytes = 64;
constexpr std::size_t max_reason_bytes = 500;
constexpr std::array<std::string_view, 6> technologies = {"pv", "battery", "ev_charger", "heat_pump", "flexible_load",
                                                          "other"};
constexpr std::array<std::string_view, 5> property_types = {"office", "industrial", "commercial_warehouse", "domestic",
                                                            "other"};
constexpr std::array<std::string_view, 4> property_statuses = {"connected", "under_construction", "removed_from_use",
                                                               "disconnected"};
constexpr std::int64_t micro_degrees = 1'000'000;

// Free-text property fields and their size bounds (Table 4-4 of the EFLEX seed document).
struct TextField {
  const char* name;
  std::size_t max_bytes;
};
constexpr std::array<TextField, 8> property_text_fields{{{"address", 200},
                                                         {"city", 100},
                                                         {"country", 100},
                                                         {"link", 500},
                                                         {"postal_code", 16},
                                                         {"public_info", 2000},
                                                         {"service_operator", 200},
                                                         {"state", 100}}};

bool one_of(const Json& value, auto const& allowed) {
  return value.is_string() &&
         std::find(allowed.begin(), allowed.end(), value.get_ref<const std::string&>()) != allowed.end();
}

Rejection invalid(const std::string& why) { return reject("asset.invalid", why); }

// YYYY-MM-DD, a real Gregorian date.
bool is_date(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  int year = std::stoi(text.substr(0, 4)), month = std::stoi(text.substr(5, 2)), day = std::stoi(text.substr(8, 2));
  if (month < 1 || month > 12 || day < 1) return false;
  constexpr std::array<int, 12> days_in_month = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= days_in_month[static_cast<std::size_t>(month - 1)] + (month == 2 && leap ? 1 : 0);
}

bool is_metering_point_id(const std::string& text) {
  if (text.empty() || text.size() > max_metering_point_bytes) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-' || c == ':';
  });
}

Result<Json> checked_property(const Json& property) {
  if (!property.is_object()) return invalid("property must be an object");
  for (const auto& [name, value] : property.items()) {
    auto text_field = std::find_if(property_text_fields.begin(), property_text_fields.end(),
                                   [&](const TextField& field) { return name == field.name; });
    if (text_field != property_text_fields.end()) {
      if (!value.is_string() || value.get_ref<const std::string&>().size() > text_field->max_bytes) {
        return invalid("property." + name + " must be a string of at most " + std::to_string(text_field->max_bytes) +
                       " bytes");
      }
    } else if (name == "latitude_micro" || name == "longitude_micro") {
      std::int64_t bound = (name == "latitude_micro" ? 90 : 180) * micro_degrees;
      if (!value.is_number_integer() || value.get<std::int64_t>() < -bound || value.get<std::int64_t>() > bound) {
        return invalid("property." + name + " must be an integer of micro-degrees in [-" + std::to_string(bound) +
                       ", " + std::to_string(bound) + "]");
      }
    } else if (name == "property_type") {
      if (!one_of(value, property_types)) {
        return invalid("property.property_type must be office, industrial, commercial_warehouse, domestic or other");
      }
    } else if (name == "status") {
      if (!one_of(value, property_statuses)) {
        return invalid("property.status must be connected, under_construction, removed_from_use or disconnected");
      }
    } else if (name == "target_connection_date") {
      if (!value.is_string() || !is_date(value.get<std::string>())) {
        return invalid("property.target_connection_date must be a date YYYY-MM-DD");
      }
    } else {
      return invalid("property." + name + " is not a property field");
    }
  }
  return property;
}

// Members that, when changed, send the asset back to prequalification.
constexpr std::array<const char*, 8> technical_fields = {"connection_w", "max_down_w", "max_up_w", "metering_point_id",
                                                         "storage_wh", "sub_metering_point_id", "technology", "zone_id"};
// Every member asset.update may change.
constexpr std::array<const char*, 11> updatable_fields = {"connection_w", "max_down_w", "max_up_w",  "metering_point_id",
                                                           "name",         "property",   "storage_wh", "sub_metering_point_id",
                                                           "supplier",     "technology", "zone_id"};

// The asset's metering points and their kinds: the main meter, then the sub-meter if any.
std::vector<std::pair<std::string, std::string>> metering_points(const Json& asset) {
  std::vector<std::pair<std::string, std::string>> points{{asset["metering_point_id"].get<std::string>(), "main"}};
  if (asset.contains("sub_metering_point_id")) points.emplace_back(asset["sub_metering_point_id"].get<std::string>(), "sub");
  return points;
}

// The owner's energy supplier (a participant holding `retailer`), who may then see the
// asset's trades; null removes it.
Status checked_supplier(const StateOverlay& state, const Json& supplier) {
  if (supplier.is_null()) return ok_status();
  auto key = payload_key(Json{{"supplier", supplier}}, "supplier");
  if (!key) return key.rejection();
  auto participant = read_json(state, keys::participant(*key));
  if (!participant || !holds_role(*participant, "retailer")) {
    return reject("asset.not_retailer", "supplier must be a participant holding the retailer role");
  }
  return ok_status();
}

// Checks the members present in `payload` and copies them into `asset`.
Status merge_asset_fields(const StateOverlay& state, const Json& payload, Json& asset) {
  if (payload.contains("name")) {
    auto name = payload_text(payload, "name", max_name_bytes);
    if (!name) return name.rejection();
    asset["name"] = *name;
  }
  if (payload.contains("technology")) {
    if (!one_of(payload["technology"], technologies)) {
      return invalid("technology must be pv, battery, ev_charger, heat_pump, flexible_load or other");
    }
    asset["technology"] = payload["technology"];
  }
  for (const char* field : {"max_up_w", "max_down_w", "connection_w"}) {
    if (!payload.contains(field)) continue;
    auto value = payload_integer(payload, field, 0, market_limits::max_power_w);
    if (!value) return invalid(std::string(field) + " must be an integer of watts in [0, 10^12]");
    asset[field] = *value;
  }
  if (payload.contains("storage_wh")) {
    auto value = payload_integer(payload, "storage_wh", 0, market_limits::max_energy_wh);
    if (!value) return invalid("storage_wh must be an integer of watt-hours in [0, 10^15]");
    asset["storage_wh"] = *value;
  }
  if (payload.contains("metering_point_id")) {
    if (!payload["metering_point_id"].is_string() || !is_metering_point_id(payload["metering_point_id"].get<std::string>())) {
      return invalid("metering_point_id must be 1 to 64 characters of [A-Za-z0-9._:-]");
    }
    asset["metering_point_id"] = payload["metering_point_id"];
  }
  if (payload.contains("sub_metering_point_id")) {
    const Json& sub = payload["sub_metering_point_id"];
    if (sub.is_null()) {
      asset.erase("sub_metering_point_id");
    } else if (!sub.is_string() || !is_metering_point_id(sub.get<std::string>())) {
      return invalid("sub_metering_point_id must be 1 to 64 characters of [A-Za-z0-9._:-], or null to remove it");
    } else {
      asset["sub_metering_point_id"] = sub;
    }
  }
  if (asset.contains("sub_metering_point_id") && asset["sub_metering_point_id"] == asset["metering_point_id"]) {
    return invalid("sub_metering_point_id must differ from metering_point_id");
  }
  if (payload.contains("zone_id")) {
    auto zone_id = payload_identifier(payload, "zone_id");
    if (!zone_id) return zone_id.rejection();
    if (!state.get(keys::zone(*zone_id))) return reject("zone.unknown", "no zone '" + *zone_id + "'");
    asset["zone_id"] = *zone_id;
  }
  if (payload.contains("supplier")) {
    if (auto supplier = checked_supplier(state, payload["supplier"]); !supplier) return supplier.rejection();
    if (payload["supplier"].is_null()) {
      asset.erase("supplier");
    } else {
      asset["supplier"] = payload["supplier"];
    }
  }
  if (payload.contains("property")) {
    auto property = checked_property(payload["property"]);
    if (!property) return property.rejection();
    asset["property"] = *property;
  }
  if (asset["connection_w"].get<std::int64_t>() <= 0) return invalid("connection_w must be positive");
  if (asset["max_up_w"].get<std::int64_t>() <= 0 && asset["max_down_w"].get<std::int64_t>() <= 0) {
    return invalid("an asset offers some power: max_up_w or max_down_w must be positive");
  }
  return ok_status();
}

// Claims one of the asset's metering points. A point keeps the kind it was first claimed as
// (meter_kind/<id>, never erased): readings a seller wrote to its sub-meter must never become
// a main meter's history, nor a metering company's readings a sub-meter's.
// Codes: asset.duplicate_metering_point, asset.meter_kind_mismatch.
Status claim_metering_point(StateOverlay& state, const std::string& metering_point_id, const std::string& asset_id,
                            const std::string& kind) {
  if (auto holder = read_json(state, keys::metering_point(metering_point_id)); holder && *holder != asset_id) {
    return reject("asset.duplicate_metering_point", "metering point '" + metering_point_id + "' already backs asset '" +
                                                         holder->get<std::string>() + "'");
  }
  const std::string kind_key = "meter_kind/" + metering_point_id;
  if (auto first_kind = read_json(state, kind_key); first_kind && *first_kind != kind) {
    return reject("asset.meter_kind_mismatch", "metering point '" + metering_point_id + "' was first used as a " +
                                                   (*first_kind == "sub" ? "seller's sub-meter" : "main meter") +
                                                   " and stays one");
  }
  write_json(state, kind_key, kind);
  write_json(state, keys::metering_point(metering_point_id), asset_id);
  return ok_status();
}

// The largest power committed to contracts in a direction, over the ISPs from `from` on
// (past ISPs are history: a maximum may change after them).
std::int64_t max_committed_w(const StateOverlay& state, const std::string& asset_id, const std::string& direction,
                             std::int64_t from) {
  const std::string prefix = "commitment/" + asset_id + "/" + direction + "/";
  std::int64_t largest = 0;
  for (auto key = state.first_key_from(prefix + padded_time(from)); key && key->starts_with(prefix);
       key = state.first_key_from(*key + '\0')) {
    largest = std::max(largest, read_json(state, *key)->get<std::int64_t>());
  }
  return largest;
}

// The asset, if the signer owns it. Codes: payload.invalid, asset.unknown, asset.not_owner.
Result<Json> owned_asset(const StateOverlay& state, const Json& payload, const PublicKey& signer) {
  auto asset_id = payload_identifier(payload, "asset_id");
  if (!asset_id) return asset_id.rejection();
  auto asset = read_asset(state, *asset_id);
  if (!asset) return reject("asset.unknown", "no asset '" + *asset_id + "'");
  if ((*asset)["owner"] != to_hex(signer)) return reject("asset.not_owner", "asset '" + *asset_id + "' belongs to another participant");
  return *asset;
}

}  // namespace

std::optional<Json> read_asset(const StateOverlay& state, const std::string& asset_id) {
  return read_json(state, keys::asset(asset_id));
}

Status check_acts_for_asset(const StateOverlay& state, const Json& asset, const PublicKey& signer) {
  if (asset["owner"] == to_hex(signer)) return ok_status();
  const std::string asset_id = asset["asset_id"].get<std::string>();
  auto participant = read_json(state, keys::participant(signer));
  if (!state.get(keys::consent(asset_id, signer)) || !participant || !holds_role(*participant, "aggregator")) {
    return reject("asset.no_consent", "the owner of asset '" + asset_id + "' has not consented to this participant as an aggregator");
  }
  return ok_status();
}

Status check_asset_usable(const StateOverlay& state, const Json& asset, const PublicKey& seller,
                          const std::string& zone_id) {
  const std::string asset_id = asset["asset_id"].get<std::string>();
  if (asset["zone_id"] != zone_id) {
    return reject("asset.zone_mismatch", "asset '" + asset_id + "' is not in zone '" + zone_id + "'");
  }
  if (auto status = check_acts_for_asset(state, asset, seller); !status) return status;
  if (market_param(state, "require_prequalification").get<bool>() &&
      asset["prequalification"]["status"] != "qualified") {
    return reject("asset.not_prequalified", "asset '" + asset_id + "' is not prequalified by its zone's DSO");
  }
  return ok_status();
}

std::int64_t asset_max_power_w(const Json& asset, const std::string& direction) {
  return asset[direction == "up" ? "max_up_w" : "max_down_w"].get<std::int64_t>();
}

std::string commitment_key(const std::string& asset_id, const std::string& direction, std::int64_t isp_start) {
  return "commitment/" + asset_id + "/" + direction + "/" + padded_time(isp_start);
}

std::int64_t committed_power_w(const StateOverlay& state, const std::string& asset_id, const std::string& direction,
                               std::int64_t isp_start) {
  auto stored = read_json(state, commitment_key(asset_id, direction, isp_start));
  return stored ? stored->get<std::int64_t>() : 0;
}

Status register_asset(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto asset_id = payload_identifier(payload, "asset_id");
  if (!asset_id) return asset_id.rejection();
  for (const char* field : {"name", "technology", "max_up_w", "max_down_w", "storage_wh", "connection_w",
                            "metering_point_id", "zone_id"}) {
    if (!payload.contains(field)) return reject("payload.invalid", std::string(field) + " is required");
  }
  Json asset{{"asset_id", *asset_id},
             {"owner", to_hex(context.transaction.signer)},
             {"prequalification", Json{{"status", "pending"}}},
             {"property", Json::object()},
             {"registered_at", context.block.time}};
  if (auto status = merge_asset_fields(context.state, payload, asset); !status) return status;
  if (context.state.get(keys::asset(*asset_id))) return reject("asset.exists", "asset '" + *asset_id + "' exists");
  for (const auto& [point, kind] : metering_points(asset)) {
    if (auto status = claim_metering_point(context.state, point, *asset_id, kind); !status) return status;
  }
  write_json(context.state, keys::asset(*asset_id), asset);
  return ok_status();
}

Status update_asset(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto asset = owned_asset(context.state, payload, context.transaction.signer);
  if (!asset) return asset.rejection();
  if (std::none_of(updatable_fields.begin(), updatable_fields.end(), [&](const char* field) { return payload.contains(field); })) {
    return reject("payload.invalid", "give at least one member to change");
  }
  Json updated = *asset;
  if (auto status = merge_asset_fields(context.state, payload, updated); !status) return status;
  const std::string asset_id = updated["asset_id"].get<std::string>();
  for (const char* direction : {"up", "down"}) {
    std::int64_t isp_seconds = market_isp_seconds(context.state);
    std::int64_t current_isp = context.block.time / isp_seconds * isp_seconds;
    std::int64_t committed = max_committed_w(context.state, asset_id, direction, current_isp);
    if (asset_max_power_w(updated, direction) < committed) {
      return reject("asset.capacity_committed", "asset '" + asset_id + "' has " + std::to_string(committed) +
                                                    " W committed " + direction + " in some ISP");
    }
  }
  // Release the points the asset no longer uses, then claim its points (a point kept stays
  // with the asset; a point cannot change kind, so main and sub-meter cannot swap).
  const auto old_points = metering_points(*asset), new_points = metering_points(updated);
  // Contracts not yet final name the asset's meters as their proof: they stay until then.
  const std::string contracts = "asset_contract/" + asset_id + "/";
  if (old_points != new_points) {
    if (auto key = context.state.first_key_from(contracts); key && key->starts_with(contracts)) {
      return reject("asset.meter_in_use", "contract '" + key->substr(contracts.size()) +
                                              "' proves delivery with this asset's meters until its settlement is final");
    }
  }
  for (const auto& [point, kind] : old_points) {
    if (std::none_of(new_points.begin(), new_points.end(), [&](const auto& kept) { return kept.first == point; })) {
      context.state.erase(keys::metering_point(point));
    }
  }
  for (const auto& [point, kind] : new_points) {
    if (auto status = claim_metering_point(context.state, point, asset_id, kind); !status) return status;
  }
  bool technical_change = std::any_of(technical_fields.begin(), technical_fields.end(), [&](const char* field) {
    return updated.value(field, Json()) != asset->value(field, Json());
  });
  if (technical_change) updated["prequalification"] = Json{{"status", "pending"}};
  write_json(context.state, keys::asset(asset_id), updated);
  return ok_status();
}

Status record_consent(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto asset = owned_asset(context.state, payload, context.transaction.signer);
  if (!asset) return asset.rejection();
  auto aggregator = payload_key(payload, "aggregator");
  if (!aggregator) return aggregator.rejection();
  if (!payload.contains("granted") || !payload["granted"].is_boolean()) {
    return reject("payload.invalid", "granted must be true or false");
  }
  const std::string asset_id = (*asset)["asset_id"].get<std::string>();
  const std::string key = keys::consent(asset_id, *aggregator);
  bool granted = payload["granted"].get<bool>();
  if (granted) {
    auto participant = read_json(context.state, keys::participant(*aggregator));
    if (!participant || !holds_role(*participant, "aggregator") || *aggregator == context.transaction.signer) {
      return reject("asset.not_aggregator", to_hex(*aggregator) + " is not another participant with the aggregator role");
    }
  }
  if (context.state.get(key).has_value() == granted) {
    return reject("asset.consent_unchanged", std::string("consent is already ") + (granted ? "granted" : "absent"));
  }
  if (granted) {
    write_json(context.state, key, Json{{"granted_at", context.block.time}});
  } else {
    context.state.erase(key);  // contracts already made stand; no new offer or match may use it
  }
  return ok_status();
}

Status prequalify_asset(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto asset_id = payload_identifier(payload, "asset_id");
  if (!asset_id) return asset_id.rejection();
  if (!payload.contains("decision") || (payload["decision"] != "qualified" && payload["decision"] != "rejected")) {
    return reject("payload.invalid", "decision must be qualified or rejected");
  }
  Json decision{{"decided_at", context.block.time}, {"status", payload["decision"]}};
  if (payload.contains("reason") || payload["decision"] == "rejected") {
    auto reason = payload_text(payload, "reason", max_reason_bytes);
    if (!reason) return reason.rejection();
    decision["reason"] = *reason;
  }
  auto asset = read_asset(context.state, *asset_id);
  if (!asset) return reject("asset.unknown", "no asset '" + *asset_id + "'");
  auto zone = read_json(context.state, keys::zone((*asset)["zone_id"].get<std::string>()));
  if ((*zone)["dso"] != to_hex(context.transaction.signer)) {
    return reject("zone.not_owner", "only the DSO of zone '" + (*asset)["zone_id"].get<std::string>() +
                                        "' prequalifies its assets");
  }
  (*asset)["prequalification"] = decision;
  write_json(context.state, keys::asset(*asset_id), *asset);
  return ok_status();
}

}  // namespace flex
