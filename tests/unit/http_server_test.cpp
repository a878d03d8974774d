// The HTTP server over real sockets on 127.0.0.1: deadlines, rate limiting, event streams
// and TLS. The client is a small Beast client that runs each operation to completion on its
// own io_context under a deadline, so a broken server fails a test instead of hanging it.
#include <catch2/catch.hpp>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "api/http_server.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Clock = std::chrono::steady_clock;

constexpr auto client_deadline = 10s;

template <class Stream>
class Client {
 public:
  explicit Client(std::uint16_t port) : tls_(client_context()), stream_(make_stream()) {
    error_ = run([&](auto handler) {
      lowest().async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), handler);
    });
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      if (!error_) error_ = run([&](auto handler) { stream_.async_handshake(ssl::stream_base::client, handler); });
    }
  }

  beast::error_code error() const { return error_; }  // of the connection or the last operation
  Stream& stream() { return stream_; }

  void send(std::string_view bytes) {
    error_ = run([&](auto handler) { asio::async_write(stream_, asio::buffer(bytes), handler); });
    REQUIRE(!error_);
  }

  // Sends a request and reads its response; error() tells whether that worked.
  api::Response request(http::verb verb, std::string target, std::string body = "", unsigned version = 11) {
    api::Request request{verb, target, version};
    request.set(http::field::host, "127.0.0.1");
    request.body() = std::move(body);
    request.prepare_payload();
    error_ = run([&](auto handler) { http::async_write(stream_, request, handler); });
    if (error_) return {};
    return read_response();
  }

  api::Response get(std::string target) {
    auto response = request(http::verb::get, std::move(target));
    REQUIRE(!error_);
    return response;
  }

  api::Response read_response() {
    api::Response response;
    error_ = run([&](auto handler) { http::async_read(stream_, buffer_, response, handler); });
    return response;
  }

  // Reads raw bytes until `needle` has arrived (true) or the connection fails (false).
  bool read_until(std::string_view needle) {
    while (received().find(needle) == std::string::npos) {
      if (!read_some()) return false;
    }
    return true;
  }

  // Reads raw bytes until the server closes the connection; error() then tells how.
  std::string read_to_end() {
    while (read_some()) {
    }
    return received();
  }

  std::string received() const { return beast::buffers_to_string(buffer_.data()); }
  std::size_t available() { return lowest().socket().available(); }

 private:
  static ssl::context client_context() {
    ssl::context context(ssl::context::tls_client);
    context.set_verify_mode(ssl::verify_none);  // the test's certificate is self-signed
    return context;
  }

  Stream make_stream() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      return Stream(io_, tls_);
    } else {
      return Stream(io_);
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  bool read_some() {
    std::size_t bytes = 0;
    error_ = run([&](auto handler) {
      stream_.async_read_some(buffer_.prepare(4096), [&bytes, handler](beast::error_code error, std::size_t n) mutable {
        bytes = n;
        handler(error);
      });
    });
    buffer_.commit(bytes);
    return !error_;
  }

  template <class Start>
  beast::error_code run(Start start) {
    std::optional<beast::error_code> result;
    lowest().expires_after(client_deadline);
    start([&result](beast::error_code error, auto&&...) { result = error; });
    io_.restart();
    io_.run();
    REQUIRE(result.has_value());
    return *result;
  }

  asio::io_context io_;
  ssl::context tls_;
  Stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code error_;
};

api::Response text_response(const api::Request& request, std::string body) {
  api::Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, "text/plain");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

std::string problem_code(const api::Response& response) {
  if (response[http::field::content_type] != "application/problem+json") return "";
  return Json::parse(response.body()).at("code").get<std::string>();
}

