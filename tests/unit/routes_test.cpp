// The API in process (no sockets): static files, problems, sessions, CSRF, body and query
// checks, CSV. The real-socket, every-route and every-role tests are in tests/process/api_test.cpp.
#include <catch2/catch.hpp>

#include <fstream>

#include "api/api.hpp"
#include "node/keyfile.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

class SettableClock final : public Clock {
 public:
  std::int64_t now = 1767225600;
  std::int64_t now_seconds() const override { return now; }
};

struct ApiFixture {
  TempDir dir;
  SettableClock clock;
  std::unique_ptr<Chain> chain;
  std::unique_ptr<NodeSigner> signer;
  std::unique_ptr<api::UserStore> users;
  std::unique_ptr<api::Api> api;
  api::ClientInfo client{"127.0.0.1"};

  ApiFixture() {
    std::filesystem::create_directories(dir.path() / "webui" / "assets");
    std::ofstream(dir.file("webui/index.html")) << "<h1>home</h1>";
    std::ofstream(dir.file("webui/assets/app.js")) << "let x = 1;";
    std::ofstream(dir.file("secret_key.json")) << "{\"secret_key\":\"do not serve\"}";
    write_key_file(dir.file("node_key.json"), key_for("operator"));
    std::filesystem::create_directories(dir.path() / "keys");
    write_key_file(dir.file("keys/auditor.json"), key_for("auditor"));
    chain = Chain::open(dir.file("ledger.sqlite"), test_genesis());
    signer = std::make_unique<NodeSigner>(*chain, Keyring::load(dir.file("node_key.json"), dir.file("keys")), clock);
    users = api::UserStore::open(dir.file("users.sqlite"));
    REQUIRE(users->add("ops", to_hex(public_key_for("operator")), "correct horse battery", clock.now));
    REQUIRE(users->add("audit", to_hex(public_key_for("auditor")), "correct horse battery", clock.now));
    api::ApiOptions options;
    options.version = "test";
    options.webui_dir = dir.file("webui");
    options.session_lifetime = std::chrono::seconds(600);
    options.write_wait = std::chrono::milliseconds(200);
    api = std::make_unique<api::Api>(*chain, *signer, *users, clock, options);
  }

  api::Response send(api::http::verb verb, const std::string& target, const std::string& body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    api::Request request{verb, target, 11};
    if (!body.empty()) request.set(api::http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    api::Reply reply = api->handle(request, client);
    if (reply.deferred) reply = reply.deferred();  // a write: the server would run it on its blocking pool
    return reply.response;
  }
  api::Response get(const std::string& target, const std::string& token = {}) {
    if (token.empty()) return send(api::http::verb::get, target);
    return send(api::http::verb::get, target, {}, {{"Authorization", "Bearer " + token}});
  }
  Json login(const std::string& user, const std::string& mode = "bearer") {
    auto reply = send(api::http::verb::post, "/api/v1/auth/login",
                      Json{{"mode", mode}, {"password", "correct horse battery"}, {"user", user}}.dump());
    REQUIRE(reply.result() == api::http::status::ok);
    Json body = Json::parse(reply.body());
    if (mode == "cookie") body["set_cookie"] = std::string(reply[api::http::field::set_cookie]);
    return body;
  }
};

std::string code_of(const api::Response& response) { return Json::parse(response.body()).value("code", ""); }

}  // namespace

TEST_CASE("the dashboard's files are served, and nothing outside them", "[api][static]") {
  ApiFixture fixture;
  CHECK(fixture.get("/").body() == "<h1>home</h1>");
  CHECK(fixture.get("/assets/app.js").body() == "let x = 1;");
  CHECK(fixture.get("/assets/app.js")[api::http::field::content_type] == "text/javascript; charset=utf-8");
  std::string secret_path = fixture.dir.file("secret_key.json");
  for (const std::string& target : std::vector<std::string>{"/" + secret_path, "/" + secret_path.substr(1), "//etc/hostname", "/../secret_key.json",
                                    "/assets/../../secret_key.json", "/assets", "x/etc/passwd", "/index.html%00"}) {
    INFO(target);
    auto response = fixture.get(target);
    CHECK(response.result() == api::http::status::not_found);
    CHECK(response.body().find("do not serve") == std::string::npos);
  }
}

