// POSIX file I/O for files that hold keys (ccache, keytab, replay cache): a whole-file read
// under MIT krb5's shared record lock, an atomic mode-0600 replace, and wiping of the buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/result.hpp>

namespace kerb::detail {

// "<kind> <last path component>" (at most its last 32 characters), for error messages.
std::string file_label(std::string_view kind, std::string_view path);

// Reads a whole regular file (at most max_size bytes) under a shared POSIX record lock, the
// lock MIT krb5 takes on ccache and keytab files, so a concurrent locked append is never
// seen half-written. Errors are kIo and name the label; no partial bytes are left unwiped.
Result<std::vector<std::uint8_t>> read_file_locked(const std::string& path, std::string_view label,
                                                   std::size_t max_size);

// Writes `bytes` to a temporary file in path's directory (mode 0600), fsyncs it and renames
// it over `path`, so readers see either the old file or the new one, never a mix.
Result<void> write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes,
                               std::string_view label);

// Wipes and frees a buffer that held key material.
void wipe(std::vector<std::uint8_t>& bytes) noexcept;

}  // namespace kerb::detail
