// bench_network: throughput and submit-to-final latency of a network of validators, against
// a single validator measured in the same run.
//
// Each configuration (1 validator, then N, default 4) runs in this process: every validator
// is a real Chain on its own SQLite file under a throw-away directory with its own
// TendermintNode, and the validators talk over real TCP on loopback (node/p2p), exactly as
// flexnode processes do. Pre-signed token.transfer transactions are offered at a steady
// rate (--rate per second, for --seconds) through Chain::submit, spread round-robin over
// the validators, as clients of each node would; each is gossiped to the others. A
// transaction's latency runs from its submission to the moment node 0 has committed the
// block holding it (final: the block carries 2f+1 precommits). Then the offered load stops
// and the run waits for the mempools to drain.
//
// Printed per configuration: committed transactions per second over the whole run, the
// latency percentiles p50/p95/p99 and the maximum, blocks and mean transactions per block.
// The project designs toward >= 2,000 tx/s with p95 under 1 s for 4 validators.
//
// Usage: bench_network [--validators N (1..7, default 4)] [--rate TX_PER_S (default 2000)]
//                      [--seconds S (default 20)] [--senders K (default 64)]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "contracts/genesis.hpp"
#include "node/chain.hpp"
#include "node/clock.hpp"
#include "node/consensus/tendermint_node.hpp"
#include "node/keyfile.hpp"
#include "node/log.hpp"
#include "machine_facts.hpp"

namespace flex::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr const char* chain_id = "flexledger-bench-network";
constexpr std::int64_t funding_micro = 1'000'000'000;

struct Options {
  int validators = 4;
  std::size_t rate = 2000;
  std::size_t seconds = 20;
  std::size_t senders = 64;
};

std::size_t parse_count(const char* text, const char* flag, std::size_t low, std::size_t high) {
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || value < low || value > high) {
    std::fprintf(stderr, "%s must be an integer in [%zu, %zu]\n", flag, low, high);
    std::exit(2);
  }
  return static_cast<std::size_t>(value);
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", flag.c_str());
      std::exit(2);
    }
    const char* value = argv[++i];
    if (flag == "--validators") options.validators = static_cast<int>(parse_count(value, "--validators", 1, 7));
    else if (flag == "--rate") options.rate = parse_count(value, "--rate", 1, 100'000);
    else if (flag == "--seconds") options.seconds = parse_count(value, "--seconds", 1, 3600);
    else if (flag == "--senders") options.senders = parse_count(value, "--senders", 1, 10'000);
    else {
      std::fprintf(stderr, "usage: bench_network [--validators N] [--rate TX_PER_S] [--seconds S] [--senders K]\n");
      std::exit(2);
    }
  }
  return options;
}

// `count` consecutive loopback ports that are free now.
int free_port_base(int count) {
  // Below Linux's ephemeral range (32768 up), so no outgoing connection of another node takes
  // one of these ports before the node that is to listen on it starts.
  boost::asio::io_context io;
  std::uint64_t spread = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  for (int attempt = 0; attempt < 100; ++attempt) {
    spread = spread * 6364136223846793005ULL + 1442695040888963407ULL;
    int base = 15000 + static_cast<int>((spread >> 33) % static_cast<std::uint64_t>(32000 - 15000 - count));
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> held;
    try {
      for (int i = 0; i < count; ++i) {
        held.push_back(std::make_unique<boost::asio::ip::tcp::acceptor>(
            io, boost::asio::ip::tcp::endpoint{boost::asio::ip::make_address("127.0.0.1"),
                                                static_cast<std::uint16_t>(base + i)}));
      }
      return base;
    } catch (const std::exception&) {
    }
  }
  throw std::runtime_error("no run of free loopback ports");
}

