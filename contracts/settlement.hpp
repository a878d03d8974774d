// Activation, proof of delivery and settlement of contracts (DESIGN.md §2.7–2.10, §5).
#pragma once

#include "contracts/handlers.hpp"

namespace flex {

// Registers a new contract for settlement: the asset index that meter readings use to find
// it, and its settlement deadline (contract end + settlement_deadline_seconds).
void schedule_settlement(StateOverlay& state, const Json& contract);

// Settles every contract of `asset_id` whose period is over and whose readings are complete.
void settle_completed_contracts(StateOverlay& state, const std::string& asset_id, std::int64_t block_time);

// Begin-block: settles every contract whose deadline has come. Missing readings count as
// non-delivery, unless the market waits for readings (wait_for_readings).
void settle_due_contracts(StateOverlay& state, std::int64_t block_time);

}  // namespace flex
