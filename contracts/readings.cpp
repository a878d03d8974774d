// Meter readings (DESIGN.md §2.8), submitted in signed batches.
//   meter.submit {"readings":[{"export_wh":N,"import_wh":N,"isp_start":T,"metering_point_id":M,
//                              "quality":"measured"|"estimated"},...]}
// Metering participants submit readings of any metering point; a seller submits readings of
// the sub-meters of assets it acts for (the owner, or an aggregator with consent), which count
// only for contracts whose offer named the sub-meter. A batch is accepted whole or not at all.
// A reading for an ISP already read is a correction: a new version that replaces the old one.
// After the batch, every contract of the assets read whose period is over is settled if its
// readings are now complete, and every settled contract not yet final whose ISPs or baseline
// history the batch read is re-run.
//
// One state entry holds one UTC day of a metering point, so that a settlement reads a day of
// history with one lookup and one parse, and the state holds days rather than ISPs:
//   meter_day/<metering point>/<day start, 16 digits>
//     {"isps":[null | [import_wh, export_wh, "m"|"e", version, recorded_at, submitter], ...],
//      "submitters":[HEX64, ...]}
// with one slot per ISP of the day (86400 / isp_seconds), null where unread; "m" is measured,
// "e" estimated; submitter indexes "submitters", the day's submitting keys in order of first use.
#include "contracts/readings.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "contracts/assets.hpp"
#include "contracts/market.hpp"
#include "contracts/settlement.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

constexpr std::size_t max_readings_per_batch = 1000;
constexpr std::int64_t seconds_per_day = 86'400;

__extension__ using Wide = unsigned __int128;

// A metering point's asset, whether the signer may read it, and its reading ceiling in Wh.
struct PointCheck {
  std::string asset_id;
  bool allowed = false;
  Wide ceiling = 0;
};

// Reads each slot's import and export Wh from a meter_day entry's canonical text,
// {"isps":[null,[I,E,"m",V,T,S],...],...}, without building a JSON tree: settlement reads
// many days of history per contract. False when the text is not in that layout.
bool scan_day_energy(std::string_view text, std::vector<std::optional<std::pair<std::int64_t, std::int64_t>>>& slots) {
  slots.clear();
  constexpr std::string_view head = "{\"isps\":[";
  if (!text.starts_with(head)) return false;
  std::size_t at = head.size();
  auto number = [&](std::int64_t& value) {
    auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
    if (error != std::errc()) return false;
    at = static_cast<std::size_t>(end - text.data());
    return true;
  };
  while (at < text.size()) {
    if (text.substr(at, 4) == "null") {
      slots.emplace_back();
      at += 4;
    } else if (text[at] == '[') {
      ++at;
      std::int64_t import_wh = 0, export_wh = 0;
      if (!number(import_wh) || at >= text.size() || text[at] != ',') return false;
      ++at;
      if (!number(export_wh)) return false;
      at = text.find(']', at);  // the rest of the slot holds no bracket
      if (at == std::string_view::npos) return false;
      ++at;
      slots.emplace_back(std::pair{import_wh, export_wh});
    } else {
      return false;
    }
    if (at < text.size() && text[at] == ']') return true;
    if (at >= text.size() || text[at] != ',') return false;
    ++at;
  }
  return false;
}

// The index of `key` in a day's submitters, appended on first use.
std::int64_t submitter_index(Json& submitters, const std::string& key) {
  for (std::size_t i = 0; i < submitters.size(); ++i) {
    if (submitters[i] == key) return static_cast<std::int64_t>(i);
  }
  submitters.push_back(key);
  return static_cast<std::int64_t>(submitters.size() - 1);
}

Rejection bad_reading(std::size_t index, const std::string& code, const std::string& why) {
  return reject(code, "reading " + std::to_string(index) + ": " + why);
}

}  // namespace

std::string meter_day_key(const std::string& metering_point_id, std::int64_t day_start) {
  return "meter_day/" + metering_point_id + "/" + padded_time(day_start);
}

std::optional<MeterReading> read_meter_reading(const StateOverlay& state, const std::string& metering_point_id,
                                               std::int64_t isp_start, std::int64_t isp_seconds) {
  const std::int64_t day_start = isp_start - isp_start % seconds_per_day;
  auto day = read_json(state, meter_day_key(metering_point_id, day_start));
  if (!day) return std::nullopt;
  const Json& slot = (*day)["isps"][static_cast<std::size_t>((isp_start - day_start) / isp_seconds)];
  if (slot.is_null()) return std::nullopt;
  return MeterReading{slot[0].get<std::int64_t>(),
                      slot[1].get<std::int64_t>(),
                      slot[2] == "m" ? "measured" : "estimated",
                      slot[3].get<std::int64_t>(),
                      slot[4].get<std::int64_t>(),
                      (*day)["submitters"][slot[5].get<std::size_t>()].get<std::string>()};
}

void read_net_power_series(const StateOverlay& state, const std::string& metering_point_id, std::int64_t from,
                           std::int64_t to, std::int64_t isp_seconds, IspSeries& series) {
  std::vector<std::optional<std::pair<std::int64_t, std::int64_t>>> slots;
  for (std::int64_t day_start = from - from % seconds_per_day; day_start < to; day_start += seconds_per_day) {
    auto text = state.get(meter_day_key(metering_point_id, day_start));
    if (!text) continue;
    if (!scan_day_energy(*text, slots)) {  // not the canonical layout this file writes: parse it whole
      slots.clear();
      for (const auto& slot : Json::parse(*text)["isps"]) {
        if (slot.is_null()) slots.emplace_back();
        else slots.emplace_back(std::pair{slot[0].get<std::int64_t>(), slot[1].get<std::int64_t>()});
      }
    }
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const std::int64_t t = day_start + static_cast<std::int64_t>(i) * isp_seconds;
      if (t < from || t >= to || !slots[i]) continue;
      // Wh over the ISP to average W: exact because isp_seconds divides an hour.
      series.set(t, (slots[i]->first - slots[i]->second) * (3600 / isp_seconds));
    }
  }
}

