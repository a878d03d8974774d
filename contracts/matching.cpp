// Purchase and matching: contracts from a request and offers (DESIGN.md §2.6).
//   request.purchase {"fills":[{"end":T?,"offer_id":ID,"power_w":N,"start":T?},...],"request_id":ID}
//   request.match    {"request_id":ID}
// Both are the buyer's. A purchase buys N W of each chosen offer in every ISP of the
// overlap (or the [start, end) given) where the offer and the request both still have
// power; any fill that cannot be met whole rejects the transaction. Matching is pay-as-bid
// over the zone's order book: cheapest, then oldest, then smallest id; each ISP takes what
// the offer, the request and the assets' free power allow, unless that is below the
// offer's minimum activation fraction.
// A contract's maximum cost (availability plus full activation, at the seller's prices)
// moves from the request's budget into the contract's escrow; both stay in the buyer's
// held balance until settlement. Power is committed to the assets in the offer's order.
//   contract/<id>     the contract (id c + 10 digits, from counter/contract)
//   commitment/<asset>/<direction>/<T>   W committed in the ISP starting at T
#include <algorithm>

#include "contracts/accounts.hpp"
#include "contracts/assets.hpp"
#include "contracts/digest.hpp"
#include "contracts/orders.hpp"
#include "contracts/settlement.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

constexpr std::size_t max_fills = 32;
constexpr int max_offers_scanned = 1000;
constexpr int max_contracts_per_match = 100;
constexpr const char* contract_counter = "counter/contract";

std::int64_t min_power_w(std::int64_t offered_w, std::int64_t min_activation_ppm) {
  // offered <= 10^12 and ppm <= 10^6: the product fits in 64 bits.
  return (offered_w * min_activation_ppm + market_limits::ppm - 1) / market_limits::ppm;
}

struct Fill {
  Period period;
  std::vector<std::int64_t> power_w;
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> allocation;  // per asset, in the offer's order
};

// The rules that do not depend on quantities. Codes: offer.not_open, offer.seller_suspended,
// match.self_trade, match.zone_mismatch, match.direction_mismatch, match.product_mismatch,
// match.sub_meter_not_accepted, match.price_above_max.
Status check_pair(const StateOverlay& state, const Json& offer, const Json& request) {
  if (offer["status"] != "open") {
    return reject("offer.not_open", "offer '" + offer["offer_id"].get<std::string>() + "' is " + offer["status"].get<std::string>());
  }
  auto seller = read_json(state, "participant/" + offer["seller"].get<std::string>());
  if ((*seller)["status"] != "active") return reject("offer.seller_suspended", "the offer's seller is suspended");
  if (offer["seller"] == request["buyer"]) return reject("match.self_trade", "a participant cannot buy its own offer");
  for (const char* field : {"zone_id", "direction", "product"}) {
    if (offer[field] != request[field]) {
      std::string name = field == std::string("zone_id") ? "zone" : field;
      return reject("match." + name + "_mismatch", "the offer's " + name + " " + offer[field].get<std::string>() +
                                                       " differs from the request's " + request[field].get<std::string>());
    }
  }
  if (offer.value("metering", "main") == "sub_meter" && !request.value("accept_sub_meter", false)) {
    return reject("match.sub_meter_not_accepted", "offer '" + offer["offer_id"].get<std::string>() +
                                                      "' proves delivery by the seller's sub-meter, which the request does not accept");
  }
  Prices offered = offer_prices(offer), maximum = request_max_prices(request);
  if (offered.activation_micro_per_mwh > maximum.activation_micro_per_mwh ||
      offered.availability_micro_per_mw_h > maximum.availability_micro_per_mw_h) {
    return reject("match.price_above_max", "offer '" + offer["offer_id"].get<std::string>() +
                                               "' is priced above the request's maximum");
  }
  return ok_status();
}

// The ISPs both orders cover, from the first ISP not yet begun. Code: match.no_overlap.
Result<Period> overlap(const Json& offer, const Json& request, std::int64_t block_time) {
  std::int64_t isp = request["isp_seconds"].get<std::int64_t>();
  std::int64_t first_open_isp = (block_time + isp - 1) / isp * isp;
  Period window{std::max({offer["start"].get<std::int64_t>(), request["start"].get<std::int64_t>(), first_open_isp}),
                std::min(offer["end"].get<std::int64_t>(), request["end"].get<std::int64_t>()), isp};
  if (window.start >= window.end) {
    return reject("match.no_overlap", "offer '" + offer["offer_id"].get<std::string>() +
                                          "' and the request share no ISP that has not begun");
  }
  return window;
}

