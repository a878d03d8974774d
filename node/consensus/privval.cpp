#include "node/consensus/privval.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <set>
#include <tuple>

#include "ledger/store.hpp"
#include "node/keyfile.hpp"

namespace flex::consensus {

namespace {

constexpr std::uint8_t kProposalStep = 1;

std::uint8_t step_number(VoteType type) { return type == VoteType::prevote ? 2 : 3; }

Step core_step(std::uint8_t step) {
  return step == kProposalStep ? Step::propose : step == 2 ? Step::prevote : Step::precommit;
}

Json hash_or_null(const std::optional<Hash32>& hash) { return hash ? Json(to_hex(*hash)) : Json(nullptr); }

std::optional<Hash32> optional_hash(const Json& json, const char* name) {
  if (json.at(name).is_null()) return std::nullopt;
  return hex_field<32>(json, name).value();
}

// The record without its blocks, as one JSON text.
std::string record_text(const LastSigned& record) {
  Json json{{"height", record.height},
            {"round", record.round},
            {"step", record.step},
            {"digest", to_hex(record.digest)},
            {"signature", to_hex(record.signature)},
            {"vote", record.vote ? vote_to_json(*record.vote) : Json(nullptr)},
            {"proposal", record.proposal ? proposal_to_json(*record.proposal) : Json(nullptr)},
            {"locked_round", record.locks.locked_round},
            {"locked", hash_or_null(record.locks.locked)},
            {"valid_round", record.locks.valid_round},
            {"valid", hash_or_null(record.locks.valid)}};
  // The lock proposals without their blocks, which the lock_blocks rows hold.
  Json proposals = Json::array();
  for (const auto& proposal : record.lock_proposals) {
    Json item = proposal_to_json(proposal);
    item.erase("block");
    proposals.push_back(std::move(item));
  }
  json["lock_proposals"] = std::move(proposals);
  Json votes = Json::array();
  for (const auto& vote : record.lock_votes) votes.push_back(vote_to_json(vote));
  json["lock_votes"] = std::move(votes);
  Json blocks = Json::array();  // in the core's order, which load() restores
  for (const auto& block : record.lock_blocks) blocks.push_back(to_hex(block_hash(block->header)));
  json["lock_blocks"] = std::move(blocks);
  return to_canonical(json);
}

LastSigned record_from_text(const std::string& text) {
  Json json = Json::parse(text);
  LastSigned record;
  record.height = json.at("height").get<std::int64_t>();
  record.round = json.at("round").get<std::int64_t>();
  record.step = json.at("step").get<std::uint8_t>();
  record.digest = hex_field<32>(json, "digest").value();
  record.signature = hex_field<64>(json, "signature").value();
  if (!json.at("vote").is_null()) record.vote = vote_from_json(json["vote"]).value();
  if (!json.at("proposal").is_null()) record.proposal = proposal_from_json(json["proposal"]).value();
  record.locks.locked_round = json.at("locked_round").get<std::int64_t>();
  record.locks.locked = optional_hash(json, "locked");
  record.locks.valid_round = json.at("valid_round").get<std::int64_t>();
  record.locks.valid = optional_hash(json, "valid");
  for (const auto& item : json.value("lock_proposals", Json::array())) {  // absent in older records
    SignedProposal proposal;
    proposal.height = item.at("height").get<std::int64_t>();
    proposal.round = item.at("round").get<std::int64_t>();
    proposal.valid_round = item.at("valid_round").get<std::int64_t>();
    proposal.block_id = hex_field<32>(item, "block_hash").value();
    proposal.signer = hex_field<32>(item, "signer").value();
    proposal.signature = hex_field<64>(item, "signature").value();
    record.lock_proposals.push_back(std::move(proposal));  // its block is bound from lock_blocks in load()
  }
  for (const auto& item : json.value("lock_votes", Json::array())) record.lock_votes.push_back(vote_from_json(item).value());
  return record;
}

}  // namespace

// ---- SQLite store ----

struct SqlitePrivvalStore::Database {
  sqlite3* handle = nullptr;
  int lock_fd = -1;
  std::set<std::string> stored_blocks;  // hex hashes of the block rows, to write each once

