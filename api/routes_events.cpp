// GET /events: the Server-Sent Events stream (api/events.hpp).
#include <charconv>

#include "api/events.hpp"
#include "api/route_support.hpp"

namespace flex::api {
namespace {

Reply events(Call& call) {
  std::optional<std::uint64_t> last_event_id;
  if (auto header = call.request.find("Last-Event-ID"); header != call.request.end()) {
    std::uint64_t value = 0;
    std::string_view text = header->value();
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) last_event_id = value;
  }
  Reply reply;
  reply.response = Response{http::status::ok, call.request.version()};
  reply.response.set(http::field::content_type, "text/event-stream");
  reply.response.set(http::field::cache_control, "no-store");
  Api& api = call.api;
  std::string token = *call.session_token, user = call.session->user;
  reply.stream = api.events().subscribe(*call.viewer, last_event_id, [&api, token, user] {
    return api.sessions().find(token, api.clock().now_seconds()).has_value() && api.users().find(user).has_value();
  });
  return reply;
}

}  // namespace

void add_event_routes(Api& api) { api.add(http::verb::get, "/api/v1/events", RouteAccess::Session, events); }

}  // namespace flex::api
