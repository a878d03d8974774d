// The peer handshake (PROTOCOL.md §12), after CometBFT's authenticated peers: both sides
// send HELLO with a fresh nonce, check the other's, then each signs AUTH over both keys,
// both nonces and its own side, so an AUTH can be neither replayed on another connection
// nor reflected back to its sender. Only genesis validators and admitted participants
// connect. Pure: no sockets here.
#pragma once

#include <functional>
#include <string>

#include "ledger/result.hpp"
#include "ledger/schnorr.hpp"

namespace flex::p2p {

inline constexpr std::int64_t kProtocolVersion = 1;

struct Hello {
  std::int64_t protocol = kProtocolVersion;
  std::string chain_id;
  Hash32 genesis_hash{};
  std::int64_t height = 0;  // the sender's committed height
  std::string listen;       // host:port where the sender accepts peers, or empty
  PublicKey node_key{};
  Hash32 nonce{};
  std::string role;  // "validator" or "full"
};

// Canonical JSON {"chain_id","genesis_hash","height","listen","node_key","nonce","protocol","role"}.
std::string encode_hello(const Hello& hello);
// Code p2p.bad_hello.
Result<Hello> decode_hello(std::string_view payload);

// Checks a peer's HELLO against this node's. Codes: p2p.wrong_protocol, p2p.wrong_chain,
// p2p.wrong_genesis, p2p.self, p2p.not_admitted (`admitted` says which keys may connect).
Status check_hello(const Hello& ours, const Hello& theirs, const std::function<bool(const PublicKey&)>& admitted);

// tagged_hash("FlexLedger/p2p", canonical {"chain_id","genesis_hash","initiator_key",
// "initiator_nonce","responder_key","responder_nonce","signer":"initiator"|"responder"}).
Hash32 auth_digest(const Hello& initiator, const Hello& responder, bool signed_by_initiator);

// Canonical JSON {"signature":HEX128}. Code p2p.bad_auth.
std::string encode_auth(const Signature& signature);
Result<Signature> decode_auth(std::string_view payload);

}  // namespace flex::p2p