  ~Database() {
    sqlite3_close(handle);
    if (lock_fd >= 0) ::close(lock_fd);
  }
  void execute(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      throw StoreError("consensus.sqlite: " + message);
    }
  }
  // Runs `sql` with text parameters; returns the first column of each row.
  std::vector<std::string> query(const std::string& sql, const std::vector<std::string>& parameters) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      throw StoreError(std::string("consensus.sqlite: ") + sqlite3_errmsg(handle));
    }
    std::vector<std::string> rows;
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      sqlite3_bind_text(statement, static_cast<int>(i + 1), parameters[i].data(),
                        static_cast<int>(parameters[i].size()), SQLITE_TRANSIENT);
    }
    int code;
    while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
      auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
      rows.emplace_back(data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement, 0))) : "");
    }
    sqlite3_finalize(statement);
    if (code != SQLITE_DONE) throw StoreError(std::string("consensus.sqlite: ") + sqlite3_errmsg(handle));
    return rows;
  }
};

SqlitePrivvalStore::SqlitePrivvalStore(std::unique_ptr<Database> database) : database_(std::move(database)) {}
SqlitePrivvalStore::~SqlitePrivvalStore() = default;

std::unique_ptr<SqlitePrivvalStore> SqlitePrivvalStore::open(const std::string& path, const std::string& chain_id,
                                                             const PublicKey& validator) {
  auto database = std::make_unique<Database>();
  database->lock_fd = lock_store(path);
  if (sqlite3_open_v2(path.c_str(), &database->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    throw StoreError("cannot open " + path + ": " + sqlite3_errmsg(database->handle));
  }
  database->execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                    "CREATE TABLE IF NOT EXISTS last_signed(id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL);"
                    "CREATE TABLE IF NOT EXISTS lock_blocks(hash TEXT PRIMARY KEY, body TEXT NOT NULL);");
  const std::vector<std::pair<std::string, std::string>> identity{
      {"schema_version", "1"}, {"chain_id", chain_id}, {"validator", to_hex(validator)}};
  for (const auto& [key, value] : identity) {
    auto stored = database->query("SELECT value FROM meta WHERE key = ?", {key});
    if (stored.empty()) {
      database->query("INSERT INTO meta(key, value) VALUES(?, ?)", {key, value});
    } else if (stored[0] != value) {
      throw std::runtime_error(path + " belongs to " + key + " " + stored[0] + ", not " + value +
                               ": refusing to sign with another validator's double-sign record");
    }
  }
  for (auto& hash : database->query("SELECT hash FROM lock_blocks", {})) database->stored_blocks.insert(hash);
  return std::unique_ptr<SqlitePrivvalStore>(new SqlitePrivvalStore(std::move(database)));
}

std::optional<LastSigned> SqlitePrivvalStore::load() {
  auto rows = database_->query("SELECT record FROM last_signed WHERE id = 1", {});
  if (rows.empty()) return std::nullopt;
  LastSigned record = record_from_text(rows[0]);
  std::vector<Hash32> ids;  // as Tendermint::lock_blocks listed them
  Json text = Json::parse(rows[0]);
  if (text.contains("lock_blocks")) {
    for (const auto& id : text["lock_blocks"]) ids.push_back(from_hex_fixed<32>(id.get<std::string>()).value());
  } else {  // a record from before the list was kept: the locked and valid blocks
    if (record.locks.locked) ids.push_back(*record.locks.locked);
    if (record.locks.valid && record.locks.valid != record.locks.locked) ids.push_back(*record.locks.valid);
  }
  for (const auto& id : ids) {
    auto body = database_->query("SELECT body FROM lock_blocks WHERE hash = ?", {to_hex(id)});
    if (body.empty()) throw StoreError("consensus.sqlite lacks the block of a lock");
    auto block = block_from_json(Json::parse(body[0]));
    if (!block) throw StoreError("consensus.sqlite holds a malformed lock block");
    record.lock_blocks.push_back(std::make_shared<const Block>(std::move(*block)));
  }
  for (auto& proposal : record.lock_proposals) {
    for (const auto& block : record.lock_blocks) {
      if (block_hash(block->header) == proposal.block_id) proposal.block = block;
    }
    if (!proposal.block) throw StoreError("consensus.sqlite lacks the block of a lock proposal");
  }
  return record;
}

