// Node configuration: a JSON file (flexnode --config FILE) and command-line overrides.
//   {"data_dir":"./data","listen":"127.0.0.1:8080","genesis_file":"<data>/genesis.json",
//    "key_file":"<data>/node_key.json","empty_block_interval_ms":5000,"log_level":"info",
//    "webui_dir":"<build>/webui","session_lifetime_seconds":28800,"rate_limit_per_second":200,
//    "rate_limit_burst":400,"tls_certificate_file":"","tls_private_key_file":"",
//    "allow_public_plain_http":false,"p2p_listen":"","peers":[],"max_peers":50}
// Every field is optional; the defaults are the values above. An empty p2p_listen accepts no
// peer connections; "peers" are the HOST:PORT p2p addresses this node dials and keeps
// dialled. Hosted participant keys are read from <data_dir>/keys/*.json and the node's users
// from <data_dir>/users.sqlite.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flex {

// Longest allowed wait before an empty block: one day.
inline constexpr std::int64_t max_empty_block_interval_ms = 86'400'000;

// "0".."86400000" milliseconds; throws std::runtime_error otherwise.
std::chrono::milliseconds parse_empty_block_interval(const std::string& text);

struct NodeConfig {
  std::string data_dir = "./data";
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string genesis_file;  // empty: <data_dir>/genesis.json
  std::string key_file;      // empty: <data_dir>/node_key.json
  std::chrono::milliseconds empty_block_interval{5000};
  std::string log_level = "info";
  std::string webui_dir;     // empty: no static files are served
  bool dev = false;
  std::int64_t dev_isp_seconds = 900;  // the ISP length of a dev genesis, when it is created
  std::int64_t session_lifetime_seconds = 8 * 3600;
  std::int64_t rate_limit_per_second = 200;  // per client address; 0 turns the limit off
  std::int64_t rate_limit_burst = 400;
  std::string tls_certificate_file, tls_private_key_file;  // both set: HTTPS only
  // Plain HTTP listens on loopback only, unless this is set (behind a TLS proxy, say).
  bool allow_public_plain_http = false;
  // The session cookie's Secure flag: on under HTTPS, and behind a TLS proxy
  // (allow_public_plain_http) unless set false here.
  std::optional<bool> secure_cookies;
  std::string p2p_listen;          // HOST:PORT for peer connections; empty: none
  std::vector<std::string> peers;  // HOST:PORT of peers to dial
  std::int64_t max_peers = 50;
  bool networked() const { return !p2p_listen.empty() || !peers.empty(); }
  bool cookies_secure() const { return secure_cookies.value_or(tls() || allow_public_plain_http); }

  std::string store_path() const { return data_dir + "/ledger.sqlite"; }
  std::string resolved_genesis_file() const { return genesis_file.empty() ? data_dir + "/genesis.json" : genesis_file; }
  std::string resolved_key_file() const { return key_file.empty() ? data_dir + "/node_key.json" : key_file; }
  std::string hosted_keys_dir() const { return data_dir + "/keys"; }
  std::string users_path() const { return data_dir + "/users.sqlite"; }
  std::string privval_path() const { return data_dir + "/consensus.sqlite"; }
  bool tls() const { return !tls_certificate_file.empty() && !tls_private_key_file.empty(); }
};

// Throws std::runtime_error naming the bad field.
void apply_config_file(NodeConfig& config, const std::string& path);
// Throws std::runtime_error when plain HTTP would listen beyond loopback without
// allow_public_plain_http, or when only one of the TLS files is given.
void check_listen_security(const NodeConfig& config);
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
// "HOST:PORT" ("[v6]:PORT" too); throws std::runtime_error naming `what` when malformed.
HostPort parse_host_port(const std::string& address, const std::string& what);
// "HOST:PORT"; throws std::runtime_error on a malformed address.
void apply_listen_address(NodeConfig& config, const std::string& address);

}  // namespace flex