struct Result {
  int validators = 0;
  std::size_t offered = 0, committed = 0;
  double seconds = 0;  // first submission to last commit
  std::vector<double> latencies_ms;
  std::int64_t blocks = 0;
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  std::size_t index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

Result run(int validator_count, const Options& options) {
  std::vector<SecretKey> validator_keys;
  Genesis genesis;
  genesis.chain_id = chain_id;
  genesis.genesis_time = SystemClock().now_seconds();
  for (int i = 0; i < validator_count; ++i) {
    validator_keys.push_back(generate_secret_key());
    PublicKey key = *derive_public_key(validator_keys.back());
    genesis.validators.push_back(Validator{key, 1, "bench-validator-" + std::to_string(i)});
    genesis.participants.push_back(GenesisParticipant{key, "Validator " + std::to_string(i), {i == 0 ? "operator" : "dso"}});
  }
  std::vector<SecretKey> sender_keys;
  for (std::size_t s = 0; s < options.senders; ++s) {
    sender_keys.push_back(generate_secret_key());
    genesis.participants.push_back(
        GenesisParticipant{*derive_public_key(sender_keys.back()), "Sender " + std::to_string(s), {"prosumer"}});
  }
  genesis.params = default_market_params();

  // Everything is signed before the clock starts: signing is the clients' work.
  std::vector<Transaction> funding;
  for (std::size_t s = 0; s < options.senders; ++s) {
    funding.push_back(sign_transaction(chain_id, "token.mint", validator_keys[0], static_cast<std::int64_t>(s + 1),
                                       Json{{"amount_micro", funding_micro},
                                            {"fiat_reference", "bench-" + std::to_string(s)},
                                            {"to", to_hex(*derive_public_key(sender_keys[s]))}},
                                       random_bytes32()));
  }
  const std::size_t total = options.rate * options.seconds;
  std::vector<Transaction> transfers(total);
  {
    std::vector<std::jthread> signers;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned t = 0; t < threads; ++t) {
      signers.emplace_back([&, t] {
        for (std::size_t i = t; i < total; i += threads) {
          std::size_t sender = i % options.senders;
          transfers[i] = sign_transaction(
              chain_id, "token.transfer", sender_keys[sender], static_cast<std::int64_t>(i / options.senders + 1),
              Json{{"amount_micro", 1}, {"to", to_hex(*derive_public_key(sender_keys[(sender + 1) % options.senders]))}},
              random_bytes32());
        }
      });
    }
  }

