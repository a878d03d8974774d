#include "tests/sim/sim_world.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "contracts/evidence.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/hash.hpp"

namespace flex::sim {

namespace {

constexpr std::int64_t kGenesisTime = 1767225600;  // 2026-01-01T00:00:00Z, as the unit tests use
constexpr std::int64_t kTargetHeight = 10;          // liveness: every honest node gets here
constexpr std::int64_t kRunawayUs = 400 * kSecond;  // far beyond any scenario's deadlines
constexpr std::uint64_t kRunawayEvents = 20'000'000;
constexpr std::int64_t kClientFundingMicro = 1'000'000'000;

SecretKey derive_key(std::uint64_t seed, std::string_view kind, std::size_t index) {
  // sha256 is below the curve order with overwhelming probability; the counter covers the rest.
  for (std::uint32_t attempt = 0;; ++attempt) {
    SecretKey key(sha256("flexsim/" + std::to_string(seed) + "/" + std::string(kind) + "/" + std::to_string(index) +
                         "/" + std::to_string(attempt)));
    if (derive_public_key(key)) return key;
  }
}

std::string timer_name(consensus::DriverTimer::Kind kind) {
  switch (kind) {
    case consensus::DriverTimer::Kind::propose: return "propose";
    case consensus::DriverTimer::Kind::prevote: return "prevote";
    case consensus::DriverTimer::Kind::precommit: return "precommit";
    case consensus::DriverTimer::Kind::start_gate: return "start_gate";
    case consensus::DriverTimer::Kind::regossip: return "regossip";
  }
  return "?";
}

std::string code_of(const Status& status) { return status ? "ok" : status.rejection().code; }

}  // namespace

std::string step_text(const consensus::RoundState& state) {
  return "h" + std::to_string(state.height) + " r" + std::to_string(state.round) + " " +
         std::string(consensus::step_name(state.step));
}

std::string signed_text(const consensus::LastSigned& record) {
  std::string what = record.proposal ? "proposal " + short_hex(record.proposal->block_id)
                     : record.vote   ? std::string(vote_type_name(record.vote->type)) + " " +
                                         (record.vote->block ? short_hex(*record.vote->block) : "nil")
                                     : "step " + std::to_string(record.step);
  return "h" + std::to_string(record.height) + " r" + std::to_string(record.round) + " " + what;
}

// ---- Host ----

void NodeHost::broadcast(const consensus::SignedProposal& proposal) { world_.node_broadcast(node_, Message{proposal}); }
void NodeHost::broadcast(const consensus::SignedVote& vote) { world_.node_broadcast(node_, Message{vote}); }
void NodeHost::schedule(const consensus::DriverTimer& timer, std::int64_t delay_ms) {
  world_.schedule_timer(node_, timer, delay_ms);
}
std::int64_t NodeHost::now_seconds() const { return world_.now_seconds(); }
void NodeHost::committed(const Block& block, const Commit& commit) { world_.node_committed(node_, block, commit); }
void NodeHost::equivocation(const consensus::SignedVote& first, const consensus::SignedVote& second) {
  world_.node_saw_equivocation(node_, first, second);
}

// ---- Setup ----

World::World(const WorldOptions& options) : options_(options), rng_(options.seed), trace_(options.echo_trace) {
  driver_options_.empty_block_interval_ms = 2000;  // blocks keep coming without load, so height 10 is near
}

void World::choose_configuration() {
  std::uint64_t draw = rng_.below(100);
  std::string name;
  if (draw < 55) {
    powers_ = {1, 1, 1, 1}, name = "4 validators of power 1";
  } else if (draw < 70) {
    powers_ = {1, 1, 1, 1, 1, 1, 1}, name = "7 validators of power 1";
  } else if (draw < 85) {
    powers_ = {2, 1, 1, 1}, name = "4 validators of powers 2,1,1,1";
  } else {
    powers_ = {1}, name = "1 validator";
  }
  if (powers_.size() >= 4 && rng_.below(100) < 30) {
    // The Byzantine validator's power must not exceed a third, or it is more than f faults.
    std::int64_t total = 0;
    for (auto power : powers_) total += power;
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < powers_.size(); ++i) {
      if (3 * powers_[i] <= total) candidates.push_back(i);
    }
    byzantine_ = candidates[rng_.below(candidates.size())];
  }
  configuration_ = name + " + 1 observer" + (byzantine_ ? ", Byzantine v" + std::to_string(*byzantine_) : "");
}

