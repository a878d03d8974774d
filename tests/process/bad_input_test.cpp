// Bad input over HTTP against a running node. Each rejection must carry its stable problem
// code (api/routes.cpp status_for_code gives the HTTP status) and leave no trace: the
// height, the app hash and the mempool stay as they were, and the transaction is unknown.
// No input, however malformed, may crash the node.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <random>

#include "child_process.hpp"
#include "http_client.hpp"
#include "ledger/hash.hpp"
#include "ledger/limits.hpp"
#include "node_process.hpp"

using namespace flex;
using namespace flex::process_test;

namespace {

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// A node with no empty blocks, whose operator has committed one transaction (nonce 1), so
// any change of height comes from the input under test.
struct QuietNode {
  TemporaryDirectory directory;
  NodeProcess node{directory / "data", directory / "node.log", 0};
  HttpClient client{node.port()};
  Signer operator_signer = Signer::from_key_file(directory / "data" / "node_key.json");
  Transaction committed;
  Json status_before;

  QuietNode() {
    client.set_bearer(node.token());
    committed = operator_signer.sign("token.mint", mint_payload(operator_signer.public_key, 1000, "wire-1"));
    submit_or_throw(client, committed);
    wait_until_committed(client, id_hex(committed));
    // Chain::commit empties the mempool just after the store commit, so a transaction
    // can be reported committed a moment before it leaves the mempool count.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    do {
      status_before = node_status(client);
    } while (status_before["mempool"]["transactions"] != 0 && std::chrono::steady_clock::now() < deadline);
  }

  // A valid mint, signed but never sent, with the operator's next nonce.
  Transaction unsent_mint(std::int64_t amount_micro = 1000) const {
    return operator_signer.sign_with_nonce(operator_signer.next_nonce, "token.mint",
                                           mint_payload(operator_signer.public_key, amount_micro, "wire-2"));
  }

  void check_state_unchanged() {
    Json status = node_status(client);
    CHECK(status["height"] == status_before["height"]);
    CHECK(status["app_hash"] == status_before["app_hash"]);
    CHECK(status["mempool"]["transactions"] == 0);
  }

  // Posts `body`, expects a problem with one of `codes`, and checks nothing was kept.
  void expect_rejected(const std::string& body, unsigned http_status, const std::vector<std::string>& codes) {
    auto reply = client.post("/api/v1/txs", body);
    REQUIRE(reply);
    INFO("reply: " << reply->status << " " << reply->body.substr(0, 400));
    CHECK(reply->status == http_status);
    CHECK(reply->content_type == "application/problem+json");
    Json problem = reply->json();
    REQUIRE(problem.is_object());
    CHECK(std::find(codes.begin(), codes.end(), problem.value("code", "")) != codes.end());
    CHECK(problem["status"] == http_status);
    auto lookup = client.get("/api/v1/txs/" + to_hex(sha256(body)));
    REQUIRE(lookup);
    CHECK(lookup->status == 404);
    check_state_unchanged();
  }
};

}  // namespace

