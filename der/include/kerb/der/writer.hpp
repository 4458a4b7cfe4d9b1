// der::Writer: canonical DER out, with deferred lengths (DESIGN.md convention 6).
//
// Constructed elements open a scope with begin() and close it with end(); the length is
// written when the scope closes, so callers never compute sizes by hand:
//
//   der::Writer w;                      // growable; or der::Writer w(buffer) for a fixed one
//   w.sequence([&] {
//     w.context(0, [&] { w.write_integer(5); });
//     w.context(1, [&] { w.write_general_string("KERB.TEST"); });
//   });
//   if (!w.ok()) ...;  use w.bytes()
//
// Errors are sticky: after the first one every write is ignored and ok() stays false.
// A fixed buffer that is too small yields kBufferTooSmall, but the writer keeps counting, so
// size() still tells how many bytes the whole encoding needs; Writer::counting() does only that.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <kerb/der/reader.hpp>
#include <kerb/der/tag.hpp>

namespace kerb::der {

enum class WriteError : std::uint8_t {
  kNone = 0,
  kBufferTooSmall,   // fixed buffer exhausted (size() still reports the size needed)
  kUnbalanced,       // end() without begin(), bytes() with a scope open
  kTooDeep,          // more than kMaxDepth open scopes
  kInvalidArgument,  // a value DER cannot carry (bad unused-bit count, time out of range, ...)
};

class Writer {
 public:
  // Growable: the buffer lives on the heap and grows as needed.
  Writer() noexcept : mode_(Mode::kGrowable) {}
  // Fixed: writes into the caller's buffer and never allocates.
  explicit Writer(std::span<std::uint8_t> buffer) noexcept : mode_(Mode::kFixed), fixed_(buffer) {}
  // Writes nothing; size() is the length the encoding needs.
  static Writer counting() noexcept {
    Writer w;
    w.mode_ = Mode::kCounting;
    w.writing_bytes_ = false;
    return w;
  }

  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  Writer(Writer&&) noexcept = default;
  Writer& operator=(Writer&&) noexcept = default;

  // --- constructed elements -----------------------------------------------------------
  void begin(Tag tag) noexcept;
  void end() noexcept;
  template <class Body>
  void constructed(Tag tag, Body&& body) {
    begin(tag);
    body();
    end();
  }
  template <class Body>
  void sequence(Body&& body) {
    constructed(tags::kSequence, body);
  }
  template <class Body>
  void context(std::uint8_t number, Body&& body) {
    constructed(ctx(number), body);
  }
  template <class Body>
  void application(std::uint8_t number, Body&& body) {
    constructed(app(number), body);
  }

  // --- primitives -----------------------------------------------------------------------
  void write_integer(std::int64_t value) noexcept;
  // Two's-complement content octets; redundant leading octets are dropped.
  void write_big_integer(std::span<const std::uint8_t> content) noexcept;
  void write_enumerated(std::int32_t value) noexcept;
  void write_boolean(bool value) noexcept;
  void write_null() noexcept;
  void write_bit_string(std::span<const std::uint8_t> bytes, std::uint8_t unused_bits) noexcept;
  // KerberosFlags: always 32 bits, flag 0 in the most significant bit.
  void write_kerberos_flags(std::uint32_t flags) noexcept;
  void write_octet_string(std::span<const std::uint8_t> content) noexcept;
  void write_general_string(std::string_view text) noexcept;
  void write_ia5_string(std::string_view text) noexcept;
  void write_utf8_string(std::string_view text) noexcept;
  void write_kerberos_time(std::int64_t seconds) noexcept;
  void write_oid(std::span<const std::uint8_t> content) noexcept;
  // A primitive element with arbitrary content octets.
  void write_primitive(Tag tag, std::span<const std::uint8_t> content) noexcept;
  // Pre-encoded element(s) copied as they are, e.g. a Ticket kept from a reply.
  void write_raw(std::span<const std::uint8_t> encoded) noexcept;

  // --- result -----------------------------------------------------------------------------
  bool ok() const noexcept { return error_ == WriteError::kNone; }
  WriteError error() const noexcept { return error_; }
  // Bytes written so far, or needed so far when the fixed buffer ran out or when counting.
  std::size_t size() const noexcept { return size_; }
  // The encoding; empty unless ok() and every scope is closed.
  std::span<const std::uint8_t> bytes() const noexcept;
  // Growable mode: moves the encoding out (empty unless ok()).
  std::vector<std::uint8_t> take() noexcept;

 private:
  enum class Mode : std::uint8_t { kGrowable, kFixed, kCounting };

  // True while output is still being produced or counted (only an overflow keeps counting).
  bool live() const noexcept {
    return error_ == WriteError::kNone || error_ == WriteError::kBufferTooSmall;
  }
  std::uint8_t* reserve(std::size_t n) noexcept;  // nullptr when only counting
  void put(std::span<const std::uint8_t> bytes) noexcept;
  void put_header(Tag tag, std::size_t length) noexcept;
  void set_error(WriteError e) noexcept {
    if (error_ == WriteError::kNone) error_ = e;
  }

  Mode mode_;
  WriteError error_ = WriteError::kNone;
  bool writing_bytes_ = true;  // false once a fixed buffer overflowed: keep counting only
  std::size_t size_ = 0;
  std::span<std::uint8_t> fixed_;
  std::vector<std::uint8_t> heap_;
  std::size_t open_[kMaxDepth] = {};  // offset of each open scope's length octet
  std::uint8_t depth_ = 0;
};

}  // namespace kerb::der
