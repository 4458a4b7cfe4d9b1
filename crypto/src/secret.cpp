// Zeroization and constant-time comparison (DESIGN.md convention 10).
#include <kerb/crypto/secret.hpp>

#include <cstring>

namespace kerb::crypto {

void secure_wipe(void* data, std::size_t size) noexcept {
  if (size == 0) return;
  std::memset(data, 0, size);
  // The empty asm "uses" the memory, so the compiler cannot drop the memset as a dead store.
  __asm__ __volatile__("" : : "r"(data) : "memory");
}

void secure_wipe(std::span<std::uint8_t> bytes) noexcept {
  secure_wipe(bytes.data(), bytes.size());
}

bool constant_time_equal(std::span<const std::uint8_t> a,
                         std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
  // Launder through an asm so the compiler cannot turn the loop into an early-exit compare.
  __asm__ __volatile__("" : "+r"(diff));
  return diff == 0;
}

}  // namespace kerb::crypto
