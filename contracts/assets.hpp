// Flexible assets: the register, owner consent for aggregators, DSO prequalification, and
// the per-ISP power committed to contracts (so no asset is sold twice).
#pragma once

#include "contracts/handlers.hpp"

namespace flex {

// The stored asset record, or nullopt.
std::optional<Json> read_asset(const StateOverlay& state, const std::string& asset_id);

// Whether `signer` may act for the asset: it owns it, or is an aggregator with the owner's
// consent. Code: asset.no_consent.
Status check_acts_for_asset(const StateOverlay& state, const Json& asset, const PublicKey& signer);

// Whether `seller` may back an offer in `zone_id` with this asset now: the asset is in the
// zone, the seller owns it or is an aggregator with the owner's consent, and it is
// prequalified when the market requires it.
// Codes: asset.zone_mismatch, asset.no_consent, asset.not_prequalified.
Status check_asset_usable(const StateOverlay& state, const Json& asset, const PublicKey& seller,
                          const std::string& zone_id);

// The asset's maximum power in a direction ("up" or "down").
std::int64_t asset_max_power_w(const Json& asset, const std::string& direction);

// commitment/<asset_id>/<direction>/<isp start, 16 digits>  -> committed W
std::string commitment_key(const std::string& asset_id, const std::string& direction, std::int64_t isp_start);
std::int64_t committed_power_w(const StateOverlay& state, const std::string& asset_id, const std::string& direction,
                               std::int64_t isp_start);

}  // namespace flex
