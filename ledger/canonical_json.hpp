// Canonical JSON: the only byte form of signed data and ledger state.
//   - object keys sorted by their UTF-8 bytes, no duplicates;
//   - no whitespace outside strings;
//   - strings in UTF-8, escaping only '"', '\\' and control characters below 0x20
//     (as \b \f \n \r \t, else \u00xx with lowercase hex);
//   - numbers are integers in [-(2^53-1), 2^53-1], no sign on zero, no exponent, no
//     fraction, no leading zeros. No floats anywhere.
// A body is accepted only if it re-serialises to exactly its own bytes.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "ledger/result.hpp"

namespace flex {

using Json = nlohmann::json;

// Serialises a value that holds no floats (a programmer error otherwise).
std::string to_canonical(const Json& value);

// Parses `bytes` and accepts it only if canonical. Rejection codes:
//   encoding.too_large, encoding.too_deep, encoding.not_json, encoding.non_integer,
//   encoding.integer_range, encoding.not_canonical.
Result<Json> parse_canonical(std::string_view bytes, std::size_t max_bytes);

// Parses JSON that need not be canonical (config and genesis files a person edits), with
// the same size and depth limits. Codes: encoding.too_large, encoding.too_deep, encoding.not_json.
Result<Json> parse_json_bounded(std::string_view bytes, std::size_t max_bytes);

// True when `value` contains only integers in the safe range (no floats).
// The same, with the code of the first offending number: encoding.non_integer or
// encoding.integer_range.
Status check_integer_only(const Json& value);
bool is_integer_only(const Json& value);

}  // namespace flex
