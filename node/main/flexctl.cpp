// flexctl: the command-line tool.
// Local commands (keys, the data directory):
//   flexctl keygen --out FILE                 writes a new key file (mode 0600)
//   flexctl pubkey --key FILE                 prints the public key of a key file
//   flexctl sign --key FILE --chain-id ID --type TYPE --nonce N|auto --payload JSON|@FILE
//                                             prints a signed canonical transaction
//   flexctl verify --data DIR                 re-verifies the chain in DIR from genesis, digests included
//   flexctl digest --data DIR --date YYYY-MM-DD --key FILE
//                                             prints the day's digest, signed, for anchoring elsewhere
//   flexctl check-digest --file FILE          checks a signed digest's signature
//   flexctl devnet-init --dir DIR [--validators 4] [--full-nodes 2] [--api-port 8080] [--p2p-port 26656]
//                       [--isp-seconds 60] [--docker-service-prefix node]
//                                             writes a local network's genesis and node directories
//                                             (node/devnet_setup.hpp; scripts/devnet.sh runs them)
//   flexctl user add --data DIR --name NAME --participant HEX [--password-file FILE]
//   flexctl user list --data DIR
//   flexctl user remove --data DIR --name NAME
//   flexctl user passwd --data DIR --name NAME [--password-file FILE]
//                                             manage the API's user accounts in DIR/users.sqlite;
//                                             the password is the first line of FILE, or of stdin
// Client commands drive a node over its REST API (docs/API.md), local or remote:
//   flexctl login --user NAME [--password-file FILE]
//                                             prints a bearer token only, for
//                                             `export FLEXCTL_TOKEN=$(flexctl login ...)`
//   flexctl logout                            ends the token's session
//   flexctl status                            GET /api/v1/status, pretty JSON
//   flexctl get PATH [--query NAME=VALUE ...] [--limit N] [--after CURSOR] [--format json|jsonl|csv] [--all]
//                                             GET /api/v1/PATH, any read route but the event stream
//   flexctl offers|requests|assets|contracts|settlements|zones|participants [--FILTER VALUE ...]
//           [--limit N] [--after CURSOR] [--all] [--format json|jsonl|csv]
//                                             a list; --zone-id z1 is the filter zone_id=z1
//   flexctl submit --key FILE --type TYPE --nonce N|auto --payload JSON|@FILE [--chain-id ID] [--wait]
//                                             signs here, POSTs to /api/v1/txs and prints its id;
//                                             --wait polls GET /api/v1/txs/{id} (needs a token: the
//                                             signer's, or an operator's, auditor's or regulator's)
//                                             and prints the receipt
//   flexctl export blocks|transactions [--from-height H] [--to-height H] [--format jsonl|csv] [--out FILE]
//   flexctl export settlements [--FILTER VALUE ...] [--format jsonl|csv] [--out FILE]
//                                             one record per line, blocks and transactions in height
//                                             order (blocks need an operator, auditor or regulator)
// Node options of every client command: --node URL (else $FLEXCTL_NODE, else
// http://127.0.0.1:8080), --token TOKEN (else $FLEXCTL_TOKEN), --timeout SECONDS (for each
// step of a request, default 30), and for https:// nodes --ca-file FILE (trust only the
// certificates in this PEM file instead of the system's CA store) or --insecure (no
// certificate check at all).
//   - `--nonce auto` is the current UTC time in milliseconds: above every earlier automatic
//     nonce of the same signer on this clock, but two submissions of one signer in the same
//     millisecond clash, and after it a numeric nonce must be higher still.
//   - `--all` follows the list's `next_after` cursor and prints JSON Lines (one record a
//     line), or CSV under the union of the pages' columns (the node picks a page's columns
//     from that page's records); it stops with an error after 100,000 records.
//   - A node answering 429 is asked again after its Retry-After.
//   - Exports print progress to stderr every 1,000 records when stderr is a terminal; --out
//     writes FILE.partial and renames it to FILE once the export is complete.
// Exit status: 0 success, 1 verification or command failure (a rejection, or a problem+json
// answer, prints "flexctl: <code>: <message>"; an unreachable node prints what failed), 2
// usage error.
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

#include "api/csv.hpp"
#include "api/user_store.hpp"
#include "ledger/hash.hpp"
#include "ledger/limits.hpp"
#include "ledger/schnorr.hpp"
#include "ledger/store.hpp"
#include "ledger/transaction.hpp"
#include "node/devnet_setup.hpp"
#include "node/keyfile.hpp"
#include "node/main/api_client.hpp"
#include "node/verify_chain.hpp"

namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr const char* usage =
    "usage: flexctl keygen --out FILE\n"
    "       flexctl pubkey --key FILE\n"
    "       flexctl sign --key FILE --chain-id ID --type TYPE --nonce N|auto --payload JSON|@FILE\n"
    "       flexctl verify --data DIR\n"
    "       flexctl digest --data DIR --date YYYY-MM-DD --key FILE\n"
    "       flexctl check-digest --file FILE\n"
    "       flexctl devnet-init --dir DIR [--validators 4] [--full-nodes 2] [--api-port 8080] [--p2p-port 26656]\n"
    "                           [--isp-seconds 60] [--docker-service-prefix PREFIX]\n"
    "       flexctl user add --data DIR --name NAME --participant HEX [--password-file FILE]\n"
    "       flexctl user list --data DIR\n"
    "       flexctl user remove --data DIR --name NAME\n"
    "       flexctl user passwd --data DIR --name NAME [--password-file FILE]\n"
    "client commands, over the node's REST API (with the node options below):\n"
    "       flexctl login --user NAME [--password-file FILE]      prints a bearer token\n"
    "       flexctl logout\n"
    "       flexctl status\n"
    "       flexctl get PATH [--query NAME=VALUE ...] [--limit N] [--after CURSOR] [--format json|jsonl|csv] [--all]\n"
    "       flexctl offers|requests|assets|contracts|settlements|zones|participants\n"
    "               [--FILTER VALUE ...] [--limit N] [--after CURSOR] [--all] [--format json|jsonl|csv]\n"
    "       flexctl submit --key FILE --type TYPE --nonce N|auto --payload JSON|@FILE [--chain-id ID] [--wait]\n"
    "       flexctl export blocks|transactions [--from-height H] [--to-height H] [--format jsonl|csv] [--out FILE]\n"
    "       flexctl export settlements [--FILTER VALUE ...] [--format jsonl|csv] [--out FILE]\n"
    "node options: --node URL (else $FLEXCTL_NODE, else http://127.0.0.1:8080)\n"
    "              --token TOKEN (else $FLEXCTL_TOKEN)   --timeout SECONDS (default 30)\n"
    "              --ca-file FILE (https: trust only this PEM)   --insecure (https: no certificate check)\n"
    "--FILTER VALUE is a list's query parameter (--zone-id z1: zone_id=z1); --all follows every page\n"
    "(JSON Lines or CSV, at most 100,000 records); --nonce auto is the UTC time in milliseconds.\n";

