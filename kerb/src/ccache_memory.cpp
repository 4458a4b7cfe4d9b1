// The MEMORY credentials cache: contents held in the process, shared by every handle to the
// same name through a process-wide registry, never written to disk.
#include <kerb/ccache.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <utility>

namespace kerb {

struct MemoryCcache::State {
  std::mutex mutex;
  std::optional<CcacheContents> contents;  // nullopt: not initialised
};

namespace {

struct MemoryRegistry {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<MemoryCcache::State>, std::less<>> caches;
};

MemoryRegistry& memory_registry() {
  static MemoryRegistry registry;
  return registry;
}

}  // namespace

std::shared_ptr<MemoryCcache> MemoryCcache::resolve(std::string_view name) {
  MemoryRegistry& registry = memory_registry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto it = registry.caches.find(name);
  if (it == registry.caches.end()) {
    it = registry.caches.emplace(std::string(name), std::make_shared<State>()).first;
  }
  return std::shared_ptr<MemoryCcache>(new MemoryCcache(std::string(name), it->second));
}

Result<void> MemoryCcache::destroy() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->contents.reset();
  }
  MemoryRegistry& registry = memory_registry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto it = registry.caches.find(name_);
  if (it != registry.caches.end() && it->second == state_) registry.caches.erase(it);
  return ok();
}

Result<void> MemoryCcache::read_contents(Reader reader) const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (!state_->contents) {
    return Error::format(ErrorCategory::kIo, 0, "ccache MEMORY:%.40s: not initialised",
                         name_.c_str());
  }
  return reader(*state_->contents);
}

Result<void> MemoryCcache::update_contents(Updater updater, bool create) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (!state_->contents && !create) {
    return Error::format(ErrorCategory::kIo, 0, "ccache MEMORY:%.40s: not initialised",
                         name_.c_str());
  }
  // Update a copy, so a failing updater leaves the cache as it was.
  CcacheContents copy = state_->contents ? *state_->contents : CcacheContents();
  KERB_TRY_VOID(updater(copy));
  state_->contents = std::move(copy);
  return ok();
}

}  // namespace kerb
