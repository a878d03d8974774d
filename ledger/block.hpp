// Block header, commit and validator set.
//
// Header (canonical JSON; block hash = SHA-256 of these bytes):
//   {"app_hash":HEX64,"chain_id":S,"height":N,"previous_hash":HEX64,"proposer":HEX64,
//    "time":UTC_SECONDS,"tx_root":HEX64,"validator_set_hash":HEX64}
// Commit: precommit signatures of validators over the block hash, each a BIP-340
// signature of tagged_hash("FlexLedger/vote", canonical
//   {"block_hash":HEX64,"chain_id":S,"height":N,"round":R,"type":"precommit"}).
// A commit is valid when its distinct validators hold more than 2/3 of the voting power.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/canonical_json.hpp"
#include "ledger/result.hpp"
#include "ledger/schnorr.hpp"
#include "ledger/transaction.hpp"

namespace flex {

// Members of a JSON object, for the decoders of blocks, commits and consensus messages.
template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> hex_field(const Json& json, const char* name) {
  if (!json.contains(name) || !json[name].is_string()) return std::nullopt;
  return from_hex_fixed<N>(json[name].get_ref<const std::string&>());
}
inline bool integer_field(const Json& json, const char* name, std::int64_t& out) {
  if (!json.contains(name) || !json[name].is_number_integer()) return false;
  // nlohmann keeps integers above INT64_MAX as unsigned; they do not fit.
  if (json[name].is_number_unsigned() && json[name].get<std::uint64_t>() > std::uint64_t(INT64_MAX)) return false;
  out = json[name].get<std::int64_t>();
  return true;
}

struct BlockHeader {
  std::string chain_id;
  std::int64_t height = 0;
  std::int64_t time = 0;  // UTC seconds
  Hash32 previous_hash{};  // block hash of height-1; the genesis hash for height 1
  Hash32 tx_root{};        // RFC 6962 Merkle root over the transaction ids, in block order
  Hash32 app_hash{};       // state commitment after this block's transactions
  PublicKey proposer{};
  Hash32 validator_set_hash{};
};

Json header_to_json(const BlockHeader& header);
Result<BlockHeader> header_from_json(const Json& json);
Hash32 block_hash(const BlockHeader& header);

struct Validator {
  PublicKey public_key{};
  std::int64_t power = 1;
  std::string name;
};

// SHA-256 of the canonical JSON array [{"power":N,"public_key":HEX64}, ...] sorted by key.
Hash32 validator_set_hash(std::vector<Validator> validators);

struct CommitSignature {
  PublicKey validator{};
  Signature signature{};
};

struct Commit {
  std::int64_t height = 0;
  std::int64_t round = 0;
  Hash32 block_hash{};
  std::vector<CommitSignature> signatures;
};

Json commit_to_json(const Commit& commit);
Result<Commit> commit_from_json(const Json& json);

// What validators sign in consensus (PROTOCOL.md §7). A vote is
//   tagged_hash("FlexLedger/vote", canonical {"block_hash":HEX64|null,"chain_id","height","round",
//                                            "type":"prevote"|"precommit"})
// with null for a nil vote; a proposal is
//   tagged_hash("FlexLedger/proposal", canonical {"block_hash","chain_id","height","round",
//                                                "type":"proposal","valid_round"}).
enum class VoteType : std::uint8_t { prevote = 2, precommit = 3 };
std::string_view vote_type_name(VoteType type);
Hash32 vote_digest(VoteType type, const std::string& chain_id, std::int64_t height, std::int64_t round,
                   const std::optional<Hash32>& block_hash);
Hash32 proposal_digest(const std::string& chain_id, std::int64_t height, std::int64_t round,
                       std::int64_t valid_round, const Hash32& block_hash);
// A signed prevote or precommit: consensus sends it, and evidence of equivocation
// (contracts/evidence.hpp) records two of them.
struct SignedVote {
  VoteType type = VoteType::prevote;
  std::int64_t height = 0;
  std::int64_t round = 0;
  std::optional<Hash32> block;  // nullopt: a vote for nil
  PublicKey validator{};
  Signature signature{};

  Hash32 digest(const std::string& chain_id) const { return vote_digest(type, chain_id, height, round, block); }
  friend bool operator==(const SignedVote&, const SignedVote&) = default;
};

// vote_digest(VoteType::precommit, ...) for a non-nil block: the bytes a commit signs.
Hash32 precommit_digest(const std::string& chain_id, std::int64_t height, std::int64_t round,
                        const Hash32& block_hash);

// Checks height, block hash, distinct known signers, signatures, and the > 2/3 quorum.
// Codes: commit.height_mismatch, commit.hash_mismatch, commit.unknown_validator,
// commit.duplicate_validator, commit.bad_signature, commit.no_quorum.
Status verify_commit(const Commit& commit, const BlockHeader& header,
                     const std::vector<Validator>& validators);

Hash32 transactions_root(const std::vector<Transaction>& transactions);

struct Block {
  BlockHeader header;
  std::vector<Transaction> transactions;
};

}  // namespace flex
