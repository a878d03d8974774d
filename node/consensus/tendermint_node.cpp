#include "node/consensus/tendermint_node.hpp"

#include <boost/asio/post.hpp>

#include "contracts/state_keys.hpp"
#include "ledger/hash.hpp"
#include "node/log.hpp"
#include "node/p2p/wire.hpp"

namespace flex::consensus {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::size_t kSeenCapacity = 200'000;
constexpr std::int64_t kTickMs = 500;
constexpr auto kStatusInterval = std::chrono::seconds(5);
constexpr auto kBlockRequestTimeout = std::chrono::seconds(10);
constexpr auto kSyncBench = std::chrono::seconds(60);
constexpr std::int64_t kStopDrainMs = 2000;  // at most this long to write queued frames on a clean stop
// A peer one height ahead is normal mid-commit; one that stays ahead this long is not.
constexpr auto kBehindGrace = std::chrono::seconds(2);

// The peer whose transaction this thread is submitting, so its relay skips that peer.
thread_local p2p::PeerId submitting_from = 0;

// An active participant or a genesis validator may connect (PROTOCOL.md §12).
bool admitted_to_network(const Chain& chain, const ValidatorSet& validators, const PublicKey& key) {
  if (validators.contains(key)) return true;
  auto record = chain.read_state([&](const State& state) { return state.get(keys::participant(key)); });
  if (!record) return false;
  auto json = Json::parse(*record, nullptr, false);
  return json.is_object() && json.value("status", "") == "active";
}

}  // namespace

TendermintNode::TendermintNode(Chain& chain, std::optional<SecretKey> key, const Clock& clock,
                               TendermintNodeOptions options)
    : chain_(chain), clock_(clock), options_(std::move(options)), ledger_(chain) {
  ValidatorSet validators(chain_.validators());
  std::optional<Resume> resume;
  if (key) {
    auto public_key = derive_public_key(*key);
    if (!public_key) throw std::invalid_argument("the node key is not a valid secret key");
    if (validators.contains(*public_key)) {
      if (options_.privval_path.empty()) {
        signer_ = std::make_unique<KeySigner>(*key);
      } else {
        privval_store_ = SqlitePrivvalStore::open(options_.privval_path, chain_.genesis().chain_id, *public_key);
        auto privval = std::make_unique<PrivValidator>(*key, *privval_store_, chain_.genesis().chain_id);
        resume = privval->resume(chain_.status().height);
        signer_ = std::move(privval);
      }
    }
  }
  ledger_.max_clock_ahead_seconds = options_.driver.max_clock_ahead_seconds;
  if (options_.network) {
    if (!key) throw std::invalid_argument("a node on the network needs a key for its handshake");
    ChainStatus status = chain_.status();
    p2p::Hello hello;
    hello.chain_id = status.chain_id;
    hello.genesis_hash = status.genesis_hash;
    hello.height = status.height;
    hello.listen = options_.network->listen_host.empty()
                       ? ""
                       : options_.network->listen_host + ":" + std::to_string(options_.network->listen_port);
    hello.node_key = *derive_public_key(*key);
    hello.role = signer_ ? "validator" : "full";
    p2p::PeerNetwork::Events events;
    events.connected = [this](const p2p::PeerInfo& peer) { guarded([&] { on_peer_connected(peer); }); };
    events.disconnected = [this](p2p::PeerId peer) { guarded([&] { on_peer_disconnected(peer); }); };
    events.frame = [this](p2p::PeerId peer, p2p::Frame& frame) { guarded([&] { on_frame(peer, frame); }); };
    network_ = std::make_unique<p2p::PeerNetwork>(
        io_, std::move(hello), *key,
        [this, validators](const PublicKey& peer) { return admitted_to_network(chain_, validators, peer); },
        [this] { return clock_.now_seconds(); }, *options_.network, std::move(events));
  }
  driver_ = std::make_unique<ConsensusDriver>(ledger_, std::move(validators), signer_.get(),
                                              static_cast<DriverHost&>(*this), options_.driver, nullptr,
                                              std::move(resume));
  published_.validator = signer_ != nullptr;
}

TendermintNode::~TendermintNode() { stop(); }

void TendermintNode::guarded(const std::function<void()>& work) {
  if (failed_) return;
  try {
    work();
    publish_state();
  } catch (const std::exception& error) {
    // A local failure (disk full, I/O error): the block was not committed; stop here, as a
    // validator that cannot store what it decides must not go on voting.
    failed_ = true;
    log::error("block.commit_failed", {{"reason", error.what()}});
    if (network_) network_->stop();
    work_.reset();
    io_.stop();
    if (options_.on_failure) options_.on_failure(error.what());
  }
}

