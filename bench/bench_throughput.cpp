// bench_throughput: single-validator end-to-end throughput against raw signature checks.
//
// In one run, on a throw-away data directory:
//   1. end to end: pre-signed token.transfer transactions are submitted (canonical bytes,
//      Chain::submit) from T threads to a Chain driven by its single Tendermint validator, and the clock
//      stops when every one of them is committed; only transactions with an "ok" receipt
//      count;
//   2. raw verification: the same signatures through first_bad_signature (all cores, just
//      before and just after step 1) and verify_transaction_signature (one core), plus bare
//      schnorr_verify on precomputed digests (one core);
//   3. breakdown (unless --no-breakdown): the same transactions replayed on a fresh chain
//      on one thread, stage by stage (decode, submit, propose, commit), to show where the
//      time goes.
// It prints the figures and the ratio end-to-end / raw (all cores); the project aims at
// a ratio of at least 0.5, so that signature checks, not plumbing or storage, set the pace.
//
// Usage: bench_throughput [--transactions N] [--senders K] [--threads T] [--no-breakdown]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "contracts/genesis.hpp"
#include "ledger/hash.hpp"
#include "node/chain.hpp"
#include "node/clock.hpp"
#include "node/consensus/tendermint_node.hpp"
#include "node/keyfile.hpp"
#include "node/log.hpp"
#include "node/signature_batch.hpp"
#include "machine_facts.hpp"

namespace flex::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;  // flex::Clock is the node's wall clock

constexpr std::size_t default_transactions = 20000;
constexpr std::size_t default_senders = 64;
constexpr std::size_t max_transactions = 1000000;  // bounds memory for pre-signed bodies
constexpr std::size_t max_senders = 10000;
constexpr std::int64_t funding_micro = 1000000000;  // far above what the transfers spend
constexpr std::int64_t transfer_micro = 1;
constexpr double target_ratio = 0.5;  // the project's goal for e2e / raw (all cores)
constexpr auto mempool_full_backoff = std::chrono::microseconds(200);
constexpr auto stall_timeout = std::chrono::seconds(60);  // no new block for this long: give up
constexpr const char* chain_id = "flexledger-bench";
constexpr std::size_t empty_blocks_measured = 50;

struct Options {
  std::size_t transactions = default_transactions;
  std::size_t senders = default_senders;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  bool breakdown = true;
};

// Everything signed before any clock starts.
struct Workload {
  Genesis genesis;
  SecretKey operator_key;
  PublicKey operator_public{};
  std::vector<Transaction> funding;                  // token.mint, operator nonces 1..K
  std::vector<std::vector<Transaction>> transfers;   // per sender, in nonce order
  std::vector<Transaction> submission_order;         // round-robin over senders by nonce
};

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

double per_second(std::size_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

// CPU time of the whole process, all threads: with wall time it tells how many cores
// the node kept busy.
double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double micros_each(double seconds, std::size_t count) {
  return count > 0 ? seconds * 1e6 / static_cast<double>(count) : 0.0;
}

std::size_t parse_count(const char* text, const char* flag, std::size_t low, std::size_t high) {
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || value < low || value > high) {
    throw std::invalid_argument(std::string(flag) + " needs an integer in [" + std::to_string(low) +
                                ", " + std::to_string(high) + "]");
  }
  return static_cast<std::size_t>(value);
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    bool has_value = i + 1 < argc;
    if (flag == "--transactions" && has_value) {
      options.transactions = parse_count(argv[++i], "--transactions", 1, max_transactions);
    } else if (flag == "--senders" && has_value) {
      options.senders = parse_count(argv[++i], "--senders", 1, max_senders);
    } else if (flag == "--threads" && has_value) {
      options.threads = static_cast<unsigned>(parse_count(argv[++i], "--threads", 1, 1024));
    } else if (flag == "--no-breakdown") {
      options.breakdown = false;
    } else {
      throw std::invalid_argument("usage: bench_throughput [--transactions N] [--senders K] "
                                  "[--threads T] [--no-breakdown]");
    }
  }
  return options;
}

// ---- machine facts -------------------------------------------------------------------

