#include "node/p2p/handshake.hpp"

#include "ledger/block.hpp"
#include "ledger/canonical_json.hpp"
#include "ledger/hash.hpp"

namespace flex::p2p {

std::string encode_hello(const Hello& hello) {
  return to_canonical(Json{{"chain_id", hello.chain_id},
                           {"genesis_hash", to_hex(hello.genesis_hash)},
                           {"height", hello.height},
                           {"listen", hello.listen},
                           {"node_key", to_hex(hello.node_key)},
                           {"nonce", to_hex(hello.nonce)},
                           {"protocol", hello.protocol},
                           {"role", hello.role}});
}

Result<Hello> decode_hello(std::string_view payload) {
  auto bad = [](const std::string& why) { return reject("p2p.bad_hello", "HELLO " + why); };
  auto json = parse_canonical(payload, 4096);
  if (!json) return bad("is not canonical JSON: " + json.rejection().message);
  if (!json->is_object() || json->size() != 8) return bad("needs exactly its eight members");
  Hello hello;
  auto genesis = hex_field<32>(*json, "genesis_hash");
  auto key = hex_field<32>(*json, "node_key");
  auto nonce = hex_field<32>(*json, "nonce");
  const Json& value = *json;
  if (!genesis || !key || !nonce || !integer_field(value, "height", hello.height) ||
      !integer_field(value, "protocol", hello.protocol) || !value.contains("chain_id") || !value["chain_id"].is_string() ||
      !value.contains("listen") || !value["listen"].is_string() || !value.contains("role") || !value["role"].is_string()) {
    return bad("has a missing or bad member");
  }
  hello.chain_id = value["chain_id"].get<std::string>();
  hello.listen = value["listen"].get<std::string>();
  hello.role = value["role"].get<std::string>();
  if (hello.role != "validator" && hello.role != "full") return bad("role is validator or full");
  hello.genesis_hash = *genesis;
  hello.node_key = *key;
  hello.nonce = *nonce;
  return hello;
}

Status check_hello(const Hello& ours, const Hello& theirs, const std::function<bool(const PublicKey&)>& admitted) {
  if (theirs.protocol != ours.protocol) {
    return reject("p2p.wrong_protocol", "the peer speaks protocol " + std::to_string(theirs.protocol));
  }
  if (theirs.chain_id != ours.chain_id) return reject("p2p.wrong_chain", "the peer is on chain " + theirs.chain_id);
  if (theirs.genesis_hash != ours.genesis_hash) return reject("p2p.wrong_genesis", "the peer has another genesis");
  if (theirs.node_key == ours.node_key) return reject("p2p.self", "the peer has this node's own key");
  if (!admitted(theirs.node_key)) {
    return reject("p2p.not_admitted", "the peer's key is neither a validator nor an admitted participant");
  }
  return ok_status();
}

Hash32 auth_digest(const Hello& initiator, const Hello& responder, bool signed_by_initiator) {
  return tagged_hash(tags::p2p, to_canonical(Json{{"chain_id", initiator.chain_id},
                                                  {"genesis_hash", to_hex(initiator.genesis_hash)},
                                                  {"initiator_key", to_hex(initiator.node_key)},
                                                  {"initiator_nonce", to_hex(initiator.nonce)},
                                                  {"responder_key", to_hex(responder.node_key)},
                                                  {"responder_nonce", to_hex(responder.nonce)},
                                                  {"signer", signed_by_initiator ? "initiator" : "responder"}}));
}

std::string encode_auth(const Signature& signature) { return to_canonical(Json{{"signature", to_hex(signature)}}); }

Result<Signature> decode_auth(std::string_view payload) {
  auto json = parse_canonical(payload, 4096);
  if (!json || !json->is_object() || json->size() != 1) return reject("p2p.bad_auth", "AUTH is {\"signature\":HEX128}");
  auto signature = hex_field<64>(*json, "signature");
  if (!signature) return reject("p2p.bad_auth", "AUTH is {\"signature\":HEX128}");
  return *signature;
}

}  // namespace flex::p2p
