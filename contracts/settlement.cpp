// Activation, proof of delivery and settlement (DESIGN.md §5).
//   contract.activate {"activations":[{"isp_start":T,"power_w":N},...],"contract_id":ID}   (buyer)
// A reservation is activated per ISP, up to its reserved power, before the activation gate
// (activation_gate_seconds before the ISP starts). An activation replaces an earlier one for
// the same ISP. Energy and capacity-limitation contracts are active when made. The escrow
// has held the full activation fee since the contract was made.
//
// Settlement, per contract ISP i and asset a, with B the baseline, A the metered net power
// (import positive) and Q the ordered flexibility (the allocation; for a reservation the
// activated power), all in W:
//   up:    delivered = clamp(B - A, 0, Q), deficiency = max(0, A - (B - Q))
//   down:  delivered = clamp(A - B, 0, Q), deficiency = max(0, (B + Q) - A)
//   capacity limitation, up (import cap at connection - Q):   deficiency = max(0, A - (C - Q))
//                        down (export cap at connection - Q): deficiency = max(0, -A - (C - Q))
//                        delivered = Q - min(deficiency, Q)
// The contract ISP sums its assets; a deficiency within tolerance_ppm of Q counts as
// delivered. Lines, each rounded half to even (contracts/market.hpp):
//   Price   = line(delivered, activation price) + line(reserved, availability price), the
//             availability cut when an activated or capped ISP has a deficiency
//   Penalty = line(deficiency, penalty_micro_per_mwh)
//   NetSettlement = Price - Penalty
// Money (contracts/settlement_money.cpp): the contract's escrow E leaves the buyer's held
// balance. A net N >= 0 pays the seller N less the operator's fee and returns E - N to the
// buyer; a negative net returns E and the seller owes the buyer |N|, paid down to minus its
// credit line, the rest a debt.
// A settlement is provisional until final_at (settled_at + dispute_window_seconds). Until
// then a reading of its ISPs or baseline history re-runs it: a changed result supersedes it
// as a new version and only the difference moves. Disputes hold it open until the operator
// resolves them (contracts/disputes.cpp).
//   settlement/<contract id>             the settlement, with the per-ISP breakdown (USEF FlexSettlement names)
//   settlement_history/<id>/<version>    the versions it superseded
//   asset_contract/<asset>/<id>          {"end":T,"reads_from":T,"settled":B}, contracts not yet final, by asset
//   settlement_due/<T>/<id>              deadlines of contracts not yet settled
//   settlement_final/<T>/<id>            final_at of provisional settlements
#include "contracts/settlement.hpp"

#include <algorithm>
#include <set>

#include "contracts/accounts.hpp"
#include "contracts/assets.hpp"
#include "contracts/baselines.hpp"
#include "contracts/digest.hpp"
#include "contracts/market.hpp"
#include "contracts/readings.hpp"
#include "contracts/settlement_money.hpp"
#include "contracts/state_keys.hpp"
#include "ledger/limits.hpp"

