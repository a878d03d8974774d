// The OpenAPI document (api/openapi.json, served at /api/v1/openapi.json) against the API the
// node serves: the same operations as the route table, well-formed operations, references that
// resolve, query parameters and body members the handlers really take.
#include <catch2/catch.hpp>

#include <set>

#include "api/api.hpp"
#include "api/openapi.hpp"
#include "node/keyfile.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::test;

namespace {

constexpr std::string_view api_prefix = "/api/v1";
const std::set<std::string, std::less<>> http_methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};

class FixedClock final : public Clock {
 public:
  std::int64_t now_seconds() const override { return 1767225600; }
};

// The API in process with the operator's user (tests/unit/routes_test.cpp has the full fixture).
struct OpenApiFixture {
  TempDir dir;
  FixedClock clock;
  std::unique_ptr<Chain> chain;
  std::unique_ptr<NodeSigner> signer;
  std::unique_ptr<api::UserStore> users;
  std::unique_ptr<api::Api> api;
  api::ClientInfo client{"127.0.0.1"};
  std::string token;

  OpenApiFixture() {
    write_key_file(dir.file("node_key.json"), key_for("operator"));
    std::filesystem::create_directories(dir.path() / "keys");
    chain = Chain::open(dir.file("ledger.sqlite"), test_genesis());
    signer = std::make_unique<NodeSigner>(*chain, Keyring::load(dir.file("node_key.json"), dir.file("keys")), clock);
    users = api::UserStore::open(dir.file("users.sqlite"));
    REQUIRE(users->add("ops", to_hex(public_key_for("operator")), "correct horse battery", clock.now_seconds()));
    api::ApiOptions options;
    options.version = "test";
    options.write_wait = std::chrono::milliseconds(200);
    api = std::make_unique<api::Api>(*chain, *signer, *users, clock, options);
    auto login = send(api::http::verb::post, "/api/v1/auth/login",
                      R"({"mode":"bearer","password":"correct horse battery","user":"ops"})", false);
    REQUIRE(login.result() == api::http::status::ok);
    token = Json::parse(login.body())["token"].get<std::string>();
  }

  api::Response send(api::http::verb verb, const std::string& target, const std::string& body = {}, bool authenticated = true) {
    api::Request request{verb, target, 11};
    if (authenticated) request.set(api::http::field::authorization, "Bearer " + token);
    if (!body.empty()) request.set(api::http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    api::Reply reply = api->handle(request, client);
    if (reply.deferred) reply = reply.deferred();  // a write: the server would run it on its blocking pool
    return reply.response;
  }
};

Json problem_of(const api::Response& response) {
  Json body = Json::parse(response.body(), nullptr, false);
  return body.is_object() ? body : Json::object();
}

// "/offers/{id}" -> {"id"}.
std::set<std::string> template_names(const std::string& path) {
  std::set<std::string> names;
  for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
    names.insert(path.substr(open + 1, path.find('}', open) - open - 1));
  }
  return names;
}

// Every parameter in the template replaced by `value`.
std::string fill_template(std::string path, const std::string& value) {
  for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open)) {
    path.replace(open, path.find('}', open) - open + 1, value);
  }
  return path;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

struct Document {
  Json json = Json::parse(api::openapi_document());

  // A value, following a local "$ref" when it is one (nullptr when it does not resolve).
  const Json* resolve(const Json& value) const {
    if (!value.is_object() || !value.contains("$ref")) return &value;
    std::string ref = value["$ref"].get<std::string>();
    if (ref.rfind("#/", 0) != 0) return nullptr;
    Json::json_pointer pointer(ref.substr(1));
    return json.contains(pointer) ? &json.at(pointer) : nullptr;
  }

  // The parameters of an operation, its path's included, resolved.
  std::vector<Json> parameters(const std::string& path, const std::string& method) const {
    std::vector<Json> out;
    const Json& item = json["paths"][path];
    for (const Json* list : {&item, &item[method]}) {
      if (!list->contains("parameters")) continue;
      for (const auto& parameter : (*list)["parameters"]) {
        if (const Json* resolved = resolve(parameter)) out.push_back(*resolved);
      }
    }
    return out;
  }

