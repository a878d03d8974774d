// A small synchronous HTTP/1.1 client on Boost.Beast for flexctl's client commands.
//   - http:// and https:// node URLs, with an optional path prefix (a node behind a proxy);
//   - one connection kept alive between requests, reopened once if the node closed it;
//   - a deadline on every step (name lookup, connect, TLS handshake, write, read);
//   - HTTPS verifies the node's certificate and host name (or IP address) against the
//     system's CA store, or only against the certificates of a PEM file, or not at all.
// It moves bytes and nothing else: what an answer means (problem+json, paging) is flexctl's.
// Local faults (no route, refused, timed out, bad certificate) are thrown as ConnectionError.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace flex::cli {

struct NodeUrl {
  bool tls = false;
  std::string host;       // a name or an IP address (IPv6 without its brackets)
  std::uint16_t port = 0;
  std::string base_path;  // "" or "/prefix", without a trailing slash

  // scheme://host:port/prefix, for messages.
  std::string text() const;
};

// "http://HOST[:PORT][/PREFIX]" or "https://HOST[:PORT][/PREFIX]" (ports default to 80 and
// 443; an IPv6 host in brackets); nullopt when malformed (no host, a query, a bad port).
std::optional<NodeUrl> parse_node_url(std::string_view text);

enum class PeerCheck {
  SystemStore,  // the system's CA certificates, as OpenSSL finds them
  CaFile,       // only the certificates in ClientOptions::ca_file (PEM)
  None,         // no verification at all (--insecure)
};

struct ClientOptions {
  std::chrono::milliseconds timeout{30'000};  // for each step of a request
  PeerCheck peer_check = PeerCheck::SystemStore;
  std::string ca_file;
};

enum class Method { Get, Post };

struct HttpAnswer {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case

  std::optional<std::string> header(const std::string& lower_case_name) const;
};

// The node could not be reached or did not answer in time.
struct ConnectionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ApiClient {
 public:
  // Throws std::runtime_error if the CA file cannot be loaded.
  ApiClient(NodeUrl url, ClientOptions options);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // Sends `Authorization: Bearer TOKEN` with every later request (empty: none).
  void set_bearer(std::string token);
  // `target` starts with "/" and goes after the URL's path prefix. A body is sent as
  // application/json. Throws ConnectionError; any HTTP status is an answer.
  HttpAnswer send(Method method, const std::string& target, const std::string& body = {});
  const NodeUrl& url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flex::cli