void SqlitePrivvalStore::save(const LastSigned& record) {
  std::set<std::string> wanted;
  for (const auto& block : record.lock_blocks) wanted.insert(to_hex(block_hash(block->header)));
  for (const auto& id : {record.locks.locked, record.locks.valid}) {
    // A record that load() could not read back would keep the validator from restarting.
    if (id && !wanted.count(to_hex(*id))) throw std::logic_error("a double-sign record without the block of its lock");
  }
  database_->execute("BEGIN IMMEDIATE");
  try {
    for (const auto& block : record.lock_blocks) {
      std::string hash = to_hex(block_hash(block->header));
      if (!database_->stored_blocks.count(hash)) {
        database_->query("INSERT OR REPLACE INTO lock_blocks(hash, body) VALUES(?, ?)",
                         {hash, to_canonical(block_to_json(*block))});
      }
    }
    for (const auto& hash : database_->stored_blocks) {
      if (!wanted.count(hash)) database_->query("DELETE FROM lock_blocks WHERE hash = ?", {hash});
    }
    database_->query("INSERT OR REPLACE INTO last_signed(id, record) VALUES(1, ?)", {record_text(record)});
    database_->execute("COMMIT");  // synchronous=FULL: durable before the signature is released
  } catch (...) {
    sqlite3_exec(database_->handle, "ROLLBACK", nullptr, nullptr, nullptr);
    database_->stored_blocks.clear();
    for (auto& hash : database_->query("SELECT hash FROM lock_blocks", {})) database_->stored_blocks.insert(hash);
    throw;
  }
  database_->stored_blocks = std::move(wanted);
}

// ---- The signing rule ----

PrivValidator::PrivValidator(SecretKey key, PrivvalStore& store, std::string chain_id,
                             std::function<Hash32()> aux_random)
    : key_(std::move(key)), store_(store), chain_id_(std::move(chain_id)), aux_random_(std::move(aux_random)) {
  auto derived = derive_public_key(key_);
  if (!derived) throw std::invalid_argument("the validator key is not a valid secret key");
  public_key_ = *derived;
  last_ = store_.load();
}

std::optional<Signature> PrivValidator::sign_vote(const SignVote& request, const Hash32& digest) {
  LastSigned next;
  next.height = request.height;
  next.round = request.round;
  next.step = step_number(request.type);
  next.digest = digest;
  next.vote = SignedVote{request.type, request.height, request.round, request.block, public_key_, {}};
  next.locks = request.locks;
  next.lock_blocks = request.lock_blocks;
  next.lock_proposals = request.lock_proposals;
  next.lock_votes = request.lock_votes;
  return sign(std::move(next));
}

std::optional<Signature> PrivValidator::sign_proposal(const SignProposal& request, const Hash32& digest) {
  LastSigned next;
  next.height = request.height;
  next.round = request.round;
  next.step = kProposalStep;
  next.digest = digest;
  next.proposal = SignedProposal{request.height, request.round, request.valid_round, request.id, request.block,
                                 public_key_, {}};
  next.locks = request.locks;
  next.lock_blocks = request.lock_blocks;
  next.lock_proposals = request.lock_proposals;
  next.lock_votes = request.lock_votes;
  return sign(std::move(next));
}

std::optional<Signature> PrivValidator::sign(LastSigned next) {
  if (last_) {
    auto requested = std::tie(next.height, next.round, next.step);
    auto stored = std::tie(last_->height, last_->round, last_->step);
    if (requested == stored && next.digest == last_->digest) return last_->signature;  // the same message again
    if (requested <= stored) {
      ++refusals_;
      return std::nullopt;
    }
  }
  auto signature = schnorr_sign(key_, next.digest, aux_random_ ? aux_random_() : random_bytes32());
  if (!signature) return std::nullopt;
  next.signature = *signature;
  if (next.vote) next.vote->signature = *signature;
  if (next.proposal) next.proposal->signature = *signature;
  store_.save(next);  // durable before the signature leaves (throws: nothing is sent)
  last_ = std::move(next);
  return last_->signature;
}

std::optional<Resume> PrivValidator::resume(std::int64_t committed_height) const {
  if (!last_ || last_->height <= committed_height) return std::nullopt;
  if (last_->height > committed_height + 1) {
    throw std::runtime_error("the double-sign record is at height " + std::to_string(last_->height) +
                             " but the chain has only " + std::to_string(committed_height) +
                             " blocks: the data directory is not the one this validator signed with");
  }
  return Resume{last_->round, core_step(last_->step), last_->locks, last_->lock_blocks, last_->vote, last_->proposal,
                last_->lock_proposals, last_->lock_votes};
}

}  // namespace flex::consensus