// Waits up to two seconds for a condition another thread makes true.
template <class Condition>
bool eventually(Condition condition) {
  auto deadline = Clock::now() + 2s;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

long long milliseconds_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Delivers its chunks one per next(), each from a thread of its own, then nullopt.
class ScriptedSource : public api::StreamSource {
 public:
  explicit ScriptedSource(std::vector<std::string> chunks) : chunks_(std::move(chunks)) {}
  ~ScriptedSource() override {
    for (auto& thread : threads_) thread.join();
  }
  void next(std::function<void(std::optional<std::string>)> deliver) override {
    std::optional<std::string> chunk;
    if (index_ < chunks_.size()) chunk = chunks_[index_++];
    threads_.emplace_back([deliver = std::move(deliver), chunk = std::move(chunk)] { deliver(chunk); });
  }
  void close() override { ++closes; }
  std::atomic<int> closes{0};

 private:
  std::vector<std::string> chunks_;
  std::size_t index_ = 0;
  std::vector<std::thread> threads_;
};

// Never delivers; keeps the deliver it was given, to call it late.
class SilentSource : public api::StreamSource {
 public:
  void next(std::function<void(std::optional<std::string>)> deliver) override {
    std::lock_guard lock(mutex_);
    deliver_ = std::move(deliver);
  }
  void close() override { ++closes; }
  void deliver_late(std::string chunk) {
    std::function<void(std::optional<std::string>)> deliver;
    {
      std::lock_guard lock(mutex_);
      deliver = deliver_;
    }
    if (deliver) deliver(std::move(chunk));
  }
  std::atomic<int> closes{0};

 private:
  std::mutex mutex_;
  std::function<void(std::optional<std::string>)> deliver_;
};

api::Reply stream_reply(const api::Request& request, std::shared_ptr<api::StreamSource> source) {
  api::Reply reply(api::Response{http::status::ok, request.version()});
  reply.stream = std::move(source);
  return reply;
}

// Writes a self-signed P-256 certificate for CN=127.0.0.1, valid for an hour, and its key.
void write_self_signed_certificate(const std::string& certificate_path, const std::string& key_path) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  REQUIRE(key);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), X509_free);
  REQUIRE(certificate);
  REQUIRE(X509_set_version(certificate.get(), 2) == 1);  // v3
  REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1) == 1);
  REQUIRE(X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60));
  REQUIRE(X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600));
  REQUIRE(X509_set_pubkey(certificate.get(), key.get()) == 1);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  const std::string common_name = "127.0.0.1";
  REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1);
  REQUIRE(X509_set_issuer_name(certificate.get(), name) == 1);
  REQUIRE(X509_sign(certificate.get(), key.get(), EVP_sha256()) > 0);
  std::unique_ptr<FILE, decltype(&std::fclose)> key_file(std::fopen(key_path.c_str(), "wb"), std::fclose);
  REQUIRE(key_file);
  REQUIRE(PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  std::unique_ptr<FILE, decltype(&std::fclose)> certificate_file(std::fopen(certificate_path.c_str(), "wb"),
                                                                  std::fclose);
  REQUIRE(certificate_file);
  REQUIRE(PEM_write_X509(certificate_file.get(), certificate.get()) == 1);
}

}  // namespace

TEST_CASE("a client over its burst gets 429 with Retry-After, and the handler is not called", "[http]") {
  api::ServerLimits limits;
  limits.rate_burst = 5;
  limits.rate_per_second = 1;
  std::atomic<int> calls{0};
  std::mutex mutex;
  std::string seen_address;
  api::HttpServer server("127.0.0.1", 0, [&](const api::Request& request, const api::ClientInfo& client) {
    ++calls;
    std::lock_guard lock(mutex);
    seen_address = client.address;
    return text_response(request, "hello");
  }, limits);
  server.start(2);
  Client<PlainStream> client(server.bound_port());
  REQUIRE(!client.error());
  for (int i = 0; i < 5; ++i) {
    INFO("request " << i + 1);
    auto response = client.get("/hello");
    CHECK(response.result() == http::status::ok);
    CHECK(response.body() == "hello");
  }
  auto limited = client.get("/hello");
  CHECK(limited.result() == http::status::too_many_requests);
  CHECK(limited[http::field::retry_after] == "1");
  CHECK(problem_code(limited) == "http.rate_limited");
  CHECK(calls == 5);
  CHECK(server.counters().rate_limited_total == 1);
  {
    std::lock_guard lock(mutex);
    CHECK(seen_address == "127.0.0.1");
  }
  // The same connection stays usable, and a second later the bucket holds one token again.
  std::this_thread::sleep_for(1100ms);
  CHECK(client.get("/hello").result() == http::status::ok);
  CHECK(client.get("/hello").result() == http::status::too_many_requests);
  CHECK(calls == 6);
}

