// One Session per connection, templated on the stream (plain TCP or TLS over TCP), runs on
// its own strand through these phases, each with its own deadline:
//   [TLS handshake: header_timeout] -> header: header_timeout -> body: body_timeout
//   -> handler [deferred: on the blocking pool] -> response write: write_timeout -> (kept alive) idle: idle_timeout -> header ...
// A read deadline is a timer of the session's that cancels the socket, so the session can
// still answer 408; a write deadline is beast::tcp_stream's, which closes the socket.
// A streaming reply (Server-Sent Events) writes its header, then each chunk the source
// delivers, chunked for HTTP/1.1 and raw for HTTP/1.0, and closes the connection at its end.
#include "api/http_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "node/log.hpp"

namespace flex::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// A client that stops reading a response (or an event stream) is cut off after this long.
constexpr std::chrono::seconds write_timeout{30};
// A connection closing normally waits this long for the peer to close too (TLS: for its
// close_notify), reading and discarding what it still sends: closing a socket with unread
// input sends a reset, which can destroy the response (a 413, say) before the client reads it.
constexpr std::chrono::seconds linger_timeout{2};
// stop() waits this long for the connections to close, then abandons their handlers.
constexpr std::chrono::seconds stop_grace{5};
// Event streams send a heartbeat at least this often: the pending heartbeat is also what
// keeps a session alive while its source has not delivered.
constexpr std::chrono::seconds min_stream_heartbeat{1};
// The rate limiter remembers at most this many client addresses.
constexpr std::size_t max_rate_limited_addresses = 10'000;
// A kept-alive connection reads the first bytes of its next request in pieces this large.
constexpr std::size_t idle_read_bytes = 4096;
constexpr std::string_view heartbeat_comment = ": keep-alive\n\n";
constexpr std::uint64_t micro_per_token = 1'000'000;

// A token bucket per client address, in integers: a bucket holds at most `burst` tokens,
// counted in micro-tokens, and refills `rate` tokens a second, which is `rate` micro-tokens
// a microsecond. A request takes one token.
class RateLimiter {
 public:
  RateLimiter(std::uint32_t rate_per_second, std::uint32_t burst)
      : rate_micro_per_microsecond_(rate_per_second),
        capacity_micro_(std::max<std::uint64_t>(burst, 1) * micro_per_token) {}

  bool allow(const std::string& address, Clock::time_point now) {
    if (rate_micro_per_microsecond_ == 0) return true;
    std::lock_guard lock(mutex_);
    auto found = buckets_.find(address);
    if (found == buckets_.end()) {
      if (buckets_.size() >= max_rate_limited_addresses) make_room(now);
      found = buckets_.emplace(address, Bucket{capacity_micro_, now}).first;
    }
    Bucket& bucket = found->second;
    refill(bucket, now);
    if (bucket.tokens_micro < micro_per_token) return false;
    bucket.tokens_micro -= micro_per_token;
    return true;
  }

 private:
  struct Bucket {
    std::uint64_t tokens_micro;
    Clock::time_point updated;
  };

  void refill(Bucket& bucket, Clock::time_point now) const {
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now - bucket.updated);
    if (elapsed.count() <= 0) return;
    bucket.updated += elapsed;  // whole microseconds, so no fraction is ever lost
    auto elapsed_microseconds = static_cast<std::uint64_t>(elapsed.count());
    std::uint64_t missing = capacity_micro_ - bucket.tokens_micro;
    // Compared through a division first, so the product below cannot overflow and the sum
    // stays within the capacity.
    if (elapsed_microseconds > missing / rate_micro_per_microsecond_) {
      bucket.tokens_micro = capacity_micro_;
    } else {
      bucket.tokens_micro += elapsed_microseconds * rate_micro_per_microsecond_;
    }
  }

  // Forgets every address whose bucket has refilled (it would start full anyway); if none
  // has, the fullest bucket, whose address gains least by starting over.
  void make_room(Clock::time_point now) {
    auto fullest = buckets_.end();
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      refill(it->second, now);
      if (it->second.tokens_micro == capacity_micro_) {
        it = buckets_.erase(it);
        continue;
      }
      if (fullest == buckets_.end() || it->second.tokens_micro > fullest->second.tokens_micro) fullest = it;
      ++it;
    }
    if (buckets_.size() >= max_rate_limited_addresses) buckets_.erase(fullest);
  }

  const std::uint64_t rate_micro_per_microsecond_;
  const std::uint64_t capacity_micro_;
  std::mutex mutex_;
  std::map<std::string, Bucket, std::less<>> buckets_;  // ordered: eviction ties break the same way every run
};

