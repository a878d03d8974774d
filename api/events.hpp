// The live event stream (GET /api/v1/events, Server-Sent Events). After each block the hub
// turns the block's state writes into events: one "block", and one per offer, request,
// contract (new, filled, activated, settled) and settlement (provisional, disputed, final)
// written. Each subscriber gets only the events its viewer may see (api/access.hpp), through
// a bounded queue: a client too slow to keep up is told so ("event: overflow") and dropped.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "api/access.hpp"
#include "api/http_server.hpp"
#include "node/chain.hpp"

namespace flex::api {

struct Event {
  std::uint64_t sequence = 0;  // the SSE id; resumes with Last-Event-ID
  std::string type;            // block, offer, request, contract, settlement
  std::int64_t height = 0;
  std::string id;              // the resource's id ("" for a block)
  Json record;                 // the record as written (null when removed)
};

class EventHub {
 public:
  static constexpr std::size_t max_queue = 1000;    // per subscriber
  static constexpr std::size_t replay_events = 1000;  // kept for Last-Event-ID

  explicit EventHub(Chain& chain) : chain_(chain) {}
  ~EventHub();

  void publish(std::int64_t height, const WriteSet& writes);
  // A stream for `viewer`, replaying the kept events after `last_event_id` when given. Before
  // each delivery `session_alive` is asked: once it says no (logout, expiry, user removed),
  // the stream sends "event: session_ended" and closes.
  std::shared_ptr<StreamSource> subscribe(Viewer viewer, std::optional<std::uint64_t> last_event_id,
                                          std::function<bool()> session_alive);
  std::size_t subscribers() const;

  class Subscription;

 private:
  // The event's record as `access` may see it (redacted), or nullopt.
  std::optional<Json> visible(const Access& access, const Event& event) const;
  void deliver_to(Subscription& subscription, const std::vector<Event>& events);

  Chain& chain_;
  mutable std::mutex mutex_;
  std::uint64_t next_sequence_ = 1;
  std::deque<Event> recent_;
  std::vector<std::weak_ptr<Subscription>> subscriptions_;
};

// The SSE text of one event: "id: N\nevent: TYPE\ndata: {...}\n\n".
std::string format_event(const Event& event);

}  // namespace flex::api
