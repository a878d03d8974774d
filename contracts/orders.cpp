// Offers and requests (DESIGN.md §2.4–2.5).
//   offer.create   {"activation_price_micro_per_mwh":P?,"asset_ids":[ID...],"availability_price_micro_per_mw_h":P?,
//                   "baseline":{"method":S,"params":{...},"version":1},"direction":D,"end":T,"expires_at":T,
//                   "metering":"main"|"sub_meter"?,"min_activation_ppm":N,"offer_id":ID,"power_w":N|[N...],
//                   "product":K,"start":T,"zone_id":ID}
//   offer.revoke   {"offer_id":ID}                                               (seller only)
//   request.create {"accept_sub_meter":B?,"direction":D,"end":T,"expires_at":T,"max_activation_price_micro_per_mwh":P?,
//                   "max_availability_price_micro_per_mw_h":P?,"power_w":N|[N...],"product":K,
//                   "request_id":ID,"start":T,"zone_id":ID}
//   request.cancel {"request_id":ID}                                             (buyer only)
// A request holds its maximum cost (availability plus full activation at the maximum prices,
// line by line) from the buyer's available balance and credit line; contracts draw on that
// budget, and cancelling, expiring or filling the request returns what is left.
// Delivery is proved by each asset's main meter, or, when the offer says "sub_meter" and the
// request accepts it (accept_sub_meter, default false), by the seller's own sub-meter.
//   offer/<id>, request/<id>                        the records, with remaining_w per ISP and status
//   book/<zone>/<dir>/<product>/<p1>/<p2>/<height>/<offer_id>   open offers, cheapest first
//   order_expiry/<T>/offer/<id>, order_expiry/<T>/request/<id> open orders, by expiry
#include "contracts/orders.hpp"

#include <algorithm>
#include <set>

#include "contracts/accounts.hpp"
#include "contracts/assets.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

constexpr std::string_view expiry_prefix = "order_expiry/";
constexpr std::size_t max_assets_per_offer = 16;

std::string expiry_key(std::int64_t expires_at, std::string_view kind, const std::string& id) {
  return std::string(expiry_prefix) + padded_time(expires_at) + "/" + std::string(kind) + "/" + id;
}

std::string offer_expiry_key(const Json& offer) {
  return expiry_key(offer["expires_at"].get<std::int64_t>(), "offer", offer["offer_id"].get<std::string>());
}
std::string request_expiry_key(const Json& request) {
  return expiry_key(request["expires_at"].get<std::int64_t>(), "request", request["request_id"].get<std::string>());
}

// Reads the prices a product carries (and only those) under `prefix`.
Result<Json> payload_prices(const Json& payload, Product product, const std::string& prefix) {
  Json prices = Json::object();
  for (auto [name, carried] : {std::pair{"activation_price_micro_per_mwh", product_has_activation_price(product)},
                               std::pair{"availability_price_micro_per_mw_h", product_has_availability_price(product)}}) {
    const std::string field = prefix + name;
    if (!carried) {
      if (payload.contains(field)) {
        return reject("payload.invalid", field + " does not apply to a " + std::string(product_name(product)) + " order");
      }
      continue;
    }
    auto price = payload_integer(payload, field.c_str(), 0, market_limits::max_price_micro);
    if (!price) return price.rejection();
    prices[name] = *price;
  }
  return prices;
}

Prices prices_from(const Json& prices) {
  return Prices{prices.value("activation_price_micro_per_mwh", std::int64_t{0}),
                prices.value("availability_price_micro_per_mw_h", std::int64_t{0})};
}

Result<std::int64_t> payload_expiry(const Json& payload, std::int64_t block_time, const Period& period) {
  auto expires_at = payload_integer(payload, "expires_at", 0, limits::max_json_integer);
  if (!expires_at) return expires_at.rejection();
  if (*expires_at <= block_time || *expires_at > period.end) {
    return reject("order.bad_expiry", "expires_at must be after the block time and no later than the period's end");
  }
  return *expires_at;
}

// Each integer parameter of a baseline method with its bounds; absent ones take the default.
struct BaselineParam {
  const char* name;
  std::int64_t min, max, default_value;
};
struct BaselineMethod {
  const char* name;
  std::vector<BaselineParam> params;
};

