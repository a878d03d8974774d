#include <catch2/catch.hpp>

#include <fstream>

#include "node/config.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {
std::string write_file(const TempDir& dir, const std::string& text) {
  std::string path = dir.file("node.json");
  std::ofstream(path) << text;
  return path;
}
}  // namespace

TEST_CASE("a config file sets every field, and defaults stand for the rest", "[config]") {
  TempDir dir;
  NodeConfig config;
  apply_config_file(config, write_file(dir, R"({"data_dir":"/srv/flex","listen":"0.0.0.0:9000",
    "empty_block_interval_ms":250,"log_level":"warn"})"));
  CHECK(config.data_dir == "/srv/flex");
  CHECK(config.listen_host == "0.0.0.0");
  CHECK(config.listen_port == 9000);
  CHECK(config.empty_block_interval == std::chrono::milliseconds(250));
  CHECK(config.log_level == "warn");
  CHECK(config.store_path() == "/srv/flex/ledger.sqlite");
  CHECK(config.resolved_genesis_file() == "/srv/flex/genesis.json");
  CHECK(config.resolved_key_file() == "/srv/flex/node_key.json");
}

TEST_CASE("config errors name the field", "[config]") {
  TempDir dir;
  NodeConfig config;
  CHECK_THROWS_WITH(apply_config_file(config, write_file(dir, R"({"data_dri":"x"})")),
                    "unknown config field 'data_dri'");
  CHECK_THROWS_WITH(apply_config_file(config, write_file(dir, R"({"data_dir":5})")),
                    "config field data_dir must be a string");
  CHECK_THROWS_WITH(apply_config_file(config, write_file(dir, R"({"empty_block_interval_ms":-1})")),
                    "config field empty_block_interval_ms must be an integer in [0, 86400000]");
  CHECK_THROWS_WITH(apply_config_file(config, write_file(dir, R"({"empty_block_interval_ms":86400001})")),
                    "config field empty_block_interval_ms must be an integer in [0, 86400000]");
  CHECK_THROWS_WITH(apply_config_file(config, write_file(dir, "not json")), Catch::Contains("is not a JSON object"));
  CHECK_THROWS_WITH(apply_config_file(config, dir.file("missing.json")), Catch::Contains("cannot read config file"));
}

TEST_CASE("listen addresses are HOST:PORT with a port in range", "[config]") {
  NodeConfig config;
  apply_listen_address(config, "127.0.0.1:0");
  CHECK(config.listen_port == 0);
  apply_listen_address(config, "[::1]:8080");
  CHECK(config.listen_host == "::1");
  CHECK_THROWS_WITH(apply_listen_address(config, "8080"), Catch::Contains("HOST:PORT"));
  CHECK_THROWS_WITH(apply_listen_address(config, "host:65536"), Catch::Contains("0-65535"));
  CHECK_THROWS_WITH(apply_listen_address(config, "host:80x"), Catch::Contains("0-65535"));
}

TEST_CASE("the empty block interval from the command line is bounded", "[config]") {
  CHECK(parse_empty_block_interval("0") == std::chrono::milliseconds(0));
  CHECK(parse_empty_block_interval("86400000") == std::chrono::milliseconds(86400000));
  CHECK_THROWS_WITH(parse_empty_block_interval("-1"), Catch::Contains("[0, 86400000]"));
  CHECK_THROWS_WITH(parse_empty_block_interval("10000000000000"), Catch::Contains("[0, 86400000]"));
  CHECK_THROWS_WITH(parse_empty_block_interval("5s"), Catch::Contains("[0, 86400000]"));
}
