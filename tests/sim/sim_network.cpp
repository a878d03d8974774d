#include "tests/sim/sim_network.hpp"

namespace flex::sim {

Network::Network(std::size_t nodes, NetworkFaults faults, Rng rng) : nodes_(nodes), faults_(faults), rng_(rng) {}

std::int64_t Network::delay_us() {
  if (rng_.chance_permille(faults_.spike_permille)) return rng_.between(faults_.max_delay_us, faults_.max_spike_us);
  return rng_.between(faults_.min_delay_us, faults_.max_delay_us);
}

std::vector<std::int64_t> Network::deliveries(std::size_t from, std::size_t to) {
  std::vector<std::int64_t> delays;
  if (sides_ && (*sides_)[from] != (*sides_)[to]) return delays;
  if (rng_.chance_permille(faults_.loss_permille)) return delays;
  delays.push_back(delay_us());
  if (rng_.chance_permille(faults_.duplicate_permille)) delays.push_back(delay_us());
  return delays;
}

const std::vector<std::uint8_t>& Network::partition() {
  std::vector<std::uint8_t> sides(nodes_);
  for (auto& side : sides) side = static_cast<std::uint8_t>(rng_.below(2));
  bool mixed = false;
  for (auto side : sides) mixed = mixed || side != sides[0];
  if (!mixed) sides[rng_.below(nodes_)] ^= 1;  // both sides must hold a node
  sides_ = std::move(sides);
  return *sides_;
}

}  // namespace flex::sim
