// Helpers for the crypto tests: hex literals, a fixed-bytes Random, span adapters.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/crypto/random.hpp>

namespace kerb::crypto::test {

using ByteVec = std::vector<std::uint8_t>;

// "cd ed b5 28" or "cdedb528": whitespace is ignored.
inline ByteVec hex(std::string_view s) {
  ByteVec out;
  int hi = -1;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

inline ByteVec bytes(std::string_view s) {
  return ByteVec(s.begin(), s.end());
}

inline std::string to_hex(std::span<const std::uint8_t> b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

// Hands out exactly the given bytes (e.g. an RFC's confounder), then fails.
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(ByteVec bytes) : bytes_(std::move(bytes)) {}
  Result<void> fill(std::span<std::uint8_t> out) override {
    if (out.size() > bytes_.size() - pos_)
      return Error(ErrorCategory::kCrypto, "FixedRandom exhausted");
    std::memcpy(out.data(), bytes_.data() + pos_, out.size());
    pos_ += out.size();
    return ok();
  }

 private:
  ByteVec bytes_;
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
