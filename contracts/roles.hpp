// Market roles (DESIGN.md §1). A participant may hold several.
#pragma once

#include <optional>
#include <string_view>

namespace flex {

enum class Role { Prosumer, Aggregator, Dso, Tso, Retailer, Metering, Operator, Auditor, Regulator };

std::optional<Role> parse_role(std::string_view name);
std::string_view role_name(Role role);

}  // namespace flex
