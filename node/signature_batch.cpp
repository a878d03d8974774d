#include "node/signature_batch.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

namespace flex {

std::optional<std::size_t> first_bad_signature(const std::vector<Transaction>& transactions,
                                               unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  constexpr std::size_t min_per_thread = 16;  // below this, a thread costs more than it saves
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, transactions.size() / min_per_thread + 1));
  std::atomic<std::size_t> first_bad{transactions.size()};
  auto verify_range = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end && i < first_bad.load(); ++i) {
      if (!verify_transaction_signature(transactions[i])) {
        std::size_t expected = first_bad.load();
        while (i < expected && !first_bad.compare_exchange_weak(expected, i)) {}
        return;
      }
    }
  };
  std::vector<std::jthread> workers;
  std::size_t chunk = (transactions.size() + threads - 1) / threads;
  for (unsigned t = 1; t < threads; ++t) {
    workers.emplace_back(verify_range, t * chunk, std::min(transactions.size(), (t + 1) * chunk));
  }
  verify_range(0, std::min(transactions.size(), chunk));
  workers.clear();
  if (first_bad.load() == transactions.size()) return std::nullopt;
  return first_bad.load();
}

}  // namespace flex
