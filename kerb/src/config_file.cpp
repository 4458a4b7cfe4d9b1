// Reading one krb5.conf file whole, bounded, refusing what could block (FIFOs, devices).
#include "config_file.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include <kerb/internal/file.hpp>

namespace kerb::config_detail {

int read_whole_file(const char* path, std::size_t max, std::string& out) {
  detail::ReadOptions options;
  options.max_size = max;
  options.nonblocking_open = true;
  std::vector<std::uint8_t> bytes;
  detail::FileFault fault;
  if (!detail::read_file(path, options, bytes, fault)) return fault.err;
  out.assign(bytes.begin(), bytes.end());
  return 0;
}

const char* describe_errno(int e) {
  if (e == EFBIG) return "file too large";
  if (e == EINVAL) return "not a regular file";
  return std::strerror(e);
}

}  // namespace kerb::config_detail
