#include <kerb/der/writer.hpp>

#include <cstring>

#include <kerb/der/oid.hpp>
#include <kerb/der/time.hpp>

#include "utf8.hpp"

namespace kerb::der {
namespace {

// Octets needed for a long-form length (X.690 §8.1.3.5); 0 for the short form.
std::size_t long_length_octets(std::size_t length) {
  std::size_t n = 0;
  if (length < 0x80) return 0;
  for (std::size_t v = length; v != 0; v >>= 8)
    ++n;
  return n;
}

// Minimal two's-complement: drop a leading octet while the next one carries the same sign.
std::span<const std::uint8_t> minimal_integer(std::span<const std::uint8_t> c) {
  while (c.size() > 1 &&
         ((c[0] == 0x00 && (c[1] & 0x80) == 0) || (c[0] == 0xFF && (c[1] & 0x80)))) {
    c = c.subspan(1);
  }
  return c;
}

}  // namespace

std::uint8_t* Writer::reserve(std::size_t n) noexcept {
  if (!live()) return nullptr;
  const std::size_t start = size_;
  size_ += n;
  if (!writing_bytes_) return nullptr;
  switch (mode_) {
    case Mode::kGrowable:
      // Start at a size most Kerberos messages fit in, rather than doubling up from one byte.
      if (heap_.capacity() < size_) heap_.reserve(size_ < 256 ? 256 : 2 * size_);
      heap_.resize(size_);
      return heap_.data() + start;
    case Mode::kFixed:
      if (size_ <= fixed_.size()) return fixed_.data() + start;
      // Keep counting so that size() reports what the whole encoding needs.
      set_error(WriteError::kBufferTooSmall);
      writing_bytes_ = false;
      return nullptr;
    case Mode::kCounting:
      return nullptr;
  }
  return nullptr;
}

void Writer::put(std::span<const std::uint8_t> bytes) noexcept {
  std::uint8_t* p = reserve(bytes.size());
  if (p != nullptr && !bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
}

void Writer::put_header(Tag tag, std::size_t length) noexcept {
  std::uint8_t header[6];
  std::size_t n = 0;
  header[n++] = tag.octet();
  const std::size_t long_octets = long_length_octets(length);
  if (long_octets == 0) {
    header[n++] = static_cast<std::uint8_t>(length);
  } else if (long_octets > 4) {
    set_error(WriteError::kInvalidArgument);
    return;
  } else {
    header[n++] = static_cast<std::uint8_t>(0x80 | long_octets);
    for (std::size_t i = long_octets; i-- > 0;) {
      header[n++] = static_cast<std::uint8_t>(length >> (8 * i));
    }
  }
  put({header, n});
}

void Writer::begin(Tag tag) noexcept {
  if (!live()) return;
  if (!tag.constructed() || universal_tag_fault(tag) != nullptr) {
    return set_error(WriteError::kInvalidArgument);
  }
  if (depth_ == kMaxDepth) return set_error(WriteError::kTooDeep);
  const std::uint8_t id = tag.octet();
  put({&id, 1});
  open_[depth_++] = size_;
  reserve(1);  // short-form length placeholder; end() widens it when the content is long
}

void Writer::end() noexcept {
  if (!live()) return;
  if (depth_ == 0) return set_error(WriteError::kUnbalanced);
  const std::size_t at = open_[--depth_];
  const std::size_t length = size_ - at - 1;
  const std::size_t long_octets = long_length_octets(length);
  if (long_octets > 4) return set_error(WriteError::kInvalidArgument);
  if (long_octets > 0) reserve(long_octets);
  if (!writing_bytes_) return;
  std::uint8_t* base = mode_ == Mode::kGrowable ? heap_.data() : fixed_.data();
  if (long_octets == 0) {
    base[at] = static_cast<std::uint8_t>(length);
    return;
  }
  std::memmove(base + at + 1 + long_octets, base + at + 1, length);
  base[at] = static_cast<std::uint8_t>(0x80 | long_octets);
  for (std::size_t i = 0; i < long_octets; ++i) {
    base[at + 1 + i] = static_cast<std::uint8_t>(length >> (8 * (long_octets - 1 - i)));
  }
}

void Writer::write_primitive(Tag tag, std::span<const std::uint8_t> content) noexcept {
  if (!live()) return;
  if (tag.constructed() || universal_tag_fault(tag) != nullptr) {
    return set_error(WriteError::kInvalidArgument);
  }
  put_header(tag, content.size());
  put(content);
}

void Writer::write_raw(std::span<const std::uint8_t> encoded) noexcept {
  put(encoded);
}

void Writer::write_integer(std::int64_t value) noexcept {
  std::uint8_t be[8];
  for (int i = 0; i < 8; ++i) {
    be[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (56 - 8 * i));
  }
  write_primitive(tags::kInteger, minimal_integer(be));
}

void Writer::write_big_integer(std::span<const std::uint8_t> content) noexcept {
  if (content.empty()) return set_error(WriteError::kInvalidArgument);
  write_primitive(tags::kInteger, minimal_integer(content));
}

void Writer::write_enumerated(std::int32_t value) noexcept {
  std::uint8_t be[4];
  for (int i = 0; i < 4; ++i) {
    be[i] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(value) >> (24 - 8 * i));
  }
  write_primitive(tags::kEnumerated, minimal_integer(be));
}

void Writer::write_boolean(bool value) noexcept {
  const std::uint8_t octet = value ? 0xFF : 0x00;
  write_primitive(tags::kBoolean, {&octet, 1});
}

void Writer::write_null() noexcept {
  write_primitive(tags::kNull, {});
}

void Writer::write_bit_string(std::span<const std::uint8_t> bytes,
                              std::uint8_t unused_bits) noexcept {
  if (!live()) return;
  if (unused_bits > 7 || (bytes.empty() && unused_bits != 0) ||
      (!bytes.empty() && (bytes.back() & ((1u << unused_bits) - 1u)) != 0)) {
    return set_error(WriteError::kInvalidArgument);
  }
  put_header(tags::kBitString, bytes.size() + 1);
  put({&unused_bits, 1});
  put(bytes);
}

void Writer::write_kerberos_flags(std::uint32_t flags) noexcept {
  const std::uint8_t be[4] = {
      static_cast<std::uint8_t>(flags >> 24), static_cast<std::uint8_t>(flags >> 16),
      static_cast<std::uint8_t>(flags >> 8), static_cast<std::uint8_t>(flags)};
  write_bit_string(be, 0);
}

void Writer::write_octet_string(std::span<const std::uint8_t> content) noexcept {
  write_primitive(tags::kOctetString, content);
}

static std::span<const std::uint8_t> as_octets(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

void Writer::write_general_string(std::string_view text) noexcept {
  write_primitive(tags::kGeneralString, as_octets(text));
}

void Writer::write_ia5_string(std::string_view text) noexcept {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return set_error(WriteError::kInvalidArgument);
  }
  write_primitive(tags::kIa5String, as_octets(text));
}

void Writer::write_utf8_string(std::string_view text) noexcept {
  if (first_invalid_utf8(as_octets(text)) != text.size()) {
    return set_error(WriteError::kInvalidArgument);
  }
  write_primitive(tags::kUtf8String, as_octets(text));
}

void Writer::write_kerberos_time(std::int64_t seconds) noexcept {
  std::uint8_t text[kKerberosTimeLength];
  if (!format_kerberos_time(seconds, text)) return set_error(WriteError::kInvalidArgument);
  write_primitive(tags::kGeneralizedTime, text);
}

void Writer::write_oid(std::span<const std::uint8_t> content) noexcept {
  if (!valid_oid(content)) return set_error(WriteError::kInvalidArgument);
  write_primitive(tags::kObjectIdentifier, content);
}

std::span<const std::uint8_t> Writer::bytes() const noexcept {
  if (!ok() || depth_ != 0) return {};
  switch (mode_) {
    case Mode::kGrowable:
      return {heap_.data(), size_};
    case Mode::kFixed:
      return fixed_.first(size_);
    case Mode::kCounting:
      return {};
  }
  return {};
}

std::vector<std::uint8_t> Writer::take() noexcept {
  if (!ok() || depth_ != 0 || mode_ != Mode::kGrowable) return {};
  size_ = 0;
  std::vector<std::uint8_t> out = std::move(heap_);
  heap_.clear();
  return out;
}

}  // namespace kerb::der
