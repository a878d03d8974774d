// The participant keys a node holds: its own (the node key file) and any hosted ones, one
// key file per participant in <data_dir>/keys/ (a node serving several participants, such
// as the dev node with one participant per role). Users of the node act as one of these.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/schnorr.hpp"

namespace flex {

class Keyring {
 public:
  // Reads the node key and every *.json in `hosted_dir` (which may be absent). Throws
  // std::runtime_error on a bad key file (see node/keyfile.hpp).
  static Keyring load(const std::string& node_key_file, const std::string& hosted_dir);

  const PublicKey& node_participant() const { return node_participant_; }
  const SecretKey& node_key() const { return keys_.at(node_participant_); }
  // nullptr when this node does not hold the participant's key.
  const SecretKey* find(const PublicKey& participant) const;
  std::vector<PublicKey> participants() const;

 private:
  PublicKey node_participant_{};
  std::map<PublicKey, SecretKey> keys_;
};

}  // namespace flex
