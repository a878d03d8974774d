#include "api/access.hpp"

#include "contracts/state_keys.hpp"

namespace flex::api {
namespace {

constexpr std::array<std::string_view, 2> read_only_roles = {"auditor", "regulator"};
// Organisations whose identity every participant may see; households (prosumers) stay private.
constexpr std::array<std::string_view, 6> public_roles = {"aggregator", "dso", "metering", "operator", "retailer", "tso"};

std::string text(const Json& record, const char* field) { return record.value(field, std::string()); }

}  // namespace

Json apply_hidden(Json record, const Hidden& hidden) {
  for (const auto& member : hidden.redacted) {
    if (record.contains(member)) record[member] = "redacted";
  }
  for (const auto& member : hidden.removed) record.erase(member);
  return record;
}

Viewer make_viewer(const State& state, const Session& session, bool node_holds_key) {
  Viewer viewer{session.user, session.participant, to_hex(session.participant), {}, false};
  auto stored = state.get(keys::participant(session.participant));
  if (!stored) return viewer;
  Json record = Json::parse(*stored);
  for (const auto& role : record["roles"]) viewer.roles.insert(role.get<std::string>());
  bool writes = std::any_of(viewer.roles.begin(), viewer.roles.end(), [](const std::string& role) {
    return std::find(read_only_roles.begin(), read_only_roles.end(), role) == read_only_roles.end();
  });
  viewer.can_sign = node_holds_key && writes;
  return viewer;
}

std::optional<Json> Access::read(const std::string& key) const {
  auto stored = state_.get(key);
  if (!stored) return std::nullopt;
  return Json::parse(*stored);
}

bool Access::acts_for_asset(const Json& asset) const {
  if (text(asset, "owner") == viewer_.participant_hex) return true;
  return viewer_.has("aggregator") && state_.get("consent/" + text(asset, "asset_id") + "/" + viewer_.participant_hex);
}

bool Access::dso_of_zone(const std::string& zone_id) const {
  if (!viewer_.has("dso")) return false;
  if (auto known = dso_of_zone_.find(zone_id); known != dso_of_zone_.end()) return known->second;
  auto zone = read(keys::zone(zone_id));  // a zone record holds its polygon: parse it once per request
  bool answer = zone && text(*zone, "dso") == viewer_.participant_hex;
  dso_of_zone_.emplace(zone_id, answer);
  return answer;
}

bool Access::has_assets_in_zone(const std::string& zone_id) const {
  if (!viewer_.is_seller()) return false;
  if (!zones_with_my_assets_) {
    zones_with_my_assets_.emplace();
    const auto& entries = state_.entries();
    for (auto it = entries.lower_bound("asset/"); it != entries.end() && it->first.starts_with("asset/"); ++it) {
      Json asset = Json::parse(it->second);
      if (acts_for_asset(asset)) zones_with_my_assets_->insert(text(asset, "zone_id"));
    }
  }
  return zones_with_my_assets_->contains(zone_id);
}

bool Access::is_supplier_of(const Json& asset) const {
  return viewer_.has("retailer") && text(asset, "supplier") == viewer_.participant_hex;
}

bool Access::bought_from_seller(const std::string& seller_hex) const {
  if (!sellers_bought_from_) {
    sellers_bought_from_.emplace();
    if (viewer_.has("dso") || viewer_.has("tso") || viewer_.has("retailer")) {
      const auto& entries = state_.entries();
      for (auto it = entries.lower_bound("contract/"); it != entries.end() && it->first.starts_with("contract/"); ++it) {
        Json contract = Json::parse(it->second);
        if (text(contract, "buyer") == viewer_.participant_hex) sellers_bought_from_->insert(text(contract, "seller"));
      }
    }
  }
  return sellers_bought_from_->contains(seller_hex);
}

bool Access::participant(const Json& participant) const {
  if (viewer_.reads_all() || text(participant, "public_key") == viewer_.participant_hex) return true;
  for (const auto& role : participant["roles"]) {
    if (std::find(public_roles.begin(), public_roles.end(), role.get<std::string>()) != public_roles.end()) return true;
  }
  return false;
}

bool Access::asset(const Json& asset) const {
  return viewer_.reads_all() || acts_for_asset(asset) || dso_of_zone(text(asset, "zone_id")) || is_supplier_of(asset);
}

bool Access::offer(const Json& offer) const {
  if (viewer_.reads_all() || text(offer, "seller") == viewer_.participant_hex || viewer_.has("tso")) return true;
  std::string zone_id = text(offer, "zone_id");
  return dso_of_zone(zone_id) || has_assets_in_zone(zone_id);
}

bool Access::request(const Json& request) const {
  if (viewer_.reads_all() || text(request, "buyer") == viewer_.participant_hex || viewer_.has("tso")) return true;
  std::string zone_id = text(request, "zone_id");
  // Sellers see the open requests of their zones: what they could still sell to.
  return dso_of_zone(zone_id) || (text(request, "status") == "open" && has_assets_in_zone(zone_id));
}

bool Access::contract(const Json& contract) const {
  if (viewer_.reads_all() || text(contract, "buyer") == viewer_.participant_hex ||
      text(contract, "seller") == viewer_.participant_hex) {
    return true;
  }
  // An asset's owner and its supplier see the contracts the asset delivers under.
  for (const auto& [asset_id, shares] : contract["allocation"].items()) {
    auto asset = read(keys::asset(asset_id));
    if (asset && (text(*asset, "owner") == viewer_.participant_hex || is_supplier_of(*asset))) return true;
  }
  return false;
}

bool Access::settlement(const Json& settlement) const {
  auto contract_record = read(keys::contract(text(settlement, "contract_id")));
  return contract_record && contract(*contract_record);
}

bool Access::account(const std::string& participant_hex) const {
  return viewer_.reads_all() || participant_hex == viewer_.participant_hex;
}

bool Access::metering_point(const std::string& metering_point_id) const {
  if (viewer_.reads_all() || viewer_.has("metering")) return true;
  auto asset_id = read(keys::metering_point(metering_point_id));
  if (!asset_id || !asset_id->is_string()) return false;
  auto asset_record = read(keys::asset(asset_id->get<std::string>()));
  return asset_record && asset(*asset_record);
}

bool Access::sees_submitters(const std::string& metering_point_id) const {
  if (viewer_.reads_all() || viewer_.has("metering")) return true;
  auto asset_id = read(keys::metering_point(metering_point_id));
  if (!asset_id || !asset_id->is_string()) return false;
  auto asset_record = read(keys::asset(asset_id->get<std::string>()));
  return asset_record && acts_for_asset(*asset_record);
}

bool Access::full_order_book(const std::string& zone_id) const {
  return viewer_.reads_all() || viewer_.has("tso") || dso_of_zone(zone_id) || has_assets_in_zone(zone_id);
}

Hidden Access::hidden_in_offer(const Json& offer) const {
  std::string seller = text(offer, "seller");
  if (viewer_.reads_all() || seller == viewer_.participant_hex || bought_from_seller(seller)) return {};
  return Hidden{{"seller"}, {"asset_ids"}};
}

Hidden Access::hidden_in_asset(const Json& asset) const {
  std::string owner = text(asset, "owner");
  if (viewer_.reads_all() || acts_for_asset(asset) || is_supplier_of(asset) || bought_from_seller(owner)) return {};
  return Hidden{{"owner"}, {"property"}};  // a DSO sees the assets in its zones, not whose they are
}

}  // namespace flex::api
