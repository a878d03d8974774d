// flexctl's client commands against a running dev node: login with a password file or
// stdin, status, get, lists that follow their cursor across pages, a signed submission
// waited for until its receipt, exports of the chain as JSON Lines and CSV, HTTPS with and
// without a trusted certificate, and the exit statuses: 1 for a problem or an unreachable
// node, 2 for a usage error.
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "child_process.hpp"
#include "node_process.hpp"

using namespace flex;
using namespace flex::process_test;

namespace {

constexpr std::chrono::seconds command_timeout{30};

CompletedRun flexctl(const TemporaryDirectory& directory, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), FLEXCTL_PATH);
  return run_to_completion(arguments, directory.path(), command_timeout);
}

// flexctl with extra environment variables ("NAME=VALUE"), through env(1).
CompletedRun flexctl_with_environment(const TemporaryDirectory& directory, const std::vector<std::string>& variables,
                                      const std::vector<std::string>& arguments) {
  std::vector<std::string> command{"/usr/bin/env"};
  command.insert(command.end(), variables.begin(), variables.end());
  command.push_back(FLEXCTL_PATH);
  command.insert(command.end(), arguments.begin(), arguments.end());
  return run_to_completion(command, directory.path(), command_timeout);
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

// The lines of a text, without their "\n" or "\r\n".
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::vector<Json> json_lines(const std::string& text) {
  std::vector<Json> records;
  for (const auto& line : lines_of(text)) records.push_back(Json::parse(line));
  return records;
}

// Writes the dev password of `user` (<data>/dev_logins.json) to a file, as a script would keep it.
std::string password_file(const TemporaryDirectory& directory, const std::string& user) {
  Json logins = Json::parse(read_whole_file(directory / "data" / "dev_logins.json"));
  auto path = directory / (user + ".password");
  std::ofstream(path) << logins[user].get<std::string>() << "\n";
  return path.string();
}

// A self-signed P-256 certificate for IP address 127.0.0.1 (CN and subjectAltName), valid
// for an hour, and its key, in PEM files.
void write_certificate(const std::filesystem::path& certificate_path, const std::filesystem::path& key_path) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  REQUIRE(key);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), X509_free);
  REQUIRE(certificate);
  REQUIRE(X509_set_version(certificate.get(), 2) == 1);  // v3
  REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1) == 1);
  REQUIRE(X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60));
  REQUIRE(X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600));
  REQUIRE(X509_set_pubkey(certificate.get(), key.get()) == 1);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0) == 1);
  REQUIRE(X509_set_issuer_name(certificate.get(), name) == 1);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate.get(), certificate.get(), nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, decltype(&X509_EXTENSION_free)> alt_name(
      X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, "IP:127.0.0.1"), X509_EXTENSION_free);
  REQUIRE(alt_name);
  REQUIRE(X509_add_ext(certificate.get(), alt_name.get(), -1) == 1);
  REQUIRE(X509_sign(certificate.get(), key.get(), EVP_sha256()) > 0);
  std::unique_ptr<FILE, decltype(&std::fclose)> key_file(std::fopen(key_path.c_str(), "wb"), std::fclose);
  REQUIRE(key_file);
  REQUIRE(PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  std::unique_ptr<FILE, decltype(&std::fclose)> certificate_file(std::fopen(certificate_path.c_str(), "wb"), std::fclose);
  REQUIRE(certificate_file);
  REQUIRE(PEM_write_X509(certificate_file.get(), certificate.get()) == 1);
}

}  // namespace