const std::vector<BaselineMethod>& baseline_methods() {
  static const std::vector<BaselineMethod> methods = {
      {"meter_before_after", {{"isps_before", 1, 16, 1}}},
      {"nomination", {}},
      {"none", {}},
      {"rolling_average", {{"days", 1, 60, 5}}},
      {"x_of_y", {{"x", 1, 60, 5}, {"y", 1, 60, 10}, {"adjustment_isps", 0, 16, 0}, {"adjustment_cap_ppm", 0, 1'000'000, 0}}},
  };
  return methods;
}

// The declared baseline method (DESIGN.md §5), version 1, with every parameter filled in.
// capacity_limitation takes "none"; the other products need a real baseline.
Result<Json> payload_baseline(const Json& payload, Product product) {
  auto bad = [](const std::string& why) { return reject("order.bad_baseline", why); };
  if (!payload.contains("baseline") || !payload["baseline"].is_object()) {
    return bad("baseline must be {\"method\":S,\"params\":{...},\"version\":1}");
  }
  const Json& baseline = payload["baseline"];
  const BaselineMethod* method = nullptr;
  for (const auto& candidate : baseline_methods()) {
    if (text_member(baseline, "method") == candidate.name) method = &candidate;
  }
  if (!method) return bad("method must be meter_before_after, nomination, none, rolling_average or x_of_y");
  if (baseline.value("version", Json()) != 1) return bad("only version 1 of each baseline method exists");
  if ((product == Product::CapacityLimitation) != (std::string(method->name) == "none")) {
    return bad("capacity_limitation takes baseline none; energy and reservation need a baseline");
  }
  Json given = baseline.value("params", Json::object());
  if (!given.is_object()) return bad("params must be an object");
  Json params = Json::object();
  for (const auto& param : method->params) {
    if (!given.contains(param.name)) {
      params[param.name] = param.default_value;
      continue;
    }
    auto value = payload_integer(given, param.name, param.min, param.max);
    if (!value) return bad(value.rejection().message);
    params[param.name] = *value;
  }
  for (const auto& item : given.items()) {
    if (!params.contains(item.key())) return bad(item.key() + " is not a parameter of " + method->name);
  }
  if (params.contains("x") && params["x"].get<std::int64_t>() > params["y"].get<std::int64_t>()) {
    return bad("x_of_y needs x <= y");
  }
  return Json{{"method", method->name}, {"params", params}, {"version", 1}};
}

struct OrderCore {
  std::string zone_id;
  std::string direction;
  Product product = Product::Energy;
  Period period;
  std::vector<std::int64_t> power_w;
  std::int64_t expires_at = 0;
};

// The members offers and requests share.
Result<OrderCore> payload_order(const HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  OrderCore order;
  auto zone_id = payload_identifier(payload, "zone_id");
  if (!zone_id) return zone_id.rejection();
  order.zone_id = *zone_id;
  auto direction = payload_direction(payload);
  if (!direction) return direction.rejection();
  order.direction = *direction;
  auto product = payload_product(payload);
  if (!product) return product.rejection();
  order.product = *product;
  auto period = payload_period(payload, market_isp_seconds(context.state), context.block.time);
  if (!period) return period.rejection();
  order.period = *period;
  auto power = payload_power_profile(payload, order.period);
  if (!power) return power.rejection();
  order.power_w = std::move(*power);
  auto expires_at = payload_expiry(payload, context.block.time, order.period);
  if (!expires_at) return expires_at.rejection();
  order.expires_at = *expires_at;
  if (!context.state.get(keys::zone(order.zone_id))) return reject("zone.unknown", "no zone '" + order.zone_id + "'");
  return order;
}

Json order_record(const OrderCore& order, const HandlerContext& context) {
  return Json{{"created_at", context.block.time},
              {"created_height", context.block.height},
              {"direction", order.direction},
              {"end", order.period.end},
              {"expires_at", order.expires_at},
              {"isp_seconds", order.period.isp_seconds},
              {"power_w", to_json(order.power_w)},
              {"product", product_name(order.product)},
              {"remaining_w", to_json(order.power_w)},
              {"start", order.period.start},
              {"status", "open"},
              {"zone_id", order.zone_id}};
}