struct Counters {
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> rate_limited_total{0};
  std::atomic<std::uint64_t> streams_open{0};
  std::atomic<std::uint64_t> timeouts_total{0};
  std::atomic<std::uint64_t> deferred_pending{0};   // queued or running on the blocking pool
  std::atomic<std::uint64_t> deferred_refused_total{0};
};

// Lets a StreamSource's deliver reach a session only while the io_context lives: stop()
// shuts the gate before the io_context can be destroyed, and a late deliver then does nothing.
struct DeliveryGate {
  std::mutex mutex;
  bool open = true;
};

// What stop() needs of a session, whatever its stream type.
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  virtual void server_stopping() = 0;
};

// Everything the sessions share. They hold it by shared_ptr, so it outlives the last one,
// even one destroyed with the io_context.
struct ServerState {
  ServerState(Handler handler_in, ServerLimits limits_in)
      : handler(std::move(handler_in)),
        limits(limits_in),
        rate_limiter(limits.rate_per_second, limits.rate_burst) {}

  Handler handler;
  ServerLimits limits;
  Counters counters;
  RateLimiter rate_limiter;
  std::optional<ssl::context> tls;
  asio::thread_pool* blocking_pool = nullptr;  // the server's (HttpServer::Impl); set before any session runs
  std::atomic<bool> stopping_work{false};      // set by stop(): deferred work not yet started is skipped
  std::shared_ptr<DeliveryGate> gate = std::make_shared<DeliveryGate>();
  std::mutex sessions_mutex;
  bool stopping = false;  // guarded by sessions_mutex
  std::uint64_t next_session_id = 0;  // guarded by sessions_mutex
  std::map<std::uint64_t, std::weak_ptr<SessionControl>> sessions;  // guarded by sessions_mutex
};

