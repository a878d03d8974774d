#include "ledger/store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "ledger/hash.hpp"

namespace flex {
namespace {

constexpr const char* schema_version = "1";

constexpr const char* schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks(height INTEGER PRIMARY KEY, hash TEXT NOT NULL,
  header TEXT NOT NULL, commit_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transactions(id TEXT PRIMARY KEY, height INTEGER NOT NULL,
  position INTEGER NOT NULL, body TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS transactions_by_block ON transactions(height, position);
CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
)sql";

// Resets a cached statement when it goes out of scope.
class Bound {
 public:
  Bound(sqlite3* database, sqlite3_stmt* statement) : database_(database), statement_(statement) {}
  ~Bound() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  Bound& text(int index, std::string_view value) {
    check(sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }
  Bound& integer(int index, std::int64_t value) {
    check(sqlite3_bind_int64(statement_, index, value));
    return *this;
  }
  bool step() {
    int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW) return true;
    if (code == SQLITE_DONE) return false;
    throw StoreError(std::string("sqlite step: ") + sqlite3_errmsg(database_));
  }
  std::string column_text(int index) {
    auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, index));
    return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, index)))
                : std::string();
  }
  std::int64_t column_integer(int index) { return sqlite3_column_int64(statement_, index); }

 private:
  void check(int code) {
    if (code != SQLITE_OK) throw StoreError(std::string("sqlite bind: ") + sqlite3_errmsg(database_));
  }
  sqlite3* database_;
  sqlite3_stmt* statement_;
};

}  // namespace

int lock_store(const std::string& path) {
  std::string lock_path = path + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw StoreError("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw StoreError(path + " is in use by another process (is another node running on this data directory?)");
  }
  return fd;
}

std::unique_ptr<Store> Store::open(const std::string& path, Mode mode) {
  int lock_fd = mode == Mode::ReadWrite ? lock_store(path) : -1;
  sqlite3* database = nullptr;
  int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                                     : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &database, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string message = database ? sqlite3_errmsg(database) : "out of memory";
    sqlite3_close(database);
    if (lock_fd >= 0) ::close(lock_fd);
    throw StoreError("cannot open " + path + ": " + message);
  }
  std::unique_ptr<Store> store(new Store(database, lock_fd));
  store->execute("PRAGMA busy_timeout=5000");
  if (mode == Mode::ReadWrite) {
    store->execute("PRAGMA journal_mode=WAL");
    store->execute("PRAGMA synchronous=FULL");
    store->execute(schema_sql);
    auto version = store->meta("schema_version");
    if (!version) {
      Bound(database, store->prepared("INSERT INTO meta(key, value) VALUES(?, ?)"))
          .text(1, "schema_version").text(2, schema_version).step();
    } else if (*version != schema_version) {
      throw StoreError("unsupported store schema version " + *version);
    }
  }
  return store;
}

Store::Store(sqlite3* database, int lock_fd) : database_(database), lock_fd_(lock_fd) {}

