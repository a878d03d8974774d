#include "contracts/queries.hpp"

#include <algorithm>
#include <cctype>

#include "contracts/orders.hpp"
#include "contracts/readings.hpp"
#include "contracts/record_cache.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

// The records under `prefix` in key order after the cursor that `keep` accepts, at most
// `limit`. Each record gets its key's suffix (its id) as `id_field`; the cursor of the next
// page is the last item's id when more may follow.
template <typename Keep>
Page paged(const State& state, const std::string& prefix, const char* id_field, const ListOptions& options, Keep&& keep) {
  const std::size_t limit = std::clamp<std::size_t>(options.limit, 1, max_page_size);
  const auto& entries = state.entries();
  std::vector<std::shared_ptr<const CachedRecord>> found;
  Page page;
  for (auto it = options.after ? entries.upper_bound(prefix + *options.after) : entries.lower_bound(prefix);
       it != entries.end() && it->first.starts_with(prefix); ++it) {
    std::string_view id = std::string_view(it->first).substr(prefix.size());
    auto record = options.cache ? options.cache->decoded(it->first, it->second, id_field, id) : decode_record(it->second, id_field, id);
    if (!keep(record->json) || (options.visible && !options.visible(record->json))) continue;
    if (found.size() == limit) {
      page.next_after = found.back()->json[id_field].get<std::string>();
      break;
    }
    found.push_back(std::move(record));
  }
  if (options.shared_records) {
    page.records = std::move(found);
  } else {
    for (const auto& record : found) page.items.push_back(record->json);
  }
  return page;
}

bool equals(const std::optional<std::string>& wanted, const Json& value) {
  return !wanted || (value.is_string() && value.get_ref<const std::string&>() == *wanted);
}

bool overlaps(const Json& order, const std::optional<std::int64_t>& start, const std::optional<std::int64_t>& end) {
  return (!end || order["start"].get<std::int64_t>() < *end) && (!start || order["end"].get<std::int64_t>() > *start);
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::optional<Json> read(const State& state, const std::string& key) {
  auto stored = state.get(key);
  if (!stored) return std::nullopt;
  return Json::parse(*stored);
}

std::int64_t primary_price(const Json& offer) {
  Prices prices = offer_prices(offer);
  return offer["product"] == "energy" ? prices.activation_micro_per_mwh : prices.availability_micro_per_mw_h;
}

}  // namespace

Page find_participants(const State& state, const ParticipantQuery& query) {
  return paged(state, "participant/", "public_key", query, [&](const Json& participant) {
    if (!equals(query.status, participant["status"])) return false;
    const auto& roles = participant["roles"];
    return !query.role || std::find(roles.begin(), roles.end(), Json(*query.role)) != roles.end();
  });
}

Page find_zones(const State& state, const ZoneQuery& query) {
  return paged(state, "zone/", "zone_id", query, [&](const Json& zone) {
    return equals(query.dso, zone["dso"]) && equals(query.kind, zone["kind"]);
  });
}

std::optional<Json> zone_outlook(const State& state, const std::string& zone_id) {
  if (!state.get(keys::zone(zone_id))) return std::nullopt;
  Json outlook{{"zone_id", zone_id}};
  const std::string prefix = "zone_outlook/" + zone_id + "/";
  for (auto it = state.entries().lower_bound(prefix); it != state.entries().end() && it->first.starts_with(prefix); ++it) {
    std::string rest = it->first.substr(prefix.size());  // <direction>/<resolution>
    std::string direction = rest.substr(0, rest.find('/'));
    outlook[direction][rest.substr(direction.size() + 1)] = Json::parse(it->second);
  }
  return outlook;
}

Page find_offers(const State& state, const OfferQuery& query) {
  return paged(state, "offer/", "offer_id", query, [&](const Json& offer) {
    if (!equals(query.zone_id, offer["zone_id"]) || !equals(query.direction, offer["direction"]) ||
        !equals(query.product, offer["product"]) || !equals(query.status, offer["status"]) ||
        !equals(query.seller, offer["seller"]) || !overlaps(offer, query.window_start, query.window_end)) {
      return false;
    }
    std::int64_t price = primary_price(offer);
    if ((query.min_price_micro && price < *query.min_price_micro) || (query.max_price_micro && price > *query.max_price_micro)) {
      return false;
    }
    if (query.min_power_w) {
      auto left = offer["remaining_w"];
      if (std::none_of(left.begin(), left.end(), [&](const Json& w) { return w.get<std::int64_t>() >= *query.min_power_w; })) {
        return false;
      }
    }
    if (query.technology) {
      const auto& ids = offer["asset_ids"];
      return std::any_of(ids.begin(), ids.end(), [&](const Json& id) {
        auto asset = read(state, keys::asset(id.get<std::string>()));
        return asset && (*asset)["technology"] == *query.technology;
      });
    }
    return true;
  });
}

