// Faults: crashes (at random moments and at privval crash points) and restarts through the
// double-sign record (see sim_world.hpp), stops and resumptions, partitions, GST, and the
// f+1 scenario that stops or crashes two of four validators.
#include <algorithm>

#include "tests/sim/sim_world.hpp"

namespace flex::sim {

namespace {
// Per double-sign record saved before GST, when a crash is allowed then. A validator saves
// about three records a height, so most seeds see one or more crash points.
constexpr std::uint64_t kCrashPointPermille = 15;
}  // namespace

void World::start_f_plus_one_scenario() {
  NetworkFaults steady;
  steady.spike_permille = 0;  // no spikes: "no new height" must not be a slow message
  network_->set_faults(steady);
  const bool crash_them = rng_.below(2) == 1;
  trace("world seed " + std::to_string(options_.seed) + ": f+1 faulty (" + (crash_them ? "crashed" : "stopped") +
        "), " + configuration_);
  for (auto& node : nodes_) {
    start_driver(*node);
    at(rng_.between(0, kStatusIntervalUs), [this, &node = *node, epoch = node->epoch] { status_tick(node, epoch); });
  }
  std::int64_t stop_at = rng_.between(5, 15) * kSecond;
  std::size_t first = rng_.below(powers_.size());
  std::size_t second = (first + 1 + rng_.below(powers_.size() - 1)) % powers_.size();
  // Crashed ones die at their next double-sign save (a crash point), so in the middle of a
  // height with a record that was never sent; within 3 s, or then wherever they are.
  const std::int64_t down_by = crash_them ? stop_at + 3 * kSecond : stop_at;
  at(stop_at, [this, first, second, crash_them] {
    for (std::size_t index : {first, second}) {
      if (crash_them) {
        nodes_[index]->crash_at_next_save = true;
      } else {
        pause(*nodes_[index]);
      }
    }
  });
  if (crash_them) {
    at(down_by, [this, first, second] {
      for (std::size_t index : {first, second}) {
        if (nodes_[index]->up()) crash(*nodes_[index], "(it signed nothing for 3 s)");
      }
    });
  }
  // Messages already sent arrive within the 20 ms delay bound; give them 2 s, then freeze.
  at(down_by + 2 * kSecond, [this] {
    stalled_height_ = properties_->decided().empty() ? 0 : properties_->decided().rbegin()->first;
    trace("stalled at height " + std::to_string(stalled_height_));
  });
  at(down_by + 62 * kSecond, [this, first, crash_them] {
    std::int64_t decided = properties_->decided().empty() ? 0 : properties_->decided().rbegin()->first;
    if (decided != stalled_height_) {
      fail(Failure{"f+1 stop", decided,
                   "height " + std::to_string(decided) + " was decided with 2 of 4 validators stopped (stalled at " +
                       std::to_string(stalled_height_) + ")"});
      return;
    }
    if (crash_them) {
      restart(*nodes_[first]);
    } else {
      resume(*nodes_[first]);
    }
    liveness_tick(now_us_ + kLivenessWindowUs, stalled_height_ + 3);
  });
}

// Crashed and Byzantine validator power stays at most a third (see sim_world.hpp).
bool World::may_crash(const SimNode& node) const {
  if (node.role != Role::validator) return true;  // an observer, or the Byzantine (already faulty)
  if (validator_set_->size() == 1) return true;   // n = 1: its one validator could never crash
  std::int64_t faulty = node.power;
  for (const auto& other : nodes_) {
    if (other.get() == &node || other->role == Role::observer) continue;
    if (other->role == Role::byzantine || !other->up()) faulty += other->power;
  }
  return !validator_set_->exceeds_third(faulty);
}

bool World::crash_point(const SimNode& node) {
  if (node.crash_at_next_save) return true;
  if (options_.scenario != Scenario::faults || after_gst_ || !may_crash(node)) return false;
  return rng_.chance_permille(kCrashPointPermille);
}

void World::crash(SimNode& node, const std::string& how) {
  trace(node.name + " crashes at " + step_text(node.driver->state()) + (how.empty() ? "" : " " + how));
  node.power_state = Power::crashed;
  node.crash_at_next_save = false;
  ++node.epoch;
  node.driver.reset();  // first: it refers to the host and the signer
  node.host.reset();
  node.signer.reset();  // then the signer, which refers to the store
  node.privval_store.reset();
  node.deferred_timers.clear();
  node.ledger->lose_volatile_state();
}

void World::crash_until_restart(SimNode& node, const std::string& how) {
  crash(node, how);
  std::int64_t restart_in = std::min(rng_.between(kSecond, 10 * kSecond), gst_us_ - now_us_);
  at(restart_in, [this, &node, epoch = node.epoch] {
    if (node.epoch == epoch && node.power_state == Power::crashed && !after_gst_) restart(node);
  });
}

void World::restart(SimNode& node) {
  node.power_state = Power::up;
  std::string resumes;
  if (auto record = node.privval_disk.load(); record && record->height > node.ledger->height()) {
    resumes = ", resumes after " + signed_text(*record);
  }
  trace(node.name + " restarts at h" + std::to_string(node.ledger->height() + 1) + resumes);
  if (!start_driver(node)) return;  // crashed again at a crash point; a restart is scheduled
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
      crash_until_restart(node);
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