TEST_CASE("the node rejects bad transactions with their stable problem codes and stores none", "[process][input]") {
  QuietNode quiet;
  Signer& operator_signer = quiet.operator_signer;

  SECTION("a valid transaction is accepted (the cases below differ from it in one way)") {
    Transaction valid = quiet.unsent_mint();
    submit_or_throw(quiet.client, valid);
    CHECK(wait_until_committed(quiet.client, id_hex(valid))["result"]["code"] == "ok");
  }
  SECTION("bad signature: one hex digit of sig changed") {
    std::string body = quiet.unsent_mint().canonical;
    auto digit = body.find("\"sig\":\"") + 7;
    body[digit] = body[digit] == '0' ? '1' : '0';
    quiet.expect_rejected(body, 400, {"tx.bad_signature"});
  }
  SECTION("wrong chain id") {
    Transaction other_chain = operator_signer.sign_with_nonce(
        operator_signer.next_nonce, "token.mint", mint_payload(operator_signer.public_key, 1000, "wire-2"),
        "flexledger-other");
    quiet.expect_rejected(other_chain.canonical, 400, {"tx.wrong_chain"});
  }
  SECTION("a nonce already committed, with a new payload") {
    Transaction reused = operator_signer.sign_with_nonce(quiet.committed.nonce, "token.mint",
                                                         mint_payload(operator_signer.public_key, 7, "wire-again"));
    quiet.expect_rejected(reused.canonical, 409, {"tx.stale_nonce"});
  }
  SECTION("a committed transaction replayed byte for byte") {
    auto reply = quiet.client.post("/api/v1/txs", quiet.committed.canonical);
    REQUIRE(reply);
    CHECK(reply->status == 409);
    CHECK(reply->json().value("code", "") == "tx.stale_nonce");
    quiet.check_state_unchanged();
  }
  SECTION("larger than 64 KiB (a huge memo)") {
    Transaction huge = operator_signer.sign_with_nonce(
        operator_signer.next_nonce, "token.transfer",
        transfer_payload(operator_signer.public_key, 1, std::string(limits::max_transaction_bytes, 'm')));
    REQUIRE(huge.canonical.size() > limits::max_transaction_bytes);
    quiet.expect_rejected(huge.canonical, 413, {"tx.too_large", "encoding.too_large"});
  }
  SECTION("not canonical: a space after the opening brace") {
    quiet.expect_rejected(" " + quiet.unsent_mint().canonical, 400, {"encoding.not_canonical"});
    quiet.expect_rejected(replace_once(quiet.unsent_mint().canonical, "{", "{ "), 400, {"encoding.not_canonical"});
  }
  SECTION("not canonical: pretty-printed") {
    quiet.expect_rejected(Json::parse(quiet.unsent_mint().canonical).dump(2), 400, {"encoding.not_canonical"});
  }
  SECTION("not canonical: keys out of order") {
    Json canonical = Json::parse(quiet.unsent_mint().canonical);
    nlohmann::ordered_json reversed;
    for (auto key : {"type", "signer", "sig", "payload", "nonce", "chain_id"}) reversed[key] = canonical[key];
    quiet.expect_rejected(reversed.dump(), 400, {"encoding.not_canonical"});
  }
  SECTION("not canonical: a duplicated key") {
    Transaction mint = quiet.unsent_mint();
    std::string nonce_field = "\"nonce\":" + std::to_string(mint.nonce) + ",";
    quiet.expect_rejected(replace_once(mint.canonical, nonce_field, nonce_field + nonce_field), 400,
                          {"encoding.not_canonical"});
  }
  SECTION("a float in the payload") {
    std::string body = replace_once(quiet.unsent_mint(1000).canonical, "\"amount_micro\":1000,", "\"amount_micro\":1000.5,");
    quiet.expect_rejected(body, 400, {"encoding.non_integer"});
    quiet.expect_rejected(replace_once(quiet.unsent_mint(1000).canonical, "\"amount_micro\":1000,", "\"amount_micro\":1e3,"),
                          400, {"encoding.non_integer"});
  }
  SECTION("an integer beyond 2^53-1") {
    std::string body = replace_once(quiet.unsent_mint(1000).canonical, "\"amount_micro\":1000,",
                                    "\"amount_micro\":9007199254740992,");
    quiet.expect_rejected(body, 400, {"encoding.integer_range"});
  }
  SECTION("an unknown transaction type") {
    Transaction unknown = operator_signer.sign_with_nonce(operator_signer.next_nonce, "token.teleport",
                                                          transfer_payload(operator_signer.public_key, 1));
    quiet.expect_rejected(unknown.canonical, 400, {"tx.unknown_type"});
  }
  SECTION("an unknown signer: a fresh key never admitted") {
    Signer stranger = Signer::generate();
    Transaction transfer = stranger.sign("token.transfer", transfer_payload(operator_signer.public_key, 1));
    quiet.expect_rejected(transfer.canonical, 400, {"tx.unknown_signer"});
  }
  SECTION("an envelope missing fields") {
    quiet.expect_rejected(R"({"chain_id":"flexledger-dev","nonce":2})", 400, {"tx.malformed"});
  }
}

