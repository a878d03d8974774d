// Clean shutdown: SIGTERM and SIGINT stop the node with exit status 0 within a few
// seconds, it logs "node.stopped", and the data directory reopens at the same height and
// verifies.
#include <signal.h>

#include <catch2/catch.hpp>

#include "child_process.hpp"
#include "http_client.hpp"
#include "node_process.hpp"

using namespace flex;
using namespace flex::process_test;

namespace {

constexpr std::chrono::seconds shutdown_deadline{5};
constexpr int transactions_in_flight = 20;

}  // namespace

TEST_CASE("SIGTERM and SIGINT stop the node cleanly with exit status 0", "[process][shutdown]") {
  const int stop_signal = GENERATE(SIGTERM, SIGINT);
  const std::string signal_name = stop_signal == SIGTERM ? "SIGTERM" : "SIGINT";
  INFO("stopping with " << signal_name);
  TemporaryDirectory directory;
  const auto data_dir = directory / "data";
  std::int64_t stopped_height = 0;
  {
    NodeProcess node(data_dir, directory / "node.log", 200);
    HttpClient client(node.port());
    client.set_bearer(node.token());
    Signer operator_signer = Signer::from_key_file(data_dir / "node_key.json");
    Transaction first = operator_signer.sign("token.mint", mint_payload(operator_signer.public_key, 5000, "wire-1"));
    submit_or_throw(client, first);
    wait_until_committed(client, id_hex(first));
    // Leave transactions pending so the signal lands while blocks are being made.
    for (int i = 0; i < transactions_in_flight; ++i) {
      submit_or_throw(client, operator_signer.sign("token.mint", mint_payload(operator_signer.public_key, 1 + i, "wire")));
    }

    auto signalled_at = std::chrono::steady_clock::now();
    node.process().send_signal(stop_signal);
    auto exit = node.process().wait_for_exit(shutdown_deadline);
    INFO("node log:\n" << node.log_text());
    REQUIRE(exit);
    CHECK(exit->exited_with(0));
    CHECK(std::chrono::steady_clock::now() - signalled_at < shutdown_deadline);

    bool saw_stopping = false, saw_stopped = false;
    for (const auto& event : node.log_events()) {
      if (event.value("event", "") == "node.stopping") saw_stopping = event.value("signal", "") == signal_name;
      if (event.value("event", "") == "node.stopped") {
        saw_stopped = true;
        stopped_height = event.value("height", std::int64_t{-1});
      }
    }
    CHECK(saw_stopping);
    REQUIRE(saw_stopped);
    CHECK(stopped_height >= 1);
    CHECK_FALSE(node.logged("block.commit_failed"));
  }

  // The height the node reported at shutdown is what is on disk.
  {
    NodeProcess node(data_dir, directory / "node-restarted.log", 0);
    HttpClient client(node.port());
    client.set_bearer(node.token());
    CHECK(node_status(client)["height"].get<std::int64_t>() == stopped_height);
    node.process().send_signal(SIGTERM);
    auto exit = node.process().wait_for_exit(shutdown_deadline);
    REQUIRE(exit);
    CHECK(exit->exited_with(0));
  }
  auto verify = run_to_completion({FLEXCTL_PATH, "verify", "--data", data_dir.string()}, directory.path(),
                                  std::chrono::seconds(30));
  INFO("flexctl verify: " << describe_run(verify));
  CHECK(verify.status.exited_with(0));
  CHECK(verify.stdout_text.rfind("OK: verified " + std::to_string(stopped_height) + " blocks", 0) == 0);
}
