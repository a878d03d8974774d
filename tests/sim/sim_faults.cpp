// Faults: crashes and restarts (with the silent-after-restart rule, see sim_world.hpp),
// stops and resumptions, partitions, GST, and the f+1 scenario that stops two of four
// validators.
#include <algorithm>

#include "tests/sim/sim_world.hpp"

namespace flex::sim {

void World::start_f_plus_one_scenario() {
  NetworkFaults steady;
  steady.spike_permille = 0;  // no spikes: "no new height" must not be a slow message
  network_->set_faults(steady);
  trace("world seed " + std::to_string(options_.seed) + ": f+1 faulty, " + configuration_);
  for (auto& node : nodes_) {
    start_driver(*node);
    at(rng_.between(0, kStatusIntervalUs), [this, &node = *node, epoch = node->epoch] { status_tick(node, epoch); });
  }
  std::int64_t stop_at = rng_.between(5, 15) * kSecond;
  std::size_t first = rng_.below(powers_.size());
  std::size_t second = (first + 1 + rng_.below(powers_.size() - 1)) % powers_.size();
  at(stop_at, [this, first, second] {
    pause(*nodes_[first]);
    pause(*nodes_[second]);
  });
  // Messages already sent arrive within the 20 ms delay bound; give them 2 s, then freeze.
  at(stop_at + 2 * kSecond, [this] {
    stalled_height_ = properties_->decided().empty() ? 0 : properties_->decided().rbegin()->first;
    trace("stalled at height " + std::to_string(stalled_height_));
  });
  at(stop_at + 62 * kSecond, [this, first] {
    std::int64_t decided = properties_->decided().empty() ? 0 : properties_->decided().rbegin()->first;
    if (decided != stalled_height_) {
      fail(Failure{"f+1 stop", decided,
                   "height " + std::to_string(decided) + " was decided with 2 of 4 validators stopped (stalled at " +
                       std::to_string(stalled_height_) + ")"});
      return;
    }
    resume(*nodes_[first]);
    liveness_tick(now_us_ + kLivenessWindowUs, stalled_height_ + 3);
  });
}

bool World::may_crash(const SimNode& node) const {
  if (node.role != Role::validator) return true;  // an observer, or the Byzantine (already faulty)
  if (validator_set_->size() == 1) return true;   // n = 1: each height is one atomic cascade
  std::int64_t faulty = node.power;
  for (const auto& other : nodes_) {
    if (other.get() == &node || other->role == Role::observer) continue;
    bool silent = other->signer_disk.silent_through_height > other->ledger->height();
    if (other->role == Role::byzantine || !other->up() || silent) faulty += other->power;
  }
  return !validator_set_->exceeds_third(faulty);
}

void World::crash(SimNode& node) {
  trace(node.name + " crashes at " + step_text(node.driver->state()));
  node.power_state = Power::crashed;
  ++node.epoch;
  node.driver.reset();  // first: it refers to the host and the signer
  node.host.reset();
  node.signer.reset();
  node.deferred_timers.clear();
  node.ledger->lose_volatile_state();
}

void World::restart(SimNode& node) {
  node.power_state = Power::up;
  if (node.signer_disk.highest_signed_height > node.ledger->height()) {
    node.signer_disk.silent_through_height =
        std::max(node.signer_disk.silent_through_height, node.signer_disk.highest_signed_height);
  }
  std::string silent = node.signer_disk.silent_through_height > node.ledger->height()
                           ? ", silent through h" + std::to_string(node.signer_disk.silent_through_height)
                           : "";
  trace(node.name + " restarts at h" + std::to_string(node.ledger->height() + 1) + silent);
  start_driver(node);
  at(rng_.between(0, kStatusIntervalUs), [this, &node, epoch = node.epoch] { status_tick(node, epoch); });
  if (node.role == Role::byzantine) {
    at(rng_.between(500 * kMillisecond, 2500 * kMillisecond),
       [this, &node, epoch = node.epoch] { byzantine_garbage_tick(node, epoch); });
  }
}

void World::pause(SimNode& node) {
  trace(node.name + " stops at " + step_text(node.driver->state()));
  node.power_state = Power::paused;
}

void World::resume(SimNode& node) {
  trace(node.name + " continues");
  node.power_state = Power::up;
  for (const auto& timer : node.deferred_timers) schedule_timer(node, timer, 0);
  node.deferred_timers.clear();
}

void World::fault_tick() {
  if (after_gst_) return;
  switch (rng_.below(3)) {
    case 0: {
      if (network_->partitioned()) break;
      const auto& sides = network_->partition();
      std::string text = "partition:";
      for (std::uint8_t side = 0; side < 2; ++side) {
        text += side ? " |" : "";
        for (const auto& node : nodes_) {
          if (sides[node->index] == side) text += " " + node->name;
        }
      }
      trace(text);
      std::int64_t heal_in = std::min(rng_.between(kSecond, 10 * kSecond), gst_us_ - now_us_);
      at(heal_in, [this, generation = ++partition_generation_] {
        if (generation != partition_generation_ || !network_->partitioned()) return;
        network_->heal();
        trace("partition heals");
      });
      break;
    }
    case 1: {
      SimNode& node = *nodes_[rng_.below(nodes_.size())];
      if (!node.up() || !may_crash(node)) break;
      crash(node);
      std::int64_t restart_in = std::min(rng_.between(kSecond, 10 * kSecond), gst_us_ - now_us_);
      at(restart_in, [this, &node, epoch = node.epoch] {
        if (node.epoch == epoch && node.power_state == Power::crashed && !after_gst_) restart(node);
      });
      break;
    }
    default: break;
  }
  at(rng_.between(kSecond, 4 * kSecond), [this] { fault_tick(); });
}

void World::reach_gst() {
  after_gst_ = true;
  ++partition_generation_;
  network_->heal();
  NetworkFaults faults = network_->faults();
  faults.loss_permille = 10;
  network_->set_faults(faults);
  trace("GST: partitions heal, loss 1%, crashed nodes restart");
  for (auto& node : nodes_) {
    if (node->power_state == Power::crashed) restart(*node);
  }
}

}  // namespace flex::sim
