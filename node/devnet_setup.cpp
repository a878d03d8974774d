#include "node/devnet_setup.hpp"

#include <filesystem>
#include <stdexcept>

#include "contracts/genesis.hpp"
#include "node/dev_setup.hpp"
#include "node/keyfile.hpp"

namespace flex {

namespace {

struct NodeRole {
  const char* name;
  const char* role;
};
constexpr NodeRole kValidatorRoles[] = {{"Market operator node", "operator"}, {"DSO node", "dso"},
                                        {"TSO node", "tso"},                   {"Regulator node", "regulator"}};
constexpr NodeRole kFullNodeRoles[] = {{"Prosumer node", "prosumer"}, {"Auditor node", "auditor"},
                                       {"Aggregator node", "aggregator"}, {"Retailer node", "retailer"}};

}  // namespace

void create_devnet(const DevnetOptions& options) {
  namespace fs = std::filesystem;
  const int nodes = options.validators + options.full_nodes;
  if (options.validators < 1 || options.validators > 4 || options.full_nodes < 0 || options.full_nodes > 4) {
    throw std::runtime_error("a devnet has 1 to 4 validators and 0 to 4 full nodes");
  }
  if (fs::exists(fs::path(options.dir) / "genesis.json")) {
    throw std::runtime_error(options.dir + " already holds a devnet (genesis.json); remove it first");
  }
  fs::create_directories(options.dir);
  auto node_dir = [&](int i) { return options.dir + "/node" + std::to_string(i); };
  auto p2p_address = [&](int i) {
    if (!options.service_prefix.empty()) return options.service_prefix + std::to_string(i) + ":" + std::to_string(options.p2p_port);
    return options.host + ":" + std::to_string(options.p2p_port + i);
  };

  Genesis genesis;
  genesis.chain_id = "flexledger-devnet";
  genesis.genesis_time = options.genesis_time;
  for (int i = 0; i < nodes; ++i) {
    fs::create_directories(node_dir(i));
    SecretKey key = generate_secret_key();
    write_key_file(node_dir(i) + "/node_key.json", key);
    PublicKey public_key = *derive_public_key(key);
    const NodeRole& role = i < options.validators ? kValidatorRoles[i] : kFullNodeRoles[i - options.validators];
    if (i < options.validators) genesis.validators.push_back(Validator{public_key, 1, std::string(role.role) + "-validator"});
    genesis.participants.push_back(GenesisParticipant{public_key, role.name, {role.role}});
  }
  // The dev participants, one per role, hosted by every node so each dashboard has a login
  // per role (a devnet convenience: in production each key lives on its owner's node only).
  std::vector<std::pair<std::string, SecretKey>> hosted;
  for (const char* role : dev_roles) {
    SecretKey key = generate_secret_key();
    hosted.emplace_back(role, key);
    genesis.participants.push_back(GenesisParticipant{*derive_public_key(key), std::string("Dev ") + role, {role}});
  }
  genesis.params = default_market_params();
  genesis.params["isp_seconds"] = options.isp_seconds;
  const std::string genesis_text = genesis.to_json().dump(2) + "\n";

  for (int i = 0; i < nodes; ++i) {
    std::string dir = node_dir(i);
    write_file_atomically(dir + "/genesis.json", genesis_text, 0644, /*exclusive=*/true);
    fs::create_directories(dir + "/keys");
    for (const auto& [role, key] : hosted) write_key_file(dir + "/keys/" + role + ".json", key);
    Json peers = Json::array();
    const int dial_up_to = i < options.validators ? i : options.validators;  // lower validators, or all of them
    for (int j = 0; j < dial_up_to; ++j) peers.push_back(p2p_address(j));
    const bool docker = !options.service_prefix.empty();
    Json config{{"data_dir", docker ? "/data" : dir},
                {"listen", (docker ? std::string("0.0.0.0") : options.host) + ":" + std::to_string(docker ? options.api_port : options.api_port + i)},
                {"p2p_listen", (docker ? std::string("0.0.0.0") : options.host) + ":" + std::to_string(docker ? options.p2p_port : options.p2p_port + i)},
                {"peers", peers}};
    if (docker) config["allow_public_plain_http"] = true;  // published on the host's loopback only
    write_file_atomically(dir + "/config.json", config.dump(2) + "\n", 0644, /*exclusive=*/true);
  }
  write_file_atomically(options.dir + "/genesis.json", genesis_text, 0644, /*exclusive=*/true);
}

}  // namespace flex
