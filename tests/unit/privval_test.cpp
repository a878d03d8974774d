// Double-sign protection (node/consensus/privval.hpp). The signing rule is the table in the
// header comment (after CometBFT's spec/consensus/signing.md): against a stored (H, R, S, D),
// a request (h, r, s, d) is signed when (h, r, s) > (H, R, S), answered with the stored
// signature when (h, r, s) == (H, R, S) and d == D, and refused otherwise. Expected outcomes
// below are written out by hand from that table, never computed by comparing tuples.
//
// Steps: 1 proposal, 2 prevote, 3 precommit. Every digest is the real one (vote_digest /
// proposal_digest of ledger/block.hpp) of the request's fields, so "a different digest" at
// one (h, r, s) means a different block (or nil) there.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "ledger/block.hpp"
#include "ledger/hash.hpp"
#include "ledger/store.hpp"
#include "node/consensus/privval.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::consensus;
using namespace flex::test;

namespace {

const std::string kChain = flex::test::chain_id;

SecretKey validator_key() { return key_for("privval-validator"); }
PublicKey validator_public_key() { return public_key_for("privval-validator"); }

// BIP-340 auxiliary randomness that differs on every call, so signing one digest twice would
// give two different signatures: a resend is then visible as "byte-identical, no call made".
struct AuxSource {
  std::int64_t calls = 0;
  std::function<Hash32()> function() {
    return [this] { return sha256("aux-" + std::to_string(++calls)); };
  }
};

// A block with a header and the given transactions; the header's hashes are labels, since
// privval never checks a block's validity.
std::shared_ptr<const Block> make_block(std::int64_t height, const std::string& label,
                                        std::vector<Transaction> transactions = {}) {
  Block block;
  block.header.chain_id = kChain;
  block.header.height = height;
  block.header.time = 1767225600 + height;  // genesis time of test_genesis, plus a second per height
  block.header.previous_hash = sha256(label + "/previous");
  block.header.app_hash = sha256(label + "/app");
  block.header.proposer = validator_public_key();
  block.header.validator_set_hash = sha256(label + "/validators");
  block.header.tx_root = transactions_root(transactions);
  block.transactions = std::move(transactions);
  return std::make_shared<const Block>(std::move(block));
}

// Operator mints 5.00 to Alice, Alice pays Bob 1.25 (block_check_test's admissible pair).
std::vector<Transaction> two_signed_transactions() {
  return {signed_tx("operator", "token.mint", 1, mint("alice", 5'000'000)),
          signed_tx("alice", "token.transfer", 1, transfer("bob", 1'250'000))};
}

Hash32 id_of(const std::shared_ptr<const Block>& block) { return block_hash(block->header); }

constexpr std::uint8_t kProposal = 1, kPrevote = 2, kPrecommit = 3;

// One signing request as the core would emit it (SignProposal or SignVote).
struct Ask {
  std::int64_t height = 0, round = 0;
  std::uint8_t step = kPrevote;
  std::shared_ptr<const Block> block;  // null: a nil vote
  Locks locks{};
  std::vector<std::shared_ptr<const Block>> lock_blocks{};
  std::int64_t valid_round = -1;  // proposals only
  std::vector<SignedProposal> lock_proposals{};
  std::vector<SignedVote> lock_votes{};
};

VoteType vote_type(std::uint8_t step) { return step == kPrevote ? VoteType::prevote : VoteType::precommit; }

std::optional<Hash32> block_id(const Ask& ask) {
  return ask.block ? std::optional<Hash32>(id_of(ask.block)) : std::nullopt;
}

Hash32 digest_of(const Ask& ask) {
  if (ask.step == kProposal) return proposal_digest(kChain, ask.height, ask.round, ask.valid_round, id_of(ask.block));
  return vote_digest(vote_type(ask.step), kChain, ask.height, ask.round, block_id(ask));
}

std::optional<Signature> ask_for(PrivValidator& signer, const Ask& ask) {
  if (ask.step == kProposal) {
    SignProposal request{ask.height, ask.round, ask.valid_round, id_of(ask.block), ask.block, ask.locks,
                         ask.lock_blocks, ask.lock_proposals, ask.lock_votes};
    return signer.sign_proposal(request, digest_of(ask));
  }
  SignVote request{vote_type(ask.step), ask.height, ask.round, block_id(ask), ask.locks, ask.lock_blocks,
                   ask.lock_proposals, ask.lock_votes};
  return signer.sign_vote(request, digest_of(ask));
}

// Hex, so a failure prints readable hashes.
std::vector<std::string> hashes_of(const std::vector<std::shared_ptr<const Block>>& blocks) {
  std::vector<std::string> hashes;
  for (const auto& block : blocks) hashes.push_back(to_hex(block_hash(block->header)));
  return hashes;
}

std::vector<std::string> transactions_of(const Block& block) {
  std::vector<std::string> canonical;
  for (const auto& transaction : block.transactions) canonical.push_back(transaction.canonical);
  return canonical;
}

// Blocks compared by header hash and by every transaction's canonical bytes.
void check_same_blocks(const std::vector<std::shared_ptr<const Block>>& actual,
                       const std::vector<std::shared_ptr<const Block>>& expected) {
  REQUIRE(hashes_of(actual) == hashes_of(expected));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(transactions_of(*actual[i]) == transactions_of(*expected[i]));
  }
}

