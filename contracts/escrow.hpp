// Two-phase transfers: holds that are posted in full or in part, voided, or expire.
#pragma once

#include "contracts/handlers.hpp"

namespace flex {

// Expires every hold with expires_at <= block_time; run at the start of each block.
void expire_holds(StateOverlay& state, std::int64_t block_time);

Status create_hold(HandlerContext& context);
Status post_hold(HandlerContext& context);
Status void_hold(HandlerContext& context);

}  // namespace flex
