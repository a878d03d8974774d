// A running flexnode for process tests, and signing helpers for the dev chain.
//   NodeProcess starts `flexnode --dev --data DIR --listen 127.0.0.1:0
//   --empty-block-interval-ms N`, waits for the "node.started" log line and reads the
//   bound port from its "url". Its stderr (the JSON log) goes to a file of the caller's choice.
// Nothing here uses Catch assertions: failures are exceptions, so helpers are safe on any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "http_client.hpp"
#include "ledger/transaction.hpp"

namespace flex::process_test {

inline constexpr const char* dev_chain = "flexledger-dev";  // node/dev_setup.hpp dev_chain_id
inline constexpr std::chrono::seconds node_start_timeout{20};

class NodeProcess {
 public:
  // Throws std::runtime_error, quoting the log, if the node exits or does not report
  // "node.started" within node_start_timeout.
  // `extra_arguments` go to flexnode as they are (such as --rate-limit-per-second 0 for load).
  NodeProcess(const std::filesystem::path& data_dir, const std::filesystem::path& log_path,
              std::int64_t empty_block_interval_ms, const std::vector<std::string>& extra_arguments = {});

  std::uint16_t port() const { return port_; }
  // A bearer token of the dev user `user` ("operator", or a role such as "prosumer"), from a
  // login with the password the dev node keeps in <data>/dev_logins.json. Throws on failure.
  std::string login(const std::string& user = "operator") const;
  // The token of the node's own participant ("operator", or "node" on a devnet node that is
  // not the market operator), taken once at start.
  const std::string& token() const { return token_; }
  ChildProcess& process() { return *process_; }
  const std::filesystem::path& log_path() const { return log_path_; }
  // The JSON log lines written so far (lines that are not JSON are skipped).
  std::vector<Json> log_events() const;
  bool logged(const std::string& event) const;
  std::string log_text() const { return read_whole_file(log_path_); }

 private:
  std::filesystem::path log_path_;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::filesystem::path data_dir_;
  std::string token_;
};

// A key that signs transactions for the dev chain, with its own nonce counter. Nonces
// only go up, so a transaction lost in a crash leaves a gap, which the ledger allows.
struct Signer {
  explicit Signer(SecretKey secret);
  static Signer from_key_file(const std::filesystem::path& path);
  static Signer generate();

  // Signs with the next nonce.
  Transaction sign(const std::string& type, Json payload, const std::string& chain_id = dev_chain);
  // Signs with a given nonce, leaving the counter alone.
  Transaction sign_with_nonce(std::int64_t nonce, const std::string& type, Json payload,
                              const std::string& chain_id = dev_chain) const;
  std::string public_key_hex() const { return to_hex(public_key); }

  SecretKey secret;
  PublicKey public_key{};
  std::int64_t next_nonce = 1;
};

// Payloads (contracts/participants.cpp, contracts/tokens.cpp).
Json admit_payload(const PublicKey& participant, const std::string& name, const std::vector<std::string>& roles);
Json mint_payload(const PublicKey& to, std::int64_t amount_micro, const std::string& fiat_reference);
Json transfer_payload(const PublicKey& to, std::int64_t amount_micro, const std::string& memo = {});

std::string id_hex(const Transaction& transaction);

// GET /api/v1/status as JSON; throws if the node does not answer 200.
Json node_status(HttpClient& client);
// POSTs and requires 202 {"status":"pending"}; throws otherwise, quoting the reply.
void submit_or_throw(HttpClient& client, const Transaction& transaction);
// Polls GET /api/v1/txs/{id} until "committed" and returns that reply; throws on timeout.
Json wait_until_committed(HttpClient& client, const std::string& id,
                          std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace flex::process_test
