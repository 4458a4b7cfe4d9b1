#include "client_state.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace bank {

namespace {

kerb::Error io_error(const char* what, const std::string& path) {
  return kerb::Error::format(kerb::ErrorCategory::kIo, errno, "%s %s: %s", what, path.c_str(),
                             std::strerror(errno));
}

kerb::Error corrupt(const std::string& path) {
  return kerb::Error::format(kerb::ErrorCategory::kIo, 0, "%s is damaged", path.c_str());
}

// Big-endian fields, the same in every file.
void put32(kerb::crypto::SecretBuffer& out, std::uint32_t v) {
  const std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                             static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  out.append(b);
}
void put_bytes(kerb::crypto::SecretBuffer& out, std::span<const std::uint8_t> bytes) {
  put32(out, static_cast<std::uint32_t>(bytes.size()));
  out.append(bytes);
}
void put_text(kerb::crypto::SecretBuffer& out, std::string_view text) {
  put_bytes(out, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

// Reads fields back, failing (sticky) on any short read.
struct Cursor {
  std::span<const std::uint8_t> rest;
  bool ok = true;
  std::uint32_t u32() {
    if (rest.size() < 4) return ok = false, 0;
    const std::uint32_t v = std::uint32_t{rest[0]} << 24 | std::uint32_t{rest[1]} << 16 |
                            std::uint32_t{rest[2]} << 8 | rest[3];
    rest = rest.subspan(4);
    return v;
  }
  std::span<const std::uint8_t> bytes() {
    const std::uint32_t n = u32();
    if (!ok || rest.size() < n) return ok = false, std::span<const std::uint8_t>{};
    const auto v = rest.first(n);
    rest = rest.subspan(n);
    return v;
  }
  std::string text() {
    const auto b = bytes();
    return {b.begin(), b.end()};
  }
};

constexpr std::uint32_t kSessionMagic = 0x4b425331;  // "KBS1"
constexpr std::uint32_t kPendingMagic = 0x4b425031;  // "KBP1"

}  // namespace

std::string StateDir::default_path() {
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.bank";
}

kerb::Result<StateDir> StateDir::open(std::string path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return io_error("mkdir", path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return io_error("stat", path);
  if (!S_ISDIR(st.st_mode))
    return kerb::Error::format(kerb::ErrorCategory::kIo, 0, "%s is not a directory", path.c_str());
  if (st.st_uid != ::geteuid())
    return kerb::Error::format(kerb::ErrorCategory::kPolicy, 0, "%s belongs to another user",
                               path.c_str());
  // Tickets and keys live here: nobody else may look in.
  if ((st.st_mode & 077) != 0 && ::chmod(path.c_str(), 0700) != 0) return io_error("chmod", path);
  return StateDir(std::move(path));
}

kerb::Result<std::optional<kerb::crypto::SecretBuffer>> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<kerb::crypto::SecretBuffer>{};
    return io_error("open", path);
  }
  kerb::crypto::SecretBuffer out;
  std::uint8_t chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return io_error("read", path);
    }
    if (n == 0) break;
    out.append({chunk, static_cast<std::size_t>(n)});
    if (out.size() > (std::size_t{16} << 20)) {
      ::close(fd);
      return corrupt(path);
    }
  }
  kerb::crypto::secure_wipe(chunk, sizeof chunk);
  ::close(fd);
  return std::optional<kerb::crypto::SecretBuffer>(std::move(out));
}

