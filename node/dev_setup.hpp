// Dev mode (flexnode --dev): on first start, creates a node key and a genesis in which
// this node is the only validator and the market operator, and hosts one more participant
// per role (keys in <data_dir>/keys/<role>.json), each admitted with that role.
#pragma once

#include "node/clock.hpp"
#include "node/config.hpp"

namespace flex {

inline constexpr const char* dev_chain_id = "flexledger-dev";
inline constexpr const char* dev_roles[] = {"prosumer", "aggregator", "dso",     "tso",
                                            "retailer", "metering",   "auditor", "regulator"};

// Creates what is missing of data_dir, key file and genesis file; keeps what exists.
void prepare_dev_data_dir(const NodeConfig& config, const Clock& clock);

}  // namespace flex
