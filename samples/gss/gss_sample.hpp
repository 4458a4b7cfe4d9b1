// What kerb-gss-client and kerb-gss-server share: the wire protocol of MIT's gss-sample
// programs (src/appl/gss-sample), so that each interoperates with MIT's counterpart.
//
// Every message is a flags byte, a 4-byte big-endian length and that many bytes. The client
// opens with NOOP|CONTEXT_NEXT, sends CONTEXT tokens until the context is established, then
// DATA tokens (WRAPPED, ENCRYPTED and SEND_MIC say what it did and wants) each answered by a
// MIC or a NOOP, and ends with a NOOP.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/config.hpp>
#include <kerb/error.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/principal.hpp>

namespace kerb::sample {

namespace token_flags {
inline constexpr std::uint8_t kNoop = 1 << 0;
inline constexpr std::uint8_t kContext = 1 << 1;
inline constexpr std::uint8_t kData = 1 << 2;
inline constexpr std::uint8_t kMic = 1 << 3;
inline constexpr std::uint8_t kContextNext = 1 << 4;
inline constexpr std::uint8_t kWrapped = 1 << 5;
inline constexpr std::uint8_t kEncrypted = 1 << 6;
inline constexpr std::uint8_t kSendMic = 1 << 7;
}  // namespace token_flags

struct Token {
  std::uint8_t flags = 0;
  std::vector<std::uint8_t> data;
};

// A peer's length is not trusted: the buffer grows with the bytes that actually arrive, up
// to this bound.
inline constexpr std::size_t kMaxToken = std::size_t{16} << 20;

inline bool write_all(int fd, std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

inline bool read_all(int fd, std::span<std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::recv(fd, bytes.data(), bytes.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

inline bool send_token(int fd, std::uint8_t flags, std::span<const std::uint8_t> data) {
  const auto n = static_cast<std::uint32_t>(data.size());
  const std::uint8_t head[5] = {flags, static_cast<std::uint8_t>(n >> 24),
                                static_cast<std::uint8_t>(n >> 16),
                                static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
  return data.size() <= kMaxToken && write_all(fd, head) && write_all(fd, data);
}

// nullopt when the peer closed the connection or sent more than kMaxToken; `why` says which.
inline std::optional<Token> recv_token(int fd, std::string& why) {
  std::uint8_t head[5];
  if (!read_all(fd, head)) {
    why = "connection closed while reading a token header";
    return std::nullopt;
  }
  const std::size_t n =
      std::size_t{head[1]} << 24 | std::size_t{head[2]} << 16 | std::size_t{head[3]} << 8 | head[4];
  if (n > kMaxToken) {
    why = "token of " + std::to_string(n) + " bytes is over the limit";
    return std::nullopt;
  }
  Token t{head[0], {}};
  constexpr std::size_t kChunk = 64 * 1024;
  while (t.data.size() < n) {
    const std::size_t at = t.data.size();
    t.data.resize(at + std::min(kChunk, n - at));
    if (!read_all(fd, std::span(t.data).subspan(at))) {
      why = "connection closed after " + std::to_string(at) + " of " + std::to_string(n) +
            " token bytes";
      return std::nullopt;
    }
  }
  return t;
}

// The lines MIT's display_ctx_flags() prints, so that scripts can read either program.
inline void print_context_flags(std::FILE* out, std::uint32_t flags) {
  using namespace kerb::gss::context_flags;
  if (flags & kDeleg) std::fputs("context flag: GSS_C_DELEG_FLAG\n", out);
  if (flags & kMutual) std::fputs("context flag: GSS_C_MUTUAL_FLAG\n", out);
  if (flags & kReplay) std::fputs("context flag: GSS_C_REPLAY_FLAG\n", out);
  if (flags & kSequence) std::fputs("context flag: GSS_C_SEQUENCE_FLAG\n", out);
  if (flags & kConf) std::fputs("context flag: GSS_C_CONF_FLAG \n", out);
  if (flags & kInteg) std::fputs("context flag: GSS_C_INTEG_FLAG \n", out);
}

// unwrap() and verify_mic() hand back an authentic token that is not the next one expected,
// flagged only by supplementary bits (RFC 2743 §1.2.3). A context that asked for replay or
// sequence detection refuses every such token, as MIT's gss-server does (any status other
// than GSS_S_COMPLETE ends its connection): an old token, beyond the window, may be a replay
// that can no longer be told apart. Without either flag the bits mean nothing and pass.
inline kerb::Result<void> check_supplementary(std::uint32_t context_flags,
                                              std::uint32_t supplementary) {
  using namespace kerb::gss;
  if ((context_flags & (context_flags::kReplay | context_flags::kSequence)) == 0) return kerb::ok();
  const char* what = nullptr;
  if (supplementary & supplementary::kDuplicateToken) {
    what = "a duplicate (replayed) token";
  } else if (supplementary & supplementary::kOldToken) {
    what = "an old token (too far behind to tell whether it is a replay)";
  } else if (supplementary & supplementary::kUnseqToken) {
    what = "a token out of sequence (later ones arrived first)";
  } else if (supplementary & supplementary::kGapToken) {
    what = "a token after a gap (earlier ones are missing)";
  }
  if (what == nullptr) return kerb::ok();
  return kerb::Error::format(kerb::ErrorCategory::kProtocol, major_status::kFailure,
                             "refusing %s: replay or sequence detection is on", what);
}

inline void print_error(const char* program, const char* what, const kerb::Error& e) {
  std::fprintf(stderr, "%s: %s: %.*s\n", program, what, static_cast<int>(e.detail().size()),
               e.detail().data());
}

// A host-based service name "service@host" (GSS_C_NT_HOSTBASED_SERVICE) as the Kerberos
// principal service/host@REALM: the realm from [domain_realm], else the default realm. Without
// "@host" the local host name is used, as MIT does.
inline kerb::Result<kerb::Principal> service_principal(std::string_view name,
                                                       const kerb::Config& config) {
  std::string service(name), host;
  if (const auto at = name.find('@'); at != std::string_view::npos) {
    service = name.substr(0, at);
    host = name.substr(at + 1);
  } else {
    char local[256] = {};
    if (::gethostname(local, sizeof local - 1) != 0)
      return kerb::Error(kerb::ErrorCategory::kIo, "gethostname failed");
    host = local;
  }
  if (service.empty() || host.empty())
    return kerb::Error(kerb::ErrorCategory::kInvalidArgument,
                       "a service name has the form service@host");
  for (char& c : host)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string realm(
      config.realm_for_host(host).value_or(config.default_realm().value_or("")));
  return kerb::Principal::parse(service + "/" + host, realm);
}

}  // namespace kerb::sample