TEST_CASE("a client trickling its header is answered 408 and closed after header_timeout", "[http]") {
  api::ServerLimits limits;
  limits.header_timeout = 1s;
  std::atomic<int> calls{0};
  api::HttpServer server("127.0.0.1", 0, [&](const api::Request& request, const api::ClientInfo&) {
    ++calls;
    return text_response(request, "hello");
  }, limits);
  server.start(2);

  Client<PlainStream> client(server.bound_port());
  REQUIRE(!client.error());
  auto start = Clock::now();
  client.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // half a header, then nothing
  auto response = client.read_response();
  REQUIRE(!client.error());
  CHECK(response.result() == http::status::request_timeout);
  CHECK(problem_code(response) == "http.timeout");
  client.read_to_end();
  CHECK(client.error() == asio::error::eof);
  auto elapsed = milliseconds_since(start);
  CHECK(elapsed >= 900);
  CHECK(elapsed < 2000);
  CHECK(eventually([&] { return server.counters().timeouts_total == 1; }));

  SECTION("a connection that sends nothing is closed without an answer") {
    Client<PlainStream> silent(server.bound_port());
    CHECK(silent.read_to_end().empty());
    CHECK(silent.error() == asio::error::eof);
    CHECK(eventually([&] { return server.counters().timeouts_total == 2; }));
  }
  CHECK(calls == 0);
}

TEST_CASE("a body trickled after a timely header is cut off at body_timeout", "[http]") {
  api::ServerLimits limits;
  limits.header_timeout = 5s;
  limits.body_timeout = 1s;
  std::atomic<int> calls{0};
  api::HttpServer server("127.0.0.1", 0, [&](const api::Request& request, const api::ClientInfo&) {
    ++calls;
    return text_response(request, "hello");
  }, limits);
  server.start(2);

  Client<PlainStream> client(server.bound_port());
  REQUIRE(!client.error());
  client.send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 20\r\n\r\n");
  auto start = Clock::now();
  // One byte every 200 ms would take 4 s: each byte is prompt, the whole body is not.
  for (int i = 0; i < 20 && client.available() == 0; ++i) {
    client.send("x");
    std::this_thread::sleep_for(200ms);
  }
  auto response = client.read_response();
  REQUIRE(!client.error());
  CHECK(response.result() == http::status::request_timeout);
  CHECK(problem_code(response) == "http.timeout");
  CHECK(milliseconds_since(start) < 2000);
  client.read_to_end();
  CHECK(client.error() == asio::error::eof);
  CHECK(server.counters().timeouts_total == 1);
  CHECK(calls == 0);
}

TEST_CASE("a kept-alive connection is closed after idle_timeout, not counted as a timeout", "[http]") {
  api::ServerLimits limits;
  limits.idle_timeout = 1s;
  api::HttpServer server("127.0.0.1", 0, [](const api::Request& request, const api::ClientInfo&) {
    return text_response(request, "hello");
  }, limits);
  server.start(2);
  Client<PlainStream> client(server.bound_port());
  CHECK(client.get("/hello").body() == "hello");
  auto start = Clock::now();
  client.read_to_end();
  CHECK(client.error() == asio::error::eof);
  CHECK(milliseconds_since(start) >= 900);
  CHECK(milliseconds_since(start) < 2000);
  CHECK(server.counters().timeouts_total == 0);
}

