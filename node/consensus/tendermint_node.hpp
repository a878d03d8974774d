// Consensus for flexnode: the ConsensusDriver over the node's Chain, run on a thread of its
// own by a Boost.Asio io_context, which also fires the consensus timers. Every call into the
// driver happens on that thread; other threads only post work to it.
//
// Until the peer-to-peer network lands, messages reach no other node, so only a chain whose
// sole validator is this node makes blocks (the n = 1 case of the same engine, one input
// cascading to a commit in microseconds).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include "node/chain.hpp"
#include "node/clock.hpp"
#include "node/consensus/chain_ledger.hpp"
#include "node/consensus/consensus.hpp"
#include "node/consensus/driver.hpp"

namespace flex::consensus {

struct TendermintNodeOptions {
  DriverOptions driver;
  // Called once, on the consensus thread, when a block cannot be committed (a local failure
  // such as a full disk); consensus has stopped by then.
  std::function<void(const std::string& reason)> on_failure = nullptr;
};

class TendermintNode final : public Consensus, private DriverHost {
 public:
  // A validator when `key` is in the chain's validator set; otherwise the node follows.
  TendermintNode(Chain& chain, std::optional<SecretKey> key, const Clock& clock, TendermintNodeOptions options);
  ~TendermintNode() override;

  void start() override;
  void stop() override;
  // Opens the start gate when a transaction is admitted (any thread).
  void notify_transaction();
  bool is_validator() const { return signer_ != nullptr; }

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

  Chain& chain_;
  const Clock& clock_;
  TendermintNodeOptions options_;
  ChainLedger ledger_;
  std::unique_ptr<KeySigner> signer_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<ConsensusDriver> driver_;
  std::atomic<bool> transaction_signal_pending_{false};
  std::atomic<bool> failed_{false};
  std::jthread thread_;
};

}  // namespace flex::consensus
