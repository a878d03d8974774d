#include "api/api.hpp"

#include <openssl/crypto.h>

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/events.hpp"
#include "api/route_support.hpp"
#include "node/log.hpp"

namespace flex::api {
namespace {

constexpr std::uintmax_t max_static_file_bytes = 8 * 1024 * 1024;
constexpr std::size_t max_static_files = 2000;
constexpr std::size_t max_query_parameters = 50;

std::string_view content_type_for(const std::filesystem::path& path) {
  auto extension = path.extension().string();
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".js" || extension == ".mjs") return "text/javascript; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".json") return "application/json";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  if (extension == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding ("+" is a space in a query); nullopt on a broken escape.
std::optional<std::string> decode_component(std::string_view text, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += plus_is_space && text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// Ids, keys, heights and dates: 1 to 128 of [A-Za-z0-9._:-]. Anything else (a slash, bytes
// that are not UTF-8) matches no route, so it never reaches a payload or a state key.
bool is_path_value(std::string_view value) {
  return !value.empty() && value.size() <= 128 && std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
  });
}

// Path parameters when `path` fits `pattern`.
std::optional<std::map<std::string, std::string, std::less<>>> match(std::string_view pattern, std::string_view path) {
  auto want = split_path(pattern), got = split_path(path);
  if (want.size() != got.size()) return std::nullopt;
  std::map<std::string, std::string, std::less<>> params;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      auto value = decode_component(got[i], false);
      if (!value || !is_path_value(*value)) return std::nullopt;
      params[std::string(want[i].substr(1, want[i].size() - 2))] = *value;
    } else if (want[i] != got[i]) {
      return std::nullopt;
    }
  }
  return params;
}

std::optional<std::string> cookie_value(const Request& request, std::string_view name) {
  auto header = request.find(http::field::cookie);
  if (header == request.end()) return std::nullopt;
  std::string_view cookies = header->value();
  while (!cookies.empty()) {
    std::size_t end = cookies.find(';');
    std::string_view pair = cookies.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.substr(0, name.size()) == name && pair.size() > name.size() && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    if (end == std::string_view::npos) break;
    cookies.remove_prefix(end + 1);
  }
  return std::nullopt;
}

bool is_read(const Request& request) {
  return request.method() == http::verb::get || request.method() == http::verb::head;
}

}  // namespace

std::optional<std::string> Call::query_text(std::string_view name) const {
  auto found = query.find(name);
  if (found == query.end()) return std::nullopt;
  return found->second;
}

http::status status_for_code(std::string_view code) {
  auto has_suffix = [&](std::string_view suffix) { return code.size() >= suffix.size() && code.substr(code.size() - suffix.size()) == suffix; };
  if (code == "tx.too_large" || code == "encoding.too_large" || code == "http.body_too_large") return http::status::payload_too_large;
  if (code == "tx.stale_nonce" || code == "mempool.duplicate" || code == "mempool.nonce_taken" || has_suffix(".exists")) {
    return http::status::conflict;
  }
  if (code == "mempool.full") return http::status::service_unavailable;
  if (code == "auth.required" || code == "auth.invalid_session" || code == "auth.bad_credentials") return http::status::unauthorized;
  if (code.substr(0, 5) == "auth." || has_suffix(".not_owner") || has_suffix(".not_buyer") || has_suffix(".not_seller") ||
      has_suffix(".not_party") || code == "participant.suspended") {
    return http::status::forbidden;
  }
  if (has_suffix(".not_found") || has_suffix(".unknown") || code == "http.not_found") return http::status::not_found;
  return http::status::bad_request;
}

Api::Api(Chain& chain, NodeSigner& signer, UserStore& users, const Clock& clock, ApiOptions options)
    : chain_(chain),
      signer_(signer),
      users_(users),
      clock_(clock),
      options_(std::move(options)),
      sessions_(options_.session_lifetime, options_.max_sessions),
      events_(std::make_unique<EventHub>(chain)) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!options_.webui_dir.empty() && fs::is_directory(options_.webui_dir, error)) {
    for (auto it = fs::recursive_directory_iterator(options_.webui_dir, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (!it->is_regular_file(error) || it->file_size(error) > max_static_file_bytes) continue;
      if (static_files_.size() >= max_static_files) break;
      std::ifstream input(it->path(), std::ios::binary);
      std::stringstream contents;
      contents << input.rdbuf();
      std::string url_path = "/" + fs::relative(it->path(), options_.webui_dir, error).generic_string();
      static_files_[url_path] = StaticFile{std::string(content_type_for(it->path())), contents.str()};
    }
  }
  add_auth_routes(*this);
  add_ledger_routes(*this);
  add_market_routes(*this);
  add_delivery_routes(*this);
  add_money_routes(*this);
  add_event_routes(*this);
}

Api::~Api() = default;

Json Api::network_status() const {
  if (network_status_) return network_status_();
  std::int64_t height = chain_.status().height;  // no consensus attached (API tests): a lone node
  return Json{{"validator", true},
              {"peers", Json::array()},
              {"sync", {{"catching_up", false}, {"height", height}, {"target_height", height}}},
              {"consensus", {{"height", height + 1}, {"round", -1}, {"step", "propose"}, {"role", "validator"}}},
              {"p2p", {{"bytes_in", 0}, {"bytes_out", 0}, {"port", 0}}}};
}

void Api::add(http::verb method, std::string pattern, RouteAccess access, RouteHandler handler) {
  routes_.push_back(Route{method, std::move(pattern), access, std::move(handler)});
}

void Api::on_committed(std::int64_t height, const WriteSet& writes) { events_->publish(height, writes); }

