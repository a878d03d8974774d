// Contracts, activations, meter readings, nominations and settlements.
#include "api/route_support.hpp"
#include "contracts/state_keys.hpp"

namespace flex::api {
namespace {

std::optional<Json> visible_contract(Call& call, const std::string& id) {
  return with_access(call, [&](const State& state, const Access& access) -> std::optional<Json> {
    auto stored = state.get(keys::contract(id));
    if (!stored) return std::nullopt;
    Json contract = Json::parse(*stored);
    if (!access.contract(contract)) return std::nullopt;
    return contract;
  });
}

Reply list_contracts(Call& call) {
  ContractQuery query;
  if (auto read = read_filters(call, {{"buyer", &query.buyer}, {"seller", &query.seller}, {"zone_id", &query.zone_id},
                                      {"request_id", &query.request_id}, {"offer_id", &query.offer_id},
                                      {"asset_id", &query.asset_id}, {"status", &query.status}});
      !read) {
    return rejection_problem(call, read.rejection());
  }
  return list_visible(call, query, find_contracts, &Access::contract);
}

Reply get_contract(Call& call) {
  auto contract = visible_contract(call, call.param("id"));
  if (!contract) return not_found(call, "contract.unknown", "contract " + call.param("id"));
  return json_reply(call, http::status::ok, *contract);
}

// The activated power per ISP of a reservation: [{"isp_start":T,"power_w":N}, ...].
Reply get_activations(Call& call) {
  auto contract = visible_contract(call, call.param("id"));
  if (!contract) return not_found(call, "contract.unknown", "contract " + call.param("id"));
  std::int64_t isp_seconds = call.api.chain().read_state([](const State& state) {
    auto params = state.get(keys::params);
    return params ? Json::parse(*params).value("isp_seconds", std::int64_t{900}) : std::int64_t{900};
  });
  std::vector<Json> items;
  if (contract->contains("activated_w")) {
    std::int64_t start = (*contract)["start"].get<std::int64_t>();
    const Json& activated = (*contract)["activated_w"];
    for (std::size_t i = 0; i < activated.size(); ++i) {
      if (activated[i].get<std::int64_t>() == 0) continue;
      items.push_back(Json{{"isp_start", start + static_cast<std::int64_t>(i) * isp_seconds}, {"power_w", activated[i]}});
    }
  }
  return items_reply(call, std::move(items));
}

Reply activate(Call& call) {
  if (auto hidden = require_visible(call, "contract.activate", keys::contract(call.param("id")), "contract_id", &Access::contract, "contract.unknown")) {
    return *hidden;
  }
  auto body = parse_body(call, {"activations"});
  if (!body) return rejection_problem(call, body.rejection());
  (*body)["contract_id"] = call.param("id");
  std::string id = call.param("id");
  return signed_write(call, "contract.activate", std::move(*body), http::status::ok,
                      reader_of(keys::contract(id), "contract_id", id, &Access::contract));
}

Reply list_readings(Call& call) {
  if (auto checked = check_query(call, {"metering_point_id", "from", "to"}); !checked) return rejection_problem(call, checked.rejection());
  auto point = call.query_text("metering_point_id");
  auto window = query_window(call, max_reading_span_seconds);
  if (!window) return rejection_problem(call, window.rejection());
  if (!point) return problem(call, http::status::bad_request, "request.bad_query", "metering_point_id is required");
  auto readings = with_access(call, [&](const State& state, const Access& access) -> std::optional<std::vector<Json>> {
    if (!access.metering_point(*point)) return std::nullopt;
    auto found = find_meter_readings(state, *point, window->first, window->second);
    // Who submitted a sub-meter reading names the household: only for those who may know it.
    if (!access.sees_submitters(*point)) {
      for (auto& reading : found) reading.erase("submitted_by");
    }
    return found;
  });
  if (!readings) return not_found(call, "meter.unknown_point", "metering point " + *point);
  return items_reply(call, std::move(*readings));
}

Reply submit_readings(Call& call) {
  auto body = parse_body(call, {"readings"});
  if (!body) return rejection_problem(call, body.rejection());
  return signed_write(call, "meter.submit", std::move(*body));
}

Reply list_nominations(Call& call) {
  if (auto checked = check_query(call, {"asset_id", "from", "to"}); !checked) return rejection_problem(call, checked.rejection());
  auto asset_id = call.query_text("asset_id");
  auto window = query_window(call, max_reading_span_seconds);
  if (!window) return rejection_problem(call, window.rejection());
  if (!asset_id) return problem(call, http::status::bad_request, "request.bad_query", "asset_id is required");
  auto points = with_access(call, [&](const State& state, const Access& access) -> std::optional<std::vector<Json>> {
    auto stored = state.get(keys::asset(*asset_id));
    if (!stored || !access.asset(Json::parse(*stored))) return std::nullopt;
    return find_nominations(state, *asset_id, window->first, window->second);
  });
  if (!points) return not_found(call, "asset.not_found", "asset " + *asset_id);
  return items_reply(call, std::move(*points));
}

Reply submit_nomination(Call& call) {
  auto body = parse_body(call, {"asset_id", "points"});
  if (!body) return rejection_problem(call, body.rejection());
  return signed_write(call, "nomination.submit", std::move(*body));
}

Reply list_settlements(Call& call) {
  SettlementQuery query;
  if (auto read = read_filters(call, {{"status", &query.status}, {"buyer", &query.buyer}, {"seller", &query.seller},
                                      {"zone_id", &query.zone_id}});
      !read) {
    return rejection_problem(call, read.rejection());
  }
  // The list carries each settlement's totals; the per-ISP columns are in the single record.
  return list_visible(call, query, find_settlements, &Access::settlement, nullptr, {"assets", "isps"});
}

Reply get_settlement(Call& call) {
  const std::string& id = call.param("id");
  auto settlement = with_access(call, [&](const State& state, const Access& access) -> std::optional<Json> {
    auto stored = state.get("settlement/" + id);
    if (!stored) return std::nullopt;
    Json record = Json::parse(*stored);
    if (!access.settlement(record)) return std::nullopt;
    return record;
  });
  if (!settlement) return not_found(call, "settlement.unknown", "settlement of contract " + id);
  if (wants_csv(call)) {
    // One row per ISP, one column per USEF quantity.
    std::vector<Json> rows;
    const Json& isps = (*settlement)["isps"];
    std::size_t count = isps.contains("isp_start") ? isps["isp_start"].size() : 0;
    for (std::size_t i = 0; i < count; ++i) {
      Json row{{"contract_id", id}};
      for (const auto& [column, values] : isps.items()) row[column] = values[i];
      rows.push_back(std::move(row));
    }
    return items_reply(call, std::move(rows));
  }
  return json_reply(call, http::status::ok, *settlement);
}

// Every version of a settlement, oldest first: the superseded ones kept at
// settlement_history/<id>/<version> and the latest; each with the money it moved, so a
// wallet or an auditor can follow corrections and resolutions version by version.
Reply settlement_versions(Call& call) {
  const std::string& id = call.param("id");
  auto versions = with_access(call, [&](const State& state, const Access& access) -> std::optional<std::vector<Json>> {
    auto stored = state.get("settlement/" + id);
    if (!stored) return std::nullopt;
    Json latest = Json::parse(*stored);
    if (!access.settlement(latest)) return std::nullopt;
    std::vector<Json> items;
    const std::string prefix = "settlement_history/" + id + "/";
    const auto& entries = state.entries();
    for (auto it = entries.lower_bound(prefix); it != entries.end() && it->first.starts_with(prefix); ++it) {
      items.push_back(Json::parse(it->second));
    }
    items.push_back(std::move(latest));
    return items;
  });
  if (!versions) return not_found(call, "settlement.unknown", "settlement of contract " + id);
  return items_reply(call, std::move(*versions));
}

Reply dispute(Call& call) {
  if (auto hidden = require_visible(call, "settlement.dispute", "settlement/" + call.param("id"), "contract_id", &Access::settlement, "settlement.unknown")) {
    return *hidden;
  }
  auto body = parse_body(call, {"reason"});
  if (!body) return rejection_problem(call, body.rejection());
  (*body)["contract_id"] = call.param("id");
  return signed_write(call, "settlement.dispute", std::move(*body));
}

Reply resolve(Call& call) {
  auto body = parse_body(call, {"net_micro", "reason", "resolution"});
  if (!body) return rejection_problem(call, body.rejection());
  (*body)["contract_id"] = call.param("id");
  return signed_write(call, "settlement.resolve", std::move(*body));
}

}  // namespace

void add_delivery_routes(Api& api) {
  using enum RouteAccess;
  api.add(http::verb::get, "/api/v1/contracts", Session, list_contracts);
  api.add(http::verb::get, "/api/v1/contracts/{id}", Session, get_contract);
  api.add(http::verb::get, "/api/v1/contracts/{id}/activations", Session, get_activations);
  api.add(http::verb::post, "/api/v1/contracts/{id}/activations", Signer, activate);
  api.add(http::verb::get, "/api/v1/meter-readings", Session, list_readings);
  api.add(http::verb::post, "/api/v1/meter-readings", Signer, submit_readings);
  api.add(http::verb::get, "/api/v1/nominations", Session, list_nominations);
  api.add(http::verb::post, "/api/v1/nominations", Signer, submit_nomination);
  api.add(http::verb::get, "/api/v1/settlements", Session, list_settlements);
  api.add(http::verb::get, "/api/v1/settlements/{id}", Session, get_settlement);
  api.add(http::verb::get, "/api/v1/settlements/{id}/versions", Session, settlement_versions);
  api.add(http::verb::post, "/api/v1/settlements/{id}/dispute", Signer, dispute);
  api.add(http::verb::post, "/api/v1/settlements/{id}/resolution", Signer, resolve);
}

}  // namespace flex::api