TEST_CASE("API errors are problem+json with stable codes", "[api]") {
  ApiFixture fixture;
  std::string token = fixture.login("ops")["token"];
  auto missing = fixture.get("/api/v1/nothing");
  CHECK(missing.result() == api::http::status::not_found);
  CHECK(missing[api::http::field::content_type] == "application/problem+json");
  CHECK(code_of(missing) == "http.not_found");
  CHECK(code_of(fixture.get("/api/v1/blocks/1")) == "auth.required");
  CHECK(code_of(fixture.get("/api/v1/blocks/0", token)) == "http.bad_height");
  CHECK(code_of(fixture.get("/api/v1/blocks/1x", token)) == "http.bad_height");
  CHECK(code_of(fixture.get("/api/v1/blocks/1", token)) == "block.not_found");
  CHECK(code_of(fixture.get("/api/v1/txs/ABC", token)) == "http.bad_id");
  CHECK(code_of(fixture.get("/api/v1/txs/" + std::string(64, '0'), token)) == "tx.not_found");
  CHECK(code_of(fixture.send(api::http::verb::put, "/api/v1/offers")) == "http.method_not_allowed");
  CHECK(code_of(fixture.get("/api/v1/offers?limit=0", token)) == "request.bad_query");
  CHECK(code_of(fixture.get("/api/v1/offers?limit=501", token)) == "request.bad_query");
  CHECK(code_of(fixture.get("/api/v1/offers?zone=x", token)) == "request.bad_query");
  CHECK(code_of(fixture.get("/api/v1/offers?min_power_w=1.5", token)) == "request.bad_query");
  CHECK(code_of(fixture.get("/api/v1/offers?zone_id=%zz", token)) == "request.bad_query");
  // A path with invalid UTF-8 is echoed with replacement characters, not a failure.
  CHECK(fixture.get("/api/v1/\xff").result() == api::http::status::not_found);
}

TEST_CASE("login, bearer and cookie sessions, CSRF, expiry and logout", "[api][auth]") {
  ApiFixture fixture;
  auto bad = fixture.send(api::http::verb::post, "/api/v1/auth/login", R"({"user":"ops","password":"wrong password!"})");
  CHECK(bad.result() == api::http::status::unauthorized);
  CHECK(code_of(bad) == "auth.bad_credentials");
  CHECK(code_of(fixture.send(api::http::verb::post, "/api/v1/auth/login", R"({"user":"ops","password":"x","extra":1})")) ==
        "request.unknown_field");

  Json bearer = fixture.login("ops");
  CHECK(bearer["roles"] == Json::array({"operator"}));
  CHECK(bearer["can_sign"] == true);
  CHECK(Json::parse(fixture.get("/api/v1/auth/me", bearer["token"]).body())["user"] == "ops");

  // A browser session: an HttpOnly, SameSite=Strict cookie, no token in the body, and writes
  // only with the CSRF token.
  Json browser = fixture.login("ops", "cookie");
  CHECK_FALSE(browser.contains("token"));
  std::string set_cookie = browser["set_cookie"];
  CHECK(set_cookie.find("HttpOnly") != std::string::npos);
  CHECK(set_cookie.find("SameSite=Strict") != std::string::npos);
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  CHECK(fixture.send(api::http::verb::get, "/api/v1/auth/me", {}, {{"Cookie", cookie}}).result() == api::http::status::ok);
  std::string deposit = Json{{"amount_micro", 5}, {"fiat_reference", "w"}, {"to", to_hex(public_key_for("alice"))}}.dump();
  auto no_csrf = fixture.send(api::http::verb::post, "/api/v1/deposits", deposit, {{"Cookie", cookie}});
  CHECK(no_csrf.result() == api::http::status::forbidden);
  CHECK(code_of(no_csrf) == "auth.csrf");
  auto wrong_csrf = fixture.send(api::http::verb::post, "/api/v1/deposits", deposit, {{"Cookie", cookie}, {"X-CSRF-Token", "00"}});
  CHECK(code_of(wrong_csrf) == "auth.csrf");
  // With the token the write goes through (no block producer here, so it stays pending).
  auto with_csrf = fixture.send(api::http::verb::post, "/api/v1/deposits", deposit,
                                {{"Cookie", cookie}, {"X-CSRF-Token", browser["csrf_token"].get<std::string>()}});
  CHECK(with_csrf.result() == api::http::status::accepted);
  CHECK(fixture.chain->mempool_size() == 1);

  // Expiry: ten minutes later the session is gone.
  fixture.clock.now += 601;
  auto expired = fixture.get("/api/v1/auth/me", bearer["token"]);
  CHECK(expired.result() == api::http::status::unauthorized);
  CHECK(code_of(expired) == "auth.invalid_session");

  Json again = fixture.login("ops");
  CHECK(fixture.send(api::http::verb::post, "/api/v1/auth/logout", {}, {{"Authorization", "Bearer " + again["token"].get<std::string>()}})
            .result() == api::http::status::ok);
  CHECK(code_of(fixture.get("/api/v1/auth/me", again["token"])) == "auth.invalid_session");
}