  auto directory = std::filesystem::temp_directory_path() /
                   ("flexledger-bench-network-" + std::to_string(::getpid()) + "-" + std::to_string(validator_count));
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  SystemClock clock;
  const int port_base = validator_count > 1 ? free_port_base(validator_count) : 0;
  std::vector<std::unique_ptr<Chain>> chains;
  std::vector<std::unique_ptr<consensus::TendermintNode>> nodes;
  for (int i = 0; i < validator_count; ++i) {
    chains.push_back(Chain::open((directory / ("node" + std::to_string(i) + ".sqlite")).string(), genesis));
    consensus::TendermintNodeOptions node_options;
    node_options.driver.empty_block_interval_ms = 0;  // blocks only when work waits
    if (validator_count > 1) {
      p2p::PeerNetworkOptions network;
      network.listen_host = "127.0.0.1";
      network.listen_port = static_cast<std::uint16_t>(port_base + i);
      for (int j = 0; j < i; ++j) network.peers.push_back("127.0.0.1:" + std::to_string(port_base + j));
      node_options.network = network;
    }
    nodes.push_back(std::make_unique<consensus::TendermintNode>(*chains[i], validator_keys[i], clock, node_options));
    chains[i]->set_on_admitted([node = nodes.back().get()](std::string_view canonical) { node->on_admitted(canonical); });
  }
  for (auto& node : nodes) node->start();
  // All peers connected before the clock starts.
  for (auto deadline = SteadyClock::now() + std::chrono::seconds(20); SteadyClock::now() < deadline;) {
    bool connected = std::all_of(nodes.begin(), nodes.end(), [&](const auto& node) {
      return static_cast<int>(node->network_status().peers.size()) == validator_count - 1;
    });
    if (connected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (const auto& mint : funding) (void)chains[0]->submit(mint.canonical);
  while (chains[0]->mempool_size() > 0 || chains[0]->status().height == 0) {
    chains[0]->wait_for_height(chains[0]->status().height + 1, std::chrono::milliseconds(100));
  }

  // The observer stamps each transaction when node 0 has committed its block.
  std::map<Hash32, SteadyClock::time_point> submitted_at;
  std::mutex submitted_mutex;
  std::vector<double> latencies;
  std::atomic<bool> stop_observer{false};
  std::int64_t start_height = chains[0]->status().height;
  SteadyClock::time_point last_commit;
  std::jthread observer([&] {
    std::int64_t seen = start_height;
    while (!stop_observer) {
      std::int64_t height = chains[0]->status().height;
      auto now = SteadyClock::now();
      for (std::int64_t h = seen + 1; h <= height; ++h) {
        for (const auto& row : chains[0]->block_transactions(h)) {
          auto id = from_hex_fixed<32>(row.id_hex);
          std::lock_guard lock(submitted_mutex);
          auto found = submitted_at.find(*id);
          if (found == submitted_at.end()) continue;
          latencies.push_back(std::chrono::duration<double, std::milli>(now - found->second).count());
          submitted_at.erase(found);
          last_commit = now;
        }
      }
      seen = height;
      chains[0]->wait_for_height(seen + 1, std::chrono::milliseconds(2));
    }
  });

  // Offered load: transaction i leaves at start + i / rate, to validator i mod n.
  auto start = SteadyClock::now();
  std::size_t refused = 0;
  for (std::size_t i = 0; i < total; ++i) {
    auto due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * static_cast<double>(i) / static_cast<double>(options.rate)));
    std::this_thread::sleep_until(due);
    {
      std::lock_guard lock(submitted_mutex);
      submitted_at[transfers[i].id] = SteadyClock::now();
    }
    if (!chains[i % validator_count]->submit(transfers[i].canonical)) {
      ++refused;
      std::lock_guard lock(submitted_mutex);
      submitted_at.erase(transfers[i].id);
    }
  }
  for (auto deadline = SteadyClock::now() + std::chrono::seconds(120); SteadyClock::now() < deadline;) {
    {
      std::lock_guard lock(submitted_mutex);
      if (submitted_at.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop_observer = true;
  observer.join();

  Result result;
  result.validators = validator_count;
  result.offered = total;
  result.committed = latencies.size();
  result.seconds = std::chrono::duration<double>(last_commit - start).count();
  result.latencies_ms = std::move(latencies);
  result.blocks = chains[0]->status().height - start_height;
  if (refused > 0) std::printf("  (%zu submissions refused by the mempool)\n", refused);
  for (auto& node : nodes) node->stop();
  nodes.clear();
  chains.clear();
  std::filesystem::remove_all(directory);
  return result;
}

void print(const Result& result) {
  std::printf("  %d validator%s: %zu of %zu committed in %.2f s = %.0f tx/s; latency ms p50 %.0f  p95 %.0f  p99 %.0f  max %.0f;"
              " %lld blocks, %.0f tx/block\n",
              result.validators, result.validators == 1 ? " " : "s", result.committed, result.offered, result.seconds,
              result.seconds > 0 ? static_cast<double>(result.committed) / result.seconds : 0.0,
              percentile(result.latencies_ms, 0.50), percentile(result.latencies_ms, 0.95),
              percentile(result.latencies_ms, 0.99), percentile(result.latencies_ms, 1.0),
              static_cast<long long>(result.blocks),
              result.blocks > 0 ? static_cast<double>(result.committed) / static_cast<double>(result.blocks) : 0.0);
}

}  // namespace
}  // namespace flex::bench

int main(int argc, char** argv) {
  using namespace flex::bench;
  Options options = parse_options(argc, argv);
  flex::log::set_minimum_level(flex::log::Level::Warn);
  std::printf("bench_network  %s\n", utc_now().c_str());
  std::printf("  cpu            %s\n", first_field("/proc/cpuinfo", "model name").c_str());
  std::printf("  cores          %u (hardware_concurrency)\n", std::thread::hardware_concurrency());
  std::printf("  load average   %s (before the run)\n", load_average().c_str());
  std::printf("  offered        %zu tx/s for %zu s from %zu senders, round-robin over the validators\n", options.rate,
              options.seconds, options.senders);
  print(run(1, options));
  if (options.validators > 1) print(run(options.validators, options));
  return 0;
}
