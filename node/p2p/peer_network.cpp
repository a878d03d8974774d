#include "node/p2p/peer_network.hpp"

#include <array>
#include <chrono>
#include <deque>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "node/keyfile.hpp"
#include "node/log.hpp"

namespace flex::p2p {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Milliseconds = std::chrono::milliseconds;

namespace {

std::string endpoint_text(const tcp::socket& socket) {
  boost::system::error_code error;
  auto endpoint = socket.remote_endpoint(error);
  if (error) return "?";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

// "host:port", split at the last colon.
std::pair<std::string, std::string> split_address(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return {address, ""};
  return {address.substr(0, colon), address.substr(colon + 1)};
}

}  // namespace

struct PeerNetwork::Listener {
  explicit Listener(asio::io_context& io) : acceptor(io), retry(io) {}
  tcp::acceptor acceptor;
  asio::steady_timer retry;
};

struct PeerNetwork::Dialler {
  Dialler(asio::io_context& io, std::string address_) : address(std::move(address_)), timer(io), resolver(io) {}
  std::string address;
  asio::steady_timer timer;
  tcp::resolver resolver;
  std::int64_t backoff_ms = 0;
  std::optional<PublicKey> known_key;  // who answered at this address last time
  bool waiting = false;                // for its timer (not dialling, not connected)
};

class PeerNetwork::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(PeerNetwork& network, tcp::socket socket, PeerId id, bool outbound, std::shared_ptr<Dialler> dialler)
      : network_(network), socket_(std::move(socket)), timer_(network.io_), dialler_(std::move(dialler)) {
    info.id = id;
    info.outbound = outbound;
    info.address = endpoint_text(socket_);
  }

  PeerInfo info;
  bool authenticated = false;  // the handshake verified
  bool announced = false;      // and it won the duplicate rule: the owner was told
  // The initiator's nonce: the shared tie-break when one side opened two connections.
  const Hash32& initiator_nonce() const { return info.outbound ? ours_.nonce : theirs_->nonce; }
  const std::shared_ptr<Dialler>& dialler() const { return dialler_; }
  const Hello& theirs() const { return *theirs_; }
  // The key of whoever opened the connection: the duplicate rule keeps the lower one.
  PublicKey initiator_key() const { return info.outbound ? ours_.node_key : theirs_->node_key; }

  void start() {
    ours_ = network_.ours_;
    ours_.nonce = random_bytes32();
    last_received_ = std::chrono::steady_clock::now();
    send(FrameType::hello, encode_hello(ours_));
    arm_timer(network_.options_.handshake_timeout_ms);
    read_more();
  }

  void send(FrameType type, const std::string& payload) { send_encoded(std::make_shared<const std::string>(encode_frame(type, payload))); }

  // Closes once the queue is written (at once when it is empty).
  void close_when_drained() {
    closing_ = true;
    if (!writing_) close("p2p.stopping", "the node is stopping");
  }

  void send_encoded(std::shared_ptr<const std::string> bytes) {
    if (closed_ || closing_) return;
    if (queued_bytes_ + bytes->size() > network_.options_.max_queued_bytes) {
      close("p2p.send_queue_full", "the peer reads too slowly");
      return;
    }
    queued_bytes_ += bytes->size();
    queue_.push_back(std::move(bytes));
    if (!writing_) write_next();
  }

  void close(const std::string& code, const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
    Json fields{{"peer", info.id}, {"address", info.address}, {"code", code}, {"reason", reason}};
    if (theirs_) fields["node_key"] = to_hex(theirs_->node_key);
    if (announced) log::info("p2p.disconnected", std::move(fields));
    else if (authenticated) log::info("p2p.duplicate_closed", std::move(fields));
    else log::info("p2p.handshake_failed", std::move(fields));
    network_.closed(*this);
  }

