// Helpers for the crypto tests: hex literals, a fixed-bytes Random, span adapters.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/crypto/random.hpp>

#include "hex_bytes.hpp"

namespace kerb::crypto::test {

using ::kerb::test::Bytes;
using ::kerb::test::hex;
using ::kerb::test::to_hex;

inline Bytes bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// Hands out exactly the given bytes (e.g. an RFC's confounder), then fails.
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
  Result<void> fill(std::span<std::uint8_t> out) override {
    if (out.size() > bytes_.size() - pos_)
      return Error(ErrorCategory::kCrypto, "FixedRandom exhausted");
    std::memcpy(out.data(), bytes_.data() + pos_, out.size());
    pos_ += out.size();
    return ok();
  }

 private:
  Bytes bytes_;
  std::size_t pos_ = 0;
};

// A cheap deterministic Random for tamper loops (not for production).
class CountingRandom final : public Random {
 public:
  Result<void> fill(std::span<std::uint8_t> out) override {
    for (auto& b : out)
      b = static_cast<std::uint8_t>(++n_ * 37);
    return ok();
  }

 private:
  unsigned n_ = 0;
};

}  // namespace kerb::crypto::test
