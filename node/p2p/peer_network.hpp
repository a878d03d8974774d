// Peer connections over TCP (PROTOCOL.md §12): listening, dialling the configured peers with
// backoff, the signed HELLO/AUTH handshake, framing, keep-alive and bounded send queues.
// What the frames mean (gossip, block sync) is the owner's business: it gets each frame of
// an authenticated peer through Events.
//
// Single-threaded: everything runs on the io_context the owner passes (flexnode's consensus
// thread), and every method except peers() must be called from that thread.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "node/p2p/frame.hpp"
#include "node/p2p/handshake.hpp"

namespace flex::p2p {

using PeerId = std::uint64_t;  // a connection, numbered from 1; 0 is "no peer"

struct PeerNetworkOptions {
  std::string listen_host;  // empty: accept no connections (dial only)
  std::uint16_t listen_port = 0;
  std::vector<std::string> peers;  // "host:port" to dial and keep dialled
  std::size_t max_peers = 50;
  std::int64_t handshake_timeout_ms = 5000;
  std::int64_t ping_interval_ms = 10000;
  std::int64_t idle_timeout_ms = 30000;  // nothing received for this long closes
  std::int64_t dial_backoff_min_ms = 1000, dial_backoff_max_ms = 30000;
  std::size_t max_queued_bytes = 64u << 20;  // per peer; over it the peer is dropped
};

struct PeerInfo {
  PeerId id = 0;
  std::string address;  // the remote endpoint
  bool outbound = false;
  PublicKey node_key{};
  std::string role;    // "validator" or "full", from its HELLO
  std::string listen;  // where it accepts peers, from its HELLO
  std::int64_t height = 0;  // its committed height, from HELLO and STATUS
  std::int64_t connected_at = 0;  // UTC seconds
};

struct NetworkCounters {
  std::uint64_t bytes_in = 0, bytes_out = 0;
  std::uint64_t handshakes_refused = 0, peers_dropped = 0;
};

class PeerNetwork {
 public:
  struct Events {
    std::function<void(const PeerInfo&)> connected;
    std::function<void(PeerId)> disconnected;
    // A frame other than the handshake and keep-alive ones, from an authenticated peer.
    std::function<void(PeerId, Frame&)> frame;
  };

  // `ours` is this node's HELLO (its nonce is replaced per connection); `key` signs AUTH;
  // `admitted` says which keys may connect; `now_seconds` stamps connections.
  PeerNetwork(boost::asio::io_context& io, Hello ours, SecretKey key,
              std::function<bool(const PublicKey&)> admitted, std::function<std::int64_t()> now_seconds,
              PeerNetworkOptions options, Events events);
  ~PeerNetwork();

  // Binds the listener (throws std::runtime_error if it cannot) and starts dialling.
  void start();
  // Closes every connection and stops dialling; later calls do nothing.
  void stop();
  // Stops accepting and dialling, lets each connection write what it has queued (so a
  // transaction acknowledged just before a clean shutdown still reaches the peers), then
  // stops; calls `done` once everything is closed or after `timeout_ms`.
  void drain_and_stop(std::int64_t timeout_ms, std::function<void()> done);
  std::uint16_t bound_port() const { return bound_port_; }

  void send(PeerId peer, FrameType type, const std::string& payload);
  void broadcast(FrameType type, const std::string& payload, PeerId except = 0);
  void disconnect(PeerId peer, const std::string& code, const std::string& reason);
  // The height this node reports in new HELLOs.
  void set_height(std::int64_t height) { ours_.height = height; }
  void note_peer_height(PeerId peer, std::int64_t height);

  // Authenticated peers, by id; safe from any thread.
  std::vector<PeerInfo> peers() const;
  NetworkCounters counters() const;

 private:
  class Connection;
  struct Dialler;
  friend class Connection;

  void stop_accepting_and_dialling();
  void accept_next();
  void dial(std::shared_ptr<Dialler> dialler);
  void redial_later(std::shared_ptr<Dialler> dialler);
  void adopt(std::shared_ptr<Connection> connection);  // a socket is connected: start the handshake
  void authenticated(const std::shared_ptr<Connection>& connection);
  void closed(Connection& connection);
  void publish();  // refreshes the snapshot peers() returns

  boost::asio::io_context& io_;
  Hello ours_;
  SecretKey key_;
  std::function<bool(const PublicKey&)> admitted_;
  std::function<std::int64_t()> now_seconds_;
  PeerNetworkOptions options_;
  Events events_;
  struct Listener;
  std::unique_ptr<Listener> listener_;
  std::uint16_t bound_port_ = 0;
  bool stopped_ = false;
  std::function<void()> drained_;  // drain_and_stop's `done`, until called
  std::unique_ptr<boost::asio::steady_timer> drain_deadline_;
  PeerId next_id_ = 1;
  std::map<PeerId, std::shared_ptr<Connection>> connections_;  // handshaking and authenticated
  std::vector<std::shared_ptr<Dialler>> diallers_;
  std::atomic<std::uint64_t> bytes_in_{0}, bytes_out_{0}, handshakes_refused_{0}, peers_dropped_{0};

  mutable std::mutex snapshot_mutex_;
  std::vector<PeerInfo> snapshot_;
};

}  // namespace flex::p2p