void TendermintNode::run_on_thread(std::function<void()> work) {
  boost::asio::post(io_, [this, work = std::move(work)] { guarded(work); });
}

void TendermintNode::start() {
  if (network_) network_->start();  // binds now, so a taken port fails the start
  work_.emplace(io_.get_executor());
  run_on_thread([this] {
    driver_->start();
    if (network_) {
      tick_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
      tick();
    }
  });
  thread_ = std::jthread([this] { io_.run(); });
}

void TendermintNode::stop() {
  if (!thread_.joinable()) return;
  // The cascade in progress (up to a commit) finishes first: handlers are never interrupted.
  boost::asio::post(io_, [this] {
    if (tick_timer_) tick_timer_->cancel();
    auto finish = [this] {
      work_.reset();
      io_.stop();
    };
    if (!network_) return finish();
    // Transactions acknowledged just before the stop still go out: flushed, then written.
    guarded([this] { flush_transactions(); });
    network_->drain_and_stop(kStopDrainMs, finish);
  });
  thread_.join();
}

void TendermintNode::notify_transaction() {
  // One wake-up in flight is enough: the driver looks at the whole mempool when it runs.
  if (transaction_signal_pending_.exchange(true)) return;
  run_on_thread([this] {
    transaction_signal_pending_ = false;
    driver_->on_transactions();
  });
}

void TendermintNode::on_admitted(std::string_view canonical) {
  notify_transaction();
  if (!network_) return;
  bool post = false;
  {
    std::lock_guard lock(outgoing_mutex_);
    outgoing_transactions_.emplace_back(submitting_from, std::string(canonical));
    post = !std::exchange(flush_posted_, true);
  }
  if (post) run_on_thread([this] { flush_transactions(); });
}

void TendermintNode::flush_transactions() {
  std::vector<std::pair<p2p::PeerId, std::string>> pending;
  {
    std::lock_guard lock(outgoing_mutex_);
    pending.swap(outgoing_transactions_);
    flush_posted_ = false;
  }
  // One batch per origin, each sent to every peer but the one it came from.
  struct Batch {
    std::vector<std::string> transactions;
    std::size_t bytes = 4;
  };
  std::map<p2p::PeerId, Batch> by_origin;
  const std::size_t cap = p2p::max_payload_bytes(p2p::FrameType::transactions);
  auto send = [&](p2p::PeerId origin, Batch& batch) {
    if (!batch.transactions.empty()) {
      network_->broadcast(p2p::FrameType::transactions, p2p::encode_transactions(batch.transactions), origin);
    }
    batch = Batch{};
  };
  for (auto& [origin, bytes] : pending) {
    remember_seen(sha256(bytes));
    Batch& batch = by_origin[origin];
    if (batch.transactions.size() == p2p::kMaxTransactionsPerFrame || batch.bytes + 4 + bytes.size() > cap) send(origin, batch);
    batch.bytes += 4 + bytes.size();
    batch.transactions.push_back(std::move(bytes));
  }
  for (auto& [origin, batch] : by_origin) send(origin, batch);
}

void TendermintNode::broadcast(const SignedProposal& proposal) {
  if (!network_) return;
  std::string payload = p2p::encode_proposal(proposal);
  remember_seen(sha256(payload));  // relayed back to us, it is dropped unread
  network_->broadcast(p2p::FrameType::proposal, payload);
}

void TendermintNode::broadcast(const SignedVote& vote) {
  if (!network_) return;
  std::string payload = p2p::encode_vote(vote);
  remember_seen(sha256(payload));
  network_->broadcast(p2p::FrameType::vote, payload);
}

void TendermintNode::schedule(const DriverTimer& timer, std::int64_t delay_ms) {
  auto steady = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(delay_ms));
  steady->async_wait([this, steady, timer](const boost::system::error_code& error) {
    if (!error) guarded([this, &timer] { driver_->on_timer(timer); });
  });
}

void TendermintNode::committed(const Block& block, const Commit& commit) {
  log::info("block.committed", {{"height", commit.height},
                                {"round", commit.round},
                                {"transactions", block.transactions.size()},
                                {"hash", to_hex(commit.block_hash)}});
  if (network_) {
    network_->set_height(commit.height);
    network_->broadcast(p2p::FrameType::status, p2p::encode_status(commit.height));
    last_status_sent_ = SteadyClock::now();
  }
}

void TendermintNode::equivocation(const SignedVote& first, const SignedVote& second) {
  log::warn("consensus.equivocation", {{"validator", to_hex(first.validator)},
                                       {"height", first.height},
                                       {"round", first.round},
                                       {"type", std::string(vote_type_name(first.type))}});
  if (options_.on_equivocation) options_.on_equivocation(first, second);
}

