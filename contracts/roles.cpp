#include "contracts/roles.hpp"

#include <array>
#include <utility>

namespace flex {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 9> role_names{{
    {Role::Prosumer, "prosumer"},   {Role::Aggregator, "aggregator"}, {Role::Dso, "dso"},
    {Role::Tso, "tso"},             {Role::Retailer, "retailer"},     {Role::Metering, "metering"},
    {Role::Operator, "operator"},   {Role::Auditor, "auditor"},       {Role::Regulator, "regulator"},
}};

}  // namespace

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& [role, text] : role_names) {
    if (text == name) return role;
  }
  return std::nullopt;
}

std::string_view role_name(Role role) {
  for (const auto& [candidate, text] : role_names) {
    if (candidate == role) return text;
  }
  return "unknown";
}

}  // namespace flex
