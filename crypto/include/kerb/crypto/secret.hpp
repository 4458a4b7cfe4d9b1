// Secrets are a type (DESIGN.md convention 10): zeroizing storage, constant-time comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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

// Variable-size secret on the heap (a decrypted enc-part, a KRB-CRED, a key-bearing
// encoding). Every block it lets go of is wiped first: on destruction, move, clear() and
// reset(), and the old block whenever growing moves the bytes (a std::vector would leave those
// copies behind unwiped). A moved-from buffer is empty. `Allocator` exists for tests that
// inspect blocks as they are freed; code uses SecretBuffer.
template <class Allocator = std::allocator<std::uint8_t>>
class BasicSecretBuffer {
  using Traits = std::allocator_traits<Allocator>;

 public:
  BasicSecretBuffer() noexcept = default;
  explicit BasicSecretBuffer(std::size_t size) { resize(size); }  // zero-filled
  explicit BasicSecretBuffer(std::span<const std::uint8_t> bytes) { assign(bytes); }
  BasicSecretBuffer(const BasicSecretBuffer& other) { assign(other.view()); }
  BasicSecretBuffer(BasicSecretBuffer&& other) noexcept
      : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  BasicSecretBuffer& operator=(const BasicSecretBuffer& other) {
    if (this != &other) assign(other.view());
    return *this;
  }
  BasicSecretBuffer& operator=(BasicSecretBuffer&& other) noexcept {
    if (this != &other) {
      reset();
      data_ = other.data_;
      size_ = other.size_;
      capacity_ = other.capacity_;
      other.data_ = nullptr;
      other.size_ = other.capacity_ = 0;
    }
    return *this;
  }
  ~BasicSecretBuffer() { reset(); }

  void assign(std::span<const std::uint8_t> bytes) {
    clear();
    append(bytes);
  }
  void append(std::span<const std::uint8_t> bytes) {
    const std::size_t at = size_;
    resize(size_ + bytes.size());
    for (std::size_t i = 0; i < bytes.size(); ++i)
      data_[at + i] = bytes[i];
  }
  // New bytes are zero; bytes cut off by shrinking are wiped at once.
  void resize(std::size_t size) {
    if (size > capacity_) reserve(size > 2 * capacity_ ? size : 2 * capacity_);
    if (size < size_) secure_wipe(data_ + size, size_ - size);
    for (std::size_t i = size_; i < size; ++i)
      data_[i] = 0;
    size_ = size;
  }
  // Moves to a block of at least `capacity` bytes; the old block is wiped before it is freed.
  void reserve(std::size_t capacity) {
    if (capacity <= capacity_) return;
    std::uint8_t* bigger = Traits::allocate(allocator_, capacity);
    // size_ <= capacity_ < capacity always; the bound says so to GCC, whose
    // -Wstringop-overflow at -O3 cannot see that invariant across calls.
    const std::size_t keep = size_ < capacity ? size_ : capacity;
    for (std::size_t i = 0; i < keep; ++i)
      bigger[i] = data_[i];
    release();
    data_ = bigger;
    capacity_ = capacity;
  }
  void clear() noexcept {
    if (data_ != nullptr) secure_wipe(data_, capacity_);
    size_ = 0;
  }
  void reset() noexcept {
    release();
    data_ = nullptr;
    size_ = capacity_ = 0;
  }

  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  bool empty() const noexcept { return size_ == 0; }
  const std::uint8_t* data() const noexcept { return data_; }
  std::uint8_t* data() noexcept { return data_; }
  // begin()/end() make it a contiguous range, so it converts to std::span<const std::uint8_t>.
  const std::uint8_t* begin() const noexcept { return data_; }
  const std::uint8_t* end() const noexcept { return data_ + size_; }
  std::uint8_t* begin() noexcept { return data_; }
  std::uint8_t* end() noexcept { return data_ + size_; }
  std::span<const std::uint8_t> view() const noexcept { return {data_, size_}; }
  std::span<std::uint8_t> mutable_view() noexcept { return {data_, size_}; }

  // Constant time in the contents (convention 10).
  friend bool operator==(const BasicSecretBuffer& a, const BasicSecretBuffer& b) noexcept {
    return constant_time_equal(a.view(), b.view());
  }

 private:
  // Wipes the whole block, not only size_ bytes: shrinking leaves secrets past size_.
  void release() noexcept {
    if (data_ == nullptr) return;
    secure_wipe(data_, capacity_);
    Traits::deallocate(allocator_, data_, capacity_);
  }

  [[no_unique_address]] Allocator allocator_{};
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

using SecretBuffer = BasicSecretBuffer<>;

}  // namespace kerb::crypto
