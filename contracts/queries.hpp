// Read-only queries over committed ledger state, for the API and the dashboard. They read
// no clock (the caller passes "now" where it matters) and return canonical-JSON records.
// Lists are in key order with cursor pagination: pass the last id seen as `after`.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/canonical_json.hpp"
#include "ledger/state.hpp"

namespace flex {

inline constexpr std::size_t max_page_size = 500;
// The longest span one meter-reading query covers: 31 days.
inline constexpr std::int64_t max_reading_span_seconds = 31 * 86'400;

// A caller's extra filter (the API's rule of who may see what), applied before paging so
// pages stay full. Empty: everything.
using Visible = std::function<bool(const Json& record)>;

struct CachedRecord;
class RecordCache;

struct Page {
  std::vector<Json> items;
  std::optional<std::string> next_after;  // set when more items may follow
  // Instead of items when the query asked for shared records: the decoded-record cache's
  // own read-only records (contracts/record_cache.hpp), which a caller serializes as they are.
  std::vector<std::shared_ptr<const CachedRecord>> records;
};

// What every list query takes besides its filters.
struct ListOptions {
  std::optional<std::string> after;  // the last id seen
  std::size_t limit = 100;
  Visible visible;
  bool shared_records = false;  // fill Page::records rather than copies in Page::items
  RecordCache* cache = nullptr;  // decoded records to reuse (the API's); none: each is parsed anew
};

struct ParticipantQuery : ListOptions {
  std::optional<std::string> role, status;  // status: active or suspended
};
// Participants with "public_key" added to each record.
Page find_participants(const State& state, const ParticipantQuery& query);

struct ZoneQuery : ListOptions {
  std::optional<std::string> dso, kind;
};
// Zones with "zone_id" added to each record.
Page find_zones(const State& state, const ZoneQuery& query);

// A zone's published outlook: {"down":{"day":[[T,W],...],...},"up":{...},"zone_id":S}, with
// only the series that were published. nullopt for an unknown zone.
std::optional<Json> zone_outlook(const State& state, const std::string& zone_id);

struct OfferQuery : ListOptions {
  std::optional<std::string> zone_id, direction, product, status, seller, technology;
  std::optional<std::int64_t> window_start, window_end;  // offers overlapping [start, end)
  std::optional<std::int64_t> min_price_micro, max_price_micro;  // on the primary price (see book_key)
  std::optional<std::int64_t> min_power_w;  // largest remaining power in some ISP
};
Page find_offers(const State& state, const OfferQuery& query);

struct RequestQuery : ListOptions {
  std::optional<std::string> zone_id, direction, product, status, buyer;
  std::optional<std::int64_t> window_start, window_end;
};
Page find_requests(const State& state, const RequestQuery& query);

struct AssetQuery : ListOptions {
  std::optional<std::string> zone_id, owner, technology, prequalification;
  std::optional<std::string> text;  // a case-insensitive part of the name, asset id or owner's company code
  bool text_matches_owner = true;    // false: the name and asset id only
};
Page find_assets(const State& state, const AssetQuery& query);

struct ContractQuery : ListOptions {
  std::optional<std::string> buyer, seller, zone_id, request_id, offer_id, asset_id, status;
};
Page find_contracts(const State& state, const ContractQuery& query);

struct SettlementQuery : ListOptions {
  std::optional<std::string> status, buyer, seller, zone_id;  // status: provisional, disputed or final
};
// Settlement records (per-ISP columns included), in contract id order.
Page find_settlements(const State& state, const SettlementQuery& query);

// The latest reading of each ISP of a metering point in [from, to), in time order; empty
// when the span is longer than max_reading_span_seconds.
std::vector<Json> find_meter_readings(const State& state, const std::string& metering_point_id, std::int64_t from,
                                      std::int64_t to);

// An asset's nominated net power per ISP in [from, to): [{"isp_start":T,"net_w":N},...].
std::vector<Json> find_nominations(const State& state, const std::string& asset_id, std::int64_t from, std::int64_t to);

// A zone's open offers per direction and product, cheapest first (the matching order), and
// its open requests: {"offers":{"up":{"energy":[...]}, ...},"requests":[...],"zone_id":S}.
std::optional<Json> zone_order_book(const State& state, const std::string& zone_id);

// An account: balances, credit line, pending holds it pays or receives, the budgets of its
// open requests and the escrow of its contracts as buyer. Its held balance is the sum of the
// three. nullopt for an unknown participant. Its history (the transactions that name it)
// comes from the block store: Store::transactions_naming.
std::optional<Json> account_view(const State& state, const std::string& participant_hex);

// An asset's committed power per direction and ISP, with its maximum:
// {"asset_id":S,"commitments":[{"committed_w":N,"direction":D,"isp_start":T,"max_w":N},...]}.
std::optional<Json> asset_commitments(const State& state, const std::string& asset_id);

// Market KPIs for regulators and auditors, per zone and time bucket (by the start of each
// order or contract, UTC): requests, offers and contracts (count and energy in Wh), the
// volume-weighted activation and availability prices of contracts, and for settled
// contracts ordered and delivered energy, the delivery ratio (ppm), penalties and net
// value; plus escrow still outstanding (open request budgets and unsettled contracts).
struct KpiQuery {
  std::optional<std::string> zone_id;
  std::int64_t from = 0, to = 0;           // [from, to), UTC seconds; set both
  std::int64_t bucket_seconds = 86'400;    // at least 60; a day by default
};
// {"buckets":[{"start":T,"zone_id":S,...},...]} in (zone, start) order; empty buckets left out.
Json market_kpis(const State& state, const KpiQuery& query);

}  // namespace flex
