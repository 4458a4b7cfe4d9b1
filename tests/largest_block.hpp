// The largest block allocated on a thread while it watches, for tests that bound what hostile
// input can make kerb allocate. It defines heap_hooks.hpp's hooks: include it (not
// heap_hooks.hpp) from exactly one source file of a test binary.
//
//   largest_block::largest = 0;
//   largest_block::watching = true;    // this thread's operator new is counted from here
//   ... the call under test ...
//   largest_block::watching = false;
//   CHECK(largest_block::largest.load() < 64 * 1024);
#pragma once

#include <atomic>
#include <cstddef>

#include "heap_hooks.hpp"

namespace largest_block {

inline thread_local bool watching = false;
inline std::atomic<std::size_t> largest{0};

// Also for other allocators a test routes here (libcurl's, say).
inline void note(std::size_t size) noexcept {
  std::size_t seen = largest.load(std::memory_order_relaxed);
  while (size > seen && !largest.compare_exchange_weak(seen, size)) {
  }
}

}  // namespace largest_block

void heap_hook_allocated(std::size_t size) noexcept {
  if (largest_block::watching) largest_block::note(size);
}
void heap_hook_freeing(void*) noexcept {}
