// Accounts, their history, and the operator's money writes: deposits (mint against fiat),
// withdrawals (burn), transfers and credit lines.
#include <charconv>

#include "api/route_support.hpp"

namespace flex::api {
namespace {

Reply get_account(Call& call) {
  const std::string& id = call.param("participant");
  auto account = with_access(call, [&](const State& state, const Access& access) -> std::optional<Json> {
    if (!access.account(id)) return std::nullopt;
    return account_view(state, id);
  });
  if (!account) return not_found(call, "account.not_found", "account " + id);
  return json_reply(call, http::status::ok, *account);
}

// The transactions naming the participant, newest first; the cursor is "HEIGHT:POSITION".
Reply list_account_transfers(Call& call) {
  const std::string& id = call.param("participant");
  if (auto checked = check_query(call, {"after", "limit"}); !checked) return rejection_problem(call, checked.rejection());
  bool visible = with_access(call, [&](const State& state, const Access& access) {
    return access.account(id) && state.get("participant/" + id).has_value();
  });
  if (!visible) return not_found(call, "account.not_found", "account " + id);
  auto limit = query_limit(call);
  if (!limit) return rejection_problem(call, limit.rejection());
  std::optional<std::pair<std::int64_t, std::int64_t>> before;
  if (auto after = call.query_text("after")) {
    std::int64_t height = 0, position = 0;
    std::size_t colon = after->find(':');
    auto first = std::from_chars(after->data(), after->data() + std::min(colon, after->size()), height);
    auto second = colon == std::string::npos ? first : std::from_chars(after->data() + colon + 1, after->data() + after->size(), position);
    if (colon == std::string::npos || first.ec != std::errc() || second.ec != std::errc() ||
        second.ptr != after->data() + after->size()) {
      return problem(call, http::status::bad_request, "request.bad_query", "after must be HEIGHT:POSITION");
    }
    before = std::pair{height, position};
  }
  Page page;
  for (const auto& row : call.api.chain().transactions_naming(id, before, *limit + 1)) {
    if (page.items.size() == *limit) {
      const Json& last = page.items.back();
      page.next_after = std::to_string(last["height"].get<std::int64_t>()) + ":" + std::to_string(last["position"].get<std::int64_t>());
      break;
    }
    Json tx = Json::parse(row.body);
    page.items.push_back(Json{{"height", row.height}, {"id", row.id_hex}, {"payload", tx["payload"]}, {"position", row.position},
                              {"result", row.receipt.code}, {"signer", tx["signer"]}, {"type", tx["type"]}});
  }
  return page_reply(call, std::move(page));
}

Reply list_credit_lines(Call& call) {
  if (auto checked = check_query(call, {"after", "limit"}); !checked) return rejection_problem(call, checked.rejection());
  auto limit = query_limit(call);
  if (!limit) return rejection_problem(call, limit.rejection());
  auto after = call.query_text("after");
  Page page = with_access(call, [&](const State& state, const Access& access) {
    Page result;
    const auto& entries = state.entries();
    for (auto it = after ? entries.upper_bound("account/" + *after) : entries.lower_bound("account/");
         it != entries.end() && it->first.starts_with("account/"); ++it) {
      std::string participant = it->first.substr(8);
      Json account = Json::parse(it->second);
      if (account.value("credit_limit_micro", std::int64_t{0}) == 0 || !access.account(participant)) continue;
      if (result.items.size() == *limit) {
        result.next_after = result.items.back()["participant"].get<std::string>();
        break;
      }
      result.items.push_back(Json{{"credit_limit_micro", account["credit_limit_micro"]}, {"participant", participant}});
    }
    return result;
  });
  return page_reply(call, std::move(page));
}

Reply money_write(Call& call, const char* type, std::initializer_list<std::string_view> fields) {
  auto body = parse_body(call, fields);
  if (!body) return rejection_problem(call, body.rejection());
  return signed_write(call, type, std::move(*body), http::status::created);
}

}  // namespace

void add_money_routes(Api& api) {
  using enum RouteAccess;
  api.add(http::verb::get, "/api/v1/accounts/{participant}", Session, get_account);
  api.add(http::verb::get, "/api/v1/accounts/{participant}/transfers", Session, list_account_transfers);
  api.add(http::verb::post, "/api/v1/deposits", Signer,
          [](Call& call) { return money_write(call, "token.mint", {"amount_micro", "fiat_reference", "to"}); });
  api.add(http::verb::post, "/api/v1/withdrawals", Signer,
          [](Call& call) { return money_write(call, "token.burn", {"amount_micro", "fiat_reference", "from"}); });
  api.add(http::verb::post, "/api/v1/transfers", Signer,
          [](Call& call) { return money_write(call, "token.transfer", {"amount_micro", "memo", "to"}); });
  api.add(http::verb::get, "/api/v1/credit-lines", Session, list_credit_lines);
  api.add(http::verb::post, "/api/v1/credit-lines", Signer,
          [](Call& call) { return money_write(call, "account.set_credit_line", {"limit_micro", "public_key"}); });
}

}  // namespace flex::api
