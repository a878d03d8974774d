// The peer-to-peer payload codecs (node/p2p/wire.hpp) and PeerNetwork (node/p2p/peer_network.hpp)
// over real sockets on 127.0.0.1. Networks run on one io_context thread and are only touched
// there; a raw TCP client speaks the bytes of PROTOCOL.md §12 by hand. Every wait has a
// 10 s deadline, so a broken network fails a test instead of hanging it; no time is measured.
#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ledger/block.hpp"
#include "ledger/canonical_json.hpp"
#include "ledger/hash.hpp"
#include "ledger/limits.hpp"
#include "node/consensus/messages.hpp"
#include "node/p2p/frame.hpp"
#include "node/p2p/handshake.hpp"
#include "node/p2p/peer_network.hpp"
#include "node/p2p/wire.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::p2p;
using namespace std::chrono_literals;
using flex::test::key_for;
using flex::test::mint;
using flex::test::public_key_for;
using flex::test::signed_tx;
using flex::test::transfer;

namespace {

// ---- Wire helpers ----

template <class T>
std::string code_of(const Result<T>& result) {
  return result ? "ok" : result.rejection().code;
}

std::string u32be(std::uint32_t value) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xffu));
  return out;
}

template <std::size_t N>
std::array<std::uint8_t, N> filled(std::uint8_t byte) {
  std::array<std::uint8_t, N> bytes{};
  bytes.fill(byte);
  return bytes;
}

// Operator mints 5.00 to Alice, Alice pays Bob 1.25: two real signed envelopes.
std::vector<Transaction> two_signed_transactions() {
  return {signed_tx("operator", "token.mint", 1, mint("alice", 5'000'000)),
          signed_tx("alice", "token.transfer", 1, transfer("bob", 1'250'000))};
}

Block block_at(std::int64_t height, std::vector<Transaction> transactions) {
  Block block;
  block.header.chain_id = flex::test::chain_id;
  block.header.height = height;
  block.header.time = 1767225600 + height;
  block.header.previous_hash = sha256("previous-" + std::to_string(height));
  block.header.app_hash = sha256("app-" + std::to_string(height));
  block.header.proposer = public_key_for("operator");
  block.header.validator_set_hash = sha256("validators");
  block.header.tx_root = transactions_root(transactions);
  block.transactions = std::move(transactions);
  return block;
}

// Shape only: decode_blocks does not verify commit signatures (the driver does).
Commit commit_for(const Block& block) {
  Commit commit;
  commit.height = block.header.height;
  commit.round = 1;
  commit.block_hash = block_hash(block.header);
  commit.signatures.push_back(CommitSignature{public_key_for("operator"), filled<64>(0x5a)});
  return commit;
}

CommittedBlock committed_at(std::int64_t height, std::vector<Transaction> transactions = {}) {
  Block block = block_at(height, std::move(transactions));
  Commit commit = commit_for(block);
  return {std::move(block), std::move(commit)};
}

// One element of a BLOCKS payload, built from the header comment of wire.hpp.
Json blocks_item(const CommittedBlock& entry) {
  return Json{{"block", consensus::block_to_json(entry.first)}, {"commit", commit_to_json(entry.second)}};
}

std::string blocks_payload(const std::vector<CommittedBlock>& entries) {
  Json items = Json::array();
  for (const auto& entry : entries) items.push_back(blocks_item(entry));
  return to_canonical(Json{{"blocks", items}});
}

// A block whose one "transaction" is `bytes` letters: encode_blocks only copies the
// canonical strings, so an unsigned filler is enough to reach the frame cap.
CommittedBlock filler_block(std::int64_t height, std::size_t bytes) {
  Transaction filler;
  filler.canonical = std::string(bytes, 'x');
  Block block = block_at(height, {});
  block.transactions.push_back(std::move(filler));
  Commit commit = commit_for(block);
  return {std::move(block), std::move(commit)};
}

consensus::SignedVote sample_vote() {
  return consensus::SignedVote{VoteType::precommit, 7, 2, sha256("block"), public_key_for("operator"), filled<64>(0xcd)};
}

}  // namespace

// ---- TXS ----

TEST_CASE("TXS is a big-endian count, then each transaction after its big-endian length", "[p2p]") {
  const std::string expected("\x00\x00\x00\x02"  // two transactions
                             "\x00\x00\x00\x02" "ab"
                             "\x00\x00\x00\x01" "c",
                             4 + 4 + 2 + 4 + 1);
  CHECK(encode_transactions({"ab", "c"}) == expected);
  auto decoded = decode_transactions(expected);
  REQUIRE(decoded);
  CHECK(*decoded == std::vector<std::string>{"ab", "c"});
}

TEST_CASE("TXS carries signed transactions as their exact canonical bytes", "[p2p]") {
  const auto transactions = two_signed_transactions();
  const std::vector<std::string> canonical{transactions[0].canonical, transactions[1].canonical};
  const std::string payload = encode_transactions(canonical);
  CHECK(payload == u32be(2) + u32be(static_cast<std::uint32_t>(canonical[0].size())) + canonical[0] +
                       u32be(static_cast<std::uint32_t>(canonical[1].size())) + canonical[1]);
  auto decoded = decode_transactions(payload);
  REQUIRE(decoded);
  REQUIRE(*decoded == canonical);
  // The receiver's own decoder gets back the very transaction that was signed.
  auto first = decode_transaction((*decoded)[0]);
  REQUIRE(first);
  CHECK(first->id == transactions[0].id);
  CHECK(verify_transaction_signature(*first));
}

TEST_CASE("TXS accepts exactly 1 to 256 transactions of 1 byte to 64 KiB", "[p2p]") {
  auto batch = decode_transactions(encode_transactions(std::vector<std::string>(256, "x")));
  REQUIRE(batch);
  CHECK(batch->size() == 256);
  const std::string largest(limits::max_transaction_bytes, 'y');
  auto one = decode_transactions(u32be(1) + u32be(65536) + largest);
  REQUIRE(one);
  CHECK((*one)[0] == largest);
}

