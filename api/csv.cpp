#include "api/csv.hpp"

#include "contracts/record_cache.hpp"

namespace flex::api {

std::string csv_quote(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string csv_cell(const Json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.is_null() ? std::string() : json_text(value);
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '@' || (text[0] == '-' && !value.is_number()))) {
    text = "'" + text;
  }
  return csv_quote(text);
}

}  // namespace flex::api
