// The REST API over real sockets against a running dev node: a market driven through the
// API by each role, every cell of the role x route matrix in docs/API.md, what each role
// sees, the event stream, and bad input that must change nothing.
#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "child_process.hpp"
#include "node_process.hpp"

using namespace flex;
using namespace flex::process_test;
namespace http = boost::beast::http;

namespace {

const std::vector<std::string> roles = {"prosumer", "aggregator", "dso",      "tso",      "retailer",
                                        "metering", "operator",   "auditor", "regulator"};

struct MatrixRow {
  std::string method;
  std::vector<std::string> paths;
  std::map<std::string, std::string> cells;  // role -> cell text
};

// The "who may do what" table of docs/API.md.
std::vector<MatrixRow> read_matrix() {
  std::ifstream file(std::string(FLEX_SOURCE_DIR) + "/docs/API.md");
  std::string line;
  std::vector<MatrixRow> rows;
  bool in_table = false;
  while (std::getline(file, line)) {
    if (line.starts_with("| route | prosumer")) {
      in_table = true;
      continue;
    }
    if (!in_table || line.starts_with("|---")) continue;
    if (!line.starts_with("|")) break;
    std::vector<std::string> cells;
    std::stringstream parts(line.substr(1));
    std::string cell;
    while (std::getline(parts, cell, '|')) {
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      cells.push_back(cell);
    }
    REQUIRE(cells.size() >= roles.size() + 1);
    MatrixRow row;
    std::regex code_span("`([^`]*)`");
    for (auto it = std::sregex_iterator(cells[0].begin(), cells[0].end(), code_span); it != std::sregex_iterator(); ++it) {
      std::string text = (*it)[1];
      if (auto space = text.find(' '); space != std::string::npos) {
        row.method = text.substr(0, space);
        text = text.substr(space + 1);
      }
      row.paths.push_back("/api/v1" + text);
    }
    for (std::size_t i = 0; i < roles.size(); ++i) row.cells[roles[i]] = cells[i + 1];
    rows.push_back(row);
  }
  return rows;
}

http::verb verb_of(const std::string& method) {
  if (method == "GET") return http::verb::get;
  if (method == "POST") return http::verb::post;
  if (method == "PATCH") return http::verb::patch;
  if (method == "DELETE") return http::verb::delete_;
  FAIL("unknown method " << method);
  return http::verb::unknown;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
  return text;
}

// What a GET /events stream sends until `marker` appears (or 10 s pass), status line included.
std::string read_stream_until(std::uint16_t port, const std::string& token, const std::string& marker) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  std::string request = "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string received;
  char buffer[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (received.find(marker) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    if (socket.available() == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    std::size_t got = socket.read_some(boost::asio::buffer(buffer));
    received.append(buffer, got);
  }
  return received;
}

// One request on a fresh connection; everything the node sends until it closes.
std::string exchange(std::uint16_t port, const std::string& request) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string received;
  char buffer[4096];
  boost::system::error_code error;
  while (!error) {
    std::size_t got = socket.read_some(boost::asio::buffer(buffer), error);
    received.append(buffer, got);
  }
  return received;
}

struct Market {
  TemporaryDirectory directory;
  NodeProcess node{directory / "data", directory / "node.log", 0, {"--rate-limit-per-second", "0"}};
  std::map<std::string, std::string> tokens;
  std::map<std::string, std::string> keys;  // role -> participant hex
  std::int64_t start = 0, end = 0;

  Market() {
    for (const auto& role : roles) {
      tokens[role] = node.login(role);
      HttpClient client(node.port());
      client.set_bearer(tokens[role]);
      keys[role] = client.get("/api/v1/auth/me")->json()["participant"];
    }
  }

