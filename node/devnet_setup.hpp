// A local network of validators and full nodes (make devnet, scripts/devnet.sh, docker/):
// one shared genesis whose validators are the first `validators` nodes, and per node a data
// directory with its key, the genesis, the dev participants' keys and a config.json that
// `flexnode --dev --config <dir>/config.json` runs. Node i dials nodes 0..i-1 (a full mesh
// once all are up, with no duplicate dialling); full nodes dial every validator.
//   node0  market operator (validator)   node1  DSO (validator)
//   node2  TSO (validator)               node3  regulator (validator)
//   node4+ full nodes of admitted participants (prosumer, auditor, ...)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flex {

struct DevnetOptions {
  std::string dir;
  int validators = 4;
  int full_nodes = 2;
  std::string host = "127.0.0.1";  // where every node listens (API and p2p)
  int api_port = 8080;             // node i: api_port + i
  int p2p_port = 26656;            // node i: p2p_port + i
  std::int64_t isp_seconds = 60;
  std::int64_t genesis_time = 0;
  // Docker: node i is reached as "<service_prefix><i>:<p2p_port>" and listens on 0.0.0.0.
  std::string service_prefix;
};

// Writes the whole layout; refuses (std::runtime_error) a directory that already holds a
// genesis.json, so an existing devnet is never overwritten.
void create_devnet(const DevnetOptions& options);

}  // namespace flex