// A signed digest signs tagged_hash("FlexLedger/digest", canonical {"chain_id","digest"}).
flex::Hash32 digest_message(const flex::Json& chain_id, const flex::Json& digest) {
  return flex::tagged_hash("FlexLedger/digest", flex::to_canonical(flex::Json{{"chain_id", chain_id}, {"digest", digest}}));
}

// Parses "--name value" pairs from argv[first] on (after the command word or words).
std::map<std::string, std::string> parse_options(int argc, char** argv, int first) {
  std::map<std::string, std::string> options;
  for (int i = first; i < argc; ++i) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0 || i + 1 >= argc) throw UsageError("bad argument '" + name + "'");
    options[name.substr(2)] = argv[++i];
  }
  return options;
}

const std::string& required(const std::map<std::string, std::string>& options, const std::string& name) {
  auto found = options.find(name);
  if (found == options.end()) throw UsageError("missing --" + name);
  return found->second;
}

int keygen(const std::map<std::string, std::string>& options) {
  const std::string& path = required(options, "out");
  flex::SecretKey secret = flex::generate_secret_key();
  flex::write_key_file(path, secret);
  std::cout << flex::to_hex(*flex::derive_public_key(secret)) << "\n";
  return 0;
}

// A whole-number option in [min, max], or its default when absent.
int bounded_option(const std::map<std::string, std::string>& options, const std::string& name, int fallback, int min, int max) {
  auto found = options.find(name);
  if (found == options.end()) return fallback;
  int value = 0;
  auto [end, error] = std::from_chars(found->second.data(), found->second.data() + found->second.size(), value);
  if (error != std::errc() || end != found->second.data() + found->second.size() || value < min || value > max) {
    throw UsageError("--" + name + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

int devnet_init(const std::map<std::string, std::string>& options) {
  flex::DevnetOptions devnet;
  devnet.dir = required(options, "dir");
  devnet.validators = bounded_option(options, "validators", 4, 1, 4);
  devnet.full_nodes = bounded_option(options, "full-nodes", 2, 0, 4);
  devnet.api_port = bounded_option(options, "api-port", 8080, 1, 65000);
  devnet.p2p_port = bounded_option(options, "p2p-port", 26656, 1, 65000);
  devnet.isp_seconds = bounded_option(options, "isp-seconds", 60, 60, 3600);
  if (3600 % devnet.isp_seconds != 0) throw UsageError("--isp-seconds must divide 3600");
  if (auto prefix = options.find("docker-service-prefix"); prefix != options.end()) devnet.service_prefix = prefix->second;
  devnet.genesis_time = std::time(nullptr);
  flex::create_devnet(devnet);
  std::cout << devnet.dir << ": " << devnet.validators << " validators and " << devnet.full_nodes << " full nodes\n";
  return 0;
}

int pubkey(const std::map<std::string, std::string>& options) {
  std::cout << flex::to_hex(*flex::derive_public_key(flex::read_key_file(required(options, "key")))) << "\n";
  return 0;
}

// --payload: JSON text, or @FILE (@- for stdin); an object of integers only.
flex::Json read_payload(const std::string& argument) {
  std::string text = argument;
  if (argument.starts_with("@")) {
    std::string path = argument.substr(1);
    std::ifstream file;
    if (path != "-") {
      file.open(path, std::ios::binary);
      if (!file) throw std::runtime_error("cannot read payload file " + path);
    }
    std::istream& input = path == "-" ? std::cin : file;
    // One byte beyond the bound, so that parse_json_bounded refuses an oversized file.
    text.assign(flex::limits::max_transaction_bytes + 1, '\0');
    input.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(input.gcount()));
  }
  auto parsed = flex::parse_json_bounded(text, flex::limits::max_transaction_bytes);
  flex::Json payload = parsed ? *parsed : flex::Json();
  if (!payload.is_object()) throw UsageError("--payload must be a JSON object");
  if (!flex::is_integer_only(payload)) throw UsageError("--payload must hold integers only");
  return payload;
}

// --nonce: an integer in [1, 2^53-1], or "auto": the current UTC time in milliseconds.
std::int64_t read_nonce(const std::string& text) {
  if (text == "auto") {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  std::int64_t nonce = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), nonce);
  if (error != std::errc() || end != text.data() + text.size() || nonce < 1 || nonce > flex::limits::max_json_integer) {
    throw UsageError("--nonce must be an integer in [1, 2^53-1], or auto");
  }
  return nonce;
}

// What --key, --type, --nonce and --payload describe: a transaction to sign for a chain.
struct TransactionOptions {
  std::string type;
  std::int64_t nonce = 0;
  flex::Json payload;
  flex::SecretKey secret;

  flex::Transaction sign(const std::string& chain_id) const {
    return flex::sign_transaction(chain_id, type, secret, nonce, payload, flex::random_bytes32());
  }
};

TransactionOptions read_transaction_options(const std::map<std::string, std::string>& options) {
  const std::string& type = required(options, "type");
  std::int64_t nonce = read_nonce(required(options, "nonce"));
  flex::Json payload = read_payload(required(options, "payload"));
  return TransactionOptions{type, nonce, std::move(payload), flex::read_key_file(required(options, "key"))};
}

int sign(const std::map<std::string, std::string>& options) {
  auto transaction = read_transaction_options(options).sign(required(options, "chain-id"));
  // The newline only for a terminal: piped into `curl --data-binary @-`, the bytes must be
  // exactly the canonical transaction.
  std::cout << transaction.canonical << (isatty(STDOUT_FILENO) ? "\n" : "") << std::flush;
  return 0;
}

int verify(const std::map<std::string, std::string>& options) {
  std::string store_path = required(options, "data") + "/ledger.sqlite";
  // A terminal gets one updating line; a log gets a line per 10%.
  bool terminal = isatty(STDERR_FILENO) != 0;
  std::int64_t step = terminal ? 1 : 10;
  std::int64_t last_percent = -1;
  auto report = flex::verify_chain(store_path, [&](std::int64_t height, std::int64_t total) {
    std::int64_t percent = total == 0 ? 100 : height * 100 / total;
    if (percent / step != last_percent / step || last_percent < 0) {
      std::cerr << (terminal ? "\r" : "") << "verifying: " << height << "/" << total << " blocks (" << percent
                << "%)" << (terminal ? "" : "\n") << std::flush;
      last_percent = percent;
    }
  });
  if (terminal && last_percent >= 0) std::cerr << "\n";
  if (report.ok) {
    std::cout << "OK: verified " << report.verified_height << " blocks from genesis\n";
    return 0;
  }
  std::cout << "FAILED: first bad height " << *report.first_bad_height << ": " << report.reason << "\n"
            << "verified " << report.verified_height << " of " << report.chain_height << " blocks\n";
  return 1;
}

int digest(const std::map<std::string, std::string>& options) {
  flex::SecretKey secret = flex::read_key_file(required(options, "key"));
  const std::string& date = required(options, "date");
  auto store = flex::Store::open(required(options, "data") + "/ledger.sqlite", flex::Store::Mode::ReadOnly);
  auto entries = store->load_state();
  auto found = entries.find("digest/" + date);
  if (found == entries.end()) {
    std::cerr << "flexctl: no digest for " << date << " (a day's digest is recorded at the first block of the next day)\n";
    return 1;
  }
  flex::Json digest = flex::Json::parse(found->second);
  flex::Json chain_id = *store->meta("chain_id");
  auto signature = flex::schnorr_sign(secret, digest_message(chain_id, digest), flex::random_bytes32());
  std::cout << flex::to_canonical(flex::Json{{"chain_id", chain_id},
                                             {"digest", digest},
                                             {"signature", flex::to_hex(*signature)},
                                             {"signer", flex::to_hex(*flex::derive_public_key(secret))}})
            << "\n";
  return 0;
}

int check_digest(const std::map<std::string, std::string>& options) {
  std::ifstream file(required(options, "file"));
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto document = flex::parse_json_bounded(text, flex::limits::max_transaction_bytes);
  if (!document || !flex::is_integer_only(*document) || !document->is_object() || !(*document)["digest"].is_object() ||
      !(*document)["chain_id"].is_string() || !(*document)["signature"].is_string() || !(*document)["signer"].is_string()) {
    std::cout << "FAILED: not a signed digest document\n";
    return 1;
  }
  auto signature = flex::from_hex_fixed<64>((*document)["signature"].get<std::string>());
  auto signer = flex::from_hex_fixed<32>((*document)["signer"].get<std::string>());
  if (!signature || !signer ||
      !flex::schnorr_verify(*signature, digest_message((*document)["chain_id"], (*document)["digest"]), *signer)) {
    std::cout << "FAILED: the signature does not verify\n";
    return 1;
  }
  std::cout << "OK: digest of " << (*document)["digest"].value("date", "?") << " signed by "
            << (*document)["signer"].get<std::string>() << "\n";
  return 0;
}

// Refuses options a command does not know, so a mistyped --password-file is not silently
// replaced by a read from stdin.
void allow_only(const std::map<std::string, std::string>& options, std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : options) {
    if (std::find(known.begin(), known.end(), name) == known.end()) throw UsageError("unknown option --" + name);
  }
}

