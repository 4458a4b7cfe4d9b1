// der::Reader: a strict, non-owning DER reader (DESIGN.md conventions 1, 2, 5, 7).
//
// A Reader is a view of unread bytes plus where they sit in the original input, so every
// fault names its absolute byte offset. Readers derived from one input share one der::Error:
// the first fault is recorded there and is sticky (every later read on any of them fails).
//
//   der::Error err;
//   der::Reader in(bytes, err);
//   der::Reader seq;
//   if (!in.read_sequence(seq) || !in.finish()) return report(err);  // "... at offset N"
//
// read_* and skip_* consume; peek_* never does; a failed read does not advance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <kerb/der/tag.hpp>

namespace kerb::der {

// At most this many constructed elements nest inside one another (a top-level SEQUENCE is at
// depth 1); the Writer allows as many open scopes. Bounds the recursion of every decoder.
inline constexpr std::uint8_t kMaxDepth = 32;

// The first fault met while reading: a static reason and the absolute byte offset.
struct Error {
  std::size_t offset = 0;
  const char* reason = nullptr;

  bool failed() const noexcept { return reason != nullptr; }
  explicit operator bool() const noexcept { return failed(); }
  // "non-minimal length at offset 17"; returns the length written (snprintf semantics).
  std::size_t format(char* out, std::size_t capacity) const noexcept;
};

// A BIT STRING's content: the unused-bit count and the bit octets (padding bits are zero).
struct BitString {
  std::span<const std::uint8_t> bytes;
  std::uint8_t unused_bits = 0;
  std::size_t bit_count() const noexcept { return bytes.size() * 8 - unused_bits; }
};

class Reader {
 public:
  Reader() = default;
  Reader(std::span<const std::uint8_t> input, Error& error) noexcept
      : data_(input), error_(&error) {}

  bool empty() const noexcept { return data_.empty(); }
  std::size_t remaining() const noexcept { return data_.size(); }
  std::span<const std::uint8_t> unread() const noexcept { return data_; }
  // Absolute offset (in the original input) of the next unread byte.
  std::size_t offset() const noexcept { return base_; }
  bool ok() const noexcept { return error_ == nullptr || !error_->failed(); }

  // The next element's tag, or nullopt at the end or on a malformed identifier.
  std::optional<Tag> peek_tag() const noexcept;
  bool peek(Tag tag) const noexcept { return peek_tag() == tag; }

  // --- elements --------------------------------------------------------------------------
  // The contents of the next element, which must carry `tag`.
  [[nodiscard]] bool read_element(Tag tag, Reader& contents) noexcept;
  // The next element whatever its tag.
  [[nodiscard]] bool read_any(Tag& tag, Reader& contents) noexcept;
  // The contents of the next element if it carries `tag`; nullopt if absent. A present but
  // malformed element also yields nullopt and records the fault: check ok() afterwards.
  std::optional<Reader> read_optional(Tag tag) noexcept;
  // The whole next element (identifier and length included), e.g. to keep checksummed bytes.
  [[nodiscard]] bool read_raw(Tag tag, std::span<const std::uint8_t>& element) noexcept;
  [[nodiscard]] bool read_raw_any(std::span<const std::uint8_t>& element) noexcept;
  [[nodiscard]] bool skip(Tag tag) noexcept;
  [[nodiscard]] bool skip_any() noexcept;
  [[nodiscard]] bool read_sequence(Reader& contents) noexcept {
    return read_element(tags::kSequence, contents);
  }
  // Fails with "trailing bytes" unless everything was consumed.
  [[nodiscard]] bool finish() noexcept;
  // Records a fault found by the caller in a value it just read (e.g. "pvno must be 5"), at
  // `offset` (capture offset() before the read). Always returns false.
  bool fault(std::size_t offset, const char* reason) const noexcept { return fail(offset, reason); }

  // --- primitives (each reads one element of its universal tag) ---------------------------
  [[nodiscard]] bool read_integer(std::int32_t& value) noexcept;
  [[nodiscard]] bool read_integer(std::uint32_t& value) noexcept;
  [[nodiscard]] bool read_integer(std::int64_t& value) noexcept;
  // Minimal two's-complement content octets of an INTEGER of any size.
  [[nodiscard]] bool read_big_integer(std::span<const std::uint8_t>& content) noexcept;
  [[nodiscard]] bool read_enumerated(std::int32_t& value) noexcept;
  [[nodiscard]] bool read_boolean(bool& value) noexcept;
  [[nodiscard]] bool read_null() noexcept;
  [[nodiscard]] bool read_bit_string(BitString& bits) noexcept;
  // KerberosFlags (RFC 4120 §5.2.8): at least 32 bits; flag 0 is the most significant bit.
  // Bits past 31 are ignored.
  [[nodiscard]] bool read_kerberos_flags(std::uint32_t& flags) noexcept;
  [[nodiscard]] bool read_octet_string(std::span<const std::uint8_t>& content) noexcept;
  // KerberosString ::= GeneralString (RFC 4120 §5.2.1); octets are passed through.
  [[nodiscard]] bool read_general_string(std::string_view& text) noexcept;
  [[nodiscard]] bool read_ia5_string(std::string_view& text) noexcept;    // 7-bit only
  [[nodiscard]] bool read_utf8_string(std::string_view& text) noexcept;   // valid UTF-8 only
  [[nodiscard]] bool read_kerberos_time(std::int64_t& seconds) noexcept;  // "YYYYMMDDHHMMSSZ"
  // Valid OBJECT IDENTIFIER content octets (see oid.hpp for the dotted form).
  [[nodiscard]] bool read_oid(std::span<const std::uint8_t>& content) noexcept;

 private:
  struct Header {
    Tag tag;
    std::size_t header_length;
    std::size_t content_length;
  };
  Reader(std::span<const std::uint8_t> data, std::size_t base, Error* error,
         std::uint8_t depth) noexcept
      : data_(data), base_(base), error_(error), depth_(depth) {}

  bool parse_header(Header& header, bool report) const noexcept;
  bool read_header(Header& header) noexcept;
  bool read_primitive(Tag tag, std::span<const std::uint8_t>& content) noexcept;
  bool read_integer_content(Tag tag, std::span<const std::uint8_t>& content) noexcept;
  bool read_small_integer(Tag tag, std::int64_t min, std::int64_t max,
                          std::int64_t& value) noexcept;
  bool fail(std::size_t at, const char* reason) const noexcept;
  void advance(std::size_t n) noexcept {
    data_ = data_.subspan(n);
    base_ += n;
  }

  std::span<const std::uint8_t> data_;
  std::size_t base_ = 0;
  Error* error_ = nullptr;
  std::uint8_t depth_ = 0;
};

}  // namespace kerb::der
