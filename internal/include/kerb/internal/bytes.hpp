// Bytes: a bounds-checked reader that records the first fault as a kerb::Error naming the
// file and offset, a two-pass big-endian writer (count, then fill an exactly reserved or fixed
// buffer, so key bytes are never left behind in a reallocated block), and byte/text views.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string_view>
#include <vector>

#include <kerb/error.hpp>
#include <kerb/result.hpp>

namespace kerb::detail {

// Reads fixed-size integers and length-prefixed data from a span. Every read checks the
// remaining bytes first; a failed read does not advance and records an error (the first one
// wins) that names the label ("ccache", "keytab krb5.keytab"), the field and the offset.
class BinaryReader {
 public:
  BinaryReader(std::span<const std::uint8_t> data, bool big_endian, std::string_view label,
               std::size_t base_offset = 0) noexcept
      : data_(data), base_(base_offset), big_endian_(big_endian) {
    std::size_t n = label.size() < sizeof(label_) - 1 ? label.size() : sizeof(label_) - 1;
    for (std::size_t i = 0; i < n; ++i)
      label_[i] = label[i];
    label_[n] = '\0';
  }

  std::size_t offset() const noexcept { return base_ + pos_; }  // absolute, in the file
  std::size_t remaining() const noexcept { return data_.size() - pos_; }
  bool empty() const noexcept { return remaining() == 0; }
  bool big_endian() const noexcept { return big_endian_; }
  const char* label() const noexcept { return label_; }
  const Error& error() const noexcept { return error_; }
  bool failed() const noexcept { return failed_; }

  [[nodiscard]] bool read_u8(std::uint8_t& out, const char* field) noexcept {
    std::uint64_t v = 0;
    if (!read_uint(1, v, field)) return false;
    out = static_cast<std::uint8_t>(v);
    return true;
  }
  [[nodiscard]] bool read_u16(std::uint16_t& out, const char* field) noexcept {
    std::uint64_t v = 0;
    if (!read_uint(2, v, field)) return false;
    out = static_cast<std::uint16_t>(v);
    return true;
  }
  [[nodiscard]] bool read_u32(std::uint32_t& out, const char* field) noexcept {
    std::uint64_t v = 0;
    if (!read_uint(4, v, field)) return false;
    out = static_cast<std::uint32_t>(v);
    return true;
  }
  [[nodiscard]] bool read_u64(std::uint64_t& out, const char* field) noexcept {
    return read_uint(8, out, field);
  }
  [[nodiscard]] bool read_i32(std::int32_t& out, const char* field) noexcept {
    std::uint32_t v = 0;
    if (!read_u32(v, field)) return false;
    out = static_cast<std::int32_t>(v);  // two's complement (C++20)
    return true;
  }
  // A 16-bit field holding a signed Kerberos number (enctype, addrtype, ad-type).
  [[nodiscard]] bool read_i16(std::int32_t& out, const char* field) noexcept {
    std::uint16_t v = 0;
    if (!read_u16(v, field)) return false;
    out = static_cast<std::int16_t>(v);
    return true;
  }

