#include "node/consensus/tendermint_node.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "node/log.hpp"

namespace flex::consensus {

TendermintNode::TendermintNode(Chain& chain, std::optional<SecretKey> key, const Clock& clock,
                               TendermintNodeOptions options)
    : chain_(chain), clock_(clock), options_(std::move(options)), ledger_(chain) {
  ValidatorSet validators(chain_.validators());
  if (key) {
    auto signer = std::make_unique<KeySigner>(*key);
    if (validators.contains(signer->public_key())) signer_ = std::move(signer);
  }
  ledger_.max_clock_ahead_seconds = options_.driver.max_clock_ahead_seconds;
  driver_ = std::make_unique<ConsensusDriver>(ledger_, std::move(validators), signer_.get(),
                                              static_cast<DriverHost&>(*this), options_.driver);
}

TendermintNode::~TendermintNode() { stop(); }

void TendermintNode::guarded(const std::function<void()>& work) {
  if (failed_) return;
  try {
    work();
  } catch (const std::exception& error) {
    // A local failure (disk full, I/O error): the block was not committed; stop here, as a
    // validator that cannot store what it decides must not go on voting.
    failed_ = true;
    log::error("block.commit_failed", {{"reason", error.what()}});
    work_.reset();
    io_.stop();
    if (options_.on_failure) options_.on_failure(error.what());
  }
}

void TendermintNode::run_on_thread(std::function<void()> work) {
  boost::asio::post(io_, [this, work = std::move(work)] { guarded(work); });
}

void TendermintNode::start() {
  work_.emplace(io_.get_executor());
  run_on_thread([this] { driver_->start(); });
  thread_ = std::jthread([this] { io_.run(); });
}

void TendermintNode::stop() {
  if (!thread_.joinable()) return;
  // The cascade in progress (up to a commit) finishes first: handlers are never interrupted.
  work_.reset();
  io_.stop();
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

void TendermintNode::broadcast(const SignedProposal&) {}  // no peers yet: the p2p increment sends these

void TendermintNode::broadcast(const SignedVote&) {}

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
}

void TendermintNode::equivocation(const SignedVote& first, const SignedVote& second) {
  log::warn("consensus.equivocation", {{"validator", to_hex(first.validator)},
                                       {"height", first.height},
                                       {"round", first.round},
                                       {"type", std::string(vote_type_name(first.type))},
                                       {"second_height", second.height}});
}

}  // namespace flex::consensus