TEST_CASE("flexctl logs in, reads, lists every page, submits a signed transaction and exports the chain",
          "[process][cli]") {
  TemporaryDirectory directory;
  NodeProcess node{directory / "data", directory / "node.log", 0};
  const std::string url = "http://127.0.0.1:" + std::to_string(node.port());
  auto run = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.end(), {"--node", url});
    return flexctl(directory, arguments);
  };

  // login prints the token and nothing else.
  auto login = run({"login", "--user", "operator", "--password-file", password_file(directory, "operator")});
  INFO("login: " << describe_run(login));
  REQUIRE(login.status.exited_with(0));
  REQUIRE(std::regex_match(login.stdout_text, std::regex("[0-9a-f]{64}\n")));
  const std::string token = login.stdout_text.substr(0, 64);
  const Json logins = Json::parse(read_whole_file(directory / "data" / "dev_logins.json"));
  auto auditor_login = flexctl_with_stdin(directory, logins["auditor"].get<std::string>() + "\n",
                                          {"login", "--node", url, "--user", "auditor"});
  INFO("auditor login: " << describe_run(auditor_login));
  REQUIRE(auditor_login.status.exited_with(0));
  const std::string auditor_token = auditor_login.stdout_text.substr(0, 64);
  auto me = run({"get", "auth/me", "--token", token});
  REQUIRE(me.status.exited_with(0));
  CHECK(Json::parse(me.stdout_text)["user"] == "operator");
  auto bad_password = run({"login", "--user", "operator", "--password-file", password_file(directory, "auditor")});
  CHECK(bad_password.status.exited_with(1));
  CHECK(bad_password.stderr_text.rfind("flexctl: auth.bad_credentials: ", 0) == 0);
  CHECK(bad_password.stdout_text.empty());

  // status needs no token; the node and the token may come from the environment.
  auto status = flexctl_with_environment(directory, {"FLEXCTL_NODE=" + url}, {"status"});
  INFO("status: " << describe_run(status));
  REQUIRE(status.status.exited_with(0));
  CHECK(status.stdout_text.find("\n  \"chain_id\": \"flexledger-dev\"") != std::string::npos);  // pretty
  auto zones = flexctl_with_environment(directory, {"FLEXCTL_NODE=" + url, "FLEXCTL_TOKEN=" + token}, {"get", "zones"});
  INFO("get zones: " << describe_run(zones));
  REQUIRE(zones.status.exited_with(0));
  CHECK(Json::parse(zones.stdout_text) == Json{{"items", Json::array()}, {"next_after", nullptr}});

  // The dev genesis admits the operator and one participant per other role: 9 in all.
  auto one_page = run({"get", "participants", "--query", "limit=500", "--token", token});
  REQUIRE(one_page.status.exited_with(0));
  std::set<std::string> participants;
  const Json page = Json::parse(one_page.stdout_text);
  for (const auto& item : page["items"]) participants.insert(item["public_key"].get<std::string>());
  REQUIRE(participants.size() == 9);
  auto all = run({"participants", "--all", "--limit", "2", "--token", token});  // 5 pages
  INFO("participants --all: " << describe_run(all));
  REQUIRE(all.status.exited_with(0));
  std::set<std::string> paged;
  for (const auto& item : json_lines(all.stdout_text)) paged.insert(item["public_key"].get<std::string>());
  CHECK(lines_of(all.stdout_text).size() == 9);
  CHECK(paged == participants);
  auto dso = run({"participants", "--role", "dso", "--all", "--token", token});
  REQUIRE(dso.status.exited_with(0));
  auto dso_lines = json_lines(dso.stdout_text);
  REQUIRE(dso_lines.size() == 1);
  const std::string dso_key = dso_lines[0]["public_key"];
  auto csv = run({"participants", "--all", "--limit", "4", "--format", "csv", "--token", token});
  INFO("participants csv: " << describe_run(csv));
  REQUIRE(csv.status.exited_with(0));
  auto csv_lines = lines_of(csv.stdout_text);
  REQUIRE(csv_lines.size() == 10);
  CHECK(csv_lines[0].find("public_key") != std::string::npos);
  for (const auto& key : participants) CHECK(csv.stdout_text.find(key) != std::string::npos);
  auto bad_filter = run({"participants", "--colour", "red", "--token", token});
  CHECK(bad_filter.status.exited_with(1));
  CHECK(bad_filter.stderr_text.rfind("flexctl: request.bad_query: ", 0) == 0);

  // A mint signed here with the node's key, waited for with an auditor's token (it may read
  // every transaction): 5 EUR to the DSO's account.
  const std::string node_key = (directory / "data" / "node_key.json").string();
  auto mint = run({"submit", "--token", auditor_token, "--key", node_key, "--type", "token.mint", "--nonce", "auto", "--payload",
                   Json{{"amount_micro", 5'000'000}, {"fiat_reference", "wire-1"}, {"to", dso_key}}.dump(), "--wait"});
  INFO("submit mint: " << describe_run(mint));
  REQUIRE(mint.status.exited_with(0));
  Json receipt = Json::parse(mint.stdout_text);
  CHECK(receipt["status"] == "committed");
  CHECK(receipt["result"]["code"] == "ok");
  CHECK(receipt["tx"]["type"] == "token.mint");
  const std::string mint_id = receipt["id"];
  auto account = run({"get", "accounts/" + dso_key, "--token", token});
  REQUIRE(account.status.exited_with(0));
  CHECK(Json::parse(account.stdout_text)["available_micro"] == 5'000'000);
  // The DSO signs with its hosted key and waits with its own token (which sees its own
  // transaction only once committed): 1 micro-unit back to the operator leaves 4,999,999.
  const std::string node_participant = Signer::from_key_file(node_key).public_key_hex();
  auto transfer = run({"submit", "--token", node.login("dso"), "--key", (directory / "data" / "keys" / "dso.json").string(),
                       "--type", "token.transfer", "--nonce", "auto", "--payload",
                       Json{{"amount_micro", 1}, {"to", node_participant}}.dump(), "--wait"});
  INFO("submit transfer: " << describe_run(transfer));
  REQUIRE(transfer.status.exited_with(0));
  CHECK(Json::parse(transfer.stdout_text)["result"]["code"] == "ok");
  account = run({"get", "accounts/" + dso_key, "--token", token});
  CHECK(Json::parse(account.stdout_text)["available_micro"] == 4'999'999);
  // A transfer to oneself is recorded with its rejection: the receipt, and exit status 1.
  { std::ofstream(directory / "transfer.json") << Json{{"amount_micro", 1}, {"to", node_participant}}.dump(); }
  auto self_transfer = run({"submit", "--token", token, "--key", node_key, "--type", "token.transfer", "--nonce", "auto",
                            "--payload", "@" + (directory / "transfer.json").string(), "--wait"});
  INFO("self transfer: " << describe_run(self_transfer));
  CHECK(self_transfer.status.exited_with(1));
  CHECK(Json::parse(self_transfer.stdout_text)["result"]["code"] == "token.self_transfer");
  CHECK(self_transfer.stderr_text.rfind("flexctl: token.self_transfer: ", 0) == 0);
  // A nonce below the last one is refused on submission.
  auto stale = run({"submit", "--key", node_key, "--type", "token.mint", "--nonce", "1", "--payload",
                    Json{{"amount_micro", 1}, {"fiat_reference", "wire-2"}, {"to", dso_key}}.dump()});
  CHECK(stale.status.exited_with(1));
  CHECK(stale.stderr_text.rfind("flexctl: tx.stale_nonce: ", 0) == 0);

  // Exports: one line per block, and per transaction, in height order.
  const std::int64_t height = Json::parse(run({"status"}).stdout_text)["height"];
  REQUIRE(height >= 3);
  auto blocks = run({"export", "blocks", "--token", auditor_token});
  INFO("export blocks: " << describe_run(blocks));
  REQUIRE(blocks.status.exited_with(0));
  auto block_lines = json_lines(blocks.stdout_text);
  REQUIRE(static_cast<std::int64_t>(block_lines.size()) == height);
  for (std::size_t i = 0; i < block_lines.size(); ++i) {
    CHECK(block_lines[i]["height"] == static_cast<std::int64_t>(i + 1));
    CHECK(block_lines[i]["header"]["height"] == static_cast<std::int64_t>(i + 1));
    CHECK(block_lines[i]["commit"].is_object());
  }
  const auto blocks_csv = directory / "blocks.csv";
  auto blocks_as_csv = run({"export", "blocks", "--format", "csv", "--out", blocks_csv.string(), "--token", auditor_token});
  INFO("export blocks csv: " << describe_run(blocks_as_csv));
  REQUIRE(blocks_as_csv.status.exited_with(0));
  CHECK(blocks_as_csv.stdout_text.empty());
  CHECK_FALSE(std::filesystem::exists(blocks_csv.string() + ".partial"));
  auto block_rows = lines_of(read_whole_file(blocks_csv));
  REQUIRE(static_cast<std::int64_t>(block_rows.size()) == height + 1);
  CHECK(block_rows[0] == "height,hash,time,proposer,app_hash,transactions");
  CHECK(block_rows[1].starts_with("1," + block_lines[0]["hash"].get<std::string>() + ","));
  std::int64_t transaction_count = 0;
  for (std::size_t i = 1; i < block_rows.size(); ++i) transaction_count += std::stoll(block_rows[i].substr(block_rows[i].rfind(',') + 1));
  auto transactions = run({"export", "transactions", "--token", auditor_token});
  INFO("export transactions: " << describe_run(transactions));
  REQUIRE(transactions.status.exited_with(0));
  auto transaction_lines = json_lines(transactions.stdout_text);
  CHECK(static_cast<std::int64_t>(transaction_lines.size()) == transaction_count);
  CHECK(std::any_of(transaction_lines.begin(), transaction_lines.end(), [&](const Json& line) {
    return line["id"] == mint_id && line["result"]["code"] == "ok" && line["tx"]["type"] == "token.mint";
  }));
  auto transactions_csv = run({"export", "transactions", "--format", "csv", "--token", auditor_token});
  REQUIRE(transactions_csv.status.exited_with(0));
  auto transaction_rows = lines_of(transactions_csv.stdout_text);
  CHECK(transaction_rows[0] == "id,height,position,type,signer,result");
  CHECK(static_cast<std::int64_t>(transaction_rows.size()) == transaction_count + 1);
  auto one_block = run({"export", "blocks", "--from-height", "2", "--to-height", "2", "--token", auditor_token});
  REQUIRE(one_block.status.exited_with(0));
  REQUIRE(json_lines(one_block.stdout_text).size() == 1);
  CHECK(json_lines(one_block.stdout_text)[0]["height"] == 2);
  auto settlements = run({"export", "settlements", "--token", auditor_token});
  CHECK(settlements.status.exited_with(0));
  CHECK(settlements.stdout_text.empty());
  // Raw blocks are for the operator, auditors and regulators only.
  auto prosumer_token = node.login("prosumer");
  auto forbidden = run({"export", "blocks", "--token", prosumer_token});
  CHECK(forbidden.status.exited_with(1));
  CHECK(forbidden.stderr_text.rfind("flexctl: auth.forbidden: ", 0) == 0);

  // Problems exit with status 1: a token the node does not know, none at all.
  auto bad_token = run({"get", "zones", "--token", std::string(64, 'a')});
  CHECK(bad_token.status.exited_with(1));
  CHECK(bad_token.stderr_text.rfind("flexctl: auth.invalid_session: ", 0) == 0);
  auto no_token = run({"zones"});
  CHECK(no_token.status.exited_with(1));
  CHECK(no_token.stderr_text.rfind("flexctl: auth.required: ", 0) == 0);
  // logout ends the session.
  REQUIRE(run({"logout", "--token", token}).status.exited_with(0));
  auto after_logout = run({"get", "auth/me", "--token", token});
  CHECK(after_logout.status.exited_with(1));
  CHECK(after_logout.stderr_text.rfind("flexctl: auth.invalid_session: ", 0) == 0);
}

