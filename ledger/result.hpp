// Result<T>: a value or a Rejection. Rejections are deterministic rule breaks with a
// stable code, identical on every node (STYLE.md "Errors"); local faults are exceptions.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace flex {

struct Rejection {
  std::string code;     // stable, dotted, e.g. "tx.bad_signature"
  std::string message;  // human readable; deterministic (no paths, no clock)
  bool operator==(const Rejection&) const = default;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}
  Result(Rejection rejection) : value_(std::move(rejection)) {}

  bool ok() const { return std::holds_alternative<T>(value_); }
  explicit operator bool() const { return ok(); }

  T& value() { assert(ok()); return std::get<T>(value_); }
  const T& value() const { assert(ok()); return std::get<T>(value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

  const Rejection& rejection() const { assert(!ok()); return std::get<Rejection>(value_); }

 private:
  std::variant<T, Rejection> value_;
};

// Result<void> equivalent: an optional rejection.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Status(Ok{}); }

inline Rejection reject(std::string code, std::string message) {
  return Rejection{std::move(code), std::move(message)};
}

}  // namespace flex
