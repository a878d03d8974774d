#include "api/route_support.hpp"

#include <charconv>

#include "api/csv.hpp"
#include "ledger/limits.hpp"

namespace flex::api {
namespace {

// Replaces invalid UTF-8 (which can come from a request path) instead of throwing.
std::string dump(const Json& body) { return json_text(body); }

std::string to_csv(const std::vector<Json>& items) {
  std::vector<std::string> columns;
  for (const auto& item : items) {
    for (const auto& [name, value] : item.items()) {
      if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
    }
  }
  std::sort(columns.begin(), columns.end());
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + csv_cell(columns[i]);
  out += "\r\n";
  for (const auto& item : items) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i) out += ",";
      if (item.contains(columns[i])) out += csv_cell(item[columns[i]]);
    }
    out += "\r\n";
  }
  return out;
}


// Every parameter is `format` (json or csv) or one `known` accepts; else request.bad_query.
Status check_parameters(const Call& call, const std::function<bool(std::string_view)>& known) {
  for (const auto& [name, value] : call.query) {
    if (name != "format" && !known(name)) return reject("request.bad_query", "unknown query parameter '" + name + "'");
  }
  if (auto format = call.query_text("format"); format && *format != "csv" && *format != "json") {
    return reject("request.bad_query", "format must be json or csv");
  }
  return ok_status();
}

Reply json_text_reply(const Call& call, http::status status, std::string text) {
  Response response{status, call.request.version()};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(text);
  response.prepare_payload();
  return response;
}

}  // namespace

Reply json_reply(const Call& call, http::status status, const Json& body) { return json_text_reply(call, status, dump(body)); }

Reply problem(const Call& call, http::status status, std::string_view code, std::string_view detail) {
  return problem_response(status, call.request.version(), code, detail);
}

Reply rejection_problem(const Call& call, const Rejection& rejection) {
  return problem(call, status_for_code(rejection.code), rejection.code, rejection.message);
}

Reply not_found(const Call& call, std::string_view code, std::string_view what) {
  return problem(call, http::status::not_found, code, "no " + std::string(what) + " you may see");
}

Result<Json> parse_body(const Call& call, std::initializer_list<std::string_view> allowed) {
  // No body at all reads as {}: a DELETE or an action such as /match needs none.
  auto parsed = parse_json_bounded(call.request.body().empty() ? std::string_view("{}") : std::string_view(call.request.body()),
                                   limits::max_transaction_bytes);
  if (!parsed) return parsed.rejection();
  if (!parsed->is_object()) return reject("request.not_object", "the body must be a JSON object");
  for (const auto& [name, value] : parsed->items()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return reject("request.unknown_field", "unknown field '" + name + "'");
    }
  }
  // Integers within [-(2^53-1), 2^53-1] only, as in every signed transaction.
  if (auto integers = check_integer_only(*parsed); !integers) return integers.rejection();
  return parsed;
}

Result<std::optional<std::int64_t>> query_integer(const Call& call, std::string_view name) {
  auto text = call.query_text(name);
  if (!text) return std::optional<std::int64_t>();
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) {
    return reject("request.bad_query", std::string(name) + " must be an integer");
  }
  return std::optional<std::int64_t>(value);
}

Result<std::size_t> query_limit(const Call& call) {
  auto limit = query_integer(call, "limit");
  if (!limit) return limit.rejection();
  if (!*limit) return std::size_t{100};
  if (**limit < 1 || **limit > static_cast<std::int64_t>(max_page_size)) {
    return reject("request.bad_query", "limit must be 1 to " + std::to_string(max_page_size));
  }
  return static_cast<std::size_t>(**limit);
}

Status check_query(const Call& call, std::initializer_list<std::string_view> allowed) {
  return check_parameters(call, [&](std::string_view name) { return std::find(allowed.begin(), allowed.end(), name) != allowed.end(); });
}

Status read_filters(const Call& call, TextFilters text, IntegerFilters integers) {
  auto known = check_parameters(call, [&](std::string_view name) {
    return name == "after" || name == "limit" ||
           std::any_of(text.begin(), text.end(), [&](const auto& filter) { return filter.first == name; }) ||
           std::any_of(integers.begin(), integers.end(), [&](const auto& filter) { return filter.first == name; });
  });
  if (!known) return known;
  for (const auto& [name, target] : text) *target = call.query_text(name);
  for (const auto& [name, target] : integers) {
    auto value = query_integer(call, name);
    if (!value) return value.rejection();
    *target = *value;
  }
  return ok_status();
}

Result<std::pair<std::int64_t, std::int64_t>> query_window(const Call& call, std::int64_t max_span) {
  auto from = query_integer(call, "from");
  auto to = query_integer(call, "to");
  if (!from || !to || !*from || !*to) return reject("request.bad_query", "from and to are required integers (UTC seconds)");
  // Bounds first, so the span below cannot overflow.
  if (**from < 0 || **to > limits::max_json_integer || **to <= **from || **to - **from > max_span) {
    return reject("request.bad_query", "need 0 <= from < to <= 2^53-1, at most " + std::to_string(max_span) + " seconds apart");
  }
  return std::pair{**from, **to};
}

