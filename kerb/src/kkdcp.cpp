#include <kerb/kkdcp.hpp>

#include <kerb/internal/endian.hpp>

#include "messages/fields.hpp"

namespace kerb {

using fields::field;
using fields::put;

namespace {

// RFC 4120 §7.2.2: the high bit of the TCP length is reserved; a length with it set is not a
// length this codec can carry.
constexpr std::uint32_t kMaxFramedLength = 0x7FFFFFFF;
constexpr std::uint32_t kReservedBit = 0x80000000;

// kerb-message [0] OCTET STRING: its contents must be a 4-octet length and exactly that many
// octets of message, and the message must not be empty. Faults name the first content octet.
bool read_kerb_message(der::Reader& seq, Bytes& out) {
  der::Reader inner;
  if (!seq.read_element(der::ctx(0), inner) || !inner.read_octet_string(out)) return false;
  const std::size_t at = inner.offset() - out.size();
  if (!inner.finish()) return false;
  if (out.size() < 4) return inner.fault(at, "kerb-message shorter than its length prefix");
  const std::uint32_t length = detail::load_be32(out.data());
  if ((length & kReservedBit) != 0) return inner.fault(at, "length prefix has the high bit set");
  if (length != out.size() - 4) return inner.fault(at, "length prefix does not match the message");
  if (length == 0) return inner.fault(at, "empty Kerberos message");
  return true;
}

// The OCTET STRING header by hand, so the prefix and the request follow it without first
// being copied into one buffer.
void write_octet_string_header(der::Writer& w, std::size_t length) {
  std::uint8_t header[2 + sizeof(std::size_t)] = {der::tags::kOctetString.octet()};
  std::size_t n = 1;
  if (length < 0x80) {
    header[n++] = static_cast<std::uint8_t>(length);
  } else {
    std::size_t octets = 0;
    for (std::size_t v = length; v != 0; v >>= 8)
      ++octets;
    header[n++] = static_cast<std::uint8_t>(0x80 | octets);
    for (std::size_t i = octets; i-- > 0;)
      header[n++] = static_cast<std::uint8_t>(length >> (8 * i));
  }
  w.write_raw({header, n});
}

Result<void> check_request(Bytes request, std::string_view realm) {
  if (request.empty()) return Error(ErrorCategory::kInvalidArgument, "KKDCP: empty request");
  if (request.size() > kMaxFramedLength) {
    return Error(ErrorCategory::kInvalidArgument, "KKDCP: request of 2^31 octets or more");
  }
  // A proxy finds the KDC by target-domain; kdcproxy refuses a message without it.
  if (realm.empty()) return Error(ErrorCategory::kInvalidArgument, "KKDCP: empty realm");
  return ok();
}

void write_request(der::Writer& w, Bytes request, std::string_view realm) {
  std::uint8_t prefix[4];
  detail::store_be32(static_cast<std::uint32_t>(request.size()), prefix);
  w.sequence([&] {
    w.context(0, [&] {
      write_octet_string_header(w, request.size() + sizeof prefix);
      w.write_raw(prefix);
      w.write_raw(request);
    });
    put(w, 1, realm);
  });
}

}  // namespace

bool decode(der::Reader& in, KdcProxyMessage& out) {
  out = KdcProxyMessage();
  der::Reader seq;
  return in.read_sequence(seq) && read_kerb_message(seq, out.kerb_message) &&
         field(seq, 1, out.target_domain) && field(seq, 2, out.dclocator_hint) && seq.finish();
}

void encode(der::Writer& out, const KdcProxyMessage& value) {
  out.sequence([&] {
    put(out, 0, value.kerb_message);
    put(out, 1, value.target_domain);
    put(out, 2, value.dclocator_hint);
  });
}

Result<KdcProxyMessage> decode_kdc_proxy_message(Bytes bytes) {
  return decode_der<KdcProxyMessage>(bytes, "KDC-PROXY-MESSAGE");
}

Result<std::vector<std::uint8_t>> encode_kdc_proxy_request(Bytes request, std::string_view realm) {
  KERB_TRY_VOID(check_request(request, realm));
  der::Writer w;
  write_request(w, request, realm);
  if (!w.ok()) return Error(ErrorCategory::kInvalidArgument, "KKDCP: request too long for DER");
  return w.take();
}

Result<Bytes> encode_kdc_proxy_request(Bytes request, std::string_view realm,
                                       std::span<std::uint8_t> buffer) {
  KERB_TRY_VOID(check_request(request, realm));
  der::Writer w(buffer);
  write_request(w, request, realm);
  if (w.error() == der::WriteError::kBufferTooSmall) {
    return Error::format(ErrorCategory::kBufferTooSmall, 0,
                         "the buffer holds %zu bytes; the KDC-PROXY-MESSAGE needs %zu",
                         buffer.size(), w.size());
  }
  if (!w.ok()) return Error(ErrorCategory::kInvalidArgument, "KKDCP: request too long for DER");
  return w.bytes();
}

Result<Bytes> decode_kdc_proxy_reply(Bytes reply) {
  KERB_TRY(KdcProxyMessage message, decode_kdc_proxy_message(reply));
  return message.message();
}

}  // namespace kerb