Status submit_readings(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  if (!payload.contains("readings") || !payload["readings"].is_array() || payload["readings"].empty() ||
      payload["readings"].size() > max_readings_per_batch) {
    return reject("payload.invalid", "readings must list 1 to 1000 readings");
  }
  const std::int64_t isp_seconds = market_isp_seconds(context.state);
  const std::int64_t margin_ppm = market_param(context.state, "reading_margin_ppm").get<std::int64_t>();
  const bool metering_role =
      holds_role(*read_json(context.state, keys::participant(context.transaction.signer)), "metering");
  const std::string signer = to_hex(context.transaction.signer);
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> assets_read;  // asset -> first and last ISP read
  std::map<std::string, Json> days;                                          // meter_day key -> its new value
  std::map<std::string, PointCheck> points;
  for (std::size_t i = 0; i < payload["readings"].size(); ++i) {
    const Json& reading = payload["readings"][i];
    if (!reading.is_object()) return bad_reading(i, "payload.invalid", "a reading is an object");
    std::string point = text_member(reading, "metering_point_id");
    auto isp_start = payload_integer(reading, "isp_start", 0, limits::max_json_integer);
    auto import_wh = payload_integer(reading, "import_wh", 0, market_limits::max_energy_wh);
    auto export_wh = payload_integer(reading, "export_wh", 0, market_limits::max_energy_wh);
    std::string quality = text_member(reading, "quality");
    if (!isp_start || !import_wh || !export_wh || (quality != "measured" && quality != "estimated")) {
      return bad_reading(i, "meter.bad_value",
                         "isp_start is UTC seconds, import_wh and export_wh are integers >= 0, quality is measured or estimated");
    }
    // The point's asset and what it allows, looked up once per batch.
    auto known = points.find(point);
    if (known == points.end()) {
      auto asset_id = point.empty() ? std::nullopt : read_json(context.state, keys::metering_point(point));
      if (!asset_id) return bad_reading(i, "meter.unknown_point", "no asset has metering point '" + point + "'");
      Json asset = *read_json(context.state, keys::asset(asset_id->get<std::string>()));
      bool allowed = metering_role || (asset.value("sub_metering_point_id", "") == point &&
                                       check_acts_for_asset(context.state, asset, context.transaction.signer));
      // At most the connection capacity over the whole ISP, plus the market's margin.
      Wide ceiling = static_cast<Wide>(asset["connection_w"].get<std::int64_t>()) * static_cast<Wide>(isp_seconds) *
                     static_cast<Wide>(market_limits::ppm + margin_ppm) / (static_cast<Wide>(3600) * market_limits::ppm);
      known = points.emplace(point, PointCheck{asset_id->get<std::string>(), allowed, ceiling}).first;
    }
    const PointCheck& check = known->second;
    if (*isp_start % isp_seconds != 0) return bad_reading(i, "meter.off_grid", "isp_start is not on the ISP grid");
    if (*isp_start + isp_seconds > context.block.time) {
      return bad_reading(i, "meter.future", "the ISP has not ended at the block time");
    }
    if (!check.allowed) {
      return bad_reading(i, "auth.role_required",
                         "only a metering participant submits readings of '" + point +
                             "'; a seller submits only the sub-meters of assets it acts for");
    }
    if (static_cast<Wide>(*import_wh) > check.ceiling || static_cast<Wide>(*export_wh) > check.ceiling) {
      return bad_reading(i, "meter.absurd", "a value exceeds the connection capacity over the ISP plus the margin");
    }
    // Each day entry is read and parsed once per batch, and written once after it.
    const std::int64_t day_start = *isp_start - *isp_start % seconds_per_day;
    auto [day, first_use] = days.try_emplace(meter_day_key(point, day_start));
    if (first_use) {
      auto stored = read_json(context.state, day->first);
      day->second = stored ? std::move(*stored)
                           : Json{{"isps", Json(static_cast<std::size_t>(seconds_per_day / isp_seconds), Json())},
                                  {"submitters", Json::array()}};
    }
    Json& slot = day->second["isps"][static_cast<std::size_t>((*isp_start - day_start) / isp_seconds)];
    const std::int64_t version = slot.is_null() ? 1 : slot[3].get<std::int64_t>() + 1;
    slot = Json::array({*import_wh, *export_wh, quality == "measured" ? "m" : "e", version, context.block.time,
                        submitter_index(day->second["submitters"], signer)});
    auto [range, added] = assets_read.try_emplace(check.asset_id, *isp_start, *isp_start);
    range->second.first = std::min(range->second.first, *isp_start);
    range->second.second = std::max(range->second.second, *isp_start);
  }
  for (const auto& [key, day] : days) write_json(context.state, key, day);
  for (const auto& [asset_id, range] : assets_read) {
    settle_completed_contracts(context.state, asset_id, range.first, range.second, context.block.time);
  }
  return ok_status();
}

}  // namespace flex
