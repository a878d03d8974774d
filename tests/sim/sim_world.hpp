// The simulated world: n nodes running the real ConsensusDriver (and through it the real
// Tendermint core) and the real contracts over a SimLedger each, joined by a faulty
// simulated network, all driven by one seed on one thread. Events sit in a heap ordered by
// (virtual µs, insertion sequence), so a seed replays exactly.
//
// Two scenarios:
//   faults      a configuration drawn from the seed (4 validators of power 1 in most seeds,
//               7 of power 1, powers 2,1,1,1, or 1), each with an observer full node. Until
//               GST (20-40 virtual s): loss, delay spikes that reorder, duplication,
//               partitions, crashes and restarts, and in ~30% of seeds with n >= 4 one
//               Byzantine validator. After GST the network heals; by GST + 60 s every
//               honest node must reach height 10 and every client transaction be committed.
//   f_plus_one  4 validators, a steady network; two validators stop: no new height for 60 s;
//               one comes back: progress resumes, with agreement throughout. In half the
//               seeds "stop" is SIGSTOP-like (messages to it are lost, its timers wait, its
//               memory stays) and the one that comes back continues; in the other half the
//               two crash at their next double-sign save (a crash point, below), so in the
//               middle of a height, and the one that comes back restarts from its disk
//               through its double-sign record.
//
// Crashes, with double-sign protection as flexnode has it: every validator signs through
// the real PrivValidator over a MemoryPrivvalStore that is part of its disk, like its
// SimLedger, so both survive a crash; everything else (driver, signer, mempool, timers) is
// lost. A restarted validator builds its driver with PrivValidator::resume(ledger height):
// when it had signed at the height in progress it resumes at that round and step with its
// stored locks and their blocks, and re-sends its last message; it never signs a
// conflicting message. Crashes come at random moments (fault_tick) and at crash points:
// the node's store saves the record and then, by the world's RNG, throws SimulatedCrash,
// which unwinds the driver before it sends anything, as a process death right after the
// fsync would. The record is on disk; the message never left.
// A crash (either kind) is injected only while crashed + Byzantine validator power stays at
// most a third, so the world stays within Tendermint's fault model even before GST (and
// every crashed node restarts at GST, so all honest validators are up for the liveness
// window). n = 1 is exempt, or its one validator would never crash (but it has no crash
// points yet: see kLoneValidatorCrashPoints in sim_faults.cpp); the Byzantine validator and
// the observer are exempt too, as their crash adds no faulty validator power.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node/consensus/driver.hpp"
#include "node/consensus/privval.hpp"
#include "tests/sim/sim_ledger.hpp"
#include "tests/sim/sim_network.hpp"
#include "tests/sim/sim_properties.hpp"
#include "tests/sim/sim_rng.hpp"
#include "tests/sim/sim_trace.hpp"

namespace flex::sim {

enum class Scenario : std::uint8_t { faults, f_plus_one };

struct WorldOptions {
  std::uint64_t seed = 0;
  Scenario scenario = Scenario::faults;
  bool echo_trace = false;
};

struct RunResult {
  std::optional<Failure> failure;
  std::string configuration;
  std::uint64_t trace_hash = 0;
  std::vector<std::string> last_lines;
  std::int64_t virtual_us = 0;
  std::uint64_t events = 0;
  std::int64_t height = 0;  // the highest height an honest node decided
  std::size_t evidence_committed = 0;  // equivocations reported by honest validators and on chain
};

RunResult run_world(const WorldOptions& options);

// ---- Internals, shared by sim_world.cpp, sim_faults.cpp, sim_clients.cpp and sim_byzantine.cpp ----

inline constexpr std::int64_t kMillisecond = 1'000;  // virtual time is in µs
inline constexpr std::int64_t kSecond = 1'000'000;
inline constexpr std::int64_t kStatusIntervalUs = kSecond;        // block sync: every node's height
inline constexpr std::int64_t kLivenessWindowUs = 60 * kSecond;  // progress is due within this

// "h5 r2 prevote", for trace lines.
std::string step_text(const consensus::RoundState& state);
// "h5 r2 prevote 1a2b3c4d", for a double-sign record.
std::string signed_text(const consensus::LastSigned& record);

enum class Role : std::uint8_t { validator, byzantine, observer };
enum class Power : std::uint8_t { up, crashed, paused };

// Thrown by a crash point: the node dies right after its double-sign record is durable,
// before the signature is sent. Not a std::exception, so nothing on the way out mistakes it
// for an error to report.
struct SimulatedCrash {};

// The node's view of its privval disk: a save reaches `disk` (which survives the crash),
// then `crash_after_save` may decide that the process dies there.
class CrashPointStore final : public consensus::PrivvalStore {
 public:
  CrashPointStore(consensus::MemoryPrivvalStore& disk, std::function<void(const consensus::LastSigned&)> saved,
                  std::function<bool()> crash_after_save)
      : disk_(disk), saved_(std::move(saved)), crash_after_save_(std::move(crash_after_save)) {}
  std::optional<consensus::LastSigned> load() override { return disk_.load(); }
  void save(const consensus::LastSigned& record) override {
    disk_.save(record);
    saved_(record);
    if (crash_after_save_()) throw SimulatedCrash{};
  }

