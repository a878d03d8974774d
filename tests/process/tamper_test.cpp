// Tamper test (issue acceptance criterion): "flexctl verify --data DIR re-checks every
// block ... It prints the first bad height, if any. A test flips one byte in the SQLite
// file and sees it caught."
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>

#include "child_process.hpp"
#include "http_client.hpp"
#include "node_process.hpp"

using namespace flex;
using namespace flex::process_test;

namespace {

// Appears nowhere else: not in state (memos are not stored there), nor in any other body.
constexpr const char* marker = "TAMPER-MARKER-7";
constexpr int transfers_before_marker = 3;
constexpr int transfers_after_marker = 3;

std::vector<std::size_t> offsets_of(const std::string& haystack, const std::string& needle) {
  std::vector<std::size_t> offsets;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) {
    offsets.push_back(at);
  }
  return offsets;
}

void write_whole_file(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  REQUIRE(file.good());
}

// Moves every page of the WAL into the main file, so bytes flipped there are what readers see.
void checkpoint_wal(const std::filesystem::path& database_path) {
  sqlite3* database = nullptr;
  REQUIRE(sqlite3_open_v2(database_path.c_str(), &database, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  char* error = nullptr;
  int code = sqlite3_exec(database, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(database);
  INFO(message);
  REQUIRE(code == SQLITE_OK);
}

CompletedRun verify(const std::filesystem::path& data_dir, const std::filesystem::path& scratch) {
  return run_to_completion({FLEXCTL_PATH, "verify", "--data", data_dir.string()}, scratch, std::chrono::seconds(30));
}

}  // namespace

TEST_CASE("flexctl verify accepts an intact chain and names the block of a transaction altered by one byte",
          "[process][tamper]") {
  TemporaryDirectory directory;
  const auto data_dir = directory / "data";
  std::int64_t chain_height = 0, marker_height = 0;
  {
    // No empty blocks: each transfer below gets a block of its own.
    NodeProcess node(data_dir, directory / "node.log", 0);
    HttpClient client(node.port());
    client.set_bearer(node.token());
    Signer operator_signer = Signer::from_key_file(data_dir / "node_key.json");
    Signer recipient = Signer::generate();
    auto commit = [&](const Transaction& transaction) {
      submit_or_throw(client, transaction);
      Json committed = wait_until_committed(client, id_hex(transaction));
      REQUIRE(committed["result"]["code"] == "ok");
      return committed["height"].get<std::int64_t>();
    };
    commit(operator_signer.sign("token.mint", mint_payload(operator_signer.public_key, 1000000, "wire-1")));
    commit(operator_signer.sign("participant.admit", admit_payload(recipient.public_key, "Recipient", {"prosumer"})));
    for (int i = 0; i < transfers_before_marker + 1 + transfers_after_marker; ++i) {
      std::string memo = i == transfers_before_marker ? marker : "filler-" + std::to_string(i);
      std::int64_t height = commit(operator_signer.sign("token.transfer", transfer_payload(recipient.public_key, 100 + i, memo)));
      if (i == transfers_before_marker) marker_height = height;
    }
    chain_height = node_status(client)["height"].get<std::int64_t>();
    REQUIRE(marker_height > 1);
    REQUIRE(marker_height < chain_height);  // blocks after the bad one must not hide it

    node.process().send_signal(SIGTERM);
    auto exit = node.process().wait_for_exit(std::chrono::seconds(10));
    REQUIRE(exit);
    REQUIRE(exit->exited_with(0));
  }

  const auto database_path = data_dir / "ledger.sqlite";
  auto wal_path = database_path;
  wal_path += "-wal";
  if (std::filesystem::exists(wal_path) && std::filesystem::file_size(wal_path) > 0) {
    WARN("the WAL was not checkpointed at shutdown (" << std::filesystem::file_size(wal_path)
                                                      << " bytes); checkpointing it here");
    checkpoint_wal(database_path);
  }

  {
    auto run = verify(data_dir, directory.path());
    INFO("intact chain: " << describe_run(run));
    CHECK(run.status.exited_with(0));
    CHECK(run.stdout_text.rfind("OK: verified " + std::to_string(chain_height) + " blocks", 0) == 0);
  }

  std::string bytes = read_whole_file(database_path);
  auto offsets = offsets_of(bytes, marker);
  INFO("marker found at offsets " << Json(offsets).dump());
  // The marker is in exactly one live record; a second copy would be stale page space,
  // and flipping that one would prove nothing.
  REQUIRE(offsets.size() == 1);
  bytes[offsets[0]] = static_cast<char>(bytes[offsets[0]] ^ 0x01);  // 'T' -> 'U': still canonical JSON
  write_whole_file(database_path, bytes);

  auto run = verify(data_dir, directory.path());
  INFO("tampered chain: " << describe_run(run));
  CHECK(run.status.exited_with(1));
  CHECK(run.stdout_text.rfind("FAILED: first bad height " + std::to_string(marker_height) + ":", 0) == 0);
}
