#include "contracts/digest.hpp"

#include <algorithm>

#include "contracts/market.hpp"
#include "ledger/limits.hpp"
#include "ledger/hash.hpp"
#include "ledger/merkle.hpp"

namespace flex {
namespace {

constexpr const char* day_key = "digest_day";

Json fresh_day(const ExecutionContext& context) {
  return Json{{"contracts", 0},
              {"day", context.time / 86400},
              {"first_height", context.height},
              {"frontier", Json::array()},
              {"settled_contracts", 0},
              {"settled_energy_wh", 0},
              {"settled_value_micro", 0},
              {"transactions", 0}};
}

std::vector<Hash32> read_frontier(const Json& day) {
  std::vector<Hash32> frontier;
  for (const auto& hex : day["frontier"]) frontier.push_back(*from_hex_fixed<32>(hex.get<std::string>()));
  return frontier;
}

// The day's record; it exists from the first block on (begin-block creates it).
Json read_day(const StateOverlay& state) { return *read_json(state, day_key); }

// Adds to a counter, saturating at ±(2^53-1): a day's totals must stay I-JSON integers.
void add_to(Json& day, const char* counter, std::int64_t amount) {
  std::int64_t total = day[counter].get<std::int64_t>();  // both within ±2^53: the sum fits in 64 bits
  day[counter] = std::clamp<std::int64_t>(total + amount, -limits::max_json_integer, limits::max_json_integer);
}

}  // namespace

void frontier_add(std::vector<Hash32>& frontier, std::uint64_t count, const Hash32& leaf_hash) {
  frontier.push_back(leaf_hash);
  // Each trailing 1 bit of the old count is a perfect subtree of the new leaf's size: merge.
  for (std::uint64_t bits = count; bits & 1; bits >>= 1) {
    Hash32 right = frontier.back();
    frontier.pop_back();
    Hash32 left = frontier.back();
    frontier.back() = merkle_node_hash(left, right);
  }
}

Hash32 frontier_root(const std::vector<Hash32>& frontier) {
  if (frontier.empty()) return sha256(std::string_view());
  // RFC 6962 splits at the largest power of two: the perfect subtrees nest from the right.
  Hash32 root = frontier.back();
  for (std::size_t i = frontier.size() - 1; i-- > 0;) root = merkle_node_hash(frontier[i], root);
  return root;
}

void close_digest_day(StateOverlay& state, const ExecutionContext& context) {
  auto day = read_json(state, day_key);
  if (day && (*day)["day"].get<std::int64_t>() >= context.time / 86400) return;
  if (day) {
    std::string date = utc_date((*day)["day"].get<std::int64_t>());
    write_json(state, "digest/" + date,
               Json{{"app_hash", to_hex(context.previous_app_hash)},
                    {"contracts", (*day)["contracts"]},
                    {"date", date},
                    {"first_height", (*day)["first_height"]},
                    {"last_height", context.height - 1},
                    {"settled_contracts", (*day)["settled_contracts"]},
                    {"settled_energy_wh", (*day)["settled_energy_wh"]},
                    {"settled_value_micro", (*day)["settled_value_micro"]},
                    {"transactions", (*day)["transactions"]},
                    {"tx_root", to_hex(frontier_root(read_frontier(*day)))}});
  }
  write_json(state, day_key, fresh_day(context));
}

void add_digest_transactions(StateOverlay& state, const ExecutionContext& context, std::span<const Hash32> ids) {
  (void)context;
  if (ids.empty()) return;
  Json day = read_day(state);
  auto frontier = read_frontier(day);
  auto count = static_cast<std::uint64_t>(day["transactions"].get<std::int64_t>());
  for (const auto& id : ids) frontier_add(frontier, count++, merkle_leaf_hash(id));
  Json hexes = Json::array();
  for (const auto& hash : frontier) hexes.push_back(to_hex(hash));
  day["frontier"] = hexes;
  day["transactions"] = static_cast<std::int64_t>(count);
  write_json(state, day_key, day);
}

void count_digest_contract(StateOverlay& state) {
  Json day = read_day(state);
  add_to(day, "contracts", 1);
  write_json(state, day_key, day);
}

void count_digest_settlement(StateOverlay& state, std::int64_t settlements, std::int64_t delivered_wh,
                             std::int64_t net_micro) {
  Json day = read_day(state);
  add_to(day, "settled_contracts", settlements);
  add_to(day, "settled_energy_wh", delivered_wh);
  add_to(day, "settled_value_micro", net_micro);
  write_json(state, day_key, day);
}

}  // namespace flex