namespace flex {
namespace {

constexpr std::string_view due_prefix = "settlement_due/";
constexpr std::string_view final_prefix = "settlement_final/";
constexpr std::size_t max_activations = 2976;

std::string due_key(const Json& contract) {
  return std::string(due_prefix) + padded_time(contract["settle_by"].get<std::int64_t>()) + "/" +
         contract["contract_id"].get<std::string>();
}

__extension__ using WideSigned = __int128;

// A line or total kept within the I-JSON range: penalties saturate rather than wrap.
std::int64_t saturate(WideSigned value) {
  return static_cast<std::int64_t>(std::clamp<WideSigned>(value, -limits::max_json_integer, limits::max_json_integer));
}

std::string asset_contract_key(const std::string& asset_id, const std::string& contract_id) {
  return "asset_contract/" + asset_id + "/" + contract_id;
}

// How far back a baseline method reads history (contracts/baselines.cpp walks back at most
// 2 × days + 14 days; meter-before reads the ISPs just before the event).
std::int64_t lookback_seconds(const Json& baseline) {
  const Json& params = baseline["params"];
  if (baseline["method"] == "x_of_y") return (2 * params["y"].get<std::int64_t>() + 15) * 86400;
  if (baseline["method"] == "rolling_average") return (2 * params["days"].get<std::int64_t>() + 15) * 86400;
  if (baseline["method"] == "meter_before_after") return params["isps_before"].get<std::int64_t>() * 3600;
  return 0;
}

// asset_contract/<asset>/<contract>: {"end":T,"reads_from":T,"settled":B}, the contract's end,
// the first ISP its settlement reads (baseline history included), and whether it is settled.
Json asset_index_entry(const Json& contract, bool settled) {
  return Json{{"end", contract["end"]},
              {"reads_from", contract["start"].get<std::int64_t>() - lookback_seconds(contract["baseline"])},
              {"settled", settled}};
}

// What an asset was ordered to deliver per ISP: its allocation, or for a reservation its
// share of the activated power (assets in allocation order, each up to its allocation).
std::map<std::string, std::vector<std::int64_t>> ordered_per_asset(const Json& contract) {
  std::map<std::string, std::vector<std::int64_t>> ordered;
  for (const auto& [asset_id, shares] : contract["allocation"].items()) ordered[asset_id] = int_vector(shares);
  if (contract["product"] != "reservation") return ordered;
  auto activated = contract.contains("activated_w") ? int_vector(contract["activated_w"])
                                                    : std::vector<std::int64_t>(contract["power_w"].size(), 0);
  for (std::size_t i = 0; i < activated.size(); ++i) {
    std::int64_t left = activated[i];
    for (auto& [asset_id, shares] : ordered) {
      shares[i] = std::min(shares[i], left);
      left -= shares[i];
    }
  }
  return ordered;
}


struct AssetIsp {
  std::optional<std::int64_t> baseline_w, actual_w;
  std::int64_t ordered_w = 0, delivered_w = 0, deficiency_w = 0;
};

// One asset's delivery over the contract's ISPs; nullopt when data are missing and the
// caller must wait for them.
std::optional<std::vector<AssetIsp>> asset_delivery(const StateOverlay& state, const Json& contract, const Json& asset,
                                                    const std::vector<std::int64_t>& ordered, bool at_deadline) {
  const std::int64_t isp = contract["isp_seconds"].get<std::int64_t>();
  const std::int64_t start = contract["start"].get<std::int64_t>();
  const std::string point = asset["metering_point_id"].get<std::string>();
  const bool capacity = contract["product"] == "capacity_limitation";
  const bool up = contract["direction"] == "up";
  // The ISPs that need proof: every ISP with an order.
  std::vector<std::int64_t> needed;
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    if (ordered[i] > 0) needed.push_back(start + static_cast<std::int64_t>(i) * isp);
  }
  std::vector<AssetIsp> result(ordered.size());
  for (std::size_t i = 0; i < ordered.size(); ++i) result[i].ordered_w = ordered[i];
  if (needed.empty()) return result;