Reply Api::handle(const Request& request, const ClientInfo& client) {
  // A write may wait for its block, and a login runs scrypt: neither may hold an I/O thread
  // that reads are waiting for. POST /txs answers at admission, so it stays.
  std::string_view target = request.target();
  bool answers_at_admission = request.method() == http::verb::post && target.substr(0, target.find('?')) == "/api/v1/txs";
  if (!is_read(request) && !answers_at_admission) {
    auto received = std::chrono::steady_clock::now();  // the latency counts the time queued too
    return Reply::defer([this, &request, client, received] { return handle_now(request, client, received); });
  }
  return handle_now(request, client, std::chrono::steady_clock::now());
}

Reply Api::handle_now(const Request& request, const ClientInfo& client, std::chrono::steady_clock::time_point started) {
  std::string route_label = "unrouted";
  Reply reply = dispatch(request, client, route_label);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  metrics_.record(route_label, reply.response.result_int(), micros);
  return reply;
}

Reply Api::dispatch(const Request& request, const ClientInfo& client, std::string& route_label) {
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  Call call{*this, request, client, {}, {}, std::nullopt, std::nullopt, std::nullopt};
  if (path.substr(0, 5) != "/api/") {
    if (is_read(request)) return static_file(request, path);
    return problem(call, http::status::method_not_allowed, "http.method_not_allowed", "method not allowed");
  }
  const Route* route = nullptr;
  bool path_known = false;
  http::verb method = request.method() == http::verb::head ? http::verb::get : request.method();
  for (const auto& candidate : routes_) {
    auto params = match(candidate.pattern, path);
    if (!params) continue;
    path_known = true;
    if (candidate.method != method) continue;
    route = &candidate;
    call.params = std::move(*params);
    break;
  }
  if (!route) {
    if (path_known) return problem(call, http::status::method_not_allowed, "http.method_not_allowed", "method not allowed on this path");
    return problem(call, http::status::not_found, "http.not_found", "no route " + std::string(path));
  }
  route_label = std::string(http::to_string(route->method)) + " " + route->pattern;
  // A body must say it is JSON: a cross-site form (text/plain, form-urlencoded) cannot, so
  // it can neither log a browser in as someone else nor write.
  if (!request.body().empty()) {
    auto type = request.find(http::field::content_type);
    if (type == request.end() || !boost::beast::iequals(type->value().substr(0, 16), "application/json")) {
      return problem(call, http::status::unsupported_media_type, "http.unsupported_media_type",
                     "a request body must be sent as Content-Type: application/json");
    }
  }
  if (std::size_t question = target.find('?'); question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      std::size_t end = query.find('&');
      std::string_view pair = query.substr(0, end);
      std::size_t equals = pair.find('=');
      auto name = decode_component(pair.substr(0, equals), true);
      auto value = decode_component(equals == std::string_view::npos ? "" : pair.substr(equals + 1), true);
      if (!name || !value || call.query.size() >= max_query_parameters) {
        return problem(call, http::status::bad_request, "request.bad_query", "malformed query string");
      }
      if (!name->empty()) call.query[*name] = *value;
      if (end == std::string_view::npos) break;
      query.remove_prefix(end + 1);
    }
  }
  // Authentication: a bearer token, or the session cookie (which then needs the CSRF token on writes).
  std::optional<std::string> token;
  bool from_cookie = false;
  if (auto header = request.find(http::field::authorization); header != request.end()) {
    std::string_view value = header->value();
    if (value.size() > 7 && boost::beast::iequals(value.substr(0, 7), "bearer ")) token = std::string(value.substr(7));
  } else if (auto cookie = cookie_value(request, "flex_session")) {
    token = *cookie;
    from_cookie = true;
  }
  if (token) {
    call.session = sessions_.find(*token, clock_.now_seconds());
    // A user removed (flexctl user remove) or re-bound since login loses its sessions at once.
    if (call.session) {
      auto user = users_.find(call.session->user);
      if (!user || user->participant_hex != to_hex(call.session->participant)) {
        sessions_.end_user(call.session->user);
        call.session.reset();
      }
    }
    if (call.session) call.session_token = token;
  }
  if (route->access != RouteAccess::Public) {
    if (!call.session) {
      return problem(call, http::status::unauthorized, token ? "auth.invalid_session" : "auth.required",
                     token ? "the session has expired or was ended; log in again" : "log in first");
    }
    if (from_cookie && !is_read(request)) {
      auto csrf = request.find("X-CSRF-Token");
      const std::string& expected = call.session->csrf_token;
      if (csrf == request.end() || csrf->value().size() != expected.size() ||
          CRYPTO_memcmp(csrf->value().data(), expected.data(), expected.size()) != 0) {
        return problem(call, http::status::forbidden, "auth.csrf", "a write with the session cookie needs its X-CSRF-Token header");
      }
    }
  }
  if (call.session) {
    bool holds_key = signer_.holds_key(call.session->participant);
    call.viewer = chain_.read_state([&](const State& state) { return make_viewer(state, *call.session, holds_key); });
    if (route->access != RouteAccess::Public && call.viewer->roles.empty()) {
      return problem(call, http::status::forbidden, "auth.not_participant",
                     "this user's participant is not (yet) admitted to the ledger");
    }
  }
  if (route->access == RouteAccess::Signer && !call.viewer->can_sign) {
    return problem(call, http::status::forbidden, "auth.read_only",
                   "this session cannot write: its participant's roles are read-only, or the node does not hold its key");
  }
  return route->handler(call);
}

Reply Api::static_file(const Request& request, std::string_view path) const {
  auto found = static_files_.find(path == "/" ? std::string_view("/index.html") : path);
  if (found == static_files_.end()) return problem_response(http::status::not_found, request.version(), "http.not_found", "not found");
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, found->second.content_type);
  response.body() = found->second.body;
  response.prepare_payload();
  return response;
}

}  // namespace flex::api