TEST_CASE("no input crashes the node", "[process][input]") {
  QuietNode quiet;
  auto expect_client_error = [&](const std::string& body, const std::vector<std::string>& codes) {
    auto reply = quiet.client.post("/api/v1/txs", body);
    REQUIRE(reply);
    INFO("reply: " << reply->status << " " << reply->body.substr(0, 400));
    CHECK(reply->status >= 400);
    CHECK(reply->status < 500);
    CHECK(std::find(codes.begin(), codes.end(), reply->json().value("code", "")) != codes.end());
  };

  std::mt19937 random(20260101);  // fixed: the same garbage on every run
  std::string garbage(4096, '\0');
  for (auto& byte : garbage) byte = static_cast<char>(random() & 0xff);
  expect_client_error(garbage, {"encoding.not_json", "encoding.too_deep"});
  expect_client_error("", {"encoding.not_json"});
  expect_client_error("null", {"tx.malformed"});
  expect_client_error("[]", {"tx.malformed"});
  // Invalid UTF-8 (a lone continuation byte, then an overlong encoding) inside a string.
  expect_client_error(replace_once(quiet.unsent_mint().canonical, "flexledger-dev", "flexledger-\x80\xc0\xaf"),
                      {"encoding.not_json"});
  expect_client_error(std::string(60000, '['), {"encoding.too_deep"});
  expect_client_error(std::string(20000, '[') + std::string(20000, ']'), {"encoding.too_deep"});
  expect_client_error(std::string(200000, '{'), {"tx.too_large", "encoding.too_large"});
  std::string nested_in_payload = replace_once(quiet.unsent_mint().canonical, "\"payload\":{",
                                               "\"payload\":{\"deep\":" + std::string(40, '[') + std::string(40, ']') + ",");
  expect_client_error(nested_in_payload, {"encoding.too_deep"});

  // Bodies beyond the server's 1 MiB request limit: a 413, or the connection is closed.
  if (auto reply = quiet.client.post("/api/v1/txs", std::string(2 * 1024 * 1024, 'x'))) CHECK(reply->status == 413);

  // Broken HTTP: the server answers 400 or closes the connection, and carries on.
  for (const std::string& raw : {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15),
                                 std::string("POST /api/v1/txs HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"chain"),
                                 std::string("POST /api/v1/txs HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
                                 std::string("GET / HTTP/9.9\r\n\r\n"),
                                 std::string("GET /api/v1/status HTTP/1.1\r\n") + std::string(64 * 1024, 'h') + "\r\n\r\n"}) {
    if (auto reply = quiet.client.send_raw(raw)) {
      INFO("raw request starting " << Json(raw.substr(0, 20)).dump(-1, ' ', false, Json::error_handler_t::replace)
                                   << " got " << reply->status << " " << reply->body);
      CHECK(reply->status >= 400);
      CHECK(reply->status < 500);
    }
  }

  // Odd but well-formed requests get client errors, never server errors.
  for (const std::string& target : {std::string("/api/v1/txs/zz"), std::string("/api/v1/txs/") + std::string(64, 'A'),
                                    std::string("/api/v1/blocks/-1"), std::string("/api/v1/blocks/99999999999999999999"),
                                    std::string("/api/v1/blocks/1x"), std::string("/api/v1/no-such-route"),
                                    std::string("/api/v1/txs/\xff\xfe"), std::string("/api/v1/\xc3\x28")}) {
    auto reply = quiet.client.get(target);
    INFO("GET " << Json(target).dump(-1, ' ', false, Json::error_handler_t::replace));
    REQUIRE(reply);
    INFO("reply: " << reply->status << " " << reply->body);
    CHECK(reply->status >= 400);
    CHECK(reply->status < 500);
  }

  REQUIRE(quiet.node.process().running());
  auto health = quiet.client.get("/api/v1/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->json() == Json{{"status", "ok"}});
  quiet.check_state_unchanged();
  CHECK_FALSE(quiet.node.logged("api.handler_failed"));
}

TEST_CASE("market payloads with members of the wrong JSON type are receipts, and blocks go on", "[process][input]") {
  QuietNode quiet;
  Signer dso = Signer::generate();
  Transaction admit = quiet.operator_signer.sign("participant.admit", admit_payload(dso.public_key, "Grid DSO", {"dso"}));
  submit_or_throw(quiet.client, admit);
  wait_until_committed(quiet.client, id_hex(admit));
  Json ring = Json::array({Json::array({0, 0}), Json::array({10, 0}), Json::array({10, 10}), Json::array({0, 0})});
  Json zone{{"zone_id", "z1"}, {"name", "Zone"}, {"kind", "feeder"},
            {"polygon", Json{{"type", 5}, {"coordinates", Json::array({ring})}}},
            {"import_limit_w", 1000}, {"export_limit_w", 1000}};
  auto receipt_of = [&](const Transaction& transaction) {
    submit_or_throw(quiet.client, transaction);
    return wait_until_committed(quiet.client, id_hex(transaction))["result"]["code"];
  };
  CHECK(receipt_of(dso.sign("zone.create", zone)) == "zone.bad_polygon");
  zone["polygon"]["type"] = "Polygon";
  CHECK(receipt_of(dso.sign("zone.create", zone)) == "ok");
  CHECK(receipt_of(dso.sign("zone.outlook", Json{{"zone_id", "z1"}, {"direction", Json::array()}, {"resolution", 7},
                                                 {"points", Json::array()}})) == "payload.invalid");
  CHECK(receipt_of(dso.sign("request.create", Json{{"request_id", "r1"}, {"zone_id", Json::object()}})) == "payload.invalid");
  REQUIRE(quiet.node.process().running());
  CHECK_FALSE(quiet.node.logged("block.commit_failed"));
}
