// Login sessions, held in memory (a restart logs everyone out). A session binds a user to
// the participant the node acts as for it. The token is 32 random bytes; only its SHA-256
// is kept, so a memory dump does not hand out live tokens. Each session has its own CSRF
// token, which cookie-authenticated writes must echo in X-CSRF-Token.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ledger/bytes.hpp"
#include "ledger/schnorr.hpp"

namespace flex::api {

struct Session {
  std::string user;
  PublicKey participant{};
  std::string csrf_token;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
};

struct NewSession {
  std::string token;  // given to the client once: as a cookie, or as a bearer token
  Session session;
};

class SessionStore {
 public:
  static constexpr std::size_t max_sessions_per_user = 32;

  // Sessions last `lifetime`; at most `max_sessions` live at once (the oldest-expiring go first).
  SessionStore(std::chrono::seconds lifetime, std::size_t max_sessions);

  NewSession create(const std::string& user, const PublicKey& participant, std::int64_t now_seconds);
  // The live session of a token; expired ones are dropped.
  std::optional<Session> find(std::string_view token, std::int64_t now_seconds);
  void end(std::string_view token);
  // Ends every session of a user (after a password change or removal, say).
  void end_user(const std::string& user);
  std::size_t size() const;

 private:
  std::chrono::seconds lifetime_;
  std::size_t max_sessions_;
  mutable std::mutex mutex_;
  std::map<Hash32, Session> sessions_;  // by SHA-256 of the token
};

}  // namespace flex::api