// One line from stdin; on a terminal, prompts on stderr and keeps the typing off the screen.
std::string read_stdin_line() {
  termios saved{};
  bool terminal = isatty(STDIN_FILENO) != 0 && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    std::cerr << "password: " << std::flush;
  }
  std::string line;
  std::getline(std::cin, line);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << "\n";
  }
  return line;
}

// The first line of --password-file, or of stdin, without its line ending ("\n" or "\r\n").
std::string read_password(const std::map<std::string, std::string>& options) {
  std::string line;
  auto file = options.find("password-file");
  if (file == options.end()) {
    line = read_stdin_line();
  } else {
    std::ifstream input(file->second);
    if (!input) throw std::runtime_error("cannot read password file " + file->second);
    std::getline(input, line);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::unique_ptr<flex::api::UserStore> open_users(const std::map<std::string, std::string>& options) {
  return flex::api::UserStore::open(required(options, "data") + "/users.sqlite");
}

// Prints `done` on success, or the rejection as "flexctl: <code>: <message>".
int report(const flex::Status& status, const std::string& done) {
  if (!status) {
    std::cerr << "flexctl: " << status.rejection().code << ": " << status.rejection().message << "\n";
    return 1;
  }
  std::cout << done << "\n";
  return 0;
}

std::string iso8601_utc(std::int64_t seconds) {
  auto time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  char text[32];
  if (gmtime_r(&time, &parts) == nullptr || std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts) == 0) {
    return std::to_string(seconds);
  }
  return text;
}

int user_add(const std::map<std::string, std::string>& options) {
  allow_only(options, {"data", "name", "participant", "password-file"});
  const std::string& name = required(options, "name");
  const std::string& participant = required(options, "participant");
  auto users = open_users(options);  // before the password prompt, so a bad --data fails first
  std::string password = read_password(options);
  std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  return report(users->add(name, participant, password, now),
                "user " + name + " added for participant " + participant);
}

int user_list(const std::map<std::string, std::string>& options) {
  allow_only(options, {"data"});
  for (const auto& user : open_users(options)->list()) {
    std::cout << user.name << " " << user.participant_hex << " " << iso8601_utc(user.created_at) << "\n";
  }
  return 0;
}

int user_remove(const std::map<std::string, std::string>& options) {
  allow_only(options, {"data", "name"});
  const std::string& name = required(options, "name");
  return report(open_users(options)->remove(name), "user " + name + " removed");
}

int user_passwd(const std::map<std::string, std::string>& options) {
  allow_only(options, {"data", "name", "password-file"});
  const std::string& name = required(options, "name");
  auto users = open_users(options);
  std::string password = read_password(options);
  return report(users->set_password(name, password), "password of user " + name + " changed");
}

// `flexctl user SUBCOMMAND --option value ...`: options start after the second word.
int user(int argc, char** argv) {
  if (argc < 3) throw UsageError("missing user subcommand (add, list, remove or passwd)");
  std::string subcommand = argv[2];
  auto options = parse_options(argc, argv, 3);
  if (subcommand == "add") return user_add(options);
  if (subcommand == "list") return user_list(options);
  if (subcommand == "remove") return user_remove(options);
  if (subcommand == "passwd") return user_passwd(options);
  throw UsageError("unknown user subcommand '" + subcommand + "'");
}

// ---- client commands: the node's REST API (docs/API.md) ----

using flex::cli::ApiClient;
using flex::cli::HttpAnswer;
using flex::cli::Method;
using Query = std::vector<std::pair<std::string, std::string>>;

constexpr const char* default_node_url = "http://127.0.0.1:8080";
constexpr std::int64_t default_timeout_seconds = 30;
constexpr std::int64_t max_timeout_seconds = 3600;
constexpr std::size_t max_all_items = 100'000;         // --all and exports of lists stop beyond this
constexpr std::size_t progress_step = 1'000;           // records between two progress lines
constexpr std::int64_t max_blocks_page = 100;          // GET /blocks takes limit <= 100 (api/routes_ledger.cpp)
constexpr std::chrono::seconds commit_wait{60};        // submit --wait gives up after this
constexpr std::chrono::milliseconds commit_poll{250};
constexpr int max_rate_limited_retries = 30;           // 429 answers in a row before giving up
constexpr std::int64_t max_retry_after_seconds = 30;

// An answer other than 2xx: "<code>: <detail>" for problem+json.
struct ApiError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Client commands take words (a PATH, what to export), "--name value" options, the flags
// below, and any number of --query NAME=VALUE.
struct ClientArguments {
  std::vector<std::string> words;
  std::map<std::string, std::string> options;
  Query query;
  std::set<std::string> flags;

  bool flag(const std::string& name) const { return flags.count(name) != 0; }
  std::optional<std::string> option(const std::string& name) const {
    auto found = options.find(name);
    return found == options.end() ? std::nullopt : std::optional<std::string>(found->second);
  }
};

constexpr std::string_view client_flags[] = {"all", "insecure", "wait"};
constexpr std::string_view node_options[] = {"node", "token", "timeout", "ca-file"};
constexpr std::string_view list_resources[] = {"offers", "requests", "assets", "contracts", "settlements", "zones", "participants"};

bool is_one_of(std::string_view name, std::span<const std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

ClientArguments parse_client_arguments(int argc, char** argv, int first) {
  ClientArguments arguments;
  for (int i = first; i < argc; ++i) {
    std::string argument = argv[i];
    if (!argument.starts_with("--")) {
      arguments.words.push_back(argument);
      continue;
    }
    std::string name = argument.substr(2);
    if (is_one_of(name, client_flags)) {
      arguments.flags.insert(name);
      continue;
    }
    if (name.empty() || i + 1 >= argc) throw UsageError("bad argument '" + argument + "'");
    std::string value = argv[++i];
    if (name == "query") {
      std::size_t equals = value.find('=');
      if (equals == std::string::npos || equals == 0) throw UsageError("--query takes NAME=VALUE");
      arguments.query.emplace_back(value.substr(0, equals), value.substr(equals + 1));
    } else if (!arguments.options.emplace(name, value).second) {
      throw UsageError("--" + name + " given twice");
    }
  }
  return arguments;
}

enum class TakesQuery { No, Yes };

// Refuses what a command does not take (the node options and --insecure go with every one).
void allow_client(const ClientArguments& arguments, std::size_t words, std::initializer_list<std::string_view> options,
                  std::initializer_list<std::string_view> flags = {}, TakesQuery takes_query = TakesQuery::No) {
  if (arguments.words.size() > words) throw UsageError("unexpected argument '" + arguments.words[words] + "'");
  if (takes_query == TakesQuery::No && !arguments.query.empty()) throw UsageError("this command takes no --query");
  for (const auto& [name, value] : arguments.options) {
    if (!is_one_of(name, node_options) && std::find(options.begin(), options.end(), name) == options.end()) {
      throw UsageError("unknown option --" + name);
    }
  }
  for (const auto& name : arguments.flags) {
    if (name != "insecure" && std::find(flags.begin(), flags.end(), name) == flags.end()) {
      throw UsageError("unknown option --" + name);
    }
  }
}

std::int64_t integer_option(const ClientArguments& arguments, const std::string& name, std::int64_t fallback,
                            std::int64_t min, std::int64_t max) {
  auto text = arguments.option(name);
  if (!text) return fallback;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    throw UsageError("--" + name + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

std::optional<std::string> option_or_environment(const ClientArguments& arguments, const std::string& name,
                                                 const char* variable) {
  if (auto value = arguments.option(name)) return value;
  const char* value = std::getenv(variable);
  if (value != nullptr && *value != '\0') return std::string(value);
  return std::nullopt;
}

enum class SendToken { Yes, No };

// A client for --node with the TLS options; it sends the token unless told not to.
std::unique_ptr<ApiClient> open_client(const ClientArguments& arguments, SendToken send_token = SendToken::Yes) {
  std::string node = option_or_environment(arguments, "node", "FLEXCTL_NODE").value_or(default_node_url);
  auto url = flex::cli::parse_node_url(node);
  if (!url) throw UsageError("--node must be http://HOST[:PORT] or https://HOST[:PORT], not '" + node + "'");
  flex::cli::ClientOptions client_options;
  client_options.timeout = std::chrono::seconds(integer_option(arguments, "timeout", default_timeout_seconds, 1, max_timeout_seconds));
  auto ca_file = arguments.option("ca-file");
  if ((ca_file || arguments.flag("insecure")) && !url->tls) throw UsageError("--ca-file and --insecure are for https:// nodes");
  if (ca_file && arguments.flag("insecure")) throw UsageError("give --ca-file or --insecure, not both");
  if (ca_file) {
    client_options.peer_check = flex::cli::PeerCheck::CaFile;
    client_options.ca_file = *ca_file;
  } else if (arguments.flag("insecure")) {
    client_options.peer_check = flex::cli::PeerCheck::None;
  }
  auto client = std::make_unique<ApiClient>(*url, client_options);
  if (send_token == SendToken::Yes) {
    if (auto token = option_or_environment(arguments, "token", "FLEXCTL_TOKEN")) client->set_bearer(*token);
  }
  return client;
}

// RFC 3986 percent-encoding of everything but unreserved characters (and "/" in a path).
std::string percent_encode(std::string_view text, bool keep_slash) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

// "/api/v1/PATH?NAME=VALUE&..." for a path such as "zones", "/zones" or "/api/v1/zones".
std::string api_target(std::string path, const Query& query) {
  while (path.starts_with("/")) path.erase(0, 1);
  if (path.starts_with("api/v1/")) path.erase(0, 7);
  std::string target = "/api/v1/" + percent_encode(path, true);
  for (std::size_t i = 0; i < query.size(); ++i) {
    target += (i == 0 ? "?" : "&") + percent_encode(query[i].first, false) + "=" + percent_encode(query[i].second, false);
  }
  return target;
}

Query with_parameter(Query query, const std::string& name, const std::string& value) {
  std::erase_if(query, [&](const auto& parameter) { return parameter.first == name; });
  query.emplace_back(name, value);
  return query;
}

bool is_json(const HttpAnswer& answer) {
  return answer.content_type.starts_with("application/json") || answer.content_type.starts_with("application/problem+json");
}

// Throws ApiError for an answer other than 2xx.
void check_answer(const HttpAnswer& answer, const ApiClient& client) {
  if (answer.status >= 200 && answer.status < 300) return;
  flex::Json problem = flex::Json::parse(answer.body, nullptr, false);
  if (problem.is_object() && problem["code"].is_string()) {
    throw ApiError(problem["code"].get<std::string>() + ": " + problem.value("detail", std::string()));
  }
  constexpr std::size_t shown_bytes = 200;
  throw ApiError("HTTP " + std::to_string(answer.status) + " from " + client.url().text() + ": " +
                 answer.body.substr(0, shown_bytes));
}

// Sends a request; a 429 is sent again after its Retry-After (at most 30 s, and 30 times).
HttpAnswer call_api(ApiClient& client, Method method, const std::string& target, const std::string& body = {}) {
  for (int attempt = 0;; ++attempt) {
    HttpAnswer answer = client.send(method, target, body);
    if (answer.status != 429 || attempt == max_rate_limited_retries) {
      check_answer(answer, client);
      return answer;
    }
    std::int64_t seconds = 1;
    if (auto retry_after = answer.header("retry-after")) {
      std::from_chars(retry_after->data(), retry_after->data() + retry_after->size(), seconds);
    }
    std::this_thread::sleep_for(std::chrono::seconds(std::clamp<std::int64_t>(seconds, 1, max_retry_after_seconds)));
  }
}

flex::Json answer_json(const HttpAnswer& answer, const std::string& target) {
  flex::Json body = flex::Json::parse(answer.body, nullptr, false);
  if (body.is_discarded()) throw std::runtime_error("the answer to GET " + target + " is not JSON");
  return body;
}

flex::Json get_json(ApiClient& client, const std::string& target) {
  return answer_json(call_api(client, Method::Get, target), target);
}

std::string json_line(const flex::Json& value) { return value.dump(-1, ' ', false, flex::Json::error_handler_t::replace); }

// Counts records on stderr, every 1,000, when stderr is a terminal (a log gets nothing);
// the last count stays on screen, whether the command succeeded or not.
class Progress {
 public:
  explicit Progress(std::string what) : what_(std::move(what)), terminal_(isatty(STDERR_FILENO) != 0) {}
  ~Progress() {
    if (shown_) std::cerr << "\rflexctl: " << count_ << " " << what_ << "\n" << std::flush;
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void add() {
    if (++count_ % progress_step != 0 || !terminal_) return;
    std::cerr << "\rflexctl: " << count_ << " " << what_ << std::flush;
    shown_ = true;
  }

 private:
  std::string what_;
  bool terminal_;
  bool shown_ = false;
  std::size_t count_ = 0;
};

// The query parameter that takes a list's `next_after`: `before` for /blocks, which pages
// downwards from the tip, `after` for every other list.
std::string cursor_parameter(const std::string& path) { return api_target(path, {}) == "/api/v1/blocks" ? "before" : "after"; }

// Calls `each` with every record of a list, following its cursor from page to page.
void for_each_item(ApiClient& client, const std::string& path, Query query, const std::function<void(const flex::Json&)>& each) {
  const std::string cursor_name = cursor_parameter(path);
  std::size_t count = 0;
  std::optional<std::string> cursor;
  while (true) {
    std::string target = api_target(path, cursor ? with_parameter(query, cursor_name, *cursor) : query);
    flex::Json page = get_json(client, target);
    if (!page.is_object() || !page["items"].is_array()) throw std::runtime_error("GET " + target + " is not a list");
    for (const auto& item : page["items"]) {
      if (++count > max_all_items) {
        throw std::runtime_error("more than " + std::to_string(max_all_items) + " records: narrow the list with filters");
      }
      each(item);
    }
    const flex::Json& next = page["next_after"];
    if (next.is_null() || page["items"].empty()) return;
    std::string next_cursor = next.is_string() ? next.get<std::string>() : next.dump();
    if (cursor == next_cursor) throw std::runtime_error("GET " + target + " returned the same cursor twice");
    cursor = next_cursor;
  }
}

// ---- CSV ----

// Cells as the node writes them (api/csv.hpp).
using flex::api::csv_cell;
using flex::api::csv_quote;

std::string csv_row(const std::vector<flex::Json>& cells) {
  std::string row;
  for (std::size_t i = 0; i < cells.size(); ++i) row += (i ? "," : "") + csv_cell(cells[i]);
  return row + "\r\n";
}

// The records of a CSV text as the node writes it: CRLF line ends, RFC 4180 quoting.
std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c != '"') field += c;
      else if (i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
      else quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::exchange(field, {}));
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      record.push_back(std::exchange(field, {}));
      records.push_back(std::exchange(record, {}));
    } else {
      field += c;
    }
  }
  if (quoted) throw std::runtime_error("the node's CSV has an unterminated quote");
  if (!field.empty() || !record.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

// Every record of a list as one CSV text. The node picks each page's columns from that
// page's records (a disputed settlement has a "dispute" column, say), so the pages are
// gathered and written under the union of their columns, in the node's (sorted) order.
std::string all_csv(ApiClient& client, const std::string& path, const Query& query, Progress& progress) {
  std::set<std::string> columns;
  std::vector<std::map<std::string, std::string>> rows;
  std::optional<std::string> cursor;
  while (true) {
    Query page_query = cursor ? with_parameter(query, cursor_parameter(path), *cursor) : query;
    std::string target = api_target(path, with_parameter(page_query, "format", "csv"));
    HttpAnswer answer = call_api(client, Method::Get, target);
    auto records = parse_csv(answer.body);
    for (std::size_t i = 1; i < records.size(); ++i) {
      if (records[i].size() != records[0].size()) throw std::runtime_error("GET " + target + ": a row's cells do not match the header");
      if (rows.size() == max_all_items) {
        throw std::runtime_error("more than " + std::to_string(max_all_items) + " records: narrow the list with filters");
      }
      std::map<std::string, std::string> row;
      for (std::size_t column = 0; column < records[0].size(); ++column) {
        columns.insert(records[0][column]);
        row[records[0][column]] = records[i][column];
      }
      rows.push_back(std::move(row));
      progress.add();
    }
    auto next = answer.header("x-next-after");
    if (!next || records.size() < 2) break;
    if (cursor == next) throw std::runtime_error("GET " + target + " returned the same cursor twice");
    cursor = next;
  }
  std::string out;
  if (columns.empty()) return out;
  for (const auto& column : columns) out += (out.empty() ? "" : ",") + csv_quote(column);
  out += "\r\n";
  for (const auto& row : rows) {
    bool first = true;
    for (const auto& column : columns) {
      if (!first) out += ",";
      first = false;
      if (auto cell = row.find(column); cell != row.end()) out += csv_quote(cell->second);
    }
    out += "\r\n";
  }
  return out;
}

// ---- the commands ----

int login(const ClientArguments& arguments) {
  allow_client(arguments, 0, {"user", "password-file"});
  const std::string& user = required(arguments.options, "user");
  auto client = open_client(arguments, SendToken::No);  // before the prompt, so a bad --node fails first
  std::string password = read_password(arguments.options);
  flex::Json body{{"mode", "bearer"}, {"password", password}, {"user", user}};
  flex::Json session = answer_json(call_api(*client, Method::Post, "/api/v1/auth/login", body.dump()), "/api/v1/auth/login");
  if (!session["token"].is_string()) throw std::runtime_error("the node's login answer holds no token");
  std::cout << session["token"].get<std::string>() << "\n";
  return 0;
}

int logout(const ClientArguments& arguments) {
  allow_client(arguments, 0, {});
  auto client = open_client(arguments);
  call_api(*client, Method::Post, "/api/v1/auth/logout");
  return 0;
}

void print_answer(const HttpAnswer& answer) {
  if (!is_json(answer)) {
    std::cout << answer.body << std::flush;
    return;
  }
  flex::Json body = flex::Json::parse(answer.body, nullptr, false);
  if (body.is_discarded()) std::cout << answer.body << "\n";
  else std::cout << body.dump(2, ' ', false, flex::Json::error_handler_t::replace) << "\n";
}

int status(const ClientArguments& arguments) {
  allow_client(arguments, 0, {});
  auto client = open_client(arguments);
  print_answer(call_api(*client, Method::Get, "/api/v1/status"));
  return 0;
}

enum class Format { Json, JsonLines, Csv };

Format read_format(const ClientArguments& arguments, Format fallback, std::initializer_list<Format> allowed) {
  auto text = arguments.option("format");
  Format format = fallback;
  if (text == "json") format = Format::Json;
  else if (text == "jsonl") format = Format::JsonLines;
  else if (text == "csv") format = Format::Csv;
  else if (text) throw UsageError("--format must be json, jsonl or csv");
  if (std::find(allowed.begin(), allowed.end(), format) == allowed.end()) {
    throw UsageError("--format " + *text + " does not go with this command" + (arguments.flag("all") ? " and --all" : ""));
  }
  return format;
}

// A list, one page or (--all) every page: the body of GET /api/v1/PATH?QUERY, or JSON Lines,
// or CSV.
int print_list(const ClientArguments& arguments, const std::string& path, const Query& query) {
  bool all = arguments.flag("all");
  Format format = all ? read_format(arguments, Format::JsonLines, {Format::JsonLines, Format::Csv})
                      : read_format(arguments, Format::Json, {Format::Json, Format::JsonLines, Format::Csv});
  auto client = open_client(arguments);
  Progress progress("records");
  if (all && format == Format::Csv) {
    std::cout << all_csv(*client, path, query, progress) << std::flush;
  } else if (all || format == Format::JsonLines) {
    auto print_line = [&](const flex::Json& item) {
      std::cout << json_line(item) << "\n";
      progress.add();
    };
    if (all) {
      for_each_item(*client, path, query, print_line);
    } else {
      std::string target = api_target(path, query);
      flex::Json page = get_json(*client, target);
      if (!page.is_object() || !page["items"].is_array()) throw std::runtime_error("GET " + target + " is not a list");
      for (const auto& item : page["items"]) print_line(item);
    }
    std::cout << std::flush;
  } else {
    Query page_query = format == Format::Csv ? with_parameter(query, "format", "csv") : query;
    HttpAnswer answer = call_api(*client, Method::Get, api_target(path, page_query));
    print_answer(answer);
    if (auto next = answer.header("x-next-after")) {
      std::string cursor = cursor_parameter(path) == "after" ? "--after " : "--query before=";
      std::cerr << "flexctl: more records follow: " << cursor << *next << " (or --all)\n";
    }
  }
  return 0;
}

// --limit N and --after CURSOR are short for --query limit=N and --query after=CURSOR.
int get(const ClientArguments& arguments) {
  allow_client(arguments, 1, {"format", "limit", "after"}, {"all"}, TakesQuery::Yes);
  if (arguments.words.empty()) throw UsageError("get needs a PATH, such as zones or offers/o1");
  std::string path = arguments.words[0];
  if (path.find_first_of("?#") != std::string::npos) throw UsageError("give query parameters with --query NAME=VALUE");
  if (api_target(path, {}) == "/api/v1/events") throw UsageError("events is a stream; flexctl get reads whole answers");
  Query query = arguments.query;
  for (const char* name : {"limit", "after"}) {
    if (auto value = arguments.option(name)) query = with_parameter(query, name, *value);
  }
  return print_list(arguments, path, query);
}

// `flexctl offers --zone-id z1 --limit 2 --all`: every option that is no node option is a
// filter, its dashes turned to underscores (the node refuses an unknown one: request.bad_query).
Query filters_of(const ClientArguments& arguments, std::initializer_list<std::string_view> not_filters) {
  Query query;
  for (const auto& [name, value] : arguments.options) {
    if (is_one_of(name, node_options) || std::find(not_filters.begin(), not_filters.end(), name) != not_filters.end()) continue;
    std::string parameter = name;
    std::replace(parameter.begin(), parameter.end(), '-', '_');
    query.emplace_back(parameter, value);
  }
  query.insert(query.end(), arguments.query.begin(), arguments.query.end());
  return query;
}

// The words, flags and options a list command takes; every other option is a filter.
void allow_list(const ClientArguments& arguments, std::size_t words, std::initializer_list<std::string_view> flags,
                std::initializer_list<std::string_view> refused) {
  if (arguments.words.size() > words) throw UsageError("unexpected argument '" + arguments.words[words] + "'");
  for (const auto& name : arguments.flags) {
    if (name != "insecure" && std::find(flags.begin(), flags.end(), name) == flags.end()) throw UsageError("unknown option --" + name);
  }
  for (const auto& name : refused) {
    if (arguments.options.count(std::string(name))) throw UsageError("this command takes no --" + std::string(name));
  }
}

int list_resource(const std::string& resource, const ClientArguments& arguments) {
  allow_list(arguments, 0, {"all"}, {"out", "from-height", "to-height"});
  return print_list(arguments, resource, filters_of(arguments, {"format"}));
}

// Polls GET /txs/{id} until the transaction is committed. A signer's own pending
// transaction reads as 404 tx.not_found until its block, so a 404 means "not yet".
flex::Json wait_for_receipt(ApiClient& client, const std::string& id) {
  const std::string target = "/api/v1/txs/" + id;
  auto deadline = std::chrono::steady_clock::now() + commit_wait;
  while (true) {
    HttpAnswer answer = client.send(Method::Get, target);
    if (answer.status == 200) {
      flex::Json receipt = answer_json(answer, target);
      if (receipt.value("status", std::string()) == "committed") return receipt;
    } else if (answer.status != 404 && answer.status != 429) {
      check_answer(answer, client);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("transaction " + id + " was not committed within " + std::to_string(commit_wait.count()) + " s");
    }
    std::this_thread::sleep_for(commit_poll);
  }
}

int submit(const ClientArguments& arguments) {
  allow_client(arguments, 0, {"key", "type", "nonce", "payload", "chain-id"}, {"wait"});
  bool wait = arguments.flag("wait");
  if (wait && !option_or_environment(arguments, "token", "FLEXCTL_TOKEN")) {
    throw UsageError("--wait reads the receipt, which needs --token (or FLEXCTL_TOKEN)");
  }
  TransactionOptions to_sign = read_transaction_options(arguments.options);  // usage errors before any request
  // POST /txs goes without the token: the signature is its credential, and the node refuses
  // any submission made with a read-only (auditor, regulator) session, auth.read_only.
  auto client = open_client(arguments, SendToken::No);
  std::string chain_id;
  if (auto given = arguments.option("chain-id")) chain_id = *given;
  else chain_id = get_json(*client, "/api/v1/status").value("chain_id", std::string());
  if (chain_id.empty()) throw std::runtime_error("GET /api/v1/status holds no chain_id");
  flex::Transaction transaction = to_sign.sign(chain_id);
  std::string id = flex::to_hex(transaction.id);
  flex::Json accepted = answer_json(call_api(*client, Method::Post, "/api/v1/txs", transaction.canonical), "/api/v1/txs");
  if (accepted.value("id", std::string()) != id) {
    throw std::runtime_error("the node answered for another transaction: " + json_line(accepted));
  }
  if (!wait) {
    std::cout << json_line(accepted) << "\n";
    return 0;
  }
  client->set_bearer(*option_or_environment(arguments, "token", "FLEXCTL_TOKEN"));
  flex::Json receipt = wait_for_receipt(*client, id);
  std::cout << receipt.dump(2, ' ', false, flex::Json::error_handler_t::replace) << "\n";
  const flex::Json& result = receipt["result"];
  std::string code = result.is_object() ? result.value("code", std::string()) : std::string();
  if (code == "ok") return 0;
  std::cerr << "flexctl: " << code << ": " << (result.is_object() ? result.value("message", std::string()) : std::string()) << "\n";
  return 1;
}

// Where an export goes: stdout, or FILE written as FILE.partial and renamed to FILE once
// complete, so an interrupted export never leaves a file that looks whole.
class ExportOutput {
 public:
  explicit ExportOutput(std::optional<std::string> path) : path_(std::move(path)) {
    if (!path_) return;
    file_.open(*path_ + ".partial", std::ios::binary | std::ios::trunc);
    if (!file_) throw std::runtime_error("cannot write " + *path_ + ".partial");
  }
  ~ExportOutput() {
    if (path_ && !finished_) {
      file_.close();
      std::error_code ignored;
      std::filesystem::remove(*path_ + ".partial", ignored);
    }
  }
  ExportOutput(const ExportOutput&) = delete;
  ExportOutput& operator=(const ExportOutput&) = delete;

  std::ostream& stream() { return path_ ? static_cast<std::ostream&>(file_) : std::cout; }
  void finish() {
    stream().flush();
    if (!stream()) throw std::runtime_error("cannot write " + (path_ ? *path_ + ".partial" : std::string("the output")));
    if (!path_) return;
    file_.close();
    std::filesystem::rename(*path_ + ".partial", *path_);
    finished_ = true;
  }

 private:
  std::optional<std::string> path_;
  std::ofstream file_;
  bool finished_ = false;
};

struct HeightRange {
  std::int64_t from = 1, to = 0;  // empty when to < from
};

// --from-height (default 1) to --to-height (default, and at most, the chain's height now).
HeightRange height_range(ApiClient& client, const ClientArguments& arguments) {
  HeightRange range;
  range.from = integer_option(arguments, "from-height", 1, 1, flex::limits::max_json_integer);
  range.to = integer_option(arguments, "to-height", flex::limits::max_json_integer, 1, flex::limits::max_json_integer);
  if (range.to < range.from) throw UsageError("--to-height is below --from-height");
  flex::Json status = get_json(client, "/api/v1/status");
  if (!status["height"].is_number_integer()) throw std::runtime_error("GET /api/v1/status holds no height");
  range.to = std::min(range.to, status["height"].get<std::int64_t>());
  return range;
}

// The summaries of blocks `from` to `to` (at most 100), in height order, from one
// GET /blocks?before=to+1&limit=N (which lists downwards).
std::vector<flex::Json> block_summaries(ApiClient& client, std::int64_t from, std::int64_t to) {
  std::string target = api_target("blocks", {{"before", std::to_string(to + 1)}, {"limit", std::to_string(to - from + 1)}});
  flex::Json page = get_json(client, target);
  if (!page.is_object() || !page["items"].is_array()) throw std::runtime_error("GET " + target + " is not a list");
  std::vector<flex::Json> blocks(page["items"].rbegin(), page["items"].rend());
  bool complete = static_cast<std::int64_t>(blocks.size()) == to - from + 1;
  for (std::size_t i = 0; complete && i < blocks.size(); ++i) {
    const flex::Json& height = blocks[i]["height"];
    complete = height.is_number_integer() && height.get<std::int64_t>() == from + static_cast<std::int64_t>(i);
  }
  if (!complete) {
    throw std::runtime_error("GET " + target + " did not list every block from " + std::to_string(from) + " to " + std::to_string(to));
  }
  return blocks;
}

// Blocks (`Export::Blocks`) or their transactions, in height order.
enum class Export { Blocks, Transactions };

void export_chain(ApiClient& client, const ClientArguments& arguments, Export what, Format format, std::ostream& out) {
  HeightRange range = height_range(client, arguments);
  Progress progress(what == Export::Blocks ? "blocks" : "transactions");
  if (format == Format::Csv) {
    out << (what == Export::Blocks ? "height,hash,time,proposer,app_hash,transactions\r\n"
                                   : "id,height,position,type,signer,result\r\n");
  }
  for (std::int64_t from = range.from; from <= range.to; from += max_blocks_page) {
    std::int64_t to = std::min(from + max_blocks_page - 1, range.to);
    for (const auto& summary : block_summaries(client, from, to)) {
      std::int64_t height = summary["height"].get<std::int64_t>();
      if (what == Export::Blocks && format == Format::Csv) {
        out << csv_row({summary["height"], summary["hash"], summary["time"], summary["proposer"], summary["app_hash"],
                        summary["transactions"]});
        progress.add();
        continue;
      }
      if (what == Export::Transactions && summary.value("transactions", 0) == 0) continue;
      flex::Json block = get_json(client, "/api/v1/blocks/" + std::to_string(height));
      if (what == Export::Blocks) {
        out << json_line({{"commit", block["commit"]}, {"hash", block["hash"]}, {"header", block["header"]},
                          {"height", block["height"]}, {"transactions", block["transactions"].size()}})
            << "\n";
        progress.add();
        continue;
      }
      for (const auto& transaction : block["transactions"]) {
        if (format == Format::Csv) {
          out << csv_row({transaction["id"], transaction["height"], transaction["position"], transaction["tx"]["type"],
                          transaction["tx"]["signer"], transaction["result"]["code"]});
        } else {
          out << json_line(transaction) << "\n";
        }
        progress.add();
      }
    }
  }
}

int export_records(const ClientArguments& arguments) {
  if (arguments.words.empty()) throw UsageError("export needs what to export: blocks, transactions or settlements");
  const std::string& what = arguments.words[0];
  Format format = read_format(arguments, Format::JsonLines, {Format::JsonLines, Format::Csv});
  if (what == "settlements") {
    allow_list(arguments, 1, {}, {"from-height", "to-height"});
    Query query = filters_of(arguments, {"format", "out"});
    auto client = open_client(arguments);
    ExportOutput output(arguments.option("out"));
    Progress progress("settlements");
    if (format == Format::Csv) {
      output.stream() << all_csv(*client, "settlements", query, progress);
    } else {
      for_each_item(*client, "settlements", query, [&](const flex::Json& item) {
        output.stream() << json_line(item) << "\n";
        progress.add();
      });
    }
    output.finish();
    return 0;
  }
  if (what != "blocks" && what != "transactions") throw UsageError("export blocks, transactions or settlements, not '" + what + "'");
  allow_client(arguments, 1, {"format", "out", "from-height", "to-height"});
  auto client = open_client(arguments);
  ExportOutput output(arguments.option("out"));
  export_chain(*client, arguments, what == "blocks" ? Export::Blocks : Export::Transactions, format, output.stream());
  output.finish();
  return 0;
}

bool is_client_command(const std::string& command) {
  return command == "login" || command == "logout" || command == "status" || command == "get" || command == "submit" ||
         command == "export" || is_one_of(command, list_resources);
}

int client_command(const std::string& command, int argc, char** argv) {
  ClientArguments arguments = parse_client_arguments(argc, argv, 2);
  if (command == "login") return login(arguments);
  if (command == "logout") return logout(arguments);
  if (command == "status") return status(arguments);
  if (command == "get") return get(arguments);
  if (command == "submit") return submit(arguments);
  if (command == "export") return export_records(arguments);
  return list_resource(command, arguments);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << usage;
    return 2;
  }
  std::string command = argv[1];
  try {
    if (command == "user") return user(argc, argv);
    if (is_client_command(command)) return client_command(command, argc, argv);
    auto options = parse_options(argc, argv, 2);
    if (command == "keygen") return keygen(options);
    if (command == "devnet-init") return devnet_init(options);
    if (command == "pubkey") return pubkey(options);
    if (command == "sign") return sign(options);
    if (command == "verify") return verify(options);
    if (command == "digest") return digest(options);
    if (command == "check-digest") return check_digest(options);
    throw UsageError("unknown command '" + command + "'");
  } catch (const UsageError& error) {
    std::cerr << "flexctl: " << error.what() << "\n" << usage;
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "flexctl: " << error.what() << "\n";
    return 1;
  }
}
