// Decoded state records for read queries. The API answers the same lists many times between
// blocks; parsing each stored record again was most of the cost of a list request.
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

#include "ledger/canonical_json.hpp"

namespace flex {

class RecordCache {
 public:
  explicit RecordCache(std::size_t max_text_bytes) : max_text_bytes_(max_text_bytes) {}

  // The record stored under `key` as `text`, parsed, with `id_field` set to `id` (the key's
  // suffix, which the stored text does not hold).
  std::shared_ptr<const Json> decoded(std::string_view key, const std::string& text, const char* id_field, std::string_view id);

  std::size_t size() const;

 private:
  struct Entry {
    std::string text;
    std::string id_field;
    std::shared_ptr<const Json> record;
  };

  const std::size_t max_text_bytes_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::size_t text_bytes_ = 0;
};

// The process's cache for the list queries of contracts/queries.hpp: 4 MiB of record text,
// some 30 MB once decoded.
RecordCache& query_record_cache();

}  // namespace flex