enum class Outcome { sign, resend, refuse };

const char* outcome_name(Outcome outcome) {
  return outcome == Outcome::sign ? "sign" : outcome == Outcome::resend ? "resend" : "refuse";
}

// A request against the stored record (5, 2, S, block A), with the outcome for block A and
// for block B at the request's (h, r, s).
struct TableRow {
  std::int64_t height, round;
  std::uint8_t step;
  Outcome with_block_a, with_block_b;
};

// From the header's rule, row by row: lower height or round refuses whatever the step;
// at (5, 2) a lower step refuses, the same step resends only block A's digest, a higher step
// signs; a higher round or height signs from the lowest step.
std::vector<TableRow> table_for(std::uint8_t stored_step) {
  const Outcome S = Outcome::sign, E = Outcome::resend, R = Outcome::refuse;
  switch (stored_step) {
    case kProposal:
      return {{4, 2, 1, R, R}, {4, 7, 3, R, R}, {5, 1, 1, R, R}, {5, 1, 3, R, R}, {5, 2, 1, E, R},
              {5, 2, 2, S, S}, {5, 2, 3, S, S}, {5, 3, 1, S, S}, {6, 0, 1, S, S}};
    case kPrevote:
      return {{4, 2, 2, R, R}, {4, 7, 3, R, R}, {5, 1, 2, R, R}, {5, 1, 3, R, R}, {5, 2, 1, R, R},
              {5, 2, 2, E, R}, {5, 2, 3, S, S}, {5, 3, 1, S, S}, {6, 0, 1, S, S}};
    default:  // precommit
      return {{4, 2, 3, R, R}, {4, 7, 3, R, R}, {5, 1, 3, R, R}, {5, 1, 1, R, R}, {5, 2, 1, R, R},
              {5, 2, 2, R, R}, {5, 2, 3, E, R}, {5, 3, 1, S, S}, {6, 0, 1, S, S}};
  }
}

}  // namespace