 private:
  void arm_timer(std::int64_t ms) {
    timer_.expires_after(Milliseconds(ms));
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
      if (!error) self->on_timer();
    });
  }

  void on_timer() {
    if (closed_) return;
    if (!authenticated) {
      close("p2p.handshake_timeout", "no handshake within " + std::to_string(network_.options_.handshake_timeout_ms) + " ms");
      return;
    }
    auto idle = std::chrono::steady_clock::now() - last_received_;
    if (idle > Milliseconds(network_.options_.idle_timeout_ms)) {
      close("p2p.idle", "nothing received for " + std::to_string(network_.options_.idle_timeout_ms) + " ms");
      return;
    }
    send(FrameType::ping, "");
    arm_timer(network_.options_.ping_interval_ms);
  }

  void read_more() {
    socket_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](const boost::system::error_code& error,
                                                                                std::size_t bytes) {
      if (self->closed_) return;
      if (error) {
        self->close(error == asio::error::eof ? "p2p.closed" : "p2p.read_failed", error.message());
        return;
      }
      self->network_.bytes_in_ += bytes;
      self->last_received_ = std::chrono::steady_clock::now();
      if (auto fed = self->decoder_.feed(std::string_view(self->buffer_.data(), bytes)); !fed) {
        self->close(fed.rejection().code, fed.rejection().message);
        return;
      }
      auto& ready = self->decoder_.ready();
      while (!ready.empty() && !self->closed_) {
        Frame frame = std::move(ready.front());
        ready.pop_front();
        self->handle(frame);
      }
      if (!self->closed_) self->read_more();
    });
  }

  void handle(Frame& frame) {
    if (!theirs_) {
      if (frame.type != FrameType::hello) return close("p2p.unexpected_frame", "the first frame must be HELLO");
      auto hello = decode_hello(frame.payload);
      if (!hello) return refuse(hello.rejection());
      if (auto checked = check_hello(ours_, *hello, network_.admitted_); !checked) return refuse(checked.rejection());
      theirs_ = std::move(*hello);
      info.node_key = theirs_->node_key;
      const Hello& initiator = info.outbound ? ours_ : *theirs_;
      const Hello& responder = info.outbound ? *theirs_ : ours_;
      auto signature = schnorr_sign(network_.key_, auth_digest(initiator, responder, info.outbound), random_bytes32());
      if (!signature) return close("p2p.sign_failed", "cannot sign AUTH");
      send(FrameType::auth, encode_auth(*signature));
      return;
    }
    if (!authenticated) {
      if (frame.type != FrameType::auth) return close("p2p.unexpected_frame", "the second frame must be AUTH");
      auto signature = decode_auth(frame.payload);
      if (!signature) return refuse(signature.rejection());
      const Hello& initiator = info.outbound ? ours_ : *theirs_;
      const Hello& responder = info.outbound ? *theirs_ : ours_;
      if (!schnorr_verify(*signature, auth_digest(initiator, responder, !info.outbound), theirs_->node_key)) {
        return refuse(reject("p2p.bad_auth", "the peer's AUTH signature does not verify"));
      }
      authenticated = true;
      info.role = theirs_->role;
      info.listen = theirs_->listen;
      info.height = theirs_->height;
      info.connected_at = network_.now_seconds_();
      arm_timer(network_.options_.ping_interval_ms);
      network_.authenticated(shared_from_this());
      return;
    }
    switch (frame.type) {
      case FrameType::ping: send(FrameType::pong, ""); return;
      case FrameType::pong: return;
      case FrameType::hello:
      case FrameType::auth: return close("p2p.unexpected_frame", "a handshake frame after the handshake");
      default:
        if (network_.events_.frame) network_.events_.frame(info.id, frame);
    }
  }

  void refuse(const Rejection& rejection) {
    ++network_.handshakes_refused_;
    close(rejection.code, rejection.message);
  }

  void write_next() {
    if (closed_ || queue_.empty()) {
      writing_ = false;
      if (closing_) close("p2p.stopping", "the node is stopping");
      return;
    }
    writing_ = true;
    asio::async_write(socket_, asio::buffer(*queue_.front()),
                      [self = shared_from_this()](const boost::system::error_code& error, std::size_t bytes) {
                        if (self->closed_) return;
                        if (error) return self->close("p2p.write_failed", error.message());
                        self->network_.bytes_out_ += bytes;
                        self->queued_bytes_ -= self->queue_.front()->size();
                        self->queue_.pop_front();
                        self->write_next();
                      });
  }

  PeerNetwork& network_;
  tcp::socket socket_;
  asio::steady_timer timer_;  // the handshake deadline, then the keep-alive
  std::shared_ptr<Dialler> dialler_;
  FrameDecoder decoder_;
  std::array<char, 64 * 1024> buffer_{};
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;  // drain_and_stop: close after the last queued write
  bool closed_ = false;
  Hello ours_;
  std::optional<Hello> theirs_;
  std::chrono::steady_clock::time_point last_received_;
};

