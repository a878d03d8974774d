#include "api/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

#include <atomic>

#include "node/log.hpp"

namespace flex::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const Handler& handler, const ServerLimits& limits,
          std::atomic<std::size_t>& open_connections)
      : stream_(std::move(socket)), handler_(handler), limits_(limits), open_connections_(open_connections) {
    ++open_connections_;
  }
  ~Session() { --open_connections_; }

  void start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(limits_.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    stream_.expires_after(limits_.idle_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code error, std::size_t) {
    if (error == http::error::end_of_stream || error == beast::error::timeout || error == asio::error::eof ||
        error == asio::error::connection_reset) {
      return close();
    }
    Response response;
    bool keep_alive = false;
    if (error == http::error::body_limit) {
      response = problem_response(http::status::payload_too_large, 11, "http.body_too_large",
                             "request body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes");
    } else if (error) {
      response = problem_response(http::status::bad_request, 11, "http.bad_request", "malformed HTTP request");
    } else {
      const Request& request = parser_->get();
      keep_alive = request.keep_alive();
      try {
        response = handler_(request);
      } catch (const std::exception& failure) {
        log::error("api.handler_failed", {{"target", std::string(request.target())}, {"reason", failure.what()}});
        response = problem_response(http::status::internal_server_error, request.version(), "http.internal_error",
                               "internal error; see the node log");
      }
      response.version(request.version());
      if (request.method() == http::verb::head) {
        // HEAD: the headers of the GET, Content-Length included, and no body.
        response.prepare_payload();
        auto length = response.body().size();
        response.body().clear();
        response.content_length(length);
      }
    }
    response.keep_alive(keep_alive);
    response_ = std::make_shared<Response>(std::move(response));
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&Session::on_write, shared_from_this(), keep_alive));
  }

  void on_write(bool keep_alive, beast::error_code error, std::size_t) {
    if (error || !keep_alive) return close();
    response_.reset();
    read();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Response> response_;
  const Handler& handler_;
  const ServerLimits& limits_;
  std::atomic<std::size_t>& open_connections_;
};

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
  std::uint16_t port;
  Handler handler;
  ServerLimits limits;
  std::atomic<std::size_t> open_connections{0};  // before io: sessions outlive io's handlers
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code error, tcp::socket socket) {
      if (error == asio::error::operation_aborted) return;
      if (!error) {
        if (open_connections.load() >= limits.max_connections) {
          beast::error_code ignored;
          socket.close(ignored);  // over the limit: refuse rather than queue without bound
        } else {
          std::make_shared<Session>(std::move(socket), handler, limits, open_connections)->start();
        }
      }
      accept();
    });
  }
};

HttpServer::HttpServer(std::string host, std::uint16_t port, Handler handler, ServerLimits limits)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->handler = std::move(handler);
  impl_->limits = limits;
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
  impl_->accept();
  for (unsigned i = 0; i < std::max(1u, threads); ++i) impl_->threads.emplace_back([this] { impl_->io.run(); });
}

void HttpServer::stop() {
  if (impl_->threads.empty()) return;
  impl_->io.stop();
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

std::uint16_t HttpServer::bound_port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace flex::api