  // "GET /offers/{id}" -> (path, method) for every operation (HEAD left out: the server maps it to GET).
  std::map<std::string, std::pair<std::string, std::string>> operations() const {
    std::map<std::string, std::pair<std::string, std::string>> out;
    for (const auto& [path, item] : json["paths"].items()) {
      for (const auto& [method, operation] : item.items()) {
        if (!http_methods.contains(method) || method == "head") continue;
        out[upper(method) + " " + path] = {path, method};
      }
    }
    return out;
  }
};

// "GET /offers/{id}" for every served route, relative to /api/v1.
std::map<std::string, api::RouteAccess> served_operations(const api::Api& api) {
  std::map<std::string, api::RouteAccess> out;
  for (const auto& route : api.routes()) {
    INFO(route.pattern);
    REQUIRE(route.pattern.rfind(api_prefix, 0) == 0);
    auto method = api::http::to_string(route.method == api::http::verb::head ? api::http::verb::get : route.method);
    out[std::string(method.data(), method.size()) + " " + route.pattern.substr(api_prefix.size())] = route.access;
  }
  return out;
}

void collect_refs(const Json& value, std::vector<std::string>& refs) {
  if (value.is_object()) {
    for (const auto& [name, member] : value.items()) {
      if (name == "$ref" && member.is_string()) refs.push_back(member.get<std::string>());
      collect_refs(member, refs);
    }
  } else if (value.is_array()) {
    for (const auto& member : value) collect_refs(member, refs);
  }
}

// A harmless value the handler takes for a query parameter: the first of its enum, 1 for an
// integer, else "x".
std::string sample_value(const Document& document, const Json& parameter) {
  const Json* schema = parameter.contains("schema") ? document.resolve(parameter["schema"]) : nullptr;
  if (!schema) return "x";
  if (schema->contains("enum")) return (*schema)["enum"][0].get<std::string>();
  if (schema->value("type", Json()) == "integer") return "1";
  return "x";
}

bool unknown_query_parameter(const api::Response& response) {
  Json problem = problem_of(response);
  return problem.value("code", "") == "request.bad_query" &&
         problem.value("detail", "").find("unknown query parameter") != std::string::npos;
}

}  // namespace

TEST_CASE("the OpenAPI document is 3.1 and lists exactly the routes the node serves", "[api][openapi]") {
  OpenApiFixture fixture;
  Document document;
  REQUIRE(document.json.is_object());
  CHECK(document.json.value("openapi", "").rfind("3.1", 0) == 0);
  REQUIRE(document.json["servers"].is_array());
  CHECK(document.json["servers"][0]["url"] == std::string(api_prefix));
  // configure_file(@ONLY) would substitute @NAME@ patterns, and the raw string ends at its delimiter.
  CHECK(api::openapi_document().find('@') == std::string_view::npos);
  CHECK(api::openapi_document().find(")flexopenapi\"") == std::string_view::npos);

  auto served = served_operations(*fixture.api);
  auto documented = document.operations();
  for (const auto& [operation, access] : served) {
    if (!documented.contains(operation)) FAIL_CHECK("route served but not in api/openapi.json: " << operation);
  }
  for (const auto& [operation, where] : documented) {
    if (!served.contains(operation)) FAIL_CHECK("operation in api/openapi.json that the node does not serve: " << operation);
  }
  CHECK(served.size() == documented.size());

  // Public routes (no login) override the global security with none; the others keep it.
  for (const auto& [operation, access] : served) {
    if (!documented.contains(operation)) continue;
    INFO(operation);
    const auto& [path, method] = documented.at(operation);
    const Json& details = document.json["paths"][path][method];
    bool open = details.contains("security") &&
                (details["security"].empty() || (details["security"].size() == 1 && details["security"][0].empty()));
    CHECK(open == (access == api::RouteAccess::Public));
  }
}

