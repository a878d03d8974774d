// bench_api: the REST API over real loopback sockets, for the issue's figure "at least
// 10,000 reads per second on 2 cores with p99 under 10 ms".
//
// The node under test is the real flexnode binary, started as a child process:
//   flexnode --dev --data TMP/data --listen 127.0.0.1:0 --rate-limit-per-second 0
// rather than Chain, SoloValidator, NodeSigner, Api and HttpServer assembled in this
// process, because a child measures what is deployed: flexnode's own main (its server
// thread count, logger, dev genesis with hosted role keys and dev users) and not a copy
// that could drift from it. It also keeps the node's CPU time apart from the load
// generator's (/proc/PID/stat), so the report can say how much of the cores the node got,
// and lets `perf record -p PID` profile the node alone. The price is a spawn and reading
// the bound port from the node's "node.started" log line.
//
// One run, on a throw-away directory under $TMPDIR that is removed at the end:
//   1. seed through the API only (never SQLite): deposits, a zone of the DSO's, N assets
//      and N offers alternately by the prosumer and the aggregator, each asset prequalified
//      by the DSO, a few requests of the DSO's, and K fresh signers admitted and funded;
//   2. reads: C closed-loop keep-alive connections, one thread each, for D seconds after a
//      warm-up, each latency recorded in integer microseconds:
//        GET /api/v1/offers?zone_id=Z&limit=20 as the DSO (the headline figure),
//        the same with format=csv, the same with direction=down (matches nothing, so the
//        query reads all N offers), and GET /api/v1/status (no login: the cheapest path);
//   3. optionally (--wrk) the headline read again with Debian's wrk, as a second opinion;
//   4. writes: POST /api/v1/transfers as the operator to the DSO (amount 1; the node signs
//      and answers once the block is committed) on a few connections for D seconds, then
//      M pre-signed token.transfer transactions from the K signers through POST
//      /api/v1/txs (answered 202 at admission), timed until the last is admitted and
//      until the mempool is empty; balances are checked afterwards. With --mixed, also
//      GET /api/v1/status on C connections while W connections POST transfers.
// It prints a table and exits 1 if any request failed unexpectedly (2 on a setup error).
//
// Usage: bench_api [--connections C] [--seconds D] [--warmup W] [--offers N]
//                  [--write-connections W] [--signers K] [--txs M] [--tx-connections T]
//                  [--flexnode PATH] [--wrk] [--mixed]
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ledger/canonical_json.hpp"
#include "ledger/transaction.hpp"
#include "node/keyfile.hpp"
#include "machine_facts.hpp"

extern char** environ;

namespace flex::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

constexpr std::size_t default_connections = 32;
constexpr std::int64_t default_seconds = 10;
constexpr std::int64_t default_warmup_seconds = 2;
constexpr std::size_t default_offers = 200;
constexpr std::size_t default_write_connections = 4;
constexpr std::size_t default_signers = 16;
constexpr std::size_t default_txs = 20000;
constexpr std::size_t default_tx_connections = 8;
constexpr std::size_t max_connections = 1000;  // the node accepts 1,024 (ServerLimits::max_connections)
constexpr std::size_t max_offers = 10000;
constexpr std::size_t max_txs = 1000000;
constexpr std::size_t page_limit = 20;          // limit= of the offer query
constexpr std::size_t dso_requests = 3;
constexpr std::int64_t target_reads_per_second = 10000;  // the figure
constexpr std::int64_t target_p99_us = 10000;
constexpr auto request_timeout = std::chrono::seconds(15);  // a signed write waits up to 10 s for its block
constexpr auto node_start_timeout = std::chrono::seconds(30);
constexpr auto node_stop_timeout = std::chrono::seconds(10);
constexpr auto drain_timeout = std::chrono::seconds(120);
constexpr auto mempool_full_backoff = std::chrono::milliseconds(1);
constexpr auto reconnect_backoff = std::chrono::milliseconds(10);
constexpr const char* wrk_threads = "2";  // one per core of the target machine
#ifndef FLEXNODE_PATH
#define FLEXNODE_PATH "flexnode"
#endif

struct Options {
  std::size_t connections = default_connections;
  std::int64_t seconds = default_seconds;
  std::int64_t warmup_seconds = default_warmup_seconds;
  std::size_t offers = default_offers;
  std::size_t write_connections = default_write_connections;
  std::size_t signers = default_signers;
  std::size_t txs = default_txs;
  std::size_t tx_connections = default_tx_connections;
  std::string flexnode = FLEXNODE_PATH;
  bool wrk = false;
  bool mixed = false;
};