  [[nodiscard]] bool read_bytes(std::size_t n, std::span<const std::uint8_t>& out,
                                const char* field) noexcept {
    if (n > remaining()) return truncated(field, n);
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool skip(std::size_t n, const char* field) noexcept {
    std::span<const std::uint8_t> ignored;
    return read_bytes(n, ignored, field);
  }

  // A length (length_size = 2 or 4 bytes) followed by that many bytes. The length is checked
  // against `max` and against the remaining bytes before anything else happens.
  [[nodiscard]] bool read_data(std::size_t length_size, std::span<const std::uint8_t>& out,
                               const char* field, std::size_t max = SIZE_MAX) noexcept {
    const std::size_t at = offset();
    std::uint64_t len = 0;
    if (!read_uint(length_size, len, field)) return false;
    if (len > max) {
      pos_ -= length_size;
      return fail_at(at, "%s length %llu exceeds the limit of %zu", field,
                     static_cast<unsigned long long>(len), max);
    }
    if (len > remaining()) {
      const std::size_t left = remaining();
      pos_ -= length_size;
      return fail_at(at, "%s length %llu exceeds the remaining %zu bytes", field,
                     static_cast<unsigned long long>(len), left);
    }
    out = data_.subspan(pos_, static_cast<std::size_t>(len));
    pos_ += static_cast<std::size_t>(len);
    return true;
  }

  // Records "<label>: <message> at offset <at>" unless an error is already recorded; false.
  [[gnu::format(printf, 3, 4)]] bool fail_at(std::size_t at, const char* fmt, ...) noexcept {
    if (failed_) return false;
    char message[Error::kDetailCapacity];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(message, sizeof(message), fmt, args);
    va_end(args);
    error_ = Error::format(ErrorCategory::kIo, 0, "%s: %s at offset %zu", label_, message, at);
    failed_ = true;
    return false;
  }

  // Adopts another reader's error (a sub-reader over one record).
  bool fail_with(const Error& error) noexcept {
    if (failed_) return false;
    error_ = error;
    failed_ = true;
    return false;
  }

  // A reader over the next n bytes (same label and byte order, offsets stay absolute).
  [[nodiscard]] bool read_sub(std::size_t n, BinaryReader& out, const char* field) noexcept {
    const std::size_t at = offset();
    std::span<const std::uint8_t> bytes;
    if (!read_bytes(n, bytes, field)) return false;
    out = BinaryReader(bytes, big_endian_, label_, at);
    return true;
  }

 private:
  bool truncated(const char* field, std::size_t need) noexcept {
    return fail_at(offset(), "truncated %s (needs %zu bytes, %zu remain)", field, need,
                   remaining());
  }

  bool read_uint(std::size_t n, std::uint64_t& out, const char* field) noexcept {
    if (n > remaining()) return truncated(field, n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t index = big_endian_ ? i : n - 1 - i;
      v = (v << 8) | data_[pos_ + index];
    }
    pos_ += n;
    out = v;
    return true;
  }

  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  std::size_t base_ = 0;
  bool big_endian_ = true;
  bool failed_ = false;
  char label_[48] = {};
  Error error_;
};

// Writer in two passes: with no buffer it only counts; with a vector it appends; with a fixed
// buffer it fills that and, once a write does not fit, writes nothing more and reports !ok()
// (size() still counts what was asked, the size the buffer needed). Serialisers run once
// counting, reserve() exactly, and run again writing. Integers are big-endian unless
// big_endian is false (RFC 2744 §3.11's channel bindings are little-endian).
class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>* out = nullptr, bool big_endian = true) noexcept
      : out_(out), big_endian_(big_endian) {}
  explicit ByteWriter(std::span<std::uint8_t> fixed, bool big_endian = true) noexcept
      : fixed_(fixed), is_fixed_(true), big_endian_(big_endian) {}

  std::size_t size() const noexcept { return size_; }
  // False once a fixed-buffer write did not fit.
  bool ok() const noexcept { return ok_; }

  void u8(std::uint8_t v) { put(v, 1); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void i32(std::int32_t v) { put(static_cast<std::uint32_t>(v), 4); }
  void bytes(std::span<const std::uint8_t> b) {
    if (out_ != nullptr) {
      // resize and copy rather than vector::insert: one fewer std:: instantiation to link.
      const std::size_t at = out_->size();
      out_->resize(at + b.size());
      std::copy(b.begin(), b.end(), out_->begin() + static_cast<std::ptrdiff_t>(at));
    } else if (is_fixed_ && fits(b.size())) {
      std::copy(b.begin(), b.end(), fixed_.begin() + static_cast<std::ptrdiff_t>(size_));
    }
    size_ += b.size();
  }
  void bytes(std::string_view s) {
    bytes(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  }

 private:
  bool fits(std::size_t n) noexcept {
    if (ok_ && n <= fixed_.size() - size_) return true;
    ok_ = false;
    return false;
  }

  void put(std::uint64_t v, std::size_t n) {
    // Byte i of the output: the most significant first (big-endian) or the least.
    const auto byte = [&](std::size_t i) {
      return static_cast<std::uint8_t>(v >> (8 * (big_endian_ ? n - 1 - i : i)));
    };
    if (out_ != nullptr) {
      for (std::size_t i = 0; i < n; ++i)
        out_->push_back(byte(i));
    } else if (is_fixed_ && fits(n)) {
      for (std::size_t i = 0; i < n; ++i)
        fixed_[size_ + i] = byte(i);
    }
    size_ += n;
  }

  std::vector<std::uint8_t>* out_ = nullptr;
  std::span<std::uint8_t> fixed_;
  bool is_fixed_ = false;
  bool big_endian_ = true;
  bool ok_ = true;
  std::size_t size_ = 0;
};

// Serializes with `put` twice: first only counting, then into a buffer reserved to the exact
// size, so the buffer never reallocates and leaves no stray copies of key bytes behind.
template <class Put>
Result<std::vector<std::uint8_t>> serialize_exact(Put&& put) {
  ByteWriter counter;
  KERB_TRY_VOID(put(counter));
  std::vector<std::uint8_t> out;
  out.reserve(counter.size());
  ByteWriter writer(&out);
  KERB_TRY_VOID(put(writer));
  return out;
}

// The host's own byte order (a ccache of version 1 or 2 is written in it).
inline bool host_is_big_endian() noexcept {
  return std::endian::native == std::endian::big;
}

// The same bytes seen as text (no copy, no check).
inline std::string_view as_text(std::span<const std::uint8_t> bytes) noexcept {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The same text seen as bytes (no copy).
inline std::span<const std::uint8_t> as_bytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Equal length and contents; not constant-time (for public data such as OIDs).
inline bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace kerb::detail
