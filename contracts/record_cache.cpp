#include "contracts/record_cache.hpp"

#include <mutex>

namespace flex {
namespace {

// nlohmann's tree (map nodes, strings, vectors) takes several times the text it came from.
constexpr std::size_t decoded_bytes_per_text_byte = 6;
constexpr std::size_t largest_kept_share = 64;  // records above budget / 64 are not kept

std::size_t estimated_bytes(std::string_view key, const std::string& text, const CachedRecord& record) {
  std::size_t members = 0;
  for (const auto& [name, serialized] : record.members) members += name.size() + serialized.size();
  return 2 * key.size() + text.size() * (1 + decoded_bytes_per_text_byte) + members;
}

}  // namespace

std::string json_text(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::shared_ptr<const CachedRecord> decode_record(const std::string& text, const char* id_field, std::string_view id) {
  auto record = std::make_shared<CachedRecord>();
  record->json = Json::parse(text);
  record->json[id_field] = std::string(id);
  if (record->json.is_object()) {
    for (const auto& [key, value] : record->json.items()) record->members.emplace_back(key, json_text(Json(key)) + ":" + json_text(value));
  }
  return record;
}

std::shared_ptr<const CachedRecord> RecordCache::decoded(std::string_view key, const std::string& text, const char* id_field,
                                                         std::string_view id) {
  {
    std::shared_lock lock(mutex_);
    auto found = entries_.find(key);
    if (found != entries_.end() && found->second.text == text && found->second.id_field == id_field) return found->second.record;
  }
  auto record = decode_record(text, id_field, id);
  const std::size_t bytes = estimated_bytes(key, text, *record);
  if (bytes > budget_bytes_ / largest_kept_share) return record;
  std::vector<Entry> evicted;  // freed after the lock is released
  {
    std::unique_lock lock(mutex_);
    if (auto found = entries_.find(key); found != entries_.end()) {
      bytes_ -= found->second.bytes;
      evicted.push_back(std::move(found->second));
      entries_.erase(found);
    }
    if (bytes_ + bytes > budget_bytes_) {
      auto it = entries_.lower_bound(evict_from_);
      while (!entries_.empty() && bytes_ + bytes > budget_bytes_ - budget_bytes_ / 4) {
        if (it == entries_.end()) it = entries_.begin();
        bytes_ -= it->second.bytes;
        evicted.push_back(std::move(it->second));
        it = entries_.erase(it);
      }
      evict_from_ = it == entries_.end() ? std::string() : it->first;
    }
    entries_.emplace(std::string(key), Entry{text, id_field, record, bytes});
    bytes_ += bytes;
  }
  return record;
}

std::size_t RecordCache::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

std::size_t RecordCache::bytes() const {
  std::shared_lock lock(mutex_);
  return bytes_;
}

}  // namespace flex