  // The contract's own ISPs first: until the deadline, a missing one means there is nothing to do yet.
  const std::int64_t end = contract["end"].get<std::int64_t>();
  const std::int64_t history_from = capacity ? start : start - lookback_seconds(contract["baseline"]);
  IspSeries actual(history_from, end, isp);
  read_net_power_series(state, point, start, end, isp, actual);
  if (!at_deadline && std::any_of(needed.begin(), needed.end(), [&](std::int64_t t) { return !actual.at(t); })) {
    return std::nullopt;
  }
  if (history_from < start) read_net_power_series(state, point, history_from, start, isp, actual);
  std::optional<std::vector<std::int64_t>> baseline;
  if (!capacity) {
    // Days with commitments of this asset before the contract are event days, left out of history.
    std::set<std::int64_t> event_days;
    for (const char* direction : {"up", "down"}) {
      const std::string commitments = "commitment/" + asset["asset_id"].get<std::string>() + "/" + direction + "/";
      // One lookup per event day: after a commitment, skip to the next day's first one.
      for (auto key = state.first_key_from(commitments + padded_time(history_from));
           key && key->starts_with(commitments);) {
        std::int64_t t = std::stoll(key->substr(commitments.size()));
        if (t >= end) break;  // earlier days of this contract are event days too
        event_days.insert(utc_day(t));
        key = state.first_key_from(commitments + padded_time((utc_day(t) + 1) * 86400));
      }
    }
    IspSeries nominated(start, end, isp);
    if (contract["baseline"]["method"] == "nomination") {
      for (std::int64_t t : needed) {
        auto value = read_json(state, nomination_key(asset["asset_id"].get<std::string>(), t));
        if (value) nominated.set(t, value->get<std::int64_t>());
      }
    }
    BaselineInput input{isp, needed, &actual, &event_days, &nominated};
    auto computed = compute_baseline(contract["baseline"], input);
    if (computed) {
      baseline = *computed;
    } else if (!at_deadline) {
      return std::nullopt;
    }
  }
  std::size_t n = 0;
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    if (ordered[i] == 0) continue;
    AssetIsp& cell = result[i];
    std::int64_t t = start + static_cast<std::int64_t>(i) * isp;
    const auto reading = actual.at(t);
    if (baseline) cell.baseline_w = (*baseline)[n];
    ++n;
    if (!reading || (!capacity && !baseline)) {
      if (!at_deadline) return std::nullopt;
      cell.deficiency_w = cell.ordered_w;  // no proof by the deadline: not delivered
      cell.actual_w = reading;
      continue;
    }
    const std::int64_t a = *reading, q = cell.ordered_w;
    cell.actual_w = a;
    if (capacity) {
      std::int64_t limit = asset["connection_w"].get<std::int64_t>() - q;
      cell.deficiency_w = std::max<std::int64_t>(0, (up ? a : -a) - limit);
      cell.delivered_w = q - std::min(cell.deficiency_w, q);
    } else if (up) {
      std::int64_t b = *cell.baseline_w;
      cell.delivered_w = std::clamp<std::int64_t>(b - a, 0, q);
      cell.deficiency_w = std::max<std::int64_t>(0, a - (b - q));
    } else {
      std::int64_t b = *cell.baseline_w;
      cell.delivered_w = std::clamp<std::int64_t>(a - b, 0, q);
      cell.deficiency_w = std::max<std::int64_t>(0, (b + q) - a);
    }
  }
  return result;
}


// A net within [-(2^53 - 1 - E), E], E the contract's escrow: a net never pays more than
// the escrow, and the difference between any two nets of one contract (what a re-run or an
// adjustment moves) stays within 2^53 - 1.
std::int64_t net_bounds(const Json& contract, WideSigned net) {
  const std::int64_t escrow = contract["escrow_micro"].get<std::int64_t>();
  return static_cast<std::int64_t>(std::clamp<WideSigned>(net, -(limits::max_json_integer - escrow), escrow));
}

// A contract's result: the per-ISP breakdown, in columns (one array per USEF quantity, one
// element per contract ISP: a contract of 2,976 ISPs is one compact record), and its totals.
struct Outcome {
  Json isps, assets;
  std::int64_t net = 0, delivered_total = 0, ordered_total = 0;
};

Json column(const std::vector<std::optional<std::int64_t>>& values) {
  Json array = Json::array();
  array.get_ref<Json::array_t&>().reserve(values.size());
  for (const auto& value : values) array.push_back(value ? Json(*value) : Json());
  return array;
}

