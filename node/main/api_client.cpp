#include "node/main/api_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace flex::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// A block of many transactions is the largest answer flexctl reads; this bounds a
// misbehaving server, not the ledger (a block's own bound is far lower).
constexpr std::uint64_t max_answer_body_bytes = 256 * 1024 * 1024;
constexpr std::uint32_t max_answer_header_bytes = 64 * 1024;
constexpr const char* user_agent = "flexctl/0.1";

bool is_ip_address(const std::string& host) {
  beast::error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

bool valid_host(std::string_view host, bool bracketed) {
  if (host.empty()) return false;
  return std::all_of(host.begin(), host.end(), [&](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '.' || c == '-' || c == '_' || (bracketed && c == ':');
  });
}

std::string seconds_text(std::chrono::milliseconds timeout) {
  auto milliseconds = timeout.count();
  return milliseconds % 1000 == 0 ? std::to_string(milliseconds / 1000) + " s" : std::to_string(milliseconds) + " ms";
}

// Runs one asynchronous operation to completion on `io` and returns its error.
template <class Start>
beast::error_code run_operation(asio::io_context& io, Start&& start) {
  beast::error_code result = asio::error::would_block;
  start([&result](beast::error_code error, auto&&...) { result = error; });
  io.restart();
  io.run();
  return result;
}

}  // namespace

std::string NodeUrl::text() const {
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "https://" : "http://") + shown + ":" + std::to_string(port) + base_path;
}

std::optional<NodeUrl> parse_node_url(std::string_view text) {
  NodeUrl url;
  if (text.starts_with("http://")) {
    text.remove_prefix(7);
    url.port = 80;
  } else if (text.starts_with("https://")) {
    text.remove_prefix(8);
    url.tls = true;
    url.port = 443;
  } else {
    return std::nullopt;
  }
  if (text.find_first_of("?#@ \t\r\n") != std::string_view::npos) return std::nullopt;
  std::size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : text.substr(slash);
  std::string_view host = authority, port;
  bool bracketed = authority.starts_with("[");
  if (bracketed) {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(":")) return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
    if (!host.empty() && !is_ip_address(std::string(host))) return std::nullopt;
  } else if (std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return std::nullopt;
  }
  if (!valid_host(host, bracketed)) return std::nullopt;
  url.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) return std::nullopt;
    url.port = static_cast<std::uint16_t>(value);
  }
  while (path.ends_with("/")) path.remove_suffix(1);
  url.base_path = std::string(path);
  return url;
}

std::optional<std::string> HttpAnswer::header(const std::string& lower_case_name) const {
  auto found = headers.find(lower_case_name);
  if (found == headers.end()) return std::nullopt;
  return found->second;
}

struct ApiClient::Impl {
  NodeUrl url;
  ClientOptions options;
  std::string bearer;
  asio::io_context io;
  ssl::context tls{ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  Impl(NodeUrl node_url, ClientOptions client_options) : url(std::move(node_url)), options(std::move(client_options)) {
    if (url.tls) configure_tls();
  }
  ~Impl() { disconnect(); }

  void configure_tls();
  void connect();
  void resolve_and_connect(beast::tcp_stream& stream);
  void handshake();
  void disconnect();
  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  http::request<http::string_body> make_request(Method method, const std::string& target, const std::string& body) const;
  beast::error_code write(const http::request<http::string_body>& request);
  beast::error_code read(http::response_parser<http::string_body>& parser);
  std::string failure(const std::string& step, const beast::error_code& error) const;
};

void ApiClient::Impl::configure_tls() {
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);  // as the node (docs/API.md)
  beast::error_code error;
  switch (options.peer_check) {
    case PeerCheck::SystemStore:
      tls.set_default_verify_paths(error);
      if (error) throw std::runtime_error("cannot load the system's CA certificates: " + error.message());
      tls.set_verify_mode(ssl::verify_peer);
      break;
    case PeerCheck::CaFile:
      tls.load_verify_file(options.ca_file, error);
      if (error) throw std::runtime_error("cannot load CA file " + options.ca_file + ": " + error.message());
      tls.set_verify_mode(ssl::verify_peer);
      break;
    case PeerCheck::None:
      tls.set_verify_mode(ssl::verify_none);
      break;
  }
}

void ApiClient::Impl::disconnect() {
  beast::error_code ignored;
  if (plain || secure) {
    // No TLS close_notify: the node treats a truncated stream as a closed connection, and
    // waiting for its reply could only delay exit.
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().socket().close(ignored);
  }
  plain.reset();
  secure.reset();
  buffer.clear();
}

std::string ApiClient::Impl::failure(const std::string& step, const beast::error_code& error) const {
  if (error == beast::error::timeout || error == asio::error::operation_aborted) {
    return url.text() + ": " + step + " timed out (no answer within " + seconds_text(options.timeout) + ")";
  }
  return url.text() + ": " + step + " failed: " + error.message();
}

