// The single-validator engine: when transactions wait (or every empty_block_interval when
// none do), it proposes a block, signs the precommit and commits it. Its commit is the
// same format a BFT commit has, with one signature holding all the voting power.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "node/chain.hpp"
#include "node/clock.hpp"
#include "node/consensus/consensus.hpp"

namespace flex {

struct SoloValidatorOptions {
  // An empty block is made after this long without transactions; zero disables them.
  std::chrono::milliseconds empty_block_interval{5000};
  // Called once, on the producer thread, when a block cannot be committed (a local
  // failure such as a full disk); production has stopped by then.
  std::function<void(const std::string& reason)> on_failure = nullptr;
};

class SoloValidator final : public Consensus {
 public:
  // Throws std::runtime_error unless `key` is the only validator of the chain.
  SoloValidator(Chain& chain, SecretKey key, const Clock& clock, SoloValidatorOptions options);
  ~SoloValidator() override;

  void start() override;
  void stop() override;
  // Wakes the producer: called when a transaction is admitted.
  void notify_transaction();

 private:
  void run(std::stop_token stop);
  void produce_block();

  Chain& chain_;
  SecretKey key_;
  PublicKey public_key_{};
  const Clock& clock_;
  SoloValidatorOptions options_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool pending_ = false;
  std::jthread thread_;
};

}  // namespace flex
