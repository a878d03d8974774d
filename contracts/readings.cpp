// Meter readings (DESIGN.md §2.8), submitted in signed batches by metering participants.
//   meter.submit {"readings":[{"export_wh":N,"import_wh":N,"isp_start":T,"metering_point_id":M,
//                              "quality":"measured"|"estimated"},...]}
// Metering participants submit readings of any metering point; a seller submits readings of
// the sub-meters of assets it acts for (the owner, or an aggregator with consent), which count
// only for contracts whose offer named the sub-meter. A batch is accepted whole or not at all. A reading for an ISP already read is a
// correction: a new version that replaces the old one. After the batch, every contract of
// the assets read whose period is over is settled if its readings are now complete, and every
// settled contract not yet final whose ISPs or baseline history the batch read is re-run.
//   reading/<metering point>/<isp start, 16 digits>
//        {"export_wh":N,"import_wh":N,"quality":Q,"recorded_at":T,"submitted_by":HEX64,"version":N}
#include "contracts/readings.hpp"

#include <algorithm>
#include <map>

#include "contracts/assets.hpp"
#include "contracts/market.hpp"
#include "contracts/settlement.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

constexpr std::size_t max_readings_per_batch = 1000;

Rejection bad_reading(std::size_t index, const std::string& code, const std::string& why) {
  return reject(code, "reading " + std::to_string(index) + ": " + why);
}

}  // namespace

std::string reading_key(const std::string& metering_point_id, std::int64_t isp_start) {
  return "reading/" + metering_point_id + "/" + padded_time(isp_start);
}

std::optional<std::int64_t> read_net_power_w(const StateOverlay& state, const std::string& metering_point_id,
                                             std::int64_t isp_start, std::int64_t isp_seconds) {
  auto reading = read_json(state, reading_key(metering_point_id, isp_start));
  if (!reading) return std::nullopt;
  // Wh over the ISP to average W: × 3600 / isp_seconds, exact because isp_seconds divides an hour.
  return ((*reading)["import_wh"].get<std::int64_t>() - (*reading)["export_wh"].get<std::int64_t>()) *
         (3600 / isp_seconds);
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
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> assets_read;  // asset -> first and last ISP read
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
    auto asset_id = read_json(context.state, keys::metering_point(point));
    if (point.empty() || !asset_id) return bad_reading(i, "meter.unknown_point", "no asset has metering point '" + point + "'");
    if (*isp_start % isp_seconds != 0) return bad_reading(i, "meter.off_grid", "isp_start is not on the ISP grid");
    if (*isp_start + isp_seconds > context.block.time) {
      return bad_reading(i, "meter.future", "the ISP has not ended at the block time");
    }
    Json asset = *read_json(context.state, keys::asset(asset_id->get<std::string>()));
    if (!metering_role && (asset.value("sub_metering_point_id", "") != point ||
                           !check_acts_for_asset(context.state, asset, context.transaction.signer))) {
      return bad_reading(i, "auth.role_required",
                         "only a metering participant submits readings of '" + point +
                             "'; a seller submits only the sub-meters of assets it acts for");
    }
    // At most the connection capacity over the whole ISP, plus the market's margin.
    __extension__ using Wide = unsigned __int128;
    Wide ceiling = static_cast<Wide>(asset["connection_w"].get<std::int64_t>()) * static_cast<Wide>(isp_seconds) *
                   static_cast<Wide>(market_limits::ppm + margin_ppm) / (static_cast<Wide>(3600) * market_limits::ppm);
    if (static_cast<Wide>(*import_wh) > ceiling || static_cast<Wide>(*export_wh) > ceiling) {
      return bad_reading(i, "meter.absurd", "a value exceeds the connection capacity over the ISP plus the margin");
    }
    const std::string key = reading_key(point, *isp_start);
    auto previous = read_json(context.state, key);
    write_json(context.state, key,
               Json{{"export_wh", *export_wh},
                    {"import_wh", *import_wh},
                    {"quality", quality},
                    {"recorded_at", context.block.time},
                    {"submitted_by", to_hex(context.transaction.signer)},
                    {"version", previous ? (*previous)["version"].get<std::int64_t>() + 1 : 1}});
    auto [range, added] = assets_read.try_emplace(asset_id->get<std::string>(), *isp_start, *isp_start);
    range->second.first = std::min(range->second.first, *isp_start);
    range->second.second = std::max(range->second.second, *isp_start);
  }
  for (const auto& [asset_id, range] : assets_read) {
    settle_completed_contracts(context.state, asset_id, range.first, range.second, context.block.time);
  }
  return ok_status();
}

}  // namespace flex
