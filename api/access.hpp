// Who may see what through the API (docs/API.md, "Authorization"). The contracts decide who
// may write; these rules decide what each viewer reads. A record a viewer may not see is
// answered 404, exactly like one that does not exist, so its existence does not leak.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/sessions.hpp"
#include "ledger/canonical_json.hpp"
#include "ledger/state.hpp"

namespace flex::api {

struct Viewer {
  std::string user;
  PublicKey participant{};
  std::string participant_hex;
  std::set<std::string, std::less<>> roles;  // empty when the participant is unknown to the ledger
  bool can_sign = false;                     // the node holds the key and a role may write

  bool has(std::string_view role) const { return roles.contains(role); }
  // Auditors, regulators and the market operator read everything.
  bool reads_all() const { return has("auditor") || has("regulator") || has("operator"); }
  bool is_seller() const { return has("prosumer") || has("aggregator"); }
  // Holds roles, and only auditor and regulator: such a session writes nothing, by construction.
  bool read_only() const {
    return !roles.empty() && std::all_of(roles.begin(), roles.end(), [](const std::string& role) {
      return role == "auditor" || role == "regulator";
    });
  }
};

// Members of a record a viewer does not get: shown as "redacted", or left out. Members the
// record does not have stay absent.
struct Hidden {
  std::vector<std::string> redacted, removed;
  bool empty() const { return redacted.empty() && removed.empty(); }
};
Json apply_hidden(Json record, const Hidden& hidden);

// The viewer of a session: the roles come from the ledger now, so a role the operator
// removes stops applying at once.
Viewer make_viewer(const State& state, const Session& session, bool node_holds_key);

// The rules, one per resource. Each takes the record as the query layer returns it.
class Access {
 public:
  Access(const State& state, const Viewer& viewer) : state_(state), viewer_(viewer) {}

  bool participant(const Json& participant) const;
  bool zone(const Json&) const { return true; }  // zones are public to every participant
  bool asset(const Json& asset) const;
  bool offer(const Json& offer) const;
  bool request(const Json& request) const;
  bool contract(const Json& contract) const;
  bool settlement(const Json& settlement) const;
  bool account(const std::string& participant_hex) const;
  bool metering_point(const std::string& metering_point_id) const;
  // Whether readings of the point may show who submitted them (a sub-meter's are the household's).
  bool sees_submitters(const std::string& metering_point_id) const;
  const Viewer& viewer() const { return viewer_; }
  bool raw_ledger() const { return viewer_.reads_all(); }
  bool kpis() const { return viewer_.reads_all() || viewer_.has("dso") || viewer_.has("tso"); }
  // The full order book of a zone; others see its aggregates.
  bool full_order_book(const std::string& zone_id) const;

  // Who sells (seller and assets) is hidden from viewers who need not know it.
  Hidden hidden_in_offer(const Json& offer) const;
  Hidden hidden_in_asset(const Json& asset) const;
  Json redact_offer(Json offer) const {
    Hidden hidden = hidden_in_offer(offer);
    return apply_hidden(std::move(offer), hidden);
  }
  Json redact_asset(Json asset) const {
    Hidden hidden = hidden_in_asset(asset);
    return apply_hidden(std::move(asset), hidden);
  }

 private:
  bool acts_for_asset(const Json& asset) const;
  bool dso_of_zone(const std::string& zone_id) const;
  bool has_assets_in_zone(const std::string& zone_id) const;
  bool is_supplier_of(const Json& asset) const;
  bool bought_from_seller(const std::string& seller_hex) const;
  std::optional<Json> read(const std::string& key) const;

  const State& state_;
  const Viewer& viewer_;
  mutable std::optional<std::set<std::string, std::less<>>> zones_with_my_assets_;  // computed once per request
  mutable std::optional<std::set<std::string, std::less<>>> sellers_bought_from_;   // likewise
  mutable std::map<std::string, bool, std::less<>> dso_of_zone_;                    // zone id -> answer, likewise
};

}  // namespace flex::api
