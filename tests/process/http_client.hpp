// A small blocking HTTP/1.1 client for process tests, built on Boost.Beast. Each call runs
// Beast's asynchronous operations to completion under a deadline, so a hung node fails a
// test instead of hanging it. Not thread-safe: give each thread its own client. It never
// uses Catch assertions, so load threads may use it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ledger/canonical_json.hpp"

namespace flex::process_test {

struct HttpReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  // The body as JSON; a discarded value when it is not JSON.
  Json json() const { return Json::parse(body, nullptr, false); }
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // nullopt when the node cannot be reached, closes the connection without answering, or
  // does not answer before the deadline. Connections are kept alive between calls.
  std::optional<HttpReply> send(boost::beast::http::verb method, const std::string& target,
                                const std::string& body = {});
  std::optional<HttpReply> get(const std::string& target) { return send(boost::beast::http::verb::get, target); }
  std::optional<HttpReply> post(const std::string& target, const std::string& body) {
    return send(boost::beast::http::verb::post, target, body);
  }

  // Sends `Authorization: Bearer TOKEN` with every later request (empty: none).
  void set_bearer(std::string token) { bearer_ = std::move(token); }
  // Extra headers for every later request, such as a session cookie and its CSRF token.
  void set_header(std::string name, std::string value) { extra_headers_.emplace_back(std::move(name), std::move(value)); }
  void clear_headers() { extra_headers_.clear(); }

  // Writes `bytes` as they are on a fresh connection and reads one response, if any.
  std::optional<HttpReply> send_raw(const std::string& bytes);

 private:
  bool connect();
  std::optional<HttpReply> read_reply();
  void disconnect();

  std::uint16_t port_;
  std::string bearer_;
  std::vector<std::pair<std::string, std::string>> extra_headers_;
  std::chrono::milliseconds timeout_;
  boost::asio::io_context io_;
  std::optional<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace flex::process_test