Page find_requests(const State& state, const RequestQuery& query) {
  return paged(state, "request/", "request_id", query, [&](const Json& request) {
    return equals(query.zone_id, request["zone_id"]) && equals(query.direction, request["direction"]) &&
           equals(query.product, request["product"]) && equals(query.status, request["status"]) &&
           equals(query.buyer, request["buyer"]) && overlaps(request, query.window_start, query.window_end);
  });
}

Page find_assets(const State& state, const AssetQuery& query) {
  std::optional<std::string> text = query.text ? std::optional(lowercase(*query.text)) : std::nullopt;
  return paged(state, "asset/", "asset_id", query, [&](const Json& asset) {
    if (!equals(query.zone_id, asset["zone_id"]) || !equals(query.owner, asset["owner"]) ||
        !equals(query.technology, asset["technology"]) || !equals(query.prequalification, asset["prequalification"]["status"])) {
      return false;
    }
    if (!text) return true;
    auto owner = read(state, "participant/" + asset["owner"].get<std::string>());
    std::string company_code = owner && query.text_matches_owner ? owner->value("company_code", std::string()) : std::string();
    for (const std::string& candidate : {asset["name"].get<std::string>(), asset["asset_id"].get<std::string>(), company_code}) {
      if (lowercase(candidate).find(*text) != std::string::npos) return true;
    }
    return false;
  });
}

Page find_contracts(const State& state, const ContractQuery& query) {
  return paged(state, "contract/", "contract_id", query, [&](const Json& contract) {
    return equals(query.buyer, contract["buyer"]) && equals(query.seller, contract["seller"]) &&
           equals(query.zone_id, contract["zone_id"]) && equals(query.request_id, contract["request_id"]) &&
           equals(query.offer_id, contract["offer_id"]) && equals(query.status, contract["status"]) &&
           (!query.asset_id || contract["allocation"].contains(*query.asset_id));
  });
}

Page find_settlements(const State& state, const SettlementQuery& query) {
  return paged(state, "settlement/", "contract_id", query, [&](const Json& settlement) {
    if (!equals(query.status, settlement["status"])) return false;
    if (!query.buyer && !query.seller && !query.zone_id) return true;
    auto contract = read(state, keys::contract(settlement["contract_id"].get<std::string>()));
    return contract && equals(query.buyer, (*contract)["buyer"]) && equals(query.seller, (*contract)["seller"]) &&
           equals(query.zone_id, (*contract)["zone_id"]);
  });
}

std::vector<Json> find_meter_readings(const State& state, const std::string& metering_point_id, std::int64_t from,
                                      std::int64_t to) {
  auto isp_seconds = read(state, keys::params).value_or(Json::object()).value("isp_seconds", std::int64_t{900});
  std::vector<Json> readings;
  if (isp_seconds <= 0 || from < 0 || to > limits::max_json_integer || to <= from || to - from > max_reading_span_seconds) {
    return readings;
  }
  StateOverlay view(state);
  const std::int64_t first = from - from % isp_seconds, count = (to - first + isp_seconds - 1) / isp_seconds;
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t start = first + i * isp_seconds;
    auto reading = read_meter_reading(view, metering_point_id, start, isp_seconds);
    if (!reading) continue;
    readings.push_back(Json{{"export_wh", reading->export_wh},
                            {"import_wh", reading->import_wh},
                            {"isp_start", start},
                            {"metering_point_id", metering_point_id},
                            {"quality", reading->quality},
                            {"recorded_at", reading->recorded_at},
                            {"submitted_by", reading->submitted_by},
                            {"version", reading->version}});
  }
  return readings;
}

std::vector<Json> find_nominations(const State& state, const std::string& asset_id, std::int64_t from, std::int64_t to) {
  std::vector<Json> points;
  if (from < 0 || to > limits::max_json_integer || to <= from) return points;
  const auto& entries = state.entries();
  const std::string end_key = nomination_key(asset_id, to);
  for (auto it = entries.lower_bound(nomination_key(asset_id, from)); it != entries.end() && it->first < end_key; ++it) {
    std::int64_t isp_start = std::stoll(it->first.substr(it->first.rfind('/') + 1));
    points.push_back(Json{{"isp_start", isp_start}, {"net_w", Json::parse(it->second)}});
  }
  return points;
}

