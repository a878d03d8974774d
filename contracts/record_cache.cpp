#include "contracts/record_cache.hpp"

#include <mutex>

namespace flex {

std::string json_text(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

namespace {

std::shared_ptr<const CachedRecord> decode(const std::string& text, const char* id_field, std::string_view id) {
  auto record = std::make_shared<CachedRecord>();
  record->json = Json::parse(text);
  record->json[id_field] = std::string(id);
  if (record->json.is_object()) {
    for (const auto& [key, value] : record->json.items()) record->members.emplace_back(key, json_text(Json(key)) + ":" + json_text(value));
  }
  return record;
}

}  // namespace

std::shared_ptr<const CachedRecord> RecordCache::decoded(std::string_view key, const std::string& text, const char* id_field,
                                                         std::string_view id) {
  {
    std::shared_lock lock(mutex_);
    auto found = entries_.find(key);
    if (found != entries_.end() && found->second.text == text && found->second.id_field == id_field) return found->second.record;
  }
  auto record = decode(text, id_field, id);
  if (text.size() > max_text_bytes_) return record;  // never cached; nothing of this size is stored today
  std::unique_lock lock(mutex_);
  auto found = entries_.find(key);
  if (found != entries_.end()) {
    text_bytes_ -= found->second.text.size();
    entries_.erase(found);
  }
  if (text_bytes_ + text.size() > max_text_bytes_) {
    entries_.clear();
    text_bytes_ = 0;
  }
  entries_.emplace(std::string(key), Entry{text, id_field, record});
  text_bytes_ += text.size();
  return record;
}

std::size_t RecordCache::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

RecordCache& query_record_cache() {
  static RecordCache cache(4u << 20);
  return cache;
}

}  // namespace flex
