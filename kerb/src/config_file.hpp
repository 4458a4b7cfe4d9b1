// Reading one krb5.conf file whole (config_file.cpp).
#pragma once

#include <cstddef>
#include <string>

namespace kerb::config_detail {

// Reads at most `max` bytes of a regular file. Returns 0 or an errno value (EFBIG: too large,
// EINVAL: not a regular file).
int read_whole_file(const char* path, std::size_t max, std::string& out);
// strerror(), with read_whole_file()'s own meanings of EFBIG and EINVAL.
const char* describe_errno(int e);

}  // namespace kerb::config_detail