void World::build_genesis(std::size_t client_count, std::size_t transactions_per_client) {
  genesis_.chain_id = "flexsim";
  genesis_.genesis_time = kGenesisTime;
  genesis_.params = default_market_params();
  for (std::size_t i = 0; i < powers_.size(); ++i) {
    SecretKey key = derive_key(options_.seed, "validator", i);
    genesis_.validators.push_back(Validator{*derive_public_key(key), powers_[i], "v" + std::to_string(i)});
  }
  for (std::size_t c = 0; c < client_count; ++c) {
    client_keys_.push_back(derive_key(options_.seed, "client", c));
    genesis_.participants.push_back(
        GenesisParticipant{*derive_public_key(client_keys_.back()), "client" + std::to_string(c), {"prosumer"}});
  }
  // Genesis documents hold no balances, so the clients' funds are written into the initial
  // state as if minted, keeping the supply invariant (sum of accounts = minted - burned).
  initial_state_ = genesis_state(genesis_);
  for (const auto& participant : genesis_.participants) {
    initial_state_[keys::account(participant.public_key)] =
        to_canonical(Json{{"available_micro", kClientFundingMicro}, {"credit_limit_micro", 0}, {"held_micro", 0}});
  }
  initial_state_[keys::supply] = to_canonical(
      Json{{"burned_micro", 0}, {"minted_micro", kClientFundingMicro * static_cast<std::int64_t>(client_count)}});
  validator_set_.emplace(genesis_.validators);
  properties_ = std::make_unique<Properties>(genesis_.chain_id, genesis_.validators);
  build_nodes();
  build_clients(client_count, transactions_per_client);
}

void World::build_nodes() {
  for (std::size_t i = 0; i <= powers_.size(); ++i) {
    auto node = std::make_unique<SimNode>();
    node->index = i;
    node->aux_random = rng_.fork();
    node->ledger = std::make_unique<SimLedger>(genesis_, initial_state_, memo_, driver_options_.max_clock_ahead_seconds);
    if (i < powers_.size()) {
      node->name = "v" + std::to_string(i);
      node->role = byzantine_ == i ? Role::byzantine : Role::validator;
      node->key = derive_key(options_.seed, "validator", i);
      node->public_key = *derive_public_key(*node->key);
      node->power = powers_[i];
    } else {
      node->name = "obs";
      node->role = Role::observer;
    }
    nodes_.push_back(std::move(node));
  }
  network_ = std::make_unique<Network>(nodes_.size(), NetworkFaults{}, rng_.fork());
}

void World::start_faults_scenario() {
  NetworkFaults faults;
  faults.loss_permille = rng_.below(301);
  faults.duplicate_permille = rng_.below(101);
  network_->set_faults(faults);
  gst_us_ = rng_.between(20, 40) * kSecond;
  trace("world seed " + std::to_string(options_.seed) + ": " + configuration_ + "; loss " +
        std::to_string(faults.loss_permille) + "‰, duplication " + std::to_string(faults.duplicate_permille) +
        "‰, GST at " + std::to_string(gst_us_ / kSecond) + " s");
  for (auto& node : nodes_) {
    if (!start_driver(*node)) continue;  // crashed at a crash point; its restart schedules these
    at(rng_.between(0, kStatusIntervalUs), [this, &node = *node, epoch = node->epoch] { status_tick(node, epoch); });
    if (node->role == Role::byzantine) {
      at(rng_.between(500 * kMillisecond, 2500 * kMillisecond),
         [this, &node = *node, epoch = node->epoch] { byzantine_garbage_tick(node, epoch); });
    }
  }
  at(rng_.between(kSecond, 4 * kSecond), [this] { fault_tick(); });
  at(gst_us_, [this] { reach_gst(); });
  at(gst_us_ + 500 * kMillisecond, [this] { liveness_tick(gst_us_ + kLivenessWindowUs, kTargetHeight); });
}