TEST_CASE("privval: the signing rule table against a stored proposal, prevote and precommit at (5, 2)",
          "[privval]") {
  const auto block_a = make_block(5, "A");
  const auto block_b = make_block(5, "B");
  int rows_checked = 0;
  for (std::uint8_t stored_step : {kProposal, kPrevote, kPrecommit}) {
    for (const TableRow& row : table_for(stored_step)) {
      for (bool use_block_a : {true, false}) {
        const Outcome expected = use_block_a ? row.with_block_a : row.with_block_b;
        INFO("stored (5, 2, " << int(stored_step) << ", A), request (" << row.height << ", " << row.round << ", "
                              << int(row.step) << ", " << (use_block_a ? "A" : "B") << ") should "
                              << outcome_name(expected));
        MemoryPrivvalStore store;
        AuxSource aux;
        PrivValidator signer(validator_key(), store, kChain, aux.function());
        const Ask stored{5, 2, stored_step, block_a};
        const auto stored_signature = ask_for(signer, stored);
        REQUIRE(stored_signature);
        REQUIRE(aux.calls == 1);

        const Ask request{row.height, row.round, row.step, use_block_a ? block_a : block_b};
        const auto answer = ask_for(signer, request);
        switch (expected) {
          case Outcome::sign:
            REQUIRE(answer);
            CHECK(*answer != *stored_signature);
            CHECK(schnorr_verify(*answer, digest_of(request), validator_public_key()));
            CHECK(aux.calls == 2);  // a fresh BIP-340 signature
            CHECK(signer.refusals() == 0);
            CHECK(store.load()->height == row.height);
            CHECK(store.load()->round == row.round);
            CHECK(store.load()->step == row.step);
            CHECK(store.load()->signature == *answer);
            // The stored message is now below the record: asking for it again is refused.
            CHECK_FALSE(ask_for(signer, stored));
            CHECK(signer.refusals() == 1);
            break;
          case Outcome::resend:
            REQUIRE(answer);
            CHECK(*answer == *stored_signature);  // byte-identical
            CHECK(aux.calls == 1);                // and not signed again
            CHECK(signer.refusals() == 0);
            break;
          case Outcome::refuse:
            CHECK_FALSE(answer);
            CHECK(signer.refusals() == 1);
            CHECK(aux.calls == 1);
            // The record is unchanged: the stored message is still resent as it was.
            CHECK(store.load()->signature == *stored_signature);
            CHECK(ask_for(signer, stored) == stored_signature);
            CHECK(signer.refusals() == 1);
            break;
        }
        ++rows_checked;
      }
    }
  }
  CHECK(rows_checked == 3 * 9 * 2);
}

TEST_CASE("privval: nil and non-nil votes at one (h, r, s) conflict both ways", "[privval]") {
  const auto block_a = make_block(3, "A");
  MemoryPrivvalStore store;
  AuxSource aux;
  PrivValidator signer(validator_key(), store, kChain, aux.function());

  const Ask nil_prevote{3, 0, kPrevote, nullptr};
  const auto nil_signature = ask_for(signer, nil_prevote);
  REQUIRE(nil_signature);
  CHECK(schnorr_verify(*nil_signature, vote_digest(VoteType::prevote, kChain, 3, 0, std::nullopt),
                       validator_public_key()));
  CHECK(ask_for(signer, nil_prevote) == nil_signature);  // resent, not re-signed
  CHECK_FALSE(ask_for(signer, Ask{3, 0, kPrevote, block_a}));
  CHECK(signer.refusals() == 1);

  // And the other way round, one step later: a precommit for A, then nil.
  const Ask precommit_a{3, 0, kPrecommit, block_a};
  const auto precommit_signature = ask_for(signer, precommit_a);
  REQUIRE(precommit_signature);
  CHECK_FALSE(ask_for(signer, Ask{3, 0, kPrecommit, nullptr}));
  CHECK(signer.refusals() == 2);
  CHECK(aux.calls == 2);
}

TEST_CASE("privval: a first signature is always given, and the stored vote is the signed message", "[privval]") {
  const auto block_a = make_block(1, "A");
  MemoryPrivvalStore store;
  PrivValidator signer(validator_key(), store, kChain);
  CHECK(signer.public_key() == validator_public_key());
  CHECK_FALSE(signer.resume(0));

  const auto signature = ask_for(signer, Ask{1, 0, kPrecommit, block_a});
  REQUIRE(signature);
  CHECK(schnorr_verify(*signature, precommit_digest(kChain, 1, 0, id_of(block_a)), validator_public_key()));
  const auto record = store.load();
  REQUIRE(record);
  REQUIRE(record->vote);
  CHECK_FALSE(record->proposal);
  CHECK(*record->vote == SignedVote{VoteType::precommit, 1, 0, id_of(block_a), validator_public_key(), *signature});
  CHECK(record->digest == precommit_digest(kChain, 1, 0, id_of(block_a)));
}

