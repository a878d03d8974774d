#include "node/config.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ledger/canonical_json.hpp"

namespace flex {

HostPort parse_host_port(const std::string& address, const std::string& what) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) throw std::runtime_error(what + " must be HOST:PORT, got '" + address + "'");
  std::string port_text = address.substr(colon + 1);
  int port = 0;
  try {
    std::size_t used = 0;
    port = std::stoi(port_text, &used);
    if (used != port_text.size()) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw std::runtime_error(what + " port must be 0-65535, got '" + port_text + "'");
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);  // [IPv6]
  return HostPort{host, static_cast<std::uint16_t>(port)};
}

void apply_listen_address(NodeConfig& config, const std::string& address) {
  auto [host, port] = parse_host_port(address, "listen address");
  config.listen_host = host;
  config.listen_port = port;
}

std::chrono::milliseconds parse_empty_block_interval(const std::string& text) {
  std::int64_t value = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0 || value > max_empty_block_interval_ms) {
    throw std::runtime_error("empty block interval must be an integer of milliseconds in [0, 86400000], got '" +
                             text + "'");
  }
  return std::chrono::milliseconds(value);
}

void apply_config_file(NodeConfig& config, const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read config file " + path);
  std::stringstream text;
  text << file.rdbuf();
  auto parsed = parse_json_bounded(text.str(), 1024 * 1024);
  Json json = parsed ? *parsed : Json();
  if (!json.is_object()) throw std::runtime_error("config file " + path + " is not a JSON object");
  auto text_field = [&](const char* name, std::string& out) {
    if (!json.contains(name)) return;
    if (!json[name].is_string()) throw std::runtime_error(std::string("config field ") + name + " must be a string");
    out = json[name].get<std::string>();
  };
  for (const auto& [key, value] : json.items()) {
    static const char* known[] = {"data_dir", "listen", "genesis_file", "key_file", "empty_block_interval_ms",
                                  "log_level", "webui_dir", "session_lifetime_seconds", "rate_limit_per_second",
                                  "rate_limit_burst", "tls_certificate_file", "tls_private_key_file",
                                  "allow_public_plain_http", "secure_cookies", "p2p_listen", "peers", "max_peers"};
    if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
      throw std::runtime_error("unknown config field '" + key + "'");
    }
  }
  text_field("data_dir", config.data_dir);
  text_field("genesis_file", config.genesis_file);
  text_field("key_file", config.key_file);
  text_field("log_level", config.log_level);
  text_field("webui_dir", config.webui_dir);
  text_field("tls_certificate_file", config.tls_certificate_file);
  text_field("tls_private_key_file", config.tls_private_key_file);
  auto integer_field = [&](const char* name, std::int64_t& out, std::int64_t min, std::int64_t max) {
    if (!json.contains(name)) return;
    const Json& value = json[name];
    if (!value.is_number_integer() || value.get<std::int64_t>() < min || value.get<std::int64_t>() > max) {
      throw std::runtime_error(std::string("config field ") + name + " must be an integer in [" + std::to_string(min) + ", " +
                               std::to_string(max) + "]");
    }
    out = value.get<std::int64_t>();
  };
  integer_field("session_lifetime_seconds", config.session_lifetime_seconds, 1, 30 * 86'400);
  integer_field("rate_limit_per_second", config.rate_limit_per_second, 0, 1'000'000);
  integer_field("rate_limit_burst", config.rate_limit_burst, 1, 10'000'000);
  if (json.contains("allow_public_plain_http")) {
    if (!json["allow_public_plain_http"].is_boolean()) throw std::runtime_error("config field allow_public_plain_http must be true or false");
    config.allow_public_plain_http = json["allow_public_plain_http"].get<bool>();
  }
  if (json.contains("secure_cookies")) {
    if (!json["secure_cookies"].is_boolean()) throw std::runtime_error("config field secure_cookies must be true or false");
    config.secure_cookies = json["secure_cookies"].get<bool>();
  }
  integer_field("max_peers", config.max_peers, 1, 1000);
  std::string p2p_listen;
  text_field("p2p_listen", p2p_listen);
  if (!p2p_listen.empty()) {
    parse_host_port(p2p_listen, "p2p_listen");
    config.p2p_listen = p2p_listen;
  }
  if (json.contains("peers")) {
    const Json& peers = json["peers"];
    if (!peers.is_array() || peers.size() > 1000) throw std::runtime_error("config field peers must be an array of \"HOST:PORT\"");
    config.peers.clear();
    for (const auto& peer : peers) {
      if (!peer.is_string()) throw std::runtime_error("config field peers must be an array of \"HOST:PORT\"");
      parse_host_port(peer.get<std::string>(), "peer address");
      config.peers.push_back(peer.get<std::string>());
    }
  }
  std::string listen;
  text_field("listen", listen);
  if (!listen.empty()) apply_listen_address(config, listen);
  if (json.contains("empty_block_interval_ms")) {
    const Json& interval = json["empty_block_interval_ms"];
    if (!interval.is_number_unsigned() || interval.get<std::uint64_t>() > max_empty_block_interval_ms) {
      throw std::runtime_error("config field empty_block_interval_ms must be an integer in [0, 86400000]");
    }
    config.empty_block_interval = std::chrono::milliseconds(interval.get<std::int64_t>());
  }
}

void check_listen_security(const NodeConfig& config) {
  if (config.tls_certificate_file.empty() != config.tls_private_key_file.empty()) {
    throw std::runtime_error("give both tls_certificate_file and tls_private_key_file, or neither");
  }
  bool loopback = config.listen_host == "127.0.0.1" || config.listen_host == "::1" || config.listen_host == "localhost";
  if (!config.tls() && !loopback && !config.allow_public_plain_http) {
    throw std::runtime_error("plain HTTP listens on loopback only: configure tls_certificate_file and tls_private_key_file, "
                             "or set allow_public_plain_http");
  }
}

}  // namespace flex