TEST_CASE("TXS refuses a bad count, a bad length and bytes out of place, all p2p.bad_payload", "[p2p]") {
  std::string count_257 = u32be(257);
  for (int i = 0; i < 257; ++i) count_257 += u32be(1) + "x";
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"shorter than its count", std::string("\x00\x00\x01", 3)},
      {"a count of 0", u32be(0)},
      {"a count of 257, each well formed", count_257},
      {"a count with nothing after it", u32be(1)},
      {"a length cut short", u32be(1) + std::string("\x00\x00", 2)},
      {"a transaction shorter than its length", u32be(1) + u32be(5) + "abc"},
      {"a second transaction missing", u32be(2) + u32be(1) + "a"},
      {"bytes after the last transaction", encode_transactions({"ab"}) + "z"},
      {"a zero-length transaction", u32be(1) + u32be(0)},
      {"a transaction of 64 KiB + 1", u32be(1) + u32be(65537) + std::string(65537, 'y')},
      {"a length near 2^32", u32be(1) + u32be(0xffffffffu) + "abc"},
  };
  for (const auto& [what, payload] : cases) {
    INFO(what);
    CHECK(code_of(decode_transactions(payload)) == "p2p.bad_payload");
  }
}

TEST_CASE("encode_transactions throws for an empty, a 257-transaction or a batch over 1 MiB", "[p2p]") {
  CHECK_THROWS_AS(encode_transactions({}), std::length_error);
  CHECK_THROWS_AS(encode_transactions(std::vector<std::string>(257, "x")), std::length_error);
  // 4 + 17 × (4 + 65536) = 1,114,184 bytes, over the 1,048,576 of a TXS frame; 15 fit.
  const std::string largest(limits::max_transaction_bytes, 'y');
  CHECK_THROWS_AS(encode_transactions(std::vector<std::string>(17, largest)), std::length_error);
  CHECK(encode_transactions(std::vector<std::string>(15, largest)).size() == 4 + 15 * (4 + 65536));
}

// ---- STATUS and GET_BLOCKS ----

TEST_CASE("STATUS is canonical {\"height\":N} with N >= 0", "[p2p]") {
  CHECK(encode_status(7) == "{\"height\":7}");
  CHECK(encode_status(0) == "{\"height\":0}");
  auto seven = decode_status("{\"height\":7}");
  REQUIRE(seven);
  CHECK(*seven == 7);
  auto zero = decode_status(encode_status(0));
  REQUIRE(zero);
  CHECK(*zero == 0);
  // 2^53 - 1, the largest canonical integer.
  auto largest = decode_status("{\"height\":9007199254740991}");
  REQUIRE(largest);
  CHECK(*largest == 9007199254740991);

  for (const char* payload : {"{\"height\":-1}", "{ \"height\":7}", "{\"height\":07}", "{\"height\":7.0}",
                              "{\"height\":\"7\"}", "{\"height\":7,\"round\":1}", "{}", "[7]", "7", "",
                              "{\"height\":9007199254740992}", "{\"Height\":7}"}) {
    INFO(payload);
    CHECK(code_of(decode_status(payload)) == "p2p.bad_payload");
  }
}

TEST_CASE("GET_BLOCKS is canonical {\"count\":1..16,\"from\":N>=1}", "[p2p]") {
  CHECK(encode_get_blocks({3, 16}) == "{\"count\":16,\"from\":3}");
  auto request = decode_get_blocks("{\"count\":16,\"from\":3}");
  REQUIRE(request);
  CHECK(request->from == 3);
  CHECK(request->count == 16);
  auto smallest = decode_get_blocks(encode_get_blocks({1, 1}));
  REQUIRE(smallest);
  CHECK(smallest->from == 1);
  CHECK(smallest->count == 1);

  for (const char* payload : {"{\"count\":0,\"from\":3}", "{\"count\":17,\"from\":3}", "{\"count\":16,\"from\":0}",
                              "{\"count\":-1,\"from\":3}", "{\"count\":4,\"from\":-3}", "{\"from\":3}",
                              "{\"count\":4}", "{\"count\":4,\"from\":3,\"to\":6}", "{\"from\":3,\"count\":4}",
                              "{\"count\":\"4\",\"from\":3}", "[4,3]"}) {
    INFO(payload);
    CHECK(code_of(decode_get_blocks(payload)) == "p2p.bad_payload");
  }
}

// ---- VOTE and PROPOSAL ----

TEST_CASE("VOTE carries the canonical vote JSON and refuses a bad one with p2p.bad_payload", "[p2p]") {
  const consensus::SignedVote vote = sample_vote();
  const std::string payload = encode_vote(vote);
  CHECK(payload == to_canonical(consensus::vote_to_json(vote)));
  auto decoded = decode_vote(payload);
  REQUIRE(decoded);
  CHECK(*decoded == vote);

  Json bad_type = consensus::vote_to_json(vote);
  bad_type["type"] = "commit";
  CHECK(code_of(decode_vote(to_canonical(bad_type))) == "p2p.bad_payload");
  Json proposal_type = consensus::vote_to_json(vote);
  proposal_type["type"] = "proposal";
  CHECK(code_of(decode_vote(to_canonical(proposal_type))) == "p2p.bad_payload");
  CHECK(code_of(decode_vote(" " + payload)) == "p2p.bad_payload");  // not canonical
  CHECK(code_of(decode_vote("[" + payload + "]")) == "p2p.bad_payload");
  CHECK(code_of(decode_vote("")) == "p2p.bad_payload");
}

TEST_CASE("PROPOSAL carries the proposal with its block and refuses a bad one with p2p.bad_payload", "[p2p]") {
  auto block = std::make_shared<const Block>(block_at(7, two_signed_transactions()));
  consensus::SignedProposal proposal;
  proposal.height = 7;
  proposal.round = 3;
  proposal.valid_round = -1;
  proposal.block_id = block_hash(block->header);
  proposal.block = block;
  proposal.signer = public_key_for("operator");
  proposal.signature = filled<64>(0x5a);

  const std::string payload = encode_proposal(proposal);
  CHECK(payload == to_canonical(consensus::proposal_to_json(proposal)));
  auto decoded = decode_proposal(payload);
  REQUIRE(decoded);
  CHECK(decoded->height == 7);
  CHECK(decoded->round == 3);
  CHECK(decoded->valid_round == -1);
  CHECK(decoded->block_id == proposal.block_id);
  CHECK(decoded->signer == proposal.signer);
  CHECK(decoded->signature == proposal.signature);
  REQUIRE(decoded->block);
  REQUIRE(decoded->block->transactions.size() == 2);
  CHECK(decoded->block->transactions[1].id == block->transactions[1].id);
  CHECK(encode_proposal(*decoded) == payload);

  Json other_hash = consensus::proposal_to_json(proposal);
  other_hash["block_hash"] = to_hex(sha256("another block"));
  CHECK(code_of(decode_proposal(to_canonical(other_hash))) == "p2p.bad_payload");
  Json no_block = consensus::proposal_to_json(proposal);
  no_block.erase("block");
  CHECK(code_of(decode_proposal(to_canonical(no_block))) == "p2p.bad_payload");
  CHECK(code_of(decode_proposal(payload + " ")) == "p2p.bad_payload");
  CHECK(code_of(decode_proposal("null")) == "p2p.bad_payload");
}

