#include "api/user_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "api/passwords.hpp"

namespace flex::api {
namespace {

using namespace user_limits;

constexpr int busy_timeout_ms = 5000;
constexpr std::int64_t schema_version = 1;
constexpr const char* find_user_sql = "SELECT participant, created_at, password_hash FROM users WHERE name = ?";

constexpr const char* schema_sql = R"sql(
CREATE TABLE users(name TEXT PRIMARY KEY, participant TEXT NOT NULL, password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL) WITHOUT ROWID;
PRAGMA user_version = 1;
)sql";

[[noreturn]] void fail(sqlite3* database, const std::string& what) {
  throw std::runtime_error("users database: " + what + ": " + sqlite3_errmsg(database));
}

// A prepared statement with bound parameters, finalized when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* database, const char* sql) : database_(database) {
    if (sqlite3_prepare_v2(database, sql, -1, &statement_, nullptr) != SQLITE_OK) fail(database, "prepare");
  }
  // Borrows a statement prepared once; it is reset for its next use instead of finalized.
  Statement(sqlite3* database, sqlite3_stmt* prepared) : database_(database), statement_(prepared), owned_(false) {}
  ~Statement() {
    if (owned_) {
      sqlite3_finalize(statement_);
    } else {
      sqlite3_reset(statement_);
      sqlite3_clear_bindings(statement_);
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& text(int index, std::string_view value) {
    if (sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) !=
        SQLITE_OK) {
      fail(database_, "bind");
    }
    return *this;
  }
  Statement& integer(int index, std::int64_t value) {
    if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) fail(database_, "bind");
    return *this;
  }
  // True while there is a row to read.
  bool step() {
    int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW) return true;
    if (code == SQLITE_DONE) return false;
    fail(database_, "step");
  }
  std::string column_text(int index) {
    auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, index));
    return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, index)))
                : std::string();
  }
  std::int64_t column_integer(int index) { return sqlite3_column_int64(statement_, index); }

 private:
  sqlite3* database_;
  sqlite3_stmt* statement_ = nullptr;
  bool owned_ = true;
};

// Creates the file 0600 before SQLite sees it: SQLite would create it 0644, and gives its
// -wal and -shm files the database file's mode. Password hashes stay private to the owner.
void create_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  struct stat info {};
  int stat_result = ::fstat(fd, &info);
  int saved_errno = errno;
  ::close(fd);
  if (stat_result != 0) throw std::runtime_error("cannot stat " + path + ": " + std::strerror(saved_errno));
  if ((info.st_mode & 077) != 0) {
    throw std::runtime_error(path + " is accessible to group or others; run: chmod 600 " + path);
  }
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > max_name_bytes) return false;
  for (char c : name) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

bool valid_participant(const std::string& participant_hex) {
  return participant_hex.size() == 64 && from_hex(participant_hex).has_value();
}

std::optional<Rejection> password_problem(const std::string& password) {
  if (password.size() < min_password_bytes || password.size() > max_password_bytes) {
    return reject("user.weak_password", "a password must be 12 to 1024 bytes long");
  }
  return std::nullopt;
}

Rejection invalid_name() {
  return reject("user.invalid_name", "a user name must be 1 to 64 characters of a-z 0-9 . _ @ -");
}

Rejection not_found(const std::string& name) { return reject("user.not_found", "no user '" + name + "'"); }

// A well-formed hash with the default cost that no password is expected to match: checked
// against for unknown names so they cost what a known name does.
const std::string& dummy_hash() {
  using namespace password_limits;
  static const std::string hash = "scrypt$" + std::to_string(default_log2_n) + "$" + std::to_string(default_r) +
                                  "$" + std::to_string(default_p) + "$" + std::string(2 * salt_bytes, '0') + "$" +
                                  std::string(2 * hash_bytes, '0');
  return hash;
}

}  // namespace

