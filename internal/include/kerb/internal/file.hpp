// POSIX file I/O for kerb's files (ccache, keytab, replay cache, krb5.conf): a bounded
// whole-file read (under MIT krb5's shared record lock where asked), an atomic mode-0600
// replace, a locked read-write open, a zero-overwriting remove, and wiping of the buffers.
// The *_locked / write_file_atomic / remove_file_wiped forms report kIo errors naming a label;
// the others report a FileFault, so that a caller keeps its own error texts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>
#include <sys/types.h>

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

// The step a file operation failed at, and errno (or the stated code).
struct FileFault {
  enum class Step {
    kOpen,
    kStat,
    kType,  // not a regular file: err EISDIR (a directory) or EINVAL (anything else)
    kSize,  // over max_size: err EFBIG
    kLock,
    kRead,
    kReplaced,  // open_locked_rw: the file kept being renamed over; err EAGAIN
    kCreate,    // the temporary file of replace_file
    kMode,
    kWrite,
    kSync,
    kClose,
    kRename,
  };
  Step step = Step::kOpen;
  int err = 0;
};

// How read_file opens and reads a file.
struct ReadOptions {
  std::size_t max_size = 0;
  // MIT krb5's shared POSIX record lock (ccache, keytab); filesystems without locks are read
  // anyway.
  bool shared_lock = false;
  // O_NONBLOCK | O_NOCTTY: a FIFO or terminal named by mistake neither blocks the open nor
  // becomes the controlling terminal (it is then refused as not a regular file).
  bool nonblocking_open = false;
};

// Reads a whole regular file of at most options.max_size bytes into `out`. On failure `out`
// is wiped and emptied, and `fault` says why.
bool read_file(const std::string& path, const ReadOptions& options, std::vector<std::uint8_t>& out,
               FileFault& fault);

// Writes `bytes` to a new mode-0600 temporary file beside `path`, fsyncs it, renames it over
// `path` and fsyncs the directory. On failure the temporary file is gone and `path` untouched.
bool replace_file(const std::string& path, std::span<const std::uint8_t> bytes, FileFault& fault);

// An open descriptor, closed when it goes.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) noexcept : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { reset(); }
  void reset(int fd = -1) noexcept;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

// Opens `path` read-write, creating it with mode 0600 and never following a symlink, under an
// exclusive flock(2) held until `fd` closes. A process that renames a new file over `path`
// while we wait for the lock makes us retry on the new file. `st` is the locked file's.
bool open_locked_rw(const std::string& path, FileDescriptor& fd, struct stat& st, FileFault& fault);

// All of `bytes` read from (into) the file at offset `at`; false with errno set otherwise.
bool read_at(int fd, std::span<std::uint8_t> bytes, off_t at) noexcept;
bool write_at(int fd, std::span<const std::uint8_t> bytes, off_t at) noexcept;

// Overwrites a regular file's bytes with zeros (fsynced), so the keys it held do not outlive
// the name, then unlinks it. Never follows a symlink. Errors: "<label>: cannot open: ...",
// "<label>: cannot remove: ...".
Result<void> remove_file_wiped(const std::string& path, std::string_view label);

// Wipes and frees a buffer that held key material.
void wipe(std::vector<std::uint8_t>& bytes) noexcept;

}  // namespace kerb::detail
