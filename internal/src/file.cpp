// POSIX file I/O of <kerb/internal/file.hpp>.
#include <kerb/internal/file.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kerb/crypto/secret.hpp>
#include <kerb/error.hpp>

#if defined(__GLIBC__)
// 32-bit glibc's default 32-bit off_t and ino_t make stat() and readdir() (krb5.conf's
// includedir) fail with EOVERFLOW; the root CMakeLists.txt defines _FILE_OFFSET_BITS=64.
static_assert(sizeof(off_t) == 8 && sizeof(ino_t) == 8, "build with -D_FILE_OFFSET_BITS=64");
#endif

namespace kerb::detail {

namespace {

// The errno is the error's code, so a caller tells "no such file" from the rest without text.
Error io_error(std::string_view label, const char* what, int err) {
  return Error::format(ErrorCategory::kIo, err, "%.*s: %s: %s", static_cast<int>(label.size()),
                       label.data(), what, std::strerror(err));
}

bool write_all(int fd, std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::string file_label(std::string_view kind, std::string_view path) {
  const std::size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (base.size() > 32) base = base.substr(base.size() - 32);
  std::string label(kind);
  label += ' ';
  label += base;
  return label;
}

bool read_file(const std::string& path, const ReadOptions& options, std::vector<std::uint8_t>& out,
               FileFault& fault) {
  wipe(out);
  const auto fail = [&](FileFault::Step step, int err) {
    fault = FileFault{step, err};
    return false;
  };
  const int flags = O_RDONLY | O_CLOEXEC | (options.nonblocking_open ? O_NOCTTY | O_NONBLOCK : 0);
  FileDescriptor fd(::open(path.c_str(), flags));
  if (fd.get() < 0) return fail(FileFault::Step::kOpen, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(FileFault::Step::kStat, errno);
  if (S_ISDIR(st.st_mode)) return fail(FileFault::Step::kType, EISDIR);
  // A FIFO or device could block or never end.
  if (!S_ISREG(st.st_mode)) return fail(FileFault::Step::kType, EINVAL);
  if (static_cast<std::uint64_t>(st.st_size) > options.max_size) {
    return fail(FileFault::Step::kSize, EFBIG);
  }
  if (options.shared_lock) {
    // MIT krb5 takes POSIX record locks on its files; a shared one keeps a locked writer's
    // half-appended entry out of our view. Filesystems without locks (ENOLCK) are read anyway.
    struct flock lock {};
    lock.l_type = F_RDLCK;
    lock.l_whence = SEEK_SET;
    while (::fcntl(fd.get(), F_SETLKW, &lock) != 0) {
      if (errno == EINTR) continue;
      if (errno == ENOLCK || errno == EINVAL) break;
      return fail(FileFault::Step::kLock, errno);
    }
  }
  std::uint8_t chunk[4096];
  const auto fail_read = [&](FileFault::Step step, int err) {
    crypto::secure_wipe(chunk, sizeof(chunk));
    wipe(out);
    return fail(step, err);
  };
  for (;;) {
    const ssize_t n = ::read(fd.get(), chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_read(FileFault::Step::kRead, errno);
    }
    if (n == 0) break;
    const auto got = static_cast<std::size_t>(n);
    if (out.size() + got > options.max_size) {  // grew since fstat
      return fail_read(FileFault::Step::kSize, EFBIG);
    }
    // Grow in place where possible; a reallocation would leave key bytes in the old block.
    if (out.capacity() < out.size() + got) {
      std::vector<std::uint8_t> bigger;
      std::size_t want = out.capacity() * 2;
      if (want < out.size() + got) want = out.size() + got;
      if (want < static_cast<std::size_t>(st.st_size)) want = static_cast<std::size_t>(st.st_size);
      if (want > options.max_size) want = options.max_size;
      bigger.reserve(want);
      bigger.assign(out.begin(), out.end());
      wipe(out);
      out.swap(bigger);
    }
    const std::size_t at = out.size();
    out.resize(at + got);  // within the capacity made above
    std::copy(chunk, chunk + got, out.begin() + static_cast<std::ptrdiff_t>(at));
  }
  crypto::secure_wipe(chunk, sizeof(chunk));
  return true;  // closing the descriptor releases the lock
}

Result<std::vector<std::uint8_t>> read_file_locked(const std::string& path, std::string_view label,
                                                   std::size_t max_size) {
  std::vector<std::uint8_t> bytes;
  FileFault fault;
  ReadOptions options;
  options.max_size = max_size;
  options.shared_lock = true;
  if (read_file(path, options, bytes, fault)) return bytes;
  switch (fault.step) {
    case FileFault::Step::kType:
      return Error::format(ErrorCategory::kIo, fault.err, "%.*s: not a regular file",
                           static_cast<int>(label.size()), label.data());
    case FileFault::Step::kSize:
      return Error::format(ErrorCategory::kIo, fault.err,
                           "%.*s: larger than the limit of %zu bytes",
                           static_cast<int>(label.size()), label.data(), max_size);
    case FileFault::Step::kStat:
      return io_error(label, "cannot stat", fault.err);
    case FileFault::Step::kLock:
      return io_error(label, "cannot lock", fault.err);
    case FileFault::Step::kRead:
      return io_error(label, "read failed", fault.err);
    default:
      return io_error(label, "cannot open", fault.err);
  }
}

bool replace_file(const std::string& path, std::span<const std::uint8_t> bytes, FileFault& fault) {
  std::string temp = path + ".kerbXXXXXX";
  const int fd = ::mkstemp(temp.data());  // creates the file with mode 0600
  if (fd < 0) {
    fault = FileFault{FileFault::Step::kCreate, errno};
    return false;
  }
  const auto fail = [&](FileFault::Step step) {
    fault = FileFault{step, errno};
    ::close(fd);
    ::unlink(temp.c_str());
    return false;
  };
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) return fail(FileFault::Step::kMode);
  if (!write_all(fd, bytes)) return fail(FileFault::Step::kWrite);
  if (::fsync(fd) != 0) return fail(FileFault::Step::kSync);
  if (::close(fd) != 0) {
    fault = FileFault{FileFault::Step::kClose, errno};
    ::unlink(temp.c_str());
    return false;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    fault = FileFault{FileFault::Step::kRename, errno};
    ::unlink(temp.c_str());
    return false;
  }
  // Make the rename itself durable.
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    static_cast<void>(::fsync(dfd));
    ::close(dfd);
  }
  return true;
}

Result<void> write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes,
                               std::string_view label) {
  FileFault fault;
  if (replace_file(path, bytes, fault)) return ok();
  switch (fault.step) {
    case FileFault::Step::kMode:
      return io_error(label, "cannot set mode 0600", fault.err);
    case FileFault::Step::kWrite:
      return io_error(label, "write failed", fault.err);
    case FileFault::Step::kSync:
      return io_error(label, "fsync failed", fault.err);
    case FileFault::Step::kClose:
      return io_error(label, "close failed", fault.err);
    case FileFault::Step::kRename:
      return io_error(label, "cannot rename the temporary file into place", fault.err);
    default:
      return io_error(label, "cannot create a temporary file", fault.err);
  }
}

void FileDescriptor::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

bool open_locked_rw(const std::string& path, FileDescriptor& fd, struct stat& st,
                    FileFault& fault) {
  const auto fail = [&](FileFault::Step step, int err) {
    fault = FileFault{step, err};
    return false;
  };
  for (int attempt = 0; attempt < 8; ++attempt) {
    fd.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) return fail(FileFault::Step::kOpen, errno);
    int rc;
    do {
      rc = ::flock(fd.get(), LOCK_EX);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return fail(FileFault::Step::kLock, errno);
    if (::fstat(fd.get(), &st) != 0) return fail(FileFault::Step::kStat, errno);
    if (!S_ISREG(st.st_mode)) return fail(FileFault::Step::kType, EINVAL);
    // Still the file the name points at: nobody renamed a new one over it meanwhile.
    struct stat by_path {};
    if (::stat(path.c_str(), &by_path) == 0 && by_path.st_dev == st.st_dev &&
        by_path.st_ino == st.st_ino) {
      return true;
    }
  }
  return fail(FileFault::Step::kReplaced, EAGAIN);
}

bool read_at(int fd, std::span<std::uint8_t> bytes, off_t at) noexcept {
  while (!bytes.empty()) {
    const ssize_t r = ::pread(fd, bytes.data(), bytes.size(), at);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(r));
    at += static_cast<off_t>(r);
  }
  return true;
}

