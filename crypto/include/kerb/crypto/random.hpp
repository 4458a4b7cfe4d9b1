// Injected randomness (DESIGN.md convention 11): encryption draws its confounder only from
// the Random the caller passes, so a test can reproduce published vectors byte for byte.
#pragma once

#include <cstdint>
#include <span>

#include <kerb/result.hpp>

namespace kerb::crypto {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` entirely or fails; a failure is never silently replaced by weaker bytes.
  virtual Result<void> fill(std::span<std::uint8_t> out) = 0;
};

// The operating system's CSPRNG (getrandom(2), blocking until the pool is seeded).
class OsRandom final : public Random {
 public:
  Result<void> fill(std::span<std::uint8_t> out) override;
};

// A process-wide OsRandom, for callers that have no reason to supply their own.
Random& os_random() noexcept;

}  // namespace kerb::crypto
