#include "node/keyfile.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ledger/canonical_json.hpp"

namespace flex {

Hash32 random_bytes32() {
  Hash32 out{};
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return out;
}

SecretKey generate_secret_key() {
  for (;;) {
    SecretKey candidate(random_bytes32());
    if (derive_public_key(candidate)) return candidate;  // retry the ~2^-128 invalid case
  }
}

void write_key_file(const std::string& path, const SecretKey& secret) {
  auto public_key = derive_public_key(secret);
  if (!public_key) throw std::runtime_error("invalid secret key");
  std::string text = to_canonical(Json{{"public_key", to_hex(*public_key)},
                                       {"secret_key", to_hex(secret.bytes())}}) + "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create key file " + path + ": " + std::strerror(errno));
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write key file " + path);
}

SecretKey read_key_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw std::runtime_error("cannot read key file " + path + ": " + std::strerror(errno));
  }
  if ((info.st_mode & 077) != 0) {
    throw std::runtime_error("key file " + path + " is readable by group or others; run: chmod 600 " + path);
  }
  std::ifstream file(path);
  std::stringstream contents;
  contents << file.rdbuf();
  Json json = Json::parse(contents.str(), nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("secret_key") || !json["secret_key"].is_string()) {
    throw std::runtime_error("key file " + path + " is not a FlexLedger key file");
  }
  auto bytes = from_hex_fixed<32>(json["secret_key"].get<std::string>());
  if (!bytes) throw std::runtime_error("key file " + path + " holds a malformed secret key");
  SecretKey secret(*bytes);
  auto public_key = derive_public_key(secret);
  if (!public_key) throw std::runtime_error("key file " + path + " holds an invalid secret key");
  if (json.contains("public_key") && json["public_key"] != to_hex(*public_key)) {
    throw std::runtime_error("key file " + path + ": public key does not match the secret key");
  }
  return secret;
}

}  // namespace flex