bool write_at(int fd, std::span<const std::uint8_t> bytes, off_t at) noexcept {
  while (!bytes.empty()) {
    const ssize_t w = ::pwrite(fd, bytes.data(), bytes.size(), at);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(w));
    at += static_cast<off_t>(w);
  }
  return true;
}

Result<void> remove_file_wiped(const std::string& path, std::string_view label) {
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return io_error(label, "cannot open", errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode)) {
    static const std::uint8_t zeros[4096] = {};
    auto left = static_cast<std::size_t>(st.st_size);
    off_t at = 0;
    while (left > 0) {
      const std::size_t n = left < sizeof(zeros) ? left : sizeof(zeros);
      if (!write_at(fd.get(), std::span<const std::uint8_t>(zeros, n), at)) break;
      left -= n;
      at += static_cast<off_t>(n);
    }
    static_cast<void>(::fsync(fd.get()));
  }
  fd.reset();
  if (::unlink(path.c_str()) != 0) return io_error(label, "cannot remove", errno);
  return ok();
}

void wipe(std::vector<std::uint8_t>& bytes) noexcept {
  crypto::secure_wipe(std::span<std::uint8_t>(bytes.data(), bytes.size()));
  // Not shrink_to_fit(): without exceptions libstdc++ makes it a no-op, keeping the block.
  std::vector<std::uint8_t>().swap(bytes);
}

}  // namespace kerb::detail
