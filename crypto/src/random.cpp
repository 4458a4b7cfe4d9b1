// The OS randomness source (DESIGN.md convention 11: injected, with an OS default).
#include <kerb/crypto/random.hpp>

#include <sys/random.h>

#include <cerrno>

namespace kerb::crypto {

Result<void> OsRandom::fill(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    // Flags 0: block until the kernel pool is initialised, never return weaker bytes.
    ssize_t got = getrandom(out.data() + done, out.size() - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Error::format(ErrorCategory::kCrypto, 0, "getrandom failed (errno %d)", errno);
    }
    done += static_cast<std::size_t>(got);
  }
  return ok();
}

Random& os_random() noexcept {
  static OsRandom instance;
  return instance;
}

}  // namespace kerb::crypto
