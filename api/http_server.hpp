// The HTTP server: Boost.Beast, asynchronous, one strand per connection, a pool of
// threads running one io_context. Requests go to a Router; the server only moves bytes.
// It serves plain HTTP or, given TlsFiles, HTTPS only; it streams Server-Sent Events, rate
// limits each client address and puts a deadline on every phase of a request.
#pragma once

#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace flex::api {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct ClientInfo { std::string address; };   // the peer's IP address, as text

// A response body the server streams until either side ends it (Server-Sent Events).
class StreamSource {
 public:
  virtual ~StreamSource() = default;
  // Asks for the next chunk. The source calls `deliver` exactly once, from any thread: with
  // bytes when a chunk is ready, or nullopt to end the stream. The server asks again only
  // after the previous chunk was written.
  virtual void next(std::function<void(std::optional<std::string>)> deliver) = 0;
  // The connection is closing (client gone, server stopping, write failure); a deliver still
  // pending may be called afterwards and must then be harmless.
  virtual void close() = 0;
};

struct Reply {
  Response response;                      // for a stream: status and headers only
  std::shared_ptr<StreamSource> stream;   // set for a streaming reply
  // Set for work that may block (a write waiting for its block, a login's scrypt): the server
  // runs it on its pool of blocking threads, never on an I/O thread, and answers with the
  // reply it returns (which must not be deferred again). The request and client the handler
  // was given stay valid until then.
  std::function<Reply()> deferred;
  Reply() = default;
  Reply(Response r) : response(std::move(r)) {}   // implicit, so handlers can return a Response
  static Reply defer(std::function<Reply()> work) {
    Reply reply;
    reply.deferred = std::move(work);
    return reply;
  }
};

using Handler = std::function<Reply(const Request&, const ClientInfo&)>;

// An application/problem+json error carrying a stable code (RFC 9457 members plus "code").
// Invalid UTF-8 in `detail` (a request path, say) is replaced, never thrown on.
Response problem_response(http::status status, unsigned version, std::string_view code, std::string_view detail);

struct ServerLimits {
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds header_timeout{10};   // to receive a request's whole header (slow clients)
  std::chrono::seconds body_timeout{30};     // to receive its body after the header
  std::chrono::seconds idle_timeout{30};     // a kept-alive connection waiting for its next request
  std::size_t max_connections = 1024;
  std::size_t max_streams = 256;             // open event streams; beyond it 503 http.too_many_streams
  std::chrono::seconds stream_heartbeat{15}; // an SSE comment line ": keep-alive\n\n" when idle this long
  std::uint32_t rate_per_second = 200;       // per client address, token bucket; 0 disables
  std::uint32_t rate_burst = 400;
  unsigned blocking_threads = 32;            // run deferred replies; more wait in a queue
  std::size_t max_deferred = 128;            // queued or running; beyond it 503 http.busy
};

struct TlsFiles { std::string certificate_chain_file, private_key_file; };  // both set: HTTPS only

// Counters for /metrics, read lock-free: connections_open, connections_total, rate_limited_total, streams_open, timeouts_total.
struct ServerCounters {
  std::uint64_t connections_open = 0;    // sessions alive now
  std::uint64_t connections_total = 0;   // connections accepted since start
  std::uint64_t rate_limited_total = 0;  // requests answered 429
  std::uint64_t streams_open = 0;        // event streams being served now
  std::uint64_t timeouts_total = 0;      // TLS handshakes, headers and bodies cut off by their deadline
  std::uint64_t deferred_pending = 0;    // deferred replies queued or running
  std::uint64_t deferred_refused_total = 0;  // refused 503 http.busy: max_deferred were pending
};

class HttpServer {
 public:
  // Throws std::runtime_error if a TLS file cannot be loaded.
  HttpServer(std::string host, std::uint16_t port, Handler handler, ServerLimits limits = {}, std::optional<TlsFiles> tls = std::nullopt);
  ~HttpServer();
  // Binds and starts `threads` workers; throws std::runtime_error if the address is taken.
  void start(unsigned threads);
  // Stops accepting, closes every connection and stream, and joins the workers. Final.
  void stop();
  std::uint16_t bound_port() const;
  ServerCounters counters() const;  // each counter read atomically; together a near snapshot

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flex::api
