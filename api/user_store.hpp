// The node's local user accounts for the HTTP API: who may log in, and which participant
// key each account acts for. Not ledger state: nothing here is replicated or signed.
//
// A SQLite file (the node uses <data_dir>/users.sqlite), mode 0600, WAL mode, with a busy
// time-out so flexctl and a running node can use it at the same time. Layout (user_version 1):
//
//   users(name TEXT PRIMARY KEY, participant TEXT, password_hash TEXT, created_at INTEGER)
//
// participant is a 64-character lowercase hex public key, password_hash the scrypt encoding
// of api/passwords.hpp, created_at Unix seconds. Database faults are exceptions; bad input
// is a Status rejection with one of the user.* codes below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ledger/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace flex::api {

namespace user_limits {
inline constexpr std::size_t max_name_bytes = 64;
inline constexpr std::size_t min_password_bytes = 12;
inline constexpr std::size_t max_password_bytes = 1024;
}  // namespace user_limits

struct User {
  std::string name;
  std::string participant_hex;
  std::int64_t created_at = 0;
};

class UserStore {
 public:
  // Creates the file (mode 0600) and the schema if missing. Throws std::runtime_error,
  // also for an existing file that group or others can read.
  static std::unique_ptr<UserStore> open(const std::string& path);
  ~UserStore();
  UserStore(const UserStore&) = delete;
  UserStore& operator=(const UserStore&) = delete;

  // Rejections: user.invalid_name (name must be [a-z0-9._@-]{1,64}), user.invalid_participant
  // (64 lowercase hex), user.weak_password (fewer than 12 or more than 1024 bytes),
  // user.exists, user.not_found.
  Status add(const std::string& name, const std::string& participant_hex, const std::string& password,
             std::int64_t now_seconds);
  Status remove(const std::string& name);
  Status set_password(const std::string& name, const std::string& password);

  // nullopt for an unknown user or a wrong password; an unknown name still costs one scrypt
  // so timing does not reveal which names exist.
  std::optional<User> authenticate(const std::string& name, const std::string& password);
  std::optional<User> find(const std::string& name);
  std::vector<User> list();  // ordered by name

 private:
  explicit UserStore(sqlite3* database) : database_(database) {}
  void execute(const char* sql);
  void create_schema();
  std::optional<std::pair<User, std::string>> find_with_hash(const std::string& name);

  std::mutex mutex_;  // one connection, used by one thread at a time
  sqlite3* database_;
  sqlite3_stmt* find_statement_ = nullptr;  // prepared once, used under mutex_
};

}  // namespace flex::api