// ---- Engine ----

bool World::Event::after(const Event& a, const Event& b) {
  return std::tie(a.time_us, a.sequence) > std::tie(b.time_us, b.sequence);
}

void World::at(std::int64_t delay_us, std::function<void()> action) {
  events_.push_back(Event{now_us_ + std::max<std::int64_t>(delay_us, 0), next_sequence_++, std::move(action)});
  std::push_heap(events_.begin(), events_.end(), Event::after);
}

void World::fail(Failure failure) {
  if (failure_) return;
  trace("FAIL " + failure.property + " at height " + std::to_string(failure.height) + ": " + failure.detail);
  failure_ = std::move(failure);
}

RunResult World::run() {
  try {
    if (options_.scenario == Scenario::faults) {
      choose_configuration();
      build_genesis(4, 6);
      start_faults_scenario();
    } else {
      powers_ = {1, 1, 1, 1};
      configuration_ = "4 validators of power 1 + 1 observer";
      build_genesis(2, 3);
      start_f_plus_one_scenario();
    }
    while (!events_.empty() && !failure_ && !finished_) {
      std::pop_heap(events_.begin(), events_.end(), Event::after);
      Event event = std::move(events_.back());
      events_.pop_back();
      now_us_ = event.time_us;
      ++events_run_;
      event.action();
      if (now_us_ > kRunawayUs || events_run_ > kRunawayEvents) fail(Failure{"runaway", 0, "the run did not end"});
    }
    if (!failure_ && !finished_) fail(Failure{"liveness", 0, "nothing left to happen"});
  } catch (const std::exception& error) {
    fail(Failure{"exception", 0, error.what()});
  }
  RunResult result;
  result.failure = failure_;
  result.configuration = configuration_;
  std::string heights = "end:";
  for (const auto& node : nodes_) {
    heights += " " + node->name + " h" + std::to_string(node->ledger->height()) + " " + short_hex(node->ledger->tip().app_hash);
  }
  trace(heights);
  result.trace_hash = trace_.hash();
  result.last_lines = trace_.last_lines();
  result.virtual_us = now_us_;
  result.events = events_run_;
  result.evidence_committed = evidence_committed_;
  result.height = properties_ && !properties_->decided().empty() ? properties_->decided().rbegin()->first : 0;
  return result;
}

RunResult run_world(const WorldOptions& options) { return World(options).run(); }

// ---- Network ----

void World::send(SimNode& from, SimNode& to, const Message& message) {
  for (std::int64_t delay : network_->deliveries(from.index, to.index)) {
    at(delay, [this, &from, &to, message] { deliver(from, to, message); });
  }
}

void World::node_broadcast(SimNode& node, const Message& message) {
  if (node.role == Role::byzantine) {
    byzantine_broadcast(node, message);
    return;
  }
  // The driver also relays (re-gossips) other validators' messages; only what the node
  // signed itself is its own signing. Re-gossip repeats a message every second, and a
  // restarted validator re-sends its last one: the same signature bytes (privval returns
  // the stored signature), so each message is checked and traced once.
  const std::string& chain_id = genesis_.chain_id;
  std::optional<Failure> failure;
  const auto* proposal = std::get_if<consensus::SignedProposal>(&message);
  const auto* vote = std::get_if<consensus::SignedVote>(&message);
  if ((proposal || vote) && !own_signatures_sent_.insert(proposal ? proposal->signature : vote->signature).second) {
    // a copy of a message already checked
  } else if (proposal && node.key && proposal->signer == node.public_key) {
    failure = properties_->honest_signature(node.name, proposal->signer, proposal->height, proposal->round,
                                            SignedKind::proposal, proposal->digest(chain_id));
    trace(node.name + " sends proposal h" + std::to_string(proposal->height) + " r" +
          std::to_string(proposal->round) + " vr" + std::to_string(proposal->valid_round) + " " +
          short_hex(proposal->block_id));
  } else if (vote && node.key && vote->validator == node.public_key) {
    failure = properties_->honest_signature(
        node.name, vote->validator, vote->height, vote->round,
        vote->type == VoteType::prevote ? SignedKind::prevote : SignedKind::precommit, vote->digest(chain_id));
    trace(node.name + " sends " + std::string(vote_type_name(vote->type)) + " h" + std::to_string(vote->height) +
          " r" + std::to_string(vote->round) + " " + (vote->block ? short_hex(*vote->block) : "nil"));
  }
  if (failure) fail(*failure);
  for (auto& other : nodes_) {
    if (other.get() != &node) send(node, *other, message);
  }
}