// The offer's assets: 1 to 16 distinct ids, each usable by the seller in the zone. Returns
// the sum of their maximum power in the offer's direction.
Result<std::int64_t> offer_asset_capacity(const StateOverlay& state, const Json& payload, const OrderCore& order,
                                          const PublicKey& seller, bool sub_metered) {
  if (!payload.contains("asset_ids") || !payload["asset_ids"].is_array() || payload["asset_ids"].empty() ||
      payload["asset_ids"].size() > max_assets_per_offer) {
    return reject("payload.invalid", "asset_ids must list 1 to 16 assets");
  }
  std::set<std::string> seen;
  std::int64_t capacity = 0;
  for (const auto& id : payload["asset_ids"]) {
    if (!id.is_string() || !is_identifier(id.get_ref<const std::string&>()) || !seen.insert(id.get<std::string>()).second) {
      return reject("payload.invalid", "asset_ids must be distinct identifiers");
    }
    auto asset = read_asset(state, id.get<std::string>());
    if (!asset) return reject("asset.unknown", "no asset '" + id.get<std::string>() + "'");
    if (auto status = check_asset_usable(state, *asset, seller, order.zone_id); !status) return status.rejection();
    if (sub_metered && !asset->contains("sub_metering_point_id")) {
      return reject("offer.no_sub_meter", "asset '" + id.get<std::string>() + "' has no sub-meter");
    }
    capacity += asset_max_power_w(*asset, order.direction);  // at most 16 × 10^12: no overflow
  }
  return capacity;
}

Result<Json> open_order(const StateOverlay& state, const std::string& key, const char* kind, const std::string& id,
                        const char* party, const PublicKey& signer) {
  auto record = read_json(state, key);
  if (!record) return reject(std::string(kind) + ".unknown", std::string("no ") + kind + " '" + id + "'");
  if ((*record)[party] != to_hex(signer)) {
    return reject(std::string(kind) + ".not_" + party, std::string("only the ") + party + " may do this");
  }
  if ((*record)["status"] != "open") {
    return reject(std::string(kind) + ".not_open", std::string(kind) + " '" + id + "' is " +
                                                       (*record)["status"].get<std::string>());
  }
  return *record;
}

}  // namespace

std::string book_prefix(const std::string& zone_id, const std::string& direction, const std::string& product) {
  return "book/" + zone_id + "/" + direction + "/" + product + "/";
}

std::string book_key(const Json& offer) {
  Prices prices = offer_prices(offer);
  bool energy = offer["product"] == "energy";
  std::int64_t primary = energy ? prices.activation_micro_per_mwh : prices.availability_micro_per_mw_h;
  std::int64_t secondary = energy ? 0 : prices.activation_micro_per_mwh;
  return book_prefix(offer["zone_id"].get<std::string>(), offer["direction"].get<std::string>(),
                     offer["product"].get<std::string>()) +
         padded_time(primary) + "/" + padded_time(secondary) + "/" +
         padded_time(offer["created_height"].get<std::int64_t>()) + "/" + offer["offer_id"].get<std::string>();
}

Prices offer_prices(const Json& offer) { return prices_from(offer["prices"]); }
Prices request_max_prices(const Json& request) { return prices_from(request["max_prices"]); }

void close_offer(StateOverlay& state, Json& offer, const char* status) {
  offer["status"] = status;
  state.erase(book_key(offer));
  state.erase(offer_expiry_key(offer));
  write_json(state, keys::offer(offer["offer_id"].get<std::string>()), offer);
}

void close_request(StateOverlay& state, Json& request, const char* status) {
  auto buyer = *from_hex_fixed<32>(request["buyer"].get<std::string>());
  std::int64_t budget = request["budget_micro"].get<std::int64_t>();
  Account account = read_account(state, buyer);
  account.held_micro -= budget;
  account.available_micro += budget;  // it came from there, so it fits
  write_account(state, buyer, account);
  request["budget_micro"] = 0;
  request["status"] = status;
  state.erase(request_expiry_key(request));
  write_json(state, keys::request(request["request_id"].get<std::string>()), request);
}

void expire_orders(StateOverlay& state, std::int64_t block_time) {
  for (auto key = state.first_key_from(expiry_prefix); key && key->starts_with(expiry_prefix);
       key = state.first_key_from(expiry_prefix)) {
    if (std::stoll(key->substr(expiry_prefix.size(), 16)) > block_time) return;
    std::string rest = key->substr(expiry_prefix.size() + 17);  // "<kind>/<id>"
    std::size_t slash = rest.find('/');
    std::string kind = rest.substr(0, slash), id = rest.substr(slash + 1);
    if (kind == "offer") {
      Json offer = *read_json(state, keys::offer(id));
      close_offer(state, offer, "expired");
    } else {
      Json request = *read_json(state, keys::request(id));
      close_request(state, request, "expired");
    }
  }
}

