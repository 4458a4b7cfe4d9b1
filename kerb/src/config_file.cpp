// Reading one krb5.conf file whole, bounded, refusing what could block (FIFOs, devices).
#include "config_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace kerb::config_detail {

int read_whole_file(const char* path, std::size_t max, std::string& out) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return errno;
  int result = 0;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    result = errno;
  } else if (S_ISDIR(st.st_mode)) {
    result = EISDIR;
  } else if (!S_ISREG(st.st_mode)) {
    result = EINVAL;  // a FIFO or device could block or never end
  } else if (static_cast<std::uint64_t>(st.st_size) > max) {
    result = EFBIG;
  } else {
    out.clear();
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        result = errno;
        break;
      }
      if (n == 0) break;
      if (out.size() + static_cast<std::size_t>(n) > max) {  // grew since fstat
        result = EFBIG;
        break;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return result;
}

const char* describe_errno(int e) {
  if (e == EFBIG) return "file too large";
  if (e == EINVAL) return "not a regular file";
  return std::strerror(e);
}

}  // namespace kerb::config_detail
