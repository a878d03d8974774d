// Offers (sellers) and requests (buyers), their order book and their expiry; contracts
// are made from them in contracts/matching.cpp.
#pragma once

#include "contracts/market.hpp"

namespace flex {

// Expires every offer and request with expires_at <= block time; run at begin-block.
// An expired request returns its unused budget to the buyer.
void expire_orders(StateOverlay& state, std::int64_t block_time);

// Order-book key of an open offer: book/<zone>/<direction>/<product>/<primary price>/
// <secondary price>/<height>/<offer id>, so a prefix scan visits the cheapest, then the
// oldest, then the smallest id first. Primary is the activation price for energy and the
// availability price otherwise; secondary is the activation price of a reservation.
std::string book_prefix(const std::string& zone_id, const std::string& direction, const std::string& product);
std::string book_key(const Json& offer);

Prices offer_prices(const Json& offer);
Prices request_max_prices(const Json& request);

// Writes the offer, or closes it (status, out of the book and the expiry queue).
void close_offer(StateOverlay& state, Json& offer, const char* status);
// Closes a request and returns its unused budget to the buyer.
void close_request(StateOverlay& state, Json& request, const char* status);

}  // namespace flex
