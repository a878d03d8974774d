// The REST API under /api/v1 (docs/API.md): a table of routes, each with the access it
// needs, over the node's chain, its signer and its users. Errors are
// application/problem+json with the contracts' stable codes.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/access.hpp"
#include "api/http_server.hpp"
#include "api/metrics.hpp"
#include "api/sessions.hpp"
#include "api/user_store.hpp"
#include "contracts/record_cache.hpp"
#include "node/chain.hpp"
#include "node/clock.hpp"
#include "node/node_signer.hpp"

namespace flex::api {

class EventHub;

struct ApiOptions {
  std::string version;
  std::string webui_dir;                            // empty: no dashboard files
  std::chrono::seconds session_lifetime{8 * 3600};
  std::size_t max_sessions = 10'000;
  bool secure_cookies = false;                      // set when serving HTTPS
  std::chrono::milliseconds write_wait{10'000};     // how long a write waits for its block
};

// Who may call a route: anyone, a logged-in user, or a user the node can sign for.
enum class RouteAccess { Public, Session, Signer };

struct Call;
using RouteHandler = std::function<Reply(Call&)>;

struct Route {
  http::verb method;
  std::string pattern;  // "/api/v1/offers/{id}"
  RouteAccess access;
  RouteHandler handler;
};

class Api {
 public:
  Api(Chain& chain, NodeSigner& signer, UserStore& users, const Clock& clock, ApiOptions options);
  ~Api();

  // Reads are answered at once; writes come back deferred (Reply::deferred), to run off the
  // server's I/O threads.
  Reply handle(const Request& request, const ClientInfo& client);
  const std::vector<Route>& routes() const { return routes_; }
  Metrics& metrics() { return metrics_; }
  RecordCache& record_cache() { return record_cache_; }
  // The HTTP server's counters for /metrics; set once, before the server starts.
  void set_server_counters(std::function<ServerCounters()> source) { server_counters_ = std::move(source); }
  ServerCounters server_counters() const { return server_counters_ ? server_counters_() : ServerCounters{}; }
  // Consensus and network facts for /status and /metrics ({"validator","peers","sync",
  // "consensus","p2p"}); set once, before the server starts. Unset: a lone validator.
  void set_network_status(std::function<Json()> source) { network_status_ = std::move(source); }
  Json network_status() const;
  EventHub& events() { return *events_; }
  // Feeds the event stream; the node calls it after each commit.
  void on_committed(std::int64_t height, const WriteSet& writes);

  Chain& chain() { return chain_; }
  NodeSigner& signer() { return signer_; }
  UserStore& users() { return users_; }
  SessionStore& sessions() { return sessions_; }
  const Clock& clock() const { return clock_; }
  const ApiOptions& options() const { return options_; }

  void add(http::verb method, std::string pattern, RouteAccess access, RouteHandler handler);

 private:
  Reply handle_now(const Request& request, const ClientInfo& client, std::chrono::steady_clock::time_point started);
  Reply dispatch(const Request& request, const ClientInfo& client, std::string& route_label);
  Reply static_file(const Request& request, std::string_view path) const;

  Chain& chain_;
  NodeSigner& signer_;
  UserStore& users_;
  const Clock& clock_;
  ApiOptions options_;
  SessionStore sessions_;
  Metrics metrics_;
  RecordCache record_cache_;  // decoded state records for the list routes
  std::function<ServerCounters()> server_counters_;
  std::function<Json()> network_status_;
  std::unique_ptr<EventHub> events_;
  std::vector<Route> routes_;
  struct StaticFile {
    std::string content_type;
    std::string body;
  };
  std::map<std::string, StaticFile, std::less<>> static_files_;
};

// One request being answered: its path parameters, query, and (once authenticated) viewer.
struct Call {
  Api& api;
  const Request& request;
  const ClientInfo& client;
  std::map<std::string, std::string, std::less<>> params;
  std::map<std::string, std::string, std::less<>> query;
  std::optional<Session> session;
  std::optional<std::string> session_token;
  std::optional<Viewer> viewer;

  const std::string& param(std::string_view name) const { return params.find(name)->second; }
  std::optional<std::string> query_text(std::string_view name) const;
};

// Route groups, one file each.
void add_auth_routes(Api& api);
void add_ledger_routes(Api& api);
void add_market_routes(Api& api);
void add_delivery_routes(Api& api);
void add_money_routes(Api& api);
void add_event_routes(Api& api);

// HTTP status for a rejection code.
http::status status_for_code(std::string_view code);

}  // namespace flex::api