enum class CloseMode { Graceful, Abort };
enum class ReadPhase { Header, Body };

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
class Session : public SessionControl, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool is_tls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(tcp::socket&& socket, std::shared_ptr<ServerState> state, std::string address, std::uint64_t id)
      : stream_(make_stream(std::move(socket), *state)),
        state_(std::move(state)),
        id_(id),
        client_{std::move(address)},
        read_deadline_(stream_.get_executor()),
        heartbeat_(stream_.get_executor()) {
    ++state_->counters.connections_open;
    ++state_->counters.connections_total;
  }

  ~Session() override {
    end_stream_source();
    --state_->counters.connections_open;
    std::lock_guard lock(state_->sessions_mutex);
    state_->sessions.erase(id_);
  }

  void start() { asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::begin, self())); }

  void server_stopping() override {
    asio::dispatch(stream_.get_executor(), [self = self()] {
      self->close(CloseMode::Abort);
      self->close_socket();  // also ends a graceful TLS shutdown already under way
    });
  }

 private:
  static Stream make_stream(tcp::socket&& socket, ServerState& state) {
    if constexpr (is_tls) {
      return Stream(std::move(socket), *state.tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  std::shared_ptr<Session> self() { return this->shared_from_this(); }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void begin() {
    if constexpr (is_tls) {
      lowest().expires_after(state_->limits.header_timeout);
      stream_.async_handshake(ssl::stream_base::server, beast::bind_front_handler(&Session::on_handshake, self()));
    } else {
      read_request(false);
    }
  }

  void on_handshake(beast::error_code error) {
    if (closed_) return;
    lowest().expires_never();
    if (error == beast::error::timeout) ++state_->counters.timeouts_total;
    if (error) return close(CloseMode::Abort);
    read_request(false);
  }

  // ---- Reading a request: idle, header, body, each under its own deadline. ----

  void read_request(bool kept_alive) {
    parser_.emplace();
    parser_->body_limit(state_->limits.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(state_->limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    if (!kept_alive || buffer_.size() > 0) return read_header();
    // Between requests the idle deadline applies; the header deadline starts with its first bytes.
    arm_read_deadline(state_->limits.idle_timeout);
    stream_.async_read_some(buffer_.prepare(idle_read_bytes),
                            beast::bind_front_handler(&Session::on_idle_read, self()));
  }

  void on_idle_read(beast::error_code error, std::size_t bytes) {
    if (closed_) return;
    disarm_read_deadline();
    buffer_.commit(bytes);
    if (error) return close(CloseMode::Abort);  // the client left, or stayed silent past idle_timeout
    read_header();
  }

  void read_header() {
    arm_read_deadline(state_->limits.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_header, self()));
  }

  void on_header(beast::error_code error, std::size_t) {
    if (closed_) return;
    bool expired = disarm_read_deadline();
    if (error) return on_read_error(error, expired, ReadPhase::Header);
    if (parser_->is_done()) return on_request();
    arm_read_deadline(state_->limits.body_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_body, self()));
  }

  void on_body(beast::error_code error, std::size_t) {
    if (closed_) return;
    bool expired = disarm_read_deadline();
    if (error) return on_read_error(error, expired, ReadPhase::Body);
    on_request();
  }

  void on_read_error(beast::error_code error, bool expired, ReadPhase phase) {
    if (expired) {
      ++state_->counters.timeouts_total;
      bool bytes_arrived = phase == ReadPhase::Body || buffer_.size() > 0 || parser_->got_some();
      if (!bytes_arrived) return close(CloseMode::Abort);
      return write_response(problem_response(http::status::request_timeout, 11, "http.timeout",
                                             phase == ReadPhase::Header ? "request header not received in time"
                                                                        : "request body not received in time"),
                            false);
    }
    if (error == http::error::end_of_stream || error == asio::error::eof || error == asio::error::connection_reset ||
        error == asio::error::operation_aborted || error == ssl::error::stream_truncated) {
      return close(CloseMode::Abort);
    }
    if (error == http::error::body_limit) {
      return write_response(problem_response(http::status::payload_too_large, 11, "http.body_too_large",
                                             "request body exceeds " + std::to_string(state_->limits.max_body_bytes) +
                                                 " bytes"),
                            false);
    }
    write_response(problem_response(http::status::bad_request, 11, "http.bad_request", "malformed HTTP request"),
                   false);
  }

  // A read deadline cancels the socket's operations rather than closing it, so the session
  // can still answer 408. The generation tells a stale expiry from the current one.
  void arm_read_deadline(std::chrono::seconds timeout) {
    deadline_expired_ = false;
    read_deadline_.expires_after(timeout);
    read_deadline_.async_wait([self = self(), generation = ++deadline_generation_](beast::error_code error) {
      if (error || generation != self->deadline_generation_ || self->closed_) return;
      self->deadline_expired_ = true;
      beast::error_code ignored;
      self->lowest().socket().cancel(ignored);
    });
  }

  // Returns whether the deadline had expired.
  bool disarm_read_deadline() {
    ++deadline_generation_;
    read_deadline_.cancel();
    return std::exchange(deadline_expired_, false);
  }

  // ---- Answering a request. ----

  void on_request() {
    const Request& request = parser_->get();
    if (!state_->rate_limiter.allow(client_.address, Clock::now())) {
      ++state_->counters.rate_limited_total;
      Response response = problem_response(http::status::too_many_requests, request.version(), "http.rate_limited",
                                           "too many requests from " + client_.address + "; retry after a second");
      response.set(http::field::retry_after, "1");
      return answer(std::move(response), request);
    }
    Reply reply = guarded(request, [&] { return state_->handler(request, client_); });
    if (reply.deferred) return run_deferred(std::move(reply.deferred));
    send_reply(std::move(reply), request);
  }

  void send_reply(Reply reply, const Request& request) {
    if (reply.stream) return start_stream(std::move(reply), request);
    answer(std::move(reply.response), request);
  }

  template <class Work>
  Reply guarded(const Request& request, Work&& work) {
    try {
      Reply reply = work();
      return reply;
    } catch (const std::exception& failure) {
      log::error("api.handler_failed", {{"target", std::string(request.target())}, {"reason", failure.what()}});
      return problem_response(http::status::internal_server_error, request.version(), "http.internal_error",
                              "internal error; see the node log");
    }
  }

  // The work runs on the blocking pool; its reply comes back to this session's strand. No
  // read is under way meanwhile, so the parser still holds the request. Beyond max_deferred
  // jobs the request is refused at once (503 http.busy) rather than queued behind the others;
  // a job whose connection closed, or whose server is stopping, is skipped: nobody would get
  // its answer, and a write done anyway could be repeated by a client that saw no answer.
  void run_deferred(std::function<Reply()> work) {
    const Request& request = parser_->get();
    auto& pending = state_->counters.deferred_pending;
    if (pending.fetch_add(1) >= state_->limits.max_deferred) {
      --pending;
      ++state_->counters.deferred_refused_total;
      Response busy = problem_response(http::status::service_unavailable, request.version(), "http.busy",
                                       "too many writes waiting; retry in a second");
      busy.set(http::field::retry_after, "1");
      return answer(std::move(busy), request);
    }
    asio::post(*state_->blocking_pool, [self = self(), work = std::move(work)] {
      const Request& request = self->parser_->get();
      Reply reply;
      if (self->aborted_ || self->state_->stopping_work) {
        reply = problem_response(http::status::service_unavailable, request.version(), "http.stopping", "the connection or server is closing");
      } else {
        reply = self->guarded(request, work);
        if (reply.deferred) reply = problem_response(http::status::internal_server_error, request.version(), "http.internal_error",
                                                     "internal error; see the node log");
      }
      --self->state_->counters.deferred_pending;
      asio::post(self->lowest().get_executor(), [self, reply = std::move(reply)]() mutable {
        if (self->closed_) return;
        self->send_reply(std::move(reply), self->parser_->get());
      });
    });
  }

  void answer(Response response, const Request& request) {
    response.version(request.version());
    if (request.method() == http::verb::head) {
      // HEAD: the headers of the GET, Content-Length included, and no body.
      response.prepare_payload();
      auto length = response.body().size();
      response.body().clear();
      response.content_length(length);
    }
    write_response(std::move(response), request.keep_alive());
  }

  void write_response(Response response, bool keep_alive) {
    response.keep_alive(keep_alive);
    response_ = std::make_shared<Response>(std::move(response));
    lowest().expires_after(write_timeout);
    http::async_write(stream_, *response_, beast::bind_front_handler(&Session::on_write, self(), keep_alive));
  }

  void on_write(bool keep_alive, beast::error_code error, std::size_t) {
    if (closed_) return;
    lowest().expires_never();
    response_.reset();
    if (error) return close(CloseMode::Abort);
    if (!keep_alive) return close(CloseMode::Graceful);
    read_request(true);
  }

  // ---- Streaming a reply: header, then chunks as the source delivers them. ----

  void start_stream(Reply reply, const Request& request) {
    auto& streams_open = state_->counters.streams_open;
    if (streams_open.fetch_add(1) >= state_->limits.max_streams) {
      --streams_open;
      reply.stream->close();
      return answer(problem_response(http::status::service_unavailable, request.version(), "http.too_many_streams",
                                     "too many open event streams; retry later"),
                    request);
    }
    source_ = std::move(reply.stream);
    auto& head = stream_head_.emplace(std::move(reply.response.base()));
    head.version(request.version());
    head.set(http::field::content_type, "text/event-stream");
    head.set(http::field::cache_control, "no-store");
    head.erase(http::field::content_length);
    head.keep_alive(false);  // the connection closes when the stream ends
    chunked_ = request.version() >= 11;  // HTTP/1.0 has no chunks: its body ends with the connection
    head.chunked(chunked_);
    stream_serializer_.emplace(head);
    lowest().expires_after(write_timeout);
    http::async_write_header(stream_, *stream_serializer_,
                             beast::bind_front_handler(&Session::on_stream_header, self(),
                                                       request.method() == http::verb::head));
  }

  void on_stream_header(bool head_only, beast::error_code error, std::size_t) {
    if (closed_) return;
    lowest().expires_never();
    if (error) return close(CloseMode::Abort);
    if (head_only) return close(CloseMode::Graceful);
    ask_source();
  }

  void ask_source() {
    waiting_for_source_ = true;
    arm_heartbeat();
    // The deliver holds the session weakly (a source may keep it forever) and posts, never
    // runs inline: a source may deliver from inside next(), even nullopt.
    auto deliver = [gate = state_->gate, weak = this->weak_from_this()](std::optional<std::string> chunk) {
      std::lock_guard lock(gate->mutex);
      if (!gate->open) return;
      auto session = weak.lock();
      if (!session) return;
      auto executor = session->stream_.get_executor();
      asio::post(executor, [session = std::move(session), chunk = std::move(chunk)]() mutable {
        session->on_delivered(std::move(chunk));
      });
    };
    try {
      source_->next(std::move(deliver));
    } catch (const std::exception& failure) {
      log::error("api.stream_failed", {{"reason", failure.what()}});
      close(CloseMode::Abort);
    }
  }

  void on_delivered(std::optional<std::string> chunk) {
    if (closed_ || !source_ || !waiting_for_source_) return;
    waiting_for_source_ = false;
    ++heartbeat_generation_;
    heartbeat_.cancel();
    if (writing_) {
      delivered_ = std::move(chunk);  // written once the heartbeat in flight is
      return;
    }
    write_delivered(std::move(chunk));
  }

  void write_delivered(std::optional<std::string> chunk) {
    if (!chunk) return end_stream();
    if (chunk->empty()) return ask_source();  // an empty chunk would end the chunked body
    write_stream_bytes(std::move(*chunk));
  }

  void write_stream_bytes(std::string bytes) {
    writing_ = true;
    chunk_ = std::move(bytes);
    lowest().expires_after(write_timeout);
    auto done = beast::bind_front_handler(&Session::on_stream_write, self());
    if (chunked_) {
      asio::async_write(stream_, http::make_chunk(asio::buffer(chunk_)), std::move(done));
    } else {
      asio::async_write(stream_, asio::buffer(chunk_), std::move(done));
    }
  }

  void on_stream_write(beast::error_code error, std::size_t) {
    writing_ = false;
    if (closed_) return;
    lowest().expires_never();
    if (error) return close(CloseMode::Abort);
    if (delivered_) {
      auto chunk = std::move(*delivered_);
      delivered_.reset();
      return write_delivered(std::move(chunk));
    }
    if (waiting_for_source_) return arm_heartbeat();  // that was a heartbeat; the source still owes a chunk
    ask_source();
  }

  void end_stream() {
    if (!chunked_) return close(CloseMode::Graceful);
    writing_ = true;
    lowest().expires_after(write_timeout);
    asio::async_write(stream_, http::make_chunk_last(), [self = self()](beast::error_code error, std::size_t) {
      self->writing_ = false;
      if (self->closed_) return;
      self->lowest().expires_never();
      self->close(error ? CloseMode::Abort : CloseMode::Graceful);
    });
  }

  void arm_heartbeat() {
    heartbeat_.expires_after(std::max(state_->limits.stream_heartbeat, min_stream_heartbeat));
    heartbeat_.async_wait([self = self(), generation = ++heartbeat_generation_](beast::error_code error) {
      if (error || generation != self->heartbeat_generation_ || self->closed_) return;
      if (!self->waiting_for_source_ || self->writing_) return;
      self->write_stream_bytes(std::string(heartbeat_comment));
    });
  }

  void end_stream_source() {
    if (!source_) return;
    auto source = std::move(source_);
    source_.reset();
    --state_->counters.streams_open;
    source->close();
  }

  // ---- Closing. ----

  void close(CloseMode mode) {
    if (closed_) return;
    closed_ = true;
    aborted_ = true;
    ++deadline_generation_;
    ++heartbeat_generation_;
    read_deadline_.cancel();
    heartbeat_.cancel();
    end_stream_source();
    if (mode == CloseMode::Abort) return close_socket();
    lowest().expires_after(linger_timeout);
    if constexpr (is_tls) {
      stream_.async_shutdown([self = self()](beast::error_code) { self->close_socket(); });
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      drain();
    }
  }

  void drain() {
    lowest().async_read_some(asio::buffer(drain_buffer_), [self = self()](beast::error_code error, std::size_t) {
      if (error) return self->close_socket();  // the peer closed, or linger_timeout passed
      self->drain();
    });
  }

  void close_socket() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest().close();
  }

  Stream stream_;
  std::shared_ptr<ServerState> state_;
  const std::uint64_t id_;
  const ClientInfo client_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Response> response_;
  asio::steady_timer read_deadline_;
  std::uint64_t deadline_generation_ = 0;
  bool deadline_expired_ = false;
  bool closed_ = false;
  std::atomic<bool> aborted_{false};  // closed_, for the blocking pool's threads
  // The event stream, when the reply is one.
  std::shared_ptr<StreamSource> source_;
  std::optional<http::response<http::empty_body>> stream_head_;
  std::optional<http::response_serializer<http::empty_body>> stream_serializer_;
  bool chunked_ = false;
  bool writing_ = false;             // a chunk, heartbeat or last chunk is being written
  bool waiting_for_source_ = false;  // next() was called and has not delivered yet
  std::optional<std::optional<std::string>> delivered_;  // arrived while a heartbeat was being written
  std::string chunk_;
  std::array<char, 1024> drain_buffer_{};
  asio::steady_timer heartbeat_;
  std::uint64_t heartbeat_generation_ = 0;
};

// IPv4 clients of a dual-stack listener appear as ::ffff:a.b.c.d; name them a.b.c.d, so a
// client has one rate-limit bucket whichever way it connects.
std::string address_text(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

ssl::context make_tls_context(const TlsFiles& files) {
  if (files.certificate_chain_file.empty() || files.private_key_file.empty()) {
    throw std::runtime_error("TLS needs both a certificate chain file and a private key file");
  }
  ssl::context context(ssl::context::tls_server);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  if (SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1) {
    throw std::runtime_error("cannot require TLS 1.2 or later");
  }
  beast::error_code error;
  context.use_certificate_chain_file(files.certificate_chain_file, error);
  if (error) {
    throw std::runtime_error("cannot load TLS certificate chain file '" + files.certificate_chain_file +
                             "': " + error.message());
  }
  context.use_private_key_file(files.private_key_file, ssl::context::pem, error);
  if (error) {
    throw std::runtime_error("cannot load TLS private key file '" + files.private_key_file + "': " + error.message());
  }
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    throw std::runtime_error("TLS private key '" + files.private_key_file + "' does not match the certificate in '" +
                             files.certificate_chain_file + "'");
  }
  return context;
}

}  // namespace

