// The peer-to-peer frame and handshake codecs (node/p2p/frame.hpp, handshake.hpp).
#include "node/p2p/frame.hpp"
#include "node/p2p/handshake.hpp"
#include "test_support.hpp"

using namespace flex;
using namespace flex::p2p;
using flex::test::key_for;
using flex::test::public_key_for;

namespace {

std::string code_of(const Status& status) { return status ? "ok" : status.rejection().code; }

Hello hello_of(std::string_view who, std::uint8_t nonce_byte) {
  Hello hello;
  hello.chain_id = "flexledger-test";
  hello.genesis_hash.fill(0x11);
  hello.height = 7;
  hello.listen = "127.0.0.1:26601";
  hello.node_key = public_key_for(who);
  hello.nonce.fill(nonce_byte);
  hello.role = "validator";
  return hello;
}

}  // namespace

TEST_CASE("a frame is a big-endian length over type and payload", "[p2p]") {
  std::string frame = encode_frame(FrameType::vote, "abc");
  CHECK(frame == std::string("\x00\x00\x00\x04\x21" "abc", 8));
  CHECK(encode_frame(FrameType::ping, "") == std::string("\x00\x00\x00\x01\x03", 5));
}

TEST_CASE("the decoder splits a stream fed byte by byte into its frames", "[p2p]") {
  std::string stream = encode_frame(FrameType::hello, "{\"x\":1}") + encode_frame(FrameType::ping, "") +
                       encode_frame(FrameType::transactions, std::string(70000, 'x'));
  FrameDecoder decoder;
  for (char byte : stream) REQUIRE(decoder.feed(std::string_view(&byte, 1)));
  REQUIRE(decoder.ready().size() == 3);
  CHECK(decoder.ready()[0].type == FrameType::hello);
  CHECK(decoder.ready()[0].payload == "{\"x\":1}");
  CHECK(decoder.ready()[1].type == FrameType::ping);
  CHECK(decoder.ready()[1].payload.empty());
  CHECK(decoder.ready()[2].payload.size() == 70000);
  CHECK(decoder.buffered_bytes() == 0);
}

TEST_CASE("the decoder refuses empty, unknown and oversized frames from the prefix alone", "[p2p]") {
  FrameDecoder empty;
  CHECK(code_of(empty.feed(std::string("\x00\x00\x00\x00\x21", 5))) == "p2p.frame_empty");
  CHECK(code_of(empty.feed(encode_frame(FrameType::ping, ""))) == "p2p.frame_after_error");  // spent

  FrameDecoder unknown;
  CHECK(code_of(unknown.feed(std::string("\x00\x00\x00\x01\x7f", 5))) == "p2p.unknown_frame_type");

  // A vote may carry 4096 bytes: 4097 is refused before any payload arrives.
  FrameDecoder vote;
  CHECK(code_of(vote.feed(std::string("\x00\x00\x10\x02\x21", 5))) == "p2p.frame_too_large");
  FrameDecoder vote_at_cap;
  CHECK(code_of(vote_at_cap.feed(std::string("\x00\x00\x10\x01\x21", 5))) == "ok");
  // 16 MiB + 1 for a proposal, and a 1 MiB + 1 transaction batch.
  FrameDecoder proposal;
  CHECK(code_of(proposal.feed(std::string("\x01\x00\x00\x01\x20", 5))) == "p2p.frame_too_large");
  FrameDecoder transactions;
  CHECK(code_of(transactions.feed(std::string("\x00\x10\x00\x02\x10", 5))) == "p2p.frame_too_large");
  CHECK_THROWS_AS(encode_frame(FrameType::vote, std::string(4097, 'x')), std::length_error);
}

TEST_CASE("HELLO round-trips as canonical JSON and refuses anything else", "[p2p]") {
  Hello hello = hello_of("operator", 0x22);
  std::string text = encode_hello(hello);
  CHECK(text == "{\"chain_id\":\"flexledger-test\",\"genesis_hash\":\"" + std::string(64, '1') +
                    "\",\"height\":7,\"listen\":\"127.0.0.1:26601\",\"node_key\":\"" + to_hex(hello.node_key) +
                    "\",\"nonce\":\"" + std::string(64, '2') + "\",\"protocol\":1,\"role\":\"validator\"}");
  auto decoded = decode_hello(text);
  REQUIRE(decoded);
  CHECK(encode_hello(*decoded) == text);
  auto empty = decode_hello("{}");
  REQUIRE_FALSE(empty);
  CHECK(empty.rejection().code == "p2p.bad_hello");
  std::string spaced = text;
  spaced.insert(1, " ");
  CHECK_FALSE(decode_hello(spaced));
  Hello other_role = hello;
  other_role.role = "observer";
  CHECK_FALSE(decode_hello(encode_hello(other_role)));
}

TEST_CASE("check_hello refuses another protocol, chain, genesis, this node's key and strangers", "[p2p]") {
  Hello ours = hello_of("operator", 1);
  auto admitted = [](const PublicKey& key) { return key == public_key_for("alice") || key == public_key_for("operator"); };
  Hello theirs = hello_of("alice", 2);
  CHECK(code_of(check_hello(ours, theirs, admitted)) == "ok");
  Hello changed = theirs;
  changed.protocol = 2;
  CHECK(code_of(check_hello(ours, changed, admitted)) == "p2p.wrong_protocol");
  changed = theirs;
  changed.chain_id = "other";
  CHECK(code_of(check_hello(ours, changed, admitted)) == "p2p.wrong_chain");
  changed = theirs;
  changed.genesis_hash.fill(0x12);
  CHECK(code_of(check_hello(ours, changed, admitted)) == "p2p.wrong_genesis");
  CHECK(code_of(check_hello(ours, hello_of("operator", 3), admitted)) == "p2p.self");
  CHECK(code_of(check_hello(ours, hello_of("mallory", 4), admitted)) == "p2p.not_admitted");
}

TEST_CASE("an AUTH signature binds both keys, both nonces and the signer's side", "[p2p]") {
  Hello initiator = hello_of("operator", 1), responder = hello_of("alice", 2);
  Hash32 by_initiator = auth_digest(initiator, responder, true);
  // The bytes signed, written out by hand.
  std::string expected = "{\"chain_id\":\"flexledger-test\",\"genesis_hash\":\"" + std::string(64, '1') +
                         "\",\"initiator_key\":\"" + to_hex(initiator.node_key) + "\",\"initiator_nonce\":\"" +
                         to_hex(initiator.nonce) + "\",\"responder_key\":\"" + to_hex(responder.node_key) +
                         "\",\"responder_nonce\":\"" + to_hex(responder.nonce) + "\",\"signer\":\"initiator\"}";
  CHECK(by_initiator == tagged_hash("FlexLedger/p2p", expected));
  CHECK(auth_digest(initiator, responder, false) != by_initiator);  // no reflection
  Hello fresh = responder;
  fresh.nonce.fill(3);
  CHECK(auth_digest(initiator, fresh, true) != by_initiator);  // no replay on another connection

  auto signature = schnorr_sign(key_for("operator"), by_initiator, Hash32{});
  REQUIRE(signature);
  auto decoded = decode_auth(encode_auth(*signature));
  REQUIRE(decoded);
  CHECK(schnorr_verify(*decoded, by_initiator, initiator.node_key));
  CHECK_FALSE(decode_auth("{\"signature\":\"00\"}"));
  CHECK_FALSE(decode_auth("{\"signature\":\"" + std::string(128, '0') + "\",\"x\":1}"));
}
