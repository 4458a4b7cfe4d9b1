// KKDCP: Kerberos through an HTTPS proxy (MS-KKDCP). This is the sans-I/O codec of its one
// message; carrying the bytes over HTTPS is a transport's job.
//
//   KERB_TRY(std::vector<std::uint8_t> body, encode_kdc_proxy_request(as_req, "KERB.TEST"));
//   ... POST body as application/kerberos, read the reply body ...
//   KERB_TRY(Bytes reply, decode_kdc_proxy_reply(reply_body));  // a KDC-REP or KRB-ERROR
//
// Decoding is zero-copy: spans point into the caller's bytes, which must outlive them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <kerb/messages/types.hpp>
#include <kerb/result.hpp>

namespace kerb {

// KDC-PROXY-MESSAGE ::= SEQUENCE {                         (MS-KKDCP §2.2.2)
//   kerb-message   [0] OCTET STRING,
//   target-domain  [1] KERB-REALM OPTIONAL,
//   dclocator-hint [2] INTEGER OPTIONAL }
struct KdcProxyMessage {
  // As on the wire: the message in RFC 4120 §7.2.2 TCP framing, i.e. a 4-octet big-endian
  // length, then that many octets. decode() accepts only a prefix that is exactly the rest.
  Bytes kerb_message;
  std::optional<std::string_view> target_domain;  // the realm (GeneralString)
  // DsGetDcName flags, a 32-bit mask: values outside 0..2^32-1 are refused.
  std::optional<std::uint32_t> dclocator_hint;

  // The Kerberos message without its length prefix (empty unless the prefix is there).
  Bytes message() const noexcept {
    return kerb_message.size() >= 4 ? kerb_message.subspan(4) : Bytes{};
  }
};

[[nodiscard]] bool decode(der::Reader& in, KdcProxyMessage& out);
void encode(der::Writer& out, const KdcProxyMessage& value);

// A whole KDC-PROXY-MESSAGE, nothing after it; kDer errors name the byte offset of the fault.
Result<KdcProxyMessage> decode_kdc_proxy_message(Bytes bytes);

// The proxy message for a KDC-REQ (or any Kerberos request) to a KDC of `realm`: the length
// prefix is added here, and the realm goes in target-domain, which a proxy needs to find the
// KDC. kInvalidArgument for an empty request or realm, or a request of 2^31 octets or more.
Result<std::vector<std::uint8_t>> encode_kdc_proxy_request(Bytes request, std::string_view realm);
// The same into the caller's buffer, with no allocation: the encoding is its first bytes.
// kBufferTooSmall says how many bytes it needs.
Result<Bytes> encode_kdc_proxy_request(Bytes request, std::string_view realm,
                                       std::span<std::uint8_t> buffer);

// The Kerberos message (KDC-REP or KRB-ERROR, prefix removed) inside a proxy's reply.
Result<Bytes> decode_kdc_proxy_reply(Bytes reply);

}  // namespace kerb