Response problem_response(http::status status, unsigned version, std::string_view code, std::string_view detail) {
  Response response{status, version};
  response.set(http::field::content_type, "application/problem+json");
  response.body() = Json{{"type", "https://flexledger.example/problems/" + std::string(code)},
                         {"title", std::string(http::obsolete_reason(status))},
                         {"status", static_cast<int>(status)},
                         {"code", std::string(code)},
                         {"detail", std::string(detail)}}
                        .dump(-1, ' ', false, Json::error_handler_t::replace);
  response.prepare_payload();
  return response;
}

struct HttpServer::Impl {
  std::string host;
  std::uint16_t port = 0;
  std::uint16_t bound_port = 0;
  std::shared_ptr<ServerState> state;  // before io: sessions destroyed with io still use it
  asio::io_context io;
  tcp::acceptor acceptor{asio::make_strand(io)};
  std::vector<std::thread> threads;
  std::optional<asio::thread_pool> blocking_pool;
  std::mutex running_mutex;
  std::condition_variable all_returned;
  unsigned running = 0;  // workers still inside io.run(); guarded by running_mutex

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code error, tcp::socket socket) {
      if (error == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!error) admit(std::move(socket));
      accept();
    });
  }

  void admit(tcp::socket socket) {
    if (state->counters.connections_open.load() >= state->limits.max_connections) return;  // refused: closed here
    beast::error_code error;
    auto peer = socket.remote_endpoint(error);
    if (error) return;  // already gone
    std::shared_ptr<SessionControl> session;
    {
      std::lock_guard lock(state->sessions_mutex);
      if (state->stopping) return;
      std::uint64_t id = state->next_session_id++;
      session = launch(std::move(socket), address_text(peer.address()), id);
      state->sessions.emplace(id, session);
    }
  }

  std::shared_ptr<SessionControl> launch(tcp::socket socket, std::string address, std::uint64_t id) {
    if (state->tls) {
      auto session = std::make_shared<Session<TlsStream>>(std::move(socket), state, std::move(address), id);
      session->start();
      return session;
    }
    auto session = std::make_shared<Session<beast::tcp_stream>>(std::move(socket), state, std::move(address), id);
    session->start();
    return session;
  }
};

