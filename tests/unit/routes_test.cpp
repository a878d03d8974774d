#include <catch2/catch.hpp>

#include <fstream>

#include "api/routes.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

api::Response get(api::Router& router, const std::string& target, api::http::verb verb = api::http::verb::get) {
  api::Request request{verb, target, 11};
  return router.handle(request);
}

struct RouterFixture {
  TempDir dir;
  std::unique_ptr<Chain> chain;
  std::unique_ptr<api::Router> router;
  RouterFixture() {
    std::filesystem::create_directories(dir.path() / "webui" / "assets");
    std::ofstream(dir.file("webui/index.html")) << "<h1>home</h1>";
    std::ofstream(dir.file("webui/assets/app.js")) << "let x = 1;";
    std::ofstream(dir.file("secret_key.json")) << "{\"secret_key\":\"do not serve\"}";
    chain = Chain::open(dir.file("ledger.sqlite"), test_genesis());
    router = std::make_unique<api::Router>(*chain, api::NodeIdentity{public_key_for("operator"), true, "test"},
                                           dir.file("webui"));
  }
};

}  // namespace

TEST_CASE("the dashboard's files are served, and nothing outside them", "[api][static]") {
  RouterFixture fixture;
  auto& router = *fixture.router;
  CHECK(get(router, "/").body() == "<h1>home</h1>");
  CHECK(get(router, "/assets/app.js").body() == "let x = 1;");
  CHECK(get(router, "/assets/app.js")[api::http::field::content_type] == "text/javascript; charset=utf-8");
  std::string secret_path = fixture.dir.file("secret_key.json");
  for (const std::string& target : std::vector<std::string>{"/" + secret_path, "/" + secret_path.substr(1), "//etc/hostname", "/../secret_key.json",
                                    "/assets/../../secret_key.json", "/assets", "x/etc/passwd", "/index.html%00"}) {
    INFO(target);
    auto response = get(router, target);
    CHECK(response.result() == api::http::status::not_found);
    CHECK(response.body().find("do not serve") == std::string::npos);
  }
}

TEST_CASE("API errors are problem+json with stable codes", "[api]") {
  RouterFixture fixture;
  auto& router = *fixture.router;
  auto missing = get(router, "/api/v1/nothing");
  CHECK(missing.result() == api::http::status::not_found);
  CHECK(missing[api::http::field::content_type] == "application/problem+json");
  CHECK(Json::parse(missing.body())["code"] == "http.not_found");
  CHECK(Json::parse(get(router, "/api/v1/blocks/0").body())["code"] == "http.bad_height");
  CHECK(Json::parse(get(router, "/api/v1/blocks/1x").body())["code"] == "http.bad_height");
  CHECK(Json::parse(get(router, "/api/v1/blocks/1").body())["code"] == "block.not_found");
  CHECK(Json::parse(get(router, "/api/v1/txs/ABC").body())["code"] == "http.bad_id");
  CHECK(Json::parse(get(router, "/api/v1/txs/" + std::string(64, '0')).body())["code"] == "tx.not_found");
  // A path with invalid UTF-8 is echoed with replacement characters, not a failure.
  CHECK(get(router, "/api/v1/\xff").result() == api::http::status::not_found);
}

TEST_CASE("a submitted transaction is pending, then committed with its receipt", "[api]") {
  RouterFixture fixture;
  auto& router = *fixture.router;
  auto transaction = signed_tx("operator", "token.mint", 1, mint("alice", 250));
  api::Request post{api::http::verb::post, "/api/v1/txs", 11};
  post.body() = transaction.canonical;
  auto accepted = router.handle(post);
  CHECK(accepted.result() == api::http::status::accepted);
  CHECK(Json::parse(accepted.body()) == Json{{"id", to_hex(transaction.id)}, {"status", "pending"}});
  CHECK(Json::parse(get(router, "/api/v1/txs/" + to_hex(transaction.id)).body())["status"] == "pending");
  Proposal proposal = fixture.chain->propose(1767225700, public_key_for("operator"));
  Commit commit{1, 0, block_hash(proposal.block.header), {}};
  commit.signatures.push_back({public_key_for("operator"),
                               *schnorr_sign(key_for("operator"), precommit_digest(chain_id, 1, 0, commit.block_hash), Hash32{})});
  fixture.chain->commit(proposal, commit);
  auto committed = Json::parse(get(router, "/api/v1/txs/" + to_hex(transaction.id)).body());
  CHECK(committed["status"] == "committed");
  CHECK(committed["height"] == 1);
  CHECK(committed["result"] == Json{{"code", "ok"}, {"message", ""}});
  auto block = Json::parse(get(router, "/api/v1/blocks/1").body());
  CHECK(block["hash"] == to_hex(commit.block_hash));
  CHECK(block["transactions"].size() == 1);
  auto status = Json::parse(get(router, "/api/v1/status").body());
  CHECK(status["height"] == 1);
  CHECK(status["mempool"]["transactions"] == 0);
}
