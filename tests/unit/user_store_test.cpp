#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include "api/user_store.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::api;
using namespace flex::test;

namespace {

const std::string alice_key = to_hex(public_key_for("alice"));
const std::string bob_key = to_hex(public_key_for("bob"));
constexpr std::int64_t created = 1767225600;  // 2026-01-01T00:00:00Z
const std::string password = "correct horse battery";

std::string code_of(const Status& status) { return status.ok() ? "ok" : status.rejection().code; }

unsigned permission_bits(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return static_cast<unsigned>(info.st_mode & 0777);
}

}  // namespace

TEST_CASE("user names, participants and passwords are checked before anything is stored", "[users]") {
  TempDir dir;
  auto users = UserStore::open(dir.file("users.sqlite"));
  for (const std::string& name : std::vector<std::string>{"", "Alice", "al ice", "alice/1", "alice:1", "ålice",
                                                         std::string(65, 'a')}) {
    INFO("name: " << name);
    CHECK(code_of(users->add(name, alice_key, password, created)) == "user.invalid_name");
    CHECK(code_of(users->remove(name)) == "user.invalid_name");
    CHECK(code_of(users->set_password(name, password)) == "user.invalid_name");
  }
  for (const std::string& participant : std::vector<std::string>{"", alice_key.substr(1), alice_key + "0",
                                                               "A" + alice_key.substr(1), "g" + alice_key.substr(1)}) {
    INFO("participant: " << participant);
    CHECK(code_of(users->add("alice", participant, password, created)) == "user.invalid_participant");
  }
  CHECK(code_of(users->add("alice", alice_key, std::string(11, 'x'), created)) == "user.weak_password");
  CHECK(code_of(users->add("alice", alice_key, std::string(1025, 'x'), created)) == "user.weak_password");
  CHECK(users->list().empty());

  // The limits themselves are allowed.
  CHECK(code_of(users->add(std::string(64, 'a'), alice_key, std::string(12, 'x'), created)) == "ok");
  CHECK(code_of(users->add("a.b_c@d-0", bob_key, std::string(1024, 'x'), created)) == "ok");
  CHECK(users->authenticate(std::string(64, 'a'), std::string(12, 'x')));
  CHECK(users->authenticate("a.b_c@d-0", std::string(1024, 'x')));
}

TEST_CASE("a user authenticates with the right password only", "[users]") {
  TempDir dir;
  auto users = UserStore::open(dir.file("users.sqlite"));
  REQUIRE(code_of(users->add("alice", alice_key, password, created)) == "ok");

  auto user = users->authenticate("alice", password);
  REQUIRE(user);
  CHECK(user->name == "alice");
  CHECK(user->participant_hex == alice_key);
  CHECK(user->created_at == created);
  CHECK_FALSE(users->authenticate("alice", "correct horse batterz"));
  CHECK_FALSE(users->authenticate("alice", ""));
  CHECK_FALSE(users->authenticate("alice", std::string(2000, 'x')));
  CHECK_FALSE(users->authenticate("bob", password));
  CHECK_FALSE(users->authenticate("Alice", password));
  CHECK_FALSE(users->authenticate("", password));
}

TEST_CASE("adding an existing name is user.exists and keeps the first account", "[users]") {
  TempDir dir;
  auto users = UserStore::open(dir.file("users.sqlite"));
  REQUIRE(code_of(users->add("alice", alice_key, password, created)) == "ok");
  CHECK(code_of(users->add("alice", bob_key, "another long password", created + 1)) == "user.exists");
  CHECK(users->authenticate("alice", password)->participant_hex == alice_key);
  CHECK_FALSE(users->authenticate("alice", "another long password"));
}

TEST_CASE("a removed user cannot authenticate, and removing or changing an unknown user is user.not_found",
          "[users]") {
  TempDir dir;
  auto users = UserStore::open(dir.file("users.sqlite"));
  REQUIRE(code_of(users->add("alice", alice_key, password, created)) == "ok");
  REQUIRE(code_of(users->add("bob", bob_key, password, created)) == "ok");
  CHECK(code_of(users->remove("alice")) == "ok");
  CHECK_FALSE(users->authenticate("alice", password));
  CHECK_FALSE(users->find("alice"));
  CHECK(code_of(users->remove("alice")) == "user.not_found");
  CHECK(code_of(users->set_password("alice", "a new long password")) == "user.not_found");
  CHECK(users->authenticate("bob", password));
}

