// Loopback stand-ins for a KDC: a UDP or TCP socket on 127.0.0.1 or ::1, served by a thread of
// its own, answering whatever the test's handler says. Nothing leaves the machine.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <kerb/config.hpp>

#include "hex_bytes.hpp"

namespace kerb::test {

struct FakeKdcOptions {
  bool tcp = false;
  bool ipv6 = false;
  std::uint16_t port = 0;    // 0: an ephemeral port
  bool spoof_first = false;  // UDP: a datagram from another port precedes every reply
  bool raw_tcp = false;      // TCP: the handler's bytes go out as they are, with no length prefix
};

// Returns the reply to a request; an empty reply means "say nothing". It runs on the KDC's
// thread, so it must not assert: tests check received() on their own thread instead.
using FakeKdcHandler = std::function<Bytes(const Bytes& request)>;

inline sockaddr_storage loopback(bool ipv6, std::uint16_t port, socklen_t& length) {
  sockaddr_storage ss{};
  if (ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    a->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->sin_port = htons(port);
    length = sizeof(sockaddr_in);
  }
  return ss;
}

// A socket bound to the loopback address, or -1.
inline int bind_loopback(bool tcp, bool ipv6, std::uint16_t port) {
  const int fd = ::socket(ipv6 ? AF_INET6 : AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  const int on = 1;
  if (tcp) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  socklen_t length = 0;
  const sockaddr_storage ss = loopback(ipv6, port, length);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&ss), length) != 0 ||
      (tcp && ::listen(fd, 8) != 0)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline std::uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t length = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &length);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

// A port on which nothing listens, over UDP or TCP, once this returns (both were free a moment
// ago and nothing else on a test machine races for ephemeral ports of its own choosing).
inline std::uint16_t free_port(bool ipv6) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int udp = bind_loopback(false, ipv6, 0);
    if (udp < 0) continue;
    const std::uint16_t port = local_port(udp);
    const int tcp = bind_loopback(true, ipv6, port);
    ::close(udp);
    if (tcp >= 0) {
      ::close(tcp);
      return port;
    }
  }
  throw std::runtime_error("no free loopback port");
}

inline Bytes framed(const Bytes& message) {
  const auto n = static_cast<std::uint32_t>(message.size());
  Bytes out = {static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
               static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

class FakeKdc {
 public:
  FakeKdc(FakeKdcOptions options, FakeKdcHandler handler)
      : options_(options), handler_(std::move(handler)) {
    fd_ = bind_loopback(options_.tcp, options_.ipv6, options_.port);
    if (fd_ < 0) throw std::runtime_error(std::string("fake KDC bind: ") + std::strerror(errno));
    port_ = local_port(fd_);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeKdc() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  FakeKdc(const FakeKdc&) = delete;
  FakeKdc& operator=(const FakeKdc&) = delete;

  std::uint16_t port() const { return port_; }
  KdcAddress address() const { return {options_.ipv6 ? "::1" : "127.0.0.1", port_}; }
  std::size_t requests() const { return requests_; }
  // Every request received so far, in order.
  std::vector<Bytes> received() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      if (options_.tcp) {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) continue;
        serve_tcp(client);
        ::close(client);
      } else {
        serve_udp();
      }
    }
  }

  void serve_udp() {
    Bytes request(70000);
    sockaddr_storage from{};
    socklen_t from_length = sizeof from;
    const ssize_t n = ::recvfrom(fd_, request.data(), request.size(), 0,
                                 reinterpret_cast<sockaddr*>(&from), &from_length);
    if (n < 0) return;
    request.resize(static_cast<std::size_t>(n));
    record(request);
    const Bytes reply = handler_(request);
    if (options_.spoof_first) {
      // Same host, another port: a connected client socket must never see this.
      const int other = bind_loopback(false, options_.ipv6, 0);
      const Bytes spoof = {0x6B, 0x03, 0x02, 0x01, 0x05};
      ::sendto(other, spoof.data(), spoof.size(), 0, reinterpret_cast<sockaddr*>(&from),
               from_length);
      ::close(other);
    }
    if (!reply.empty()) {
      ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), from_length);
    }
  }

  static bool read_exact(int fd, std::uint8_t* out, std::size_t size) {
    while (size > 0) {
      const ssize_t n = ::recv(fd, out, size, 0);
      if (n <= 0) return false;
      out += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }

  void serve_tcp(int client) {
    timeval timeout{2, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::uint8_t header[4];
    if (!read_exact(client, header, 4)) return;
    const std::uint32_t length = static_cast<std::uint32_t>(header[0]) << 24 |
                                 static_cast<std::uint32_t>(header[1]) << 16 |
                                 static_cast<std::uint32_t>(header[2]) << 8 | header[3];
    if (length > 1000000) return;
    Bytes request(length);
    if (!read_exact(client, request.data(), length)) return;
    record(request);
    const Bytes reply = handler_(request);
    if (reply.empty()) return;
    const Bytes out = options_.raw_tcp ? reply : framed(reply);
    ::send(client, out.data(), out.size(), MSG_NOSIGNAL);
    ::shutdown(client, SHUT_WR);
  }

  void record(const Bytes& request) {
    std::lock_guard<std::mutex> lock(mutex_);
    received_.push_back(request);
    ++requests_;
  }

  FakeKdcOptions options_;
  FakeKdcHandler handler_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> requests_{0};
  mutable std::mutex mutex_;
  std::vector<Bytes> received_;
  std::thread thread_;
};

}  // namespace kerb::test
