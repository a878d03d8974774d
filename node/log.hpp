// Structured logs: one JSON object per line on stderr,
//   {"event":S,"level":"info"|"warn"|"error","ts":"YYYY-MM-DDTHH:MM:SS.mmmZ",...fields}
#pragma once

#include <string_view>

#include "ledger/canonical_json.hpp"

namespace flex::log {

enum class Level { Debug, Info, Warn, Error };

void set_minimum_level(Level level);
void write(Level level, std::string_view event, Json fields = Json::object());

inline void info(std::string_view event, Json fields = Json::object()) { write(Level::Info, event, std::move(fields)); }
inline void warn(std::string_view event, Json fields = Json::object()) { write(Level::Warn, event, std::move(fields)); }
inline void error(std::string_view event, Json fields = Json::object()) { write(Level::Error, event, std::move(fields)); }

}  // namespace flex::log
