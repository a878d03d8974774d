// Verifies many transaction signatures across all cores.
#pragma once

#include <cstddef>
#include <vector>

#include "ledger/transaction.hpp"

namespace flex {

// Index of the first transaction whose signature fails, or nullopt when all verify.
std::optional<std::size_t> first_bad_signature(const std::vector<Transaction>& transactions,
                                               unsigned threads = 0);

}  // namespace flex