  std::optional<HttpReply> call(const std::string& role, http::verb method, const std::string& target, const std::string& body = {}) {
    HttpClient client(node.port());
    client.set_bearer(tokens[role]);
    return client.send(method, target, body);
  }
  Json ok(const std::string& role, http::verb method, const std::string& target, const Json& body = nullptr) {
    auto reply = call(role, method, target, body.is_null() ? std::string() : body.dump());
    REQUIRE(reply);
    INFO(role << " " << target << " -> " << reply->status << " " << reply->body.substr(0, 300));
    REQUIRE(reply->status >= 200);
    REQUIRE(reply->status < 300);
    return reply->json();
  }

  // A zone of the DSO's, the prosumer's prequalified EV charger in it with an offer, and a
  // request of the DSO's that is not yet matched.
  void seed() {
    std::int64_t now = std::time(nullptr);
    start = (now / 900 + 8) * 900;
    end = start + 3600;
    ok("operator", http::verb::post, "/api/v1/deposits", {{"amount_micro", 100'000'000}, {"fiat_reference", "wire-1"}, {"to", keys["dso"]}});
    Json polygon{{"type", "Polygon"},
                 {"coordinates", Json::array({Json::array({Json::array({4'000'000, 52'000'000}), Json::array({4'100'000, 52'000'000}),
                                                           Json::array({4'100'000, 52'100'000}), Json::array({4'000'000, 52'000'000})})})}};
    ok("dso", http::verb::post, "/api/v1/zones",
       {{"export_limit_w", 1'000'000}, {"import_limit_w", 1'000'000}, {"kind", "feeder"}, {"name", "Feeder 7"}, {"polygon", polygon}, {"zone_id", "z1"}});
    ok("prosumer", http::verb::post, "/api/v1/assets",
       {{"asset_id", "a1"}, {"connection_w", 17'000}, {"max_down_w", 11'000}, {"max_up_w", 11'000}, {"metering_point_id", "MP-1"},
        {"name", "EV charger"}, {"storage_wh", 0}, {"technology", "ev_charger"}, {"zone_id", "z1"}, {"supplier", keys["retailer"]}});
    ok("dso", http::verb::post, "/api/v1/assets/a1/prequalification", {{"decision", "qualified"}});
    ok("prosumer", http::verb::post, "/api/v1/offers",
       {{"offer_id", "o1"}, {"zone_id", "z1"}, {"asset_ids", {"a1"}}, {"direction", "up"}, {"product", "energy"}, {"start", start},
        {"end", end}, {"expires_at", start}, {"power_w", 10'000}, {"activation_price_micro_per_mwh", 200'000'000},
        {"min_activation_ppm", 1}, {"baseline", {{"method", "meter_before_after"}, {"version", 1}}}});
    ok("dso", http::verb::post, "/api/v1/requests",
       {{"request_id", "r1"}, {"zone_id", "z1"}, {"direction", "up"}, {"product", "energy"}, {"start", start}, {"end", end},
        {"expires_at", start}, {"power_w", 10'000}, {"max_activation_price_micro_per_mwh", 300'000'000}});
  }

  Json status() { return call("operator", http::verb::get, "/api/v1/status")->json(); }
};

}  // namespace

TEST_CASE("a market through the API: each role's view, exact amounts, events, CSV", "[process][api]") {
  Market market;
  market.seed();
  // Before any contract the DSO sees the asset in its zone without its owner.
  Json asset = market.ok("dso", http::verb::get, "/api/v1/assets/a1");
  CHECK(asset["owner"] == "redacted");
  CHECK(market.ok("prosumer", http::verb::get, "/api/v1/assets/a1")["owner"] == market.keys["prosumer"]);
  CHECK(market.ok("retailer", http::verb::get, "/api/v1/assets/a1")["supplier"] == market.keys["retailer"]);  // the supplier
  CHECK(market.call("aggregator", http::verb::get, "/api/v1/assets/a1")->status == 404);
  CHECK(market.ok("aggregator", http::verb::get, "/api/v1/assets")["items"].empty());
  // The offer: the seller and the TSO see it, the TSO without the seller; the aggregator
  // (no asset in the zone) does not; the retailer sees only the zone's aggregates.
  CHECK(market.ok("prosumer", http::verb::get, "/api/v1/offers/o1")["seller"] == market.keys["prosumer"]);
  Json for_tso = market.ok("tso", http::verb::get, "/api/v1/offers/o1");
  CHECK(for_tso["seller"] == "redacted");
  CHECK_FALSE(for_tso.contains("asset_ids"));
  CHECK(market.call("aggregator", http::verb::get, "/api/v1/offers/o1")->status == 404);
  Json aggregated = market.ok("retailer", http::verb::get, "/api/v1/zones/z1/orderbook");
  CHECK(aggregated["aggregated"] == true);
  CHECK(aggregated["offers"]["up"]["energy"] == Json{{"count", 1}, {"largest_remaining_w", 10'000}});
  CHECK(market.ok("dso", http::verb::get, "/api/v1/offers?zone_id=z1&direction=up&min_power_w=10000")["items"].size() == 1);
  CHECK(market.ok("dso", http::verb::get, "/api/v1/offers?zone_id=z1&min_power_w=10001")["items"].empty());
  CHECK(market.ok("dso", http::verb::get, "/api/v1/offers?technology=pv")["items"].empty());
  CHECK(market.ok("dso", http::verb::get, "/api/v1/offers?max_price_micro=199999999")["items"].empty());

  // The prosumer's event stream is open before the match.
  std::string prosumer_token = market.tokens["prosumer"];
  std::uint16_t port = market.node.port();
  std::string events;
  std::thread listener([&] { events = read_stream_until(port, prosumer_token, "c0000000001"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  Json matched = market.ok("dso", http::verb::post, "/api/v1/requests/r1/match", Json::object());
  CHECK(matched["resource"]["status"] == "filled");
  // 10 kW for 1 h at 200 EUR/MWh = 10 kWh x 200 EUR/MWh = 2 EUR, held from the DSO's 100 EUR.
  Json contract = market.ok("prosumer", http::verb::get, "/api/v1/contracts/c0000000001");
  CHECK(contract["escrow_micro"] == 2'000'000);
  CHECK(contract["seller"] == market.keys["prosumer"]);
  Json dso_account = market.ok("dso", http::verb::get, "/api/v1/accounts/" + market.keys["dso"]);
  CHECK(dso_account["available_micro"] == 98'000'000);
  CHECK(dso_account["held_micro"] == 2'000'000);
  CHECK(market.call("prosumer", http::verb::get, "/api/v1/accounts/" + market.keys["dso"])->status == 404);
  // Having bought from the prosumer, the DSO now sees whose the asset is.
  CHECK(market.ok("dso", http::verb::get, "/api/v1/assets/a1")["owner"] == market.keys["prosumer"]);
  CHECK(market.ok("retailer", http::verb::get, "/api/v1/contracts")["items"].size() == 1);  // supplier of a1
  CHECK(market.ok("tso", http::verb::get, "/api/v1/contracts")["items"].empty());
  CHECK(market.call("aggregator", http::verb::get, "/api/v1/contracts/c0000000001")->status == 404);

  listener.join();
  CHECK(events.starts_with("HTTP/1.1 200"));
  CHECK(events.find("text/event-stream") != std::string::npos);
  CHECK(events.find("event: contract") != std::string::npos);
  CHECK(events.find("\"id\":\"c0000000001\"") != std::string::npos);

  // The TSO's stream shows a new offer as the REST list does: without its seller (the DSO,
  // having bought from this seller, would see it).
  std::string dso_token = market.tokens["tso"];
  std::string dso_events;
  std::thread dso_listener([&] { dso_events = read_stream_until(port, dso_token, "\"o2\""); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Json offer = Json{{"offer_id", "o2"}, {"zone_id", "z1"}, {"asset_ids", {"a1"}}, {"direction", "down"}, {"product", "energy"},
                    {"start", market.start}, {"end", market.end}, {"expires_at", market.start}, {"power_w", 5'000},
                    {"activation_price_micro_per_mwh", 100'000'000}, {"min_activation_ppm", 1},
                    {"baseline", {{"method", "meter_before_after"}, {"version", 1}}}};
  market.ok("prosumer", http::verb::post, "/api/v1/offers", offer);
  dso_listener.join();
  INFO(dso_events);
  CHECK(dso_events.find("event: offer") != std::string::npos);
  CHECK(dso_events.find("\"seller\":\"redacted\"") != std::string::npos);
  CHECK(dso_events.find(market.keys["prosumer"]) == std::string::npos);

  // Asset records are events too (registrations, prequalification): the zone's DSO sees a
  // new asset in its zone as its list does; the TSO, which sees only its own, does not.
  std::string asset_events, tso_asset_events;
  std::thread asset_listener([&] { asset_events = read_stream_until(port, market.tokens["dso"], "\"a9\""); });
  std::thread tso_listener([&] { tso_asset_events = read_stream_until(port, market.tokens["tso"], "\"a9\""); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  market.ok("prosumer", http::verb::post, "/api/v1/assets",
            Json{{"asset_id", "a9"}, {"connection_w", 5'000}, {"max_down_w", 0}, {"max_up_w", 3'000}, {"metering_point_id", "MP-9"},
                 {"name", "Heat pump"}, {"storage_wh", 0}, {"technology", "heat_pump"}, {"zone_id", "z1"}});
  asset_listener.join();
  tso_listener.join();
  CHECK(asset_events.find("event: asset") != std::string::npos);
  CHECK(asset_events.find("\"prequalification\":{\"status\":\"pending\"}") != std::string::npos);
  CHECK(tso_asset_events.find("\"a9\"") == std::string::npos);

  // CSV export of a list.
  auto csv = market.call("prosumer", http::verb::get, "/api/v1/contracts?format=csv");
  REQUIRE(csv);
  CHECK(csv->content_type == "text/csv; charset=utf-8");
  CHECK(csv->body.find("c0000000001") != std::string::npos);
  CHECK(csv->body.substr(0, csv->body.find("\r\n")).find("escrow_micro") != std::string::npos);

  // Metrics count what was served.
  auto metrics = market.call("operator", http::verb::get, "/api/v1/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("flex_http_requests_total{route=\"POST /api/v1/requests/{id}/match\",status=\"200\"} 1") != std::string::npos);
  CHECK(metrics->body.find("flex_block_height ") != std::string::npos);
  CHECK(metrics->body.find("\nflex_http_connections_open ") != std::string::npos);
  CHECK(metrics->body.find("\nflex_http_connections_total 0\n") == std::string::npos);  // this very request came on one
  CHECK(metrics->body.find("\nflex_record_cache_entries 0\n") == std::string::npos);    // the lists above filled it
}

TEST_CASE("every cell of the role x route matrix in docs/API.md", "[process][api][matrix]") {
  Market market;
  market.seed();
  auto rows = read_matrix();
  REQUIRE(rows.size() >= 60);
  std::size_t cells = 0;
  for (const auto& row : rows) {
    for (const auto& path_pattern : row.paths) {
      if (path_pattern == "/api/v1/events") continue;  // a stream: checked below
      bool write = row.method != "GET";
      // Reads name the seeded records; writes name records that do not exist, so an allowed
      // role gets the contract's rule error and nothing is written.
      std::string path = path_pattern;
      for (const auto& [name, seeded] : std::vector<std::pair<std::string, std::string>>{
               {"{participant}", market.keys["dso"]}, {"{height}", "1"}, {"{date}", "2026-01-01"}, {"{id}", ""}}) {
        std::string value = seeded;
        if (name == "{id}") {
          if (write) value = "nope";
          else if (path.starts_with("/api/v1/participants")) value = market.keys["dso"];
          else if (path.starts_with("/api/v1/zones")) value = "z1";
          else if (path.starts_with("/api/v1/assets")) value = "a1";
          else if (path.starts_with("/api/v1/offers")) value = "o1";
          else if (path.starts_with("/api/v1/requests")) value = "r1";
          else if (path.starts_with("/api/v1/txs")) value = std::string(64, '0');
          else value = "c0000000001";
        }
        path = replace_all(path, name, value);
      }
      std::string span = "&from=" + std::to_string(market.start) + "&to=" + std::to_string(market.end);
      if (path == "/api/v1/meter-readings" && !write) path += "?metering_point_id=MP-1" + span;
      if (path == "/api/v1/nominations" && !write) path += "?asset_id=a1" + span;
      for (const auto& role : roles) {
        const std::string& cell = row.cells.at(role);
        std::string token = market.tokens[role];
        if (path == "/api/v1/auth/logout") token = market.node.login(role);  // keep the main session
        HttpClient client(market.node.port());
        client.set_bearer(token);
        auto reply = client.send(verb_of(row.method), path, write ? std::string("{}") : std::string());
        INFO(row.method << " " << path << " as " << role << " (cell '" << cell << "')");
        REQUIRE(reply);
        INFO("-> " << reply->status << " " << reply->body.substr(0, 300));
        ++cells;
        if (cell == "—") {
          CHECK(reply->status == 403);
        } else {
          CHECK(reply->status != 401);
          CHECK(reply->status != 403);
          CHECK(reply->status < 500);
        }
      }
    }
  }
  // 69 routes less the event stream, times 9 roles.
  CHECK(cells == 68 * 9);
  // The event stream opens for every role.
  for (const auto& role : roles) {
    INFO(role);
    CHECK(read_stream_until(market.node.port(), market.tokens[role], ": connected").starts_with("HTTP/1.1 200"));
  }
}

TEST_CASE("bad input over the API is refused with stable codes and writes nothing", "[process][api]") {
  Market market;
  market.seed();
  Json before = market.status();
  auto expect = [&](const std::string& role, http::verb method, const std::string& target, const std::string& body,
                    unsigned status, const std::string& code) {
    auto reply = market.call(role, method, target, body);
    REQUIRE(reply);
    INFO(target << " " << body.substr(0, 80) << " -> " << reply->status << " " << reply->body.substr(0, 300));
    CHECK(reply->status == status);
    CHECK(reply->content_type == "application/problem+json");
    CHECK(reply->json().value("code", "") == code);
  };
  expect("prosumer", http::verb::post, "/api/v1/offers", "{\"offer_id\":", 400, "encoding.not_json");
  expect("prosumer", http::verb::post, "/api/v1/assets", R"({"asset_id":"a2","colour":"red"})", 400, "request.unknown_field");
  expect("prosumer", http::verb::post, "/api/v1/assets", R"({"asset_id":"a2"})", 400, "payload.invalid");  // missing fields
  expect("prosumer", http::verb::post, "/api/v1/assets",
         R"({"asset_id":"a2","connection_w":"17 kW","max_down_w":1,"max_up_w":1,"metering_point_id":"MP-2","name":"x","storage_wh":0,"technology":"pv","zone_id":"z1"})",
         400, "asset.invalid");  // a wrong type
  expect("prosumer", http::verb::post, "/api/v1/transfers", R"({"amount_micro":1.5,"to":"00"})", 400, "encoding.non_integer");
  expect("prosumer", http::verb::post, "/api/v1/transfers", R"({"amount_micro":9007199254740993,"to":"00"})", 400,
         "encoding.integer_range");
  expect("prosumer", http::verb::post, "/api/v1/offers", std::string(2 * 1024 * 1024, ' '), 413, "http.body_too_large");
  // Another participant's resource: the aggregator may not revoke the prosumer's offer.
  expect("aggregator", http::verb::delete_, "/api/v1/offers/o1", "", 404, "offer.not_found");  // as if absent
  expect("dso", http::verb::delete_, "/api/v1/offers/o1", "", 403, "auth.role_required");
  expect("tso", http::verb::get, "/api/v1/offers?seller=" + market.keys["prosumer"], "", 403, "auth.forbidden");
  expect("dso", http::verb::get, "/api/v1/assets?owner=" + market.keys["prosumer"], "", 403, "auth.forbidden");
  expect("prosumer", http::verb::get, "/api/v1/meter-readings?metering_point_id=MP-1&from=-1&to=9223372036854775807", "", 400,
         "request.bad_query");
  expect("prosumer", http::verb::delete_, "/api/v1/offers/%FF", "", 404, "http.not_found");
  expect("prosumer", http::verb::get, "/api/v1/accounts/" + market.keys["aggregator"], "", 404, "account.not_found");
  // A cookie session writes only with its CSRF token.
  auto logins = Json::parse(read_whole_file(market.directory / "data" / "dev_logins.json"));
  std::string login_body = Json{{"password", logins["prosumer"]}, {"user", "prosumer"}}.dump();
  std::string login_reply = exchange(market.node.port(), "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                                                         "Content-Length: " + std::to_string(login_body.size()) + "\r\n\r\n" + login_body);
  std::smatch cookie;
  REQUIRE(std::regex_search(login_reply, cookie, std::regex("Set-Cookie: (flex_session=[0-9a-f]{64}); Path=/; HttpOnly; SameSite=Strict")));
  Json session = Json::parse(login_reply.substr(login_reply.find("\r\n\r\n") + 4));
  CHECK_FALSE(session.contains("token"));
  HttpClient browser(market.node.port());
  browser.set_header("Cookie", cookie[1]);
  std::string transfer = Json{{"amount_micro", 1}, {"to", market.keys["dso"]}}.dump();
  auto without = browser.post("/api/v1/transfers", transfer);
  REQUIRE(without);
  CHECK(without->status == 403);
  CHECK(without->json()["code"] == "auth.csrf");
  CHECK(browser.get("/api/v1/auth/me")->status == 200);  // reads need no CSRF token
  // An unauthenticated write and an unknown token.
  HttpClient anonymous(market.node.port());
  auto no_session = anonymous.post("/api/v1/offers", "{}");
  REQUIRE(no_session);
  CHECK(no_session->status == 401);
  CHECK(no_session->json()["code"] == "auth.required");
  anonymous.set_bearer(std::string(64, 'a'));
  CHECK(anonymous.get("/api/v1/offers")->json()["code"] == "auth.invalid_session");
  anonymous.set_bearer("");
  anonymous.set_header("Cookie", "flex_session=" + std::string(64, 'a'));
  CHECK(anonymous.post("/api/v1/offers", "{}")->json()["code"] == "auth.invalid_session");

  Json after = market.status();
  CHECK(after["height"] == before["height"]);
  CHECK(after["app_hash"] == before["app_hash"]);
  CHECK(market.node.process().running());
}

TEST_CASE("sessions expire, and an expired or ended session is refused", "[process][api]") {
  TemporaryDirectory directory;
  NodeProcess node{directory / "data", directory / "node.log", 0, {"--session-lifetime-seconds", "2"}};
  HttpClient client(node.port());
  client.set_bearer(node.login("prosumer"));
  CHECK(client.get("/api/v1/auth/me")->status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  auto expired = client.get("/api/v1/auth/me");
  REQUIRE(expired);
  CHECK(expired->status == 401);
  CHECK(expired->json()["code"] == "auth.invalid_session");
  client.set_bearer(node.login("prosumer"));
  CHECK(client.post("/api/v1/auth/logout", "")->status == 200);
  CHECK(client.get("/api/v1/auth/me")->json()["code"] == "auth.invalid_session");
}