HttpServer::HttpServer(std::string host, std::uint16_t port, Handler handler, ServerLimits limits,
                       std::optional<TlsFiles> tls)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->state = std::make_shared<ServerState>(std::move(handler), limits);
  if (tls) impl_->state->tls.emplace(make_tls_context(*tls));
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start(unsigned threads) {
  beast::error_code error;
  auto address = asio::ip::make_address(impl_->host, error);
  if (error) throw std::runtime_error("bad listen host '" + impl_->host + "': " + error.message());
  tcp::endpoint endpoint{address, impl_->port};
  impl_->acceptor.open(endpoint.protocol(), error);
  if (!error) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) impl_->acceptor.bind(endpoint, error);
  if (!error) impl_->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    throw std::runtime_error("cannot listen on " + impl_->host + ":" + std::to_string(impl_->port) + ": " +
                             error.message());
  }
  impl_->bound_port = impl_->acceptor.local_endpoint().port();
  impl_->blocking_pool.emplace(std::max(1u, impl_->state->limits.blocking_threads));
  impl_->state->blocking_pool = &*impl_->blocking_pool;
  impl_->accept();
  unsigned count = std::max(1u, threads);
  impl_->running = count;
  for (unsigned i = 0; i < count; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] {
      impl->io.run();
      std::lock_guard lock(impl->running_mutex);
      --impl->running;
      impl->all_returned.notify_all();
    });
  }
}

