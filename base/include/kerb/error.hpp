// kerb::Error: what went wrong, in which layer, and where.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string_view>

namespace kerb {

// The layer or concern that produced an error; lets a caller branch without parsing text.
enum class ErrorCategory : std::uint8_t {
  kNone = 0,
  kDer,       // malformed DER (detail names the byte offset)
  kCrypto,    // integrity failure, bad key, unsupported or weak enctype
  kProtocol,  // a well-formed message that violates RFC 4120/4121 rules
  kKdc,       // the KDC answered with KRB-ERROR (code() holds the RFC 4120 error code)
  kPolicy,    // refused by local policy (weak crypto, skew, enctype not permitted)
  kConfig,    // krb5.conf problems (detail names file and line)
  kIo,        // transport, files
  kInvalidArgument,
  kBufferTooSmall,
};

std::string_view to_string(ErrorCategory category) noexcept;

// Small, copyable, heap-free. The detail is a short human sentence and never holds key
// material (DESIGN.md convention 10).
class Error {
 public:
  static constexpr std::size_t kDetailCapacity = 192;

  constexpr Error() noexcept = default;
  // Out of line: error paths are many and cold, and an inlined copy loop and clear of the
  // detail buffer at each of them costs more code than the call.
  [[gnu::noinline]] Error(ErrorCategory category, std::int32_t code,
                          std::string_view detail) noexcept
      : category_(category), code_(code) {
    set_detail(detail);
  }
  Error(ErrorCategory category, std::string_view detail) noexcept : Error(category, 0, detail) {}
  // For a literal detail: its strlen happens once here, not in a string_view at every caller.
  [[gnu::noinline]] Error(ErrorCategory category, std::int32_t code, const char* detail) noexcept
      : Error(category, code, std::string_view(detail)) {}
  Error(ErrorCategory category, const char* detail) noexcept : Error(category, 0, detail) {}

  // printf-style detail, e.g. Error::format(ErrorCategory::kDer, 0, "%s at offset %zu", ...).
  [[gnu::format(printf, 3, 4)]] static Error format(ErrorCategory category, std::int32_t code,
                                                    const char* fmt, ...) noexcept {
    Error e;
    e.category_ = category;
    e.code_ = code;
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(e.detail_, kDetailCapacity, fmt, args);
    va_end(args);
    return e;
  }

  ErrorCategory category() const noexcept { return category_; }
  // The Kerberos error code (RFC 4120 §7.5.9) for kKdc and kProtocol errors, the errno for a
  // kIo error of a file (ENOENT: no such file; EISDIR: a directory), 0 otherwise.
  std::int32_t code() const noexcept { return code_; }
  std::string_view detail() const noexcept { return detail_; }

 private:
  void set_detail(std::string_view s) noexcept {
    std::size_t n = s.size() < kDetailCapacity - 1 ? s.size() : kDetailCapacity - 1;
    for (std::size_t i = 0; i < n; ++i)
      detail_[i] = s[i];
    detail_[n] = '\0';
  }

  ErrorCategory category_ = ErrorCategory::kNone;
  std::int32_t code_ = 0;
  char detail_[kDetailCapacity] = {};
};

inline std::string_view to_string(ErrorCategory category) noexcept {
  switch (category) {
    case ErrorCategory::kNone:
      return "none";
    case ErrorCategory::kDer:
      return "der";
    case ErrorCategory::kCrypto:
      return "crypto";
    case ErrorCategory::kProtocol:
      return "protocol";
    case ErrorCategory::kKdc:
      return "kdc";
    case ErrorCategory::kPolicy:
      return "policy";
    case ErrorCategory::kConfig:
      return "config";
    case ErrorCategory::kIo:
      return "io";
    case ErrorCategory::kInvalidArgument:
      return "invalid argument";
    case ErrorCategory::kBufferTooSmall:
      return "buffer too small";
  }
  return "unknown";
}

}  // namespace kerb