// Computes a contract's result from the data on the ledger; nullopt when it must wait for data.
std::optional<Outcome> compute_outcome(const StateOverlay& state, const Json& contract, bool at_deadline) {
  const std::int64_t isp = contract["isp_seconds"].get<std::int64_t>();
  const auto ordered = ordered_per_asset(contract);
  std::map<std::string, std::vector<AssetIsp>> assets;
  for (const auto& [asset_id, asset_ordered] : ordered) {
    // The asset's metering point and connection as they were when the contract was made.
    Json terms = contract["asset_terms"][asset_id];
    terms["asset_id"] = asset_id;
    auto delivery = asset_delivery(state, contract, terms, asset_ordered, at_deadline);
    if (!delivery) return std::nullopt;
    assets[asset_id] = std::move(*delivery);
  }
  const Prices prices{contract["prices"].value("activation_price_micro_per_mwh", std::int64_t{0}),
                      contract["prices"].value("availability_price_micro_per_mw_h", std::int64_t{0})};
  const std::int64_t penalty_rate = market_param(state, "penalty_micro_per_mwh").get<std::int64_t>();
  const std::int64_t tolerance_ppm = market_param(state, "tolerance_ppm").get<std::int64_t>();
  const auto reserved = int_vector(contract["power_w"]);
  const bool cut_availability_on_deficiency = contract["product"] != "energy";
  const std::size_t n = reserved.size();
  std::vector<std::optional<std::int64_t>> actual_column(n), baseline_column(n);
  std::vector<std::int64_t> delivered_column(n), deficiency_column(n), ordered_column(n), price_column(n),
      penalty_column(n), net_column(n), start_column(n);
  Outcome outcome;
  WideSigned net_total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t b = 0, a = 0, q = 0, delivered = 0, deficiency = 0;
    bool have_b = true, have_a = true;
    for (const auto& [asset_id, cells] : assets) {
      const AssetIsp& cell = cells[i];
      if (cell.ordered_w == 0) continue;
      have_b = have_b && cell.baseline_w.has_value();
      have_a = have_a && cell.actual_w.has_value();
      b += cell.baseline_w.value_or(0);
      a += cell.actual_w.value_or(0);
      q += cell.ordered_w;
      delivered += cell.delivered_w;
      deficiency += cell.deficiency_w;
    }
    // Within the tolerance band (never for missing readings), in 128 bits: sums of assets can pass 2^63 / 10^6.
    if (deficiency > 0 && have_a &&
        static_cast<WideSigned>(deficiency) * market_limits::ppm <= static_cast<WideSigned>(q) * tolerance_ppm) {
      deficiency = 0;
      delivered = q;
    }
    // Price lines are bounded by the escrow's own lines; a penalty line saturates at 2^53-1.
    std::int64_t price = line_amount_micro(delivered, isp, prices.activation_micro_per_mwh).value_or(0);
    bool available = !(cut_availability_on_deficiency && deficiency > 0);
    if (available) price += line_amount_micro(reserved[i], isp, prices.availability_micro_per_mw_h).value_or(0);
    std::int64_t penalty = line_amount_micro(deficiency, isp, penalty_rate).value_or(limits::max_json_integer);
    net_total += price - penalty;
    outcome.delivered_total += delivered;
    outcome.ordered_total += q;
    if (q > 0 && have_a) actual_column[i] = a;
    if (q > 0 && have_b) baseline_column[i] = b;
    delivered_column[i] = delivered;
    deficiency_column[i] = deficiency;
    ordered_column[i] = q;
    price_column[i] = price;
    penalty_column[i] = penalty;
    net_column[i] = price - penalty;
    start_column[i] = contract["start"].get<std::int64_t>() + static_cast<std::int64_t>(i) * isp;
  }
  outcome.isps = Json{{"ActualPower", column(actual_column)},         {"BaselinePower", column(baseline_column)},
                      {"DeliveredFlexPower", delivered_column},       {"NetSettlement", net_column},
                      {"OrderedFlexPower", ordered_column},           {"Penalty", penalty_column},
                      {"PowerDeficiency", deficiency_column},         {"Price", price_column},
                      {"isp_start", start_column}};
  outcome.assets = Json::object();
  for (const auto& [asset_id, cells] : assets) {
    std::vector<std::optional<std::int64_t>> asset_actual(n), asset_baseline(n);
    std::vector<std::int64_t> asset_delivered(n), asset_deficiency(n), asset_ordered(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (cells[i].ordered_w == 0) continue;  // no order, nothing to prove: nulls and zeros
      asset_actual[i] = cells[i].actual_w;
      asset_baseline[i] = cells[i].baseline_w;
      asset_delivered[i] = cells[i].delivered_w;
      asset_deficiency[i] = cells[i].deficiency_w;
      asset_ordered[i] = cells[i].ordered_w;
    }
    outcome.assets[asset_id] = Json{{"ActualPower", column(asset_actual)},     {"BaselinePower", column(asset_baseline)},
                                    {"DeliveredFlexPower", asset_delivered},  {"OrderedFlexPower", asset_ordered},
                                    {"PowerDeficiency", asset_deficiency}};
  }
  outcome.net = net_bounds(contract, net_total);
  return outcome;
}

