// Helpers every route file uses: responses, problems, bodies, query parameters, lists (JSON
// or CSV) and node-signed writes.
#pragma once

#include <initializer_list>
#include <stdexcept>

#include "api/api.hpp"
#include "contracts/queries.hpp"
#include "contracts/record_cache.hpp"

namespace flex::api {

Reply json_reply(const Call& call, http::status status, const Json& body);
Reply problem(const Call& call, http::status status, std::string_view code, std::string_view detail);
Reply rejection_problem(const Call& call, const Rejection& rejection);
// 404 with `code`: for a record that does not exist and for one the viewer may not see alike.
Reply not_found(const Call& call, std::string_view code, std::string_view what);

// The body as a JSON object holding only `allowed` members, integers only. Codes:
// encoding.* (not JSON, too deep, too large, a number with a fraction or exponent, an
// integer beyond 2^53-1), request.not_object, request.unknown_field.
Result<Json> parse_body(const Call& call, std::initializer_list<std::string_view> allowed);

// Query parameters. Codes: request.bad_query.
Result<std::optional<std::int64_t>> query_integer(const Call& call, std::string_view name);
Result<std::size_t> query_limit(const Call& call);
// Rejects parameters the route does not take (request.bad_query), so a typo never silently
// returns everything.
Status check_query(const Call& call, std::initializer_list<std::string_view> allowed);

// Reads the filters a list takes into its query; `after`, `limit` and `format` are always
// allowed, any other parameter is request.bad_query (as is a non-integer integer filter).
using TextFilters = std::initializer_list<std::pair<std::string_view, std::optional<std::string>*>>;
using IntegerFilters = std::initializer_list<std::pair<std::string_view, std::optional<std::int64_t>*>>;
Status read_filters(const Call& call, TextFilters text, IntegerFilters integers = {});

// A required window [from, to) of UTC seconds: 0 <= from < to <= 2^53-1 and to - from <=
// max_span. Codes: request.bad_query.
Result<std::pair<std::int64_t, std::int64_t>> query_window(const Call& call, std::int64_t max_span);

// Whether the client asked for CSV: ?format=csv or Accept: text/csv.
bool wants_csv(const Call& call);
// A page of records: {"items":[...],"next_after":S|null}, or CSV with one column per member
// (nested values as JSON text) and the cursor in an X-Next-After header.
Reply page_reply(const Call& call, Page page);
Reply items_reply(const Call& call, std::vector<Json> items);

using VisibilityRule = bool (Access::*)(const Json&) const;
using Redaction = Json (Access::*)(Json) const;
using ResourceReader = std::function<std::optional<Json>(const State&, const Access&)>;

// The record at `key` (with `id_field` set to `id`) when the viewer may see it, redacted.
std::optional<Json> visible_record(const State& state, const Access& access, const std::string& key, const char* id_field,
                                   const std::string& id, VisibilityRule rule, Redaction redact = nullptr);
// Reads a record back after a write, through the same rule and redaction as a GET.
ResourceReader reader_of(std::string key, const char* id_field, std::string id, VisibilityRule rule, Redaction redact = nullptr);
// A write naming a record in its path goes ahead only if the viewer may see that record, so
// a write never tells apart "exists but not yours" from "does not exist": nullopt to go on,
// else the 404 problem.
// (Checked only when a role of the viewer may submit `type` at all; otherwise the dry run
// answers auth.role_required, as for any write.)
std::optional<Reply> require_visible(Call& call, std::string_view type, const std::string& key, const char* id_field,
                                     VisibilityRule rule, std::string_view code);

// Signs `payload` as `type` for the viewer, dry-runs it, submits it and waits for its block.
// 200/201 with {"tx_id","height","result"} (and `resource`, read after the block, when a
// reader is given); the contract's problem if it is rejected; 202 if the block is late.
Reply signed_write(Call& call, const std::string& type, Json payload, http::status created = http::status::ok,
                   ResourceReader reader = nullptr);

// Reads under the chain's shared lock with this call's access rules.
template <class Read>
auto with_access(Call& call, Read&& read) {
  return call.api.chain().read_state([&](const State& state) {
    Access access(state, *call.viewer);
    return read(state, access);
  });
}


// Appends json_text(apply_hidden(record.json, hidden)), made from the record's serialized members.
void append_record_text(std::string& out, const CachedRecord& record, const Hidden& hidden);
// A page of shared records as JSON or CSV, each without what its Hidden hides.
Reply records_reply(const Call& call, const Page& page, const std::vector<Hidden>& hidden);

using HiddenRule = Hidden (Access::*)(const Json&) const;

// A page of `find(state, query)` holding only what `rule` lets the viewer see (checked
// before paging, so pages stay full); `hide` says what of each record the viewer does not
// get, and `omitted` lists members no list shows. The records are the decoded-record
// cache's own, serialized without a copy.
template <class Query, class Find>
Reply list_visible(Call& call, Query query, Find find, VisibilityRule rule, HiddenRule hide = nullptr,
                   std::vector<std::string> omitted = {}) {
  auto limit = query_limit(call);
  if (!limit) return rejection_problem(call, limit.rejection());
  query.limit = *limit;
  query.after = call.query_text("after");
  query.shared_records = true;
  query.cache = &call.api.record_cache();
  std::vector<Hidden> hidden;
  Page page = with_access(call, [&](const State& state, const Access& access) {
    if (rule) query.visible = [&](const Json& record) { return (access.*rule)(record); };
    Page found = find(state, query);
    if (!found.items.empty()) throw std::logic_error("a list query ignored shared_records");  // it would answer an empty page
    for (const auto& record : found.records) {
      Hidden record_hidden = hide ? (access.*hide)(record->json) : Hidden{};
      record_hidden.removed.insert(record_hidden.removed.end(), omitted.begin(), omitted.end());
      hidden.push_back(std::move(record_hidden));
    }
    return found;
  });
  return records_reply(call, page, hidden);
}

}  // namespace flex::api
