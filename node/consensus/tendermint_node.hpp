// Consensus for flexnode: the ConsensusDriver over the node's Chain, and the peer network
// that carries its messages, all run on one thread by a Boost.Asio io_context, which also
// fires the consensus timers. Every call into the driver happens on that thread; other
// threads only post work to it.
//
// Over the network (PROTOCOL.md §12) it gossips what passed its checks: transactions the
// chain admitted, and proposals and votes the driver accepted, each relayed once (a seen set
// drops repeats before they are decoded). It reports its committed height in STATUS frames
// and catches up from peers that are ahead (block sync): GET_BLOCKS from one peer at a time,
// every block's commit verified against the validator set and the block executed again
// before it is stored.
//
// A node whose key is in the validator set signs through PrivValidator (double-sign
// protection in consensus.sqlite) when a privval path is given; any other node follows.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "node/chain.hpp"
#include "node/clock.hpp"
#include "node/consensus/chain_ledger.hpp"
#include "node/consensus/consensus.hpp"
#include "node/consensus/driver.hpp"
#include "node/consensus/privval.hpp"
#include "node/p2p/peer_network.hpp"

namespace flex::consensus {

struct TendermintNodeOptions {
  DriverOptions driver;
  // Called once, on the consensus thread, when a block cannot be committed (a local failure
  // such as a full disk); consensus has stopped by then.
  std::function<void(const std::string& reason)> on_failure = nullptr;
  // The validator's double-sign record (consensus.sqlite); empty: none (single-validator
  // tests and benchmarks, which never restart mid-height).
  std::string privval_path;
  // The peer network; nullopt: none (a lone validator).
  std::optional<p2p::PeerNetworkOptions> network;
  // Two conflicting votes of one validator were seen (on the consensus thread); flexnode
  // reports them as an evidence.duplicate_vote transaction.
  std::function<void(const SignedVote& first, const SignedVote& second)> on_equivocation = nullptr;
};

// What /api/v1/status shows of consensus and the network.
struct NodeNetworkStatus {
  bool validator = false;
  std::int64_t consensus_height = 0, round = -1;
  Step step = Step::propose;
  std::vector<p2p::PeerInfo> peers;
  std::int64_t target_height = 0;  // the highest height a peer reported
  bool catching_up = false;  // a block request is in flight
  p2p::NetworkCounters network;
  std::uint16_t p2p_port = 0;
};

// The JSON /api/v1/status and /metrics show (API.md): {"validator","peers","sync","consensus","p2p"}.
Json network_status_json(const NodeNetworkStatus& status, std::int64_t committed_height);

class TendermintNode final : public Consensus, private DriverHost {
 public:
  // A validator when `key` is in the chain's validator set; otherwise the node follows.
  TendermintNode(Chain& chain, std::optional<SecretKey> key, const Clock& clock, TendermintNodeOptions options);
  ~TendermintNode() override;

  // Binds the p2p listener (throws std::runtime_error if it cannot) and starts the thread.
  void start() override;
  void stop() override;
  // Opens the start gate when a transaction is admitted (any thread).
  void notify_transaction();
  // A transaction the chain admitted (any thread): opens the start gate and gossips it.
  void on_admitted(std::string_view canonical);
  bool is_validator() const { return signer_ != nullptr; }
  NodeNetworkStatus network_status() const;

 private:
  // DriverHost, on the consensus thread.
  void broadcast(const SignedProposal& proposal) override;
  void broadcast(const SignedVote& vote) override;
  void schedule(const DriverTimer& timer, std::int64_t delay_ms) override;
  std::int64_t now_seconds() const override { return clock_.now_seconds(); }
  void committed(const Block& block, const Commit& commit) override;
  void equivocation(const SignedVote& first, const SignedVote& second) override;

  void run_on_thread(std::function<void()> work);  // posts `work` to the consensus thread
  void guarded(const std::function<void()>& work);  // runs `work`, stopping consensus if it throws
  void publish_state();

  // Gossip and sync, on the consensus thread.
  void on_peer_connected(const p2p::PeerInfo& peer);
  void on_peer_disconnected(p2p::PeerId peer);
  void on_frame(p2p::PeerId peer, p2p::Frame& frame);
  void on_transactions_frame(p2p::PeerId peer, const std::string& payload);
  void on_blocks_frame(p2p::PeerId peer, const std::string& payload);
  void serve_blocks(p2p::PeerId peer, const std::string& payload);
  void flush_transactions();
  void maybe_request_blocks();
  void tick();  // every 500 ms: STATUS every 5 s, sync deadlines
  bool seen_before(const Hash32& digest) const { return seen_.count(digest) > 0; }
  void remember_seen(const Hash32& digest);

  Chain& chain_;
  const Clock& clock_;
  TendermintNodeOptions options_;
  ChainLedger ledger_;
  std::unique_ptr<PrivvalStore> privval_store_;
  std::unique_ptr<VoteSigner> signer_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<ConsensusDriver> driver_;
  std::unique_ptr<p2p::PeerNetwork> network_;
  std::atomic<bool> transaction_signal_pending_{false};
  std::atomic<bool> failed_{false};

  // Transactions admitted since the last flush, with the peer each came from (0: local).
  std::mutex outgoing_mutex_;
  std::vector<std::pair<p2p::PeerId, std::string>> outgoing_transactions_;
  bool flush_posted_ = false;

  // Consensus thread only.
  std::set<Hash32> seen_;
  std::deque<Hash32> seen_order_;
  std::map<p2p::PeerId, std::int64_t> peer_heights_;
  struct BlockRequestInFlight {
    p2p::PeerId peer = 0;
    std::int64_t from = 0;
    std::chrono::steady_clock::time_point deadline;
  };
  std::optional<BlockRequestInFlight> block_request_;
  // Peers that left a block request unanswered are not asked again until then, so a peer
  // that claims a height it cannot serve does not hold sync up.
  std::map<p2p::PeerId, std::chrono::steady_clock::time_point> sync_benched_until_;
  std::optional<std::chrono::steady_clock::time_point> behind_since_;
  std::chrono::steady_clock::time_point last_status_sent_{};
  std::unique_ptr<boost::asio::steady_timer> tick_timer_;

  mutable std::mutex state_mutex_;  // guards published_
  NodeNetworkStatus published_;
  std::jthread thread_;
};

}  // namespace flex::consensus
