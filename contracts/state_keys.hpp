// Keys of the ledger state (PROTOCOL.md "State"). Values are canonical JSON.
//   chain                 {"chain_id":S,"genesis_time":T}
//   params                market parameters (integers, strings and booleans)
//   validators            [{"name":S,"power":N,"public_key":HEX64}, ...]
//   participant/<key>     {"name":S,"roles":[S...],"status":"active"|"suspended"}
//   nonce/<key>           last accepted nonce of the signer
//   account/<key>         {"available_micro":N,"credit_limit_micro":C,"held_micro":H}
//   hold/<id>, hold_expiry/<T>/<id>   pending holds (contracts/escrow.cpp)
//   supply                {"burned_micro":N,"minted_micro":N}
//   zone/<id>             {"dso":HEX64,"export_limit_w":N,"import_limit_w":N,"kind":S,"name":S,
//                          "polygon":{...},"postcodes":[S...]?}
//   zone_outlook/<id>/<direction>/<resolution>   [[START,NEED_W],...]
//   asset/<id>, metering_point/<id>, consent/<asset>/<aggregator>   (contracts/assets.cpp)
//   commitment/<asset>/<direction>/<T>                               W committed in one ISP
//   offer/<id>, request/<id>, contract/<id>, book/..., order_expiry/...  (contracts/orders.cpp)
//   evidence/<validator>/<height>/<round>/<type>   one equivocation (contracts/evidence.cpp)
#pragma once

#include <string>
#include <string_view>

#include "ledger/bytes.hpp"
#include "ledger/schnorr.hpp"

namespace flex::keys {

inline constexpr const char* chain = "chain";
inline constexpr const char* params = "params";
inline constexpr const char* validators = "validators";
inline constexpr const char* supply = "supply";

inline std::string participant(const PublicKey& key) { return "participant/" + to_hex(key); }
inline std::string nonce(const PublicKey& key) { return "nonce/" + to_hex(key); }
inline std::string account(const PublicKey& key) { return "account/" + to_hex(key); }
inline std::string hold(const std::string& hold_id) { return "hold/" + hold_id; }
inline std::string zone(const std::string& zone_id) { return "zone/" + zone_id; }
inline std::string zone_outlook(const std::string& zone_id, const std::string& direction, const std::string& resolution) {
  return "zone_outlook/" + zone_id + "/" + direction + "/" + resolution;
}

inline std::string asset(const std::string& asset_id) { return "asset/" + asset_id; }
inline std::string metering_point(const std::string& id) { return "metering_point/" + id; }
inline std::string consent(const std::string& asset_id, const PublicKey& aggregator) {
  return "consent/" + asset_id + "/" + to_hex(aggregator);
}
inline std::string offer(const std::string& offer_id) { return "offer/" + offer_id; }
inline std::string request(const std::string& request_id) { return "request/" + request_id; }
inline std::string contract(const std::string& contract_id) { return "contract/" + contract_id; }

// Height and round as 16 zero-padded digits (both are at most 2^53 - 1), so keys sort by them.
inline std::string evidence(const PublicKey& validator, std::int64_t height, std::int64_t round, std::string_view type) {
  auto padded = [](std::int64_t value) {
    std::string digits = std::to_string(value);
    return std::string(digits.size() < 16 ? 16 - digits.size() : 0, '0') + digits;
  };
  return "evidence/" + to_hex(validator) + "/" + padded(height) + "/" + padded(round) + "/" + std::string(type);
}

}  // namespace flex::keys
