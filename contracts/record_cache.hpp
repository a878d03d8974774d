// Decoded state records for read queries. The API answers the same lists many times between
// blocks; parsing each stored record again, copying it into the page and serializing it was
// most of the cost of a list request. A cached record is parsed once and its members are
// serialized once, so a list response is assembled from text.
//
// An entry is used only while the stored text it was decoded from is byte-for-byte the text
// asked about, so the cache needs no invalidation and can never return a stale record: a
// rewritten record misses and is decoded again. Thread-safe (readers share a lock).
//
// Bounded by an estimate of the memory an entry holds (its texts, plus the decoded JSON at a
// multiple of the text). Records above 1/64 of the budget are decoded for each use and never
// kept, so one large record cannot push out thousands of small ones; when the budget is
// spent, entries are evicted in key order from a cursor that moves on, until a quarter of the
// budget is free.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/canonical_json.hpp"

namespace flex {

// The compact serialization the API answers with: members in key order, UTF-8 as is.
std::string json_text(const Json& value);

// A stored record, read-only once made: its JSON (with the id field set) and each top-level
// member serialized as `"key":value`, in key order (json_text of the whole record is
// "{" + the members joined by "," + "}").
struct CachedRecord {
  Json json;
  std::vector<std::pair<std::string, std::string>> members;  // key, `"key":value`
};

// `text` parsed, with `id_field` set to `id`, and its members serialized.
std::shared_ptr<const CachedRecord> decode_record(const std::string& text, const char* id_field, std::string_view id);

class RecordCache {
 public:
  static constexpr std::size_t default_budget_bytes = 64u << 20;

  explicit RecordCache(std::size_t budget_bytes = default_budget_bytes) : budget_bytes_(budget_bytes) {}

  // The record stored under `key` as `text`, with `id_field` set to `id` (the key's suffix,
  // which the stored text does not hold).
  std::shared_ptr<const CachedRecord> decoded(std::string_view key, const std::string& text, const char* id_field, std::string_view id);

  std::size_t size() const;
  std::size_t bytes() const;  // the estimate the budget is checked against

 private:
  struct Entry {
    std::string text;
    std::string id_field;
    std::shared_ptr<const CachedRecord> record;
    std::size_t bytes = 0;
  };

  const std::size_t budget_bytes_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::size_t bytes_ = 0;
  std::string evict_from_;  // the key eviction goes on from
};

}  // namespace flex