PeerNetwork::PeerNetwork(asio::io_context& io, Hello ours, SecretKey key, std::function<bool(const PublicKey&)> admitted,
                         std::function<std::int64_t()> now_seconds, PeerNetworkOptions options, Events events)
    : io_(io),
      ours_(std::move(ours)),
      key_(key),
      admitted_(std::move(admitted)),
      now_seconds_(std::move(now_seconds)),
      options_(std::move(options)),
      events_(std::move(events)) {}

PeerNetwork::~PeerNetwork() = default;

void PeerNetwork::start() {
  if (!options_.listen_host.empty()) {
    listener_ = std::make_unique<Listener>(io_);
    boost::system::error_code error;
    tcp::endpoint endpoint(asio::ip::make_address(options_.listen_host, error), options_.listen_port);
    if (error) throw std::runtime_error("p2p_listen: bad address " + options_.listen_host);
    listener_->acceptor.open(endpoint.protocol(), error);
    if (!error) listener_->acceptor.set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) listener_->acceptor.bind(endpoint, error);
    if (!error) listener_->acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      throw std::runtime_error("p2p_listen: cannot listen on " + options_.listen_host + ":" +
                               std::to_string(options_.listen_port) + ": " + error.message());
    }
    bound_port_ = listener_->acceptor.local_endpoint().port();
    accept_next();
  }
  for (const auto& address : options_.peers) {
    auto dialler = std::make_shared<Dialler>(io_, address);
    diallers_.push_back(dialler);
    dial(dialler);
  }
}

void PeerNetwork::stop_accepting_and_dialling() {
  stopped_ = true;
  if (listener_) {
    boost::system::error_code ignored;
    listener_->acceptor.close(ignored);
    listener_->retry.cancel();
  }
  for (auto& dialler : diallers_) {
    dialler->timer.cancel();
    dialler->resolver.cancel();
  }
}

void PeerNetwork::stop() {
  if (stopped_) return;
  stop_accepting_and_dialling();
  auto open = connections_;
  for (auto& [id, connection] : open) connection->close("p2p.stopping", "the node is stopping");
}

void PeerNetwork::drain_and_stop(std::int64_t timeout_ms, std::function<void()> done) {
  if (stopped_) {
    done();
    return;
  }
  stop_accepting_and_dialling();
  drained_ = std::move(done);
  drain_deadline_ = std::make_unique<asio::steady_timer>(io_, Milliseconds(timeout_ms));
  drain_deadline_->async_wait([this](const boost::system::error_code&) {
    auto open = connections_;
    for (auto& [id, connection] : open) connection->close("p2p.stopping", "the node is stopping");
    if (drained_) std::exchange(drained_, nullptr)();
  });
  auto open = connections_;
  for (auto& [id, connection] : open) connection->close_when_drained();
  if (connections_.empty()) {
    drain_deadline_->cancel();  // its handler runs once, with operation_aborted, and calls done
  }
}

void PeerNetwork::accept_next() {
  listener_->acceptor.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
    if (stopped_) return;
    if (error) {
      // Out of file handles, say: wait a little rather than spin on the failing accept.
      listener_->retry.expires_after(Milliseconds(100));
      listener_->retry.async_wait([this](const boost::system::error_code& waited) {
        if (!waited && !stopped_) accept_next();
      });
      return;
    }
    if (connections_.size() >= options_.max_peers) {
      ++handshakes_refused_;
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      adopt(std::make_shared<Connection>(*this, std::move(socket), next_id_++, false, nullptr));
    }
    accept_next();
  });
}

void PeerNetwork::dial(std::shared_ptr<Dialler> dialler) {
  if (stopped_) return;
  // A peer we already reach (it dialled us, say) is not dialled a second time.
  if (dialler->known_key) {
    for (const auto& [id, connection] : connections_) {
      if (connection->announced && connection->info.node_key == *dialler->known_key) return redial_later(dialler);
    }
  }
  auto [host, port] = split_address(dialler->address);
  dialler->resolver.async_resolve(host, port, [this, dialler](const boost::system::error_code& error,
                                                               tcp::resolver::results_type endpoints) {
    if (stopped_) return;
    if (error) return redial_later(dialler);
    auto socket = std::make_shared<tcp::socket>(io_);
    asio::async_connect(*socket, endpoints, [this, dialler, socket](const boost::system::error_code& error, const tcp::endpoint&) {
      if (stopped_) return;
      if (error) return redial_later(dialler);
      dialler->backoff_ms = 0;
      adopt(std::make_shared<Connection>(*this, std::move(*socket), next_id_++, true, dialler));
    });
  });
}

