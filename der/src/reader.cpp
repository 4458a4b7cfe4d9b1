#include <kerb/der/reader.hpp>

#include <cstdio>

#include <kerb/der/oid.hpp>
#include <kerb/der/time.hpp>

#include "utf8.hpp"

namespace kerb::der {

std::size_t Error::format(char* out, std::size_t capacity) const noexcept {
  int n = failed() ? std::snprintf(out, capacity, "%s at offset %zu", reason, offset)
                   : std::snprintf(out, capacity, "no error");
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

bool Reader::fail(std::size_t at, const char* reason) const noexcept {
  if (error_ != nullptr && !error_->failed()) {
    error_->offset = at;
    error_->reason = reason;
  }
  return false;
}

// Parses the identifier and length octets of the next element without consuming them.
// With report=false it is a silent probe (peek_tag); otherwise the first fault is recorded.
bool Reader::parse_header(Header& header, bool report) const noexcept {
  auto bad = [&](std::size_t at, const char* reason) { return report ? fail(at, reason) : false; };
  if (!ok()) return false;
  if (data_.empty()) return bad(base_, "unexpected end of input");

  const std::uint8_t id = data_[0];
  if ((id & 0x1F) == 0x1F) {
    // X.690 §8.1.2.4: numbers above 30 take further octets. Kerberos never needs them, and a
    // number below 31 written this way is a non-minimal encoding.
    std::uint32_t number = 0;
    std::size_t i = 1;
    for (; i < data_.size() && i <= 4; ++i) {
      number = (number << 7) | (data_[i] & 0x7Fu);
      if ((data_[i] & 0x80) == 0) break;
    }
    if (i < data_.size() && i <= 4 && number < 31) {
      return bad(base_, "high-tag-number form for a tag number below 31");
    }
    return bad(base_, "high-tag-number form (Kerberos uses tag numbers 0..30 only)");
  }
  const Tag tag = Tag::from_octet(id);
  if (const char* fault = universal_tag_fault(tag)) return bad(base_, fault);

  if (data_.size() < 2) return bad(base_ + 1, "unexpected end of input in length");
  const std::uint8_t first = data_[1];
  std::size_t length = first;
  std::size_t header_length = 2;
  if (first == 0x80) return bad(base_ + 1, "indefinite length");
  if (first > 0x80) {
    const std::size_t n = first & 0x7Fu;
    if (n > 4) return bad(base_ + 1, "length of more than 4 octets");
    if (data_.size() < 2 + n) return bad(base_ + 1, "unexpected end of input in length");
    length = 0;
    for (std::size_t i = 0; i < n; ++i)
      length = (length << 8) | data_[2 + i];
    // Minimal: no leading zero octet, and the long form only for lengths of 128 and up.
    if (data_[2] == 0 || length < 0x80) return bad(base_ + 1, "non-minimal length");
    header_length = 2 + n;
  }
  if (length > data_.size() - header_length) return bad(base_ + 1, "length beyond the input");
  header = Header{tag, header_length, length};
  return true;
}

// Parses the next header for consumption, enforcing the nesting bound on constructed elements
// (the Writer's scope limit, so whatever it produces reads back).
bool Reader::read_header(Header& header) noexcept {
  if (!parse_header(header, true)) return false;
  if (header.tag.constructed() && depth_ >= kMaxDepth) {
    return fail(base_, "nesting deeper than 32 levels");
  }
  return true;
}

std::optional<Tag> Reader::peek_tag() const noexcept {
  Header header{Tag::from_octet(0), 0, 0};
  if (!parse_header(header, false)) return std::nullopt;
  return header.tag;
}

bool Reader::read_any(Tag& tag, Reader& contents) noexcept {
  Header h{Tag::from_octet(0), 0, 0};
  if (!read_header(h)) return false;
  tag = h.tag;
  contents = Reader(data_.subspan(h.header_length, h.content_length), base_ + h.header_length,
                    error_, static_cast<std::uint8_t>(depth_ + 1));
  advance(h.header_length + h.content_length);
  return true;
}

bool Reader::read_element(Tag tag, Reader& contents) noexcept {
  Header h{Tag::from_octet(0), 0, 0};
  if (!read_header(h)) return false;
  if (h.tag != tag) return fail(base_, "unexpected tag");
  contents = Reader(data_.subspan(h.header_length, h.content_length), base_ + h.header_length,
                    error_, static_cast<std::uint8_t>(depth_ + 1));
  advance(h.header_length + h.content_length);
  return true;
}

std::optional<Reader> Reader::read_optional(Tag tag) noexcept {
  if (!ok() || data_.empty()) return std::nullopt;
  Header h{Tag::from_octet(0), 0, 0};
  if (!read_header(h) || h.tag != tag) return std::nullopt;
  Reader contents;
  if (!read_element(tag, contents)) return std::nullopt;
  return contents;
}

bool Reader::read_raw_any(std::span<const std::uint8_t>& element) noexcept {
  Header h{Tag::from_octet(0), 0, 0};
  if (!read_header(h)) return false;
  element = data_.first(h.header_length + h.content_length);
  advance(element.size());
  return true;
}

bool Reader::read_raw(Tag tag, std::span<const std::uint8_t>& element) noexcept {
  Header h{Tag::from_octet(0), 0, 0};
  if (!read_header(h)) return false;
  if (h.tag != tag) return fail(base_, "unexpected tag");
  return read_raw_any(element);
}

bool Reader::skip(Tag tag) noexcept {
  std::span<const std::uint8_t> ignored;
  return read_raw(tag, ignored);
}

bool Reader::skip_any() noexcept {
  std::span<const std::uint8_t> ignored;
  return read_raw_any(ignored);
}

bool Reader::finish() noexcept {
  if (!ok()) return false;
  if (!data_.empty()) return fail(base_, "trailing bytes");
  return true;
}

bool Reader::read_primitive(Tag tag, std::span<const std::uint8_t>& content) noexcept {
  Header h{Tag::from_octet(0), 0, 0};
  if (!read_header(h)) return false;
  if (h.tag != tag) return fail(base_, "unexpected tag");
  content = data_.subspan(h.header_length, h.content_length);
  advance(h.header_length + h.content_length);
  return true;
}

// Primitive readers validate on a copy and commit only on success, so a failed read never
// advances. The fault offset is that of the content octets.

bool Reader::read_integer_content(Tag tag, std::span<const std::uint8_t>& content) noexcept {
  Reader r = *this;
  std::span<const std::uint8_t> c;
  if (!r.read_primitive(tag, c)) return false;
  const std::size_t at = r.base_ - c.size();
  if (c.empty()) return fail(at, "empty INTEGER");
  // X.690 §8.3.2: the first nine bits are never all zero or all one.
  if (c.size() > 1 && ((c[0] == 0x00 && (c[1] & 0x80) == 0) || (c[0] == 0xFF && (c[1] & 0x80)))) {
    return fail(at, "non-minimal INTEGER");
  }
  content = c;
  *this = r;
  return true;
}

bool Reader::read_small_integer(Tag tag, std::int64_t min, std::int64_t max,
                                std::int64_t& value) noexcept {
  Reader r = *this;
  std::span<const std::uint8_t> c;
  if (!r.read_integer_content(tag, c)) return false;
  const std::size_t at = r.base_ - c.size();
  if (c.size() > 8) return fail(at, "INTEGER out of range");
  std::uint64_t u = (c[0] & 0x80) ? ~std::uint64_t{0} : 0;  // sign extension
  for (std::uint8_t b : c)
    u = (u << 8) | b;
  const auto v = static_cast<std::int64_t>(u);
  if (v < min || v > max) return fail(at, "INTEGER out of range");
  value = v;
  *this = r;
  return true;
}

bool Reader::read_integer(std::int32_t& value) noexcept {
  std::int64_t v = 0;
  if (!read_small_integer(tags::kInteger, INT32_MIN, INT32_MAX, v)) return false;
  value = static_cast<std::int32_t>(v);
  return true;
}

bool Reader::read_integer(std::uint32_t& value) noexcept {
  std::int64_t v = 0;
  if (!read_small_integer(tags::kInteger, 0, UINT32_MAX, v)) return false;
  value = static_cast<std::uint32_t>(v);
  return true;
}

bool Reader::read_integer(std::int64_t& value) noexcept {
  return read_small_integer(tags::kInteger, INT64_MIN, INT64_MAX, value);
}

bool Reader::read_big_integer(std::span<const std::uint8_t>& content) noexcept {
  return read_integer_content(tags::kInteger, content);
}

bool Reader::read_enumerated(std::int32_t& value) noexcept {
  std::int64_t v = 0;
  if (!read_small_integer(tags::kEnumerated, INT32_MIN, INT32_MAX, v)) return false;
  value = static_cast<std::int32_t>(v);
  return true;
}

bool Reader::read_boolean(bool& value) noexcept {
  Reader r = *this;
  std::span<const std::uint8_t> c;
  if (!r.read_primitive(tags::kBoolean, c)) return false;
  const std::size_t at = r.base_ - c.size();
  if (c.size() != 1) return fail(at, "BOOLEAN must have exactly one content octet");
  if (c[0] != 0x00 && c[0] != 0xFF) return fail(at, "BOOLEAN other than 00 or FF");
  value = c[0] == 0xFF;
  *this = r;
  return true;
}

bool Reader::read_null() noexcept {
  Reader r = *this;
  std::span<const std::uint8_t> c;
  if (!r.read_primitive(tags::kNull, c)) return false;
  if (!c.empty()) return fail(r.base_ - c.size(), "NULL with content");
  *this = r;
  return true;
}

bool Reader::read_bit_string(BitString& bits) noexcept {
  Reader r = *this;
  std::span<const std::uint8_t> c;
  if (!r.read_primitive(tags::kBitString, c)) return false;
  const std::size_t at = r.base_ - c.size();
  if (c.empty()) return fail(at, "empty BIT STRING (no unused-bits octet)");
  const std::uint8_t unused = c[0];
  if (unused > 7) return fail(at, "BIT STRING with more than 7 unused bits");
  if (c.size() == 1 && unused != 0) return fail(at, "unused bits in an empty BIT STRING");
  // X.690 §11.2.1: DER sets the unused trailing bits to zero.
  if (c.size() > 1 && (c.back() & ((1u << unused) - 1u)) != 0) {
    return fail(at + c.size() - 1, "non-zero padding bits in BIT STRING");
  }
  bits = BitString{c.subspan(1), unused};
  *this = r;
  return true;
}

bool Reader::read_kerberos_flags(std::uint32_t& flags) noexcept {
  Reader r = *this;
  BitString bits;
  if (!r.read_bit_string(bits)) return false;
  if (bits.bit_count() < 32) {
    return fail(r.base_ - bits.bytes.size() - 1, "KerberosFlags shorter than 32 bits");
  }
  flags = static_cast<std::uint32_t>(bits.bytes[0]) << 24 |
          static_cast<std::uint32_t>(bits.bytes[1]) << 16 |
          static_cast<std::uint32_t>(bits.bytes[2]) << 8 | bits.bytes[3];
  *this = r;
  return true;
}

bool Reader::read_octet_string(std::span<const std::uint8_t>& content) noexcept {
  return read_primitive(tags::kOctetString, content);
}

static std::string_view as_text(std::span<const std::uint8_t> c) {
  return {reinterpret_cast<const char*>(c.data()), c.size()};
}

bool Reader::read_general_string(std::string_view& text) noexcept {
  std::span<const std::uint8_t> c;
  if (!read_primitive(tags::kGeneralString, c)) return false;
  text = as_text(c);
  return true;
}

bool Reader::read_ia5_string(std::string_view& text) noexcept {
  Reader r = *this;
  std::span<const std::uint8_t> c;
  if (!r.read_primitive(tags::kIa5String, c)) return false;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c[i] >= 0x80) return fail(r.base_ - c.size() + i, "non-ASCII octet in IA5String");
  }
  text = as_text(c);
  *this = r;
  return true;
}