TEST_CASE("privval: a validator rebuilt on the same memory store keeps refusing and resending", "[privval]") {
  const auto block_a = make_block(2, "A");
  const auto block_b = make_block(2, "B");
  MemoryPrivvalStore store;  // the simulator's world keeps it across a crash
  std::optional<Signature> first;
  {
    PrivValidator signer(validator_key(), store, kChain);
    first = ask_for(signer, Ask{2, 1, kPrevote, block_a});
    REQUIRE(first);
  }
  PrivValidator restarted(validator_key(), store, kChain);
  CHECK(ask_for(restarted, Ask{2, 1, kPrevote, block_a}) == first);
  CHECK_FALSE(ask_for(restarted, Ask{2, 1, kPrevote, block_b}));
  CHECK(restarted.refusals() == 1);
}

// ---- resume ----

TEST_CASE("privval: resume is nullopt with nothing signed, or when the last height is committed", "[privval]") {
  MemoryPrivvalStore store;
  PrivValidator signer(validator_key(), store, kChain);
  CHECK_FALSE(signer.resume(0));
  CHECK_FALSE(signer.resume(7));

  REQUIRE(ask_for(signer, Ask{5, 0, kPrevote, make_block(5, "A")}));
  CHECK_FALSE(signer.resume(5));  // height 5 committed: start 6 afresh
  CHECK_FALSE(signer.resume(9));
  CHECK(signer.resume(4));  // height 5 is the next one: resume inside it
}

TEST_CASE("privval: resume throws when the last signature is above committed + 1", "[privval]") {
  MemoryPrivvalStore store;
  PrivValidator signer(validator_key(), store, kChain);
  REQUIRE(ask_for(signer, Ask{5, 0, kPrevote, make_block(5, "A")}));
  CHECK_THROWS_AS(signer.resume(3), std::runtime_error);
  CHECK_THROWS_AS(signer.resume(0), std::runtime_error);
  CHECK_NOTHROW(signer.resume(4));
}

TEST_CASE("privval: resume at committed + 1 maps proposal, prevote and precommit to the core's steps",
          "[privval]") {
  const auto block_a = make_block(5, "A");
  MemoryPrivvalStore store;
  PrivValidator signer(validator_key(), store, kChain);

  const auto proposal_signature = ask_for(signer, Ask{5, 2, kProposal, block_a});
  REQUIRE(proposal_signature);
  auto resume = signer.resume(4);
  REQUIRE(resume);
  CHECK(resume->round == 2);
  CHECK(resume->step == Step::propose);
  CHECK_FALSE(resume->vote);
  REQUIRE(resume->proposal);
  CHECK(resume->proposal->height == 5);
  CHECK(resume->proposal->round == 2);
  CHECK(resume->proposal->valid_round == -1);
  CHECK(resume->proposal->block_id == id_of(block_a));
  CHECK(resume->proposal->signer == validator_public_key());
  CHECK(resume->proposal->signature == *proposal_signature);

  const auto prevote_signature = ask_for(signer, Ask{5, 2, kPrevote, block_a});
  REQUIRE(prevote_signature);
  resume = signer.resume(4);
  REQUIRE(resume);
  CHECK(resume->round == 2);
  CHECK(resume->step == Step::prevote);
  CHECK_FALSE(resume->proposal);
  REQUIRE(resume->vote);
  CHECK(*resume->vote ==
        SignedVote{VoteType::prevote, 5, 2, id_of(block_a), validator_public_key(), *prevote_signature});

  const auto precommit_signature = ask_for(signer, Ask{5, 3, kPrecommit, nullptr});
  REQUIRE(precommit_signature);
  resume = signer.resume(4);
  REQUIRE(resume);
  CHECK(resume->round == 3);
  CHECK(resume->step == Step::precommit);
  REQUIRE(resume->vote);
  CHECK(*resume->vote ==
        SignedVote{VoteType::precommit, 5, 3, std::nullopt, validator_public_key(), *precommit_signature});
}

// ---- SqlitePrivvalStore ----

