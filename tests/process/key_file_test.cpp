// Key files: flexctl keygen writes mode 0600 and never overwrites; flexnode refuses a key
// file that group or others can read (node/keyfile.hpp).
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

#include "child_process.hpp"
#include "node/keyfile.hpp"
#include "node_process.hpp"

using namespace flex;
using namespace flex::process_test;

namespace {

constexpr std::chrono::seconds command_timeout{15};

unsigned permission_bits(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return static_cast<unsigned>(info.st_mode & 0777);
}

CompletedRun start_dev_node(const std::filesystem::path& data_dir, const std::filesystem::path& scratch) {
  return run_to_completion({FLEXNODE_PATH, "--dev", "--data", data_dir.string(), "--listen", "127.0.0.1:0"}, scratch,
                           command_timeout);
}

}  // namespace

TEST_CASE("flexctl keygen writes a key file of mode 0600 and refuses to overwrite a file", "[process][keys]") {
  TemporaryDirectory directory;
  const auto key_path = directory / "operator_key.json";

  auto made = run_to_completion({FLEXCTL_PATH, "keygen", "--out", key_path.string()}, directory.path(), command_timeout);
  INFO("keygen: " << describe_run(made));
  REQUIRE(made.status.exited_with(0));
  CHECK(std::regex_match(made.stdout_text, std::regex("[0-9a-f]{64}\n")));
  CHECK(permission_bits(key_path) == 0600);
  auto public_key = run_to_completion({FLEXCTL_PATH, "pubkey", "--key", key_path.string()}, directory.path(),
                                      command_timeout);
  CHECK(public_key.status.exited_with(0));
  CHECK(public_key.stdout_text == made.stdout_text);

  const std::string original = read_whole_file(key_path);
  auto again = run_to_completion({FLEXCTL_PATH, "keygen", "--out", key_path.string()}, directory.path(), command_timeout);
  INFO("second keygen: " << describe_run(again));
  CHECK(again.status.exited_with(1));
  CHECK(again.stderr_text.find(key_path.string()) != std::string::npos);
  CHECK(read_whole_file(key_path) == original);
  CHECK(permission_bits(key_path) == 0600);

  // Nor any other file that happens to be in the way.
  const auto notes_path = directory / "notes.txt";
  { std::ofstream(notes_path) << "not a key\n"; }
  auto over_notes = run_to_completion({FLEXCTL_PATH, "keygen", "--out", notes_path.string()}, directory.path(),
                                      command_timeout);
  CHECK(over_notes.status.exited_with(1));
  CHECK(read_whole_file(notes_path) == "not a key\n");
}

TEST_CASE("flexnode refuses to start with a key file that group or others can read", "[process][keys]") {
  const auto mode = static_cast<std::filesystem::perms>(GENERATE(0644, 0640, 0604));
  TemporaryDirectory directory;
  const auto data_dir = directory / "data";
  const auto key_path = data_dir / "node_key.json";

  SECTION("in a new data directory") {
    std::filesystem::create_directories(data_dir);
    write_key_file(key_path.string(), generate_secret_key());
  }
  SECTION("in a data directory that already holds a chain") {
    NodeProcess node(data_dir, directory / "first-start.log", 0);
    node.process().send_signal(SIGTERM);
    auto exit = node.process().wait_for_exit(std::chrono::seconds(10));
    REQUIRE(exit);
    REQUIRE(exit->exited_with(0));
  }
  std::filesystem::permissions(key_path, mode, std::filesystem::perm_options::replace);

  auto refused = start_dev_node(data_dir, directory.path());
  INFO("flexnode: " << describe_run(refused));
  CHECK(refused.status.exited_with(1));
  CHECK(refused.stderr_text.find("chmod 600") != std::string::npos);
  CHECK(refused.stderr_text.find("node.started") == std::string::npos);

  // The mode was the only problem: at 0600 the same directory starts.
  std::filesystem::permissions(key_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  NodeProcess node(data_dir, directory / "after-chmod.log", 0);
  CHECK(node.process().running());
}