// What to fill in each ISP of `window`: exactly `wanted` W where both orders still have
// power (a purchase), or as much as possible (matching, wanted = nullopt).
// Codes (purchase only): offer.insufficient_remaining, request.overfill, offer.below_min_fraction,
// asset.capacity_exceeded or the reason an asset is unusable; match.nothing_to_fill.
Result<Fill> plan_fill(const StateOverlay& state, const Json& offer, const Json& request, const Period& window,
                       std::optional<std::int64_t> wanted) {
  const auto seller = *from_hex_fixed<32>(offer["seller"].get<std::string>());
  const std::string direction = offer["direction"].get<std::string>();
  std::vector<std::pair<std::string, std::int64_t>> assets;  // usable assets and their maximum
  Status unusable = ok_status();
  for (const auto& id : offer["asset_ids"]) {
    auto asset = read_asset(state, id.get<std::string>());
    Status usable = check_asset_usable(state, *asset, seller, offer["zone_id"].get<std::string>());
    if (usable) {
      assets.emplace_back(id.get<std::string>(), asset_max_power_w(*asset, direction));
    } else if (unusable) {
      unusable = usable;
    }
  }
  const auto offer_power = int_vector(offer["power_w"]), offer_left = int_vector(offer["remaining_w"]);
  const auto request_left = int_vector(request["remaining_w"]);
  const std::int64_t isp = window.isp_seconds, min_ppm = offer["min_activation_ppm"].get<std::int64_t>();
  Fill fill{window, {}, {}};
  for (const auto& asset : assets) fill.allocation.emplace_back(asset.first, std::vector<std::int64_t>{});
  for (std::int64_t t = window.start; t < window.end; t += isp) {
    auto o = static_cast<std::size_t>((t - offer["start"].get<std::int64_t>()) / isp);
    auto r = static_cast<std::size_t>((t - request["start"].get<std::int64_t>()) / isp);
    std::vector<std::int64_t> free_w;
    std::int64_t headroom = 0;
    for (const auto& [asset_id, max_w] : assets) {
      free_w.push_back(std::max<std::int64_t>(0, max_w - committed_power_w(state, asset_id, direction, t)));
      headroom += free_w.back();
    }
    std::int64_t floor_w = min_power_w(offer_power[o], min_ppm);
    std::int64_t power = 0;
    if (wanted) {
      if (offer_left[o] > 0 && request_left[r] > 0) {
        power = *wanted;
        auto at = " in the ISP at " + std::to_string(t);
        if (power > offer_left[o]) return reject("offer.insufficient_remaining", "the offer has " + std::to_string(offer_left[o]) + " W left" + at);
        if (power > request_left[r]) return reject("request.overfill", "the request needs only " + std::to_string(request_left[r]) + " W" + at);
        if (power < floor_w) return reject("offer.below_min_fraction", "the offer sells at least " + std::to_string(floor_w) + " W" + at);
        if (power > headroom) {
          if (!unusable) return unusable.rejection();
          return reject("asset.capacity_exceeded", "the offer's assets have " + std::to_string(headroom) + " W free" + at);
        }
      }
    } else {
      power = std::min({offer_left[o], request_left[r], headroom});
      if (power < floor_w) power = 0;
    }
    fill.power_w.push_back(power);
    for (std::size_t a = 0; a < assets.size(); ++a) {
      std::int64_t share = std::min(power, free_w[a]);
      fill.allocation[a].second.push_back(share);
      power -= share;
    }
  }
  // Trim ISPs with nothing at either end, so the contract's period is what it sells.
  auto first = std::find_if(fill.power_w.begin(), fill.power_w.end(), [](std::int64_t w) { return w > 0; });
  if (first == fill.power_w.end()) {
    return reject("match.nothing_to_fill", "offer '" + offer["offer_id"].get<std::string>() + "' has nothing to fill");
  }
  auto last = std::find_if(fill.power_w.rbegin(), fill.power_w.rend(), [](std::int64_t w) { return w > 0; }).base();
  auto head = first - fill.power_w.begin(), tail = fill.power_w.end() - last;
  fill.period.start += head * isp;
  fill.period.end -= tail * isp;
  auto trim = [&](std::vector<std::int64_t>& values) { values = std::vector<std::int64_t>(values.begin() + head, values.end() - tail); };
  trim(fill.power_w);
  for (auto& [asset_id, shares] : fill.allocation) trim(shares);
  std::erase_if(fill.allocation, [](const auto& entry) {
    return std::all_of(entry.second.begin(), entry.second.end(), [](std::int64_t w) { return w == 0; });
  });
  return fill;
}

// Subtracts `fill` from an order's remaining power.
bool subtract_fill(Json& order, const Fill& fill) {
  auto left = int_vector(order["remaining_w"]);
  std::int64_t isp = fill.period.isp_seconds;
  auto offset = static_cast<std::size_t>((fill.period.start - order["start"].get<std::int64_t>()) / isp);
  for (std::size_t i = 0; i < fill.power_w.size(); ++i) left[offset + i] -= fill.power_w[i];
  order["remaining_w"] = to_json(left);
  return std::all_of(left.begin(), left.end(), [](std::int64_t w) { return w == 0; });
}