TEST_CASE("privval: a prevote survives closing and reopening the SQLite store", "[privval]") {
  TempDir directory;
  const std::string path = directory.file("consensus.sqlite");
  const auto block_a = make_block(3, "A", two_signed_transactions());
  const auto block_b = make_block(3, "B");
  std::optional<Signature> first;
  {
    auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
    PrivValidator signer(validator_key(), *store, kChain);
    first = ask_for(signer, Ask{3, 1, kPrevote, block_a});
    REQUIRE(first);
  }  // validator and store destroyed: the process is gone

  auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
  AuxSource aux;
  PrivValidator restarted(validator_key(), *store, kChain, aux.function());
  CHECK_FALSE(ask_for(restarted, Ask{3, 1, kPrevote, block_b}));   // a conflicting prevote
  CHECK_FALSE(ask_for(restarted, Ask{3, 1, kPrevote, nullptr}));   // nil conflicts too
  CHECK(restarted.refusals() == 2);
  CHECK(ask_for(restarted, Ask{3, 1, kPrevote, block_a}) == first);  // the same one, resent
  CHECK(aux.calls == 0);
  // The record moves on from where it was: the precommit of that round is signed.
  CHECK(ask_for(restarted, Ask{3, 1, kPrecommit, block_a}));
  CHECK(aux.calls == 1);
}

TEST_CASE("privval: locks and two different lock blocks come back from load() and resume() exactly",
          "[privval]") {
  TempDir directory;
  const std::string path = directory.file("consensus.sqlite");
  const auto locked_block = make_block(4, "locked", two_signed_transactions());
  const auto valid_block = make_block(4, "valid");  // a header and no transactions
  const Locks locks{1, id_of(locked_block), 2, id_of(valid_block)};
  const std::vector<std::shared_ptr<const Block>> lock_blocks{locked_block, valid_block};  // as the core lists them
  std::optional<Signature> signature;
  {
    auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
    PrivValidator signer(validator_key(), *store, kChain);
    signature = ask_for(signer, Ask{4, 2, kPrevote, valid_block, locks, lock_blocks});
    REQUIRE(signature);
  }
  auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
  const auto record = store->load();
  REQUIRE(record);
  CHECK(record->height == 4);
  CHECK(record->round == 2);
  CHECK(record->step == kPrevote);
  CHECK(record->digest == vote_digest(VoteType::prevote, kChain, 4, 2, id_of(valid_block)));
  CHECK(record->signature == *signature);
  const SignedVote expected_vote{VoteType::prevote, 4, 2, id_of(valid_block), validator_public_key(), *signature};
  REQUIRE(record->vote);
  CHECK(*record->vote == expected_vote);
  CHECK_FALSE(record->proposal);
  CHECK(record->locks == locks);
  check_same_blocks(record->lock_blocks, lock_blocks);

  PrivValidator restarted(validator_key(), *store, kChain);
  const auto resume = restarted.resume(3);
  REQUIRE(resume);
  CHECK(resume->round == 2);
  CHECK(resume->step == Step::prevote);
  CHECK(resume->locks == locks);
  check_same_blocks(resume->blocks, lock_blocks);
  REQUIRE(resume->vote);
  CHECK(*resume->vote == expected_vote);
  CHECK_FALSE(resume->proposal);
}

TEST_CASE("privval: the lock's signed proposal comes back through resume() with its block bound", "[privval]") {
  // A lone validator that crashed after saving its precommit needs the round's proposal to
  // decide (tendermint_test "n = 1 restarted after its precommit").
  TempDir directory;
  const std::string path = directory.file("consensus.sqlite");
  const auto block = make_block(4, "locked", two_signed_transactions());
  const Locks locks{0, id_of(block), 0, id_of(block)};
  const SignedProposal proposal{4, 0, -1, id_of(block), block, validator_public_key(), Signature{}};
  {
    auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
    PrivValidator signer(validator_key(), *store, kChain);
    Ask precommit{4, 0, kPrecommit, block, locks, {block}};
    precommit.lock_proposals = {proposal};
    REQUIRE(ask_for(signer, precommit));
  }
  auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
  PrivValidator restarted(validator_key(), *store, kChain);
  const auto resume = restarted.resume(3);
  REQUIRE(resume);
  REQUIRE(resume->proposals.size() == 1);
  const SignedProposal& back = resume->proposals[0];
  CHECK(back.height == 4);
  CHECK(back.round == 0);
  CHECK(back.valid_round == -1);
  CHECK(back.block_id == id_of(block));
  CHECK(back.signer == validator_public_key());
  CHECK(back.signature == Signature{});
  REQUIRE(back.block);
  CHECK(block_hash(back.block->header) == id_of(block));
  CHECK(back.block->transactions.size() == 2);
}

