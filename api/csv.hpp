// CSV as the node and flexctl write it: RFC 4180 quoting, and cells a spreadsheet will not
// run as formulas.
#pragma once

#include <string>

#include "ledger/canonical_json.hpp"

namespace flex::api {

// RFC 4180: quotes a field holding a comma, quote or line break, doubling its quotes.
std::string csv_quote(const std::string& text);

// A value as one cell: strings as they are, null empty, anything else as its JSON text; a
// leading =, +, @ or non-numeric - gets a ' in front (CSV injection), then csv_quote.
std::string csv_cell(const Json& value);

}  // namespace flex::api