// ---- BLOCKS ----

TEST_CASE("BLOCKS carries committed blocks in height order and round-trips", "[p2p]") {
  const std::vector<CommittedBlock> blocks = {committed_at(5, two_signed_transactions()), committed_at(6)};
  auto [payload, count] = encode_blocks(blocks);
  CHECK(count == 2);
  CHECK(payload == blocks_payload(blocks));
  CHECK(payload.rfind("{\"blocks\":[{\"block\":{\"header\":", 0) == 0);

  auto decoded = decode_blocks(payload);
  REQUIRE(decoded);
  REQUIRE(decoded->size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("block " << i);
    const auto& [block, commit] = (*decoded)[i];
    CHECK(block_hash(block.header) == block_hash(blocks[i].first.header));
    CHECK(block.transactions.size() == blocks[i].first.transactions.size());
    CHECK(to_canonical(commit_to_json(commit)) == to_canonical(commit_to_json(blocks[i].second)));
  }
  CHECK((*decoded)[0].first.transactions[0].id == blocks[0].first.transactions[0].id);
  CHECK((*decoded)[1].first.header.height == 6);

  // The most a GET_BLOCKS asks for, 16 small blocks, fits one frame whole.
  std::vector<CommittedBlock> sixteen;
  for (std::int64_t height = 1; height <= 16; ++height) sixteen.push_back(committed_at(height));
  auto [sixteen_payload, sixteen_count] = encode_blocks(sixteen);
  CHECK(sixteen_count == 16);
  auto sixteen_decoded = decode_blocks(sixteen_payload);
  REQUIRE(sixteen_decoded);
  CHECK(sixteen_decoded->size() == 16);
  CHECK_THROWS_AS(encode_blocks({}), std::length_error);
}

TEST_CASE("BLOCKS refuses an empty list, 17 blocks, heights out of order and bad items with p2p.bad_payload",
          "[p2p]") {
  std::vector<CommittedBlock> seventeen;
  for (std::int64_t height = 1; height <= 17; ++height) seventeen.push_back(committed_at(height));
  Json extra_member = Json::parse(blocks_payload({committed_at(4)}));
  extra_member["blocks"][0]["proof"] = 1;
  Json no_commit = Json::parse(blocks_payload({committed_at(4)}));
  no_commit["blocks"][0].erase("commit");
  Json bad_block = Json::parse(blocks_payload({committed_at(4)}));
  bad_block["blocks"][0]["block"]["transactions"] = Json::array({"not a transaction"});
  Json bad_commit = Json::parse(blocks_payload({committed_at(4)}));
  bad_commit["blocks"][0]["commit"]["round"] = "one";
  Json two_members = Json::parse(blocks_payload({committed_at(4)}));
  two_members["next"] = 5;

  const std::vector<std::pair<const char*, std::string>> cases = {
      {"an empty list", "{\"blocks\":[]}"},
      {"17 blocks", blocks_payload(seventeen)},
      {"heights 5 then 7", blocks_payload({committed_at(5), committed_at(7)})},
      {"heights 6 then 5", blocks_payload({committed_at(6), committed_at(5)})},
      {"the same height twice", blocks_payload({committed_at(5), committed_at(5)})},
      {"an item with a third member", to_canonical(extra_member)},
      {"an item without its commit", to_canonical(no_commit)},
      {"a block with a bad transaction", to_canonical(bad_block)},
      {"a commit with a bad round", to_canonical(bad_commit)},
      {"a second top-level member", to_canonical(two_members)},
      {"blocks not a list", "{\"blocks\":{}}"},
      {"not canonical", " " + blocks_payload({committed_at(4)})},
      {"not an object", "[]"},
  };
  for (const auto& [what, payload] : cases) {
    INFO(what);
    CHECK(code_of(decode_blocks(payload)) == "p2p.bad_payload");
  }
}

TEST_CASE("encode_blocks keeps the first blocks that fit 16 MiB - 1 bytes and stops at the first that does not",
          "[p2p]") {
  const std::size_t cap = max_payload_bytes(FrameType::blocks);
  REQUIRE(cap == 16u * 1024 * 1024 - 1);
  // {"blocks":[ + first + , + second + ]}: 11 + 1 + 2 bytes around the two items.
  const CommittedBlock first = filler_block(1, 8'000'000);
  const std::size_t first_bytes = to_canonical(blocks_item(first)).size();
  const std::size_t second_overhead = to_canonical(blocks_item(filler_block(2, 0))).size();
  const std::size_t exact_fit = cap - 14 - first_bytes - second_overhead;
  REQUIRE(to_canonical(blocks_item(filler_block(2, exact_fit))).size() == second_overhead + exact_fit);

  auto [full, both] = encode_blocks({first, filler_block(2, exact_fit)});
  CHECK(both == 2);
  CHECK(full.size() == cap);

  // One byte more and the second block waits for the next frame, as does any block after it.
  auto [one_frame, only_first] = encode_blocks({first, filler_block(2, exact_fit + 1), committed_at(3)});
  CHECK(only_first == 1);
  CHECK(one_frame == "{\"blocks\":[" + to_canonical(blocks_item(first)) + "]}");

  // A single block over the cap cannot be sent at all.
  CHECK_THROWS_AS(encode_blocks({filler_block(1, cap)}), std::length_error);
}

// ---- PeerNetwork over loopback ----

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kDeadline = 10s;  // for sockets to connect and close; never a measured time
constexpr std::int64_t kNowSeconds = 1767225600;
constexpr const char* kListenText = "127.0.0.1:26656";  // what each test HELLO advertises

