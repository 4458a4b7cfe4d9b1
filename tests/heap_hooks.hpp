// Replaces the global operator new and delete (every form a test binary may reach, nothrow
// ones included, so that no block crosses between this malloc/free pair and the runtime's or
// a sanitizer's) and calls two hooks the including test defines:
//   void heap_hook_allocated(std::size_t size) noexcept;   // before each allocation
//   void heap_hook_freeing(void* block) noexcept;          // before each free (non-null)
// Include it from exactly one source file of a test binary.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

void heap_hook_allocated(std::size_t size) noexcept;
void heap_hook_freeing(void* block) noexcept;

namespace heap_hooks_detail {
inline void* allocate(std::size_t size) noexcept {
  heap_hook_allocated(size);
  return std::malloc(size != 0 ? size : 1);
}
inline void release(void* p) noexcept {
  if (p != nullptr) heap_hook_freeing(p);
  std::free(p);
}
}  // namespace heap_hooks_detail

void* operator new(std::size_t size) {
  if (void* p = heap_hooks_detail::allocate(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return ::operator new(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return heap_hooks_detail::allocate(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return heap_hooks_detail::allocate(size);
}
// GCC sees free() of operator new's pointer through the inlined replacement: it is malloc's.
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept {
  heap_hooks_detail::release(p);
}
void operator delete[](void* p) noexcept {
  heap_hooks_detail::release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  heap_hooks_detail::release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  heap_hooks_detail::release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  heap_hooks_detail::release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  heap_hooks_detail::release(p);
}