// The core lists a block that is both locked and valid once (Tendermint::lock_blocks).
TEST_CASE("privval: a block both locked and valid comes back once, as the core gave it", "[privval]") {
  TempDir directory;
  const std::string path = directory.file("consensus.sqlite");
  const auto block_a = make_block(4, "A", two_signed_transactions());
  const Locks locks{1, id_of(block_a), 1, id_of(block_a)};
  const std::vector<std::shared_ptr<const Block>> lock_blocks{block_a};
  {
    auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
    PrivValidator signer(validator_key(), *store, kChain);
    REQUIRE(ask_for(signer, Ask{4, 1, kPrecommit, block_a, locks, lock_blocks}));
  }
  auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
  const auto record = store->load();
  REQUIRE(record);
  CHECK(record->locks == locks);
  check_same_blocks(record->lock_blocks, lock_blocks);
  PrivValidator restarted(validator_key(), *store, kChain);
  const auto resume = restarted.resume(3);
  REQUIRE(resume);
  check_same_blocks(resume->blocks, lock_blocks);
}

TEST_CASE("privval: an unlocked record has no lock blocks, and a lock released later drops its block",
          "[privval]") {
  TempDir directory;
  const std::string path = directory.file("consensus.sqlite");
  const auto block_a = make_block(6, "A", two_signed_transactions());
  {
    auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
    PrivValidator signer(validator_key(), *store, kChain);
    // Round 0: locked on A. Round 1 (after a proof-of-lock elsewhere): unlocked, nil prevote.
    REQUIRE(ask_for(signer, Ask{6, 0, kPrecommit, block_a, Locks{0, id_of(block_a), 0, id_of(block_a)}, {block_a}}));
    REQUIRE(ask_for(signer, Ask{6, 1, kPrevote, nullptr, Locks{}, {}}));
  }
  auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
  const auto record = store->load();
  REQUIRE(record);
  CHECK(record->round == 1);
  CHECK(record->locks == Locks{});
  CHECK(record->lock_blocks.empty());
  PrivValidator restarted(validator_key(), *store, kChain);
  const auto resume = restarted.resume(5);
  REQUIRE(resume);
  CHECK(resume->locks == Locks{});
  CHECK(resume->blocks.empty());
}

TEST_CASE("privval: a signed proposal with its block comes back through resume() after reopening", "[privval]") {
  TempDir directory;
  const std::string path = directory.file("consensus.sqlite");
  const auto block_a = make_block(8, "A", two_signed_transactions());
  const Locks locks{0, id_of(block_a), 0, id_of(block_a)};
  std::optional<Signature> signature;
  {
    auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
    PrivValidator signer(validator_key(), *store, kChain);
    // Round 1 re-proposes A with its proof-of-lock round 0 (line 15-16).
    Ask proposal{8, 1, kProposal, block_a, locks, {block_a}};
    proposal.valid_round = 0;
    signature = ask_for(signer, proposal);
    REQUIRE(signature);
    CHECK(schnorr_verify(*signature, proposal_digest(kChain, 8, 1, 0, id_of(block_a)), validator_public_key()));
  }
  auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
  PrivValidator restarted(validator_key(), *store, kChain);
  const auto resume = restarted.resume(7);
  REQUIRE(resume);
  CHECK(resume->round == 1);
  CHECK(resume->step == Step::propose);
  CHECK(resume->locks == locks);
  CHECK_FALSE(resume->vote);
  REQUIRE(resume->proposal);
  const SignedProposal& proposal = *resume->proposal;
  CHECK(proposal.height == 8);
  CHECK(proposal.round == 1);
  CHECK(proposal.valid_round == 0);
  CHECK(proposal.block_id == id_of(block_a));
  CHECK(proposal.signer == validator_public_key());
  CHECK(proposal.signature == *signature);
  REQUIRE(proposal.block);
  CHECK(block_hash(proposal.block->header) == id_of(block_a));
  CHECK(transactions_of(*proposal.block) == transactions_of(*block_a));
}

