// flexnode: runs a FlexLedger node.
//   flexnode --dev [--data DIR] [--listen HOST:PORT] [--empty-block-interval-ms N]
//   flexnode --config FILE [--data DIR] [--listen HOST:PORT]
// SIGINT or SIGTERM stops it cleanly: the API stops accepting, the block in progress is
// committed or abandoned, and the store is closed.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "api/http_server.hpp"
#include "api/routes.hpp"
#include "node/chain.hpp"
#include "node/config.hpp"
#include "node/consensus/solo_validator.hpp"
#include "node/dev_setup.hpp"
#include "node/keyfile.hpp"
#include "node/log.hpp"

namespace {

constexpr const char* version = "0.1.0";

void print_usage() {
  std::cerr << "usage: flexnode --dev [--data DIR] [--listen HOST:PORT] [--empty-block-interval-ms N]\n"
               "       flexnode --config FILE [--data DIR] [--listen HOST:PORT]\n";
}

flex::NodeConfig parse_arguments(int argc, char** argv) {
  flex::NodeConfig config;
  config.webui_dir = FLEX_DEFAULT_WEBUI_DIR;
  std::optional<std::string> data, listen, interval, config_file;
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
    else if (argument == "--help" || argument == "-h") { print_usage(); std::exit(0); }
    else throw std::runtime_error("unknown argument '" + argument + "'");
  }
  if (!config.dev && !config_file) throw std::runtime_error("give --dev or --config FILE");
  if (config_file) flex::apply_config_file(config, *config_file);
  if (data) config.data_dir = *data;
  if (listen) flex::apply_listen_address(config, *listen);
  if (interval) config.empty_block_interval = flex::parse_empty_block_interval(*interval);
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

int run(const flex::NodeConfig& config) {
  flex::SystemClock clock;
  if (config.dev) flex::prepare_dev_data_dir(config, clock);
  std::filesystem::create_directories(config.data_dir);
  flex::Genesis genesis = read_genesis_file(config.resolved_genesis_file());
  flex::SecretKey key = flex::read_key_file(config.resolved_key_file());
  flex::PublicKey public_key = *flex::derive_public_key(key);

  auto chain = flex::Chain::open(config.store_path(), genesis);
  std::atomic<bool> failed{false};
  flex::SoloValidatorOptions validator_options{config.empty_block_interval, [&failed](const std::string&) {
                                                 failed = true;
                                                 ::kill(::getpid(), SIGTERM);  // stop the whole node
                                               }};
  flex::SoloValidator validator(*chain, key, clock, validator_options);
  chain->set_on_admitted([&validator] { validator.notify_transaction(); });

  flex::api::Router router(*chain, flex::api::NodeIdentity{public_key, true, version}, config.webui_dir);
  flex::api::HttpServer server(config.listen_host, config.listen_port,
                               [&router](const flex::api::Request& request) { return router.handle(request); });
  server.start(std::max(2u, std::thread::hardware_concurrency()));
  validator.start();
  auto status = chain->status();
  flex::log::info("node.started", {{"chain_id", status.chain_id},
                                   {"height", status.height},
                                   {"participant", flex::to_hex(public_key)},
                                   {"data_dir", config.data_dir},
                                   {"url", "http://" + config.listen_host + ":" + std::to_string(server.bound_port())}});

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
