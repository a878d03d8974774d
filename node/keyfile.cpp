#include "node/keyfile.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
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

void write_file_atomically(const std::string& path, const std::string& contents, unsigned mode, bool exclusive) {
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot create " + temporary + ": " + std::strerror(errno));
  bool written = ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()) &&
                 ::fsync(fd) == 0;
  ::close(fd);
  int placed = !written ? -1 : exclusive ? ::link(temporary.c_str(), path.c_str())
                                         : ::rename(temporary.c_str(), path.c_str());
  int saved_errno = errno;
  ::unlink(temporary.c_str());
  if (!written) throw std::runtime_error("cannot write " + path);
  if (placed != 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(saved_errno));
  std::string directory = std::filesystem::path(path).parent_path().string();
  int directory_fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory_fd >= 0) {
    ::fsync(directory_fd);
    ::close(directory_fd);
  }
}

void write_key_file(const std::string& path, const SecretKey& secret) {
  auto public_key = derive_public_key(secret);
  if (!public_key) throw std::runtime_error("invalid secret key");
  std::string text = to_canonical(Json{{"public_key", to_hex(*public_key)},
                                       {"secret_key", to_hex(secret.bytes())}}) + "\n";
  write_file_atomically(path, text, 0600, /*exclusive=*/true);
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
  auto parsed = parse_json_bounded(contents.str(), 64 * 1024);
  Json json = parsed ? *parsed : Json();
  if (!json.is_object() || !json.contains("secret_key") || !json["secret_key"].is_string()) {
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
