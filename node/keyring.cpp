#include "node/keyring.hpp"

#include <algorithm>
#include <filesystem>

#include "node/keyfile.hpp"

namespace flex {

Keyring Keyring::load(const std::string& node_key_file, const std::string& hosted_dir) {
  Keyring keyring;
  SecretKey node_key = read_key_file(node_key_file);
  keyring.node_participant_ = *derive_public_key(node_key);
  keyring.keys_.insert_or_assign(keyring.node_participant_, node_key);
  std::error_code error;
  if (!std::filesystem::is_directory(hosted_dir, error)) return keyring;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(hosted_dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    SecretKey key = read_key_file(file.string());
    keyring.keys_.insert_or_assign(*derive_public_key(key), key);
  }
  return keyring;
}

const SecretKey* Keyring::find(const PublicKey& participant) const {
  auto found = keys_.find(participant);
  return found == keys_.end() ? nullptr : &found->second;
}

std::vector<PublicKey> Keyring::participants() const {
  std::vector<PublicKey> result;
  for (const auto& [key, secret] : keys_) result.push_back(key);
  return result;
}

}  // namespace flex