void World::deliver(SimNode& from, SimNode& to, const Message& message) {
  if (!to.up()) return;  // a crashed or stopped node loses what arrives
  const std::string link = to.name + "<-" + from.name + " ";
  // Re-gossip repeats every message each second; a node's trace shows only its first copy.
  if (const auto* proposal = std::get_if<consensus::SignedProposal>(&message)) {
    Status status = ok_status();
    if (!drive(to, [&] { status = to.driver->on_proposal(*proposal); })) return;
    if (to.traced_messages.insert(proposal->signature).second) {
      trace(link + "proposal h" + std::to_string(proposal->height) + " r" + std::to_string(proposal->round) + " vr" +
            std::to_string(proposal->valid_round) + " " + short_hex(proposal->block_id) + " " + code_of(status));
    }
  } else if (const auto* vote = std::get_if<consensus::SignedVote>(&message)) {
    Status status = ok_status();
    if (!drive(to, [&] { status = to.driver->on_vote(*vote); })) return;
    if (to.traced_messages.insert(vote->signature).second) {
      trace(link + std::string(vote_type_name(vote->type)) + " h" + std::to_string(vote->height) + " r" +
            std::to_string(vote->round) + " " + (vote->block ? short_hex(*vote->block) : "nil") + " " +
            code_of(status));
    }
  } else if (const auto* transaction = std::get_if<TransactionMessage>(&message)) {
    static_cast<void>(admit_and_gossip(to, transaction->transaction, from.name));  // a refusal is traced
  } else if (const auto* status = std::get_if<StatusMessage>(&message)) {
    std::int64_t own = to.ledger->height();
    if (own <= status->height) return;
    BlocksMessage blocks;
    for (std::int64_t height = status->height + 1; height <= std::min(own, status->height + 4); ++height) {
      blocks.blocks.push_back(*to.ledger->stored(height));
    }
    send(to, from, Message{std::move(blocks)});
  } else if (const auto* blocks = std::get_if<BlocksMessage>(&message)) {
    deliver_blocks(from, to, *blocks);
  }
}

void World::deliver_blocks(SimNode& from, SimNode& to, const BlocksMessage& blocks) {
  for (const auto& stored : blocks.blocks) {
    std::int64_t height = stored.block->header.height;
    if (height <= to.ledger->height()) continue;
    Status status = ok_status();
    if (!drive(to, [&] { status = to.driver->on_committed_block(*stored.block, stored.commit); })) return;
    trace(to.name + "<-" + from.name + " sync h" + std::to_string(height) + " " +
          short_hex(stored.commit.block_hash) + " " + code_of(status));
    if (!status || !to.up() || failure_) return;
  }
}

void World::status_tick(SimNode& node, std::uint64_t epoch) {
  if (node.epoch != epoch || node.power_state == Power::crashed) return;
  if (node.up()) {
    for (auto& other : nodes_) {
      if (other.get() != &node) send(node, *other, Message{StatusMessage{node.ledger->height()}});
    }
  }
  at(kStatusIntervalUs, [this, &node, epoch] { status_tick(node, epoch); });
}

// ---- Node lifecycle ----