void print_machine(const Options& options) {
  std::printf("bench_throughput  %s\n", utc_now().c_str());
  std::printf("  cpu            %s\n", first_field("/proc/cpuinfo", "model name").c_str());
  std::printf("  cores          %u (hardware_concurrency)\n", std::thread::hardware_concurrency());
  std::printf("  memory         %s\n", first_field("/proc/meminfo", "MemTotal").c_str());
  std::printf("  load average   %s (before the run)\n", load_average().c_str());
  std::printf("  workload       %zu token.transfer from %zu senders, %u submitting threads\n\n",
              options.transactions, options.senders, options.threads);
}

// ---- workload ------------------------------------------------------------------------

Genesis make_genesis(const PublicKey& operator_public, const std::vector<PublicKey>& senders) {
  Genesis genesis;
  genesis.chain_id = chain_id;
  genesis.genesis_time = SystemClock().now_seconds();
  genesis.validators.push_back(Validator{operator_public, 1, "bench-validator"});
  genesis.participants.push_back(GenesisParticipant{operator_public, "Bench operator", {"operator"}});
  for (std::size_t i = 0; i < senders.size(); ++i) {
    genesis.participants.push_back(
        GenesisParticipant{senders[i], "Bench sender " + std::to_string(i), {"prosumer"}});
  }
  genesis.params = default_market_params();
  return genesis;
}

// Signs `count` transfers of transfer_micro from `key` to `recipient`, nonces 1..count.
std::vector<Transaction> sign_transfers(const SecretKey& key, const PublicKey& recipient, std::size_t count) {
  std::vector<Transaction> out;
  out.reserve(count);
  for (std::size_t nonce = 1; nonce <= count; ++nonce) {
    out.push_back(sign_transaction(chain_id, "token.transfer", key, static_cast<std::int64_t>(nonce),
                                   Json{{"amount_micro", transfer_micro}, {"to", to_hex(recipient)}},
                                   random_bytes32()));
  }
  return out;
}

Workload make_workload(const Options& options) {
  std::vector<SecretKey> sender_keys;
  std::vector<PublicKey> sender_publics;
  for (std::size_t i = 0; i < options.senders; ++i) {
    sender_keys.push_back(generate_secret_key());
    sender_publics.push_back(*derive_public_key(sender_keys.back()));
  }
  Workload workload{Genesis{}, generate_secret_key(), {}, {}, {}, {}};
  workload.operator_public = *derive_public_key(workload.operator_key);
  workload.genesis = make_genesis(workload.operator_public, sender_publics);
  for (std::size_t i = 0; i < options.senders; ++i) {
    workload.funding.push_back(sign_transaction(
        chain_id, "token.mint", workload.operator_key, static_cast<std::int64_t>(i + 1),
        Json{{"amount_micro", funding_micro}, {"fiat_reference", "bench-" + std::to_string(i)},
             {"to", to_hex(sender_publics[i])}},
        random_bytes32()));
  }
  // Signing is as costly as verifying, so it is spread over the threads as well.
  workload.transfers.resize(options.senders);
  std::vector<std::jthread> signers;
  for (unsigned t = 0; t < options.threads; ++t) {
    signers.emplace_back([&, t] {
      for (std::size_t s = t; s < options.senders; s += options.threads) {
        std::size_t count = options.transactions / options.senders + (s < options.transactions % options.senders);
        workload.transfers[s] = sign_transfers(sender_keys[s], sender_publics[(s + 1) % options.senders], count);
      }
    });
  }
  signers.clear();
  for (std::size_t nonce_index = 0; nonce_index < workload.transfers[0].size(); ++nonce_index) {
    for (const auto& sender : workload.transfers) {
      if (nonce_index < sender.size()) workload.submission_order.push_back(sender[nonce_index]);
    }
  }
  return workload;
}

// ---- the node under test -------------------------------------------------------------