// Polls `condition` every 10 ms until it holds or the deadline passes.
template <class Condition>
bool eventually(Condition condition) {
  const auto until = Clock::now() + kDeadline;
  while (!condition()) {
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

Hello hello_for(std::string_view label, std::string role = "validator") {
  Hello hello;
  hello.chain_id = flex::test::chain_id;
  hello.genesis_hash = sha256("p2p-test-genesis");
  hello.height = 3;
  hello.listen = kListenText;
  hello.node_key = public_key_for(label);
  hello.role = std::move(role);
  return hello;
}

PeerNetworkOptions listening() {
  PeerNetworkOptions options;
  options.listen_host = "127.0.0.1";
  options.listen_port = 0;
  options.dial_backoff_min_ms = 100;
  options.dial_backoff_max_ms = 400;
  return options;
}

PeerNetworkOptions dialling(std::uint16_t port) {
  PeerNetworkOptions options;
  options.peers = {"127.0.0.1:" + std::to_string(port)};
  options.dial_backoff_min_ms = 100;
  options.dial_backoff_max_ms = 400;
  return options;
}

struct NodeSpec {
  NodeSpec(std::string label_, PeerNetworkOptions options_, std::string role_ = "validator",
           std::vector<std::string> admitted_ = {"operator", "alice", "bob"}, std::optional<Hello> hello_ = std::nullopt)
      : label(std::move(label_)),
        options(std::move(options_)),
        role(std::move(role_)),
        admitted(std::move(admitted_)),
        hello(std::move(hello_)) {}
  std::string label;
  PeerNetworkOptions options;
  std::string role;
  std::vector<std::string> admitted;  // labels of the keys it lets connect
  std::optional<Hello> hello;  // instead of hello_for(label, role), to send another chain or genesis
};

// A PeerNetwork and what it told its owner. Its methods run on the io thread only
// (Harness::on_io); the recorded events and peers()/counters() are read from any thread.
class Node {
 public:
  Node(asio::io_context& io, NodeSpec spec) {
    std::set<PublicKey> admitted;
    for (const auto& label : spec.admitted) admitted.insert(public_key_for(label));
    PeerNetwork::Events events;
    events.connected = [this](const PeerInfo& peer) {
      std::lock_guard lock(mutex_);
      connected_.push_back(peer);
    };
    events.disconnected = [this](PeerId peer) {
      std::lock_guard lock(mutex_);
      disconnected_.push_back(peer);
    };
    events.frame = [this](PeerId peer, Frame& frame) {
      std::lock_guard lock(mutex_);
      frames_.emplace_back(peer, frame);
    };
    Hello hello = spec.hello ? *spec.hello : hello_for(spec.label, spec.role);
    network = std::make_unique<PeerNetwork>(
        io, std::move(hello), key_for(spec.label),
        [admitted](const PublicKey& key) { return admitted.count(key) > 0; }, [] { return kNowSeconds; },
        std::move(spec.options), std::move(events));
  }

  std::vector<PeerInfo> connected() const {
    std::lock_guard lock(mutex_);
    return connected_;
  }
  std::vector<PeerId> disconnected() const {
    std::lock_guard lock(mutex_);
    return disconnected_;
  }
  std::vector<std::pair<PeerId, Frame>> frames() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  std::uint64_t refused() const { return network->counters().handshakes_refused; }

  std::unique_ptr<PeerNetwork> network;
  std::uint16_t port = 0;  // bound_port() after start

 private:
  mutable std::mutex mutex_;
  std::vector<PeerInfo> connected_;
  std::vector<PeerId> disconnected_;
  std::vector<std::pair<PeerId, Frame>> frames_;
};

// One io_context on its own thread, shared by every network of a test (PeerNetwork is
// single-threaded per io_context, so two on one thread is what a node would do too).
class Harness {
 public:
  Harness() : guard_(io_.get_executor()), thread_([this] { run(); }) {}
  ~Harness() { shutdown(); }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  // Runs `work` on the io thread and waits for it; its exception, if any, is rethrown here.
  template <class Work>
  auto on_io(Work work) -> decltype(work()) {
    using Value = decltype(work());
    auto task = std::make_shared<std::packaged_task<Value()>>(std::move(work));
    auto future = task->get_future();
    asio::post(io_, [task] { (*task)(); });
    REQUIRE(future.wait_for(kDeadline) == std::future_status::ready);
    return future.get();
  }

  Node& add(NodeSpec spec) {
    nodes_.push_back(std::make_unique<Node>(io_, std::move(spec)));
    return *nodes_.back();
  }

  Node& start(NodeSpec spec) {
    Node& node = add(std::move(spec));
    node.port = on_io([&node] {
      node.network->start();
      return node.network->bound_port();
    });
    return node;
  }

  // Stops every network on the io thread and lets the io_context run out of work, which it
  // does only if nothing is left armed. True when it did within the deadline.
  bool shutdown() {
    if (!thread_.joinable()) return drained_;
    asio::post(io_, [this] {
      for (auto& node : nodes_) node->network->stop();
    });
    guard_.reset();
    bool drained = eventually([this] { return drained_.load(); });
    if (!drained) io_.stop();
    thread_.join();
    return drained;
  }

 private:
  void run() {
    io_.run();
    drained_ = true;
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::vector<std::unique_ptr<Node>> nodes_;  // destroyed after the thread ends, before io_
  std::atomic<bool> drained_{false};
  std::thread thread_;
};

// Two ports free on 127.0.0.1 a moment ago, for networks that dial each other from the start.
std::pair<std::uint16_t, std::uint16_t> two_free_ports() {
  asio::io_context io;
  tcp::acceptor first(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::acceptor second(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return {first.local_endpoint().port(), second.local_endpoint().port()};
}

// A plain TCP client that speaks bytes, not PeerNetwork: each read runs on its own
// io_context under the deadline.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), connect_error_);
  }

  boost::system::error_code connect_error() const { return connect_error_; }
  std::size_t bytes_received() const { return bytes_received_; }

  // A server that already closed may refuse the bytes; what it sends back tells.
  void send(std::string_view bytes) {
    boost::system::error_code ignored;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ignored);
  }

  // The next frame, passing over any of type `skip`; nullopt when the connection closed,
  // the deadline passed or the server sent a bad frame.
  std::optional<Frame> next_frame(std::optional<FrameType> skip = std::nullopt) {
    const auto until = Clock::now() + kDeadline;
    for (;;) {
      auto& ready = decoder_.ready();
      while (!ready.empty()) {
        Frame frame = std::move(ready.front());
        ready.pop_front();
        if (!skip || frame.type != *skip) return frame;
      }
      if (closed_ || bad_frame_ || !read_some(until)) return std::nullopt;
    }
  }

  // True when the server closes the connection within the deadline.
  bool closed_by_server() {
    const auto until = Clock::now() + kDeadline;
    while (!closed_) {
      if (!read_some(until)) return false;
    }
    return true;
  }

 private:
  // One read; false when the deadline passed first.
  bool read_some(Clock::time_point until) {
    bool done = false;
    socket_.async_read_some(asio::buffer(buffer_), [&](const boost::system::error_code& error, std::size_t bytes) {
      done = true;
      if (error) {
        if (error != asio::error::operation_aborted) closed_ = true;  // eof or reset
        return;
      }
      bytes_received_ += bytes;
      if (!decoder_.feed(std::string_view(buffer_.data(), bytes))) bad_frame_ = true;
    });
    io_.restart();
    io_.run_until(until);
    if (done) return true;
    socket_.cancel();
    io_.restart();
    io_.run();
    return false;
  }

  asio::io_context io_;
  tcp::socket socket_;
  boost::system::error_code connect_error_;
  std::array<char, 64 * 1024> buffer_{};
  FrameDecoder decoder_;
  std::size_t bytes_received_ = 0;
  bool closed_ = false;
  bool bad_frame_ = false;
};

// The initiator's half of the handshake, done by hand from PROTOCOL.md §12. Returns the
// server's HELLO; REQUIREs that the server's AUTH verifies.
Hello handshake_by_hand(RawClient& client, std::string_view label, std::string role) {
  Hello ours = hello_for(label, std::move(role));
  ours.nonce = sha256("raw client nonce");
  client.send(encode_frame(FrameType::hello, encode_hello(ours)));
  auto hello_frame = client.next_frame();
  REQUIRE(hello_frame);
  REQUIRE(hello_frame->type == FrameType::hello);
  auto theirs = decode_hello(hello_frame->payload);
  REQUIRE(theirs);
  auto signature = schnorr_sign(key_for(label), auth_digest(ours, *theirs, true), Hash32{});
  REQUIRE(signature);
  client.send(encode_frame(FrameType::auth, encode_auth(*signature)));
  auto auth_frame = client.next_frame();
  REQUIRE(auth_frame);
  REQUIRE(auth_frame->type == FrameType::auth);
  auto their_signature = decode_auth(auth_frame->payload);
  REQUIRE(their_signature);
  REQUIRE(schnorr_verify(*their_signature, auth_digest(ours, *theirs, false), theirs->node_key));
  return *theirs;
}

// A HELLO frame from `label`, as the raw client sends it.
std::string hello_frame_of(std::string_view label, std::string role = "full") {
  Hello ours = hello_for(label, std::move(role));
  ours.nonce = sha256("raw client nonce");
  return encode_frame(FrameType::hello, encode_hello(ours));
}

}  // namespace

TEST_CASE("two admitted nodes connect over loopback, learn each other's key and role, and exchange frames", "[p2p]") {
  Harness harness;
  Node& a = harness.start({"operator", listening()});
  REQUIRE(a.port != 0);
  Node& b = harness.start({"alice", dialling(a.port), "full"});
  REQUIRE(eventually([&] { return a.connected().size() == 1 && b.connected().size() == 1; }));

  const PeerInfo b_on_a = a.connected()[0];
  CHECK(b_on_a.node_key == public_key_for("alice"));
  CHECK(b_on_a.role == "full");
  CHECK_FALSE(b_on_a.outbound);
  CHECK(b_on_a.listen == kListenText);
  CHECK(b_on_a.height == 3);
  CHECK(b_on_a.connected_at == kNowSeconds);
  CHECK(b_on_a.address.rfind("127.0.0.1:", 0) == 0);
  const PeerInfo a_on_b = b.connected()[0];
  CHECK(a_on_b.node_key == public_key_for("operator"));
  CHECK(a_on_b.role == "validator");
  CHECK(a_on_b.outbound);
  CHECK(a_on_b.address == "127.0.0.1:" + std::to_string(a.port));

  auto peers_of_a = a.network->peers();
  REQUIRE(peers_of_a.size() == 1);
  CHECK(peers_of_a[0].id == b_on_a.id);
  CHECK(peers_of_a[0].node_key == public_key_for("alice"));
  auto peers_of_b = b.network->peers();
  REQUIRE(peers_of_b.size() == 1);
  CHECK(peers_of_b[0].id == a_on_b.id);
  CHECK(peers_of_b[0].node_key == public_key_for("operator"));

  harness.on_io([&] { a.network->send(b_on_a.id, FrameType::status, encode_status(5)); });
  REQUIRE(eventually([&] { return b.frames().size() == 1; }));
  CHECK(b.frames()[0].first == a_on_b.id);
  CHECK(b.frames()[0].second.type == FrameType::status);
  CHECK(b.frames()[0].second.payload == "{\"height\":5}");

  harness.on_io([&] { b.network->broadcast(FrameType::get_blocks, encode_get_blocks({4, 2})); });
  REQUIRE(eventually([&] { return a.frames().size() == 1; }));
  CHECK(a.frames()[0].first == b_on_a.id);
  CHECK(a.frames()[0].second.type == FrameType::get_blocks);
  CHECK(a.frames()[0].second.payload == "{\"count\":2,\"from\":4}");

  // A TXS frame of two signed transactions arrives byte for byte.
  const auto transactions = two_signed_transactions();
  const std::string batch = encode_transactions({transactions[0].canonical, transactions[1].canonical});
  harness.on_io([&] { a.network->send(b_on_a.id, FrameType::transactions, batch); });
  REQUIRE(eventually([&] { return b.frames().size() == 2; }));
  CHECK(b.frames()[1].second.type == FrameType::transactions);
  CHECK(b.frames()[1].second.payload == batch);

  harness.on_io([&] { a.network->note_peer_height(b_on_a.id, 42); });
  CHECK(a.network->peers()[0].height == 42);
  CHECK(a.network->counters().bytes_in > 0);
  CHECK(a.network->counters().bytes_out > 0);
  CHECK(a.network->counters().handshakes_refused == 0);
  CHECK(a.disconnected().empty());
  CHECK(b.disconnected().empty());
  CHECK(harness.shutdown());
}

TEST_CASE("a broadcast reaches every peer but the one excepted", "[p2p]") {
  Harness harness;
  Node& a = harness.start({"operator", listening()});
  Node& b = harness.start({"alice", dialling(a.port), "full"});
  Node& c = harness.start({"bob", dialling(a.port), "full"});
  REQUIRE(eventually([&] { return a.connected().size() == 2 && b.connected().size() == 1 && c.connected().size() == 1; }));
  PeerId b_on_a = 0;
  for (const auto& peer : a.connected()) {
    if (peer.node_key == public_key_for("alice")) b_on_a = peer.id;
  }
  REQUIRE(b_on_a != 0);

  harness.on_io([&] { a.network->broadcast(FrameType::status, encode_status(8), b_on_a); });
  REQUIRE(eventually([&] { return c.frames().size() == 1; }));
  CHECK(c.frames()[0].second.payload == "{\"height\":8}");
  // Frames on one connection arrive in order: had the broadcast reached B, it would come first.
  harness.on_io([&] { a.network->send(b_on_a, FrameType::status, encode_status(9)); });
  REQUIRE(eventually([&] { return !b.frames().empty(); }));
  CHECK(b.frames()[0].second.payload == "{\"height\":9}");
}

TEST_CASE("a key that is not admitted never connects, whichever side dials", "[p2p]") {
  SECTION("the listener refuses a stranger that dials it") {
    Harness harness;
    Node& a = harness.start({"operator", listening()});
    Node& mallory = harness.start({"mallory", dialling(a.port), "full", {"operator"}});
    // The stranger redials after each refusal; two refusals show the rule holds on a redial too.
    REQUIRE(eventually([&] { return a.refused() >= 2; }));
    CHECK(a.connected().empty());
    CHECK(mallory.connected().empty());
    CHECK(a.network->peers().empty());
    CHECK(mallory.network->peers().empty());
  }
  SECTION("a dialler refuses a listener it does not admit") {
    Harness harness;
    Node& mallory = harness.start({"mallory", listening(), "full", {"operator"}});
    Node& a = harness.start({"operator", dialling(mallory.port)});
    REQUIRE(eventually([&] { return a.refused() >= 2; }));
    CHECK(a.connected().empty());
    CHECK(mallory.connected().empty());
  }
}

TEST_CASE("a peer on another chain or with another genesis is refused by both sides", "[p2p]") {
  Hello other = hello_for("alice", "full");
  SECTION("another chain_id") { other.chain_id = "flexledger-other"; }
  SECTION("another genesis_hash") { other.genesis_hash = sha256("another genesis"); }
  Harness harness;
  Node& a = harness.start({"operator", listening()});
  Node& b = harness.start({"alice", dialling(a.port), "full", {"operator", "alice", "bob"}, other});
  REQUIRE(eventually([&] { return a.refused() >= 2 && b.refused() >= 2; }));
  CHECK(a.connected().empty());
  CHECK(b.connected().empty());
}

TEST_CASE("a raw client that breaks the framing or the handshake is closed, and the server stays up", "[p2p]") {
  Harness harness;
  PeerNetworkOptions options = listening();
  options.handshake_timeout_ms = 60000;  // past the 10 s deadline: a close here is the bad bytes' doing
  Node& a = harness.start({"operator", options});
  Signature some_signature = filled<64>(0x11);

  SECTION("bad bytes before any handshake") {
    const std::vector<std::pair<const char*, std::string>> cases = {
        {"a frame of length 0", std::string("\x00\x00\x00\x00\x01", 5)},
        {"a HELLO prefix claiming 1 MiB, with no payload after it", std::string("\x00\x10\x00\x00\x01", 5)},
        {"a frame of unknown type 0x7f", std::string("\x00\x00\x00\x01\x7f", 5)},
        {"AUTH before HELLO", encode_frame(FrameType::auth, encode_auth(some_signature))},
        {"STATUS before HELLO", encode_frame(FrameType::status, encode_status(1))},
        {"a HELLO that is not JSON", encode_frame(FrameType::hello, "hello")},
    };
    for (const auto& [what, bytes] : cases) {
      INFO(what);
      RawClient client(a.port);
      REQUIRE_FALSE(client.connect_error());
      client.send(bytes);
      CHECK(client.closed_by_server());
    }
    CHECK(a.refused() == 1);  // only the bad HELLO is a refused handshake; the rest are bad frames
  }

  SECTION("a valid HELLO followed by something other than a valid AUTH") {
    const std::vector<std::pair<const char*, std::string>> cases = {
        {"STATUS instead of AUTH", encode_frame(FrameType::status, encode_status(1))},
        {"a second HELLO", hello_frame_of("bob")},
        {"an AUTH that is not {signature}", encode_frame(FrameType::auth, "{}")},
        {"an AUTH by another key", encode_frame(FrameType::auth, encode_auth(some_signature))},
    };
    for (const auto& [what, bytes] : cases) {
      INFO(what);
      RawClient client(a.port);
      client.send(hello_frame_of("bob"));
      auto server_hello = client.next_frame();
      REQUIRE(server_hello);
      REQUIRE(server_hello->type == FrameType::hello);
      client.send(bytes);
      CHECK(client.closed_by_server());
    }
    CHECK(a.refused() == 2);  // the two bad AUTHs
  }

  SECTION("an AUTH reflected: signed as the responder, not the initiator") {
    RawClient client(a.port);
    Hello ours = hello_for("bob", "full");
    ours.nonce = sha256("raw client nonce");
    client.send(encode_frame(FrameType::hello, encode_hello(ours)));
    auto server_hello = client.next_frame();
    REQUIRE(server_hello);
    auto theirs = decode_hello(server_hello->payload);
    REQUIRE(theirs);
    auto wrong_side = schnorr_sign(key_for("bob"), auth_digest(ours, *theirs, false), Hash32{});
    REQUIRE(wrong_side);
    client.send(encode_frame(FrameType::auth, encode_auth(*wrong_side)));
    CHECK(client.closed_by_server());
    CHECK(a.refused() == 1);
  }

  CHECK(a.connected().empty());
  // The server still accepts a proper peer.
  Node& b = harness.start({"alice", dialling(a.port), "full"});
  REQUIRE(eventually([&] { return a.connected().size() == 1 && b.connected().size() == 1; }));
  CHECK(a.connected()[0].node_key == public_key_for("alice"));
}

TEST_CASE("a raw client that completes the handshake by hand is a peer: pinged, answered, and dropped when idle",
          "[p2p]") {
  Harness harness;
  PeerNetworkOptions options = listening();
  options.ping_interval_ms = 100;
  options.idle_timeout_ms = 1500;  // long enough for the steps before the silence, even under ASan
  Node& a = harness.start({"operator", options});

  RawClient client(a.port);
  const Hello server = handshake_by_hand(client, "bob", "full");
  CHECK(server.node_key == public_key_for("operator"));
  CHECK(server.chain_id == flex::test::chain_id);
  CHECK(server.role == "validator");
  REQUIRE(eventually([&] { return a.connected().size() == 1; }));
  const PeerInfo bob = a.connected()[0];
  CHECK(bob.node_key == public_key_for("bob"));
  CHECK(bob.role == "full");
  CHECK_FALSE(bob.outbound);

  // The server pings an authenticated peer, and answers a PING with an empty PONG.
  auto ping = client.next_frame();
  REQUIRE(ping);
  CHECK(ping->type == FrameType::ping);
  CHECK(ping->payload.empty());
  client.send(encode_frame(FrameType::ping, ""));
  auto pong = client.next_frame(FrameType::ping);
  REQUIRE(pong);
  CHECK(pong->type == FrameType::pong);
  CHECK(pong->payload.empty());

  // Other frames reach the owner; keep-alive frames do not.
  client.send(encode_frame(FrameType::status, encode_status(11)));
  REQUIRE(eventually([&] { return a.frames().size() == 1; }));
  CHECK(a.frames()[0].first == bob.id);
  CHECK(a.frames()[0].second.type == FrameType::status);
  CHECK(a.frames()[0].second.payload == "{\"height\":11}");

  SECTION("a HELLO after the handshake closes the connection") {
    client.send(hello_frame_of("bob"));
    CHECK(client.closed_by_server());
  }
  SECTION("a peer that sends nothing is closed after the idle timeout, pings or not") {
    CHECK(client.closed_by_server());
  }
  REQUIRE(eventually([&] { return a.disconnected().size() == 1; }));
  CHECK(a.disconnected()[0] == bob.id);
  CHECK(a.network->peers().empty());
  CHECK(a.frames().size() == 1);
  CHECK(a.network->counters().peers_dropped == 1);
}

TEST_CASE("a connection that sends nothing is closed after the handshake timeout", "[p2p]") {
  Harness harness;
  PeerNetworkOptions options = listening();
  options.handshake_timeout_ms = 300;
  Node& a = harness.start({"operator", options});

  RawClient first(a.port), second(a.port);
  // The server speaks first: its HELLO, with a fresh nonce on each connection.
  auto hello_to_first = first.next_frame();
  auto hello_to_second = second.next_frame();
  REQUIRE(hello_to_first);
  REQUIRE(hello_to_second);
  REQUIRE(hello_to_first->type == FrameType::hello);
  auto hello = decode_hello(hello_to_first->payload);
  REQUIRE(hello);
  CHECK(hello->protocol == 1);
  CHECK(hello->chain_id == flex::test::chain_id);
  CHECK(hello->genesis_hash == sha256("p2p-test-genesis"));
  CHECK(hello->height == 3);
  CHECK(hello->listen == kListenText);
  CHECK(hello->node_key == public_key_for("operator"));
  CHECK(hello->role == "validator");
  auto other_hello = decode_hello(hello_to_second->payload);
  REQUIRE(other_hello);
  CHECK(other_hello->nonce != hello->nonce);

  CHECK(first.closed_by_server());
  CHECK(second.closed_by_server());
  CHECK(a.connected().empty());
}

TEST_CASE("a listener at max_peers closes a new connection before its HELLO", "[p2p]") {
  Harness harness;
  PeerNetworkOptions options = listening();
  options.max_peers = 1;
  Node& a = harness.start({"operator", options});
  RawClient first(a.port);
  REQUIRE(first.next_frame());  // adopted: the server sent its HELLO
  RawClient second(a.port);
  CHECK(second.closed_by_server());
  CHECK(second.bytes_received() == 0);
  CHECK(a.refused() == 1);
}

TEST_CASE("a peer whose send queue would pass max_queued_bytes is dropped", "[p2p]") {
  Harness harness;
  PeerNetworkOptions options = listening();
  options.max_queued_bytes = 1024;
  Node& a = harness.start({"operator", options});
  Node& b = harness.start({"alice", dialling(a.port), "full"});
  REQUIRE(eventually([&] { return a.connected().size() == 1 && b.connected().size() == 1; }));
  const PeerId b_on_a = a.connected()[0].id;
  // Two frames of 1,005 bytes queued in one turn of the loop: 2,010 bytes, over 1,024.
  harness.on_io([&] {
    a.network->send(b_on_a, FrameType::status, std::string(1000, ' '));
    a.network->send(b_on_a, FrameType::status, std::string(1000, ' '));
  });
  REQUIRE(eventually([&] { return a.disconnected().size() == 1 && !b.disconnected().empty(); }));
  CHECK(a.disconnected()[0] == b_on_a);
  CHECK(a.network->counters().peers_dropped == 1);
}

TEST_CASE("start throws when the listen address is taken or is not an address", "[p2p]") {
  Harness harness;
  Node& a = harness.start({"operator", listening()});
  PeerNetworkOptions same_port = listening();
  same_port.listen_port = a.port;
  Node& b = harness.add({"alice", same_port});
  CHECK_THROWS_AS(harness.on_io([&] { b.network->start(); }), std::runtime_error);
  PeerNetworkOptions not_an_address = listening();
  not_an_address.listen_host = "not-an-address";
  Node& c = harness.add({"bob", not_an_address});
  CHECK_THROWS_AS(harness.on_io([&] { c.network->start(); }), std::runtime_error);
}

TEST_CASE("two nodes that dial each other at once keep one connection, the lower key's, without churn", "[p2p]") {
  const auto [port_a, port_b] = two_free_ports();
  Harness harness;
  PeerNetworkOptions options_a = listening(), options_b = listening();
  options_a.listen_port = port_a;
  options_a.peers = {"127.0.0.1:" + std::to_string(port_b)};
  options_b.listen_port = port_b;
  options_b.peers = {"127.0.0.1:" + std::to_string(port_a)};
  Node& a = harness.add({"operator", options_a});
  Node& b = harness.add({"alice", options_b, "full"});
  harness.on_io([&] {
    a.network->start();
    b.network->start();
  });

  // Settled: one peer each, on the connection the lower key opened (PROTOCOL.md §12: both
  // ends close the one whose initiator has the higher key). Nothing displaces it after that.
  const bool a_is_lower = public_key_for("operator") < public_key_for("alice");
  auto settled = [&] {
    auto on_a = a.network->peers(), on_b = b.network->peers();
    return on_a.size() == 1 && on_b.size() == 1 && on_a[0].outbound == a_is_lower && on_b[0].outbound == !a_is_lower;
  };
  REQUIRE(eventually(settled));
  const PeerId kept_on_a = a.network->peers()[0].id, kept_on_b = b.network->peers()[0].id;
  CHECK(a.network->peers()[0].node_key == public_key_for("alice"));
  CHECK(b.network->peers()[0].node_key == public_key_for("operator"));
  // Both ends kept the same connection: a frame sent on A's arrives on B's.
  harness.on_io([&] { a.network->send(kept_on_a, FrameType::status, encode_status(4)); });
  REQUIRE(eventually([&] { return !b.frames().empty(); }));
  CHECK(b.frames()[0].first == kept_on_b);
  CHECK(b.frames()[0].second.payload == "{\"height\":4}");
  const std::size_t connects_a = a.connected().size(), connects_b = b.connected().size();

  // No churn: still that one connection after its diallers had time to retry (backoff 100 ms).
  std::this_thread::sleep_for(1500ms);
  auto on_a = a.network->peers(), on_b = b.network->peers();
  REQUIRE(on_a.size() == 1);
  REQUIRE(on_b.size() == 1);
  CHECK(on_a[0].id == kept_on_a);
  CHECK(on_b[0].id == kept_on_b);
  CHECK(a.connected().size() == connects_a);
  CHECK(b.connected().size() == connects_b);
  CHECK(harness.shutdown());
}

// A second connection that loses the duplicate rule was never announced through `connected`,
// so closing it must not be reported through `disconnected` nor counted in peers_dropped.
TEST_CASE("a second connection that loses the duplicate rule is not reported as a disconnected peer",
          "[p2p]") {
  const bool operator_is_lower = public_key_for("operator") < public_key_for("alice");
  const std::string lower = operator_is_lower ? "operator" : "alice";
  const std::string higher = operator_is_lower ? "alice" : "operator";
  Harness harness;
  Node& high = harness.start({higher, listening()});
  PeerNetworkOptions low_options = listening();
  low_options.peers = {"127.0.0.1:" + std::to_string(high.port)};
  Node& low = harness.start({lower, low_options});
  REQUIRE(eventually([&] { return low.connected().size() == 1 && high.connected().size() == 1; }));
  const PeerId kept_on_low = low.connected()[0].id;

  // A second network with the higher key dials `low`: its connection's initiator is the
  // higher key, so `low` keeps the first one and closes this one. It dials once only.
  PeerNetworkOptions second_options = dialling(low.port);
  second_options.dial_backoff_min_ms = second_options.dial_backoff_max_ms = 600000;
  Node& second = harness.start({higher, second_options});
  // `low` decides (and reports) before the second network sees the connection close.
  REQUIRE(eventually([&] { return !second.disconnected().empty(); }));

  REQUIRE(low.network->peers().size() == 1);
  CHECK(low.network->peers()[0].id == kept_on_low);
  CHECK(low.connected().size() == 1);
  // Every peer reported gone had been reported connected.
  CHECK(low.disconnected().empty());
  CHECK(low.network->counters().peers_dropped == 0);
}

TEST_CASE("a peer the owner disconnects dials back", "[p2p]") {
  Harness harness;
  Node& a = harness.start({"operator", listening()});
  Node& b = harness.start({"alice", dialling(a.port), "full"});
  REQUIRE(eventually([&] { return a.connected().size() == 1 && b.connected().size() == 1; }));
  const PeerId first_b_on_a = a.connected()[0].id;

  harness.on_io([&] { a.network->disconnect(first_b_on_a, "test.kick", "the owner drops the peer"); });
  REQUIRE(eventually([&] { return a.connected().size() == 2 && b.connected().size() == 2; }));
  REQUIRE(a.disconnected().size() == 1);
  CHECK(a.disconnected()[0] == first_b_on_a);
  CHECK(b.disconnected().size() == 1);
  CHECK(a.connected()[1].id != first_b_on_a);
  CHECK(a.connected()[1].node_key == public_key_for("alice"));
  REQUIRE(eventually([&] { return a.network->peers().size() == 1 && b.network->peers().size() == 1; }));
  CHECK(a.network->peers()[0].id == a.connected()[1].id);
}

TEST_CASE("a dialler reconnects when the peer restarts on the same port", "[p2p]") {
  Harness harness;
  Node& a = harness.start({"operator", listening()});
  Node& b = harness.start({"alice", dialling(a.port), "full"});
  REQUIRE(eventually([&] { return a.connected().size() == 1 && b.connected().size() == 1; }));

  harness.on_io([&] { a.network->stop(); });
  REQUIRE(eventually([&] { return b.disconnected().size() == 1; }));
  CHECK(b.network->peers().empty());

  PeerNetworkOptions same_port = listening();
  same_port.listen_port = a.port;
  Node& restarted = harness.start({"operator", same_port});
  CHECK(restarted.port == a.port);
  REQUIRE(eventually([&] { return restarted.connected().size() == 1 && b.connected().size() == 2; }));
  CHECK(restarted.connected()[0].node_key == public_key_for("alice"));
  CHECK(b.connected()[1].node_key == public_key_for("operator"));
  REQUIRE(b.network->peers().size() == 1);
  CHECK(b.network->peers()[0].id == b.connected()[1].id);
  CHECK(harness.shutdown());
}

TEST_CASE("stop closes every connection and the listener, stops dialling, and is idempotent", "[p2p]") {
  Harness harness;
  Node& a = harness.start({"operator", listening()});
  Node& b = harness.start({"alice", dialling(a.port), "full"});
  Node& c = harness.start({"bob", dialling(a.port), "full"});
  REQUIRE(eventually([&] { return a.connected().size() == 2 && b.connected().size() == 1 && c.connected().size() == 1; }));

  harness.on_io([&] { a.network->stop(); });
  CHECK(a.network->peers().empty());
  REQUIRE(eventually([&] { return b.disconnected().size() == 1 && c.disconnected().size() == 1; }));
  CHECK(a.disconnected().empty());  // the owner is stopping too: no events for its own stop
  const NetworkCounters after_stop = a.network->counters();

  harness.on_io([&] { a.network->stop(); });  // a second stop does nothing
  CHECK(a.network->peers().empty());
  CHECK(a.network->counters().peers_dropped == after_stop.peers_dropped);
  CHECK(a.disconnected().empty());
  // Nothing listens on the port any more.
  RawClient late(a.port);
  CHECK(late.connect_error());

  // With every network stopped, nothing is left armed: the io_context runs out of work.
  CHECK(harness.shutdown());
  CHECK(b.network->peers().empty());
  CHECK(c.network->peers().empty());
}