TEST_CASE("bad bodies are refused before anything is signed", "[api]") {
  ApiFixture fixture;
  std::string token = fixture.login("ops")["token"];
  auto post = [&](const std::string& body) {
    return fixture.send(api::http::verb::post, "/api/v1/deposits", body, {{"Authorization", "Bearer " + token}});
  };
  CHECK(code_of(post("{not json")) == "encoding.not_json");
  CHECK(code_of(post("[1,2]")) == "request.not_object");
  CHECK(code_of(post(R"({"to":"ab","amount_micro":1,"fiat_reference":"w","color":"red"})")) == "request.unknown_field");
  CHECK(code_of(post(R"({"to":"ab","amount_micro":1.5,"fiat_reference":"w"})")) == "encoding.non_integer");
  // Beyond 2^53 - 1 (the ledger's integers): refused before signing, never a crash.
  CHECK(code_of(post(R"({"to":"ab","amount_micro":9007199254740993,"fiat_reference":"w"})")) == "encoding.integer_range");
  CHECK(code_of(post(R"({"amount_micro":1,"fiat_reference":"w"})")) == "payload.invalid");  // missing "to"
  CHECK(code_of(post(R"({"to":7,"amount_micro":1,"fiat_reference":"w"})")) == "payload.invalid");  // wrong type
  CHECK(code_of(post(std::string(40, '[') + std::string(40, ']'))) == "encoding.too_deep");
  CHECK(fixture.chain->mempool_size() == 0);
  CHECK(fixture.chain->last_nonce(public_key_for("operator")) == 0);

  // An auditor's session writes nothing, whatever the route.
  std::string audit = fixture.login("audit")["token"];
  auto refused = fixture.send(api::http::verb::post, "/api/v1/deposits", R"({"to":"ab","amount_micro":1,"fiat_reference":"w"})",
                              {{"Authorization", "Bearer " + audit}});
  CHECK(refused.result() == api::http::status::forbidden);
  CHECK(code_of(refused) == "auth.read_only");
}

TEST_CASE("a submitted transaction is pending, then committed with its receipt", "[api]") {
  ApiFixture fixture;
  std::string token = fixture.login("ops")["token"];
  auto transaction = signed_tx("operator", "token.mint", 1, mint("alice", 250));
  auto accepted = fixture.send(api::http::verb::post, "/api/v1/txs", transaction.canonical);
  CHECK(accepted.result() == api::http::status::accepted);
  CHECK(Json::parse(accepted.body()) == Json{{"id", to_hex(transaction.id)}, {"status", "pending"}});
  CHECK(Json::parse(fixture.get("/api/v1/txs/" + to_hex(transaction.id), token).body())["status"] == "pending");
  Proposal proposal = fixture.chain->propose(1767225700, public_key_for("operator"));
  Commit commit{1, 0, block_hash(proposal.block.header), {}};
  commit.signatures.push_back({public_key_for("operator"),
                               *schnorr_sign(key_for("operator"), precommit_digest(chain_id, 1, 0, commit.block_hash), Hash32{})});
  fixture.chain->commit(proposal, commit);
  auto committed = Json::parse(fixture.get("/api/v1/txs/" + to_hex(transaction.id), token).body());
  CHECK(committed["status"] == "committed");
  CHECK(committed["height"] == 1);
  CHECK(committed["result"] == Json{{"code", "ok"}, {"message", ""}});
  auto block = Json::parse(fixture.get("/api/v1/blocks/1", token).body());
  CHECK(block["hash"] == to_hex(commit.block_hash));
  CHECK(block["transactions"].size() == 1);
  auto status = Json::parse(fixture.get("/api/v1/status").body());
  CHECK(status["height"] == 1);
  CHECK(status["mempool"]["transactions"] == 0);
  // Lists export as CSV: a header row, then one row per record, in key order (Bob's key is the smaller).
  auto csv = fixture.get("/api/v1/participants?format=csv&role=prosumer", token);
  CHECK(csv[api::http::field::content_type] == "text/csv; charset=utf-8");
  CHECK(csv.body() == "name,public_key,roles,status\r\n"
                      "Bob," + to_hex(public_key_for("bob")) + ",\"[\"\"prosumer\"\"]\",active\r\n"
                      "Alice," + to_hex(public_key_for("alice")) + ",\"[\"\"prosumer\"\"]\",active\r\n");
}

TEST_CASE("the market parameters and the genesis are served as the chain holds them", "[api]") {
  ApiFixture fixture;
  std::string token = fixture.login("audit")["token"];
  auto params = fixture.get("/api/v1/params", token);
  REQUIRE(params.result() == api::http::status::ok);
  CHECK(Json::parse(params.body()) == test_genesis().params);
  CHECK(Json::parse(params.body())["isp_seconds"] == 900);
  // The genesis text is the stored canonical bytes: they hash to /status's genesis_hash.
  auto genesis = fixture.get("/api/v1/genesis", token);
  REQUIRE(genesis.result() == api::http::status::ok);
  CHECK(genesis.body() == test_genesis().canonical());
  CHECK(to_hex(sha256(genesis.body())) == Json::parse(fixture.get("/api/v1/status").body())["genesis_hash"]);
  CHECK(fixture.get("/api/v1/genesis").result() == api::http::status::unauthorized);
  // It names every genesis participant: for the read-all roles only.
  REQUIRE(fixture.users->add("alice-user", to_hex(public_key_for("alice")), "correct horse battery", fixture.clock.now));
  auto refused = fixture.get("/api/v1/genesis", fixture.login("alice-user")["token"]);
  CHECK(refused.result() == api::http::status::forbidden);
  CHECK(code_of(refused) == "auth.forbidden");
}
