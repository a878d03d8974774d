// flexsim: the deterministic consensus simulator (docs/CONSENSUS-PLAN.md §5).
//
//   flexsim --seed N [--scenario faults|f+1|all] [--trace]   one seed, with its trace
//   flexsim [--seeds COUNT] [--base B] [--shard K/S] [--keep-going]
//                                                            many seeds (CTest runs 4 shards)
//
// Every seed runs the fault scenario; one seed in 10 (by a hash of the seed) also runs the
// f+1 scenario, and one in 100 (and any single --seed) runs the fault scenario twice to
// check that both runs give the same trace hash. The seed count defaults to FLEX_SIM_SEEDS or
// the build's default, the base to FLEX_SIM_SEED_BASE or 1000. Exit 1 on the first failure,
// after printing the seed, the property and how to replay it.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "tests/sim/sim_world.hpp"

#ifndef FLEX_SIM_DEFAULT_SEEDS
#define FLEX_SIM_DEFAULT_SEEDS 2000
#endif

namespace {

using flex::sim::RunResult;
using flex::sim::Scenario;

struct Arguments {
  std::optional<std::uint64_t> seed;
  std::string scenario = "all";
  bool trace = false;
  std::uint64_t seeds = FLEX_SIM_DEFAULT_SEEDS;
  std::uint64_t base = 1000;
  std::uint64_t shard = 1, shards = 1;
  bool keep_going = false;  // report every failing seed in one line each, for triage
};

std::uint64_t parse_number(const char* text, const char* what) {
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (!text[0] || *end) {
    std::fprintf(stderr, "flexsim: %s must be a number, not '%s'\n", what, text);
    std::exit(2);
  }
  return value;
}

Arguments parse(int argc, char** argv) {
  Arguments arguments;
  if (const char* seeds = std::getenv("FLEX_SIM_SEEDS")) arguments.seeds = parse_number(seeds, "FLEX_SIM_SEEDS");
  if (const char* base = std::getenv("FLEX_SIM_SEED_BASE")) arguments.base = parse_number(base, "FLEX_SIM_SEED_BASE");
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "flexsim: %s needs a value\n", flag.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--seed") {
      arguments.seed = parse_number(value(), "--seed");
    } else if (flag == "--seeds") {
      arguments.seeds = parse_number(value(), "--seeds");
    } else if (flag == "--base") {
      arguments.base = parse_number(value(), "--base");
    } else if (flag == "--keep-going") {
      arguments.keep_going = true;
    } else if (flag == "--trace") {
      arguments.trace = true;
    } else if (flag == "--scenario") {
      arguments.scenario = value();
      if (arguments.scenario != "faults" && arguments.scenario != "f+1" && arguments.scenario != "all") {
        std::fprintf(stderr, "flexsim: --scenario is faults, f+1 or all\n");
        std::exit(2);
      }
    } else if (flag == "--shard") {
      std::string text = value();
      auto slash = text.find('/');
      if (slash == std::string::npos) {
        std::fprintf(stderr, "flexsim: --shard is K/S, for example 1/4\n");
        std::exit(2);
      }
      arguments.shard = parse_number(text.substr(0, slash).c_str(), "--shard K");
      arguments.shards = parse_number(text.substr(slash + 1).c_str(), "--shard S");
      if (arguments.shards == 0 || arguments.shard == 0 || arguments.shard > arguments.shards) {
        std::fprintf(stderr, "flexsim: --shard K/S needs 1 <= K <= S\n");
        std::exit(2);
      }
    } else {
      std::fprintf(stderr, "usage: flexsim --seed N [--scenario faults|f+1|all] [--trace]\n"
                           "       flexsim [--seeds COUNT] [--base B] [--shard K/S] [--keep-going]\n");
      std::exit(2);
    }
  }
  return arguments;
}

bool g_brief_failures = false;

void report_failure(std::uint64_t seed, const char* scenario, const RunResult& result, bool print_lines) {
  const auto& failure = *result.failure;
  if (g_brief_failures) {
    std::printf("FAIL seed %llu %s [%s] %s at height %lld: %s\n", static_cast<unsigned long long>(seed), scenario,
                result.configuration.c_str(), failure.property.c_str(), static_cast<long long>(failure.height),
                failure.detail.c_str());
    std::fflush(stdout);
    return;
  }
  std::printf("FAIL seed %llu (scenario %s)\n", static_cast<unsigned long long>(seed), scenario);
  std::printf("configuration: %s\n", result.configuration.c_str());
  std::printf("property: %s\n", failure.property.c_str());
  std::printf("height: %lld\n", static_cast<long long>(failure.height));
  std::printf("detail: %s\n", failure.detail.c_str());
  std::printf("replay: build/tests/sim/flexsim --seed %llu%s --trace\n", static_cast<unsigned long long>(seed),
              std::strcmp(scenario, "f+1") == 0 ? " --scenario f+1" : "");
  if (print_lines) {
    std::printf("last %zu trace lines:\n", result.last_lines.size());
    for (const auto& line : result.last_lines) std::printf("  %s\n", line.c_str());
  }
  std::fflush(stdout);
}