// Delivered energy in Wh for the digest: the sum of delivered W over the ISPs × ISP length.
std::int64_t delivered_wh(const Json& contract, std::int64_t delivered_total) {
  return saturate(static_cast<WideSigned>(delivered_total) * contract["isp_seconds"].get<std::int64_t>() / 3600);
}

std::string settlement_key(const Json& contract) { return "settlement/" + contract["contract_id"].get<std::string>(); }

std::string final_key(std::int64_t final_at, const std::string& contract_id) {
  return std::string(final_prefix) + padded_time(final_at) + "/" + contract_id;
}

// Settles one contract for the first time; false (and nothing written) when it must wait for data.
bool settle(StateOverlay& state, Json contract, std::int64_t block_time, bool at_deadline, const char* trigger) {
  auto outcome = compute_outcome(state, contract, at_deadline);
  if (!outcome) return false;
  const std::string contract_id = contract["contract_id"].get<std::string>();
  const std::int64_t fee = settlement_fee(state, contract, outcome->net);
  Json money = release_escrow(state, contract, outcome->net, fee);
  count_digest_settlement(state, 1, delivered_wh(contract, outcome->delivered_total), outcome->net);
  const std::int64_t final_at = saturate(static_cast<WideSigned>(block_time) +
                                         market_param(state, "dispute_window_seconds").get<std::int64_t>());
  write_json(state, settlement_key(contract),
             Json{{"assets", std::move(outcome->assets)},
                  {"contract_id", contract_id},
                  {"fee_micro", fee},
                  {"final_at", final_at},
                  {"isps", std::move(outcome->isps)},
                  {"money", money},
                  {"net_micro", outcome->net},
                  {"settled_at", block_time},
                  {"status", "provisional"},
                  {"totals", Json{{"DeliveredFlexPower", outcome->delivered_total}, {"OrderedFlexPower", outcome->ordered_total}}},
                  {"trigger", trigger},
                  {"version", 1}});
  write_json(state, final_key(final_at, contract_id), contract_id);
  for (const auto& [asset_id, shares] : contract["allocation"].items()) {
    write_json(state, asset_contract_key(asset_id, contract_id), asset_index_entry(contract, true));
  }
  state.erase(due_key(contract));
  contract["status"] = "settled";
  write_json(state, keys::contract(contract_id), contract);
  return true;
}

