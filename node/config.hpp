// Node configuration: a JSON file (flexnode --config FILE) and command-line overrides.
//   {"data_dir":"./data","listen":"127.0.0.1:8080","genesis_file":"<data>/genesis.json",
//    "key_file":"<data>/node_key.json","empty_block_interval_ms":5000,"log_level":"info",
//    "webui_dir":"<source>/webui"}
// Every field is optional; the defaults are the values above.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

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

  std::string store_path() const { return data_dir + "/ledger.sqlite"; }
  std::string resolved_genesis_file() const { return genesis_file.empty() ? data_dir + "/genesis.json" : genesis_file; }
  std::string resolved_key_file() const { return key_file.empty() ? data_dir + "/node_key.json" : key_file; }
};

// Throws std::runtime_error naming the bad field.
void apply_config_file(NodeConfig& config, const std::string& path);
// "HOST:PORT"; throws std::runtime_error on a malformed address.
void apply_listen_address(NodeConfig& config, const std::string& address);

}  // namespace flex