 private:
  consensus::MemoryPrivvalStore& disk_;
  std::function<void(const consensus::LastSigned&)> saved_;
  std::function<bool()> crash_after_save_;
};

class World;

struct SimNode;

class NodeHost final : public consensus::DriverHost {
 public:
  NodeHost(World& world, SimNode& node) : world_(world), node_(node) {}
  void broadcast(const consensus::SignedProposal& proposal) override;
  void broadcast(const consensus::SignedVote& vote) override;
  void schedule(const consensus::DriverTimer& timer, std::int64_t delay_ms) override;
  std::int64_t now_seconds() const override;
  void committed(const Block& block, const Commit& commit) override;
  void equivocation(const consensus::SignedVote& first, const consensus::SignedVote& second) override;

 private:
  World& world_;
  SimNode& node_;
};

struct SimNode {
  std::size_t index = 0;
  std::string name;
  Role role = Role::validator;
  std::optional<SecretKey> key;  // validators only
  PublicKey public_key{};
  std::int64_t power = 0;
  std::unique_ptr<SimLedger> ledger;           // the node's disk: survives crashes
  consensus::MemoryPrivvalStore privval_disk;  // also on disk (validators only)
  Rng aux_random{0};                           // BIP-340 auxiliary randomness, from the seed
  std::unique_ptr<CrashPointStore> privval_store;  // volatile from here on
  std::unique_ptr<consensus::PrivValidator> signer;
  std::unique_ptr<NodeHost> host;
  std::unique_ptr<consensus::ConsensusDriver> driver;
  Power power_state = Power::up;
  bool crash_at_next_save = false;  // f+1: a crash point that fires for sure
  std::uint64_t epoch = 0;  // bumped by a crash, so the dead incarnation's timers are dropped
  std::vector<consensus::DriverTimer> deferred_timers;  // fired while paused, run on resume
  std::set<Signature> traced_messages;  // consensus messages already in the trace (trace only)
  std::int64_t last_evidence_nonce = 0;  // so two reports in a row never share a nonce

  bool honest() const { return role != Role::byzantine; }
  bool up() const { return power_state == Power::up; }
};

struct Client {
  std::string name;
  std::size_t index = 0;
  std::vector<std::shared_ptr<const Transaction>> transactions;  // nonces 1, 2, ... in order
  std::size_t next = 0;           // the one in flight; one at a time, so nonces never gap
  std::uint64_t attempt = 0;      // invalidates the resubmission check of an older attempt
  std::optional<std::size_t> last_node;
};

class World {
 public:
  explicit World(const WorldOptions& options);
  RunResult run();

  // Host callbacks.
  void node_broadcast(SimNode& node, const Message& message);
  void schedule_timer(SimNode& node, const consensus::DriverTimer& timer, std::int64_t delay_ms);
  std::int64_t now_seconds() const { return genesis_.genesis_time + now_us_ / 1'000'000; }
  void node_committed(SimNode& node, const Block& block, const Commit& commit);
  void node_saw_equivocation(SimNode& node, const consensus::SignedVote& first, const consensus::SignedVote& second);

 private:
  // Setup (sim_world.cpp; the f+1 scenario in sim_faults.cpp).
  void choose_configuration();
  void build_genesis(std::size_t client_count, std::size_t transactions_per_client);
  void build_nodes();
  void start_faults_scenario();
  void start_f_plus_one_scenario();

