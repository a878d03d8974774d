// The genesis document: chain id, genesis time, validators, first participants and
// market parameters. Its canonical bytes hash to the genesis hash, which block 1 names as
// its previous hash.
//
//   {"chain_id":S,"genesis_time":UTC_SECONDS,
//    "participants":[{"name":S,"public_key":HEX64,"roles":[S...]}, ...],
//    "params":{...},
//    "validators":[{"name":S,"power":N,"public_key":HEX64}, ...]}
#pragma once

#include <vector>

#include "ledger/block.hpp"
#include "ledger/state.hpp"

namespace flex {

struct GenesisParticipant {
  PublicKey public_key{};
  std::string name;
  std::vector<std::string> roles;
};

struct Genesis {
  std::string chain_id;
  std::int64_t genesis_time = 0;
  std::vector<Validator> validators;
  std::vector<GenesisParticipant> participants;
  Json params = Json::object();

  Json to_json() const;
  std::string canonical() const { return to_canonical(to_json()); }
  Hash32 hash() const;
};

// Default market parameters (DESIGN.md §3): 15-minute ISPs, no fee.
Json default_market_params();

// Codes: genesis.invalid (with the reason in the message).
Result<Genesis> parse_genesis(const Json& json);
// A genesis file as a person writes it (any JSON layout), bounded in size and depth.
Result<Genesis> parse_genesis_text(std::string_view text);
// The genesis a store holds: it must be canonical and already in normalised form, so its
// hash is the hash of exactly these bytes.
Result<Genesis> parse_stored_genesis(std::string_view canonical);

// The state that genesis defines: chain, params, validators, participants.
State::Entries genesis_state(const Genesis& genesis);

// The validator set recorded in a state.
std::vector<Validator> validators_from_state(const State& state);

}  // namespace flex