void ApiClient::Impl::resolve_and_connect(beast::tcp_stream& stream) {
  tcp::resolver resolver(io);
  asio::steady_timer deadline(io);
  tcp::resolver::results_type endpoints;
  bool timed_out = false;
  beast::error_code error;
  deadline.expires_after(options.timeout);
  deadline.async_wait([&](beast::error_code wait_error) {
    if (wait_error) return;
    timed_out = true;
    resolver.cancel();
  });
  resolver.async_resolve(url.host, std::to_string(url.port), [&](beast::error_code result, tcp::resolver::results_type found) {
    error = result;
    endpoints = std::move(found);
    deadline.cancel();
  });
  io.restart();
  io.run();
  if (timed_out) throw ConnectionError(url.text() + ": name lookup timed out");
  if (error) throw ConnectionError("cannot resolve " + url.host + ": " + error.message());
  stream.expires_after(options.timeout);
  error = run_operation(io, [&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
  if (error == beast::error::timeout) throw ConnectionError("cannot connect to " + url.text() + ": timed out");
  if (error) throw ConnectionError("cannot connect to " + url.text() + ": " + error.message());
}

void ApiClient::Impl::handshake() {
  SSL* handle = secure->native_handle();
  bool ip = is_ip_address(url.host);
  // SNI takes names only (RFC 6066); the host check takes a name or an address.
  if (!ip) SSL_set_tlsext_host_name(handle, url.host.c_str());
  if (options.peer_check != PeerCheck::None) {
    int set = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), url.host.c_str())
                 : SSL_set1_host(handle, url.host.c_str());
    if (set != 1) throw ConnectionError(url.text() + ": cannot set up the certificate's host check");
  }
  lowest().expires_after(options.timeout);
  auto error = run_operation(io, [&](auto handler) { secure->async_handshake(ssl::stream_base::client, std::move(handler)); });
  if (!error) return;
  long verify = SSL_get_verify_result(handle);
  std::string message = failure("TLS handshake", error);
  bool plain_http_answer = error.category() == asio::error::get_ssl_category() &&
                           ERR_GET_REASON(static_cast<unsigned long>(error.value())) == SSL_R_WRONG_VERSION_NUMBER;
  if (plain_http_answer) {
    message += " (does the node serve plain HTTP? then use http://)";
  } else if (options.peer_check != PeerCheck::None && verify != X509_V_OK) {
    message = url.text() + ": the node's certificate is not trusted (" + X509_verify_cert_error_string(verify) + ")" +
              (options.peer_check == PeerCheck::SystemStore ? "; give --ca-file FILE to trust its CA" : "");
  }
  throw ConnectionError(message);
}

void ApiClient::Impl::connect() {
  try {
    if (url.tls) {
      secure.emplace(io, tls);
      resolve_and_connect(beast::get_lowest_layer(*secure));
      handshake();
    } else {
      plain.emplace(io);
      resolve_and_connect(*plain);
    }
  } catch (...) {
    disconnect();  // so that the next request starts afresh
    throw;
  }
}

http::request<http::string_body> ApiClient::Impl::make_request(Method method, const std::string& target,
                                                               const std::string& body) const {
  http::request<http::string_body> request{method == Method::Post ? http::verb::post : http::verb::get,
                                           url.base_path + target, 11};
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  bool default_port = url.port == (url.tls ? 443 : 80);
  request.set(http::field::host, default_port ? host : host + ":" + std::to_string(url.port));
  request.set(http::field::user_agent, user_agent);
  request.keep_alive(true);
  if (!bearer.empty()) request.set(http::field::authorization, "Bearer " + bearer);
  if (method == Method::Post) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
  }
  return request;
}

beast::error_code ApiClient::Impl::write(const http::request<http::string_body>& request) {
  lowest().expires_after(options.timeout);
  if (secure) return run_operation(io, [&](auto handler) { http::async_write(*secure, request, std::move(handler)); });
  return run_operation(io, [&](auto handler) { http::async_write(*plain, request, std::move(handler)); });
}

beast::error_code ApiClient::Impl::read(http::response_parser<http::string_body>& parser) {
  parser.body_limit(max_answer_body_bytes);
  parser.header_limit(max_answer_header_bytes);
  lowest().expires_after(options.timeout);
  if (secure) return run_operation(io, [&](auto handler) { http::async_read(*secure, buffer, parser, std::move(handler)); });
  return run_operation(io, [&](auto handler) { http::async_read(*plain, buffer, parser, std::move(handler)); });
}

ApiClient::ApiClient(NodeUrl url, ClientOptions options) : impl_(std::make_unique<Impl>(std::move(url), std::move(options))) {}

ApiClient::~ApiClient() = default;

void ApiClient::set_bearer(std::string token) { impl_->bearer = std::move(token); }

const NodeUrl& ApiClient::url() const { return impl_->url; }

HttpAnswer ApiClient::send(Method method, const std::string& target, const std::string& body) {
  Impl& impl = *impl_;
  auto request = impl.make_request(method, target, body);
  // A kept-alive connection may have been closed by the node (its idle limit) since the
  // last request: then, and only then, the request goes again on a new connection.
  for (int attempt = 0;; ++attempt) {
    bool fresh = !impl.plain && !impl.secure;
    if (fresh) impl.connect();
    bool may_retry = !fresh && attempt == 0;
    if (auto error = impl.write(request)) {
      impl.disconnect();
      if (may_retry) continue;
      throw ConnectionError(impl.failure("sending the request", error));
    }
    http::response_parser<http::string_body> parser;
    if (auto error = impl.read(parser)) {
      bool closed_before_answer = !parser.got_some() && (error == http::error::end_of_stream || error == asio::error::eof ||
                                                         error == asio::error::connection_reset ||
                                                         error == ssl::error::stream_truncated);
      impl.disconnect();
      if (may_retry && closed_before_answer) continue;
      throw ConnectionError(impl.failure("reading the answer", error));
    }
    const auto& response = parser.get();
    HttpAnswer answer{response.result_int(), std::string(response[http::field::content_type]), response.body(), {}};
    for (const auto& field : response) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      answer.headers[name] = std::string(field.value());
    }
    if (!response.keep_alive()) impl.disconnect();
    return answer;
  }
}

}  // namespace flex::cli
