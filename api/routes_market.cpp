// Participants, zones, assets, offers and requests: lists with filters, single records,
// and the writes the node signs for its users.
#include "api/route_support.hpp"
#include "contracts/state_keys.hpp"

namespace flex::api {
namespace {

std::optional<Json> read_record(const State& state, const std::string& key, const char* id_field, const std::string& id) {
  auto stored = state.get(key);
  if (!stored) return std::nullopt;
  Json record = Json::parse(*stored);
  record[id_field] = id;
  return record;
}

// One record by id, 404 when absent or not visible; `redact` hides what the viewer need not see.
Reply get_visible(Call& call, const std::string& key, const char* id_field, VisibilityRule rule, std::string_view code,
                  Redaction redact = nullptr) {
  const std::string& id = call.param("id");
  auto record = with_access(call, [&](const State& state, const Access& access) {
    return visible_record(state, access, key, id_field, id, rule, redact);
  });
  if (!record) return not_found(call, code, std::string(id_field) + " " + id);
  return json_reply(call, http::status::ok, *record);
}

// A filter on someone else's key would tell a viewer whose records are whose, which the
// redaction hides: only the read-all roles may filter by another participant.
std::optional<Reply> refuse_identity_filter(const Call& call, const std::optional<std::string>& participant_hex) {
  if (!participant_hex || call.viewer->reads_all() || *participant_hex == call.viewer->participant_hex) return std::nullopt;
  return problem(call, http::status::forbidden, "auth.forbidden", "only your own key may be used as owner or seller filter");
}

// ---- participants ----

Reply list_participants(Call& call) {
  ParticipantQuery query;
  if (auto read = read_filters(call, {{"role", &query.role}, {"status", &query.status}}); !read) return rejection_problem(call, read.rejection());
  return list_visible(call, query, find_participants, &Access::participant);
}

Reply get_participant(Call& call) {
  return get_visible(call, "participant/" + call.param("id"), "public_key", &Access::participant, "participant.not_found");
}

Reply admit_participant(Call& call) {
  auto body = parse_body(call, {"company_code", "name", "public_key", "roles"});
  if (!body) return rejection_problem(call, body.rejection());
  std::string key = body->value("public_key", std::string());
  return signed_write(call, "participant.admit", std::move(*body), http::status::created, reader_of("participant/" + key, "public_key", key, &Access::participant));
}

Reply update_participant(Call& call) {
  auto body = parse_body(call, {"company_code", "name", "roles"});
  if (!body) return rejection_problem(call, body.rejection());
  (*body)["public_key"] = call.param("id");
  return signed_write(call, "participant.update", std::move(*body), http::status::ok,
                      reader_of("participant/" + call.param("id"), "public_key", call.param("id"), &Access::participant));
}

Reply suspend_participant(Call& call) {
  auto body = parse_body(call, {"reason"});
  if (!body) return rejection_problem(call, body.rejection());
  (*body)["public_key"] = call.param("id");
  return signed_write(call, "participant.suspend", std::move(*body));
}

Reply reinstate_participant(Call& call) {
  auto body = parse_body(call, {});
  if (!body) return rejection_problem(call, body.rejection());
  return signed_write(call, "participant.reinstate", Json{{"public_key", call.param("id")}});
}

// ---- zones ----

Reply list_zones(Call& call) {
  ZoneQuery query;
  if (auto read = read_filters(call, {{"dso", &query.dso}, {"kind", &query.kind}}); !read) return rejection_problem(call, read.rejection());
  return list_visible(call, query, find_zones, nullptr);  // zones are public to every participant
}

Reply get_zone(Call& call) {
  auto zone = call.api.chain().read_state([&](const State& state) { return read_record(state, keys::zone(call.param("id")), "zone_id", call.param("id")); });
  if (!zone) return not_found(call, "zone.unknown", "zone " + call.param("id"));
  return json_reply(call, http::status::ok, *zone);
}

Reply get_outlook(Call& call) {
  auto outlook = call.api.chain().read_state([&](const State& state) { return zone_outlook(state, call.param("id")); });
  if (!outlook) return not_found(call, "zone.unknown", "zone " + call.param("id"));
  return json_reply(call, http::status::ok, *outlook);
}

// Per direction and product: how many offers, the cheapest primary price, and the power on offer.
Json aggregate_book(const Json& book) {
  Json offers = Json::object();
  for (const auto& [direction, products] : book["offers"].items()) {
    for (const auto& [product, list] : products.items()) {
      std::int64_t peak_w = 0;
      for (const auto& offer : list) {
        for (const auto& w : offer["remaining_w"]) peak_w = std::max(peak_w, w.get<std::int64_t>());
      }
      offers[direction][product] = Json{{"count", list.size()}, {"largest_remaining_w", peak_w}};
    }
  }
  return Json{{"aggregated", true}, {"offers", offers}, {"requests", Json{{"count", book["requests"].size()}}}, {"zone_id", book["zone_id"]}};
}

Reply get_order_book(Call& call) {
  const std::string& zone_id = call.param("id");
  auto book = with_access(call, [&](const State& state, const Access& access) -> std::optional<Json> {
    auto full = zone_order_book(state, zone_id);
    if (!full) return std::nullopt;
    if (!access.full_order_book(zone_id)) return aggregate_book(*full);
    for (auto& [direction, products] : (*full)["offers"].items()) {
      for (auto& [product, list] : products.items()) {
        for (auto& offer : list) offer = access.redact_offer(std::move(offer));
      }
    }
    Json visible_requests = Json::array();
    for (auto& request : (*full)["requests"]) {
      if (access.request(request)) visible_requests.push_back(std::move(request));
    }
    (*full)["requests"] = std::move(visible_requests);
    return full;
  });
  if (!book) return not_found(call, "zone.unknown", "zone " + zone_id);
  return json_reply(call, http::status::ok, *book);
}

Reply create_zone(Call& call) {
  auto body = parse_body(call, {"export_limit_w", "import_limit_w", "kind", "name", "polygon", "postcodes", "zone_id"});
  if (!body) return rejection_problem(call, body.rejection());
  std::string id = body->value("zone_id", std::string());
  return signed_write(call, "zone.create", std::move(*body), http::status::created, reader_of(keys::zone(id), "zone_id", id, &Access::zone));
}

Reply update_zone(Call& call) {
  auto body = parse_body(call, {"export_limit_w", "import_limit_w", "kind", "name", "polygon", "postcodes"});
  if (!body) return rejection_problem(call, body.rejection());
  (*body)["zone_id"] = call.param("id");
  return signed_write(call, "zone.update", std::move(*body), http::status::ok, reader_of(keys::zone(call.param("id")), "zone_id", call.param("id"), &Access::zone));
}

Reply publish_outlook(Call& call) {
  auto body = parse_body(call, {"direction", "points", "resolution"});
  if (!body) return rejection_problem(call, body.rejection());
  (*body)["zone_id"] = call.param("id");
  return signed_write(call, "zone.outlook", std::move(*body));
}

// ---- assets ----

Reply list_assets(Call& call) {
  AssetQuery query;
  if (auto read = read_filters(call, {{"zone_id", &query.zone_id}, {"owner", &query.owner}, {"technology", &query.technology},
                                      {"prequalification", &query.prequalification}, {"q", &query.text}});
      !read) {
    return rejection_problem(call, read.rejection());
  }
  if (auto refused = refuse_identity_filter(call, query.owner)) return *refused;
  query.text_matches_owner = call.viewer->reads_all();
  return list_visible(call, query, find_assets, &Access::asset, &Access::hidden_in_asset);
}

Reply get_asset(Call& call) {
  return get_visible(call, keys::asset(call.param("id")), "asset_id", &Access::asset, "asset.not_found", &Access::redact_asset);
}

Reply get_prequalification(Call& call) {
  Reply reply = get_asset(call);
  if (reply.response.result() != http::status::ok) return reply;
  Json asset = Json::parse(reply.response.body());
  return json_reply(call, http::status::ok, Json{{"asset_id", asset["asset_id"]}, {"prequalification", asset["prequalification"]}});
}

Reply get_consents(Call& call) {
  const std::string& id = call.param("id");
  auto consents = with_access(call, [&](const State& state, const Access& access) -> std::optional<Json> {
    auto asset = read_record(state, keys::asset(id), "asset_id", id);
    if (!asset || !access.asset(*asset)) return std::nullopt;
    Json list = Json::array();
    std::string prefix = "consent/" + id + "/";
    for (auto it = state.entries().lower_bound(prefix); it != state.entries().end() && it->first.starts_with(prefix); ++it) {
      Json entry = Json::parse(it->second);
      entry["aggregator"] = it->first.substr(prefix.size());
      list.push_back(std::move(entry));
    }
    return Json{{"asset_id", id}, {"consents", list}};
  });
  if (!consents) return not_found(call, "asset.not_found", "asset " + id);
  return json_reply(call, http::status::ok, *consents);
}

Reply get_commitments(Call& call) {
  const std::string& id = call.param("id");
  auto commitments = with_access(call, [&](const State& state, const Access& access) -> std::optional<Json> {
    auto asset = read_record(state, keys::asset(id), "asset_id", id);
    if (!asset || !access.asset(*asset)) return std::nullopt;
    return asset_commitments(state, id);
  });
  if (!commitments) return not_found(call, "asset.not_found", "asset " + id);
  return json_reply(call, http::status::ok, *commitments);
}

Reply register_asset(Call& call) {
  auto body = parse_body(call, {"asset_id", "connection_w", "max_down_w", "max_up_w", "metering_point_id", "name", "property",
                                "storage_wh", "sub_metering_point_id", "supplier", "technology", "zone_id"});
  if (!body) return rejection_problem(call, body.rejection());
  std::string id = body->value("asset_id", std::string());
  return signed_write(call, "asset.register", std::move(*body), http::status::created, reader_of(keys::asset(id), "asset_id", id, &Access::asset, &Access::redact_asset));
}

Reply update_asset(Call& call) {
  if (auto hidden = require_visible(call, "asset.update", keys::asset(call.param("id")), "asset_id", &Access::asset, "asset.not_found")) return *hidden;
  auto body = parse_body(call, {"connection_w", "max_down_w", "max_up_w", "metering_point_id", "name", "property",
                                "storage_wh", "sub_metering_point_id", "supplier", "technology", "zone_id"});
  if (!body) return rejection_problem(call, body.rejection());
  (*body)["asset_id"] = call.param("id");
  return signed_write(call, "asset.update", std::move(*body), http::status::ok, reader_of(keys::asset(call.param("id")), "asset_id", call.param("id"), &Access::asset, &Access::redact_asset));
}

Reply record_consent(Call& call) {
  if (auto hidden = require_visible(call, "asset.consent", keys::asset(call.param("id")), "asset_id", &Access::asset, "asset.not_found")) return *hidden;
  auto body = parse_body(call, {"aggregator", "granted"});
  if (!body) return rejection_problem(call, body.rejection());
  (*body)["asset_id"] = call.param("id");
  return signed_write(call, "asset.consent", std::move(*body));
}

Reply prequalify(Call& call) {
  if (auto hidden = require_visible(call, "asset.prequalify", keys::asset(call.param("id")), "asset_id", &Access::asset, "asset.not_found")) return *hidden;
  auto body = parse_body(call, {"decision", "reason"});
  if (!body) return rejection_problem(call, body.rejection());
  (*body)["asset_id"] = call.param("id");
  return signed_write(call, "asset.prequalify", std::move(*body), http::status::ok, reader_of(keys::asset(call.param("id")), "asset_id", call.param("id"), &Access::asset, &Access::redact_asset));
}

// ---- offers and requests ----

Reply list_offers(Call& call) {
  OfferQuery query;
  if (auto read = read_filters(call,
                               {{"zone_id", &query.zone_id}, {"direction", &query.direction}, {"product", &query.product},
                                {"status", &query.status}, {"seller", &query.seller}, {"technology", &query.technology}},
                               {{"from", &query.window_start}, {"to", &query.window_end}, {"min_price_micro", &query.min_price_micro},
                                {"max_price_micro", &query.max_price_micro}, {"min_power_w", &query.min_power_w}});
      !read) {
    return rejection_problem(call, read.rejection());
  }
  if (auto refused = refuse_identity_filter(call, query.seller)) return *refused;
  return list_visible(call, query, find_offers, &Access::offer, &Access::hidden_in_offer);
}

Reply get_offer(Call& call) {
  return get_visible(call, keys::offer(call.param("id")), "offer_id", &Access::offer, "offer.not_found", &Access::redact_offer);
}

Reply create_offer(Call& call) {
  auto body = parse_body(call, {"activation_price_micro_per_mwh", "asset_ids", "availability_price_micro_per_mw_h", "baseline",
                                "direction", "end", "expires_at", "metering", "min_activation_ppm", "offer_id", "power_w",
                                "product", "start", "zone_id"});
  if (!body) return rejection_problem(call, body.rejection());
  std::string id = body->value("offer_id", std::string());
  return signed_write(call, "offer.create", std::move(*body), http::status::created, reader_of(keys::offer(id), "offer_id", id, &Access::offer, &Access::redact_offer));
}

Reply revoke_offer(Call& call) {
  if (auto hidden = require_visible(call, "offer.revoke", keys::offer(call.param("id")), "offer_id", &Access::offer, "offer.not_found")) return *hidden;
  return signed_write(call, "offer.revoke", Json{{"offer_id", call.param("id")}}, http::status::ok,
                      reader_of(keys::offer(call.param("id")), "offer_id", call.param("id"), &Access::offer, &Access::redact_offer));
}

Reply list_requests(Call& call) {
  RequestQuery query;
  if (auto read = read_filters(call,
                               {{"zone_id", &query.zone_id}, {"direction", &query.direction}, {"product", &query.product},
                                {"status", &query.status}, {"buyer", &query.buyer}},
                               {{"from", &query.window_start}, {"to", &query.window_end}});
      !read) {
    return rejection_problem(call, read.rejection());
  }
  return list_visible(call, query, find_requests, &Access::request);
}

Reply get_request(Call& call) {
  return get_visible(call, keys::request(call.param("id")), "request_id", &Access::request, "request.not_found");
}

Reply create_request(Call& call) {
  auto body = parse_body(call, {"accept_sub_meter", "direction", "end", "expires_at", "max_activation_price_micro_per_mwh",
                                "max_availability_price_micro_per_mw_h", "power_w", "product", "request_id", "start", "zone_id"});
  if (!body) return rejection_problem(call, body.rejection());
  std::string id = body->value("request_id", std::string());
  return signed_write(call, "request.create", std::move(*body), http::status::created, reader_of(keys::request(id), "request_id", id, &Access::request));
}

Reply cancel_request(Call& call) {
  if (auto hidden = require_visible(call, "request.cancel", keys::request(call.param("id")), "request_id", &Access::request, "request.not_found")) return *hidden;
  return signed_write(call, "request.cancel", Json{{"request_id", call.param("id")}}, http::status::ok,
                      reader_of(keys::request(call.param("id")), "request_id", call.param("id"), &Access::request));
}

Reply purchase(Call& call) {
  if (auto hidden = require_visible(call, "request.purchase", keys::request(call.param("id")), "request_id", &Access::request, "request.not_found")) return *hidden;
  auto body = parse_body(call, {"fills"});
  if (!body) return rejection_problem(call, body.rejection());
  (*body)["request_id"] = call.param("id");
  return signed_write(call, "request.purchase", std::move(*body), http::status::ok,
                      reader_of(keys::request(call.param("id")), "request_id", call.param("id"), &Access::request));
}

Reply match(Call& call) {
  if (auto hidden = require_visible(call, "request.match", keys::request(call.param("id")), "request_id", &Access::request, "request.not_found")) return *hidden;
  auto body = parse_body(call, {});
  if (!body) return rejection_problem(call, body.rejection());
  return signed_write(call, "request.match", Json{{"request_id", call.param("id")}}, http::status::ok,
                      reader_of(keys::request(call.param("id")), "request_id", call.param("id"), &Access::request));
}

}  // namespace

void add_market_routes(Api& api) {
  using enum RouteAccess;
  api.add(http::verb::get, "/api/v1/participants", Session, list_participants);
  api.add(http::verb::post, "/api/v1/participants", Signer, admit_participant);
  api.add(http::verb::get, "/api/v1/participants/{id}", Session, get_participant);
  api.add(http::verb::patch, "/api/v1/participants/{id}", Signer, update_participant);
  api.add(http::verb::post, "/api/v1/participants/{id}/suspension", Signer, suspend_participant);
  api.add(http::verb::delete_, "/api/v1/participants/{id}/suspension", Signer, reinstate_participant);
  api.add(http::verb::get, "/api/v1/zones", Session, list_zones);
  api.add(http::verb::post, "/api/v1/zones", Signer, create_zone);
  api.add(http::verb::get, "/api/v1/zones/{id}", Session, get_zone);
  api.add(http::verb::patch, "/api/v1/zones/{id}", Signer, update_zone);
  api.add(http::verb::get, "/api/v1/zones/{id}/outlook", Session, get_outlook);
  api.add(http::verb::post, "/api/v1/zones/{id}/outlook", Signer, publish_outlook);
  api.add(http::verb::get, "/api/v1/zones/{id}/orderbook", Session, get_order_book);
  api.add(http::verb::get, "/api/v1/assets", Session, list_assets);
  api.add(http::verb::post, "/api/v1/assets", Signer, register_asset);
  api.add(http::verb::get, "/api/v1/assets/{id}", Session, get_asset);
  api.add(http::verb::patch, "/api/v1/assets/{id}", Signer, update_asset);
  api.add(http::verb::get, "/api/v1/assets/{id}/prequalification", Session, get_prequalification);
  api.add(http::verb::post, "/api/v1/assets/{id}/prequalification", Signer, prequalify);
  api.add(http::verb::get, "/api/v1/assets/{id}/consent", Session, get_consents);
  api.add(http::verb::post, "/api/v1/assets/{id}/consent", Signer, record_consent);
  api.add(http::verb::get, "/api/v1/assets/{id}/commitments", Session, get_commitments);
  api.add(http::verb::get, "/api/v1/offers", Session, list_offers);
  api.add(http::verb::post, "/api/v1/offers", Signer, create_offer);
  api.add(http::verb::get, "/api/v1/offers/{id}", Session, get_offer);
  api.add(http::verb::delete_, "/api/v1/offers/{id}", Signer, revoke_offer);
  api.add(http::verb::get, "/api/v1/requests", Session, list_requests);
  api.add(http::verb::post, "/api/v1/requests", Signer, create_request);
  api.add(http::verb::get, "/api/v1/requests/{id}", Session, get_request);
  api.add(http::verb::delete_, "/api/v1/requests/{id}", Signer, cancel_request);
  api.add(http::verb::post, "/api/v1/requests/{id}/purchase", Signer, purchase);
  api.add(http::verb::post, "/api/v1/requests/{id}/match", Signer, match);
}

}  // namespace flex::api
