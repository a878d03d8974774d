// Decoded state records for read queries. The API answers the same lists many times between
// blocks; parsing each stored record again, copying it into the page and serializing it was
// most of the cost of a list request. A cached record is parsed once and its members are
// serialized once, so a list response is assembled from text.
//
// An entry is used only while the stored text it was decoded from is byte-for-byte the text
// asked about, so the cache needs no invalidation and can never return a stale record: a
// rewritten record misses and is decoded again. Thread-safe (readers share a lock). Bounded:
// when the cached text passes the byte budget the cache starts again from empty.
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

class RecordCache {
 public:
  explicit RecordCache(std::size_t max_text_bytes) : max_text_bytes_(max_text_bytes) {}

  // The record stored under `key` as `text`, with `id_field` set to `id` (the key's suffix,
  // which the stored text does not hold).
  std::shared_ptr<const CachedRecord> decoded(std::string_view key, const std::string& text, const char* id_field, std::string_view id);

  std::size_t size() const;

 private:
  struct Entry {
    std::string text;
    std::string id_field;
    std::shared_ptr<const CachedRecord> record;
  };

  const std::size_t max_text_bytes_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::size_t text_bytes_ = 0;
};

// The process's cache for the list queries of contracts/queries.hpp: 4 MiB of record text,
// some 40 MB once decoded and serialized.
RecordCache& query_record_cache();

}  // namespace flex
