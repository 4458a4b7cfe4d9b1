// Receive-side sequence window for per-message tokens (RFC 2743 §1.2.3, RFC 4121 §4.2.1):
// classifies each authentic token's SND_SEQ as expected, a gap, out of order, a duplicate, or
// too old to tell. Private to kerb::gss.
#pragma once

#include <cstdint>

#include <kerb/gss/context.hpp>

namespace kerb::gss::detail {

class SeqWindow {
 public:
  static constexpr std::uint64_t kSize = 64;  // tokens remembered behind the newest one

  SeqWindow() = default;
  explicit SeqWindow(std::uint64_t first) noexcept : next_(first) {}
  SeqWindow(std::uint64_t next, std::uint64_t seen) noexcept : next_(next), seen_(seen) {}

  // The supplementary:: bit for `seq` (0 when it is the one expected); records nothing.
  // Distances are taken modulo 2^64, so the window works across a wrap of the counter: a
  // number up to 2^63 - 1 ahead of the expected one is ahead, anything else behind.
  std::uint32_t classify(std::uint64_t seq) const noexcept {
    const std::uint64_t ahead = seq - next_;
    if (ahead == 0) return 0;
    if (ahead < (std::uint64_t{1} << 63)) return supplementary::kGapToken;
    const std::uint64_t age = next_ - 1 - seq;  // 0: the newest token accepted so far
    if (age >= kSize) return supplementary::kOldToken;
    if ((seen_ >> age) & 1u) return supplementary::kDuplicateToken;
    return supplementary::kUnseqToken;
  }

  // Records an accepted token (call only after it authenticated).
  void record(std::uint64_t seq) noexcept {
    const std::uint64_t ahead = seq - next_;
    if (ahead < (std::uint64_t{1} << 63)) {
      // seq becomes the newest: bit 0. Older bits move up by ahead + 1.
      const std::uint64_t shift = ahead + 1;
      seen_ = (shift >= kSize ? 0 : seen_ << shift) | 1u;
      next_ = seq + 1;
      return;
    }
    const std::uint64_t age = next_ - 1 - seq;
    if (age < kSize) seen_ |= std::uint64_t{1} << age;
  }

  std::uint64_t next() const noexcept { return next_; }
  // Bit i set: token next() - 1 - i was accepted.
  std::uint64_t seen() const noexcept { return seen_; }

 private:
  std::uint64_t next_ = 0;
  std::uint64_t seen_ = 0;
};

}  // namespace kerb::gss::detail
