#include "http_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

namespace flex::process_test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Responses the tests read are small; a bound keeps a misbehaving server from exhausting memory.
constexpr std::uint64_t max_reply_body_bytes = 16 * 1024 * 1024;

}  // namespace

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {}

HttpClient::~HttpClient() { disconnect(); }

void HttpClient::disconnect() {
  if (!stream_) return;
  beast::error_code ignored;
  stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_->socket().close(ignored);
  stream_.reset();
  buffer_.clear();
}

bool HttpClient::connect() {
  if (stream_) return true;
  stream_.emplace(io_);
  beast::error_code error;
  tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), port_};
  stream_->expires_after(timeout_);
  stream_->async_connect(endpoint, [&](beast::error_code result) { error = result; });
  io_.restart();
  io_.run();
  if (error) {
    disconnect();
    return false;
  }
  return true;
}

std::optional<HttpReply> HttpClient::read_reply() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_reply_body_bytes);
  beast::error_code error;
  stream_->expires_after(timeout_);
  http::async_read(*stream_, buffer_, parser, [&](beast::error_code result, std::size_t) { error = result; });
  io_.restart();
  io_.run();
  if (error) {
    disconnect();
    return std::nullopt;
  }
  const auto& response = parser.get();
  HttpReply reply{response.result_int(), std::string(response[http::field::content_type]), response.body()};
  if (!response.keep_alive()) disconnect();
  return reply;
}

std::optional<HttpReply> HttpClient::send(http::verb method, const std::string& target, const std::string& body) {
  if (!connect()) return std::nullopt;
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  request.keep_alive(true);
  if (!bearer_.empty()) request.set(http::field::authorization, "Bearer " + bearer_);
  for (const auto& [name, value] : extra_headers_) request.set(name, value);
  if (method == http::verb::post || method == http::verb::patch || !body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
  }
  beast::error_code error;
  stream_->expires_after(timeout_);
  http::async_write(*stream_, request, [&](beast::error_code result, std::size_t) { error = result; });
  io_.restart();
  io_.run();
  if (error) {
    // The server may have answered (say, 413) and closed before reading all of the body.
    if (auto reply = read_reply()) return reply;
    disconnect();
    return std::nullopt;
  }
  return read_reply();
}

std::optional<HttpReply> HttpClient::send_raw(const std::string& bytes) {
  disconnect();
  if (!connect()) return std::nullopt;
  beast::error_code error;
  stream_->expires_after(timeout_);
  asio::async_write(*stream_, asio::buffer(bytes), [&](beast::error_code result, std::size_t) { error = result; });
  io_.restart();
  io_.run();
  // Half-close so a server waiting for more of a truncated request sees the end.
  beast::error_code ignored;
  if (stream_) stream_->socket().shutdown(tcp::socket::shutdown_send, ignored);
  auto reply = read_reply();
  disconnect();
  return reply;
}

}  // namespace flex::process_test
