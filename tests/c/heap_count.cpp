// Counts heap allocations for the C tests' "Heap: none" checks. Two doors lead to the heap:
// operator new, which heap_hooks.hpp replaces with a malloc call made from this file, and malloc,
// calloc and realloc, which the test program's link wraps (-Wl,--wrap=...) in every statically
// linked object: kerb's libraries, libtomcrypt, this file and the tests. Both end in the
// __wrap_ functions below, so each allocation is counted once there.
#include <cstddef>
#include <cstdlib>

#include "../heap_hooks.hpp"
#include "harness.h"

namespace {
// Volatile: the compiler takes malloc for the library function, which touches no counter of
// ours, and would otherwise keep the count in a register across it.
volatile long allocations = 0;
}  // namespace

void heap_hook_allocated(std::size_t) noexcept {}  // counted where its malloc lands
void heap_hook_freeing(void*) noexcept {}

extern "C" {
void* __real_malloc(std::size_t size);
void* __real_calloc(std::size_t count, std::size_t size);
void* __real_realloc(void* block, std::size_t size);

void* __wrap_malloc(std::size_t size) {
  allocations = allocations + 1;
  return __real_malloc(size);
}
void* __wrap_calloc(std::size_t count, std::size_t size) {
  allocations = allocations + 1;
  return __real_calloc(count, size);
}
void* __wrap_realloc(void* block, std::size_t size) {
  allocations = allocations + 1;
  return __real_realloc(block, size);
}

long harness_heap_allocations(void) {
  return allocations;
}

// Through a volatile pointer, so that the compiler cannot fold each pair away.
long harness_heap_selftest(void) {
  static int* volatile object;
  static void* volatile block;
  const long before = allocations;
  object = new int(1);
  block = std::malloc(1);
  const long made = allocations - before;
  delete object;
  std::free(block);
  return made;
}
}
