// Activation, proof of delivery and settlement of contracts (DESIGN.md §2.7–2.10, §5).
#pragma once

#include "contracts/handlers.hpp"

namespace flex {

// Registers a new contract for settlement: the asset index that meter readings use to find
// it, and its settlement deadline (contract end + settlement_deadline_seconds).
void schedule_settlement(StateOverlay& state, const Json& contract);

// After readings of `asset_id` for ISPs from first_isp to last_isp: settles every contract of
// the asset whose period is over and whose readings are complete, and re-runs every settled,
// not yet final contract whose ISPs or baseline history the readings touch.
void settle_completed_contracts(StateOverlay& state, const std::string& asset_id, std::int64_t first_isp,
                                std::int64_t last_isp, std::int64_t block_time);

// Begin-block: settles every contract whose deadline has come. Missing readings count as
// non-delivery, unless the market waits for readings (wait_for_readings).
void settle_due_contracts(StateOverlay& state, std::int64_t block_time);

// Re-runs a settled contract with the data on the ledger now (missing data count as not
// delivered). When the result changed, the settlement is superseded by a new version and the
// difference in money moves (contracts/settlement_money.hpp). Returns the settlement as stored.
Json rerun_settlement(StateOverlay& state, const Json& contract, std::int64_t block_time, const char* trigger);
// An operator's adjustment: the settlement keeps its breakdown, takes `net` as its net, and
// the difference moves. Returns the settlement as stored.
Json adjust_settlement(StateOverlay& state, const Json& contract, std::int64_t net, std::int64_t block_time);
// Makes a settlement final: corrections no longer re-run it.
void make_final(StateOverlay& state, const Json& contract, Json settlement);
// Begin-block: every provisional settlement whose final_at has come becomes final; a
// disputed one waits for the operator.
void finalize_settlements(StateOverlay& state, std::int64_t block_time);

}  // namespace flex