TEST_CASE("every OpenAPI operation is well formed and every reference resolves", "[api][openapi]") {
  Document document;
  std::set<std::string> operation_ids;
  for (const auto& [operation, where] : document.operations()) {
    INFO(operation);
    const auto& [path, method] = where;
    const Json& details = document.json["paths"][path][method];
    REQUIRE(details.contains("operationId"));
    CHECK(operation_ids.insert(details["operationId"].get<std::string>()).second);
    CHECK(details.contains("summary"));
    CHECK(details.contains("tags"));
    REQUIRE(details.contains("responses"));
    bool success = false;
    for (const auto& [status, response] : details["responses"].items()) success = success || status.front() == '2';
    CHECK(success);

    std::set<std::string> declared;
    for (const auto& parameter : document.parameters(path, method)) {
      if (parameter.value("in", "") != "path") continue;
      declared.insert(parameter["name"].get<std::string>());
      CHECK(parameter.value("required", false));
    }
    CHECK(declared == template_names(path));
  }

  std::vector<std::string> refs;
  collect_refs(document.json, refs);
  CHECK_FALSE(refs.empty());
  for (const auto& ref : refs) {
    INFO(ref);
    CHECK(document.resolve(Json{{"$ref", ref}}) != nullptr);
  }
}

TEST_CASE("the documented query parameters are the ones the handlers take", "[api][openapi]") {
  OpenApiFixture fixture;
  Document document;
  for (const auto& [operation, where] : document.operations()) {
    const auto& [path, method] = where;
    if (method != "get") continue;
    std::string target = std::string(api_prefix) + fill_template(path, "x");
    std::string all;
    bool filters = false;
    for (const auto& parameter : document.parameters(path, method)) {
      if (parameter.value("in", "") != "query") continue;
      std::string name = parameter["name"].get<std::string>();
      std::string pair = name + "=" + sample_value(document, parameter);
      all += (all.empty() ? "" : "&") + pair;
      filters = filters || name != "format";
      INFO(operation << " ?" << pair);
      auto response = fixture.send(api::http::verb::get, target + "?" + pair);
      CHECK_FALSE(unknown_query_parameter(response));
    }
    if (all.empty()) continue;
    INFO(operation << " ?" << all);
    CHECK_FALSE(unknown_query_parameter(fixture.send(api::http::verb::get, target + "?" + all)));
    // A route that takes filters refuses one it does not document.
    if (filters) CHECK(unknown_query_parameter(fixture.send(api::http::verb::get, target + "?no_such_parameter=1")));
  }
}

TEST_CASE("the documented body members are the ones the handlers take", "[api][openapi]") {
  OpenApiFixture fixture;
  Document document;
  for (const auto& [operation, where] : document.operations()) {
    const auto& [path, method] = where;
    const Json& details = document.json["paths"][path][method];
    // POST /txs takes a whole signed transaction, checked by the ledger rather than by member names.
    if (!details.contains("requestBody") || details.value("operationId", "") == "submitTransaction") continue;
    const Json* schema = document.resolve(details["requestBody"]["content"]["application/json"]["schema"]);
    REQUIRE(schema);
    // Every documented member (with a value the contracts refuse, so nothing is written).
    Json body = Json::object();
    Json properties = schema->value("properties", Json::object());
    for (const auto& [name, member] : properties.items()) body[name] = "x";
    std::string target = std::string(api_prefix) + fill_template(path, "x");
    auto verb = api::http::string_to_verb(upper(method));
    INFO(operation << " " << body.dump());
    auto accepted = fixture.send(verb, target, body.dump());
    CHECK(problem_of(accepted).value("code", "") != "request.unknown_field");
    CHECK(problem_of(accepted).value("code", "") != "encoding.not_json");
    body["no_such_member"] = "x";
    CHECK(problem_of(fixture.send(verb, target, body.dump())).value("code", "") == "request.unknown_field");
  }
  CHECK(fixture.chain->mempool_size() == 0);
}

TEST_CASE("GET /api/v1/openapi.json serves the embedded document", "[api][openapi]") {
  OpenApiFixture fixture;
  auto response = fixture.send(api::http::verb::get, "/api/v1/openapi.json", {}, false);
  CHECK(response.result() == api::http::status::ok);
  CHECK(response[api::http::field::content_type] == "application/json");
  CHECK(response.body() == std::string(api::openapi_document()));
}
