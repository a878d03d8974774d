#include "ledger/canonical_json.hpp"

#include <cassert>

#include "ledger/limits.hpp"

namespace flex {
namespace {

// Bracket depth outside strings, computed before parsing so deep input cannot exhaust
// the stack of the recursive serialiser.
std::size_t nesting_depth(std::string_view bytes) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : bytes) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') deepest = std::max(deepest, ++depth);
    else if ((c == '}' || c == ']') && depth > 0) --depth;
  }
  return deepest;
}

Status check_numbers(const Json& value) {
  switch (value.type()) {
    case Json::value_t::number_float:
      return reject("encoding.non_integer", "a number with a fraction or exponent in signed data; use integers");
    case Json::value_t::number_unsigned:
      if (value.get<std::uint64_t>() > static_cast<std::uint64_t>(limits::max_json_integer)) {
        return reject("encoding.integer_range", "integer outside [-(2^53-1), 2^53-1]");
      }
      return ok_status();
    case Json::value_t::number_integer: {
      auto number = value.get<std::int64_t>();
      if (number > limits::max_json_integer || number < -limits::max_json_integer) {
        return reject("encoding.integer_range", "integer outside [-(2^53-1), 2^53-1]");
      }
      return ok_status();
    }
    case Json::value_t::object:
    case Json::value_t::array:
      for (const auto& child : value) {
        if (auto status = check_numbers(child); !status) return status;
      }
      return ok_status();
    default:
      return ok_status();
  }
}

}  // namespace

bool is_integer_only(const Json& value) { return check_numbers(value).ok(); }

Status check_integer_only(const Json& value) { return check_numbers(value); }

std::string to_canonical(const Json& value) {
  assert(is_integer_only(value));
  return value.dump(-1, ' ', false, Json::error_handler_t::strict);
}

Result<Json> parse_json_bounded(std::string_view bytes, std::size_t max_bytes) {
  if (bytes.size() > max_bytes) {
    return reject("encoding.too_large", "body of " + std::to_string(bytes.size()) +
                                            " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  if (nesting_depth(bytes) > limits::max_json_depth) {
    return reject("encoding.too_deep", "JSON nesting deeper than " + std::to_string(limits::max_json_depth));
  }
  Json value = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return reject("encoding.not_json", "not valid UTF-8 JSON");
  return value;
}

Result<Json> parse_canonical(std::string_view bytes, std::size_t max_bytes) {
  auto parsed = parse_json_bounded(bytes, max_bytes);
  if (!parsed) return parsed;
  const Json& value = *parsed;
  if (auto status = check_numbers(value); !status) return status.rejection();
  std::string canonical = to_canonical(value);
  if (canonical != bytes) {
    std::size_t offset = 0;
    while (offset < canonical.size() && offset < bytes.size() && canonical[offset] == bytes[offset]) {
      ++offset;
    }
    bool only_trailing_whitespace =
        offset == canonical.size() &&
        bytes.find_first_not_of(" \t\r\n", offset) == std::string_view::npos;
    return reject("encoding.not_canonical",
                  only_trailing_whitespace
                      ? "JSON is not canonical: whitespace after the value from byte " + std::to_string(offset) +
                            " (send the bytes without a trailing newline)"
                      : "JSON is not canonical (sorted keys, no duplicates, no whitespace, minimal "
                        "escapes) from byte " + std::to_string(offset));
  }
  return parsed;
}

}  // namespace flex