Store::~Store() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close(database_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

void Store::execute(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(database_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw StoreError(std::string("sqlite: ") + message);
  }
}

sqlite3_stmt* Store::prepared(const char* sql) {
  for (auto& [cached_sql, statement] : statements_) {
    if (cached_sql == sql) return statement;
  }
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(database_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
    throw StoreError(std::string("sqlite prepare: ") + sqlite3_errmsg(database_));
  }
  statements_.emplace_back(sql, statement);
  return statement;
}

std::optional<std::string> Store::meta(const std::string& key) {
  Bound query(database_, prepared("SELECT value FROM meta WHERE key = ?"));
  query.text(1, key);
  if (!query.step()) return std::nullopt;
  return query.column_text(0);
}

void Store::initialize(const std::string& chain_id, const std::string& genesis_canonical,
                       const State::Entries& genesis_state) {
  execute("BEGIN IMMEDIATE");
  try {
    if (meta("genesis")) throw StoreError("store already holds a genesis");
    Bound(database_, prepared("INSERT INTO meta(key, value) VALUES(?, ?)"))
        .text(1, "genesis").text(2, genesis_canonical).step();
    Bound(database_, prepared("INSERT INTO meta(key, value) VALUES(?, ?)"))
        .text(1, "chain_id").text(2, chain_id).step();
    for (const auto& [key, value] : genesis_state) {
      Bound(database_, prepared("INSERT INTO state(key, value) VALUES(?, ?)")).text(1, key).text(2, value).step();
    }
    execute("COMMIT");
  } catch (...) {
    sqlite3_exec(database_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::int64_t Store::height() {
  Bound query(database_, prepared("SELECT COALESCE(MAX(height), 0) FROM blocks"));
  query.step();
  return query.column_integer(0);
}

std::optional<StoredBlock> Store::block(std::int64_t height) {
  Bound query(database_, prepared("SELECT hash, header, commit_json FROM blocks WHERE height = ?"));
  query.integer(1, height);
  if (!query.step()) return std::nullopt;
  return StoredBlock{height, query.column_text(0), query.column_text(1), query.column_text(2)};
}

std::vector<StoredTransaction> Store::block_transactions(std::int64_t height) {
  Bound query(database_, prepared("SELECT id, position, body, code, message FROM transactions "
                                  "WHERE height = ? ORDER BY position"));
  query.integer(1, height);
  std::vector<StoredTransaction> out;
  while (query.step()) {
    out.push_back(StoredTransaction{query.column_text(0), height, query.column_integer(1),
                                    query.column_text(2),
                                    Receipt{query.column_text(3), query.column_text(4)}});
  }
  return out;
}

std::optional<StoredTransaction> Store::transaction(const std::string& id_hex) {
  Bound query(database_, prepared("SELECT height, position, body, code, message FROM transactions "
                                  "WHERE id = ?"));
  query.text(1, id_hex);
  if (!query.step()) return std::nullopt;
  return StoredTransaction{id_hex, query.column_integer(0), query.column_integer(1),
                           query.column_text(2), Receipt{query.column_text(3), query.column_text(4)}};
}

std::vector<StoredTransaction> Store::transactions_naming(
    const std::string& text, std::optional<std::pair<std::int64_t, std::int64_t>> before, std::size_t limit) {
  Bound query(database_, prepared("SELECT id, height, position, body, code, message FROM transactions "
                                  "WHERE instr(body, ?1) > 0 AND (height < ?2 OR (height = ?2 AND position < ?3)) "
                                  "ORDER BY height DESC, position DESC LIMIT ?4"));
  query.text(1, text);
  query.integer(2, before ? before->first : std::numeric_limits<std::int64_t>::max());
  query.integer(3, before ? before->second : 0);
  query.integer(4, static_cast<std::int64_t>(limit));
  std::vector<StoredTransaction> out;
  while (query.step()) {
    out.push_back(StoredTransaction{query.column_text(0), query.column_integer(1), query.column_integer(2),
                                    query.column_text(3), Receipt{query.column_text(4), query.column_text(5)}});
  }
  return out;
}

State::Entries Store::load_state() {
  Bound query(database_, prepared("SELECT key, value FROM state ORDER BY key"));
  State::Entries entries;
  while (query.step()) entries.emplace(query.column_text(0), query.column_text(1));
  return entries;
}

std::int64_t Store::max_transaction_height() {
  Bound query(database_, prepared("SELECT COALESCE(MAX(height), 0) FROM transactions"));
  query.step();
  return query.column_integer(0);
}

void Store::commit_block(const BlockRecord& record, const WriteSet& state_changes) {
  if (record.receipts.size() != record.transactions.size()) {
    throw StoreError("commit_block: one receipt per transaction required");
  }
  execute("BEGIN IMMEDIATE");
  try {
    Bound(database_, prepared("INSERT INTO blocks(height, hash, header, commit_json) VALUES(?, ?, ?, ?)"))
        .integer(1, record.header.height)
        .text(2, to_hex(block_hash(record.header)))
        .text(3, to_canonical(header_to_json(record.header)))
        .text(4, to_canonical(commit_to_json(record.commit)))
        .step();
    for (std::size_t i = 0; i < record.transactions.size(); ++i) {
      const auto& transaction = record.transactions[i];
      Bound(database_, prepared("INSERT INTO transactions(id, height, position, body, code, message) "
                                "VALUES(?, ?, ?, ?, ?, ?)"))
          .text(1, to_hex(transaction.id))
          .integer(2, record.header.height)
          .integer(3, static_cast<std::int64_t>(i))
          .text(4, transaction.canonical)
          .text(5, record.receipts[i].code)
          .text(6, record.receipts[i].message)
          .step();
    }
    for (const auto& [key, value] : state_changes) {
      if (value) {
        Bound(database_, prepared("INSERT OR REPLACE INTO state(key, value) VALUES(?, ?)"))
            .text(1, key).text(2, *value).step();
      } else {
        Bound(database_, prepared("DELETE FROM state WHERE key = ?")).text(1, key).step();
      }
    }
    execute("COMMIT");
  } catch (...) {
    sqlite3_exec(database_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace flex