std::unique_ptr<UserStore> UserStore::open(const std::string& path) {
  create_private_file(path);
  sqlite3* database = nullptr;
  // No SQLITE_OPEN_CREATE: the file exists, with the mode create_private_file gave it.
  if (sqlite3_open_v2(path.c_str(), &database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string message = database ? sqlite3_errmsg(database) : "out of memory";
    sqlite3_close(database);
    throw std::runtime_error("cannot open " + path + ": " + message);
  }
  std::unique_ptr<UserStore> store(new UserStore(database));
  sqlite3_busy_timeout(database, busy_timeout_ms);
  store->execute("PRAGMA journal_mode=WAL");
  store->execute("PRAGMA synchronous=FULL");
  store->create_schema();
  // Every API request looks its user up (a removed user's sessions end at once), so this
  // query is compiled once rather than per request.
  if (sqlite3_prepare_v3(database, find_user_sql, -1, SQLITE_PREPARE_PERSISTENT, &store->find_statement_, nullptr) != SQLITE_OK) {
    fail(database, "prepare");
  }
  return store;
}

UserStore::~UserStore() {
  sqlite3_finalize(find_statement_);
  sqlite3_close_v2(database_);
}

void UserStore::execute(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(database_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(std::string("users database: ") + message);
  }
}

// In one write transaction, so a node and flexctl opening a new file at once create it once.
void UserStore::create_schema() {
  execute("BEGIN IMMEDIATE");
  try {
    std::int64_t version = 0;
    {
      Statement query(database_, "PRAGMA user_version");
      if (query.step()) version = query.column_integer(0);
    }
    if (version == 0) execute(schema_sql);
    else if (version != schema_version) {
      throw std::runtime_error("unsupported users database version " + std::to_string(version));
    }
    execute("COMMIT");
  } catch (...) {
    sqlite3_exec(database_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

Status UserStore::add(const std::string& name, const std::string& participant_hex, const std::string& password,
                      std::int64_t now_seconds) {
  if (!valid_name(name)) return invalid_name();
  if (!valid_participant(participant_hex)) {
    return reject("user.invalid_participant", "a participant must be a public key of 64 lowercase hex characters");
  }
  if (auto problem = password_problem(password)) return *problem;
  std::string encoded = hash_password(password);  // slow, so outside the lock
  std::lock_guard lock(mutex_);
  Statement insert(database_,
                   "INSERT INTO users(name, participant, password_hash, created_at) VALUES(?, ?, ?, ?) "
                   "ON CONFLICT(name) DO NOTHING");
  insert.text(1, name).text(2, participant_hex).text(3, encoded).integer(4, now_seconds).step();
  if (sqlite3_changes(database_) == 0) return reject("user.exists", "user '" + name + "' already exists");
  return ok_status();
}

Status UserStore::remove(const std::string& name) {
  if (!valid_name(name)) return invalid_name();
  std::lock_guard lock(mutex_);
  Statement(database_, "DELETE FROM users WHERE name = ?").text(1, name).step();
  if (sqlite3_changes(database_) == 0) return not_found(name);
  return ok_status();
}

Status UserStore::set_password(const std::string& name, const std::string& password) {
  if (!valid_name(name)) return invalid_name();
  if (auto problem = password_problem(password)) return *problem;
  std::string encoded = hash_password(password);
  std::lock_guard lock(mutex_);
  Statement(database_, "UPDATE users SET password_hash = ? WHERE name = ?").text(1, encoded).text(2, name).step();
  if (sqlite3_changes(database_) == 0) return not_found(name);
  return ok_status();
}

std::optional<User> UserStore::authenticate(const std::string& name, const std::string& password) {
  // No account has such a password, and refusing it early says nothing about the name.
  if (password.size() > max_password_bytes) return std::nullopt;
  auto found = find_with_hash(name);
  if (!found) {
    verify_password(password, dummy_hash());
    return std::nullopt;
  }
  if (!verify_password(password, found->second)) return std::nullopt;
  return std::move(found->first);
}

std::optional<User> UserStore::find(const std::string& name) {
  auto found = find_with_hash(name);
  if (!found) return std::nullopt;
  return std::move(found->first);
}

std::optional<std::pair<User, std::string>> UserStore::find_with_hash(const std::string& name) {
  if (!valid_name(name)) return std::nullopt;
  std::lock_guard lock(mutex_);
  Statement query(database_, find_statement_);
  query.text(1, name);
  if (!query.step()) return std::nullopt;
  return std::pair{User{name, query.column_text(0), query.column_integer(1)}, query.column_text(2)};
}

std::vector<User> UserStore::list() {
  std::lock_guard lock(mutex_);
  Statement query(database_, "SELECT name, participant, created_at FROM users ORDER BY name");
  std::vector<User> users;
  while (query.step()) users.push_back(User{query.column_text(0), query.column_text(1), query.column_integer(2)});
  return users;
}

}  // namespace flex::api
