#include <kerb/clock.hpp>

#include <time.h>

namespace kerb {

Timestamp SystemClock::now() const noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return {static_cast<std::int64_t>(ts.tv_sec), static_cast<std::int32_t>(ts.tv_nsec / 1000)};
}

Clock& system_clock() noexcept {
  static SystemClock clock;
  return clock;
}

}  // namespace kerb
