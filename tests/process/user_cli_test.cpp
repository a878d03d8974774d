// flexctl user: the API's user accounts in <data>/users.sqlite, managed from the command
// line while a node may have the same file open.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

#include "api/user_store.hpp"
#include "child_process.hpp"

using namespace flex;
using namespace flex::process_test;

namespace {

constexpr std::chrono::seconds command_timeout{15};
const std::string alice_key(64, 'a');
const std::string bob_key = "b0" + std::string(62, '1');

CompletedRun flexctl(const TemporaryDirectory& directory, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), FLEXCTL_PATH);
  return run_to_completion(arguments, directory.path(), command_timeout);
}

// ChildProcess gives children /dev/null as stdin, so a shell puts `input` there instead.
CompletedRun flexctl_with_stdin(const TemporaryDirectory& directory, const std::string& input,
                                const std::vector<std::string>& arguments) {
  const auto input_path = directory / "stdin.txt";
  { std::ofstream(input_path, std::ios::binary) << input; }
  std::vector<std::string> command{"/bin/sh", "-c", "input=$1; shift; exec \"$0\" \"$@\" < \"$input\"", FLEXCTL_PATH,
                                   input_path.string()};
  command.insert(command.end(), arguments.begin(), arguments.end());
  return run_to_completion(command, directory.path(), command_timeout);
}

unsigned permission_bits(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return static_cast<unsigned>(info.st_mode & 0777);
}

}  // namespace

TEST_CASE("flexctl user add takes the password from stdin or a file, and user list shows the accounts",
          "[process][users]") {
  TemporaryDirectory directory;
  const std::string data = directory.path().string();

  auto from_stdin = flexctl_with_stdin(directory, "correct horse battery\n",
                                       {"user", "add", "--data", data, "--name", "bob", "--participant", bob_key});
  INFO("add from stdin: " << describe_run(from_stdin));
  REQUIRE(from_stdin.status.exited_with(0));
  CHECK(from_stdin.stdout_text == "user bob added for participant " + bob_key + "\n");

  { std::ofstream(directory / "password.txt") << "alice's long password\r\n"; }
  auto from_file = flexctl(directory, {"user", "add", "--data", data, "--name", "alice", "--participant", alice_key,
                                       "--password-file", (directory / "password.txt").string()});
  INFO("add from file: " << describe_run(from_file));
  REQUIRE(from_file.status.exited_with(0));
  CHECK(from_file.stdout_text == "user alice added for participant " + alice_key + "\n");
  CHECK(permission_bits(directory / "users.sqlite") == 0600);

  auto listed = flexctl(directory, {"user", "list", "--data", data});
  INFO("list: " << describe_run(listed));
  CHECK(listed.status.exited_with(0));
  const std::string timestamp = R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)";
  CHECK(std::regex_match(listed.stdout_text, std::regex("alice " + alice_key + " " + timestamp + "\n" +
                                                        "bob " + bob_key + " " + timestamp + "\n")));

  // The stored passwords are the lines without their line endings.
  auto users = api::UserStore::open((directory / "users.sqlite").string());
  CHECK(users->authenticate("bob", "correct horse battery"));
  CHECK_FALSE(users->authenticate("bob", "correct horse battery\n"));
  CHECK(users->authenticate("alice", "alice's long password"));
}

TEST_CASE("flexctl user add refuses a duplicate name and a weak password with exit status 1", "[process][users]") {
  TemporaryDirectory directory;
  const std::string data = directory.path().string();
  auto add = [&](const std::string& name, const std::string& password) {
    return flexctl_with_stdin(directory, password + "\n",
                              {"user", "add", "--data", data, "--name", name, "--participant", alice_key});
  };
  REQUIRE(add("alice", "correct horse battery").status.exited_with(0));

  auto duplicate = add("alice", "another long password");
  INFO("duplicate: " << describe_run(duplicate));
  CHECK(duplicate.status.exited_with(1));
  CHECK(duplicate.stderr_text.rfind("flexctl: user.exists: ", 0) == 0);
  CHECK(duplicate.stdout_text.empty());

  auto weak = add("bob", "short");
  INFO("weak: " << describe_run(weak));
  CHECK(weak.status.exited_with(1));
  CHECK(weak.stderr_text.rfind("flexctl: user.weak_password: ", 0) == 0);

  auto empty = flexctl(directory, {"user", "add", "--data", data, "--name", "carol", "--participant", alice_key});
  CHECK(empty.status.exited_with(1));  // stdin is /dev/null: an empty password
  CHECK(empty.stderr_text.rfind("flexctl: user.weak_password: ", 0) == 0);

  auto listed = flexctl(directory, {"user", "list", "--data", data});
  CHECK(listed.stdout_text.rfind("alice ", 0) == 0);
  CHECK(listed.stdout_text.find('\n') == listed.stdout_text.size() - 1);
}

TEST_CASE("flexctl user remove and passwd change the accounts a node reads", "[process][users]") {
  TemporaryDirectory directory;
  const std::string data = directory.path().string();
  auto node_view = api::UserStore::open((directory / "users.sqlite").string());  // as a running node holds it
  REQUIRE(flexctl_with_stdin(directory, "correct horse battery\n",
                             {"user", "add", "--data", data, "--name", "alice", "--participant", alice_key})
              .status.exited_with(0));
  CHECK(node_view->authenticate("alice", "correct horse battery"));

  auto changed = flexctl_with_stdin(directory, "a new long password\n", {"user", "passwd", "--data", data, "--name", "alice"});
  INFO("passwd: " << describe_run(changed));
  CHECK(changed.status.exited_with(0));
  CHECK_FALSE(node_view->authenticate("alice", "correct horse battery"));
  CHECK(node_view->authenticate("alice", "a new long password"));

  auto removed = flexctl(directory, {"user", "remove", "--data", data, "--name", "alice"});
  INFO("remove: " << describe_run(removed));
  CHECK(removed.status.exited_with(0));
  CHECK(removed.stdout_text == "user alice removed\n");
  CHECK_FALSE(node_view->authenticate("alice", "a new long password"));
  CHECK(flexctl(directory, {"user", "list", "--data", data}).stdout_text.empty());

  auto again = flexctl(directory, {"user", "remove", "--data", data, "--name", "alice"});
  CHECK(again.status.exited_with(1));
  CHECK(again.stderr_text.rfind("flexctl: user.not_found: ", 0) == 0);
}

TEST_CASE("flexctl user usage errors exit with status 2", "[process][users]") {
  TemporaryDirectory directory;
  const std::string data = directory.path().string();
  for (const auto& arguments : std::vector<std::vector<std::string>>{
           {"user"},
           {"user", "frobnicate", "--data", data},
           {"user", "add", "--data", data, "--name", "alice"},
           {"user", "list", "--data"},
           {"user", "passwd", "--data", data, "--name", "alice", "--pasword-file", "x"},
       }) {
    auto run = flexctl(directory, arguments);
    std::string joined;
    for (const auto& argument : arguments) joined += " " + argument;
    INFO("flexctl" << joined << ": " << describe_run(run));
    CHECK(run.status.exited_with(2));
    CHECK(run.stderr_text.find("usage: flexctl") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(directory / "users.sqlite"));
}