TEST_CASE("the server's existing answers: 413, 400, 500 and HEAD", "[http]") {
  api::ServerLimits limits;
  limits.max_body_bytes = 16;
  api::HttpServer server("127.0.0.1", 0, [](const api::Request& request, const api::ClientInfo&) -> api::Reply {
    if (request.target() == "/throw") throw std::runtime_error("boom");
    return text_response(request, "hello");
  }, limits);
  server.start(2);

  SECTION("a body over max_body_bytes") {
    Client<PlainStream> client(server.bound_port());
    auto response = client.request(http::verb::post, "/upload", std::string(100, 'x'));
    REQUIRE(!client.error());
    CHECK(response.result() == http::status::payload_too_large);
    CHECK(problem_code(response) == "http.body_too_large");
  }
  SECTION("a malformed request") {
    Client<PlainStream> client(server.bound_port());
    client.send("NOT HTTP AT ALL\r\n\r\n");
    auto response = client.read_response();
    REQUIRE(!client.error());
    CHECK(response.result() == http::status::bad_request);
    CHECK(problem_code(response) == "http.bad_request");
  }
  SECTION("a handler that throws") {
    Client<PlainStream> client(server.bound_port());
    auto response = client.get("/throw");
    CHECK(response.result() == http::status::internal_server_error);
    CHECK(problem_code(response) == "http.internal_error");
    CHECK(client.get("/hello").body() == "hello");  // and the connection goes on
  }
  SECTION("HEAD: the GET's headers and no body") {
    Client<PlainStream> client(server.bound_port());
    client.send("HEAD /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    std::string raw = client.read_to_end();
    CHECK(raw.find("Content-Length: 5\r\n") != std::string::npos);
    CHECK(raw.substr(raw.size() - 4) == "\r\n\r\n");
  }
}

TEST_CASE("deferred work runs off the I/O thread: a blocked write does not hold up reads", "[http]") {
  api::ServerLimits limits;
  limits.max_deferred = 1;
  std::mutex mutex;
  std::condition_variable released_signal;
  bool released = false;
  std::atomic<int> deferred_running{0};
  api::HttpServer server("127.0.0.1", 0, [&](const api::Request& request, const api::ClientInfo&) -> api::Reply {
    std::string target(request.target());
    if (target == "/slow") {
      return api::Reply::defer([&] {
        ++deferred_running;
        std::unique_lock lock(mutex);
        released_signal.wait(lock, [&] { return released; });
        return api::Reply(text_response(request, "slow done " + std::string(request.target())));
      });
    }
    if (target == "/deferred-throw") return api::Reply::defer([]() -> api::Reply { throw std::runtime_error("boom"); });
    return text_response(request, "fast");
  }, limits);
  server.start(1);  // one I/O thread: a write blocking it would stall every read

  Client<PlainStream> writer(server.bound_port());
  writer.send("POST /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
  auto deadline = Clock::now() + client_deadline;
  while (deferred_running == 0 && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
  REQUIRE(deferred_running == 1);

  Client<PlainStream> reader(server.bound_port());
  for (int i = 0; i < 20; ++i) CHECK(reader.get("/fast").body() == "fast");  // answered while /slow waits
  CHECK(writer.available() == 0);                                             // /slow has not answered yet
  CHECK(server.counters().deferred_pending == 1);
  // Beyond max_deferred a second write is refused at once instead of queued.
  auto busy = reader.request(http::verb::post, "/slow");
  REQUIRE(!reader.error());
  CHECK(busy.result() == http::status::service_unavailable);
  CHECK(problem_code(busy) == "http.busy");
  CHECK(busy[http::field::retry_after] == "1");
  CHECK(server.counters().deferred_refused_total == 1);
  CHECK(deferred_running == 1);
  {
    std::lock_guard lock(mutex);
    released = true;
  }
  released_signal.notify_all();
  auto slow = writer.read_response();
  REQUIRE(!writer.error());
  CHECK(slow.body() == "slow done /slow");  // the work still saw its request
  CHECK(server.counters().deferred_pending == 0);
  CHECK(writer.get("/fast").body() == "fast");  // and the connection is kept alive

  auto failed = writer.request(http::verb::post, "/deferred-throw");
  REQUIRE(!writer.error());
  CHECK(failed.result() == http::status::internal_server_error);
  CHECK(problem_code(failed) == "http.internal_error");
  server.stop();
}

TEST_CASE("an event stream writes exactly the delivered chunks, then ends", "[http]") {
  std::vector<std::string> chunks{"data: one\n\n", "data: two\n\n", "data: three\n\n"};
  std::vector<std::shared_ptr<ScriptedSource>> sources;
  std::mutex mutex;
  api::HttpServer server("127.0.0.1", 0, [&](const api::Request& request, const api::ClientInfo&) {
    auto source = std::make_shared<ScriptedSource>(chunks);
    std::lock_guard lock(mutex);
    sources.push_back(source);
    return stream_reply(request, source);
  });
  server.start(2);

  SECTION("HTTP/1.1: chunked") {
    Client<PlainStream> client(server.bound_port());
    client.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::string raw = client.read_to_end();
    CHECK(client.error() == asio::error::eof);
    auto header_end = raw.find("\r\n\r\n");
    REQUIRE(header_end != std::string::npos);
    std::string header = raw.substr(0, header_end + 4);
    CHECK(header.find("HTTP/1.1 200 OK\r\n") == 0);
    CHECK(header.find("Content-Type: text/event-stream\r\n") != std::string::npos);
    CHECK(header.find("Cache-Control: no-store\r\n") != std::string::npos);
    CHECK(header.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
    CHECK(header.find("Content-Length") == std::string::npos);
    // RFC 9112 section 7.1: hex size CRLF data CRLF per chunk, then "0" CRLF CRLF.
    CHECK(raw.substr(header_end + 4) == "b\r\ndata: one\n\n\r\nb\r\ndata: two\n\n\r\nd\r\ndata: three\n\n\r\n0\r\n\r\n");
  }
  SECTION("HTTP/1.0: raw bytes, ended by closing the connection") {
    Client<PlainStream> client(server.bound_port());
    client.send("GET /events HTTP/1.0\r\n\r\n");
    std::string raw = client.read_to_end();
    CHECK(client.error() == asio::error::eof);
    auto header_end = raw.find("\r\n\r\n");
    REQUIRE(header_end != std::string::npos);
    CHECK(raw.substr(0, header_end).find("Transfer-Encoding") == std::string::npos);
    CHECK(raw.substr(header_end + 4) == "data: one\n\ndata: two\n\ndata: three\n\n");
  }
  SECTION("a Beast client reads it as an ordinary chunked response") {
    Client<PlainStream> client(server.bound_port());
    auto response = client.get("/events");
    CHECK(response[http::field::content_type] == "text/event-stream");
    CHECK(response.body() == "data: one\n\ndata: two\n\ndata: three\n\n");
  }
  std::lock_guard lock(mutex);
  REQUIRE(sources.size() == 1);
  CHECK(eventually([&] { return sources[0]->closes == 1; }));
  CHECK(eventually([&] { return server.counters().streams_open == 0; }));
}

TEST_CASE("an idle event stream gets heartbeats, and a deliver after stop() is harmless", "[http]") {
  api::ServerLimits limits;
  limits.stream_heartbeat = 1s;
  auto source = std::make_shared<SilentSource>();
  api::HttpServer server("127.0.0.1", 0, [&](const api::Request& request, const api::ClientInfo&) {
    return stream_reply(request, source);
  }, limits);
  server.start(2);
  Client<PlainStream> client(server.bound_port());
  client.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  REQUIRE(client.read_until("\r\n\r\n"));
  auto start = Clock::now();
  REQUIRE(client.read_until("\r\ne\r\n: keep-alive\n\n\r\n"));  // a chunk of 14 bytes
  CHECK(milliseconds_since(start) >= 900);
  CHECK(milliseconds_since(start) < 2000);
  CHECK(server.counters().streams_open == 1);
  server.stop();
  CHECK(source->closes == 1);
  source->deliver_late("data: late\n\n");  // the session is gone; this must do nothing
  client.read_to_end();
  CHECK(client.received().find("late") == std::string::npos);
}

TEST_CASE("stop() closes an open event stream promptly and calls close()", "[http]") {
  auto source = std::make_shared<SilentSource>();
  api::HttpServer server("127.0.0.1", 0, [&](const api::Request& request, const api::ClientInfo&) {
    return stream_reply(request, source);
  });
  server.start(2);
  Client<PlainStream> client(server.bound_port());
  client.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  REQUIRE(client.read_until("\r\n\r\n"));
  CHECK(server.counters().streams_open == 1);
  auto start = Clock::now();
  server.stop();
  CHECK(milliseconds_since(start) < 1000);
  CHECK(source->closes == 1);
  CHECK(server.counters().streams_open == 0);
  CHECK(server.counters().connections_open == 0);
  client.read_to_end();
  CHECK(client.error());
}

TEST_CASE("beyond max_streams a stream request gets 503 and its source is closed", "[http]") {
  api::ServerLimits limits;
  limits.max_streams = 1;
  std::vector<std::shared_ptr<SilentSource>> sources;
  std::mutex mutex;
  api::HttpServer server("127.0.0.1", 0, [&](const api::Request& request, const api::ClientInfo&) {
    auto source = std::make_shared<SilentSource>();
    std::lock_guard lock(mutex);
    sources.push_back(source);
    return stream_reply(request, source);
  }, limits);
  server.start(2);
  Client<PlainStream> first(server.bound_port());
  first.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  REQUIRE(first.read_until("\r\n\r\n"));

  Client<PlainStream> second(server.bound_port());
  auto refused = second.get("/events");
  CHECK(refused.result() == http::status::service_unavailable);
  CHECK(problem_code(refused) == "http.too_many_streams");
  CHECK(server.counters().streams_open == 1);
  std::lock_guard lock(mutex);
  REQUIRE(sources.size() == 2);
  CHECK(sources[0]->closes == 0);
  CHECK(sources[1]->closes == 1);
}

TEST_CASE("HTTPS: a TLS server answers over TLS, and only over TLS", "[http]") {
  test::TempDir dir;
  write_self_signed_certificate(dir.file("certificate.pem"), dir.file("key.pem"));
  api::TlsFiles files{dir.file("certificate.pem"), dir.file("key.pem")};

  SECTION("a missing certificate file throws from the constructor") {
    api::TlsFiles missing{dir.file("absent.pem"), dir.file("key.pem")};
    auto handler = [](const api::Request& request, const api::ClientInfo&) { return text_response(request, ""); };
    CHECK_THROWS_WITH(api::HttpServer("127.0.0.1", 0, handler, {}, missing),
                      Catch::Contains("cannot load TLS certificate chain file") && Catch::Contains("absent.pem"));
    return;
  }

  std::vector<std::string> chunks{"data: one\n\n", "data: two\n\n"};
  std::vector<std::shared_ptr<ScriptedSource>> sources;
  std::mutex mutex;
  api::HttpServer server("127.0.0.1", 0, [&](const api::Request& request, const api::ClientInfo&) -> api::Reply {
    if (request.target() != "/events") return text_response(request, "hello over tls");
    auto source = std::make_shared<ScriptedSource>(chunks);
    std::lock_guard lock(mutex);
    sources.push_back(source);
    return stream_reply(request, source);
  }, {}, files);
  server.start(2);

  SECTION("a request over TLS") {
    Client<TlsStream> client(server.bound_port());
    REQUIRE(!client.error());
    CHECK(SSL_version(client.stream().native_handle()) >= TLS1_2_VERSION);
    CHECK(client.get("/hello").body() == "hello over tls");
    CHECK(client.get("/hello").body() == "hello over tls");  // kept alive
  }
  SECTION("an event stream over TLS") {
    Client<TlsStream> client(server.bound_port());
    REQUIRE(!client.error());
    auto response = client.get("/events");
    CHECK(response[http::field::content_type] == "text/event-stream");
    CHECK(response.body() == "data: one\n\ndata: two\n\n");
  }
  SECTION("plain HTTP to the TLS port gets no answer") {
    Client<PlainStream> client(server.bound_port());
    REQUIRE(!client.error());
    auto response = client.request(http::verb::get, "/hello");
    CHECK(client.error());
    CHECK(response.body().empty());
  }
}
