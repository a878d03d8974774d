// Key files: {"public_key":HEX64,"secret_key":HEX64} in a file of mode 0600.
// The node refuses a key file that group or others can read.
#pragma once

#include <string>

#include "ledger/schnorr.hpp"

namespace flex {

// 32 bytes from the operating system's CSPRNG (OpenSSL RAND_bytes).
Hash32 random_bytes32();

SecretKey generate_secret_key();

// Writes `contents` to `path` so that a crash leaves either no file or the whole file:
// a temporary file is written and synced, then linked into place (failing if `path`
// exists when `exclusive`, else renamed over it), then the directory is synced.
void write_file_atomically(const std::string& path, const std::string& contents, unsigned mode, bool exclusive);

// Creates the file with mode 0600; fails if it exists. Throws std::runtime_error.
void write_key_file(const std::string& path, const SecretKey& secret);

// Throws std::runtime_error with a clear message on a missing, unreadable, malformed or
// too-permissive file.
SecretKey read_key_file(const std::string& path);

}  // namespace flex