// A data directory that is removed again, whatever happens.
class TempDirectory {
 public:
  TempDirectory() {
    auto base = std::filesystem::temp_directory_path();
    path_ = base / ("flexledger-bench-" + std::to_string(::getpid()) + "-" + to_hex(random_bytes32()).substr(0, 12));
    std::filesystem::create_directories(path_);
  }
  ~TempDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Submits until admitted, backing off while the mempool is full. Returns the rejection
// code, or an empty string when admitted.
std::string submit_with_retry(Chain& chain, const std::string& bytes, std::size_t& full_retries) {
  for (;;) {
    auto result = chain.submit(std::string_view(bytes));
    if (result) return {};
    if (result.rejection().code != "mempool.full") return result.rejection().code;
    ++full_retries;
    std::this_thread::sleep_for(mempool_full_backoff);
  }
}

// Waits until the mempool is empty: every admitted transaction is then committed (the
// mempool keeps a transaction until the block holding it is committed) or dropped.
void wait_until_drained(Chain& chain) {
  auto last_progress = SteadyClock::now();
  std::int64_t last_height = chain.status().height;
  for (;;) {
    ChainStatus status = chain.status();
    if (status.mempool_transactions == 0) return;
    if (status.height != last_height) {
      last_height = status.height;
      last_progress = SteadyClock::now();
    } else if (SteadyClock::now() - last_progress > stall_timeout) {
      throw std::runtime_error("no block committed for 60 s with " +
                               std::to_string(status.mempool_transactions) + " transactions pending");
    }
    chain.wait_for_height(status.height + 1, std::chrono::milliseconds(100));
  }
}

std::size_t count_ok_receipts(Chain& chain, const std::vector<Transaction>& transactions) {
  std::size_t ok = 0;
  for (const auto& transaction : transactions) {
    auto stored = chain.transaction(to_hex(transaction.id));
    if (stored && stored->receipt.ok()) ++ok;
  }
  return ok;
}

struct EndToEnd {
  double seconds = 0;
  double submit_seconds = 0;  // until the last submit call returned
  double cpu_seconds = 0;     // process CPU time over the timed region
  std::size_t ok = 0;
  std::size_t rejected = 0;
  std::size_t full_retries = 0;
  std::int64_t blocks = 0;
  std::string first_rejection;
};

// One submitting thread: its senders, round-robin by nonce, so each signer's nonces
// arrive in order (the mempool and check_envelope need them strictly increasing).
void submit_senders(Chain& chain, const Workload& workload, unsigned thread, unsigned threads,
                    std::atomic<std::size_t>& rejected, std::atomic<std::size_t>& full_retries,
                    std::string& first_rejection) {
  std::size_t longest = workload.transfers.empty() ? 0 : workload.transfers[0].size();
  std::size_t retries = 0;
  for (std::size_t nonce_index = 0; nonce_index < longest; ++nonce_index) {
    for (std::size_t s = thread; s < workload.transfers.size(); s += threads) {
      if (nonce_index >= workload.transfers[s].size()) continue;
      std::string code = submit_with_retry(chain, workload.transfers[s][nonce_index].canonical, retries);
      if (!code.empty() && rejected.fetch_add(1) == 0) first_rejection = code;
    }
  }
  full_retries += retries;
}

void fund_senders(Chain& chain, const Workload& workload) {
  std::size_t retries = 0;
  for (const auto& mint : workload.funding) {
    if (auto code = submit_with_retry(chain, mint.canonical, retries); !code.empty()) {
      throw std::runtime_error("funding mint rejected: " + code);
    }
  }
  wait_until_drained(chain);
  if (count_ok_receipts(chain, workload.funding) != workload.funding.size()) {
    throw std::runtime_error("a funding mint did not commit with an ok receipt");
  }
}

EndToEnd run_end_to_end(const Workload& workload, const Options& options) {
  TempDirectory directory;
  auto chain = Chain::open(directory.file("ledger.sqlite"), workload.genesis);
  SystemClock clock;
  consensus::TendermintNodeOptions validator_options;
  validator_options.driver.empty_block_interval_ms = 0;  // blocks only when work waits
  consensus::TendermintNode validator(*chain, workload.operator_key, clock, validator_options);
  chain->set_on_admitted([&validator](std::string_view) { validator.notify_transaction(); });
  validator.start();
  fund_senders(*chain, workload);

  EndToEnd result;
  std::int64_t start_height = chain->status().height;
  std::atomic<std::size_t> rejected{0}, full_retries{0};
  double cpu_start = process_cpu_seconds();
  auto start = SteadyClock::now();
  {
    std::vector<std::jthread> submitters;
    for (unsigned t = 0; t < options.threads; ++t) {
      submitters.emplace_back(submit_senders, std::ref(*chain), std::cref(workload), t, options.threads,
                              std::ref(rejected), std::ref(full_retries), std::ref(result.first_rejection));
    }
  }
  result.submit_seconds = seconds_since(start);
  wait_until_drained(*chain);
  result.seconds = seconds_since(start);
  result.cpu_seconds = process_cpu_seconds() - cpu_start;

  validator.stop();
  result.blocks = chain->status().height - start_height;
  result.rejected = rejected.load();
  result.full_retries = full_retries.load();
  result.ok = count_ok_receipts(*chain, workload.submission_order);
  return result;
}

// ---- raw verification ----------------------------------------------------------------

struct RawVerification {
  double all_cores_before_seconds = 0;  // measured just before the end-to-end run
  double all_cores_after_seconds = 0;   // and just after it
  double one_core_seconds = 0;
  double schnorr_only_seconds = 0;  // bare secp256k1 verify on precomputed digests, one core
  // The faster all-core pass: the ratio is taken against the machine's better moment, which
  // errs towards a lower ratio when something else briefly takes a core.
  double all_cores_seconds() const { return std::min(all_cores_before_seconds, all_cores_after_seconds); }
};

// Decoded from the submitted bytes, as a node holds them after decode_transaction.
std::vector<Transaction> decode_all(const Workload& workload) {
  std::vector<Transaction> transactions;
  transactions.reserve(workload.submission_order.size());
  for (const auto& signed_transaction : workload.submission_order) {
    transactions.push_back(*decode_transaction(signed_transaction.canonical));
  }
  return transactions;
}

double time_all_cores(const std::vector<Transaction>& transactions) {
  auto start = SteadyClock::now();
  if (first_bad_signature(transactions)) throw std::runtime_error("a signature failed to verify");
  return seconds_since(start);
}

void time_one_core(const std::vector<Transaction>& transactions, RawVerification& result) {
  auto start = SteadyClock::now();
  for (const auto& transaction : transactions) {
    if (!verify_transaction_signature(transaction)) throw std::runtime_error("a signature failed to verify");
  }
  result.one_core_seconds = seconds_since(start);

  std::vector<Hash32> digests;
  digests.reserve(transactions.size());
  for (const auto& transaction : transactions) digests.push_back(signing_digest(transaction));
  start = SteadyClock::now();
  for (std::size_t i = 0; i < transactions.size(); ++i) {
    if (!schnorr_verify(transactions[i].sig, digests[i], transactions[i].signer)) {
      throw std::runtime_error("a signature failed to verify");
    }
  }
  result.schnorr_only_seconds = seconds_since(start);
}

// ---- breakdown -----------------------------------------------------------------------

struct Breakdown {
  double decode_seconds = 0;   // decode_transaction alone
  double verify_seconds = 0;   // verify_transaction_signature alone
  double submit_seconds = 0;   // Chain::submit(bytes): decode + verify + admission
  double propose_seconds = 0;  // Chain::propose: reap, execute, app hash
  double commit_seconds = 0;   // precommit signature + Chain::commit (SQLite, one txn per block)
  std::size_t blocks = 0;
  double empty_block_seconds = 0;  // propose + commit of one empty block: the per-block fixed cost
};

// Signs the precommit as the single validator does, and commits.
void commit_proposal(Chain& chain, const Proposal& proposal, const SecretKey& key, const PublicKey& public_key) {
  Commit commit;
  commit.height = proposal.block.header.height;
  commit.block_hash = block_hash(proposal.block.header);
  Hash32 digest = precommit_digest(proposal.block.header.chain_id, commit.height, commit.round, commit.block_hash);
  commit.signatures.push_back(CommitSignature{public_key, *schnorr_sign(key, digest, random_bytes32())});
  chain.commit(proposal, commit);
}

// One block's worth: decode and verify alone, then the same through Chain::submit (just
// after, so that the subtraction that gives the admission cost sees the same machine),
// then propose and commit.
void time_block_stages(Chain& chain, const Workload& workload, std::span<const Transaction> chunk,
                       std::int64_t now, Breakdown& result) {
  auto start = SteadyClock::now();
  std::vector<Transaction> decoded;
  decoded.reserve(chunk.size());
  for (const auto& transaction : chunk) decoded.push_back(*decode_transaction(transaction.canonical));
  result.decode_seconds += seconds_since(start);
  start = SteadyClock::now();
  for (const auto& transaction : decoded) {
    if (!verify_transaction_signature(transaction)) throw std::runtime_error("a signature failed to verify");
  }
  result.verify_seconds += seconds_since(start);
  start = SteadyClock::now();
  for (const auto& transaction : chunk) {
    if (!chain.submit(std::string_view(transaction.canonical))) throw std::runtime_error("submit rejected");
  }
  result.submit_seconds += seconds_since(start);
  start = SteadyClock::now();
  Proposal proposal = chain.propose(now, workload.operator_public);
  result.propose_seconds += seconds_since(start);
  start = SteadyClock::now();
  commit_proposal(chain, proposal, workload.operator_key, workload.operator_public);
  result.commit_seconds += seconds_since(start);
  ++result.blocks;
}

// The same transactions on a fresh chain, on this thread only, in full blocks.
Breakdown run_breakdown(const Workload& workload) {
  TempDirectory directory;
  auto chain = Chain::open(directory.file("ledger.sqlite"), workload.genesis);
  std::int64_t now = SystemClock().now_seconds();
  for (const auto& mint : workload.funding) {
    if (!chain->submit(std::string_view(mint.canonical))) throw std::runtime_error("mint rejected");
  }
  commit_proposal(*chain, chain->propose(now, workload.operator_public), workload.operator_key,
                  workload.operator_public);

  Breakdown result;
  std::span<const Transaction> order(workload.submission_order);
  for (std::size_t begin = 0; begin < order.size(); begin += limits::max_transactions_per_block) {
    std::size_t count = std::min(order.size() - begin, limits::max_transactions_per_block);
    time_block_stages(*chain, workload, order.subspan(begin, count), now, result);
  }
  if (chain->mempool_size() != 0) throw std::runtime_error("breakdown left transactions pending");
  auto start = SteadyClock::now();
  for (std::size_t i = 0; i < empty_blocks_measured; ++i) {
    commit_proposal(*chain, chain->propose(now, workload.operator_public), workload.operator_key,
                    workload.operator_public);
  }
  result.empty_block_seconds = seconds_since(start) / static_cast<double>(empty_blocks_measured);
  return result;
}

// ---- report --------------------------------------------------------------------------

void print_results(const Options& options, const EndToEnd& e2e, const RawVerification& raw) {
  std::size_t n = options.transactions;
  double e2e_rate = per_second(e2e.ok, e2e.seconds);
  double all_cores_rate = per_second(n, raw.all_cores_seconds());
  double ratio = all_cores_rate > 0 ? e2e_rate / all_cores_rate : 0.0;
  std::printf("%-44s %12s\n", "measure", "value");
  std::printf("%-44s %12.0f  (%zu ok of %zu in %.3f s)\n", "end-to-end tx/s (signed -> committed)", e2e_rate,
              e2e.ok, n, e2e.seconds);
  std::printf("%-44s %12.0f  (best of %.3f s before, %.3f s after)\n",
              "raw verify/s, all cores (first_bad_signature)", all_cores_rate, raw.all_cores_before_seconds,
              raw.all_cores_after_seconds);
  std::printf("%-44s %12.0f  (%.3f s)\n", "raw verify/s, 1 core (verify_transaction_sig.)",
              per_second(n, raw.one_core_seconds), raw.one_core_seconds);
  std::printf("%-44s %12.0f  (%.3f s)\n", "bare schnorr_verify/s, 1 core (digest given)",
              per_second(n, raw.schnorr_only_seconds), raw.schnorr_only_seconds);
  std::printf("%-44s %12.2f  (target >= %.2f: %s)\n", "ratio e2e / raw (all cores)", ratio, target_ratio,
              ratio >= target_ratio ? "met" : "NOT met");
  std::printf("%-44s %12lld\n", "blocks made", static_cast<long long>(e2e.blocks));
  std::printf("%-44s %12.1f\n", "average transactions per block",
              e2e.blocks > 0 ? static_cast<double>(e2e.ok) / static_cast<double>(e2e.blocks) : 0.0);
  std::printf("%-44s %12.3f  s\n", "time until the last submit returned", e2e.submit_seconds);
  std::printf("%-44s %12.2f  (CPU time / wall time of the timed region)\n", "cores kept busy",
              e2e.seconds > 0 ? e2e.cpu_seconds / e2e.seconds : 0.0);
  std::printf("%-44s %12zu\n", "mempool.full retries", e2e.full_retries);
  if (e2e.rejected > 0) {
    std::printf("%-44s %12zu  (first: %s)\n", "submissions rejected", e2e.rejected, e2e.first_rejection.c_str());
  }
}

void print_breakdown(const Breakdown& stages, const RawVerification& raw, std::size_t n) {
  // A difference of three timings: small, so noise can push it below zero; shown as zero.
  double admission = std::max(0.0, stages.submit_seconds - stages.decode_seconds - stages.verify_seconds);
  double serial = stages.submit_seconds + stages.propose_seconds + stages.commit_seconds;
  std::printf("\nbreakdown, one thread, %zu blocks (microseconds per transaction)\n", stages.blocks);
  std::printf("  %-52s %8.1f\n", "decode_transaction (parse + canonical check)", micros_each(stages.decode_seconds, n));
  std::printf("  %-52s %8.1f\n", "verify_transaction_signature (digest from decode)",
              micros_each(stages.verify_seconds, n));
  std::printf("  %-52s %8.1f  (measured in step 2)\n", "  of which bare schnorr_verify",
              micros_each(raw.schnorr_only_seconds, n));
  std::printf("  %-52s %8.1f\n", "admission (submit - decode - verify; shared lock)", micros_each(admission, n));
  std::printf("  %-52s %8.1f\n", "Chain::propose (shared state lock)", micros_each(stages.propose_seconds, n));
  std::printf("  %-52s %8.1f\n", "Chain::commit (store lock, then apply)", micros_each(stages.commit_seconds, n));
  std::printf("  %-52s %8.1f  (%.0f tx/s on one core)\n", "total: submit + propose + commit", micros_each(serial, n),
              per_second(n, serial));
  std::printf("  %-52s %8.2f  ms per block\n", "empty block, propose + commit (fixed cost)",
              stages.empty_block_seconds * 1e3);
}

int run(int argc, char** argv) {
  Options options = parse_options(argc, argv);
  if (options.senders > options.transactions) options.senders = options.transactions;
  log::set_minimum_level(log::Level::Warn);
  print_machine(options);
  std::printf("signing %zu transactions...\n", options.transactions);
  std::fflush(stdout);
  Workload workload = make_workload(options);
  std::vector<Transaction> decoded = decode_all(workload);
  RawVerification raw;
  raw.all_cores_before_seconds = time_all_cores(decoded);
  EndToEnd e2e = run_end_to_end(workload, options);
  raw.all_cores_after_seconds = time_all_cores(decoded);
  time_one_core(decoded, raw);
  std::printf("\n");
  print_results(options, e2e, raw);
  if (options.breakdown) print_breakdown(run_breakdown(workload), raw, options.transactions);
  std::printf("\nload average %s (after the run)\n", load_average().c_str());
  if (e2e.ok != options.transactions) {
    std::fprintf(stderr, "error: only %zu of %zu transactions committed with an ok receipt\n", e2e.ok,
                 options.transactions);
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace flex::bench

int main(int argc, char** argv) {
  try {
    return flex::bench::run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_throughput: %s\n", error.what());
    return 2;
  }
}