// As flexnode's TendermintNode: the signer is a PrivValidator over the node's store, and the
// driver resumes from the double-sign record when it was written at the height in progress.
bool World::start_driver(SimNode& node) {
  std::optional<consensus::Resume> resume;
  if (node.key) {
    node.privval_store = std::make_unique<CrashPointStore>(
        node.privval_disk, [this, &node](const consensus::LastSigned& record) { node_signed(node, record); },
        [this, &node] { return crash_point(node); });
    node.signer = std::make_unique<consensus::PrivValidator>(*node.key, *node.privval_store, genesis_.chain_id,
                                                             [&node] { return node.aux_random.hash32(); });
    resume = node.signer->resume(node.ledger->height());
  }
  node.host = std::make_unique<NodeHost>(*this, node);
  node.driver = std::make_unique<consensus::ConsensusDriver>(
      *node.ledger, *validator_set_, node.signer.get(), *node.host, driver_options_,
      [this](const Signature& signature, const Hash32& digest, const PublicKey& key) {
        return memo_.consensus(signature, digest, key);
      },
      std::move(resume));
  return drive(node, [&node] { node.driver->start(); });
}

bool World::drive(SimNode& node, const std::function<void()>& action) {
  try {
    action();
    return true;
  } catch (const SimulatedCrash&) {
    auto record = node.privval_disk.load();
    std::string how = "after saving its double-sign record " + signed_text(*record) + ", before sending it";
    if (options_.scenario == Scenario::faults) {
      crash_until_restart(node, how);
    } else {
      crash(node, how);  // f+1: the scenario restarts it
    }
    return false;
  }
}

void World::node_signed(SimNode& node, const consensus::LastSigned& record) {
  if (!node.honest()) return;
  SignedKind kind = record.step == 1   ? SignedKind::proposal
                    : record.step == 2 ? SignedKind::prevote
                                       : SignedKind::precommit;
  if (auto failure = properties_->honest_signature(node.name, node.public_key, record.height, record.round, kind,
                                                   record.digest)) {
    fail(*failure);
  }
}

void World::schedule_timer(SimNode& node, const consensus::DriverTimer& timer, std::int64_t delay_ms) {
  at(delay_ms * kMillisecond, [this, &node, timer, epoch = node.epoch] {
    if (node.epoch != epoch || node.power_state == Power::crashed) return;  // an earlier life's timer
    if (node.power_state == Power::paused) {
      node.deferred_timers.push_back(timer);
      return;
    }
    if (timer.kind != consensus::DriverTimer::Kind::regossip) {
      trace(node.name + " timer " + timer_name(timer.kind) + " h" + std::to_string(timer.height) + " r" +
            std::to_string(timer.round));
    }
    drive(node, [&] { node.driver->on_timer(timer); });
  });
}

// ---- Liveness and the end of a run ----

bool World::every_honest_node_at(std::int64_t height) const {
  for (const auto& node : nodes_) {
    if (node->honest() && node->up() && node->ledger->height() < height) return false;
  }
  return true;
}

std::string World::node_summary() const {
  std::string text;
  for (const auto& node : nodes_) {
    text += (text.empty() ? "" : "; ") + node->name + " ledger h" + std::to_string(node->ledger->height());
    if (node->power_state == Power::crashed) {
      text += " crashed";
      continue;
    }
    consensus::RoundState state = node->driver->state();
    text += " at " + step_text(state) + (node->power_state == Power::paused ? " stopped" : "");
    if (state.locks.locked) text += " locked " + short_hex(*state.locks.locked) + "@r" + std::to_string(state.locks.locked_round);
    if (auto record = node->privval_disk.load(); record && record->height > node->ledger->height()) {
      text += " last signed " + signed_text(*record);
    }
    if (node->signer && node->signer->refusals() > 0) text += " refused " + std::to_string(node->signer->refusals());
  }
  std::size_t missing = 0;
  for (const auto& id : client_transaction_ids_) missing += committed_ids_.count(id) ? 0 : 1;
  return text + "; client transactions not committed: " + std::to_string(missing);
}

void World::liveness_tick(std::int64_t deadline_us, std::int64_t target_height) {
  if (every_honest_node_at(target_height) && all_client_transactions_committed()) {
    final_checks();
    finished_ = true;
    return;
  }
  if (now_us_ >= deadline_us) {
    std::int64_t decided = properties_->decided().empty() ? 0 : properties_->decided().rbegin()->first;
    fail(Failure{"liveness", decided,
                 "not every honest node reached height " + std::to_string(target_height) +
                     " with every client transaction committed by " + std::to_string(deadline_us / kSecond) +
                     " s: " + node_summary()});
    return;
  }
  at(500 * kMillisecond, [this, deadline_us, target_height] { liveness_tick(deadline_us, target_height); });
}

