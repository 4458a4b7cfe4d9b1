// Secrets are a type (DESIGN.md convention 10): zeroizing storage, constant-time comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace kerb::crypto {

// Overwrites `bytes` with zeros in a way the optimiser may not elide.
void secure_wipe(std::span<std::uint8_t> bytes) noexcept;
void secure_wipe(void* data, std::size_t size) noexcept;

// True when a and b have the same length and contents. The time taken depends only on the
// lengths (which are public in every Kerberos use), never on where the contents differ.
[[nodiscard]] bool constant_time_equal(std::span<const std::uint8_t> a,
                                       std::span<const std::uint8_t> b) noexcept;

// Fixed-capacity, heap-free buffer for key material; wiped on destruction, move and reset.
// Never printed: there is no stream operator, and errors never quote its contents.
template <std::size_t Capacity>
class SecretBytes {
 public:
  static constexpr std::size_t kCapacity = Capacity;

  SecretBytes() noexcept = default;
  SecretBytes(const SecretBytes& other) noexcept { static_cast<void>(assign(other.view())); }
  SecretBytes(SecretBytes&& other) noexcept {
    static_cast<void>(assign(other.view()));
    other.reset();
  }
  SecretBytes& operator=(const SecretBytes& other) noexcept {
    if (this != &other) static_cast<void>(assign(other.view()));
    return *this;
  }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      static_cast<void>(assign(other.view()));
      other.reset();
    }
    return *this;
  }
  ~SecretBytes() { reset(); }

  // Copies `bytes` in; returns false (and stores nothing) when they exceed the capacity.
  [[nodiscard]] bool assign(std::span<const std::uint8_t> bytes) noexcept {
    if (bytes.size() > Capacity) return false;
    reset();
    for (std::size_t i = 0; i < bytes.size(); ++i)
      data_[i] = bytes[i];
    size_ = bytes.size();
    return true;
  }
  // Sets the length (contents unspecified until written) for filling in place.
  [[nodiscard]] bool resize(std::size_t size) noexcept {
    if (size > Capacity) return false;
    size_ = size;
    return true;
  }
  void reset() noexcept {
    secure_wipe(data_, Capacity);
    size_ = 0;
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::span<const std::uint8_t> view() const noexcept { return {data_, size_}; }
  std::span<std::uint8_t> mutable_view() noexcept { return {data_, size_}; }

 private:
  std::uint8_t data_[Capacity] = {};
  std::size_t size_ = 0;
};

}  // namespace kerb::crypto