std::optional<Json> zone_order_book(const State& state, const std::string& zone_id) {
  if (!state.get(keys::zone(zone_id))) return std::nullopt;
  Json offers = Json::object();
  for (const char* direction : {"up", "down"}) {
    for (const char* product : {"energy", "reservation", "capacity_limitation"}) {
      Json side = Json::array();
      const std::string prefix = book_prefix(zone_id, direction, product);
      for (auto it = state.entries().lower_bound(prefix); it != state.entries().end() && it->first.starts_with(prefix); ++it) {
        side.push_back(*read(state, keys::offer(Json::parse(it->second).get<std::string>())));
      }
      offers[direction][product] = side;
    }
  }
  RequestQuery open_requests;
  open_requests.zone_id = zone_id;
  open_requests.status = "open";
  open_requests.limit = max_page_size;
  return Json{{"offers", offers}, {"requests", find_requests(state, open_requests).items}, {"zone_id", zone_id}};
}

std::optional<Json> account_view(const State& state, const std::string& participant_hex) {
  if (!state.get("participant/" + participant_hex)) return std::nullopt;
  Json account = read(state, "account/" + participant_hex)
                     .value_or(Json{{"available_micro", 0}, {"credit_limit_micro", 0}, {"held_micro", 0}});
  Json holds = Json::array(), budgets = Json::array(), escrows = Json::array();
  const auto& entries = state.entries();
  for (auto it = entries.lower_bound("hold/"); it != entries.end() && it->first.starts_with("hold/"); ++it) {
    Json hold = Json::parse(it->second);
    if (hold["payer"] != participant_hex && hold["payee"] != participant_hex) continue;
    hold["hold_id"] = it->first.substr(5);
    holds.push_back(hold);
  }
  for (auto it = entries.lower_bound("request/"); it != entries.end() && it->first.starts_with("request/"); ++it) {
    Json request = Json::parse(it->second);
    if (request["buyer"] == participant_hex && request["budget_micro"].get<std::int64_t>() > 0) {
      budgets.push_back(Json{{"budget_micro", request["budget_micro"]}, {"request_id", request["request_id"]}});
    }
  }
  for (auto it = entries.lower_bound("contract/"); it != entries.end() && it->first.starts_with("contract/"); ++it) {
    Json contract = Json::parse(it->second);
    if (contract["buyer"] == participant_hex && contract["escrow_micro"].get<std::int64_t>() > 0) {
      escrows.push_back(Json{{"contract_id", contract["contract_id"]}, {"escrow_micro", contract["escrow_micro"]}});
    }
  }
  account["contract_escrows"] = escrows;
  account["holds"] = holds;
  // An external wallet signs its next transaction with last_nonce + 1 (more if it has some pending).
  account["last_nonce"] = read(state, "nonce/" + participant_hex).value_or(Json(0));
  account["participant"] = participant_hex;
  account["request_budgets"] = budgets;
  return account;
}

namespace {

__extension__ using Wide = __int128;

// Energy of a per-ISP power profile: Σ W × isp seconds, in W·s (divided to Wh at the end).
Wide watt_seconds(const Json& power_w, std::int64_t isp_seconds) {
  Wide total = 0;
  for (const auto& w : power_w) total += static_cast<Wide>(w.get<std::int64_t>()) * isp_seconds;
  return total;
}

struct KpiCell {
  std::int64_t requests = 0, offers = 0, contracts = 0, settled = 0;
  Wide requested_ws = 0, offered_ws = 0, contracted_ws = 0, ordered_ws = 0, delivered_ws = 0;
  Wide activation_price_ws = 0, availability_price_ws = 0;  // Σ price × W·s, for the weighted means
  Wide activation_ws = 0, availability_ws = 0;
  Wide penalties_micro = 0, net_micro = 0, escrow_outstanding_micro = 0;
};

// KPI sums saturate at ±(2^53-1), so every figure stays an I-JSON integer.
std::int64_t narrow(Wide value) {
  return static_cast<std::int64_t>(std::clamp<Wide>(value, -limits::max_json_integer, limits::max_json_integer));
}

Json kpi_json(const std::string& zone_id, std::int64_t start, const KpiCell& cell) {
  auto weighted = [](Wide sum, Wide weight) { return weight == 0 ? Json() : Json(narrow(sum / weight)); };
  return Json{{"activation_price_micro_per_mwh", weighted(cell.activation_price_ws, cell.activation_ws)},
              {"availability_price_micro_per_mw_h", weighted(cell.availability_price_ws, cell.availability_ws)},
              {"contracted_wh", narrow(cell.contracted_ws / 3600)},
              {"contracts", cell.contracts},
              {"delivered_wh", narrow(cell.delivered_ws / 3600)},
              {"delivery_ratio_ppm", cell.ordered_ws == 0 ? Json() : Json(narrow(cell.delivered_ws * 1'000'000 / cell.ordered_ws))},
              {"escrow_outstanding_micro", narrow(cell.escrow_outstanding_micro)},
              {"net_settled_micro", narrow(cell.net_micro)},
              {"offered_wh", narrow(cell.offered_ws / 3600)},
              {"offers", cell.offers},
              {"ordered_wh", narrow(cell.ordered_ws / 3600)},
              {"penalties_micro", narrow(cell.penalties_micro)},
              {"requested_wh", narrow(cell.requested_ws / 3600)},
              {"requests", cell.requests},
              {"settled_contracts", cell.settled},
              {"start", start},
              {"zone_id", zone_id}};
}

}  // namespace