// Whether some ISP's remainder is still at least the offer's minimum for that ISP.
bool sellable(const Json& offer) {
  const auto power = int_vector(offer["power_w"]), left = int_vector(offer["remaining_w"]);
  const std::int64_t min_ppm = offer["min_activation_ppm"].get<std::int64_t>();
  for (std::size_t i = 0; i < power.size(); ++i) {
    if (left[i] > 0 && left[i] >= min_power_w(power[i], min_ppm)) return true;
  }
  return false;
}

std::string next_contract_id(StateOverlay& state) {
  auto counter = read_json(state, contract_counter);
  std::int64_t next = counter ? counter->get<std::int64_t>() + 1 : 1;
  write_json(state, contract_counter, next);
  std::string digits = std::to_string(next);
  return "c" + std::string(digits.size() < 10 ? 10 - digits.size() : 0, '0') + digits;
}

// Records the contract and moves its money and power. Writes nothing when it rejects.
// Codes: order.amount_overflow, token.insufficient_funds.
Status record_contract(HandlerContext& context, Json& request, Json& offer, const Fill& fill) {
  StateOverlay& state = context.state;
  auto cost = profile_cost_micro(fill.power_w, fill.period.isp_seconds, offer_prices(offer));
  if (!cost) return cost.rejection();
  // Lines rounded per contract can add up to a little more than the request's budget line.
  std::int64_t from_budget = std::min(*cost, request["budget_micro"].get<std::int64_t>());
  const auto buyer = context.transaction.signer;
  if (*cost > from_budget) {
    if (auto status = hold_funds(state, buyer, *cost - from_budget); !status) return status;
  }
  request["budget_micro"] = request["budget_micro"].get<std::int64_t>() - from_budget;
  const std::string direction = offer["direction"].get<std::string>();
  const bool sub_metering = offer.value("metering", "main") == "sub_meter";
  Json allocation = Json::object(), asset_terms = Json::object();
  for (const auto& [asset_id, shares] : fill.allocation) {
    allocation[asset_id] = to_json(shares);
    Json asset = *read_asset(state, asset_id);
    // The meter that proves delivery: the sub-meter when the offer names it (the main meter
    // if the asset has since dropped its sub-meter and been prequalified again).
    const bool sub_metered = sub_metering && asset.contains("sub_metering_point_id");
    asset_terms[asset_id] = Json{{"connection_w", asset["connection_w"]},
                                 {"metering_point_id", asset[sub_metered ? "sub_metering_point_id" : "metering_point_id"]}};
    for (std::size_t i = 0; i < shares.size(); ++i) {
      if (shares[i] == 0) continue;
      std::int64_t t = fill.period.isp_start(static_cast<std::int64_t>(i));
      write_json(state, commitment_key(asset_id, direction, t), committed_power_w(state, asset_id, direction, t) + shares[i]);
    }
  }
  std::string contract_id = next_contract_id(state);
  Json contract{{"allocation", allocation},
                {"asset_terms", asset_terms},
                {"baseline", offer["baseline"]},
                {"buyer", request["buyer"]},
                {"contract_id", contract_id},
                {"created_at", context.block.time},
                {"created_height", context.block.height},
                {"direction", direction},
                {"end", fill.period.end},
                {"escrow_micro", *cost},
                {"metering", sub_metering ? "sub_meter" : "main"},
                {"isp_seconds", fill.period.isp_seconds},
                {"min_activation_ppm", offer["min_activation_ppm"]},
                {"offer_id", offer["offer_id"]},
                {"power_w", to_json(fill.power_w)},
                {"prices", offer["prices"]},
                {"product", offer["product"]},
                {"request_id", request["request_id"]},
                {"seller", offer["seller"]},
                {"settle_by", fill.period.end + market_param(state, "settlement_deadline_seconds").get<std::int64_t>()},
                {"start", fill.period.start},
                // A reservation waits for the buyer's activation; the others are active at once.
                {"status", offer["product"] == "reservation" ? "reserved" : "active"},
                {"zone_id", offer["zone_id"]}};
  write_json(state, keys::contract(contract_id), contract);
  schedule_settlement(state, contract);
  count_digest_contract(state);
  if (subtract_fill(offer, fill) || !sellable(offer)) {
    close_offer(state, offer, "filled");  // nothing left, or only remainders below the minimum
  } else {
    write_json(state, keys::offer(offer["offer_id"].get<std::string>()), offer);
  }
  if (subtract_fill(request, fill)) {
    close_request(state, request, "filled");  // returns the budget that rounding left over
  } else {
    write_json(state, keys::request(request["request_id"].get<std::string>()), request);
  }
  return ok_status();
}