std::size_t parse_count(const char* text, const std::string& flag, std::size_t low, std::size_t high) {
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || value < low || value > high) {
    throw std::invalid_argument(flag + " needs an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]");
  }
  return static_cast<std::size_t>(value);
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    bool has_value = i + 1 < argc;
    if (flag == "--connections" && has_value) options.connections = parse_count(argv[++i], flag, 1, max_connections);
    else if (flag == "--seconds" && has_value) options.seconds = static_cast<std::int64_t>(parse_count(argv[++i], flag, 1, 3600));
    else if (flag == "--warmup" && has_value) options.warmup_seconds = static_cast<std::int64_t>(parse_count(argv[++i], flag, 0, 600));
    else if (flag == "--offers" && has_value) options.offers = parse_count(argv[++i], flag, page_limit + 1, max_offers);
    else if (flag == "--write-connections" && has_value) options.write_connections = parse_count(argv[++i], flag, 1, max_connections);
    else if (flag == "--signers" && has_value) options.signers = parse_count(argv[++i], flag, 1, 1000);
    else if (flag == "--txs" && has_value) options.txs = parse_count(argv[++i], flag, 1, max_txs);
    else if (flag == "--tx-connections" && has_value) options.tx_connections = parse_count(argv[++i], flag, 1, max_connections);
    else if (flag == "--flexnode" && has_value) options.flexnode = argv[++i];
    else if (flag == "--wrk") options.wrk = true;
    else if (flag == "--mixed") options.mixed = true;
    else {
      throw std::invalid_argument(
          "usage: bench_api [--connections C] [--seconds D] [--warmup W] [--offers N] [--write-connections W]\n"
          "                 [--signers K] [--txs M] [--tx-connections T] [--flexnode PATH] [--wrk] [--mixed]");
    }
  }
  if (options.signers > options.txs) options.signers = options.txs;
  return options;
}

// ---- machine facts and CPU time -------------------------------------------------------

// User + system CPU time of a process in clock ticks (/proc/PID/stat fields 14 and 15).
std::int64_t cpu_ticks(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');  // the command name may hold spaces; fields follow its ')'
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  std::int64_t user = 0, system = 0;
  for (int index = 3; fields >> field; ++index) {  // field 3 is the state
    if (index == 14) user = std::stoll(field);
    if (index == 15) {
      system = std::stoll(field);
      break;
    }
  }
  return user + system;
}

// Cores kept busy: CPU ticks over wall time.
double cores_busy(std::int64_t ticks, SteadyClock::duration wall) {
  double seconds = std::chrono::duration<double>(wall).count();
  return seconds > 0 ? static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK)) / seconds : 0.0;
}

std::int64_t micros_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
}

double per_second(std::size_t count, std::int64_t micros) {
  return micros > 0 ? static_cast<double>(count) * 1e6 / static_cast<double>(micros) : 0.0;
}

// ---- the node ------------------------------------------------------------------------

// A directory that is removed again, whatever happens.
class TempDirectory {
 public:
  TempDirectory() {
    path_ = std::filesystem::temp_directory_path() /
            ("flexledger-bench-api-" + std::to_string(::getpid()) + "-" + to_hex(random_bytes32()).substr(0, 12));
    std::filesystem::create_directories(path_);
  }
  ~TempDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

// Starts `arguments` with stdout and stderr sent to the given files (empty: inherited).
pid_t spawn(const std::vector<std::string>& arguments, const std::string& stdout_path, const std::string& stderr_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stdout_path.empty()) posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (!stderr_path.empty()) posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int failed = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) throw std::runtime_error("cannot start " + arguments[0] + ": " + std::strerror(failed));
  return pid;
}

