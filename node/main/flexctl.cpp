// flexctl: the command-line tool.
//   flexctl keygen --out FILE                 writes a new key file (mode 0600)
//   flexctl pubkey --key FILE                 prints the public key of a key file
//   flexctl sign --key FILE --chain-id ID --type TYPE --nonce N --payload JSON
//                                             prints a signed canonical transaction
//   flexctl verify --data DIR                 re-verifies the chain in DIR from genesis, digests included
//   flexctl digest --data DIR --date YYYY-MM-DD --key FILE
//                                             prints the day's digest, signed, for anchoring elsewhere
//   flexctl check-digest --file FILE          checks a signed digest's signature
//   flexctl user add --data DIR --name NAME --participant HEX [--password-file FILE]
//   flexctl user list --data DIR
//   flexctl user remove --data DIR --name NAME
//   flexctl user passwd --data DIR --name NAME [--password-file FILE]
//                                             manage the API's user accounts in DIR/users.sqlite;
//                                             the password is the first line of FILE, or of stdin
// Exit status: 0 success, 1 verification or command failure (a rejection prints
// "flexctl: <code>: <message>"), 2 usage error.
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <map>
#include <string_view>

#include "api/user_store.hpp"
#include "ledger/hash.hpp"
#include "ledger/limits.hpp"
#include "ledger/schnorr.hpp"
#include "ledger/store.hpp"
#include "ledger/transaction.hpp"
#include "node/keyfile.hpp"
#include "node/verify_chain.hpp"

namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr const char* usage =
    "usage: flexctl keygen --out FILE\n"
    "       flexctl pubkey --key FILE\n"
    "       flexctl sign --key FILE --chain-id ID --type TYPE --nonce N --payload JSON\n"
    "       flexctl verify --data DIR\n"
    "       flexctl digest --data DIR --date YYYY-MM-DD --key FILE\n"
    "       flexctl check-digest --file FILE\n"
    "       flexctl user add --data DIR --name NAME --participant HEX [--password-file FILE]\n"
    "       flexctl user list --data DIR\n"
    "       flexctl user remove --data DIR --name NAME\n"
    "       flexctl user passwd --data DIR --name NAME [--password-file FILE]\n";

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

int pubkey(const std::map<std::string, std::string>& options) {
  std::cout << flex::to_hex(*flex::derive_public_key(flex::read_key_file(required(options, "key")))) << "\n";
  return 0;
}

int sign(const std::map<std::string, std::string>& options) {
  flex::SecretKey secret = flex::read_key_file(required(options, "key"));
  auto parsed = flex::parse_json_bounded(required(options, "payload"), flex::limits::max_transaction_bytes);
  flex::Json payload = parsed ? *parsed : flex::Json();
  if (!payload.is_object()) throw UsageError("--payload must be a JSON object");
  if (!flex::is_integer_only(payload)) throw UsageError("--payload must hold integers only");
  std::int64_t nonce = 0;
  const std::string& nonce_text = required(options, "nonce");
  auto [end, error] = std::from_chars(nonce_text.data(), nonce_text.data() + nonce_text.size(), nonce);
  if (error != std::errc() || end != nonce_text.data() + nonce_text.size() || nonce < 1 ||
      nonce > flex::limits::max_json_integer) {
    throw UsageError("--nonce must be an integer in [1, 2^53-1]");
  }
  auto transaction = flex::sign_transaction(required(options, "chain-id"), required(options, "type"), secret,
                                            nonce, payload, flex::random_bytes32());
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << usage;
    return 2;
  }
  std::string command = argv[1];
  try {
    if (command == "user") return user(argc, argv);
    auto options = parse_options(argc, argv, 2);
    if (command == "keygen") return keygen(options);
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
