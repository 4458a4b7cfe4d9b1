// A wiped staging buffer for plaintext the crypto API needs as one contiguous span (message |
// header for a Wrap or MIC checksum, counter | input for the PRF): on the stack for small
// inputs, else on the heap. Private to kerb::gss.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <kerb/crypto/secret.hpp>

namespace kerb::gss::detail {

class Scratch {
 public:
  // Inputs no larger than this are staged on the stack.
  static constexpr std::size_t kInline = 512;

  explicit Scratch(std::size_t size) {
    if (size <= kInline) {
      buf_ = std::span<std::uint8_t>(inline_, size);
    } else {
      heap_.resize(size);
      buf_ = heap_;
    }
  }
  ~Scratch() { crypto::secure_wipe(buf_); }  // it holds the caller's plaintext
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  std::span<std::uint8_t> span() noexcept { return buf_; }
  std::uint8_t* data() noexcept { return buf_.data(); }

 private:
  std::uint8_t inline_[kInline];
  std::vector<std::uint8_t> heap_;
  std::span<std::uint8_t> buf_;
};

}  // namespace kerb::gss::detail
