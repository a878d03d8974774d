// Node and ledger: status, health, metrics, blocks, transactions, digests and KPIs.
#include <charconv>

#include "api/events.hpp"
#include "api/openapi.hpp"
#include "api/route_support.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex::api {
namespace {

constexpr std::int64_t max_blocks_page = 100;

Reply status(Call& call) {
  ChainStatus status = call.api.chain().status();
  Json network = call.api.network_status();
  return json_reply(call, http::status::ok,
                    {{"chain_id", status.chain_id},
                     {"height", status.height},
                     {"app_hash", to_hex(status.app_hash)},
                     {"last_block_hash", to_hex(status.last_block_hash)},
                     {"last_block_time", status.last_block_time},
                     {"genesis_hash", to_hex(status.genesis_hash)},
                     {"node_participant", to_hex(call.api.signer().keyring().node_participant())},
                     {"validator", network["validator"]},
                     {"peers", network["peers"]},
                     {"sync", network["sync"]},
                     {"consensus", network["consensus"]},
                     {"mempool", {{"transactions", status.mempool_transactions}, {"bytes", status.mempool_bytes}}},
                     {"version", call.api.options().version}});
}

// One Prometheus series: its help, type and value.
void add_series(std::string& text, const char* name, const char* type, const char* help, const std::string& value) {
  text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " + value + "\n";
}

Reply metrics(Call& call) {
  ChainStatus status = call.api.chain().status();
  ServerCounters server = call.api.server_counters();
  std::int64_t commit_ms = call.api.chain().last_commit_milliseconds();
  std::string text = call.api.metrics().render();
  add_series(text, "flex_block_height", "gauge", "Height of the last committed block.", std::to_string(status.height));
  add_series(text, "flex_mempool_transactions", "gauge", "Transactions waiting in the mempool.", std::to_string(status.mempool_transactions));
  add_series(text, "flex_last_commit_seconds", "gauge", "Time the last block commit took.",
             std::to_string(commit_ms / 1000) + "." + std::to_string(1000 + commit_ms % 1000).substr(1));
  Json network = call.api.network_status();
  add_series(text, "flex_peers", "gauge", "Authenticated peer connections.", std::to_string(network["peers"].size()));
  add_series(text, "flex_consensus_round", "gauge", "Consensus round at the current height (-1 before it starts).",
             std::to_string(network["consensus"]["round"].get<std::int64_t>()));
  add_series(text, "flex_sync_target_height", "gauge", "Highest height a peer reported.",
             std::to_string(network["sync"]["target_height"].get<std::int64_t>()));
  add_series(text, "flex_p2p_bytes_in_total", "counter", "Bytes received from peers.",
             std::to_string(network["p2p"]["bytes_in"].get<std::uint64_t>()));
  add_series(text, "flex_p2p_bytes_out_total", "counter", "Bytes sent to peers.",
             std::to_string(network["p2p"]["bytes_out"].get<std::uint64_t>()));
  add_series(text, "flex_event_subscribers", "gauge", "Open event streams.", std::to_string(call.api.events().subscribers()));
  add_series(text, "flex_sessions", "gauge", "Live login sessions.", std::to_string(call.api.sessions().size()));
  add_series(text, "flex_http_connections_open", "gauge", "HTTP connections open now.", std::to_string(server.connections_open));
  add_series(text, "flex_http_connections_total", "counter", "HTTP connections accepted since start.", std::to_string(server.connections_total));
  add_series(text, "flex_http_rate_limited_total", "counter", "Requests answered 429 by the per-client rate limit.",
             std::to_string(server.rate_limited_total));
  add_series(text, "flex_http_timeouts_total", "counter", "TLS handshakes, headers and bodies cut off by their deadline.",
             std::to_string(server.timeouts_total));
  add_series(text, "flex_http_deferred_pending", "gauge", "Writes and logins queued or running off the I/O threads.",
             std::to_string(server.deferred_pending));
  add_series(text, "flex_http_deferred_refused_total", "counter", "Writes and logins refused 503 http.busy: too many pending.",
             std::to_string(server.deferred_refused_total));
  add_series(text, "flex_record_cache_entries", "gauge", "Decoded state records cached for list queries.",
             std::to_string(call.api.record_cache().size()));
  Response response{http::status::ok, call.request.version()};
  response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.body() = std::move(text);
  response.prepare_payload();
  return response;
}

Reply openapi(Call& call) {
  Response response{http::status::ok, call.request.version()};
  response.set(http::field::content_type, "application/json");
  response.body() = std::string(openapi_document());
  response.prepare_payload();
  return response;
}

Json transaction_json(const StoredTransaction& row) {
  return Json{{"id", row.id_hex}, {"height", row.height}, {"position", row.position},
              {"result", {{"code", row.receipt.code}, {"message", row.receipt.message}}}, {"tx", Json::parse(row.body)}};
}

std::optional<std::int64_t> parse_height(std::string_view text) {
  std::int64_t height = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), height);
  if (error != std::errc() || end != text.data() + text.size() || height < 1) return std::nullopt;
  return height;
}

