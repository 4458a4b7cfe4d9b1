#include "net.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace bank::net {

using Clock = std::chrono::steady_clock;

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Socket::~Socket() {
  close();
}

void Socket::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {

// Waits until fd is readable (or writable) before `deadline`; false on timeout or error.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

// Fills `out` before the deadline. Returns the number of bytes read when the peer closed
// or the deadline passed first (with `timed_out` telling which), or out.size().
std::size_t read_exact(int fd, std::span<std::uint8_t> out, Clock::time_point deadline,
                       bool& timed_out, bool& failed) {
  std::size_t got = 0;
  while (got < out.size()) {
    if (!wait_for(fd, POLLIN, deadline)) {
      timed_out = true;
      return got;
    }
    const ssize_t n = ::recv(fd, out.data() + got, out.size() - got, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) failed = true;
    if (n <= 0) return got;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

}  // namespace

ReadResult read_frame(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  ReadResult r;
  bool timed_out = false, failed = false;
  std::uint8_t head[4];
  const std::size_t got = read_exact(fd, head, deadline, timed_out, failed);
  if (got != sizeof head) {
    r.status = timed_out  ? ReadStatus::kTimedOut
               : failed   ? ReadStatus::kError
               : got == 0 ? ReadStatus::kClosed
                          : ReadStatus::kError;
    return r;
  }
  const std::size_t n =
      std::size_t{head[0]} << 24 | std::size_t{head[1]} << 16 | std::size_t{head[2]} << 8 | head[3];
  if (n > kMaxFrame) {
    r.status = ReadStatus::kTooLarge;
    return r;
  }
  // The buffer grows with the bytes that arrive, so a claimed length costs nothing by itself.
  constexpr std::size_t kChunk = 16 * 1024;
  while (r.frame.size() < n) {
    const std::size_t at = r.frame.size();
    r.frame.resize(at + std::min(kChunk, n - at));
    const auto want = std::span(r.frame).subspan(at);
    if (read_exact(fd, want, deadline, timed_out, failed) != want.size()) {
      r.frame.clear();
      r.status = timed_out ? ReadStatus::kTimedOut : ReadStatus::kError;
      return r;
    }
  }
  r.status = ReadStatus::kFrame;
  return r;
}

kerb::Result<void> write_frame(int fd, std::span<const std::uint8_t> frame) {
  if (frame.size() > kMaxFrame)
    return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "frame over the 1 MiB limit");
  const auto n = static_cast<std::uint32_t>(frame.size());
  std::vector<std::uint8_t> out;
  out.reserve(4 + frame.size());
  out.push_back(static_cast<std::uint8_t>(n >> 24));
  out.push_back(static_cast<std::uint8_t>(n >> 16));
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  out.push_back(static_cast<std::uint8_t>(n));
  out.insert(out.end(), frame.begin(), frame.end());
  std::span<const std::uint8_t> left = out;
  while (!left.empty()) {
    const ssize_t w = ::send(fd, left.data(), left.size(), MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      return kerb::Error::format(kerb::ErrorCategory::kIo, 0, "send: %s", std::strerror(errno));
    left = left.subspan(static_cast<std::size_t>(w));
  }
  return kerb::ok();
}

kerb::Result<Endpoint> Endpoint::parse(std::string_view text) {
  Endpoint e;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "expected [address]:port");
    e.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "expected host:port");
    e.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
    return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "the port must be 1-65535");
  e.port = static_cast<std::uint16_t>(value);
  return e;
}

std::string Endpoint::to_string() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

kerb::Result<Socket> connect_tcp(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint.port);
  if (const int rc = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return kerb::Error::format(kerb::ErrorCategory::kIo, 0, "%s: %s", endpoint.to_string().c_str(),
                               ::gai_strerror(rc));
  const auto deadline = Clock::now() + timeout;
  int last_errno = ETIMEDOUT;
  Socket result;
  for (addrinfo* a = found; a != nullptr && !result.valid(); a = a->ai_next) {
    Socket s(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!s.valid()) continue;
    const int flags = ::fcntl(s.fd(), F_GETFL);
    ::fcntl(s.fd(), F_SETFL, flags | O_NONBLOCK);
    int rc = ::connect(s.fd(), a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (!wait_for(s.fd(), POLLOUT, deadline)) {
        last_errno = ETIMEDOUT;
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      last_errno = errno;
      continue;
    }
    ::fcntl(s.fd(), F_SETFL, flags);
    const int one = 1;
    ::setsockopt(s.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    result = std::move(s);
  }
  ::freeaddrinfo(found);
  if (!result.valid())
    return kerb::Error::format(kerb::ErrorCategory::kIo, last_errno, "%s: %s",
                               endpoint.to_string().c_str(), std::strerror(last_errno));
  return result;
}

kerb::Result<Listener> listen_loopback(std::uint16_t port, int backlog) {
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid())
    return kerb::Error::format(kerb::ErrorCategory::kIo, 0, "socket: %s", std::strerror(errno));
  const int one = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return kerb::Error::format(kerb::ErrorCategory::kIo, 0, "bind 127.0.0.1:%u: %s", port,
                               std::strerror(errno));
  if (::listen(s.fd(), backlog) != 0)
    return kerb::Error::format(kerb::ErrorCategory::kIo, 0, "listen: %s", std::strerror(errno));
  socklen_t len = sizeof addr;
  ::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&addr), &len);
  return Listener{std::move(s), ntohs(addr.sin_port)};
}

}  // namespace bank::net