void PeerNetwork::redial_later(std::shared_ptr<Dialler> dialler) {
  if (stopped_) return;
  dialler->backoff_ms = dialler->backoff_ms == 0 ? options_.dial_backoff_min_ms
                                                  : std::min(2 * dialler->backoff_ms, options_.dial_backoff_max_ms);
  dialler->waiting = true;
  dialler->timer.expires_after(Milliseconds(dialler->backoff_ms));  // cancels an earlier wait
  dialler->timer.async_wait([this, dialler](const boost::system::error_code& error) {
    if (error || stopped_) return;
    dialler->waiting = false;
    dial(dialler);
  });
}

void PeerNetwork::adopt(std::shared_ptr<Connection> connection) {
  connections_[connection->info.id] = connection;
  connection->start();
}

void PeerNetwork::authenticated(const std::shared_ptr<Connection>& connection) {
  if (const auto& dialler = connection->dialler()) dialler->known_key = connection->info.node_key;
  // Two connections to one peer (both dialled): both ends keep the one whose initiator has
  // the lower key, or the newer one when the same side opened both.
  for (const auto& [id, other] : connections_) {
    if (other == connection || !other->announced || other->info.node_key != connection->info.node_key) continue;
    // Both ends see the same two keys and nonces, so both drop the same connection.
    bool keep_new = connection->initiator_key() == other->initiator_key()
                        ? connection->initiator_nonce() < other->initiator_nonce()
                        : connection->initiator_key() < other->initiator_key();
    auto loser = keep_new ? other : connection;
    loser->close("p2p.duplicate", "a second connection to the same peer");
    if (!keep_new) return;
    break;
  }
  connection->announced = true;
  log::info("p2p.connected", {{"peer", connection->info.id},
                              {"address", connection->info.address},
                              {"direction", connection->info.outbound ? "outbound" : "inbound"},
                              {"node_key", to_hex(connection->info.node_key)},
                              {"role", connection->info.role},
                              {"height", connection->info.height}});
  publish();
  if (events_.connected) events_.connected(connection->info);
}

void PeerNetwork::closed(Connection& connection) {
  auto found = connections_.find(connection.info.id);
  if (found == connections_.end()) return;
  auto keep_alive = found->second;  // the connection outlives its removal from the map
  connections_.erase(found);
  if (stopped_ && connections_.empty() && drain_deadline_) drain_deadline_->cancel();  // drained: finish now
  if (connection.announced) {
    ++peers_dropped_;
    publish();
    if (events_.disconnected && !stopped_) events_.disconnected(connection.info.id);
  }
  if (stopped_) return;
  if (const auto& dialler = connection.dialler()) redial_later(dialler);
  // Diallers idling because this peer had reached us first dial it again soon.
  for (const auto& dialler : diallers_) {
    if (dialler->waiting && connection.announced && dialler->known_key == connection.info.node_key) {
      dialler->backoff_ms = 0;
      redial_later(dialler);
    }
  }
}

void PeerNetwork::send(PeerId peer, FrameType type, const std::string& payload) {
  auto found = connections_.find(peer);
  if (found != connections_.end() && found->second->announced) found->second->send(type, payload);
}

void PeerNetwork::broadcast(FrameType type, const std::string& payload, PeerId except) {
  std::shared_ptr<const std::string> bytes;
  auto open = connections_;  // a failed send closes a connection, which edits the map
  for (const auto& [id, connection] : open) {
    if (id == except || !connection->announced) continue;
    if (!bytes) bytes = std::make_shared<const std::string>(encode_frame(type, payload));
    connection->send_encoded(bytes);
  }
}

void PeerNetwork::disconnect(PeerId peer, const std::string& code, const std::string& reason) {
  auto found = connections_.find(peer);
  if (found != connections_.end()) found->second->close(code, reason);
}

void PeerNetwork::note_peer_height(PeerId peer, std::int64_t height) {
  auto found = connections_.find(peer);
  if (found == connections_.end() || found->second->info.height == height) return;
  found->second->info.height = height;
  publish();
}

void PeerNetwork::publish() {
  std::vector<PeerInfo> peers;
  for (const auto& [id, connection] : connections_) {
    if (connection->announced) peers.push_back(connection->info);
  }
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(peers);
}

std::vector<PeerInfo> PeerNetwork::peers() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

NetworkCounters PeerNetwork::counters() const {
  return NetworkCounters{bytes_in_.load(), bytes_out_.load(), handshakes_refused_.load(), peers_dropped_.load()};
}

}  // namespace flex::p2p