Reply list_blocks(Call& call) {
  if (!with_access(call, [](const State&, const Access& access) { return access.raw_ledger(); })) {
    return problem(call, http::status::forbidden, "auth.forbidden", "raw blocks are for auditors, regulators and the operator");
  }
  if (auto checked = check_query(call, {"before", "limit"}); !checked) return rejection_problem(call, checked.rejection());
  auto before = query_integer(call, "before");
  auto limit = query_integer(call, "limit");
  if (!before || !limit) return rejection_problem(call, !before ? before.rejection() : limit.rejection());
  std::int64_t count = limit->value_or(20);
  if (count < 1 || count > max_blocks_page) return problem(call, http::status::bad_request, "request.bad_query", "limit must be 1 to 100");
  if (*before && **before < 1) return problem(call, http::status::bad_request, "request.bad_query", "before must be a positive height");
  std::int64_t top = std::min(call.api.chain().status().height, before->value_or(INT64_MAX) - 1);
  Page page;
  for (std::int64_t height = top; height >= 1 && static_cast<std::int64_t>(page.items.size()) < count; --height) {
    auto block = call.api.chain().block(height);
    if (!block) break;
    Json header = Json::parse(block->header_json);
    page.items.push_back(Json{{"app_hash", header["app_hash"]}, {"hash", block->hash_hex}, {"height", height},
                              {"proposer", header["proposer"]}, {"time", header["time"]},
                              {"transactions", call.api.chain().block_transactions(height).size()}});
    if (height > 1 && static_cast<std::int64_t>(page.items.size()) == count) page.next_after = std::to_string(height);
  }
  return page_reply(call, std::move(page));
}

Reply get_block(Call& call) {
  if (!with_access(call, [](const State&, const Access& access) { return access.raw_ledger(); })) {
    return problem(call, http::status::forbidden, "auth.forbidden", "raw blocks are for auditors, regulators and the operator");
  }
  auto height = parse_height(call.param("height"));
  if (!height) return problem(call, http::status::bad_request, "http.bad_height", "height must be a positive integer");
  auto block = call.api.chain().block(*height);
  if (!block) return not_found(call, "block.not_found", "block at that height");
  Json transactions = Json::array();
  for (const auto& row : call.api.chain().block_transactions(*height)) transactions.push_back(transaction_json(row));
  return json_reply(call, http::status::ok,
                    {{"height", *height}, {"hash", block->hash_hex}, {"header", Json::parse(block->header_json)},
                     {"commit", Json::parse(block->commit_json)}, {"transactions", transactions}});
}

Reply get_transaction(Call& call) {
  const std::string& id_hex = call.param("id");
  auto id = from_hex_fixed<32>(id_hex);
  if (!id || id_hex.size() != 64) return problem(call, http::status::bad_request, "http.bad_id", "transaction id must be 64 lowercase hex");
  bool raw = with_access(call, [](const State&, const Access& access) { return access.raw_ledger(); });
  // The mempool first: a commit writes the store before it clears the mempool.
  bool pending = call.api.chain().mempool_contains(*id);
  auto stored = call.api.chain().transaction(id_hex);
  if (!stored) {
    if (pending && raw) return json_reply(call, http::status::ok, {{"id", id_hex}, {"status", "pending"}});
    return not_found(call, "tx.not_found", "transaction " + id_hex);
  }
  Json body = transaction_json(*stored);
  if (!raw && body["tx"].value("signer", std::string()) != call.viewer->participant_hex) {
    return not_found(call, "tx.not_found", "transaction " + id_hex);
  }
  body["status"] = "committed";
  return json_reply(call, http::status::ok, body);
}

Reply submit_transaction(Call& call) {
  if (call.viewer && call.viewer->read_only()) {
    return problem(call, http::status::forbidden, "auth.read_only", "a read-only session submits nothing");
  }
  auto admitted = call.api.chain().submit(call.request.body());
  if (!admitted) return rejection_problem(call, admitted.rejection());
  return json_reply(call, http::status::accepted, {{"id", to_hex(*admitted)}, {"status", "pending"}});
}

Reply list_digests(Call& call) {
  if (auto checked = check_query(call, {"after", "limit"}); !checked) return rejection_problem(call, checked.rejection());
  auto limit = query_limit(call);
  if (!limit) return rejection_problem(call, limit.rejection());
  auto after = call.query_text("after");
  Page page = call.api.chain().read_state([&](const State& state) {
    Page result;
    const auto& entries = state.entries();
    for (auto it = after ? entries.upper_bound("digest/" + *after) : entries.lower_bound("digest/");
         it != entries.end() && it->first.starts_with("digest/"); ++it) {
      if (result.items.size() == *limit) {
        result.next_after = result.items.back()["date"].get<std::string>();
        break;
      }
      result.items.push_back(Json::parse(it->second));
    }
    return result;
  });
  return page_reply(call, std::move(page));
}

