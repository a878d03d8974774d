#include "contracts/record_cache.hpp"

#include <mutex>

namespace flex {

std::shared_ptr<const Json> RecordCache::decoded(std::string_view key, const std::string& text, const char* id_field,
                                                 std::string_view id) {
  {
    std::shared_lock lock(mutex_);
    auto found = entries_.find(key);
    if (found != entries_.end() && found->second.text == text && found->second.id_field == id_field) return found->second.record;
  }
  auto record = std::make_shared<Json>(Json::parse(text));
  (*record)[id_field] = std::string(id);
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