kerb::Result<void> write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes) {
  std::string tmp = path + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());  // mode 0600
  if (fd < 0) return io_error("create", tmp);
  std::span<const std::uint8_t> left = bytes;
  while (!left.empty()) {
    const ssize_t n = ::write(fd, left.data(), left.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const kerb::Error e = io_error("write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    left = left.subspan(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const kerb::Error e = io_error("fsync", tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const kerb::Error e = io_error("rename", tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  return kerb::ok();
}

kerb::Result<void> wipe_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return kerb::ok();
    return io_error("open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0) {
    static const std::uint8_t zeros[4096] = {};
    for (off_t at = 0; at < st.st_size;) {
      const auto n = static_cast<std::size_t>(
          std::min<off_t>(static_cast<off_t>(sizeof zeros), st.st_size - at));
      const ssize_t w = ::write(fd, zeros, n);
      if (w <= 0) break;
      at += w;
    }
    ::fsync(fd);
  }
  ::close(fd);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("unlink", path);
  return kerb::ok();
}

kerb::Result<std::optional<SavedSession>> StateDir::load_session() const {
  KERB_TRY(auto bytes, read_file(file("session")));
  if (!bytes) return std::optional<SavedSession>{};
  Cursor c{bytes->view()};
  SavedSession s;
  if (c.u32() != kSessionMagic) return corrupt(file("session"));
  s.principal = c.text();
  const auto id = c.bytes();
  s.next_request_id = c.u32();
  const auto blob = c.bytes();
  if (!c.ok || id.size() != s.context_id.size() || !c.rest.empty()) return corrupt(file("session"));
  std::copy(id.begin(), id.end(), s.context_id.begin());
  s.context.assign(blob);
  return std::optional<SavedSession>(std::move(s));
}

kerb::Result<void> StateDir::save_session(const SavedSession& s) const {
  kerb::crypto::SecretBuffer out;
  put32(out, kSessionMagic);
  put_text(out, s.principal);
  put_bytes(out, s.context_id);
  put32(out, s.next_request_id);
  put_bytes(out, s.context.view());
  return write_file_atomic(file("session"), out.view());
}

kerb::Result<void> StateDir::remove_session() const {
  return wipe_file(file("session"));
}

kerb::Result<void> StateDir::append_receipt(const StoredReceipt& r) const {
  KERB_TRY(auto existing, read_file(file("receipts")));
  kerb::crypto::SecretBuffer out;
  if (existing) out.assign(existing->view());
  put32(out, static_cast<std::uint32_t>(r.key_enctype));
  put_bytes(out, r.key.view());
  put_bytes(out, r.receipt);
  return write_file_atomic(file("receipts"), out.view());
}

kerb::Result<std::vector<StoredReceipt>> StateDir::receipts() const {
  KERB_TRY(auto bytes, read_file(file("receipts")));
  std::vector<StoredReceipt> out;
  if (!bytes) return out;
  Cursor c{bytes->view()};
  while (!c.rest.empty()) {
    StoredReceipt r;
    r.key_enctype = static_cast<std::int32_t>(c.u32());
    r.key.assign(c.bytes());
    const auto receipt = c.bytes();
    if (!c.ok) return corrupt(file("receipts"));
    r.receipt.assign(receipt.begin(), receipt.end());
    out.push_back(std::move(r));
  }
  return out;
}

kerb::Result<std::optional<PendingPayment>> StateDir::load_pending() const {
  KERB_TRY(auto bytes, read_file(file("pending-payment")));
  if (!bytes) return std::optional<PendingPayment>{};
  Cursor c{bytes->view()};
  PendingPayment p;
  if (c.u32() != kPendingMagic) return corrupt(file("pending-payment"));
  const auto key = c.bytes();
  p.payee = c.text();
  const std::uint64_t hi = c.u32();
  p.amount = static_cast<std::int64_t>(hi << 32 | c.u32());
  p.currency = c.text();
  if (!c.ok || key.size() != p.idempotency_key.size() || !c.rest.empty())
    return corrupt(file("pending-payment"));
  std::copy(key.begin(), key.end(), p.idempotency_key.begin());
  return std::optional<PendingPayment>(std::move(p));
}

kerb::Result<void> StateDir::save_pending(const PendingPayment& p) const {
  kerb::crypto::SecretBuffer out;
  put32(out, kPendingMagic);
  put_bytes(out, p.idempotency_key);
  put_text(out, p.payee);
  put32(out, static_cast<std::uint32_t>(static_cast<std::uint64_t>(p.amount) >> 32));
  put32(out, static_cast<std::uint32_t>(p.amount));
  put_text(out, p.currency);
  return write_file_atomic(file("pending-payment"), out.view());
}

kerb::Result<void> StateDir::remove_pending() const {
  return wipe_file(file("pending-payment"));
}

}  // namespace bank
