// flexnode: runs a FlexLedger node.
//   flexnode --dev [--data DIR] [--listen HOST:PORT] [--empty-block-interval-ms N] [--rate-limit-per-second N]
//                  [--session-lifetime-seconds N] [--dev-isp-seconds N] [--webui-dir DIR]
//   flexnode --config FILE [--data DIR] [--listen HOST:PORT] [--rate-limit-per-second N] [--webui-dir DIR]
//   either with [--p2p-listen HOST:PORT] [--peer HOST:PORT]... to join a network of validators
// SIGINT or SIGTERM stops it cleanly: the API stops accepting, the block in progress is
// committed or abandoned, and the store is closed.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "api/api.hpp"
#include "api/http_server.hpp"
#include "api/user_store.hpp"
#include "node/chain.hpp"
#include "node/config.hpp"
#include "contracts/evidence.hpp"
#include "node/consensus/tendermint_node.hpp"
#include "node/dev_setup.hpp"
#include "node/keyfile.hpp"
#include "node/log.hpp"
#include "node/node_signer.hpp"

namespace {

constexpr const char* version = "0.1.0";

void print_usage() {
  std::cerr << "usage: flexnode --dev [--data DIR] [--listen HOST:PORT] [--empty-block-interval-ms N]\n"
               "                [--rate-limit-per-second N] [--session-lifetime-seconds N]\n"
               "                [--dev-isp-seconds N (a new dev chain's ISP length, default 900)] [--webui-dir DIR]\n"
               "       flexnode --config FILE [--data DIR] [--listen HOST:PORT] [--rate-limit-per-second N]\n"
               "                [--webui-dir DIR (the dashboard to serve at /; empty: none)]\n"
               "       either with [--p2p-listen HOST:PORT] [--peer HOST:PORT]... (peer-to-peer network)\n";
}

// An option's integer value in [min, max], or a message that names the option and range.
std::int64_t bounded_integer(const std::string& option, const std::string& text, std::int64_t min, std::int64_t max,
                             const std::string& note = "") {
  std::size_t used = 0;
  long long value = min - 1;
  try { value = std::stoll(text, &used); } catch (const std::exception&) {}
  if (used != text.size() || value < min || value > max) {
    throw std::runtime_error(option + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]" + note);
  }
  return value;
}

flex::NodeConfig parse_arguments(int argc, char** argv) {
  flex::NodeConfig config;
  config.webui_dir = FLEX_DEFAULT_WEBUI_DIR;
  std::optional<std::string> data, listen, interval, config_file, rate_limit, session_lifetime, dev_isp, webui_dir, p2p_listen;
  std::vector<std::string> peers;
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(argument + " needs a value");
      return argv[++i];
    };
    if (argument == "--dev") config.dev = true;
    else if (argument == "--config") config_file = value();
    else if (argument == "--data") data = value();
    else if (argument == "--listen") listen = value();
    else if (argument == "--empty-block-interval-ms") interval = value();
    else if (argument == "--rate-limit-per-second") rate_limit = value();
    else if (argument == "--session-lifetime-seconds") session_lifetime = value();
    else if (argument == "--dev-isp-seconds") dev_isp = value();
    else if (argument == "--webui-dir") webui_dir = value();
    else if (argument == "--p2p-listen") p2p_listen = value();
    else if (argument == "--peer") peers.push_back(value());
    else if (argument == "--help" || argument == "-h") { print_usage(); std::exit(0); }
    else throw std::runtime_error("unknown argument '" + argument + "'");
  }
  if (!config.dev && !config_file) throw std::runtime_error("give --dev or --config FILE");
  if (config_file) flex::apply_config_file(config, *config_file);
  if (data) config.data_dir = *data;
  if (listen) flex::apply_listen_address(config, *listen);
  if (interval) config.empty_block_interval = flex::parse_empty_block_interval(*interval);
  if (webui_dir) config.webui_dir = *webui_dir;
  if (p2p_listen) {
    flex::parse_host_port(*p2p_listen, "--p2p-listen");
    config.p2p_listen = *p2p_listen;
  }
  for (const auto& peer : peers) flex::parse_host_port(peer, "--peer");
  if (!peers.empty()) config.peers = peers;
  if (rate_limit) {
    config.rate_limit_per_second = bounded_integer("--rate-limit-per-second", *rate_limit, 0, 1'000'000, " (0: off)");
    config.rate_limit_burst = std::max<std::int64_t>(config.rate_limit_burst, 2 * config.rate_limit_per_second);
  }
  if (session_lifetime) {
    config.session_lifetime_seconds = bounded_integer("--session-lifetime-seconds", *session_lifetime, 1, 30 * 86'400);
  }
  if (dev_isp) {
    if (!config.dev) throw std::runtime_error("--dev-isp-seconds is for --dev only");
    config.dev_isp_seconds = bounded_integer("--dev-isp-seconds", *dev_isp, 60, 3600);
    if (3600 % config.dev_isp_seconds != 0) throw std::runtime_error("--dev-isp-seconds must divide 3600");
  }
  return config;
}