TEST_CASE("flexctl waits out a node's rate limit (429 with Retry-After) and carries on", "[process][cli]") {
  TemporaryDirectory directory;
  { std::ofstream(directory / "config.json") << Json{{"rate_limit_per_second", 5}, {"rate_limit_burst", 3}}.dump(); }
  NodeProcess node{directory / "data", directory / "node.log", 0, {"--config", (directory / "config.json").string()}};
  // 9 pages of one participant each: the fourth request at the latest is over the burst.
  auto all = flexctl(directory, {"participants", "--all", "--limit", "1", "--node", "http://127.0.0.1:" + std::to_string(node.port()),
                                 "--token", node.token()});
  INFO("participants --all: " << describe_run(all));
  CHECK(all.status.exited_with(0));
  CHECK(lines_of(all.stdout_text).size() == 9);
  HttpClient client(node.port());
  bool limited = false;
  for (int i = 0; i < 10 && !limited; ++i) limited = client.get("/api/v1/healthz")->status == 429;
  CHECK(limited);  // the limit is on
}

TEST_CASE("flexctl client usage errors exit with status 2, and an unreachable node with status 1", "[process][cli]") {
  TemporaryDirectory directory;
  for (const auto& arguments : std::vector<std::vector<std::string>>{
           {"frobnicate"},
           {"get"},
           {"get", "zones?limit=2"},
           {"get", "events"},
           {"get", "zones", "--query", "limit"},
           {"status", "--node", "ftp://127.0.0.1"},
           {"status", "--node", "http://127.0.0.1:99999"},
           {"status", "--ca-file", "ca.pem"},
           {"status", "--node", "https://127.0.0.1", "--ca-file", "ca.pem", "--insecure"},
           {"status", "--timeout", "0"},
           {"status", "extra"},
           {"zones", "--wait"},
           {"zones", "--all", "--format", "json"},
           {"login", "--password-file", "x"},
           {"submit", "--key", "k", "--type", "token.mint", "--nonce", "auto", "--payload", "{}", "--wait"},
           {"submit", "--key", "k", "--type", "token.mint", "--nonce", "0", "--payload", "{}"},
           {"submit", "--key", "k", "--type", "token.mint", "--nonce", "auto", "--payload", "[1]"},
           {"export", "blocks", "--format", "json"},
           {"export", "chairs"},
           {"export", "blocks", "--from-height", "5", "--to-height", "4"},
       }) {
    auto run = flexctl(directory, arguments);
    std::string joined;
    for (const auto& argument : arguments) joined += " " + argument;
    INFO("flexctl" << joined << ": " << describe_run(run));
    CHECK(run.status.exited_with(2));
    CHECK(run.stderr_text.find("usage: flexctl") != std::string::npos);
  }

  // Nothing listens on port 1.
  auto refused = flexctl(directory, {"status", "--node", "http://127.0.0.1:1"});
  INFO("refused: " << describe_run(refused));
  CHECK(refused.status.exited_with(1));
  CHECK(refused.stderr_text.rfind("flexctl: cannot connect to http://127.0.0.1:1: ", 0) == 0);

  // A listener that never answers: the request times out.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto started = std::chrono::steady_clock::now();
  auto timed_out = flexctl(directory, {"status", "--node", "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()),
                                       "--timeout", "1"});
  INFO("timed out: " << describe_run(timed_out));
  CHECK(timed_out.status.exited_with(1));
  CHECK(timed_out.stderr_text.find("timed out") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}

TEST_CASE("flexctl over HTTPS verifies the node's certificate unless told otherwise", "[process][cli]") {
  TemporaryDirectory directory;
  write_certificate(directory / "node.pem", directory / "node.key");
  write_certificate(directory / "other.pem", directory / "other.key");
  { std::ofstream(directory / "config.json") << Json{{"tls_certificate_file", (directory / "node.pem").string()},
                                                     {"tls_private_key_file", (directory / "node.key").string()}}.dump(); }
  // NodeProcess logs in over plain HTTP, so this node is started by hand.
  ChildProcess node({FLEXNODE_PATH, "--dev", "--config", (directory / "config.json").string(), "--data", (directory / "data").string(),
                     "--listen", "127.0.0.1:0", "--empty-block-interval-ms", "0"},
                    directory / "node.stdout", directory / "node.log");
  std::string url;
  auto deadline = std::chrono::steady_clock::now() + node_start_timeout;
  while (url.empty() && std::chrono::steady_clock::now() < deadline && node.running()) {
    for (const auto& line : lines_of(read_whole_file(directory / "node.log"))) {
      Json event = Json::parse(line, nullptr, false);
      if (event.is_object() && event.value("event", "") == "node.started") url = event.value("url", "");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  INFO("node log: " << read_whole_file(directory / "node.log"));
  REQUIRE(url.starts_with("https://127.0.0.1:"));
  const std::string port = url.substr(url.rfind(':') + 1);

  // The system's CA store does not know a self-signed certificate.
  auto untrusted = flexctl(directory, {"status", "--node", url});
  INFO("untrusted: " << describe_run(untrusted));
  CHECK(untrusted.status.exited_with(1));
  CHECK(untrusted.stderr_text.find("certificate is not trusted") != std::string::npos);
  CHECK(untrusted.stderr_text.find("--ca-file") != std::string::npos);
  auto trusted = flexctl(directory, {"status", "--node", url, "--ca-file", (directory / "node.pem").string()});
  INFO("trusted: " << describe_run(trusted));
  CHECK(trusted.status.exited_with(0));
  CHECK(Json::parse(trusted.stdout_text)["chain_id"] == "flexledger-dev");
  auto insecure = flexctl(directory, {"status", "--node", url, "--insecure"});
  CHECK(insecure.status.exited_with(0));
  // Another certificate, and the right one for a name it does not carry.
  auto other = flexctl(directory, {"status", "--node", url, "--ca-file", (directory / "other.pem").string()});
  CHECK(other.status.exited_with(1));
  CHECK(other.stderr_text.find("certificate is not trusted") != std::string::npos);
  auto wrong_name = flexctl(directory, {"status", "--node", "https://localhost:" + port, "--ca-file", (directory / "node.pem").string()});
  INFO("wrong name: " << describe_run(wrong_name));
  CHECK(wrong_name.status.exited_with(1));
  CHECK(wrong_name.stderr_text.find("certificate is not trusted (hostname mismatch)") != std::string::npos);

  // A session over HTTPS.
  auto login = flexctl(directory, {"login", "--node", url, "--ca-file", (directory / "node.pem").string(), "--user", "regulator",
                                   "--password-file", password_file(directory, "regulator")});
  INFO("login: " << describe_run(login));
  REQUIRE(login.status.exited_with(0));
  auto me = flexctl_with_environment(directory, {"FLEXCTL_NODE=" + url, "FLEXCTL_TOKEN=" + login.stdout_text.substr(0, 64)},
                                     {"get", "auth/me", "--ca-file", (directory / "node.pem").string()});
  INFO("me: " << describe_run(me));
  REQUIRE(me.status.exited_with(0));
  CHECK(Json::parse(me.stdout_text)["user"] == "regulator");
}