// The signer's open request. Codes: payload.invalid, request.unknown, request.not_buyer, request.not_open.
Result<Json> buyers_open_request(const HandlerContext& context) {
  auto request_id = payload_identifier(context.transaction.payload, "request_id");
  if (!request_id) return request_id.rejection();
  auto request = read_json(context.state, keys::request(*request_id));
  if (!request) return reject("request.unknown", "no request '" + *request_id + "'");
  if ((*request)["buyer"] != to_hex(context.transaction.signer)) return reject("request.not_buyer", "only the buyer may do this");
  if ((*request)["status"] != "open") {
    return reject("request.not_open", "request '" + *request_id + "' is " + (*request)["status"].get<std::string>());
  }
  return *request;
}

// A fill's optional [start, end) within the overlap. Code: match.bad_window.
Result<Period> chosen_window(const Json& fill, Period window) {
  for (const char* bound : {"start", "end"}) {
    if (!fill.contains(bound)) continue;
    auto value = payload_integer(fill, bound, 0, limits::max_json_integer);
    if (!value) return value.rejection();
    if (*value % window.isp_seconds != 0 || *value < window.start || *value > window.end) {
      return reject("match.bad_window", std::string(bound) + " must lie on the ISP grid within the offer and request overlap");
    }
    (bound == std::string("start") ? window.start : window.end) = *value;
  }
  if (window.start >= window.end) return reject("match.bad_window", "start must come before end");
  return window;
}

}  // namespace

Status purchase_offers(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto request = buyers_open_request(context);
  if (!request) return request.rejection();
  if (!payload.contains("fills") || !payload["fills"].is_array() || payload["fills"].empty() ||
      payload["fills"].size() > max_fills) {
    return reject("payload.invalid", "fills must list 1 to 32 {offer_id, power_w, start?, end?}");
  }
  for (const auto& chosen : payload["fills"]) {
    if (!chosen.is_object()) return reject("payload.invalid", "each fill is an object");
    auto offer_id = payload_identifier(chosen, "offer_id");
    if (!offer_id) return offer_id.rejection();
    auto power = payload_integer(chosen, "power_w", 1, market_limits::max_power_w);
    if (!power) return power.rejection();
    if ((*request)["status"] != "open") return reject("request.overfill", "the request is already filled");
    auto offer = read_json(context.state, keys::offer(*offer_id));
    if (!offer) return reject("offer.unknown", "no offer '" + *offer_id + "'");
    if (auto status = check_pair(context.state, *offer, *request); !status) return status;
    auto window = overlap(*offer, *request, context.block.time);
    if (!window) return window.rejection();
    auto chosen_period = chosen_window(chosen, *window);
    if (!chosen_period) return chosen_period.rejection();
    auto fill = plan_fill(context.state, *offer, *request, *chosen_period, *power);
    if (!fill) return fill.rejection();
    if (auto status = record_contract(context, *request, *offer, *fill); !status) return status;
  }
  return ok_status();
}

Status match_request(HandlerContext& context) {
  auto request = buyers_open_request(context);
  if (!request) return request.rejection();
  const std::string prefix = book_prefix((*request)["zone_id"].get<std::string>(), (*request)["direction"].get<std::string>(),
                                         (*request)["product"].get<std::string>());
  Prices maximum = request_max_prices(*request);
  std::int64_t max_primary =
      (*request)["product"] == "energy" ? maximum.activation_micro_per_mwh : maximum.availability_micro_per_mw_h;
  int scanned = 0, made = 0;
  Status funding = ok_status();
  for (auto key = context.state.first_key_from(prefix);
       key && key->starts_with(prefix) && scanned < max_offers_scanned && made < max_contracts_per_match &&
       (*request)["status"] == "open";
       key = context.state.first_key_from(*key + '\0')) {
    ++scanned;
    if (std::stoll(key->substr(prefix.size(), 16)) > max_primary) break;  // the book is sorted by it
    auto offer = read_json(context.state, keys::offer(read_json(context.state, *key)->get<std::string>()));
    if (!check_pair(context.state, *offer, *request)) continue;
    auto window = overlap(*offer, *request, context.block.time);
    if (!window) continue;
    auto fill = plan_fill(context.state, *offer, *request, *window, std::nullopt);
    if (!fill) continue;
    funding = record_contract(context, *request, *offer, *fill);
    if (!funding) break;  // the buyer's funds ran out, or the cost would overflow
    ++made;
  }
  if (made == 0 && !funding) return funding;
  if (made == 0) return reject("match.nothing_matched", "no open offer in the zone's book could fill the request");
  return ok_status();
}

}  // namespace flex
