// POST /auth/login, POST /auth/logout, GET /auth/me. Browsers get an HttpOnly, SameSite=Strict
// cookie and a CSRF token to echo on writes; scripts ask for "mode":"bearer" and get the token.
#include <atomic>

#include "api/route_support.hpp"

namespace flex::api {
namespace {

Json me_json(const Call& call, const Session& session, const Viewer& viewer) {
  Json roles = Json::array();
  for (const auto& role : viewer.roles) roles.push_back(role);
  return Json{{"csrf_token", session.csrf_token}, {"expires_at", session.expires_at}, {"participant", viewer.participant_hex},
              {"roles", roles}, {"can_sign", viewer.can_sign}, {"user", session.user},
              {"node_participant", to_hex(call.api.signer().keyring().node_participant())}};
}

std::string session_cookie(const Call& call, const std::string& value, std::int64_t max_age) {
  std::string cookie = "flex_session=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (call.api.options().secure_cookies) cookie += "; Secure";
  return cookie;
}

// Each login costs one scrypt (about 0.1 s and 32 MiB): a few at a time, so a flood of
// logins cannot take every server thread or much memory.
constexpr int max_concurrent_logins = 2;
std::atomic<int> logins_in_progress{0};

Reply login(Call& call) {
  if (logins_in_progress.fetch_add(1) >= max_concurrent_logins) {
    logins_in_progress.fetch_sub(1);
    Reply busy = problem(call, http::status::service_unavailable, "auth.busy", "too many logins at once; retry in a second");
    busy.response.set(http::field::retry_after, "1");
    return busy;
  }
  struct Release {
    ~Release() { logins_in_progress.fetch_sub(1); }
  } release;
  auto body = parse_body(call, {"mode", "password", "user"});
  if (!body) return rejection_problem(call, body.rejection());
  if (!(*body)["user"].is_string() || !(*body)["password"].is_string()) {
    return problem(call, http::status::bad_request, "request.invalid", "user and password are required strings");
  }
  std::string mode = body->value("mode", std::string("cookie"));
  if (mode != "cookie" && mode != "bearer") return problem(call, http::status::bad_request, "request.invalid", "mode is cookie or bearer");
  auto user = call.api.users().authenticate((*body)["user"].get<std::string>(), (*body)["password"].get<std::string>());
  if (!user) return problem(call, http::status::unauthorized, "auth.bad_credentials", "unknown user or wrong password");
  auto participant = from_hex_fixed<32>(user->participant_hex);
  if (!participant) return problem(call, http::status::internal_server_error, "auth.bad_user", "the user's participant key is malformed");
  NewSession created = call.api.sessions().create(user->name, *participant, call.api.clock().now_seconds());
  bool holds_key = call.api.signer().holds_key(*participant);
  Viewer viewer = call.api.chain().read_state([&](const State& state) { return make_viewer(state, created.session, holds_key); });
  Json body_out = me_json(call, created.session, viewer);
  if (mode == "bearer") body_out["token"] = created.token;
  Reply reply = json_reply(call, http::status::ok, body_out);
  if (mode == "cookie") {
    reply.response.set(http::field::set_cookie, session_cookie(call, created.token, call.api.options().session_lifetime.count()));
  }
  return reply;
}

Reply logout(Call& call) {
  call.api.sessions().end(*call.session_token);
  Reply reply = json_reply(call, http::status::ok, Json{{"status", "logged_out"}});
  reply.response.set(http::field::set_cookie, session_cookie(call, "", 0));
  return reply;
}

Reply me(Call& call) { return json_reply(call, http::status::ok, me_json(call, *call.session, *call.viewer)); }

}  // namespace

void add_auth_routes(Api& api) {
  api.add(http::verb::post, "/api/v1/auth/login", RouteAccess::Public, login);
  api.add(http::verb::post, "/api/v1/auth/logout", RouteAccess::Session, logout);
  api.add(http::verb::get, "/api/v1/auth/me", RouteAccess::Session, me);
}

}  // namespace flex::api
