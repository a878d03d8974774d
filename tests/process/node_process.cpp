#include "node_process.hpp"

#include <sstream>
#include <stdexcept>
#include <thread>

#include "node/keyfile.hpp"

namespace flex::process_test {
namespace {

constexpr std::chrono::milliseconds poll_interval{20};

// "http://127.0.0.1:PORT" -> PORT; 0 when the text has no port.
std::uint16_t port_of_url(const std::string& url) {
  auto colon = url.rfind(':');
  if (colon == std::string::npos) return 0;
  try {
    int port = std::stoi(url.substr(colon + 1));
    return port > 0 && port <= 65535 ? static_cast<std::uint16_t>(port) : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

NodeProcess::NodeProcess(const std::filesystem::path& data_dir, const std::filesystem::path& log_path,
                         std::int64_t empty_block_interval_ms, const std::vector<std::string>& extra_arguments)
    : log_path_(log_path), data_dir_(data_dir) {
  std::filesystem::path stdout_path = log_path;
  stdout_path += ".stdout";
  std::vector<std::string> arguments{FLEXNODE_PATH, "--dev", "--data", data_dir.string(), "--listen", "127.0.0.1:0",
                                     "--empty-block-interval-ms", std::to_string(empty_block_interval_ms)};
  arguments.insert(arguments.end(), extra_arguments.begin(), extra_arguments.end());
  process_ = std::make_unique<ChildProcess>(arguments, stdout_path, log_path);
  auto deadline = std::chrono::steady_clock::now() + node_start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& event : log_events()) {
      if (event.value("event", "") == "node.started") port_ = port_of_url(event.value("url", ""));
    }
    if (port_ != 0) {
      // The node's own participant: "operator" on a dev chain, "node" on a devnet's other nodes.
      Json logins = Json::parse(read_whole_file(data_dir_ / "dev_logins.json"), nullptr, false);
      token_ = login(logins.is_object() && logins.contains("node") ? "node" : "operator");
      return;
    }
    if (!process_->running()) break;
    std::this_thread::sleep_for(poll_interval);
  }
  throw std::runtime_error("flexnode did not start; its log:\n" + log_text());
}

std::string NodeProcess::login(const std::string& user) const {
  Json logins = Json::parse(read_whole_file(data_dir_ / "dev_logins.json"), nullptr, false);
  if (!logins.is_object() || !logins.contains(user)) throw std::runtime_error("no dev login for " + user);
  HttpClient client(port_);
  auto reply = client.post("/api/v1/auth/login", Json{{"mode", "bearer"}, {"password", logins[user]}, {"user", user}}.dump());
  if (!reply || reply->status != 200) throw std::runtime_error("login as " + user + " failed" + (reply ? ": " + reply->body : std::string()));
  return reply->json()["token"].get<std::string>();
}

std::vector<Json> NodeProcess::log_events() const {
  std::vector<Json> events;
  std::istringstream lines(log_text());
  std::string line;
  while (std::getline(lines, line)) {
    Json event = Json::parse(line, nullptr, false);
    if (!event.is_discarded() && event.is_object()) events.push_back(std::move(event));
  }
  return events;
}

bool NodeProcess::logged(const std::string& event_name) const {
  for (const auto& event : log_events()) {
    if (event.value("event", "") == event_name) return true;
  }
  return false;
}

Signer::Signer(SecretKey secret_key) : secret(std::move(secret_key)) {
  auto derived = derive_public_key(secret);
  if (!derived) throw std::invalid_argument("Signer: invalid secret key");
  public_key = *derived;
}

Signer Signer::from_key_file(const std::filesystem::path& path) { return Signer(read_key_file(path.string())); }

Signer Signer::generate() { return Signer(generate_secret_key()); }

Transaction Signer::sign(const std::string& type, Json payload, const std::string& chain_id) {
  return sign_with_nonce(next_nonce++, type, std::move(payload), chain_id);
}

Transaction Signer::sign_with_nonce(std::int64_t nonce, const std::string& type, Json payload,
                                    const std::string& chain_id) const {
  return sign_transaction(chain_id, type, secret, nonce, std::move(payload), random_bytes32());
}

Json admit_payload(const PublicKey& participant, const std::string& name, const std::vector<std::string>& roles) {
  return Json{{"public_key", to_hex(participant)}, {"name", name}, {"roles", roles}};
}

Json mint_payload(const PublicKey& to, std::int64_t amount_micro, const std::string& fiat_reference) {
  return Json{{"to", to_hex(to)}, {"amount_micro", amount_micro}, {"fiat_reference", fiat_reference}};
}

Json transfer_payload(const PublicKey& to, std::int64_t amount_micro, const std::string& memo) {
  Json payload{{"to", to_hex(to)}, {"amount_micro", amount_micro}};
  if (!memo.empty()) payload["memo"] = memo;
  return payload;
}

std::string id_hex(const Transaction& transaction) { return to_hex(transaction.id); }

Json node_status(HttpClient& client) {
  auto reply = client.get("/api/v1/status");
  if (!reply || reply->status != 200) {
    throw std::runtime_error("GET /api/v1/status failed" + (reply ? ": " + reply->body : std::string()));
  }
  return reply->json();
}

void submit_or_throw(HttpClient& client, const Transaction& transaction) {
  auto reply = client.post("/api/v1/txs", transaction.canonical);
  if (!reply) throw std::runtime_error("POST /api/v1/txs: no reply");
  Json body = reply->json();
  if (reply->status != 202 || body.is_discarded() || body.value("status", "") != "pending" ||
      body.value("id", "") != id_hex(transaction)) {
    throw std::runtime_error("POST /api/v1/txs answered " + std::to_string(reply->status) + " " + reply->body);
  }
}

Json wait_until_committed(HttpClient& client, const std::string& id, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto reply = client.get("/api/v1/txs/" + id);
    if (reply && reply->status == 200) {
      Json body = reply->json();
      if (!body.is_discarded() && body.value("status", "") == "committed") return body;
    }
    last = reply ? std::to_string(reply->status) + " " + reply->body : "no reply";
    std::this_thread::sleep_for(poll_interval);
  }
  throw std::runtime_error("transaction " + id + " was not committed in time; last reply: " + last);
}

}  // namespace flex::process_test
