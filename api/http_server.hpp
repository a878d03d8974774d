// The HTTP server: Boost.Beast, asynchronous, one strand per connection, a pool of
// threads running one io_context. Requests go to a Router; the server only moves bytes.
#pragma once

#include <boost/beast/http.hpp>

#include <functional>
#include <string_view>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace flex::api {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Handler = std::function<Response(const Request&)>;

// An application/problem+json error carrying a stable code (RFC 9457 members plus "code").
// Invalid UTF-8 in `detail` (a request path, say) is replaced, never thrown on.
Response problem_response(http::status status, unsigned version, std::string_view code, std::string_view detail);

struct ServerLimits {
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds idle_timeout{30};
  std::size_t max_connections = 1024;
};

class HttpServer {
 public:
  HttpServer(std::string host, std::uint16_t port, Handler handler, ServerLimits limits = {});
  ~HttpServer();
  // Binds and starts `threads` workers; throws std::runtime_error if the address is taken.
  void start(unsigned threads);
  void stop();
  std::uint16_t bound_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flex::api