TEST_CASE("privval: the SQLite store refuses a file made for another chain id or validator key", "[privval]") {
  TempDir directory;
  const std::string path = directory.file("consensus.sqlite");
  { auto store = SqlitePrivvalStore::open(path, kChain, validator_public_key()); }

  CHECK_THROWS_AS(SqlitePrivvalStore::open(path, "other-chain", validator_public_key()), std::runtime_error);
  CHECK_THROWS_WITH(SqlitePrivvalStore::open(path, "other-chain", validator_public_key()),
                    Catch::Contains("chain_id") && Catch::Contains(kChain) && Catch::Contains("other-chain"));

  const PublicKey other_key = public_key_for("another-validator");
  CHECK_THROWS_AS(SqlitePrivvalStore::open(path, kChain, other_key), std::runtime_error);
  CHECK_THROWS_WITH(SqlitePrivvalStore::open(path, kChain, other_key),
                    Catch::Contains("validator") && Catch::Contains(to_hex(other_key)) &&
                        Catch::Contains(to_hex(validator_public_key())));

  // The refused opens released the file: the right chain and key still open it.
  CHECK_NOTHROW(SqlitePrivvalStore::open(path, kChain, validator_public_key()));
}

TEST_CASE("privval: a second open of an open SQLite store fails on its flock", "[privval]") {
  TempDir directory;
  const std::string path = directory.file("consensus.sqlite");
  auto first = SqlitePrivvalStore::open(path, kChain, validator_public_key());
  CHECK_THROWS_AS(SqlitePrivvalStore::open(path, kChain, validator_public_key()), StoreError);
  CHECK_THROWS_WITH(SqlitePrivvalStore::open(path, kChain, validator_public_key()), Catch::Contains("in use"));
  first.reset();
  CHECK_NOTHROW(SqlitePrivvalStore::open(path, kChain, validator_public_key()));
}

// ---- Crashes ----

namespace {

// Wraps the real store to crash inside save(): before the write reaches it (nothing durable)
// or after it returns (durable, but the signature never leaves the process).
class CrashingStore final : public PrivvalStore {
 public:
  enum class Crash { none, before_write, after_write };
  explicit CrashingStore(PrivvalStore& inner) : inner_(inner) {}
  std::optional<LastSigned> load() override { return inner_.load(); }
  void save(const LastSigned& record) override {
    const Crash crash = next_crash;
    next_crash = Crash::none;
    if (crash == Crash::before_write) throw std::runtime_error("crash before the write");
    inner_.save(record);
    if (crash == Crash::after_write) throw std::runtime_error("crash after the write");
  }
  Crash next_crash = Crash::none;

 private:
  PrivvalStore& inner_;
};

}  // namespace