Json market_kpis(const State& state, const KpiQuery& query) {
  const std::int64_t bucket = std::max<std::int64_t>(query.bucket_seconds, 60);
  std::map<std::pair<std::string, std::int64_t>, KpiCell> cells;
  // The cell of a record, or nullptr when it is outside the query.
  auto cell_of = [&](const Json& record) -> KpiCell* {
    std::int64_t start = record["start"].get<std::int64_t>();
    if (!equals(query.zone_id, record["zone_id"]) || start < query.from || start >= query.to) return nullptr;
    std::int64_t bucket_start = start - ((start % bucket) + bucket) % bucket;
    return &cells[{record["zone_id"].get<std::string>(), bucket_start}];
  };
  const auto& entries = state.entries();
  for (auto it = entries.lower_bound("request/"); it != entries.end() && it->first.starts_with("request/"); ++it) {
    Json request = Json::parse(it->second);
    if (KpiCell* cell = cell_of(request)) {
      ++cell->requests;
      cell->requested_ws += watt_seconds(request["power_w"], request["isp_seconds"].get<std::int64_t>());
      cell->escrow_outstanding_micro += request["budget_micro"].get<std::int64_t>();
    }
  }
  for (auto it = entries.lower_bound("offer/"); it != entries.end() && it->first.starts_with("offer/"); ++it) {
    Json offer = Json::parse(it->second);
    if (KpiCell* cell = cell_of(offer)) {
      ++cell->offers;
      cell->offered_ws += watt_seconds(offer["power_w"], offer["isp_seconds"].get<std::int64_t>());
    }
  }
  for (auto it = entries.lower_bound("contract/"); it != entries.end() && it->first.starts_with("contract/"); ++it) {
    Json contract = Json::parse(it->second);
    KpiCell* cell = cell_of(contract);
    if (!cell) continue;
    const std::int64_t isp = contract["isp_seconds"].get<std::int64_t>();
    Wide energy = watt_seconds(contract["power_w"], isp);
    ++cell->contracts;
    cell->contracted_ws += energy;
    Prices prices = offer_prices(contract);
    if (contract["prices"].contains("activation_price_micro_per_mwh")) {
      cell->activation_price_ws += energy * prices.activation_micro_per_mwh;
      cell->activation_ws += energy;
    }
    if (contract["prices"].contains("availability_price_micro_per_mw_h")) {
      cell->availability_price_ws += energy * prices.availability_micro_per_mw_h;
      cell->availability_ws += energy;
    }
    auto settlement = read(state, "settlement/" + contract["contract_id"].get<std::string>());
    if (!settlement) {
      cell->escrow_outstanding_micro += contract["escrow_micro"].get<std::int64_t>();
      continue;
    }
    ++cell->settled;
    const Json& columns = (*settlement)["isps"];
    for (std::size_t i = 0; i < columns["isp_start"].size(); ++i) {
      cell->ordered_ws += static_cast<Wide>(columns["OrderedFlexPower"][i].get<std::int64_t>()) * isp;
      cell->delivered_ws += static_cast<Wide>(columns["DeliveredFlexPower"][i].get<std::int64_t>()) * isp;
      cell->penalties_micro += columns["Penalty"][i].get<std::int64_t>();
    }
    cell->net_micro += (*settlement)["net_micro"].get<std::int64_t>();
  }
  Json buckets = Json::array();
  for (const auto& [key, cell] : cells) buckets.push_back(kpi_json(key.first, key.second, cell));
  return Json{{"buckets", buckets}};
}

std::optional<Json> asset_commitments(const State& state, const std::string& asset_id) {
  auto asset = read(state, keys::asset(asset_id));
  if (!asset) return std::nullopt;
  Json commitments = Json::array();
  const std::string prefix = "commitment/" + asset_id + "/";
  for (auto it = state.entries().lower_bound(prefix); it != state.entries().end() && it->first.starts_with(prefix); ++it) {
    std::string rest = it->first.substr(prefix.size());  // <direction>/<T>
    std::string direction = rest.substr(0, rest.find('/'));
    commitments.push_back(Json{{"committed_w", Json::parse(it->second)},
                               {"direction", direction},
                               {"isp_start", std::stoll(rest.substr(direction.size() + 1))},
                               {"max_w", (*asset)[direction == "up" ? "max_up_w" : "max_down_w"]}});
  }
  return Json{{"asset_id", asset_id}, {"commitments", commitments}};
}

}  // namespace flex
