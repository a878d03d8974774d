// Congestion zones and their outlook, kept by the zone's DSO.
//   zone.create  {"export_limit_w":N,"import_limit_w":N,"kind":K,"name":S,"polygon":P,
//                 "postcodes":[S...]?,"zone_id":ID}
//   zone.update  the same members, zone_id required, the others optional
//   zone.outlook {"direction":"up"|"down","points":[[START,NEED_W],...],
//                 "resolution":"isp"|"hour"|"day"|"month","zone_id":ID}
// K is substation_area, feeder or postcode_set. P is a GeoJSON Polygon whose positions are
// [longitude, latitude] in integer micro-degrees (no floats in signed data): rings closed,
// bounded in count and size. An outlook replaces the series for its direction and
// resolution; starts rise strictly, sit on the resolution's grid (UTC) and reach at most
// five years past the block time.
#include <algorithm>
#include <array>

#include "contracts/handlers.hpp"
#include "contracts/market.hpp"
#include "contracts/state_keys.hpp"

namespace flex {
namespace {

constexpr std::size_t max_name_bytes = 200;
constexpr std::size_t max_rings = 16;
constexpr std::size_t max_ring_positions = 2000;
constexpr std::size_t max_polygon_positions = 5000;
constexpr std::size_t max_postcodes = 500;
constexpr std::size_t max_postcode_bytes = 16;
constexpr std::size_t max_outlook_points = 2000;
constexpr std::int64_t micro_degrees = 1'000'000;
constexpr std::int64_t max_limit_w = 1'000'000'000'000;  // 1 TW: far above any distribution zone
constexpr std::int64_t outlook_horizon_seconds = 5 * 366 * 86400;
constexpr std::array<std::string_view, 3> zone_kinds = {"substation_area", "feeder", "postcode_set"};

Rejection invalid(const std::string& why) { return reject("zone.invalid", why); }

Status check_position(const Json& position) {
  if (!position.is_array() || position.size() != 2 || !position[0].is_number_integer() ||
      !position[1].is_number_integer()) {
    return reject("zone.bad_polygon", "a position is [longitude, latitude] in integer micro-degrees");
  }
  std::int64_t longitude = position[0].get<std::int64_t>(), latitude = position[1].get<std::int64_t>();
  if (longitude < -180 * micro_degrees || longitude > 180 * micro_degrees || latitude < -90 * micro_degrees ||
      latitude > 90 * micro_degrees) {
    return reject("zone.bad_polygon", "a position lies outside [-180, 180] x [-90, 90] degrees");
  }
  return ok_status();
}

// GeoJSON (RFC 7946 §3.1.6) Polygon: linear rings of 4 or more positions, first = last.
Status check_polygon(const Json& polygon) {
  if (!polygon.is_object() || polygon.size() != 2 || text_member(polygon, "type") != "Polygon" ||
      !polygon.contains("coordinates") || !polygon["coordinates"].is_array()) {
    return reject("zone.bad_polygon", "polygon must be {\"coordinates\":[ring,...],\"type\":\"Polygon\"}");
  }
  const Json& rings = polygon["coordinates"];
  if (rings.empty() || rings.size() > max_rings) {
    return reject("zone.bad_polygon", "a polygon has 1 to 16 rings");
  }
  std::size_t total = 0;
  for (const auto& ring : rings) {
    if (!ring.is_array() || ring.size() < 4 || ring.size() > max_ring_positions) {
      return reject("zone.bad_polygon", "a ring has 4 to 2000 positions");
    }
    total += ring.size();
    if (total > max_polygon_positions) return reject("zone.bad_polygon", "a polygon has at most 5000 positions");
    for (const auto& position : ring) {
      if (auto status = check_position(position); !status) return status;
    }
    if (ring.front() != ring.back()) return reject("zone.bad_polygon", "a ring must end where it starts");
  }
  return ok_status();
}

Status check_limit(const Json& payload, const char* field) {
  if (!payload.contains(field) || !payload[field].is_number_integer() || payload[field].get<std::int64_t>() < 0 ||
      payload[field].get<std::int64_t>() > max_limit_w) {
    return invalid(std::string(field) + " must be an integer of watts in [0, 10^12]");
  }
  return ok_status();
}

Status check_postcodes(const Json& postcodes) {
  if (!postcodes.is_array() || postcodes.empty() || postcodes.size() > max_postcodes) {
    return invalid("postcodes must be an array of 1 to 500 strings");
  }
  for (const auto& postcode : postcodes) {
    if (!postcode.is_string() || postcode.get_ref<const std::string&>().empty() ||
        postcode.get_ref<const std::string&>().size() > max_postcode_bytes) {
      return invalid("a postcode is a string of 1 to 16 bytes");
    }
  }
  return ok_status();
}

// Checks the members present in `payload` and copies them into `zone`.
Status merge_zone_fields(const Json& payload, Json& zone) {
  if (payload.contains("name")) {
    auto name = payload_text(payload, "name", max_name_bytes);
    if (!name) return name.rejection();
    zone["name"] = *name;
  }
  if (payload.contains("kind")) {
    if (!payload["kind"].is_string() ||
        std::find(zone_kinds.begin(), zone_kinds.end(), payload["kind"].get_ref<const std::string&>()) ==
            zone_kinds.end()) {
      return invalid("kind must be substation_area, feeder or postcode_set");
    }
    zone["kind"] = payload["kind"];
  }
  if (payload.contains("polygon")) {
    if (auto status = check_polygon(payload["polygon"]); !status) return status;
    zone["polygon"] = payload["polygon"];
  }
  for (const char* field : {"import_limit_w", "export_limit_w"}) {
    if (!payload.contains(field)) continue;
    if (auto status = check_limit(payload, field); !status) return status;
    zone[field] = payload[field];
  }
  if (payload.contains("postcodes")) {
    if (auto status = check_postcodes(payload["postcodes"]); !status) return status;
    zone["postcodes"] = payload["postcodes"];
  }
  if (zone.value("kind", "") == "postcode_set" && !zone.contains("postcodes")) {
    return invalid("a postcode_set zone lists its postcodes");
  }
  return ok_status();
}

Result<std::string> payload_zone_id(const Json& payload) {
  if (!payload.contains("zone_id") || !payload["zone_id"].is_string() ||
      !is_identifier(payload["zone_id"].get_ref<const std::string&>())) {
    return reject("payload.invalid", "zone_id must be an identifier [a-z0-9._-]{1,64}");
  }
  return payload["zone_id"].get<std::string>();
}

// The zone, if the signer is its DSO. Codes: zone.unknown, zone.not_owner.
Result<Json> owned_zone(const StateOverlay& state, const std::string& zone_id, const PublicKey& signer) {
  auto zone = read_json(state, keys::zone(zone_id));
  if (!zone) return reject("zone.unknown", "no zone '" + zone_id + "'");
  if ((*zone)["dso"] != to_hex(signer)) return reject("zone.not_owner", "zone '" + zone_id + "' belongs to another DSO");
  return *zone;
}

bool on_grid(std::int64_t start, const std::string& resolution, std::int64_t isp_seconds) {
  if (start < 0) return false;
  if (resolution == "isp") return start % isp_seconds == 0;
  if (resolution == "hour") return start % 3600 == 0;
  if (resolution == "day") return start % 86400 == 0;
  std::int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(start / 86400, year, month, day);
  return start % 86400 == 0 && day == 1;  // "month": midnight UTC on the first
}

}  // namespace

Status create_zone(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto zone_id = payload_zone_id(payload);
  if (!zone_id) return zone_id.rejection();
  for (const char* field : {"name", "kind", "polygon", "import_limit_w", "export_limit_w"}) {
    if (!payload.contains(field)) return invalid(std::string("missing ") + field);
  }
  Json zone{{"dso", to_hex(context.transaction.signer)}};
  if (auto status = merge_zone_fields(payload, zone); !status) return status;
  if (context.state.get(keys::zone(*zone_id))) return reject("zone.exists", "zone '" + *zone_id + "' exists");
  write_json(context.state, keys::zone(*zone_id), zone);
  return ok_status();
}

Status update_zone(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto zone_id = payload_zone_id(payload);
  if (!zone_id) return zone_id.rejection();
  auto zone = owned_zone(context.state, *zone_id, context.transaction.signer);
  if (!zone) return zone.rejection();
  if (auto status = merge_zone_fields(payload, *zone); !status) return status;
  write_json(context.state, keys::zone(*zone_id), *zone);
  return ok_status();
}

Status publish_outlook(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto zone_id = payload_zone_id(payload);
  if (!zone_id) return zone_id.rejection();
  std::string direction = text_member(payload, "direction");
  std::string resolution = text_member(payload, "resolution");
  if (direction != "up" && direction != "down") return reject("payload.invalid", "direction must be up or down");
  if (resolution != "isp" && resolution != "hour" && resolution != "day" && resolution != "month") {
    return reject("payload.invalid", "resolution must be isp, hour, day or month");
  }
  if (!payload.contains("points") || !payload["points"].is_array() || payload["points"].size() > max_outlook_points) {
    return reject("payload.invalid", "points must be an array of at most 2000 [start, need_w] pairs");
  }
  auto zone = owned_zone(context.state, *zone_id, context.transaction.signer);
  if (!zone) return zone.rejection();
  std::int64_t isp_seconds = read_json(context.state, keys::params)->at("isp_seconds").get<std::int64_t>();
  std::int64_t previous_start = -1;
  for (const auto& point : payload["points"]) {
    if (!point.is_array() || point.size() != 2 || !point[0].is_number_integer() || !point[1].is_number_integer() ||
        point[1].get<std::int64_t>() < 0 || point[1].get<std::int64_t>() > max_limit_w) {
      return reject("outlook.bad_point", "a point is [start UTC seconds, need in W in [0, 10^12]]");
    }
    std::int64_t start = point[0].get<std::int64_t>();
    if (!on_grid(start, resolution, isp_seconds)) {
      return reject("outlook.off_grid", "start " + std::to_string(start) + " is not on the " + resolution + " grid");
    }
    if (start <= previous_start) return reject("outlook.unordered", "starts must rise strictly");
    if (start > context.block.time + outlook_horizon_seconds) {
      return reject("outlook.beyond_horizon", "start " + std::to_string(start) + " is more than five years ahead");
    }
    previous_start = start;
  }
  write_json(context.state, keys::zone_outlook(*zone_id, direction, resolution), payload["points"]);
  return ok_status();
}

}  // namespace flex
