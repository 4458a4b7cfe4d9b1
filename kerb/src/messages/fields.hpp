// Reading and writing the explicitly tagged fields of RFC 4120 SEQUENCEs:
//
//   field(seq, 1, out.kvno)     [1] EXPLICIT, required; std::optional<T> makes it OPTIONAL
//   put(w, 1, value.kvno)       writes [1] { value }, or nothing for an empty optional
//
// One value reader/writer per field type keeps each message's decode a list of its fields in
// ASN.1 order, so a reader with RFC 4120 open can check it line by line.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

#include <kerb/crypto/enctype.hpp>
#include <kerb/messages/types.hpp>

namespace kerb::fields {

inline bool read_value(der::Reader& in, std::int32_t& v) {
  return in.read_integer(v);
}
inline bool read_value(der::Reader& in, std::uint32_t& v) {
  return in.read_integer(v);
}
inline bool read_value(der::Reader& in, std::string_view& v) {
  return in.read_general_string(v);
}
inline bool read_value(der::Reader& in, Bytes& v) {
  return in.read_octet_string(v);
}
inline bool read_value(der::Reader& in, bool& v) {
  return in.read_boolean(v);
}
// etype/keytype: the wire's Int32 as is. EncType's underlying type is std::int32_t, so numbers
// kerb has no profile for (99, MIT's negative ones) decode and re-encode unchanged; whether an
// enctype is usable is Policy's question, not the codec's.
inline bool read_value(der::Reader& in, crypto::EncType& v) {
  std::int32_t number = 0;
  if (!in.read_integer(number)) return false;
  v = static_cast<crypto::EncType>(number);
  return true;
}
template <class T>
bool read_value(der::Reader& in, T& v) {
  return decode(in, v);
}

inline void write_value(der::Writer& out, std::int32_t v) {
  out.write_integer(v);
}
inline void write_value(der::Writer& out, std::uint32_t v) {
  out.write_integer(v);
}
inline void write_value(der::Writer& out, std::string_view v) {
  out.write_general_string(v);
}
inline void write_value(der::Writer& out, Bytes v) {
  out.write_octet_string(v);
}
inline void write_value(der::Writer& out, bool v) {
  out.write_boolean(v);
}
inline void write_value(der::Writer& out, crypto::EncType v) {
  out.write_integer(static_cast<std::int32_t>(v));
}
template <class T>
void write_value(der::Writer& out, const T& v) {
  encode(out, v);
}

// [n] EXPLICIT T, required.
template <class T>
bool field(der::Reader& seq, std::uint8_t n, T& out) {
  der::Reader inner;
  return seq.read_element(der::ctx(n), inner) && read_value(inner, out) && inner.finish();
}

// [n] EXPLICIT T OPTIONAL.
template <class T>
bool field(der::Reader& seq, std::uint8_t n, std::optional<T>& out) {
  std::optional<der::Reader> inner = seq.read_optional(der::ctx(n));
  if (!inner) return seq.ok();
  T value{};
  if (!read_value(*inner, value) || !inner->finish()) return false;
  out = value;
  return true;
}

template <class T>
void put(der::Writer& out, std::uint8_t n, const T& value) {
  out.context(n, [&] { write_value(out, value); });
}

template <class T>
void put(der::Writer& out, std::uint8_t n, const std::optional<T>& value) {
  if (value) put(out, n, *value);
}

// A message's [APPLICATION n] SEQUENCE { ... } envelope.
inline bool application_sequence(der::Reader& in, std::uint8_t n, der::Reader& seq) {
  der::Reader app;
  return in.read_element(der::app(n), app) && app.read_sequence(seq) && app.finish();
}

// pvno/tkt-vno/msg-type style fields whose value is fixed: read it and check it.
inline bool expect_int(der::Reader& seq, std::uint8_t n, std::int32_t expected, const char* fault) {
  const std::size_t at = seq.offset();
  std::int32_t value = 0;
  if (!field(seq, n, value)) return false;
  return value == expected || seq.fault(at, fault);
}

// [n] EXPLICIT T, required, also keeping T's whole encoding as received (DESIGN.md
// convention 8): the bytes an enc-part or checksummed body travelled in.
template <class T>
bool field_raw(der::Reader& seq, std::uint8_t n, T& out, Bytes& raw) {
  der::Reader inner;
  if (!seq.read_element(der::ctx(n), inner)) return false;
  der::Reader probe = inner;
  return probe.read_raw_any(raw) && read_value(inner, out) && inner.finish();
}

// Writes [n] { raw } when raw is set (a decoded value travels on unchanged), else [n] { value }.
template <class T>
void put_raw(der::Writer& out, std::uint8_t n, const T& value, Bytes raw) {
  out.context(n, [&] {
    if (!raw.empty()) {
      out.write_raw(raw);
    } else {
      write_value(out, value);
    }
  });
}

// user-data [0] .. r-address [5]: the components KRB-SAFE-BODY (RFC 4120 §5.6.1) and
// EncKrbPrivPart (§5.7.1) both consist of.
template <class Body>
bool user_data_fields(der::Reader& seq, Body& out) {
  return field(seq, 0, out.user_data) && field(seq, 1, out.timestamp) && field(seq, 2, out.usec) &&
         field(seq, 3, out.seq_number) && field(seq, 4, out.s_address) &&
         field(seq, 5, out.r_address);
}

template <class Body>
void put_user_data_fields(der::Writer& out, const Body& value) {
  put(out, 0, value.user_data);
  put(out, 1, value.timestamp);
  put(out, 2, value.usec);
  put(out, 3, value.seq_number);
  put(out, 4, value.s_address);
  put(out, 5, value.r_address);
}

// The [APPLICATION n] tag of the next element, if it is one of `candidates`; otherwise the
// first candidate, so that reading it records "unexpected tag" at the right offset.
inline std::uint8_t pick_application(const der::Reader& in,
                                     std::initializer_list<std::uint8_t> candidates) {
  const std::optional<der::Tag> tag = in.peek_tag();
  for (std::uint8_t n : candidates) {
    if (tag == der::app(n)) return n;
  }
  return *candidates.begin();
}

// Decodes `bytes` as exactly one value with `decode_one(reader, out)`, for the top-level
// decode_xxx() wrappers whose decode takes an extra argument (the expected message type).
template <class T, class Decode>
Result<T> decode_whole(Bytes bytes, std::string_view what, Decode&& decode_one) {
  der::Error fault;
  der::Reader in(bytes, fault);
  T out{};
  if (!decode_one(in, out) || !in.finish()) return der_error(fault, what);
  return out;
}

}  // namespace kerb::fields
