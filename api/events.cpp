#include "api/events.hpp"

namespace flex::api {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 5> event_prefixes = {
    {{"asset/", "asset"}, {"contract/", "contract"}, {"offer/", "offer"}, {"request/", "request"}, {"settlement/", "settlement"}}};

}  // namespace

std::string format_event(const Event& event) {
  Json data{{"height", event.height}, {"id", event.id}, {"record", event.record}, {"type", event.type}};
  return "id: " + std::to_string(event.sequence) + "\nevent: " + event.type + "\ndata: " +
         data.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n\n";
}

class EventHub::Subscription final : public StreamSource {
 public:
  Subscription(Viewer viewer, std::function<bool()> session_alive)
      : viewer_(std::move(viewer)), session_alive_(std::move(session_alive)) {}
  const Viewer& viewer() const { return viewer_; }
  bool session_alive() const { return !session_alive_ || session_alive_(); }

  // Ends the stream after a last event saying why.
  void finish(std::string last_event) {
    std::function<void(std::optional<std::string>)> deliver;
    std::optional<std::string> chunk;
    {
      std::lock_guard lock(mutex_);
      if (closed_ || ending_) return;
      pending_.push_back(std::move(last_event));
      ending_ = true;
      if (!waiting_) return;
      deliver = std::move(waiting_);
      waiting_ = nullptr;
      chunk = take_locked();
    }
    deliver(std::move(chunk));
  }

  void next(std::function<void(std::optional<std::string>)> deliver) override {
    std::unique_lock lock(mutex_);
    if (closed_ || !pending_.empty() || ending_) {
      std::optional<std::string> chunk = take_locked();
      lock.unlock();
      deliver(std::move(chunk));
      return;
    }
    waiting_ = std::move(deliver);
  }

  void close() override {
    std::lock_guard lock(mutex_);
    closed_ = true;
    waiting_ = nullptr;
  }

  // Queues events (already filtered); ends the stream when the queue would overflow.
  void push(std::vector<std::string> chunks) {
    std::function<void(std::optional<std::string>)> deliver;
    std::optional<std::string> chunk;
    {
      std::lock_guard lock(mutex_);
      if (closed_ || ending_) return;
      for (auto& text : chunks) {
        if (pending_.size() >= EventHub::max_queue) {
          pending_.clear();
          pending_.push_back("event: overflow\ndata: {\"reason\":\"the client did not keep up; reconnect with Last-Event-ID\"}\n\n");
          ending_ = true;
          break;
        }
        pending_.push_back(std::move(text));
      }
      if (!waiting_) return;
      deliver = std::move(waiting_);
      waiting_ = nullptr;
      chunk = take_locked();
    }
    deliver(std::move(chunk));
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  // Everything queued as one chunk; nullopt once closed or drained after an overflow.
  std::optional<std::string> take_locked() {
    if (closed_ || pending_.empty()) return std::nullopt;
    std::string chunk;
    for (auto& text : pending_) chunk += text;
    pending_.clear();
    if (ending_) closed_ = true;
    return chunk;
  }

  Viewer viewer_;
  std::function<bool()> session_alive_;
  mutable std::mutex mutex_;
  std::deque<std::string> pending_;
  std::function<void(std::optional<std::string>)> waiting_;
  bool closed_ = false;
  bool ending_ = false;
};

EventHub::~EventHub() = default;

std::optional<Json> EventHub::visible(const Access& access, const Event& event) const {
  if (event.type == "block") return event.record;
  if (event.record.is_null()) return access.viewer().reads_all() ? std::optional<Json>(event.record) : std::nullopt;
  if (event.type == "asset") return access.asset(event.record) ? std::optional(access.redact_asset(event.record)) : std::nullopt;
  if (event.type == "offer") return access.offer(event.record) ? std::optional(access.redact_offer(event.record)) : std::nullopt;
  if (event.type == "request") return access.request(event.record) ? std::optional(event.record) : std::nullopt;
  if (event.type == "contract") return access.contract(event.record) ? std::optional(event.record) : std::nullopt;
  if (event.type == "settlement") return access.settlement(event.record) ? std::optional(event.record) : std::nullopt;
  return std::nullopt;
}

void EventHub::publish(std::int64_t height, const WriteSet& writes) {
  std::vector<Event> events;
  std::lock_guard lock(mutex_);
  events.push_back(Event{next_sequence_++, "block", height, "", Json{{"height", height}}});
  for (const auto& [key, value] : writes) {
    for (const auto& [prefix, type] : event_prefixes) {
      if (!key.starts_with(prefix)) continue;
      std::string id = key.substr(prefix.size());
      Json record = value ? Json::parse(*value) : Json();
      events.push_back(Event{next_sequence_++, std::string(type), height, id, std::move(record)});
    }
  }
  for (const auto& event : events) {
    recent_.push_back(event);
    if (recent_.size() > replay_events) recent_.pop_front();
  }
  std::erase_if(subscriptions_, [](const std::weak_ptr<Subscription>& weak) {
    auto subscription = weak.lock();
    return !subscription || subscription->closed();
  });
  for (const auto& weak : subscriptions_) {
    if (auto subscription = weak.lock()) deliver_to(*subscription, events);
  }
}

void EventHub::deliver_to(Subscription& subscription, const std::vector<Event>& events) {
  if (!subscription.session_alive()) {
    subscription.finish("event: session_ended\ndata: {\"reason\":\"the session ended; log in again\"}\n\n");
    return;
  }
  std::vector<std::string> chunks;
  chain_.read_state([&](const State& state) {
    Access access(state, subscription.viewer());  // one per subscriber and block: its caches serve every event
    for (const auto& event : events) {
      auto record = visible(access, event);
      if (!record) continue;
      Event shown = event;
      shown.record = std::move(*record);
      chunks.push_back(format_event(shown));
    }
    return 0;
  });
  if (!chunks.empty()) subscription.push(std::move(chunks));
}

std::shared_ptr<StreamSource> EventHub::subscribe(Viewer viewer, std::optional<std::uint64_t> last_event_id,
                                                  std::function<bool()> session_alive) {
  auto subscription = std::make_shared<Subscription>(std::move(viewer), std::move(session_alive));
  std::lock_guard lock(mutex_);
  // A comment first, so the client sees the stream open at once.
  subscription->push({": connected\n\n"});
  if (last_event_id) {
    std::vector<Event> missed;
    for (const auto& event : recent_) {
      if (event.sequence > *last_event_id) missed.push_back(event);
    }
    deliver_to(*subscription, missed);
  }
  subscriptions_.push_back(subscription);
  return subscription;
}

std::size_t EventHub::subscribers() const {
  std::lock_guard lock(mutex_);
  return subscriptions_.size();
}

}  // namespace flex::api