bool wants_csv(const Call& call) {
  if (auto format = call.query_text("format")) return *format == "csv";
  auto accept = call.request.find(http::field::accept);
  return accept != call.request.end() && accept->value().find("text/csv") != std::string_view::npos;
}

Reply page_reply(const Call& call, Page page) {
  if (!wants_csv(call)) {
    Json body = Json::object();
    body["items"] = std::move(page.items);  // moved, not copied: a page may hold 500 records
    body["next_after"] = page.next_after ? Json(*page.next_after) : Json();
    return json_reply(call, http::status::ok, body);
  }
  Response response{http::status::ok, call.request.version()};
  response.set(http::field::content_type, "text/csv; charset=utf-8");
  response.set(http::field::cache_control, "no-store");
  if (page.next_after) response.set("X-Next-After", *page.next_after);
  response.body() = to_csv(page.items);
  response.prepare_payload();
  return response;
}

void append_record_text(std::string& out, const CachedRecord& record, const Hidden& hidden) {
  out += '{';
  bool first = true;
  for (const auto& [key, text] : record.members) {
    if (std::find(hidden.removed.begin(), hidden.removed.end(), key) != hidden.removed.end()) continue;
    if (!first) out += ',';
    first = false;
    bool redacted = std::find(hidden.redacted.begin(), hidden.redacted.end(), key) != hidden.redacted.end();
    out += redacted ? dump(Json(key)) + R"(:"redacted")" : text;
  }
  out += '}';
}

Reply records_reply(const Call& call, const Page& page, const std::vector<Hidden>& hidden) {
  if (wants_csv(call)) {
    std::vector<Json> items;
    for (std::size_t i = 0; i < page.records.size(); ++i) items.push_back(apply_hidden(page.records[i]->json, hidden[i]));
    return page_reply(call, Page{std::move(items), page.next_after, {}});
  }
  // The text json_reply would send for {"items":[...],"next_after":...}, put together from
  // the records' serialized members.
  std::string body = R"({"items":[)";
  for (std::size_t i = 0; i < page.records.size(); ++i) {
    if (i > 0) body += ',';
    append_record_text(body, *page.records[i], hidden[i]);
  }
  body += R"(],"next_after":)";
  body += page.next_after ? dump(Json(*page.next_after)) : "null";
  body += '}';
  return json_text_reply(call, http::status::ok, std::move(body));
}

Reply items_reply(const Call& call, std::vector<Json> items) { return page_reply(call, Page{std::move(items), std::nullopt, {}}); }

std::optional<Json> visible_record(const State& state, const Access& access, const std::string& key, const char* id_field,
                                   const std::string& id, VisibilityRule rule, Redaction redact) {
  auto stored = state.get(key);
  if (!stored) return std::nullopt;
  Json record = Json::parse(*stored);
  record[id_field] = id;
  if (!(access.*rule)(record)) return std::nullopt;
  return redact ? (access.*redact)(std::move(record)) : std::move(record);
}

ResourceReader reader_of(std::string key, const char* id_field, std::string id, VisibilityRule rule, Redaction redact) {
  return [key = std::move(key), id_field, id = std::move(id), rule, redact](const State& state, const Access& access) {
    return visible_record(state, access, key, id_field, id, rule, redact);
  };
}

std::optional<Reply> require_visible(Call& call, std::string_view type, const std::string& key, const char* id_field,
                                     VisibilityRule rule, std::string_view code) {
  const auto& roles = call.viewer->roles;
  if (std::none_of(roles.begin(), roles.end(), [&](const std::string& role) { return role_may_submit(type, role); })) {
    return std::nullopt;
  }
  const std::string& id = call.param("id");
  bool visible = with_access(call, [&](const State& state, const Access& access) {
    return visible_record(state, access, key, id_field, id, rule).has_value();
  });
  if (visible) return std::nullopt;
  return not_found(call, code, std::string(id_field) + " " + id);
}

Reply signed_write(Call& call, const std::string& type, Json payload, http::status created, ResourceReader reader) {
  NodeSigner& signer = call.api.signer();
  auto submitted = signer.submit(call.viewer->participant, type, std::move(payload));
  if (!submitted) return rejection_problem(call, submitted.rejection());
  std::string id_hex = to_hex(submitted->id);
  auto stored = signer.wait_committed(submitted->id, call.api.options().write_wait);
  if (!stored) return json_reply(call, http::status::accepted, Json{{"status", "pending"}, {"tx_id", id_hex}});
  // The state moved between the dry run and the block (another write won a race): say so.
  if (!stored->receipt.ok()) return rejection_problem(call, Rejection{stored->receipt.code, stored->receipt.message});
  Json body{{"height", stored->height}, {"result", {{"code", "ok"}}}, {"status", "committed"}, {"tx_id", id_hex}};
  if (reader) {
    auto resource = with_access(call, [&](const State& state, const Access& access) { return reader(state, access); });
    if (resource) body["resource"] = *resource;
  }
  return json_reply(call, created, body);
}

}  // namespace flex::api