bool Reader::read_utf8_string(std::string_view& text) noexcept {
  Reader r = *this;
  std::span<const std::uint8_t> c;
  if (!r.read_primitive(tags::kUtf8String, c)) return false;
  const std::size_t bad = first_invalid_utf8(c);
  if (bad != c.size()) return fail(r.base_ - c.size() + bad, "invalid UTF-8 in UTF8String");
  text = as_text(c);
  *this = r;
  return true;
}

bool Reader::read_kerberos_time(std::int64_t& seconds) noexcept {
  Reader r = *this;
  std::span<const std::uint8_t> c;
  if (!r.read_primitive(tags::kGeneralizedTime, c)) return false;
  if (!parse_kerberos_time(c, seconds)) {
    return fail(r.base_ - c.size(), "malformed KerberosTime (want YYYYMMDDHHMMSSZ)");
  }
  *this = r;
  return true;
}

bool Reader::read_oid(std::span<const std::uint8_t>& content) noexcept {
  Reader r = *this;
  std::span<const std::uint8_t> c;
  if (!r.read_primitive(tags::kObjectIdentifier, c)) return false;
  if (!valid_oid(c)) return fail(r.base_ - c.size(), "malformed OBJECT IDENTIFIER");
  content = c;
  *this = r;
  return true;
}

}  // namespace kerb::der