Reply get_digest(Call& call) {
  auto digest = call.api.chain().read_state([&](const State& state) { return state.get("digest/" + call.param("date")); });
  if (!digest) return not_found(call, "digest.not_found", "digest for " + call.param("date"));
  return json_reply(call, http::status::ok, Json::parse(*digest));
}

// The market parameters fixed at genesis (PROTOCOL §2), so clients put orders, readings
// and activations on the chain's ISP grid instead of assuming one.
Reply market_params(Call& call) {
  auto params = call.api.chain().read_state([](const State& state) { return state.get(keys::params); });
  if (!params) return problem(call, http::status::not_found, "params.not_found", "no market parameters in the state");
  return json_reply(call, http::status::ok, Json::parse(*params));
}

// The chain's genesis, exactly as stored (its canonical bytes hash to /status's
// genesis_hash), so an auditor's tools can check validators and quorums; the hash itself
// must still be compared with the consortium's out of band. It names every genesis
// participant, households included, so it is for the read-all roles, like /blocks.
Reply genesis(Call& call) {
  if (!with_access(call, [](const State&, const Access& access) { return access.raw_ledger(); })) {
    return problem(call, http::status::forbidden, "auth.forbidden", "the genesis is for the operator, auditors and regulators");
  }
  Response response{http::status::ok, call.request.version()};
  response.set(http::field::content_type, "application/json");
  response.body() = call.api.chain().genesis().canonical();
  response.prepare_payload();
  return response;
}

Reply kpis(Call& call) {
  if (!with_access(call, [](const State&, const Access& access) { return access.kpis(); })) {
    return problem(call, http::status::forbidden, "auth.forbidden", "KPIs are for regulators, auditors, the operator and system operators");
  }
  if (auto checked = check_query(call, {"zone_id", "from", "to", "bucket_seconds"}); !checked) return rejection_problem(call, checked.rejection());
  auto from = query_integer(call, "from");
  auto to = query_integer(call, "to");
  auto bucket = query_integer(call, "bucket_seconds");
  if (!from || !to || !bucket) return problem(call, http::status::bad_request, "request.bad_query", "from, to and bucket_seconds are integers");
  KpiQuery query;
  query.zone_id = call.query_text("zone_id");
  if (query.zone_id && query.zone_id->empty()) {
    return problem(call, http::status::bad_request, "request.bad_query", "zone_id is a zone's id; leave it out for every zone");
  }
  query.to = to->value_or(call.api.clock().now_seconds() + 86'400);
  query.from = from->value_or(query.to - 30 * 86'400);
  query.bucket_seconds = bucket->value_or(86'400);
  // Bounds first, so the differences below cannot overflow.
  if (query.from < 0 || query.to > limits::max_json_integer || query.to <= query.from || query.bucket_seconds < 60 ||
      query.bucket_seconds > limits::max_json_integer || (query.to - query.from) / query.bucket_seconds > 10'000) {
    return problem(call, http::status::bad_request, "request.bad_query",
                   "need 0 <= from < to <= 2^53-1, bucket_seconds >= 60 and at most 10,000 buckets");
  }
  Json result = call.api.chain().read_state([&](const State& state) { return market_kpis(state, query); });
  if (wants_csv(call)) return items_reply(call, result["buckets"].get<std::vector<Json>>());
  return json_reply(call, http::status::ok, result);
}

}  // namespace

void add_ledger_routes(Api& api) {
  api.add(http::verb::get, "/api/v1/status", RouteAccess::Public, status);
  api.add(http::verb::get, "/api/v1/healthz", RouteAccess::Public,
          [](Call& call) { return json_reply(call, http::status::ok, {{"status", "ok"}}); });
  api.add(http::verb::get, "/api/v1/metrics", RouteAccess::Public, metrics);
  api.add(http::verb::get, "/api/v1/openapi.json", RouteAccess::Public, openapi);
  api.add(http::verb::get, "/api/v1/blocks", RouteAccess::Session, list_blocks);
  api.add(http::verb::get, "/api/v1/blocks/{height}", RouteAccess::Session, get_block);
  api.add(http::verb::get, "/api/v1/txs/{id}", RouteAccess::Session, get_transaction);
  api.add(http::verb::post, "/api/v1/txs", RouteAccess::Public, submit_transaction);
  api.add(http::verb::get, "/api/v1/digests", RouteAccess::Session, list_digests);
  api.add(http::verb::get, "/api/v1/digests/{date}", RouteAccess::Session, get_digest);
  api.add(http::verb::get, "/api/v1/kpis", RouteAccess::Session, kpis);
  api.add(http::verb::get, "/api/v1/params", RouteAccess::Session, market_params);
  api.add(http::verb::get, "/api/v1/genesis", RouteAccess::Session, genesis);
}

}  // namespace flex::api