// Replaces a settlement's result: the earlier version is kept under
// settlement_history/<contract id>/<version>, and the difference in money moves.
Json supersede(StateOverlay& state, const Json& contract, Json settlement, Outcome outcome, std::int64_t block_time,
               const char* trigger) {
  const std::int64_t version = settlement["version"].get<std::int64_t>();
  write_json(state, "settlement_history/" + contract["contract_id"].get<std::string>() + "/" + padded_time(version),
             settlement);
  const std::int64_t old_net = settlement["net_micro"].get<std::int64_t>();
  const std::int64_t fee = settlement_fee(state, contract, outcome.net);
  Json money = move_difference(state, contract, old_net, settlement["fee_micro"].get<std::int64_t>(), outcome.net, fee);
  const std::int64_t old_delivered = settlement["totals"]["DeliveredFlexPower"].get<std::int64_t>();
  count_digest_settlement(state, 0,
                          delivered_wh(contract, outcome.delivered_total) - delivered_wh(contract, old_delivered),
                          saturate(static_cast<WideSigned>(outcome.net) - old_net));
  settlement["fee_micro"] = fee;
  settlement["assets"] = std::move(outcome.assets);
  settlement["isps"] = std::move(outcome.isps);
  settlement["money"] = money;
  settlement["net_micro"] = outcome.net;
  settlement["revised_at"] = block_time;
  settlement["totals"] = Json{{"DeliveredFlexPower", outcome.delivered_total}, {"OrderedFlexPower", outcome.ordered_total}};
  settlement["trigger"] = trigger;
  settlement["version"] = version + 1;
  write_json(state, settlement_key(contract), settlement);
  return settlement;
}

}  // namespace

void schedule_settlement(StateOverlay& state, const Json& contract) {
  const std::string contract_id = contract["contract_id"].get<std::string>();
  for (const auto& [asset_id, shares] : contract["allocation"].items()) {
    write_json(state, asset_contract_key(asset_id, contract_id), asset_index_entry(contract, false));
  }
  write_json(state, due_key(contract), contract_id);
}

void settle_completed_contracts(StateOverlay& state, const std::string& asset_id, std::int64_t first_isp,
                                std::int64_t last_isp, std::int64_t block_time) {
  const std::string prefix = "asset_contract/" + asset_id + "/";
  for (auto key = state.first_key_from(prefix); key && key->starts_with(prefix); key = state.first_key_from(*key + '\0')) {
    // The index entry says whether there is work, so most batches parse no contract.
    Json entry = *read_json(state, *key);
    if (entry["settled"].get<bool>()) {
      // Not yet final (final settlements leave the index): a correction of its data re-runs it.
      if (last_isp >= entry["reads_from"].get<std::int64_t>() && first_isp < entry["end"].get<std::int64_t>()) {
        (void)rerun_settlement(state, *read_json(state, keys::contract(key->substr(prefix.size()))), block_time, "correction");
      }
      continue;
    }
    if (entry["end"].get<std::int64_t>() > block_time) continue;  // ISPs still to come
    (void)settle(state, *read_json(state, keys::contract(key->substr(prefix.size()))), block_time, false, "readings_complete");
  }
}

void settle_due_contracts(StateOverlay& state, std::int64_t block_time) {
  const bool wait = market_param(state, "wait_for_readings").get<bool>();
  for (auto key = state.first_key_from(due_prefix); key && key->starts_with(due_prefix);) {
    if (std::stoll(key->substr(due_prefix.size(), 16)) > block_time) return;
    Json contract = *read_json(state, keys::contract(key->substr(due_prefix.size() + 17)));
    if (!settle(state, contract, block_time, !wait, "deadline")) {
      state.erase(*key);  // the market waits: readings will settle it when complete
    }
    key = state.first_key_from(due_prefix);
  }
}

Json rerun_settlement(StateOverlay& state, const Json& contract, std::int64_t block_time, const char* trigger) {
  Json settlement = *read_json(state, settlement_key(contract));
  Outcome outcome = *compute_outcome(state, contract, true);  // a settled contract's data are all in, or late
  if (outcome.isps == settlement["isps"] && outcome.assets == settlement["assets"] && outcome.net == settlement["net_micro"]) {
    return settlement;
  }
  return supersede(state, contract, std::move(settlement), std::move(outcome), block_time, trigger);
}

Json adjust_settlement(StateOverlay& state, const Json& contract, std::int64_t net, std::int64_t block_time) {
  Json settlement = *read_json(state, settlement_key(contract));
  Outcome outcome{settlement["isps"], settlement["assets"], net, settlement["totals"]["DeliveredFlexPower"].get<std::int64_t>(),
                  settlement["totals"]["OrderedFlexPower"].get<std::int64_t>()};
  return supersede(state, contract, std::move(settlement), std::move(outcome), block_time, "adjustment");
}

