// Nominations: the schedule a seller declares for an asset before gate closure, the
// baseline of contracts that use the nomination method (USEF D-prognosis, DESIGN.md §5).
//   nomination.submit {"asset_id":ID,"points":[[ISP_START,NET_W],...]}
// By the asset's owner or an aggregator with its consent. Points are on the ISP grid,
// strictly rising, each at least activation_gate_seconds after the block time; the power is
// net consumption in W (negative for generation). A point replaces an earlier one.
//   nomination/<asset>/<isp start, 16 digits>   NET_W
#include "contracts/assets.hpp"
#include "contracts/market.hpp"
#include "contracts/readings.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

constexpr std::size_t max_points = 2976;

}  // namespace

std::string nomination_key(const std::string& asset_id, std::int64_t isp_start) {
  return "nomination/" + asset_id + "/" + padded_time(isp_start);
}

Status submit_nomination(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto asset_id = payload_identifier(payload, "asset_id");
  if (!asset_id) return asset_id.rejection();
  if (!payload.contains("points") || !payload["points"].is_array() || payload["points"].empty() ||
      payload["points"].size() > max_points) {
    return reject("payload.invalid", "points must list 1 to 2976 [isp_start, net_w] pairs");
  }
  auto asset = read_asset(context.state, *asset_id);
  if (!asset) return reject("asset.unknown", "no asset '" + *asset_id + "'");
  if (auto status = check_acts_for_asset(context.state, *asset, context.transaction.signer); !status) return status;
  const std::int64_t isp = market_isp_seconds(context.state);
  const std::int64_t gate = market_param(context.state, "activation_gate_seconds").get<std::int64_t>();
  std::int64_t previous = -1;
  for (const auto& point : payload["points"]) {
    if (!point.is_array() || point.size() != 2 || !point[0].is_number_integer() || !point[1].is_number_integer() ||
        point[0].get<std::int64_t>() < 0 || point[0].get<std::int64_t>() > limits::max_json_integer - gate ||
        point[1].get<std::int64_t>() < -market_limits::max_power_w || point[1].get<std::int64_t>() > market_limits::max_power_w) {
      return reject("payload.invalid", "a point is [isp_start UTC seconds, net W within ±10^12]");
    }
    std::int64_t t = point[0].get<std::int64_t>();
    if (t % isp != 0) return reject("nomination.off_grid", "ISP start " + std::to_string(t) + " is not on the grid");
    if (t <= previous) return reject("nomination.unordered", "ISP starts must rise strictly");
    if (t - gate < context.block.time) {
      return reject("nomination.after_gate", "the gate of the ISP at " + std::to_string(t) + " has closed");
    }
    previous = t;
    write_json(context.state, nomination_key(*asset_id, t), point[1]);
  }
  return ok_status();
}

}  // namespace flex
