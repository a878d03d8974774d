#include "api/sessions.hpp"

#include <algorithm>

#include "ledger/hash.hpp"
#include "node/keyfile.hpp"

namespace flex::api {
namespace {
Hash32 token_digest(std::string_view token) { return sha256(token); }
}  // namespace

SessionStore::SessionStore(std::chrono::seconds lifetime, std::size_t max_sessions)
    : lifetime_(lifetime), max_sessions_(std::max<std::size_t>(1, max_sessions)) {}

NewSession SessionStore::create(const std::string& user, const PublicKey& participant, std::int64_t now_seconds) {
  NewSession created{to_hex(random_bytes32()),
                     Session{user, participant, to_hex(random_bytes32()), now_seconds, now_seconds + lifetime_.count()}};
  std::lock_guard lock(mutex_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.expires_at <= now_seconds ? sessions_.erase(it) : std::next(it);
  }
  // One user's logins cannot push out everyone else's: beyond its own cap, its own oldest go.
  auto of_user = [&] {
    return std::count_if(sessions_.begin(), sessions_.end(), [&](const auto& entry) { return entry.second.user == user; });
  };
  while (of_user() >= static_cast<std::ptrdiff_t>(max_sessions_per_user)) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [&](const auto& a, const auto& b) {
      return (a.second.user == user) > (b.second.user == user) ||
             ((a.second.user == user) == (b.second.user == user) && a.second.expires_at < b.second.expires_at);
    });
    sessions_.erase(oldest);
  }
  while (sessions_.size() >= max_sessions_) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(),
                                   [](const auto& a, const auto& b) { return a.second.expires_at < b.second.expires_at; });
    sessions_.erase(oldest);
  }
  sessions_[token_digest(created.token)] = created.session;
  return created;
}

std::optional<Session> SessionStore::find(std::string_view token, std::int64_t now_seconds) {
  std::lock_guard lock(mutex_);
  auto found = sessions_.find(token_digest(token));
  if (found == sessions_.end()) return std::nullopt;
  if (found->second.expires_at <= now_seconds) {
    sessions_.erase(found);
    return std::nullopt;
  }
  return found->second;
}

void SessionStore::end(std::string_view token) {
  std::lock_guard lock(mutex_);
  sessions_.erase(token_digest(token));
}

void SessionStore::end_user(const std::string& user) {
  std::lock_guard lock(mutex_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.user == user ? sessions_.erase(it) : std::next(it);
  }
}

std::size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace flex::api