TEST_CASE("privval: 2,000 random requests across reopens and crashes never sign two digests at one (h, r, s)",
          "[privval]") {
  constexpr std::uint64_t kSeed = 20260101;
  constexpr int kRequests = 2000;
  constexpr std::uint64_t kPositions = 5 * 4 * 3;  // (h, r, s) in lexicographic order
  INFO("seed " << kSeed);
  TempDir directory;
  const std::string path = directory.file("consensus.sqlite");
  // One of two blocks per request, so each (h, r, s) has exactly two possible digests.
  const auto block_a = make_block(1, "A");
  const auto block_b = make_block(1, "B", two_signed_transactions());
  // Raw engine output with modulo: std::uniform_int_distribution differs between libraries.
  std::mt19937_64 random(kSeed);
  auto draw = [&random](std::uint64_t bound) { return random() % bound; };

  std::unique_ptr<SqlitePrivvalStore> store;
  std::unique_ptr<CrashingStore> crashing;
  std::unique_ptr<PrivValidator> signer;
  AuxSource aux;
  auto start = [&] {
    signer.reset();
    crashing.reset();
    store.reset();
    store = SqlitePrivvalStore::open(path, kChain, validator_public_key());
    crashing = std::make_unique<CrashingStore>(*store);
    signer = std::make_unique<PrivValidator>(validator_key(), *crashing, kChain, aux.function());
  };
  start();

  // Every released signature, by (h, r, s) and digest.
  std::map<std::tuple<std::int64_t, std::int64_t, std::uint8_t>, std::map<Hash32, std::set<Signature>>> released;
  int signed_count = 0, resent_count = 0, refused_count = 0, crash_count = 0, reopen_count = 0;
  for (int i = 0; i < kRequests; ++i) {
    // Positions (h, r, s) of h 1..5, r 0..3, s 1..3, numbered 0..59 in lexicographic order.
    // A cursor walks them over the run: 70% of requests fall within two positions of it (at,
    // just below or just above the record), 30% anywhere at or below that window. Uniform
    // requests over all 60 would reach (5, 3, 3) within a few dozen and refuse the rest.
    const std::uint64_t cursor = static_cast<std::uint64_t>(i) * kPositions / kRequests;
    const std::uint64_t window_end = std::min<std::uint64_t>(kPositions, cursor + 3);
    const std::uint64_t near_cursor = std::max<std::uint64_t>(cursor + draw(5), 2) - 2;  // cursor - 2 .. cursor + 2
    const std::uint64_t position =
        draw(100) < 30 ? draw(window_end) : std::min<std::uint64_t>(kPositions - 1, near_cursor);
    Ask ask;
    ask.height = 1 + static_cast<std::int64_t>(position / 12);
    ask.round = static_cast<std::int64_t>(position / 3 % 4);
    ask.step = static_cast<std::uint8_t>(1 + position % 3);
    ask.block = draw(2) == 0 ? block_a : block_b;
    const std::uint64_t fate = draw(100);
    if (fate < 15) crashing->next_crash = CrashingStore::Crash::before_write;
    if (fate >= 15 && fate < 30) crashing->next_crash = CrashingStore::Crash::after_write;

    const auto calls_before = aux.calls;
    std::optional<Signature> answer;
    bool crashed = false;
    try {
      answer = ask_for(*signer, ask);
    } catch (const std::runtime_error&) {
      crashed = true;  // nothing was released
    }
    if (crashed) {
      ++crash_count;
      start();
      continue;
    }
    crashing->next_crash = CrashingStore::Crash::none;  // an unused crash does not carry over
    if (answer) {
      INFO("request " << i << ": (" << ask.height << ", " << ask.round << ", " << int(ask.step) << ")");
      REQUIRE(schnorr_verify(*answer, digest_of(ask), validator_public_key()));
      released[{ask.height, ask.round, ask.step}][digest_of(ask)].insert(*answer);
      if (aux.calls > calls_before) ++signed_count;
      else ++resent_count;
    } else {
      ++refused_count;
    }
    if (draw(100) < 5) {  // a clean stop and restart between requests
      ++reopen_count;
      start();
    }
  }

  for (const auto& [position, by_digest] : released) {
    INFO("height " << std::get<0>(position) << " round " << std::get<1>(position) << " step "
                   << int(std::get<2>(position)));
    CHECK(by_digest.size() == 1);                  // never two digests at one (h, r, s)
    CHECK(by_digest.begin()->second.size() == 1);  // and one signature per digest: resends are identical
  }
  // The run exercised every path (a run that only refused would prove nothing).
  INFO("signed " << signed_count << ", resent " << resent_count << ", refused " << refused_count << ", crashed "
                  << crash_count << ", reopened " << reopen_count);
  CHECK(signed_count >= 30);
  CHECK(resent_count >= 100);
  CHECK(refused_count >= 500);
  CHECK(crash_count >= 10);
  CHECK(reopen_count >= 20);
  CHECK(released.size() >= 30);  // positions with a released signature
  CHECK(signed_count + resent_count + refused_count + crash_count == kRequests);
}