TEST_CASE("set_password replaces the password", "[users]") {
  TempDir dir;
  auto users = UserStore::open(dir.file("users.sqlite"));
  REQUIRE(code_of(users->add("alice", alice_key, password, created)) == "ok");
  CHECK(code_of(users->set_password("alice", "short")) == "user.weak_password");
  CHECK(users->authenticate("alice", password));
  CHECK(code_of(users->set_password("alice", "a new long password")) == "ok");
  CHECK_FALSE(users->authenticate("alice", password));
  auto user = users->authenticate("alice", "a new long password");
  REQUIRE(user);
  CHECK(user->participant_hex == alice_key);
  CHECK(user->created_at == created);
}

TEST_CASE("find and list report users ordered by name", "[users]") {
  TempDir dir;
  auto users = UserStore::open(dir.file("users.sqlite"));
  REQUIRE(code_of(users->add("carol", alice_key, password, created + 2)) == "ok");
  REQUIRE(code_of(users->add("alice", alice_key, password, created)) == "ok");
  REQUIRE(code_of(users->add("bob", bob_key, password, created + 1)) == "ok");
  auto listed = users->list();
  REQUIRE(listed.size() == 3);
  CHECK(listed[0].name == "alice");
  CHECK(listed[1].name == "bob");
  CHECK(listed[1].participant_hex == bob_key);
  CHECK(listed[1].created_at == created + 1);
  CHECK(listed[2].name == "carol");
  CHECK(users->find("carol")->created_at == created + 2);
  CHECK_FALSE(users->find("dave"));
}

TEST_CASE("users survive reopening the database", "[users]") {
  TempDir dir;
  {
    auto users = UserStore::open(dir.file("users.sqlite"));
    REQUIRE(code_of(users->add("alice", alice_key, password, created)) == "ok");
  }
  auto users = UserStore::open(dir.file("users.sqlite"));
  auto user = users->authenticate("alice", password);
  REQUIRE(user);
  CHECK(user->participant_hex == alice_key);
  CHECK(user->created_at == created);
}

TEST_CASE("the database and its WAL are created with mode 0600, and a group-readable one is refused", "[users]") {
  TempDir dir;
  const std::string path = dir.file("users.sqlite");
  {
    auto users = UserStore::open(path);
    REQUIRE(code_of(users->add("alice", alice_key, password, created)) == "ok");
    CHECK(permission_bits(path) == 0600);
    REQUIRE(std::filesystem::exists(path + "-wal"));
    CHECK(permission_bits(path + "-wal") == 0600);
  }
  std::filesystem::permissions(path, static_cast<std::filesystem::perms>(0640),
                               std::filesystem::perm_options::replace);
  CHECK_THROWS_WITH(UserStore::open(path), Catch::Contains("chmod 600"));
}

TEST_CASE("two stores on one file, as flexctl and a running node, see each other's changes", "[users]") {
  TempDir dir;
  auto node = UserStore::open(dir.file("users.sqlite"));
  auto flexctl = UserStore::open(dir.file("users.sqlite"));
  REQUIRE(code_of(flexctl->add("alice", alice_key, password, created)) == "ok");
  CHECK(node->authenticate("alice", password));
  CHECK(code_of(node->add("alice", bob_key, password, created)) == "user.exists");
  REQUIRE(code_of(node->add("bob", bob_key, password, created)) == "ok");
  CHECK(flexctl->list().size() == 2);
  REQUIRE(code_of(flexctl->set_password("alice", "a new long password")) == "ok");
  CHECK_FALSE(node->authenticate("alice", password));
  CHECK(node->authenticate("alice", "a new long password"));
  REQUIRE(code_of(flexctl->remove("bob")) == "ok");
  CHECK_FALSE(node->find("bob"));
}

TEST_CASE("one store serves several threads at once", "[users]") {
  TempDir dir;
  auto users = UserStore::open(dir.file("users.sqlite"));
  REQUIRE(code_of(users->add("shared", alice_key, password, created)) == "ok");
  constexpr int thread_count = 4;
  std::vector<std::string> codes(thread_count);
  std::vector<int> authenticated(thread_count);  // not vector<bool>: its bits share bytes across threads
  std::vector<std::thread> threads;
  for (int i = 0; i < thread_count; ++i) {
    threads.emplace_back([&, i] {
      codes[static_cast<std::size_t>(i)] = code_of(users->add("user" + std::to_string(i), bob_key, password, created));
      authenticated[static_cast<std::size_t>(i)] = users->authenticate("shared", password) ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(codes == std::vector<std::string>(thread_count, "ok"));
  CHECK(authenticated == std::vector<int>(thread_count, 1));
  CHECK(users->list().size() == thread_count + 1);
}
