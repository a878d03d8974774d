#include "node/dev_setup.hpp"

#include <filesystem>
#include <fstream>

#include "contracts/genesis.hpp"
#include "node/keyfile.hpp"
#include "node/log.hpp"

namespace flex {

void prepare_dev_data_dir(const NodeConfig& config, const Clock& clock) {
  std::filesystem::create_directories(config.data_dir);
  std::string key_path = config.resolved_key_file();
  if (!std::filesystem::exists(key_path)) {
    write_key_file(key_path, generate_secret_key());
    log::info("dev.key_created", {{"path", key_path}});
  }
  std::string genesis_path = config.resolved_genesis_file();
  if (std::filesystem::exists(genesis_path)) return;
  PublicKey node_key = *derive_public_key(read_key_file(key_path));
  Genesis genesis;
  genesis.chain_id = dev_chain_id;
  genesis.genesis_time = clock.now_seconds();
  genesis.validators.push_back(Validator{node_key, 1, "dev-validator"});
  genesis.participants.push_back(GenesisParticipant{node_key, "Dev market operator", {"operator"}});
  // One hosted participant per other role, so every page of the dashboard has a login.
  std::filesystem::create_directories(config.hosted_keys_dir());
  for (const char* role : dev_roles) {
    std::string path = config.hosted_keys_dir() + "/" + role + ".json";
    if (!std::filesystem::exists(path)) write_key_file(path, generate_secret_key());
    PublicKey key = *derive_public_key(read_key_file(path));
    genesis.participants.push_back(GenesisParticipant{key, std::string("Dev ") + role, {role}});
  }
  genesis.params = default_market_params();
  genesis.params["isp_seconds"] = config.dev_isp_seconds;
  write_file_atomically(genesis_path, genesis.to_json().dump(2) + "\n", 0644, /*exclusive=*/true);
  log::info("dev.genesis_created", {{"path", genesis_path}, {"chain_id", genesis.chain_id}});
}

}  // namespace flex