void TendermintNode::remember_seen(const Hash32& digest) {
  if (!seen_.insert(digest).second) return;
  seen_order_.push_back(digest);
  if (seen_order_.size() > kSeenCapacity) {
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
}

void TendermintNode::on_peer_connected(const p2p::PeerInfo& peer) {
  peer_heights_[peer.id] = peer.height;
  network_->send(peer.id, p2p::FrameType::status, p2p::encode_status(chain_.status().height));
  maybe_request_blocks();
}

void TendermintNode::on_peer_disconnected(p2p::PeerId peer) {
  peer_heights_.erase(peer);
  sync_benched_until_.erase(peer);
  if (block_request_ && block_request_->peer == peer) {
    block_request_.reset();
    maybe_request_blocks();
  }
}

void TendermintNode::on_frame(p2p::PeerId peer, p2p::Frame& frame) {
  using p2p::FrameType;
  auto drop_peer = [&](const Rejection& rejection) { network_->disconnect(peer, rejection.code, rejection.message); };
  switch (frame.type) {
    case FrameType::transactions:
      on_transactions_frame(peer, frame.payload);
      return;
    case FrameType::proposal:
    case FrameType::vote: {
      Hash32 digest = sha256(frame.payload);
      if (seen_before(digest)) return;
      Status accepted = ok_status();
      if (frame.type == FrameType::proposal) {
        auto proposal = p2p::decode_proposal(frame.payload);
        if (!proposal) return drop_peer(proposal.rejection());
        accepted = driver_->on_proposal(*proposal);
      } else {
        auto vote = p2p::decode_vote(frame.payload);
        if (!vote) return drop_peer(vote.rejection());
        accepted = driver_->on_vote(*vote);
      }
      if (!accepted) {
        // Stale or early messages are normal under gossip; forged ones mean a faulty peer.
        const std::string& code = accepted.rejection().code;
        if (code == "consensus.bad_signature" || code == "consensus.malformed" || code == "consensus.bad_block_id") {
          return drop_peer(accepted.rejection());
        }
        return;
      }
      remember_seen(digest);
      network_->broadcast(frame.type, frame.payload, peer);  // relayed once, never back to its sender
      return;
    }
    case FrameType::status: {
      auto height = p2p::decode_status(frame.payload);
      if (!height) return drop_peer(height.rejection());
      peer_heights_[peer] = *height;
      network_->note_peer_height(peer, *height);
      maybe_request_blocks();
      return;
    }
    case FrameType::get_blocks:
      serve_blocks(peer, frame.payload);
      return;
    case FrameType::blocks:
      on_blocks_frame(peer, frame.payload);
      return;
    case FrameType::evidence:
    case FrameType::round_step:
      return;  // not sent by this version; evidence travels as a transaction
    default:
      return drop_peer(reject("p2p.unexpected_frame", "an unexpected frame type"));
  }
}

void TendermintNode::on_transactions_frame(p2p::PeerId peer, const std::string& payload) {
  auto transactions = p2p::decode_transactions(payload);
  if (!transactions) return network_->disconnect(peer, transactions.rejection().code, transactions.rejection().message);
  submitting_from = peer;
  for (const auto& bytes : *transactions) {
    Hash32 digest = sha256(bytes);
    if (seen_before(digest)) continue;
    remember_seen(digest);
    // Rejections are normal here (a nonce the chain has just passed, a full mempool); the
    // chain relays only what it admits, through on_admitted.
    (void)chain_.submit(bytes);
  }
  submitting_from = 0;
}

void TendermintNode::serve_blocks(p2p::PeerId peer, const std::string& payload) {
  auto request = p2p::decode_get_blocks(payload);
  if (!request) return network_->disconnect(peer, request.rejection().code, request.rejection().message);
  std::vector<p2p::CommittedBlock> blocks;
  std::int64_t last = std::min(request->from + request->count - 1, chain_.status().height);
  for (std::int64_t height = request->from; height <= last; ++height) {
    auto block = ledger_.committed_block(height);
    if (!block) break;
    blocks.push_back(std::move(*block));
  }
  if (blocks.empty()) return;  // nothing to give: the requester times out and asks another peer
  network_->send(peer, p2p::FrameType::blocks, p2p::encode_blocks(blocks).first);
}

void TendermintNode::on_blocks_frame(p2p::PeerId peer, const std::string& payload) {
  if (!block_request_ || block_request_->peer != peer) return;  // unasked, or late after a timeout
  block_request_.reset();
  auto blocks = p2p::decode_blocks(payload);
  if (!blocks) return network_->disconnect(peer, blocks.rejection().code, blocks.rejection().message);
  for (const auto& [block, commit] : *blocks) {
    if (block.header.height <= chain_.status().height) continue;  // decided meanwhile by consensus
    if (auto applied = driver_->on_committed_block(block, commit); !applied) {
      log::warn("sync.block_refused", {{"peer", peer},
                                       {"height", block.header.height},
                                       {"code", applied.rejection().code},
                                       {"reason", applied.rejection().message}});
      return network_->disconnect(peer, applied.rejection().code, applied.rejection().message);
    }
  }
  log::info("sync.applied", {{"peer", peer}, {"height", chain_.status().height}});
  maybe_request_blocks();
}

void TendermintNode::maybe_request_blocks() {
  if (!network_ || block_request_) return;
  const std::int64_t height = chain_.status().height;
  p2p::PeerId best = 0;
  std::int64_t best_height = height;
  auto now = SteadyClock::now();
  for (const auto& [peer, peer_height] : peer_heights_) {
    if (auto benched = sync_benched_until_.find(peer); benched != sync_benched_until_.end() && now < benched->second) continue;
    if (peer_height > best_height) {
      best = peer;
      best_height = peer_height;
    }
  }
  if (best == 0) {
    behind_since_.reset();
    return;
  }
  if (!behind_since_) behind_since_ = now;
  if (best_height == height + 1 && now - *behind_since_ < kBehindGrace) return;
  std::int64_t count = std::min<std::int64_t>(p2p::kMaxBlocksPerRequest, best_height - height);
  block_request_ = BlockRequestInFlight{best, height + 1, now + kBlockRequestTimeout};
  network_->send(best, p2p::FrameType::get_blocks, p2p::encode_get_blocks({height + 1, count}));
}

void TendermintNode::tick() {
  auto now = SteadyClock::now();
  if (now - last_status_sent_ >= kStatusInterval) {
    network_->broadcast(p2p::FrameType::status, p2p::encode_status(chain_.status().height));
    last_status_sent_ = now;
  }
  if (block_request_ && now > block_request_->deadline) {
    log::warn("sync.request_timeout", {{"peer", block_request_->peer}, {"from", block_request_->from}});
    sync_benched_until_[block_request_->peer] = now + kSyncBench;  // ask someone else meanwhile
    block_request_.reset();
  }
  maybe_request_blocks();
  tick_timer_->expires_after(std::chrono::milliseconds(kTickMs));
  tick_timer_->async_wait([this](const boost::system::error_code& error) {
    if (!error) guarded([this] { tick(); });
  });
}

void TendermintNode::publish_state() {
  RoundState state = driver_->state();
  std::int64_t target = chain_.status().height;
  for (const auto& [peer, height] : peer_heights_) target = std::max(target, height);
  std::lock_guard lock(state_mutex_);
  published_.consensus_height = state.height;
  published_.round = state.round;
  published_.step = state.step;
  published_.target_height = target;
  published_.catching_up = block_request_.has_value();
}

NodeNetworkStatus TendermintNode::network_status() const {
  NodeNetworkStatus status;
  {
    std::lock_guard lock(state_mutex_);
    status = published_;
  }
  if (network_) {
    status.peers = network_->peers();
    status.network = network_->counters();
    status.p2p_port = network_->bound_port();
  }
  return status;
}

Json network_status_json(const NodeNetworkStatus& status, std::int64_t committed_height) {
  Json peers = Json::array();
  for (const auto& peer : status.peers) {
    peers.push_back(Json{{"address", peer.address},
                         {"connected_at", peer.connected_at},
                         {"direction", peer.outbound ? "outbound" : "inbound"},
                         {"height", peer.height},
                         {"listen", peer.listen},
                         {"public_key", to_hex(peer.node_key)},
                         {"validator", peer.role == "validator"}});
  }
  std::int64_t target = std::max(status.target_height, committed_height);
  return Json{{"validator", status.validator},
              {"peers", std::move(peers)},
              {"sync", {{"catching_up", status.catching_up || target > committed_height + 1}, {"height", committed_height}, {"target_height", target}}},
              {"consensus", {{"height", status.consensus_height},
                             {"round", status.round},
                             {"step", std::string(step_name(status.step))},
                             {"role", status.validator ? "validator" : "full"}}},
              {"p2p", {{"bytes_in", status.network.bytes_in}, {"bytes_out", status.network.bytes_out}, {"port", status.p2p_port}}}};
}

}  // namespace flex::consensus