  // Engine.
  void at(std::int64_t delay_us, std::function<void()> action);
  void trace(const std::string& text) { trace_.line(now_us_, text); }
  void fail(Failure failure);

  // Network.
  void send(SimNode& from, SimNode& to, const Message& message);
  void deliver(SimNode& from, SimNode& to, const Message& message);
  void deliver_blocks(SimNode& from, SimNode& to, const BlocksMessage& blocks);
  void status_tick(SimNode& node, std::uint64_t epoch);

  // Node lifecycle and faults (sim_faults.cpp, but start_driver and drive).
  // False when the node crashed at a crash point while starting.
  bool start_driver(SimNode& node);
  // Runs `action` (a call into the node's driver); a SimulatedCrash from a crash point
  // crashes the node, and drive returns false.
  bool drive(SimNode& node, const std::function<void()>& action);
  bool crash_point(const SimNode& node);  // asked by the store after each save
  void node_signed(SimNode& node, const consensus::LastSigned& record);
  void crash(SimNode& node, const std::string& how = "");
  void crash_until_restart(SimNode& node, const std::string& how = "");  // restarts by GST
  void restart(SimNode& node);
  void pause(SimNode& node);
  void resume(SimNode& node);
  bool may_crash(const SimNode& node) const;
  void fault_tick();
  void reach_gst();

  // Liveness checks.
  void liveness_tick(std::int64_t deadline_us, std::int64_t target_height);
  bool every_honest_node_at(std::int64_t height) const;
  std::string node_summary() const;
  void final_checks();

  // Clients (sim_clients.cpp).
  void build_clients(std::size_t count, std::size_t transactions_per_client);
  void client_submit(std::size_t client_index);
  void client_saw_commit(const Block& block);
  Status admit_and_gossip(SimNode& node, const std::shared_ptr<const Transaction>& transaction, const std::string& origin);
  bool all_client_transactions_committed() const;

  // The Byzantine validator (sim_byzantine.cpp).
  void byzantine_broadcast(SimNode& node, const Message& message);
  void byzantine_garbage_tick(SimNode& node, std::uint64_t epoch);
  Signature byzantine_sign(SimNode& node, const Hash32& digest);

  WorldOptions options_;
  Rng rng_;
  Trace trace_;
  std::string configuration_;
  std::vector<std::int64_t> powers_;
  std::optional<std::size_t> byzantine_;
  std::set<std::pair<std::int64_t, std::int64_t>> byzantine_equivocated_;  // (height, round)

  Genesis genesis_;
  State::Entries initial_state_;
  std::vector<SecretKey> client_keys_;
  std::optional<consensus::ValidatorSet> validator_set_;
  consensus::DriverOptions driver_options_;
  SignatureMemo memo_;
  std::unique_ptr<Properties> properties_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
  std::unique_ptr<Network> network_;
  std::uint64_t partition_generation_ = 0;
  std::int64_t gst_us_ = 0;
  bool after_gst_ = false;
  std::int64_t stalled_height_ = 0;  // f_plus_one: the highest height once two validators stopped
  std::set<Signature> own_signatures_sent_;  // messages already checked and traced when sent

  std::vector<Client> clients_;
  std::set<Hash32> client_transaction_ids_;
  std::map<Hash32, std::size_t> client_of_;  // transaction id -> client index
  std::set<Hash32> committed_ids_;           // committed by some honest node

  // Honest validators' equivocation reports, with the reporter's index and epoch at the report.
  std::vector<EvidenceReport> evidence_reports_;
  struct EvidenceReporter {
    std::size_t node = 0;
    std::uint64_t epoch = 0;
    std::int64_t nonce = 0;
    std::int64_t height = 0;  // the reporter's ledger height when it reported
  };
  std::vector<EvidenceReporter> evidence_reporters_;
  std::set<Hash32> evidence_transaction_ids_;
  std::size_t evidence_committed_ = 0;

  struct Event {
    std::int64_t time_us;
    std::uint64_t sequence;
    std::function<void()> action;
    static bool after(const Event& a, const Event& b);  // the heap's order: (time, sequence)
  };
  std::vector<Event> events_;  // a min-heap on (time_us, sequence)
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_run_ = 0;
  std::int64_t now_us_ = 0;
  std::optional<Failure> failure_;
  bool finished_ = false;
};

}  // namespace flex::sim
