#include "api/routes.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace flex::api {
namespace {

// Replaces invalid UTF-8 (which can come from a request path) instead of throwing.
std::string dump(const Json& body) { return body.dump(-1, ' ', false, Json::error_handler_t::replace); }

Response json_response(const Request& request, http::status status, const Json& body) {
  Response response{status, request.version()};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = dump(body);
  response.prepare_payload();
  return response;
}

Response problem(const Request& request, http::status status, std::string_view code, std::string_view detail) {
  return problem_response(status, request.version(), code, detail);
}

Response rejection_problem(const Request& request, const Rejection& rejection) {
  return problem(request, status_for_code(rejection.code), rejection.code, rejection.message);
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::string_view content_type_for(const std::filesystem::path& path) {
  auto extension = path.extension().string();
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".js") return "text/javascript; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".json") return "application/json";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  return "application/octet-stream";
}

}  // namespace

http::status status_for_code(std::string_view code) {
  if (code == "tx.too_large" || code == "encoding.too_large") return http::status::payload_too_large;
  if (code == "tx.stale_nonce" || code == "mempool.duplicate" || code == "mempool.nonce_taken") {
    return http::status::conflict;
  }
  if (code == "mempool.full") return http::status::service_unavailable;
  return http::status::bad_request;
}

namespace {
constexpr std::uintmax_t max_static_file_bytes = 8 * 1024 * 1024;
constexpr std::size_t max_static_files = 2000;
}  // namespace

Router::Router(Chain& chain, NodeIdentity identity, std::string webui_dir)
    : chain_(chain), identity_(std::move(identity)) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (webui_dir.empty() || !fs::is_directory(webui_dir, error)) return;
  for (auto it = fs::recursive_directory_iterator(webui_dir, error); !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    if (!it->is_regular_file(error) || it->file_size(error) > max_static_file_bytes) continue;
    if (static_files_.size() >= max_static_files) break;
    std::ifstream input(it->path(), std::ios::binary);
    std::stringstream contents;
    contents << input.rdbuf();
    std::string url_path = "/" + fs::relative(it->path(), webui_dir, error).generic_string();
    static_files_[url_path] = StaticFile{std::string(content_type_for(it->path())), contents.str()};
  }
}

Response Router::handle(const Request& request) {
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  bool is_get = request.method() == http::verb::get || request.method() == http::verb::head;
  if (path == "/api/v1/status" && is_get) return status(request);
  if (path == "/api/v1/healthz" && is_get) return json_response(request, http::status::ok, {{"status", "ok"}});
  if (path == "/api/v1/txs" && request.method() == http::verb::post) return submit_transaction(request);
  if (starts_with(path, "/api/v1/txs/") && is_get) return get_transaction(request, path.substr(12));
  if (starts_with(path, "/api/v1/blocks/") && is_get) return get_block(request, path.substr(15));
  if (starts_with(path, "/api/")) {
    return problem(request, http::status::not_found, "http.not_found", "no route " + std::string(path));
  }
  if (is_get) return static_file(request, path);
  return problem(request, http::status::method_not_allowed, "http.method_not_allowed", "method not allowed");
}

Response Router::status(const Request& request) {
  ChainStatus status = chain_.status();
  return json_response(request, http::status::ok,
                       {{"chain_id", status.chain_id},
                        {"height", status.height},
                        {"app_hash", to_hex(status.app_hash)},
                        {"last_block_hash", to_hex(status.last_block_hash)},
                        {"last_block_time", status.last_block_time},
                        {"genesis_hash", to_hex(status.genesis_hash)},
                        {"node_participant", to_hex(identity_.participant)},
                        {"validator", identity_.validator},
                        {"peers", Json::array()},
                        {"sync", {{"catching_up", false}, {"height", status.height}, {"target_height", status.height}}},
                        {"mempool", {{"transactions", status.mempool_transactions}, {"bytes", status.mempool_bytes}}},
                        {"version", identity_.version}});
}

Response Router::submit_transaction(const Request& request) {
  auto admitted = chain_.submit(request.body());
  if (!admitted) return rejection_problem(request, admitted.rejection());
  return json_response(request, http::status::accepted, {{"id", to_hex(*admitted)}, {"status", "pending"}});
}

Response Router::get_transaction(const Request& request, std::string_view id) {
  std::string id_hex(id);
  if (!from_hex_fixed<32>(id_hex)) {
    return problem(request, http::status::bad_request, "http.bad_id", "transaction id must be 64 lowercase hex");
  }
  // The mempool first: a commit writes the store before it clears the mempool, so this
  // order never misses a transaction that is in flight between the two.
  bool pending = chain_.mempool_contains(*from_hex_fixed<32>(id_hex));
  auto stored = chain_.transaction(id_hex);
  if (!stored) {
    if (pending) return json_response(request, http::status::ok, {{"id", id_hex}, {"status", "pending"}});
    return problem(request, http::status::not_found, "tx.not_found", "no transaction " + id_hex);
  }
  return json_response(request, http::status::ok,
                       {{"id", id_hex},
                        {"status", "committed"},
                        {"height", stored->height},
                        {"position", stored->position},
                        {"result", {{"code", stored->receipt.code}, {"message", stored->receipt.message}}},
                        {"tx", Json::parse(stored->body)}});
}

Response Router::get_block(const Request& request, std::string_view height_text) {
  std::int64_t height = 0;
  auto [end, error] = std::from_chars(height_text.data(), height_text.data() + height_text.size(), height);
  if (error != std::errc() || end != height_text.data() + height_text.size() || height < 1) {
    return problem(request, http::status::bad_request, "http.bad_height", "height must be a positive integer");
  }
  auto block = chain_.block(height);
  if (!block) return problem(request, http::status::not_found, "block.not_found", "no block at that height");
  Json transactions = Json::array();
  for (const auto& row : chain_.block_transactions(height)) {
    transactions.push_back({{"id", row.id_hex},
                            {"result", {{"code", row.receipt.code}, {"message", row.receipt.message}}},
                            {"tx", Json::parse(row.body)}});
  }
  return json_response(request, http::status::ok,
                       {{"height", height},
                        {"hash", block->hash_hex},
                        {"header", Json::parse(block->header_json)},
                        {"commit", Json::parse(block->commit_json)},
                        {"transactions", transactions}});
}

Response Router::static_file(const Request& request, std::string_view path) const {
  auto found = static_files_.find(path == "/" ? std::string_view("/index.html") : path);
  if (found == static_files_.end()) {
    return problem(request, http::status::not_found, "http.not_found", "not found");
  }
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, found->second.content_type);
  response.body() = found->second.body;
  response.prepare_payload();
  return response;
}

}  // namespace flex::api
