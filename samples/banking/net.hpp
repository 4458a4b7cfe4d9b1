// TCP framing for the banking sample: every message is a 4-byte big-endian length and that
// many bytes of DER (a ClientFrame or a ServerFrame, bank_protocol.asn1), at most kMaxFrame.
//
// Reads run against a deadline for the whole frame, not per recv(): a peer that trickles one
// byte at a time cannot hold a connection (or a bankd thread) longer than the deadline.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kerb/result.hpp>

#include "protocol.hpp"  // kMaxFrame

namespace bank::net {

// An owned socket descriptor, closed on destruction.
class Socket {
 public:
  Socket() noexcept = default;
  explicit Socket(int fd) noexcept : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  int fd() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  void close() noexcept;

 private:
  int fd_ = -1;
};

// Why a read ended without a frame: the caller tells a clean close from a broken peer.
enum class ReadStatus : std::uint8_t { kFrame, kClosed, kTimedOut, kTooLarge, kError };

struct ReadResult {
  ReadStatus status = ReadStatus::kError;
  std::vector<std::uint8_t> frame;
};

// Reads one frame within `timeout`. kClosed only when the peer closed before a frame began.
ReadResult read_frame(int fd, std::chrono::milliseconds timeout);
kerb::Result<void> write_frame(int fd, std::span<const std::uint8_t> frame);

// "host:port" or "[v6]:port".
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  static kerb::Result<Endpoint> parse(std::string_view text);
  std::string to_string() const;
};

// Connects within `timeout` to any address of the endpoint (kIo saying what failed).
kerb::Result<Socket> connect_tcp(const Endpoint& endpoint, std::chrono::milliseconds timeout);

// A listening socket on 127.0.0.1:port (0: the kernel picks; port() tells which).
struct Listener {
  Socket socket;
  std::uint16_t port = 0;
};
kerb::Result<Listener> listen_loopback(std::uint16_t port, int backlog);

}  // namespace bank::net