Status create_offer(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto offer_id = payload_identifier(payload, "offer_id");
  if (!offer_id) return offer_id.rejection();
  auto order = payload_order(context);
  if (!order) return order.rejection();
  auto prices = payload_prices(payload, order->product, "");
  if (!prices) return prices.rejection();
  auto min_fraction = payload_integer(payload, "min_activation_ppm", 1, market_limits::ppm);
  if (!min_fraction) return min_fraction.rejection();
  auto baseline = payload_baseline(payload, order->product);
  if (!baseline) return baseline.rejection();
  const std::string metering = payload.contains("metering") ? text_member(payload, "metering") : "main";
  if (metering != "main" && metering != "sub_meter") return reject("payload.invalid", "metering must be main or sub_meter");
  if (context.state.get(keys::offer(*offer_id))) return reject("offer.exists", "offer '" + *offer_id + "' exists");
  auto capacity = offer_asset_capacity(context.state, payload, *order, context.transaction.signer, metering == "sub_meter");
  if (!capacity) return capacity.rejection();
  std::int64_t peak = *std::max_element(order->power_w.begin(), order->power_w.end());
  if (peak > *capacity) {
    return reject("offer.exceeds_asset_capacity", "the offer asks for " + std::to_string(peak) + " W but its assets reach " +
                                                      std::to_string(*capacity) + " W " + order->direction);
  }
  Json offer = order_record(*order, context);
  offer["asset_ids"] = payload["asset_ids"];
  offer["baseline"] = *baseline;
  offer["metering"] = metering;
  offer["min_activation_ppm"] = *min_fraction;
  offer["offer_id"] = *offer_id;
  offer["prices"] = *prices;
  offer["seller"] = to_hex(context.transaction.signer);
  write_json(context.state, keys::offer(*offer_id), offer);
  write_json(context.state, book_key(offer), *offer_id);
  write_json(context.state, offer_expiry_key(offer), *offer_id);
  return ok_status();
}

Status revoke_offer(HandlerContext& context) {
  auto offer_id = payload_identifier(context.transaction.payload, "offer_id");
  if (!offer_id) return offer_id.rejection();
  auto offer = open_order(context.state, keys::offer(*offer_id), "offer", *offer_id, "seller", context.transaction.signer);
  if (!offer) return offer.rejection();
  close_offer(context.state, *offer, "revoked");  // what was matched stays in its contracts
  return ok_status();
}

Status create_request(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto request_id = payload_identifier(payload, "request_id");
  if (!request_id) return request_id.rejection();
  auto order = payload_order(context);
  if (!order) return order.rejection();
  auto max_prices = payload_prices(payload, order->product, "max_");
  if (!max_prices) return max_prices.rejection();
  if (payload.contains("accept_sub_meter") && !payload["accept_sub_meter"].is_boolean()) {
    return reject("payload.invalid", "accept_sub_meter must be true or false");
  }
  if (context.state.get(keys::request(*request_id))) {
    return reject("request.exists", "request '" + *request_id + "' exists");
  }
  auto budget = profile_cost_micro(order->power_w, order->period.isp_seconds, prices_from(*max_prices));
  if (!budget) return budget.rejection();
  if (auto status = hold_funds(context.state, context.transaction.signer, *budget); !status) return status;
  Json request = order_record(*order, context);
  request["accept_sub_meter"] = payload.value("accept_sub_meter", false);
  request["budget_micro"] = *budget;
  request["buyer"] = to_hex(context.transaction.signer);
  request["max_cost_micro"] = *budget;
  request["max_prices"] = *max_prices;
  request["request_id"] = *request_id;
  write_json(context.state, keys::request(*request_id), request);
  write_json(context.state, request_expiry_key(request), *request_id);
  return ok_status();
}

Status cancel_request(HandlerContext& context) {
  auto request_id = payload_identifier(context.transaction.payload, "request_id");
  if (!request_id) return request_id.rejection();
  auto request =
      open_order(context.state, keys::request(*request_id), "request", *request_id, "buyer", context.transaction.signer);
  if (!request) return request.rejection();
  close_request(context.state, *request, "cancelled");
  return ok_status();
}

}  // namespace flex
