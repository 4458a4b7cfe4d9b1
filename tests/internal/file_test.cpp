// POSIX files: an atomic mode-0600 write read back under the lock, size limits, labels.
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <kerb/internal/file.hpp>

#include "hex_bytes.hpp"

using namespace kerb;
using namespace kerb::detail;

namespace {

using kerb::test::Bytes;

// A fresh directory under the system's temporary directory, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kerb-internal-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const char* name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

TEST_CASE("write_file_atomic writes mode 0600 and read_file_locked reads it back", "[internal]") {
  TempDir dir;
  const std::string path = dir.file("krb5cc_test");
  Bytes data(10000);
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<std::uint8_t>(i * 7);
  REQUIRE(write_file_atomic(path, data, "ccache krb5cc_test").ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto back = read_file_locked(path, "ccache krb5cc_test", 1 << 20);
  REQUIRE(back.ok());
  CHECK(*back == data);

  // Replaced whole; no temporary file left beside it.
  REQUIRE(write_file_atomic(path, Bytes{1, 2, 3}, "ccache").ok());
  CHECK(*read_file_locked(path, "ccache", 100) == Bytes{1, 2, 3});
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path()))
    ++files;
  CHECK(files == 1);
}

TEST_CASE("read_file_locked refuses missing, oversized and non-regular files", "[internal]") {
  TempDir dir;
  const std::string path = dir.file("keytab");
  REQUIRE(write_file_atomic(path, Bytes(101, 0x42), "keytab").ok());
  CHECK(read_file_locked(path, "keytab", 101).ok());
  auto big = read_file_locked(path, "keytab", 100);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().category() == ErrorCategory::kIo);
  CHECK(std::string(big.error().detail()) == "keytab: larger than the limit of 100 bytes");
  CHECK(big.error().code() == EFBIG);

  auto missing = read_file_locked(dir.file("none"), "keytab none", 100);
  REQUIRE_FALSE(missing.ok());
  CHECK(std::string(missing.error().detail()).rfind("keytab none: cannot open: ", 0) == 0);
  CHECK(missing.error().code() == ENOENT);  // the errno, for callers to branch on

  auto directory = read_file_locked(dir.path().string(), "keytab dir", 100);
  REQUIRE_FALSE(directory.ok());
  CHECK(std::string(directory.error().detail()) == "keytab dir: not a regular file");
  CHECK(directory.error().code() == EISDIR);

  auto no_dir = write_file_atomic(dir.file("no/such/file"), Bytes{1}, "ccache x");
  REQUIRE_FALSE(no_dir.ok());
  CHECK(no_dir.error().category() == ErrorCategory::kIo);
  CHECK(no_dir.error().code() == ENOENT);
}

TEST_CASE("file_label names the kind and the last path component", "[internal]") {
  CHECK(file_label("ccache", "/tmp/krb5cc_1000") == "ccache krb5cc_1000");
  CHECK(file_label("keytab", "krb5.keytab") == "keytab krb5.keytab");
  CHECK(file_label("ccache", "/dir/") == "ccache ");
  // At most the last 32 characters of the name.
  CHECK(file_label("ccache", "/a/0123456789abcdef0123456789abcdefXYZ") ==
        "ccache 3456789abcdef0123456789abcdefXYZ");
}

TEST_CASE("wipe empties and frees a buffer", "[internal]") {
  Bytes key(64, 0x11);
  wipe(key);
  CHECK(key.empty());
  CHECK(key.capacity() == 0);
}

TEST_CASE("read_file reports the step and errno, and a FIFO neither blocks nor is read",
          "[internal]") {
  TempDir dir;
  ReadOptions options;
  options.max_size = 4;
  options.nonblocking_open = true;
  Bytes out;
  FileFault fault;
  CHECK_FALSE(read_file(dir.file("missing"), options, out, fault));
  CHECK(fault.step == FileFault::Step::kOpen);
  CHECK(fault.err == ENOENT);
  CHECK_FALSE(read_file(dir.path().string(), options, out, fault));
  CHECK(fault.step == FileFault::Step::kType);
  CHECK(fault.err == EISDIR);
  // Without O_NONBLOCK, opening a FIFO with no writer would wait forever.
  const std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_FALSE(read_file(fifo, options, out, fault));
  CHECK(fault.step == FileFault::Step::kType);
  CHECK(fault.err == EINVAL);
  const std::string big = dir.file("big");
  REQUIRE(write_file_atomic(big, Bytes(5, 1), "big").ok());
  CHECK_FALSE(read_file(big, options, out, fault));
  CHECK(fault.step == FileFault::Step::kSize);
  CHECK(fault.err == EFBIG);
  options.max_size = 5;
  REQUIRE(read_file(big, options, out, fault));
  CHECK(out == Bytes(5, 1));
}

TEST_CASE("open_locked_rw creates mode 0600 and never follows a symlink", "[internal]") {
  TempDir dir;
  const std::string path = dir.file("rcache");
  FileDescriptor fd;
  struct stat st {};
  FileFault fault;
  REQUIRE(open_locked_rw(path, fd, st, fault));
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_size == 0);
  const Bytes data = {1, 2, 3, 4};
  REQUIRE(write_at(fd.get(), data, 2));
  Bytes back(4);
  REQUIRE(read_at(fd.get(), back, 2));
  CHECK(back == data);
  fd.reset();

  const std::string link = dir.file("link");
  REQUIRE(::symlink(path.c_str(), link.c_str()) == 0);
  CHECK_FALSE(open_locked_rw(link, fd, st, fault));
  CHECK(fault.step == FileFault::Step::kOpen);
  CHECK(fault.err == ELOOP);
}

TEST_CASE("remove_file_wiped zeroes the file before it unlinks it", "[internal]") {
  TempDir dir;
  const std::string path = dir.file("krb5cc");
  REQUIRE(write_file_atomic(path, Bytes(5000, 0x5a), "ccache").ok());
  // A second name keeps the inode readable after the first goes.
  const std::string keep = dir.file("hardlink");
  REQUIRE(::link(path.c_str(), keep.c_str()) == 0);
  REQUIRE(remove_file_wiped(path, "ccache krb5cc").ok());
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK(*read_file_locked(keep, "ccache", 10000) == Bytes(5000, 0));
  auto again = remove_file_wiped(path, "ccache krb5cc");
  REQUIRE_FALSE(again.ok());
  CHECK(std::string(again.error().detail()) ==
        "ccache krb5cc: cannot open: No such file or directory");
}
