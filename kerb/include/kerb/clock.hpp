// The time source the protocol code is given (DESIGN.md convention 11): exchanges never read
// the system clock themselves, so tests drive them with a fixed clock and an app can supply
// its own.
#pragma once

#include <cstdint>

namespace kerb {

// A moment as Kerberos carries it: KerberosTime seconds plus Microseconds (RFC 4120 §5.2.4).
struct Timestamp {
  std::int64_t seconds = 0;
  std::int32_t usec = 0;  // 0..999999
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const noexcept = 0;
};

// The system's real-time clock.
class SystemClock final : public Clock {
 public:
  Timestamp now() const noexcept override;
};

// A process-wide SystemClock.
Clock& system_clock() noexcept;

// A clock that returns what the test sets.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Timestamp t) noexcept : t_(t) {}
  Timestamp now() const noexcept override { return t_; }
  void set(Timestamp t) noexcept { t_ = t; }
  void advance(std::int64_t seconds) noexcept { t_.seconds += seconds; }

 private:
  Timestamp t_;
};

}  // namespace kerb