void HttpServer::stop() {
  if (impl_->threads.empty()) return;
  ServerState& state = *impl_->state;
  state.stopping_work = true;
  std::vector<std::weak_ptr<SessionControl>> sessions;
  {
    std::lock_guard lock(state.sessions_mutex);
    state.stopping = true;
    for (const auto& [id, session] : state.sessions) sessions.push_back(session);
  }
  asio::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  for (const auto& weak : sessions) {
    if (auto session = weak.lock()) session->server_stopping();
  }
  // With the acceptor and every connection closed the workers run out of work and return.
  {
    std::unique_lock lock(impl_->running_mutex);
    if (!impl_->all_returned.wait_for(lock, stop_grace, [this] { return impl_->running == 0; })) {
      log::warn("api.stop_forced", {{"reason", "connections still busy after the grace period"}});
    }
  }
  impl_->io.stop();
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
  impl_->blocking_pool->join();  // deferred work finishes (a write waits for its block at most ApiOptions::write_wait)
  std::lock_guard lock(state.gate->mutex);
  state.gate->open = false;
}

std::uint16_t HttpServer::bound_port() const { return impl_->bound_port; }

ServerCounters HttpServer::counters() const {
  const Counters& counters = impl_->state->counters;
  return ServerCounters{counters.connections_open.load(std::memory_order_relaxed),
                        counters.connections_total.load(std::memory_order_relaxed),
                        counters.rate_limited_total.load(std::memory_order_relaxed),
                        counters.streams_open.load(std::memory_order_relaxed),
                        counters.timeouts_total.load(std::memory_order_relaxed),
                        counters.deferred_pending.load(std::memory_order_relaxed),
                        counters.deferred_refused_total.load(std::memory_order_relaxed)};
}

}  // namespace flex::api