void make_final(StateOverlay& state, const Json& contract, Json settlement) {
  settlement["status"] = "final";
  write_json(state, settlement_key(contract), settlement);
  for (const auto& [asset_id, shares] : contract["allocation"].items()) {
    state.erase(asset_contract_key(asset_id, contract["contract_id"].get<std::string>()));
  }
}

void finalize_settlements(StateOverlay& state, std::int64_t block_time) {
  for (auto key = state.first_key_from(final_prefix); key && key->starts_with(final_prefix);
       key = state.first_key_from(final_prefix)) {
    if (std::stoll(key->substr(final_prefix.size(), 16)) > block_time) return;
    Json contract = *read_json(state, keys::contract(key->substr(final_prefix.size() + 17)));
    Json settlement = *read_json(state, settlement_key(contract));
    // A disputed settlement waits for the operator's resolution, which makes it final.
    if (settlement["status"] == "provisional") make_final(state, contract, std::move(settlement));
    state.erase(*key);
  }
}

Status activate_contract(HandlerContext& context) {
  const Json& payload = context.transaction.payload;
  auto contract_id = payload_identifier(payload, "contract_id");
  if (!contract_id) return contract_id.rejection();
  if (!payload.contains("activations") || !payload["activations"].is_array() || payload["activations"].empty() ||
      payload["activations"].size() > max_activations) {
    return reject("payload.invalid", "activations must list 1 to 2976 {isp_start, power_w}");
  }
  auto contract = read_json(context.state, keys::contract(*contract_id));
  if (!contract) return reject("contract.unknown", "no contract '" + *contract_id + "'");
  if ((*contract)["buyer"] != to_hex(context.transaction.signer)) return reject("contract.not_buyer", "only the buyer activates");
  if ((*contract)["product"] != "reservation") {
    return reject("activation.not_reservation", "only reservation contracts are activated; the others are active when made");
  }
  if ((*contract)["status"] == "settled") return reject("contract.settled", "contract '" + *contract_id + "' is settled");
  const std::int64_t isp = (*contract)["isp_seconds"].get<std::int64_t>(), start = (*contract)["start"].get<std::int64_t>();
  const std::int64_t gate = market_param(context.state, "activation_gate_seconds").get<std::int64_t>();
  const auto reserved = int_vector((*contract)["power_w"]);
  auto activated = contract->contains("activated_w") ? int_vector((*contract)["activated_w"])
                                                     : std::vector<std::int64_t>(reserved.size(), 0);
  for (const auto& activation : payload["activations"]) {
    auto isp_start = payload_integer(activation, "isp_start", 0, limits::max_json_integer);
    if (!isp_start) return isp_start.rejection();
    auto power = payload_integer(activation, "power_w", 0, market_limits::max_power_w);
    if (!power) return power.rejection();
    if (*isp_start < start || *isp_start >= (*contract)["end"].get<std::int64_t>() || (*isp_start - start) % isp != 0) {
      return reject("activation.bad_isp", "ISP " + std::to_string(*isp_start) + " is not one of the contract's");
    }
    if (context.block.time > *isp_start - gate) {
      return reject("activation.after_gate", "the activation gate of the ISP at " + std::to_string(*isp_start) +
                                                 " closed " + std::to_string(gate) + " s before it starts");
    }
    auto index = static_cast<std::size_t>((*isp_start - start) / isp);
    if (*power > reserved[index]) {
      return reject("activation.exceeds_reserved", "the ISP at " + std::to_string(*isp_start) + " has " +
                                                       std::to_string(reserved[index]) + " W reserved");
    }
    activated[index] = *power;
  }
  (*contract)["activated_w"] = to_json(activated);
  (*contract)["status"] = "active";
  write_json(context.state, keys::contract(*contract_id), *contract);
  return ok_status();
}

}  // namespace flex