flex::Genesis read_genesis_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read genesis file " + path);
  std::stringstream text;
  text << file.rdbuf();
  auto genesis = flex::parse_genesis_text(text.str());
  if (!genesis) throw std::runtime_error("genesis file " + path + ": " + genesis.rejection().message);
  return *genesis;
}

// Dev mode: a user per hosted participant (for the node's own key "operator" when genesis
// makes it the market operator, as a dev chain does, else "node"; for the others the key
// file's role), with a random password kept in <data>/dev_logins.json (mode 0600) and
// printed at every start, so a developer can log in to each role.
void prepare_dev_users(const flex::NodeConfig& config, const flex::Genesis& genesis, const flex::Keyring& keyring,
                       flex::api::UserStore& users, const flex::Clock& clock) {
  std::string logins_path = config.data_dir + "/dev_logins.json";
  flex::Json logins = flex::Json::object();
  if (std::ifstream file(logins_path); file) logins = flex::Json::parse(file, nullptr, false);
  if (!logins.is_object()) logins = flex::Json::object();
  bool node_is_operator = std::any_of(genesis.participants.begin(), genesis.participants.end(), [&](const auto& p) {
    return p.public_key == keyring.node_participant() &&
           std::find(p.roles.begin(), p.roles.end(), "operator") != p.roles.end();
  });
  std::vector<std::pair<std::string, flex::PublicKey>> hosted{{node_is_operator ? "operator" : "node", keyring.node_participant()}};
  for (const char* role : flex::dev_roles) {
    std::string path = config.hosted_keys_dir() + "/" + role + ".json";
    if (std::filesystem::exists(path)) hosted.emplace_back(role, *flex::derive_public_key(flex::read_key_file(path)));
  }
  bool changed = false;
  for (const auto& [name, key] : hosted) {
    if (!users.find(name)) {
      std::string password = flex::to_hex(flex::random_bytes32()).substr(0, 20);
      if (auto added = users.add(name, flex::to_hex(key), password, clock.now_seconds()); !added) {
        throw std::runtime_error("dev user " + name + ": " + added.rejection().message);
      }
      logins[name] = password;
      changed = true;
    }
  }
  if (changed) flex::write_file_atomically(logins_path, logins.dump(2) + "\n", 0600, /*exclusive=*/false);
  for (const auto& [name, password] : logins.items()) {
    flex::log::info("dev.login", {{"user", name}, {"password", password}});
  }
}