void World::final_checks() {
  std::vector<HonestChain> chains;
  for (const auto& node : nodes_) {
    if (node->honest()) chains.push_back(HonestChain{node->name, node->ledger.get()});
  }
  if (auto failure = properties_->check_chains(chains, genesis_, initial_state_, memo_, client_transaction_ids_,
                                               evidence_transaction_ids_, /*require_all=*/true)) {
    fail(*failure);
    return;
  }
  const SimLedger* longest = nullptr;
  for (const auto& chain : chains) {
    if (!longest || chain.ledger->height() > longest->height()) longest = chain.ledger;
  }
  for (std::size_t i = 0; i < evidence_reports_.size(); ++i) {
    const EvidenceReporter& reporter = evidence_reporters_[i];
    const SimNode& node = *nodes_[reporter.node];
    EvidenceReport& report = evidence_reports_[i];
    report.lost = node.epoch != reporter.epoch;
    report.superseded = !committed_ids_.count(report.transaction) && node.ledger->last_nonce(node.public_key) >= reporter.nonce;
    report.too_late = true;
    for (std::int64_t height = reporter.height + 2; longest && height <= longest->height(); ++height) {
      if (longest->stored(height)->block->header.proposer == node.public_key) report.too_late = false;
    }
  }
  if (auto failure = properties_->check_evidence(chains, evidence_reports_, evidence_committed_)) fail(*failure);
}

void World::node_committed(SimNode& node, const Block& block, const Commit& commit) {
  trace(node.name + " commits h" + std::to_string(block.header.height) + " r" + std::to_string(commit.round) + " " +
        short_hex(commit.block_hash) + " txs " + std::to_string(block.transactions.size()) + " sigs " +
        std::to_string(commit.signatures.size()));
  if (!node.honest()) return;
  if (auto failure = properties_->honest_commit(node.name, block, commit)) fail(*failure);
  client_saw_commit(block);
}

void World::node_saw_equivocation(SimNode& node, const consensus::SignedVote& first, const consensus::SignedVote& second) {
  std::string who = short_hex(first.validator);
  for (const auto& other : nodes_) {
    if (other->key && other->public_key == first.validator) who = other->name;
  }
  trace(node.name + " sees equivocation by " + who + " " + std::string(vote_type_name(first.type)) + " h" +
        std::to_string(first.height) + " r" + std::to_string(first.round) + " " +
        (first.block ? short_hex(*first.block) : "nil") + "/" + (second.block ? short_hex(*second.block) : "nil"));
  // Reported as flexnode's on_equivocation does: only a validator, with its own key.
  if (node.role != Role::validator || !node.key) return;
  std::int64_t nonce = std::max(node.ledger->last_nonce(node.public_key), node.last_evidence_nonce) + 1;
  node.last_evidence_nonce = nonce;
  auto transaction = std::make_shared<const Transaction>(
      make_duplicate_vote_evidence(genesis_.chain_id, *node.key, nonce, first, second, node.aux_random.hash32()));
  evidence_transaction_ids_.insert(transaction->id);
  std::size_t report = evidence_reports_.size();
  evidence_reports_.push_back(EvidenceReport{node.name, first.validator, first.height, first.round,
                                             std::string(vote_type_name(first.type)), transaction->id, "", false});
  evidence_reporters_.push_back(EvidenceReporter{node.index, node.epoch, nonce, node.ledger->height()});
  // Submitted from the event loop, not from inside the driver that is calling this host.
  at(0, [this, &node, epoch = node.epoch, transaction, report] {
    if (node.epoch != epoch) return;  // crashed: the report is lost with the mempool
    if (!node.up()) {
      evidence_reports_[report].refused = "sim.reporter_paused";  // it never reached the mempool
      return;
    }
    Status admitted = admit_and_gossip(node, transaction, "evidence");
    if (!admitted) evidence_reports_[report].refused = admitted.rejection().code;
  });
}

}  // namespace flex::sim
