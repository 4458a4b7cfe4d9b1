// der_fuzz: strict DER in, canonical DER out. Any input that decodes must re-encode to the
// identical bytes (DER has exactly one encoding per value), in every der::Writer mode.
//
// The input is walked as a DER tree: constructed elements recurse (the reader bounds the
// depth) and are re-encoded with begin()/end(); primitive universal elements of a type the
// reader knows are decoded with the typed read_* (from a copy of the reader positioned on the
// same element) and written back with the matching write_*; other primitives go through
// write_primitive(). The top level is one element followed by finish().
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <kerb/der/oid.hpp>
#include <kerb/der/reader.hpp>
#include <kerb/der/tag.hpp>
#include <kerb/der/time.hpp>
#include <kerb/der/writer.hpp>

#include "fuzz_check.hpp"
#include "hex_bytes.hpp"

namespace der = kerb::der;

namespace {

using kerb::test::ByteView;

bool same(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// A growable writer's output for a single write, to compare with the element it came from.
template <class Body>
std::vector<std::uint8_t> encode_alone(Body&& body) {
  der::Writer w;
  body(w);
  FUZZ_CHECK(w.ok());
  return w.take();
}

// Extra checks on one well-formed primitive `element` (its whole TLV), with a reader and an
// error of their own so that expected failures do not poison the walk.
void check_integer_views(ByteView element, ByteView content) {
  // Every fixed-size reader agrees with the content octets, and fails (without advancing)
  // exactly when the value does not fit.
  std::int64_t value = 0;
  const bool fits64 = content.size() <= 8;
  {
    der::Error err;
    der::Reader r(element, err);
    const bool ok = r.read_integer(value);
    FUZZ_CHECK(ok == fits64);
    FUZZ_CHECK(ok ? r.empty() : (r.offset() == 0 && err.failed()));
  }
  if (!fits64) return;
  FUZZ_CHECK(same(encode_alone([&](der::Writer& w) { w.write_integer(value); }), element));
  {
    der::Error err;
    der::Reader r(element, err);
    std::int32_t v32 = 0;
    const bool fits = value >= INT32_MIN && value <= INT32_MAX;
    FUZZ_CHECK(r.read_integer(v32) == fits);
    if (fits) FUZZ_CHECK(v32 == value);
    if (!fits) FUZZ_CHECK(r.offset() == 0 && err.failed());
  }
  {
    der::Error err;
    der::Reader r(element, err);
    std::uint32_t u32 = 0;
    const bool fits = value >= 0 && value <= static_cast<std::int64_t>(UINT32_MAX);
    FUZZ_CHECK(r.read_integer(u32) == fits);
    if (fits) FUZZ_CHECK(static_cast<std::int64_t>(u32) == value);
    if (!fits) FUZZ_CHECK(r.offset() == 0 && err.failed());
  }
}

void check_bit_string_views(ByteView element, const der::BitString& bits) {
  der::Error err;
  der::Reader r(element, err);
  std::uint32_t flags = 0;
  const bool long_enough = bits.bit_count() >= 32;
  FUZZ_CHECK(r.read_kerberos_flags(flags) == long_enough);
  if (!long_enough) {
    FUZZ_CHECK(r.offset() == 0 && err.failed());
    return;
  }
  const std::uint32_t expected = static_cast<std::uint32_t>(bits.bytes[0]) << 24 |
                                 static_cast<std::uint32_t>(bits.bytes[1]) << 16 |
                                 static_cast<std::uint32_t>(bits.bytes[2]) << 8 | bits.bytes[3];
  FUZZ_CHECK(flags == expected);
  if (bits.unused_bits == 0 && bits.bytes.size() == 4) {
    FUZZ_CHECK(same(encode_alone([&](der::Writer& w) { w.write_kerberos_flags(flags); }), element));
  }
}

void check_oid_text(ByteView content) {
  // Content octets -> dotted text -> content octets is the identity.
  std::vector<char> text(content.size() * 4 + 48);
  std::size_t written = 0;
  FUZZ_CHECK(der::decode_oid(content, text, written));
  FUZZ_CHECK(written <= text.size());
  std::vector<std::uint8_t> back(content.size() + 16);
  std::size_t back_len = 0;
  FUZZ_CHECK(der::encode_oid(std::string_view(text.data(), written), back, back_len));
  FUZZ_CHECK(same(ByteView(back).first(back_len), content));
}

void check_time_text(ByteView content, std::int64_t seconds) {
  std::uint8_t text[der::kKerberosTimeLength];
  FUZZ_CHECK(der::format_kerberos_time(seconds, text));
  FUZZ_CHECK(same(text, content));
}

// Re-encodes the primitive universal element at `typed` (already known to carry `tag`) with
// the typed reader and matching writer. False when the typed read rejects it.
bool transcode_universal(der::Reader& typed, der::Tag tag, ByteView element, der::Writer& w) {
  switch (tag.number()) {
    case 1: {  // BOOLEAN
      bool v = false;
      if (!typed.read_boolean(v)) return false;
      w.write_boolean(v);
      return true;
    }
    case 2: {  // INTEGER
      ByteView c;
      if (!typed.read_big_integer(c)) return false;
      check_integer_views(element, c);
      w.write_big_integer(c);
      return true;
    }
    case 3: {  // BIT STRING
      der::BitString bits;
      if (!typed.read_bit_string(bits)) return false;
      check_bit_string_views(element, bits);
      w.write_bit_string(bits.bytes, bits.unused_bits);
      return true;
    }
    case 4: {  // OCTET STRING
      ByteView c;
      if (!typed.read_octet_string(c)) return false;
      w.write_octet_string(c);
      return true;
    }
    case 5: {  // NULL
      if (!typed.read_null()) return false;
      w.write_null();
      return true;
    }
    case 6: {  // OBJECT IDENTIFIER
      ByteView c;
      if (!typed.read_oid(c)) return false;
      FUZZ_CHECK(der::valid_oid(c));
      check_oid_text(c);
      w.write_oid(c);
      return true;
    }
    case 10: {  // ENUMERATED
      std::int32_t v = 0;
      if (!typed.read_enumerated(v)) return false;
      w.write_enumerated(v);
      return true;
    }
    case 12: {  // UTF8String
      std::string_view s;
      if (!typed.read_utf8_string(s)) return false;
      w.write_utf8_string(s);
      return true;
    }
    case 22: {  // IA5String
      std::string_view s;
      if (!typed.read_ia5_string(s)) return false;
      w.write_ia5_string(s);
      return true;
    }
    case 24: {  // GeneralizedTime, as KerberosTime
      std::int64_t t = 0;
      if (!typed.read_kerberos_time(t)) return false;
      FUZZ_CHECK(t >= der::kMinKerberosTime && t <= der::kMaxKerberosTime);
      check_time_text(element.subspan(2), t);
      w.write_kerberos_time(t);
      return true;
    }
    case 27: {  // GeneralString (KerberosString)
      std::string_view s;
      if (!typed.read_general_string(s)) return false;
      w.write_general_string(s);
      return true;
    }
    default: {
      ByteView c;
      // Any other primitive: the generic element read, written back as it is.
      der::Reader contents;
      der::Tag t = tag;
      if (!typed.read_any(t, contents)) return false;
      FUZZ_CHECK(t == tag);
      c = contents.unread();
      w.write_primitive(tag, c);
      return true;
    }
  }
}

bool transcode_element(der::Reader& in, der::Writer& w, int depth);

bool transcode_contents(der::Reader& contents, der::Writer& w, int depth) {
  while (!contents.empty()) {
    if (!transcode_element(contents, w, depth)) return false;
  }
  return contents.finish();
}

// Re-encodes the next element of `in` into `w`. False when decoding fails; a failed read must
// record a fault and leave its reader where it was.
bool transcode_element(der::Reader& in, der::Writer& w, int depth) {
  // The reader, not this walk, must bound the recursion.
  FUZZ_CHECK(depth <= der::kMaxDepth + 1);

  der::Reader typed = in;  // positioned on the same element, for the typed reader
  der::Reader raw_reader = in;
  const std::size_t before = in.offset();
  const std::optional<der::Tag> peeked = in.peek_tag();
  FUZZ_CHECK(in.offset() == before);

  der::Tag tag = der::tags::kNull;
  der::Reader contents;
  if (!in.read_any(tag, contents)) {
    FUZZ_CHECK(!in.ok());
    FUZZ_CHECK(in.offset() == before);
    return false;
  }
  FUZZ_CHECK(peeked.has_value() && *peeked == tag);
  FUZZ_CHECK(tag.number() <= der::Tag::kMaxNumber);
  FUZZ_CHECK(!(tag.tag_class() == der::TagClass::kUniversal && tag.number() == 0));

  ByteView element;
  FUZZ_CHECK(raw_reader.read_raw_any(element));
  FUZZ_CHECK(raw_reader.offset() == in.offset());
  FUZZ_CHECK(element.size() == in.offset() - before);
  FUZZ_CHECK(element.size() >= contents.remaining() + 2);

  if (tag.constructed()) {
    w.begin(tag);
    if (!transcode_contents(contents, w, depth + 1)) return false;
    w.end();
    return true;
  }

  bool ok = true;
  if (tag.tag_class() == der::TagClass::kUniversal) {
    ok = transcode_universal(typed, tag, element, w);
  } else {
    ok = typed.skip(tag);
    if (ok) w.write_primitive(tag, contents.unread());
  }
  if (!ok) {
    FUZZ_CHECK(!typed.ok());
    FUZZ_CHECK(typed.offset() == before);
    return false;
  }
  // The typed read consumed exactly the element read_any saw.
  FUZZ_CHECK(typed.offset() == in.offset());
  return true;
}

// Decodes the whole input into `w`; true when it is one well-formed element and nothing else.
bool transcode(ByteView input, der::Writer& w, der::Error& err) {
  der::Reader top(input, err);
  return transcode_element(top, w, 0) && top.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);

  der::Error err;
  der::Writer growable;
  if (!transcode(input, growable, err)) {
    // Every rejection names a reason and an offset inside the input.
    FUZZ_CHECK(err.failed());
    FUZZ_CHECK(err.reason != nullptr && err.reason[0] != '\0');
    FUZZ_CHECK(err.offset <= size);
    char text[160];
    const std::size_t n = err.format(text, sizeof text);
    FUZZ_CHECK(n > 0);
    return 0;
  }
  FUZZ_CHECK(!err.failed());

  // Decoded, so the canonical re-encoding is the input itself.
  FUZZ_CHECK(growable.ok());
  FUZZ_CHECK(growable.size() == size);
  FUZZ_CHECK(same(growable.bytes(), input));

  // The element as a whole: raw read and skip agree.
  {
    der::Error e;
    der::Reader r(input, e);
    ByteView whole;
    FUZZ_CHECK(r.read_raw_any(whole) && r.finish());
    FUZZ_CHECK(whole.data() == data && whole.size() == size);
    der::Reader s(input, e);
    FUZZ_CHECK(s.skip_any() && s.finish());
  }

  // Counting writer: the same size, no bytes.
  {
    der::Error e;
    der::Writer counting = der::Writer::counting();
    FUZZ_CHECK(transcode(input, counting, e));
    FUZZ_CHECK(counting.ok());
    FUZZ_CHECK(counting.size() == size);
    FUZZ_CHECK(counting.bytes().empty());
  }

  // Fixed buffer of exactly the size: the same bytes; one octet less: kBufferTooSmall with the
  // full size still reported, and nothing written past the end.
  {
    std::vector<std::uint8_t> storage(size + 8, 0xA5);
    der::Error e;
    der::Writer fixed(std::span<std::uint8_t>(storage).first(size));
    FUZZ_CHECK(transcode(input, fixed, e));
    FUZZ_CHECK(fixed.ok());
    FUZZ_CHECK(same(fixed.bytes(), input));
    FUZZ_CHECK(fixed.bytes().data() == storage.data());
    for (std::size_t i = size; i < storage.size(); ++i)
      FUZZ_CHECK(storage[i] == 0xA5);
  }
  {
    std::vector<std::uint8_t> storage(size + 8, 0xA5);
    der::Error e;
    der::Writer fixed(std::span<std::uint8_t>(storage).first(size - 1));
    FUZZ_CHECK(transcode(input, fixed, e));
    FUZZ_CHECK(fixed.error() == der::WriteError::kBufferTooSmall);
    FUZZ_CHECK(fixed.size() == size);
    FUZZ_CHECK(fixed.bytes().empty());
    for (std::size_t i = size - 1; i < storage.size(); ++i)
      FUZZ_CHECK(storage[i] == 0xA5);
  }

  // Trailing garbage after a good element is always rejected, at the right offset.
  {
    std::vector<std::uint8_t> longer(input.begin(), input.end());
    longer.push_back(0x05);
    longer.push_back(0x00);
    der::Error e;
    der::Writer w = der::Writer::counting();
    FUZZ_CHECK(!transcode(longer, w, e));
    FUZZ_CHECK(e.failed() && e.offset == size);
  }
  return 0;
}