// The flexnode child: started in the constructor, SIGTERMed (then SIGKILLed) and reaped by
// the destructor, so no node outlives the benchmark.
class NodeChild {
 public:
  NodeChild(const std::string& program, const std::filesystem::path& directory)
      : data_dir_(directory / "data"), log_path_(directory / "node.log") {
    pid_ = spawn({program, "--dev", "--data", data_dir_.string(), "--listen", "127.0.0.1:0", "--rate-limit-per-second", "0"},
                 (directory / "node.stdout").string(), log_path_.string());
    auto deadline = SteadyClock::now() + node_start_timeout;
    while (SteadyClock::now() < deadline) {
      std::istringstream lines(read_file(log_path_));
      for (std::string line; std::getline(lines, line);) {
        Json event = Json::parse(line, nullptr, false);
        if (event.is_object() && event.value("event", "") == "node.started") {
          std::string url = event.value("url", "");
          port_ = static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
          return;
        }
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    throw std::runtime_error("flexnode did not start; its log:\n" + read_file(log_path_));
  }
  ~NodeChild() { stop(); }
  NodeChild(const NodeChild&) = delete;
  NodeChild& operator=(const NodeChild&) = delete;

  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    auto deadline = SteadyClock::now() + node_stop_timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (SteadyClock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }

  std::filesystem::path data_dir_, log_path_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// ---- HTTP ----------------------------------------------------------------------------

HttpRequest make_request(http::verb method, const std::string& target, const std::string& token, std::string body = {}) {
  HttpRequest request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

// One keep-alive connection, used by one thread. Each exchange runs Beast's asynchronous
// operations to completion on the connection's own io_context under a deadline, so a hung
// node fails the benchmark instead of hanging it.
class Connection {
 public:
  explicit Connection(std::uint16_t port) : port_(port), stream_(io_) {}

  // False on any transport failure (refused, reset, timed out, malformed); the connection
  // is then closed, and the next exchange opens a new one. `response` is replaced.
  bool exchange(const HttpRequest& request, HttpResponse& response) {
    if (!connected_ && !connect()) return false;
    response = {};
    beast::error_code failure;
    stream_.expires_after(request_timeout);
    http::async_write(stream_, request, [&](beast::error_code error, std::size_t) {
      if (error) {
        failure = error;
        return;
      }
      http::async_read(stream_, buffer_, response, [&](beast::error_code read_error, std::size_t) { failure = read_error; });
    });
    io_.restart();
    io_.run();
    if (failure || !response.keep_alive()) close();
    return !failure;
  }

 private:
  bool connect() {
    beast::error_code error;
    stream_.socket().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), error);
    if (error) {
      close();
      return false;
    }
    stream_.socket().set_option(tcp::no_delay(true), error);
    connected_ = true;
    return true;
  }
  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    buffer_.clear();
    connected_ = false;
  }

  std::uint16_t port_;
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

// A client for seeding and checks: every call must succeed, else it throws quoting the reply.
class Client {
 public:
  explicit Client(std::uint16_t port, std::string token = {}) : connection_(port), token_(std::move(token)) {}

  HttpResponse send(http::verb method, const std::string& target, const std::string& body = {}) {
    HttpResponse response;
    if (!connection_.exchange(make_request(method, target, token_, body), response)) {
      throw std::runtime_error(std::string(http::to_string(method)) + " " + target + ": no reply");
    }
    return response;
  }
  // The reply as JSON; throws unless the status is 2xx.
  Json call(http::verb method, const std::string& target, const Json& body = nullptr) {
    HttpResponse response = send(method, target, body.is_null() ? std::string() : body.dump());
    if (response.result_int() < 200 || response.result_int() >= 300) {
      throw std::runtime_error(std::string(http::to_string(method)) + " " + target + " answered " +
                               std::to_string(response.result_int()) + " " + response.body().substr(0, 400));
    }
    return Json::parse(response.body(), nullptr, false);
  }
  Json get(const std::string& target) { return call(http::verb::get, target); }
  Json post(const std::string& target, const Json& body) { return call(http::verb::post, target, body); }

 private:
  Connection connection_;
  std::string token_;
};

// ---- the market, seeded through the API ----------------------------------------------

const std::vector<std::string> logins = {"operator", "prosumer", "aggregator", "dso", "tso"};
constexpr const char* zone_id = "z-bench";

struct Market {
  std::map<std::string, std::string> tokens;        // user -> bearer token
  std::map<std::string, std::string> participants;  // user -> participant hex
  std::string chain_id;
  std::vector<SecretKey> signer_keys;  // admitted and funded for POST /txs
};

// Bearer tokens of the dev users, from the passwords the dev node keeps in dev_logins.json.
void log_in(std::uint16_t port, const std::filesystem::path& data_dir, Market& market) {
  Json passwords = Json::parse(read_file(data_dir / "dev_logins.json"), nullptr, false);
  for (const auto& user : logins) {
    if (!passwords.is_object() || !passwords.contains(user)) throw std::runtime_error("no dev login for " + user);
    Client anonymous(port);
    Json session = anonymous.post("/api/v1/auth/login", {{"mode", "bearer"}, {"password", passwords[user]}, {"user", user}});
    market.tokens[user] = session["token"].get<std::string>();
    market.participants[user] = Client(port, market.tokens[user]).get("/api/v1/auth/me")["participant"].get<std::string>();
  }
}

// Every other asset (from `first`) with its offer, registered by `user`; the DSO
// prequalifies each asset in between.
void seed_seller(std::uint16_t port, const Market& market, const std::string& user, std::size_t first, std::size_t count,
                 std::int64_t start) {
  Client seller(port, market.tokens.at(user));
  Client dso(port, market.tokens.at("dso"));
  for (std::size_t i = first; i < count; i += 2) {
    std::string asset = "a" + std::to_string(100000 + i), offer = "o" + std::to_string(100000 + i);
    seller.post("/api/v1/assets", {{"asset_id", asset}, {"connection_w", 17'000}, {"max_down_w", 11'000}, {"max_up_w", 11'000},
                                   {"metering_point_id", "MP-" + asset}, {"name", "Bench EV charger"}, {"storage_wh", 0},
                                   {"technology", "ev_charger"}, {"zone_id", zone_id}});
    dso.post("/api/v1/assets/" + asset + "/prequalification", {{"decision", "qualified"}});
    std::int64_t price = 200'000'000 + static_cast<std::int64_t>(i) * 1000;
    seller.post("/api/v1/offers", {{"offer_id", offer}, {"zone_id", zone_id}, {"asset_ids", {asset}}, {"direction", "up"},
                                   {"product", "energy"}, {"start", start}, {"end", start + 3600}, {"expires_at", start},
                                   {"power_w", 10'000}, {"activation_price_micro_per_mwh", price}, {"min_activation_ppm", 1},
                                   {"baseline", {{"method", "meter_before_after"}, {"version", 1}}}});
  }
}

// K fresh keys admitted as prosumers and funded, to sign the transactions of POST /txs.
void admit_signers(std::uint16_t port, const Options& options, Market& market) {
  Client operator_client(port, market.tokens.at("operator"));
  for (std::size_t i = 0; i < options.signers; ++i) {
    market.signer_keys.push_back(generate_secret_key());
    std::string key = to_hex(*derive_public_key(market.signer_keys.back()));
    std::string n = std::to_string(i);
    operator_client.post("/api/v1/participants", {{"name", "Bench signer " + n}, {"public_key", key}, {"roles", {"prosumer"}}});
    operator_client.post("/api/v1/deposits", {{"amount_micro", 1'000'000'000}, {"fiat_reference", "bench-signer-" + n}, {"to", key}});
  }
}

// Money, the zone, the assets and offers (from two threads, one per seller, since every
// write waits for its block), the DSO's requests and the signers.
void seed_market(std::uint16_t port, const Options& options, Market& market) {
  Client operator_client(port, market.tokens.at("operator"));
  Client dso(port, market.tokens.at("dso"));
  market.chain_id = Client(port).get("/api/v1/status")["chain_id"].get<std::string>();
  operator_client.post("/api/v1/deposits", {{"amount_micro", 1'000'000'000'000}, {"fiat_reference", "bench-operator"},
                                            {"to", market.participants.at("operator")}});
  operator_client.post("/api/v1/deposits", {{"amount_micro", 100'000'000}, {"fiat_reference", "bench-dso"},
                                            {"to", market.participants.at("dso")}});
  Json ring = Json::array({Json::array({4'000'000, 52'000'000}), Json::array({4'100'000, 52'000'000}),
                           Json::array({4'100'000, 52'100'000}), Json::array({4'000'000, 52'000'000})});
  dso.post("/api/v1/zones", {{"export_limit_w", 1'000'000'000}, {"import_limit_w", 1'000'000'000}, {"kind", "feeder"},
                             {"name", "Bench feeder"}, {"polygon", {{"type", "Polygon"}, {"coordinates", Json::array({ring})}}},
                             {"zone_id", zone_id}});
  std::int64_t start = (std::time(nullptr) / 900 + 8) * 900;  // two hours ahead, ISP-aligned
  std::string failures[2];
  {
    std::vector<std::jthread> sellers;
    for (std::size_t first = 0; first < 2; ++first) {
      sellers.emplace_back([&, first] {
        try {
          seed_seller(port, market, first == 0 ? "prosumer" : "aggregator", first, options.offers, start);
        } catch (const std::exception& error) {
          failures[first] = error.what();
        }
      });
    }
  }
  for (const auto& failure : failures) {
    if (!failure.empty()) throw std::runtime_error("seeding: " + failure);
  }
  for (std::size_t i = 0; i < dso_requests; ++i) {
    dso.post("/api/v1/requests", {{"request_id", "r" + std::to_string(i)}, {"zone_id", zone_id}, {"direction", "up"},
                                  {"product", "energy"}, {"start", start}, {"end", start + 3600}, {"expires_at", start},
                                  {"power_w", 10'000}, {"max_activation_price_micro_per_mwh", 100'000'000}});
  }
  admit_signers(port, options, market);
}

// The query must return a full page of the DSO's zone: a cheap empty answer would flatter the figure.
void check_offer_page(std::uint16_t port, const Market& market, const std::string& target) {
  Json page = Client(port, market.tokens.at("dso")).get(target);
  if (!page.contains("items") || page["items"].size() != page_limit || page["next_after"].is_null()) {
    throw std::runtime_error("GET " + target + " as the DSO did not return a full page of " + std::to_string(page_limit) + " offers");
  }
}

std::int64_t available_micro(Client& reader, const std::string& participant) {
  return reader.get("/api/v1/accounts/" + participant)["available_micro"].get<std::int64_t>();
}

// ---- load ----------------------------------------------------------------------------

// Returns a description of what is wrong with a response, or nullopt when it is as expected.
using Check = std::function<std::optional<std::string>(const HttpResponse&)>;

Check expect_status(unsigned status, std::string must_contain = {}) {
  return [status, must_contain = std::move(must_contain)](const HttpResponse& response) -> std::optional<std::string> {
    if (response.result_int() != status) {
      return "status " + std::to_string(response.result_int()) + " " + response.body().substr(0, 200);
    }
    if (response.body().empty() || (!must_contain.empty() && response.body().find(must_contain) == std::string::npos)) {
      return "unexpected body " + response.body().substr(0, 200);
    }
    return std::nullopt;
  };
}

struct ThreadResult {
  std::vector<std::int64_t> latencies_us;  // requests started after the warm-up
  std::size_t errors = 0;
  std::size_t retries = 0;  // POST /txs answered 503 mempool.full, sent again
  std::size_t answered_ok = 0;  // as expected, warm-up included
  std::string first_error;
  SteadyClock::time_point last_finish{};
  std::size_t body_bytes = 0;  // of the last good response
};

void note_error(ThreadResult& result, const std::string& what) {
  if (result.errors++ == 0) result.first_error = what;
}

struct RunResult {
  std::string name;
  std::size_t connections = 0;
  std::vector<std::int64_t> latencies_us;  // sorted
  std::size_t errors = 0;
  std::size_t retries = 0;
  std::size_t answered_ok = 0;
  std::string first_error;
  std::size_t body_bytes = 0;
  std::int64_t window_us = 0;  // from the end of the warm-up to the last measured reply
  double node_cores = 0, bench_cores = 0;
  double rate() const { return per_second(latencies_us.size(), window_us); }
  // The node's CPU time per request: what the route costs, whatever else runs on the machine.
  double node_cpu_us_per_request() const { return rate() > 0 ? node_cores * 1e6 / rate() : 0.0; }
  // Nearest rank: the smallest latency at or above `per_100000` of the samples.
  std::int64_t percentile(std::size_t per_100000) const {
    if (latencies_us.empty()) return 0;
    std::size_t rank = (latencies_us.size() * per_100000 + 99999) / 100000;
    return latencies_us[std::max<std::size_t>(rank, 1) - 1];
  }
};

RunResult merge(std::string name, std::vector<ThreadResult>& threads) {
  RunResult run;
  run.name = std::move(name);
  run.connections = threads.size();
  for (auto& thread : threads) {
    run.latencies_us.insert(run.latencies_us.end(), thread.latencies_us.begin(), thread.latencies_us.end());
    run.retries += thread.retries;
    run.answered_ok += thread.answered_ok;
    run.body_bytes = std::max(run.body_bytes, thread.body_bytes);
    if (thread.errors > 0 && run.errors == 0) run.first_error = thread.first_error;
    run.errors += thread.errors;
  }
  std::sort(run.latencies_us.begin(), run.latencies_us.end());
  return run;
}

// Samples the node's and this process's CPU time between two instants.
struct CpuWindow {
  pid_t node;
  std::int64_t node_start = 0, bench_start = 0;
  SteadyClock::time_point started{};
  void begin() {
    started = SteadyClock::now();
    node_start = cpu_ticks(node);
    bench_start = cpu_ticks(::getpid());
  }
  void end(RunResult& run) const {
    auto wall = SteadyClock::now() - started;
    run.node_cores = cores_busy(cpu_ticks(node) - node_start, wall);
    run.bench_cores = cores_busy(cpu_ticks(::getpid()) - bench_start, wall);
  }
};

// C closed-loop connections, one thread each, sending `request` again as soon as its reply
// arrives, for the warm-up and then `seconds`. Every request started after the warm-up is
// measured; the rate is taken over the time until the last of them was answered.
RunResult closed_loop(const std::string& name, std::uint16_t port, pid_t node, const HttpRequest& request, const Check& check,
                      std::size_t connections, std::int64_t warmup_seconds, std::int64_t seconds) {
  std::printf("  running %-52s %zu connections, %llds + %llds warm-up ...\n", name.c_str(), connections,
              static_cast<long long>(seconds), static_cast<long long>(warmup_seconds));
  std::fflush(stdout);
  std::vector<ThreadResult> results(connections);
  auto measure_from = SteadyClock::now() + std::chrono::seconds(warmup_seconds);
  auto end = measure_from + std::chrono::seconds(seconds);
  CpuWindow cpu{node};
  {
    std::vector<std::jthread> threads;
    for (std::size_t c = 0; c < connections; ++c) {
      threads.emplace_back([&, c, request_copy = request] {
        ThreadResult& result = results[c];
        result.latencies_us.reserve(static_cast<std::size_t>(seconds) * 2000);
        Connection connection(port);
        HttpResponse response;
        for (auto started = SteadyClock::now(); started < end; started = SteadyClock::now()) {
          bool answered = connection.exchange(request_copy, response);
          auto finished = SteadyClock::now();
          std::optional<std::string> wrong = answered ? check(response) : std::optional<std::string>("no reply");
          if (wrong) {
            note_error(result, *wrong);
            if (!answered) std::this_thread::sleep_for(reconnect_backoff);
            continue;
          }
          ++result.answered_ok;
          result.body_bytes = response.body().size();
          if (started < measure_from) continue;
          result.latencies_us.push_back(micros_between(started, finished));
          result.last_finish = std::max(result.last_finish, finished);
        }
      });
    }
    std::this_thread::sleep_until(measure_from);
    cpu.begin();
    std::this_thread::sleep_until(end);
  }
  RunResult run = merge(name, results);
  cpu.end(run);
  auto last = measure_from;
  for (const auto& result : results) last = std::max(last, result.last_finish);
  run.window_us = micros_between(measure_from, last);
  return run;
}

// ---- POST /txs: pre-signed transactions, fire and forget -----------------------------

struct TxsResult {
  RunResult run;  // latency of each accepted POST (to its 202)
  std::size_t accepted = 0;
  std::int64_t accept_us = 0;  // from the first POST until the last 202
  std::int64_t commit_us = 0;  // from the first POST until the mempool was empty
};

// M token.transfer of 1 micro-unit to `recipient`, spread over the K signers, nonces 1, 2,
// ... each; signed on every core, before any clock starts. Per connection: the requests of
// its signers, round-robin by nonce, so each signer's nonces arrive in order.
std::vector<std::vector<HttpRequest>> sign_txs(const Options& options, const Market& market, const std::string& recipient) {
  std::vector<std::vector<Transaction>> by_signer(options.signers);
  std::vector<std::jthread> signers;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned t = 0; t < cores; ++t) {
    signers.emplace_back([&, t] {
      for (std::size_t s = t; s < options.signers; s += cores) {
        std::size_t count = options.txs / options.signers + (s < options.txs % options.signers ? 1 : 0);
        for (std::size_t nonce = 1; nonce <= count; ++nonce) {
          by_signer[s].push_back(sign_transaction(market.chain_id, "token.transfer", market.signer_keys[s], static_cast<std::int64_t>(nonce),
                                                  Json{{"amount_micro", 1}, {"to", recipient}}, random_bytes32()));
        }
      }
    });
  }
  signers.clear();
  std::size_t connections = std::min(options.tx_connections, options.signers);
  std::vector<std::vector<HttpRequest>> per_connection(connections);
  for (std::size_t nonce_index = 0; nonce_index < by_signer[0].size(); ++nonce_index) {
    for (std::size_t s = 0; s < options.signers; ++s) {
      if (nonce_index < by_signer[s].size()) {
        per_connection[s % connections].push_back(make_request(http::verb::post, "/api/v1/txs", "", by_signer[s][nonce_index].canonical));
      }
    }
  }
  return per_connection;
}

bool is_mempool_full(const HttpResponse& response) {
  return response.result_int() == 503 && response.body().find("mempool.full") != std::string::npos;
}

void send_txs(std::uint16_t port, const std::vector<HttpRequest>& requests, ThreadResult& result) {
  Connection connection(port);
  HttpResponse response;
  for (const auto& request : requests) {
    for (;;) {
      auto started = SteadyClock::now();
      bool answered = connection.exchange(request, response);
      auto finished = SteadyClock::now();
      if (answered && is_mempool_full(response)) {
        ++result.retries;
        std::this_thread::sleep_for(mempool_full_backoff);
        continue;
      }
      if (auto wrong = answered ? expect_status(202, "\"pending\"")(response) : std::optional<std::string>("no reply")) {
        note_error(result, *wrong);
      } else {
        ++result.answered_ok;
        result.body_bytes = response.body().size();
        result.latencies_us.push_back(micros_between(started, finished));
        result.last_finish = finished;
      }
      break;
    }
  }
}

// Waits until the node's mempool is empty: every admitted transaction is then committed.
void wait_until_drained(Client& status_client) {
  auto deadline = SteadyClock::now() + drain_timeout;
  while (status_client.get("/api/v1/status")["mempool"]["transactions"].get<std::int64_t>() > 0) {
    if (SteadyClock::now() > deadline) throw std::runtime_error("the mempool did not drain within 120 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TxsResult run_txs(std::uint16_t port, pid_t node, const Options& options, const Market& market, const std::string& recipient) {
  auto per_connection = sign_txs(options, market, recipient);
  std::printf("  running %-52s %zu connections, %zu transactions from %zu signers ...\n", "POST /api/v1/txs (pre-signed)",
              per_connection.size(), options.txs, options.signers);
  std::fflush(stdout);
  Client status_client(port);
  std::vector<ThreadResult> results(per_connection.size());
  CpuWindow cpu{node};
  cpu.begin();
  auto start = cpu.started;
  {
    std::vector<std::jthread> threads;
    for (std::size_t c = 0; c < per_connection.size(); ++c) {
      threads.emplace_back([&, c] { send_txs(port, per_connection[c], results[c]); });
    }
  }
  TxsResult txs;
  txs.run = merge("POST /api/v1/txs", results);
  cpu.end(txs.run);
  txs.accepted = txs.run.latencies_us.size();
  auto last = start;
  for (const auto& result : results) last = std::max(last, result.last_finish);
  txs.accept_us = txs.run.window_us = micros_between(start, last);
  wait_until_drained(status_client);
  txs.commit_us = micros_between(start, SteadyClock::now());
  return txs;
}

// ---- wrk (optional) ------------------------------------------------------------------

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream directories(path ? path : "");
  for (std::string directory; std::getline(directories, directory, ':');) {
    if (::access((directory + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Runs wrk against the headline read and lets it print to our stdout; false if it failed.
bool run_wrk(std::uint16_t port, const std::string& token, const Options& options) {
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/offers?zone_id=" + zone_id + "&limit=" + std::to_string(page_limit);
  std::printf("\nwrk -t%s -c%zu -d%llds --latency -H 'Authorization: Bearer <dso token>' '%s'\n", wrk_threads, options.connections,
              static_cast<long long>(options.seconds), url.c_str());
  std::fflush(stdout);
  pid_t pid = spawn({"wrk", std::string("-t") + wrk_threads, "-c" + std::to_string(options.connections), "-d" + std::to_string(options.seconds) + "s",
                     "--latency", "-H", "Authorization: Bearer " + token, url},
                    "", "");
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// ---- report --------------------------------------------------------------------------

void print_header() {
  std::printf("%-46s %5s %8s %6s %9s %7s %7s %7s %8s %7s %6s %6s %8s %6s\n", "run", "conns", "requests", "errors", "per s", "p50 us",
              "p90 us", "p99 us", "p99.9 us", "max us", "node", "bench", "node us", "bytes");
}

void print_row(const RunResult& run) {
  std::printf("%-46s %5zu %8zu %6zu %9.1f %7lld %7lld %7lld %8lld %7lld %6.2f %6.2f %8.0f %6zu\n", run.name.c_str(), run.connections,
              run.latencies_us.size(), run.errors, run.rate(), static_cast<long long>(run.percentile(50000)),
              static_cast<long long>(run.percentile(90000)), static_cast<long long>(run.percentile(99000)),
              static_cast<long long>(run.percentile(99900)), static_cast<long long>(run.latencies_us.empty() ? 0 : run.latencies_us.back()),
              run.node_cores, run.bench_cores, run.node_cpu_us_per_request(), run.body_bytes);
}

std::size_t report_errors(const std::vector<RunResult>& runs) {
  std::size_t errors = 0;
  for (const auto& run : runs) {
    if (run.errors > 0) std::fprintf(stderr, "error: %s: %zu failed requests; first: %s\n", run.name.c_str(), run.errors, run.first_error.c_str());
    errors += run.errors;
  }
  return errors;
}

// The headline read, its CSV form, the same query matching nothing (so every offer of the
// market is read and filtered out), and the cheapest route.
std::vector<RunResult> run_reads(std::uint16_t port, pid_t node, const Options& options, const Market& market, const std::string& offers_target) {
  const std::string& dso_token = market.tokens.at("dso");
  std::vector<RunResult> reads;
  std::printf("reads\n");
  reads.push_back(closed_loop("GET /offers?zone_id=Z&limit=20 (DSO, JSON)", port, node, make_request(http::verb::get, offers_target, dso_token),
                              expect_status(200, "\"items\""), options.connections, options.warmup_seconds, options.seconds));
  reads.push_back(closed_loop("GET /offers?zone_id=Z&limit=20&format=csv", port, node,
                              make_request(http::verb::get, offers_target + "&format=csv", dso_token), expect_status(200, "offer_id"),
                              options.connections, options.warmup_seconds, options.seconds));
  reads.push_back(closed_loop("GET /offers?zone_id=Z&limit=20&direction=down", port, node,
                              make_request(http::verb::get, offers_target + "&direction=down", dso_token), expect_status(200, "\"items\":[]"),
                              options.connections, options.warmup_seconds, options.seconds));
  reads.push_back(closed_loop("GET /status (no login)", port, node, make_request(http::verb::get, "/api/v1/status", ""),
                              expect_status(200, "\"height\""), options.connections, options.warmup_seconds, options.seconds));
  return reads;
}

struct Writes {
  std::vector<RunResult> runs;     // every closed-loop run of this phase, for the table
  std::size_t transfers_ok = 0;    // 201 committed answers, warm-ups included
  std::int64_t dso_gain = 0;       // the DSO's balance change over the transfer runs
  std::optional<TxsResult> txs;
  std::int64_t tso_gain = 0;
  std::int64_t transfer_blocks = 0;  // blocks committed during the first transfer run, warm-up included
  std::int64_t txs_blocks = 0;
};

std::int64_t height(Client& client) { return client.get("/api/v1/status")["height"].get<std::int64_t>(); }

HttpRequest transfer_request(const Market& market) {
  return make_request(http::verb::post, "/api/v1/transfers", market.tokens.at("operator"),
                      Json{{"amount_micro", 1}, {"to", market.participants.at("dso")}}.dump());
}

// With --mixed: GET /status on C connections while W connections keep POSTing transfers.
void run_mixed(std::uint16_t port, pid_t node, const Options& options, const Market& market, Writes& writes) {
  std::optional<RunResult> transfers;
  std::jthread writer([&] {
    transfers = closed_loop("  POST /transfers, during the reads below", port, node, transfer_request(market),
                            expect_status(201, "\"committed\""), options.write_connections, options.warmup_seconds, options.seconds);
  });
  RunResult reads = closed_loop("  GET /status, during the writes above", port, node, make_request(http::verb::get, "/api/v1/status", ""),
                                expect_status(200, "\"height\""), options.connections, options.warmup_seconds, options.seconds);
  writer.join();
  writes.transfers_ok += transfers->answered_ok;
  writes.runs.push_back(std::move(*transfers));
  writes.runs.push_back(std::move(reads));
}

Writes run_writes(std::uint16_t port, pid_t node, const Options& options, const Market& market) {
  std::printf("\nwrites\n");
  Writes writes;
  Client reader(port, market.tokens.at("operator"));  // the operator reads every account
  const std::string& dso_key = market.participants.at("dso");
  const std::string& tso_key = market.participants.at("tso");
  std::int64_t dso_before = available_micro(reader, dso_key);
  std::int64_t height_before = height(reader);
  writes.runs.push_back(closed_loop("POST /transfers (node-signed, to commit)", port, node, transfer_request(market),
                                    expect_status(201, "\"committed\""), options.write_connections, options.warmup_seconds, options.seconds));
  writes.transfers_ok = writes.runs.back().answered_ok;
  writes.transfer_blocks = height(reader) - height_before;
  if (options.mixed) run_mixed(port, node, options, market, writes);
  writes.dso_gain = available_micro(reader, dso_key) - dso_before;  // 1 micro-unit per committed transfer
  std::int64_t tso_before = available_micro(reader, tso_key);
  height_before = height(reader);
  writes.txs = run_txs(port, node, options, market, tso_key);
  writes.txs_blocks = height(reader) - height_before;
  writes.tso_gain = available_micro(reader, tso_key) - tso_before;
  return writes;
}

void print_report(const Options& options, const std::vector<RunResult>& reads, const Writes& writes) {
  std::printf("\nbench_api results. Latencies in integer microseconds. node, bench: cores kept busy (CPU time / wall time) by\n"
              "flexnode and by this program; node us: flexnode CPU time per request; bytes: response body. The two\n"
              "indented rows (--mixed) ran at the same time: their node and bench columns count both.\n\n");
  print_header();
  for (const auto& run : reads) print_row(run);
  for (const auto& run : writes.runs) print_row(run);
  print_row(writes.txs->run);
  const RunResult& headline = reads[0];
  bool met = headline.rate() >= static_cast<double>(target_reads_per_second) && headline.percentile(99000) < target_p99_us;
  std::printf("\ntarget: >= %lld reads/s with p99 < %lld us on GET /offers: %.1f reads/s, p99 %lld us: %s\n",
              static_cast<long long>(target_reads_per_second), static_cast<long long>(target_p99_us), headline.rate(),
              static_cast<long long>(headline.percentile(99000)), met ? "met" : "NOT met");
  const RunResult& transfers = writes.runs[0];
  std::printf("POST /transfers: %.1f writes/s committed, submit-to-committed p50 %lld us, p99 %lld us; %zu in %lld blocks "
              "(%.1f per block); DSO balance +%lld micro\n",
              transfers.rate(), static_cast<long long>(transfers.percentile(50000)), static_cast<long long>(transfers.percentile(99000)),
              transfers.answered_ok, static_cast<long long>(writes.transfer_blocks),
              writes.transfer_blocks > 0 ? static_cast<double>(transfers.answered_ok) / static_cast<double>(writes.transfer_blocks) : 0.0,
              static_cast<long long>(writes.dso_gain));
  const TxsResult& txs = *writes.txs;
  std::printf("POST /txs: %zu of %zu accepted (202) in %.3f s = %.1f accepted/s; all committed after %.3f s = %.1f tx/s, "
              "in %lld blocks; %zu mempool.full retries; TSO balance +%lld micro\n",
              txs.accepted, options.txs, static_cast<double>(txs.accept_us) / 1e6, per_second(txs.accepted, txs.accept_us),
              static_cast<double>(txs.commit_us) / 1e6, per_second(txs.accepted, txs.commit_us), static_cast<long long>(writes.txs_blocks),
              txs.run.retries, static_cast<long long>(writes.tso_gain));
  std::printf("load average %s (after the run)\n", load_average().c_str());
}

// Failed requests, and balances that disagree with the answers; each counts as an error.
std::size_t count_errors(const std::vector<RunResult>& reads, const Writes& writes) {
  std::vector<RunResult> all = reads;
  all.insert(all.end(), writes.runs.begin(), writes.runs.end());
  all.push_back(writes.txs->run);
  std::size_t errors = report_errors(all);
  if (writes.tso_gain != static_cast<std::int64_t>(writes.txs->accepted)) {
    std::fprintf(stderr, "error: %zu transactions accepted but the TSO gained %lld micro-units\n", writes.txs->accepted,
                 static_cast<long long>(writes.tso_gain));
    ++errors;
  }
  if (errors == 0 && writes.dso_gain != static_cast<std::int64_t>(writes.transfers_ok)) {
    std::fprintf(stderr, "error: %zu transfers answered committed but the DSO gained %lld micro-units\n", writes.transfers_ok,
                 static_cast<long long>(writes.dso_gain));
    ++errors;
  }
  return errors;
}

int run(int argc, char** argv) {
  Options options = parse_options(argc, argv);
  std::printf("bench_api  %s\n", utc_now().c_str());
  std::printf("  cpu            %s\n", first_field("/proc/cpuinfo", "model name").c_str());
  std::printf("  cores          %u (hardware_concurrency; flexnode serves HTTP on max(2, this) threads)\n", std::thread::hardware_concurrency());
  std::printf("  memory         %s\n", first_field("/proc/meminfo", "MemTotal").c_str());
  std::printf("  load average   %s (before the run)\n", load_average().c_str());
  std::printf("  node           %s --dev --rate-limit-per-second 0\n", options.flexnode.c_str());
  std::fflush(stdout);

  TempDirectory directory;
  NodeChild node(options.flexnode, directory.path());
  std::uint16_t port = node.port();
  std::printf("  node pid       %d, http://127.0.0.1:%u\n", static_cast<int>(node.pid()), static_cast<unsigned>(port));
  Market market;
  log_in(port, node.data_dir(), market);
  auto seed_start = SteadyClock::now();
  seed_market(port, options, market);
  std::printf("  seeded         1 zone, %zu assets, %zu offers, %zu requests, %zu signers through the API in %.1f s\n\n", options.offers,
              options.offers, dso_requests, options.signers, static_cast<double>(micros_between(seed_start, SteadyClock::now())) / 1e6);
  std::string offers_target = std::string("/api/v1/offers?zone_id=") + zone_id + "&limit=" + std::to_string(page_limit);
  check_offer_page(port, market, offers_target);

  std::vector<RunResult> reads = run_reads(port, node.pid(), options, market, offers_target);
  bool wrk_failed = false;
  if (options.wrk) {
    if (on_path("wrk")) wrk_failed = !run_wrk(port, market.tokens["dso"], options);
    else std::printf("\n--wrk: wrk is not on PATH (apt-get install wrk); skipped\n");
  }
  Writes writes = run_writes(port, node.pid(), options, market);
  print_report(options, reads, writes);
  std::size_t errors = count_errors(reads, writes);
  if (wrk_failed) {
    std::fprintf(stderr, "error: wrk failed\n");
    ++errors;
  }
  return errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace flex::bench

int main(int argc, char** argv) {
  try {
    return flex::bench::run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_api: %s\n", error.what());
    return 2;
  }
}