int run(const flex::NodeConfig& config) {
  flex::SystemClock clock;
  if (config.dev) flex::prepare_dev_data_dir(config, clock);
  flex::check_listen_security(config);
  std::filesystem::create_directories(config.data_dir);
  flex::Genesis genesis = read_genesis_file(config.resolved_genesis_file());
  flex::Keyring keyring = flex::Keyring::load(config.resolved_key_file(), config.hosted_keys_dir());
  flex::SecretKey key = keyring.node_key();
  flex::PublicKey public_key = keyring.node_participant();
  auto users = flex::api::UserStore::open(config.users_path());
  if (config.dev) prepare_dev_users(config, genesis, keyring, *users, clock);

  auto chain = flex::Chain::open(config.store_path(), genesis);
  std::atomic<bool> failed{false};
  auto validators = chain->validators();
  const bool is_validator = std::any_of(validators.begin(), validators.end(),
                                        [&](const flex::Validator& v) { return v.public_key == public_key; });
  if (!config.networked() && !(is_validator && validators.size() == 1)) {
    throw std::runtime_error("this chain has " + std::to_string(validators.size()) +
                             " validators and this node is not its only one: give p2p_listen and peers (or --p2p-listen "
                             "and --peer) so the node can reach the others");
  }
  flex::consensus::TendermintNodeOptions consensus_options;
  consensus_options.driver.empty_block_interval_ms = config.empty_block_interval.count();
  consensus_options.on_failure = [&failed](const std::string&) {
    failed = true;
    ::kill(::getpid(), SIGTERM);  // stop the whole node
  };
  if (is_validator) consensus_options.privval_path = config.privval_path();
  if (config.networked()) {
    flex::p2p::PeerNetworkOptions network;
    if (!config.p2p_listen.empty()) {
      auto [host, port] = flex::parse_host_port(config.p2p_listen, "p2p_listen");
      network.listen_host = host;
      network.listen_port = port;
    }
    network.peers = config.peers;
    network.max_peers = static_cast<std::size_t>(config.max_peers);
    consensus_options.network = network;
  }
  flex::NodeSigner signer(*chain, std::move(keyring), clock);
  // A validator reports equivocation it sees as an evidence transaction under its own key.
  consensus_options.on_equivocation = [&signer, &public_key, is_validator](const flex::consensus::SignedVote& first,
                                                                          const flex::consensus::SignedVote& second) {
    if (!is_validator) return;
    auto submitted = signer.submit(public_key, flex::duplicate_vote_type, flex::duplicate_vote_payload(first, second));
    if (submitted) {
      flex::log::warn("evidence.reported", {{"validator", flex::to_hex(first.validator)}, {"tx", flex::to_hex(submitted->id)}});
    } else {
      flex::log::info("evidence.not_reported", {{"code", submitted.rejection().code}, {"reason", submitted.rejection().message}});
    }
  };
  flex::consensus::TendermintNode validator(*chain, key, clock, consensus_options);
  chain->set_on_admitted([&validator](std::string_view canonical) { validator.on_admitted(canonical); });

  flex::api::ApiOptions api_options;
  api_options.version = version;
  api_options.webui_dir = config.webui_dir;
  api_options.session_lifetime = std::chrono::seconds(config.session_lifetime_seconds);
  api_options.secure_cookies = config.cookies_secure();
  flex::api::Api api(*chain, signer, *users, clock, api_options);
  chain->set_on_committed([&api](std::int64_t height, const flex::WriteSet& writes) { api.on_committed(height, writes); });

  flex::api::ServerLimits limits;
  limits.rate_per_second = static_cast<std::uint32_t>(config.rate_limit_per_second);
  limits.rate_burst = static_cast<std::uint32_t>(config.rate_limit_burst);
  std::optional<flex::api::TlsFiles> tls;
  if (config.tls()) tls = flex::api::TlsFiles{config.tls_certificate_file, config.tls_private_key_file};
  flex::api::HttpServer server(
      config.listen_host, config.listen_port,
      [&api](const flex::api::Request& request, const flex::api::ClientInfo& client) { return api.handle(request, client); },
      limits, tls);
  api.set_server_counters([&server] { return server.counters(); });
  api.set_network_status([&validator, &chain] {
    return flex::consensus::network_status_json(validator.network_status(), chain->status().height);
  });
  // One I/O thread per core: writes and logins, which wait, run on the server's blocking pool.
  server.start(std::max(2u, std::thread::hardware_concurrency()));
  validator.start();
  auto status = chain->status();
  auto network = validator.network_status();
  flex::log::info("node.started", {{"chain_id", status.chain_id},
                                   {"height", status.height},
                                   {"role", is_validator ? "validator" : "full"},
                                   {"p2p_port", network.p2p_port},
                                   {"participant", flex::to_hex(public_key)},
                                   {"data_dir", config.data_dir},
                                   {"url", std::string(config.tls() ? "https://" : "http://") + config.listen_host + ":" +
                                               std::to_string(server.bound_port())}});

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
  flex::log::info("node.stopping", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
  server.stop();
  validator.stop();
  flex::log::info("node.stopped", {{"height", chain->status().height}});
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Block the stop signals in every thread; the main thread takes them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  try {
    flex::NodeConfig config = parse_arguments(argc, argv);
    if (config.log_level == "debug") flex::log::set_minimum_level(flex::log::Level::Debug);
    if (config.log_level == "warn") flex::log::set_minimum_level(flex::log::Level::Warn);
    return run(config);
  } catch (const std::exception& error) {
    flex::log::error("node.failed", {{"reason", error.what()}});
    print_usage();
    return 1;
  }
}