struct Totals {
  std::uint64_t runs = 0, events = 0;
  std::int64_t virtual_us = 0, heights = 0;
  std::uint64_t evidence_worlds = 0, evidence_records = 0;  // honest validators' evidence on chain
  std::map<std::string, std::uint64_t> configurations;
};

// Runs what seed `seed` asks for; false on a failure (already reported).
bool run_seed(std::uint64_t seed, const Arguments& arguments, bool single, Totals& totals) {
  auto account = [&](const RunResult& result) {
    if (single) {
      std::printf("world: %s; decided height %lld, %llu events, %.1f virtual s, trace hash %016llx\n",
                  result.configuration.c_str(), static_cast<long long>(result.height),
                  static_cast<unsigned long long>(result.events), static_cast<double>(result.virtual_us) / 1e6,
                  static_cast<unsigned long long>(result.trace_hash));
    }
    ++totals.runs;
    totals.events += result.events;
    totals.virtual_us += result.virtual_us;
    totals.heights += result.height;
    if (result.evidence_committed > 0) ++totals.evidence_worlds;
    totals.evidence_records += result.evidence_committed;
    ++totals.configurations[result.configuration];
  };
  // Chosen by a hash of the seed, not the seed itself, so every shard gets its share.
  std::uint64_t mix = seed;
  const std::uint64_t draw = flex::sim::splitmix64(mix);
  bool faults = arguments.scenario != "f+1";
  bool f_plus_one = arguments.scenario == "f+1" || (arguments.scenario == "all" && draw % 10 == 0);
  bool twice = single || (draw >> 32) % 100 == 0;
  if (faults) {
    RunResult result = flex::sim::run_world({seed, Scenario::faults, arguments.trace});
    account(result);
    if (result.failure) {
      report_failure(seed, "faults", result, !arguments.trace);
      return false;
    }
    if (twice) {
      RunResult again = flex::sim::run_world({seed, Scenario::faults, false});
      account(again);
      if (again.trace_hash != result.trace_hash) {
        again.failure = flex::sim::Failure{"determinism", again.height,
                                           "the same seed gave two different traces"};
        report_failure(seed, "faults", again, true);
        return false;
      }
    }
  }
  if (f_plus_one) {
    RunResult result = flex::sim::run_world({seed, Scenario::f_plus_one, arguments.trace});
    account(result);
    if (result.failure) {
      report_failure(seed, "f+1", result, !arguments.trace);
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments = parse(argc, argv);
  Totals totals;
  auto started = std::chrono::steady_clock::now();
  if (arguments.seed) {
    if (!run_seed(*arguments.seed, arguments, /*single=*/true, totals)) return 1;
    std::printf("seed %llu passed (%llu worlds)\n", static_cast<unsigned long long>(*arguments.seed),
                static_cast<unsigned long long>(totals.runs));
    return 0;
  }
  g_brief_failures = arguments.keep_going;
  std::uint64_t seeds_run = 0, failed = 0;
  for (std::uint64_t i = 0; i < arguments.seeds; ++i) {
    if (i % arguments.shards != arguments.shard - 1) continue;
    ++seeds_run;
    if (!run_seed(arguments.base + i, arguments, /*single=*/false, totals)) {
      ++failed;
      if (!arguments.keep_going) return 1;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("flexsim: shard %llu/%llu: %llu seeds from base %llu run (%llu worlds) in %.1f s wall, "
              "%.0f virtual s, %llu events, mean decided height %.1f\n",
              static_cast<unsigned long long>(arguments.shard), static_cast<unsigned long long>(arguments.shards),
              static_cast<unsigned long long>(seeds_run), static_cast<unsigned long long>(arguments.base),
              static_cast<unsigned long long>(totals.runs), seconds, static_cast<double>(totals.virtual_us) / 1e6,
              static_cast<unsigned long long>(totals.events),
              totals.runs ? static_cast<double>(totals.heights) / static_cast<double>(totals.runs) : 0.0);
  std::printf("  %llu runs with honest evidence on chain, %llu equivocations recorded\n",
              static_cast<unsigned long long>(totals.evidence_worlds),
              static_cast<unsigned long long>(totals.evidence_records));
  for (const auto& [configuration, count] : totals.configurations) {
    std::printf("  %llu runs: %s\n", static_cast<unsigned long long>(count), configuration.c_str());
  }
  if (failed) {
    std::printf("flexsim: %llu of %llu seeds failed\n", static_cast<unsigned long long>(failed),
                static_cast<unsigned long long>(seeds_run));
    return 1;
  }
  return 0;
}
