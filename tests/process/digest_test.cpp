// The daily digest through the real tools (issue 4, "Daily digest"): a chain whose blocks
// cross midnight UTC records the first day's digest; flexctl verify re-checks it against
// the stored blocks, flexctl digest exports it signed, and flexctl check-digest verifies
// the signature and catches an altered copy.
#include <catch2/catch.hpp>

#include <fstream>

#include "child_process.hpp"
#include "contracts/genesis.hpp"
#include "ledger/hash.hpp"
#include "ledger/merkle.hpp"
#include "node/chain.hpp"
#include "node/keyfile.hpp"

using namespace flex;
using namespace flex::process_test;

namespace {

constexpr std::int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
constexpr const char* chain_id = "flexledger-digest-test";

SecretKey operator_key() { return SecretKey(sha256(std::string_view("digest-test operator"))); }

void make_block(Chain& chain, std::int64_t time) {
  PublicKey validator = *derive_public_key(operator_key());
  Proposal proposal = chain.propose(time, validator);
  Commit commit{proposal.block.header.height, 0, block_hash(proposal.block.header), {}};
  Hash32 digest = precommit_digest(chain_id, commit.height, 0, commit.block_hash);
  commit.signatures.push_back({validator, *schnorr_sign(operator_key(), digest, Hash32{})});
  chain.commit(proposal, commit);
}

}  // namespace

TEST_CASE("a day's digest is recorded at midnight, verified, exported signed and checked", "[process][digest]") {
  TemporaryDirectory directory;
  std::filesystem::create_directories(directory / "data");
  const PublicKey validator = *derive_public_key(operator_key());
  std::vector<Hash32> day_one_ids;
  {
    Genesis genesis;
    genesis.chain_id = chain_id;
    genesis.genesis_time = t0;
    genesis.validators.push_back(Validator{validator, 1, "validator"});
    genesis.participants.push_back(GenesisParticipant{validator, "Operator", {"operator"}});
    genesis.params = default_market_params();
    auto chain = Chain::open((directory / "data" / "ledger.sqlite").string(), genesis);
    for (std::int64_t nonce = 1; nonce <= 3; ++nonce) {
      Json mint{{"amount_micro", nonce * 1000}, {"fiat_reference", "wire-" + std::to_string(nonce)}, {"to", to_hex(validator)}};
      Transaction transaction = sign_transaction(chain_id, "token.mint", operator_key(), nonce, mint, Hash32{});
      REQUIRE(chain->submit(transaction.canonical).ok());
      day_one_ids.push_back(transaction.id);
      make_block(*chain, t0 + 60 * nonce);  // three blocks on 1 January
    }
    make_block(*chain, t0 + 86400 + 5);  // the first block of 2 January records the digest
  }
  write_key_file((directory / "operator.key").string(), operator_key());

  auto verified = run_to_completion({FLEXCTL_PATH, "verify", "--data", (directory / "data").string()}, directory.path(),
                                    std::chrono::seconds(30));
  INFO(verified.stdout_text << verified.stderr_text);
  CHECK(verified.status.exited_with(0));

  auto exported = run_to_completion({FLEXCTL_PATH, "digest", "--data", (directory / "data").string(), "--date",
                                     "2026-01-01", "--key", (directory / "operator.key").string()},
                                    directory.path(), std::chrono::seconds(30));
  INFO(exported.stdout_text << exported.stderr_text);
  REQUIRE(exported.status.exited_with(0));
  Json document = Json::parse(exported.stdout_text);
  std::vector<Hash32> leaf_hashes;
  for (const auto& id : day_one_ids) leaf_hashes.push_back(merkle_leaf_hash(id));
  CHECK(document["chain_id"] == chain_id);
  CHECK(document["signer"] == to_hex(validator));
  CHECK(document["digest"]["date"] == "2026-01-01");
  CHECK(document["digest"]["transactions"] == 3);
  CHECK(document["digest"]["first_height"] == 1);
  CHECK(document["digest"]["last_height"] == 3);
  CHECK(document["digest"]["tx_root"] == to_hex(merkle_root_of_leaf_hashes(leaf_hashes)));

  auto check = [&](const std::string& text) {
    std::ofstream((directory / "digest.json").string()) << text;
    return run_to_completion({FLEXCTL_PATH, "check-digest", "--file", (directory / "digest.json").string()},
                             directory.path(), std::chrono::seconds(30));
  };
  auto good = check(exported.stdout_text);
  CHECK(good.status.exited_with(0));
  CHECK(good.stdout_text.rfind("OK: digest of 2026-01-01", 0) == 0);
  document["digest"]["transactions"] = 4;  // an altered copy
  auto altered = check(document.dump());
  CHECK(altered.status.exited_with(1));
  CHECK(altered.stdout_text.rfind("FAILED", 0) == 0);

  auto missing = run_to_completion({FLEXCTL_PATH, "digest", "--data", (directory / "data").string(), "--date",
                                    "2026-01-02", "--key", (directory / "operator.key").string()},
                                   directory.path(), std::chrono::seconds(30));
  CHECK(missing.status.exited_with(1));
}
