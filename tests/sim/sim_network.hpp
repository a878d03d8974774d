// The simulated network: what nodes send each other, and the fault model that decides
// whether, when and how often each send arrives. There is no FIFO between a pair of nodes,
// which is harsher than TCP: a delay spike reorders anything.
#pragma once

#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "node/consensus/messages.hpp"
#include "tests/sim/sim_ledger.hpp"
#include "tests/sim/sim_rng.hpp"

namespace flex::sim {

struct TransactionMessage {
  std::shared_ptr<const Transaction> transaction;
};
// A node's committed height, broadcast every second: peers that are ahead answer with blocks.
struct StatusMessage {
  std::int64_t height = 0;
};
// Committed blocks with their commits, in height order (block sync).
struct BlocksMessage {
  std::vector<StoredBlock> blocks;
};
using Message = std::variant<consensus::SignedProposal, consensus::SignedVote, TransactionMessage, StatusMessage,
                             BlocksMessage>;

struct NetworkFaults {
  std::uint64_t loss_permille = 0;
  std::uint64_t duplicate_permille = 0;
  std::int64_t min_delay_us = 1'000;
  std::int64_t max_delay_us = 20'000;
  std::uint64_t spike_permille = 50;      // a delay spike: slow links, retransmits, GC pauses
  std::int64_t max_spike_us = 1'500'000;  // the bound on delay after GST (Δ of partial synchrony)
};

class Network {
 public:
  Network(std::size_t nodes, NetworkFaults faults, Rng rng);

  // The delays of the copies of one send that arrive: none when it is lost or crosses a
  // partition, two when it is duplicated.
  std::vector<std::int64_t> deliveries(std::size_t from, std::size_t to);

  // Splits the nodes into two non-empty sides drawn at random; returns side of each node.
  const std::vector<std::uint8_t>& partition();
  void heal() { sides_.reset(); }
  bool partitioned() const { return sides_.has_value(); }
  void set_faults(NetworkFaults faults) { faults_ = faults; }
  const NetworkFaults& faults() const { return faults_; }

 private:
  std::int64_t delay_us();

  std::size_t nodes_;
  NetworkFaults faults_;
  Rng rng_;
  std::optional<std::vector<std::uint8_t>> sides_;
};

}  // namespace flex::sim
