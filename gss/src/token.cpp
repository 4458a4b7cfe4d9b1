// GSS-API token framing (RFC 2743 §3.1; RFC 1964 §1.1 for the DER length rules).
//
//   60 <len> 06 <oid-len> <oid> <TOK_ID(2)> <body>
//
// The outer length and the OID element are DER: definite, minimal lengths, and the OID's
// content octets must be a valid OBJECT IDENTIFIER. The inner token runs to the end of the
// outer element and nothing may follow it.
#include <kerb/gss/token.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <kerb/der/oid.hpp>
#include <kerb/der/reader.hpp>
#include <kerb/der/tag.hpp>
#include <kerb/gss/context.hpp>

namespace kerb::gss {

namespace {

constexpr std::uint8_t kOuterTag = 0x60;  // [APPLICATION 0], constructed
constexpr std::uint8_t kOidTag = 0x06;

// Length octets of a DER definite length (X.690 §8.1.3, minimal form).
std::size_t der_length_size(std::size_t length) noexcept {
  if (length < 0x80) return 1;
  std::size_t n = 0;
  for (std::size_t v = length; v != 0; v >>= 8)
    ++n;
  return 1 + n;
}

void put_der_length(std::size_t length, std::vector<std::uint8_t>& out) {
  if (length < 0x80) {
    out.push_back(static_cast<std::uint8_t>(length));
    return;
  }
  const std::size_t n = der_length_size(length) - 1;
  out.push_back(static_cast<std::uint8_t>(0x80 | n));
  for (std::size_t i = n; i > 0; --i)
    out.push_back(static_cast<std::uint8_t>(length >> (8 * (i - 1))));
}

Error defective(const der::Error& err) {
  char text[96];
  err.format(text, sizeof(text));
  return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                       "defective GSS token: %s", text);
}

// Frames mech || inner_head || inner_tail. The reader accepts lengths of at most 4 octets.
Result<std::vector<std::uint8_t>> frame(Bytes mech_oid, Bytes inner_head, Bytes inner_tail) {
  if (!der::valid_oid(mech_oid)) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "frame token: mech is not a valid OID");
  }
  // Keeps every length within the 4 length octets a reader accepts.
  constexpr std::size_t kMaxTail = 0xFFFFFFFFu - 0x10100u;
  if (mech_oid.size() > 0xFFFF || inner_head.size() > 0xFF || inner_tail.size() > kMaxTail) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, "frame token: too large");
  }
  const std::size_t oid_element = 1 + der_length_size(mech_oid.size()) + mech_oid.size();
  const std::size_t content = oid_element + inner_head.size() + inner_tail.size();
  std::vector<std::uint8_t> out;
  out.reserve(1 + der_length_size(content) + content);
  out.push_back(kOuterTag);
  put_der_length(content, out);
  out.push_back(kOidTag);
  put_der_length(mech_oid.size(), out);
  // Appended by resize and copy, the growth every caller already has (no vector::insert).
  for (Bytes part : {mech_oid, inner_head, inner_tail}) {
    const std::size_t at = out.size();
    out.resize(at + part.size());
    std::copy(part.begin(), part.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return out;
}

}  // namespace

Result<std::vector<std::uint8_t>> frame_generic_token(Bytes mech_oid, Bytes inner) {
  return frame(mech_oid, {}, inner);
}

Result<std::vector<std::uint8_t>> frame_token(Bytes mech_oid, TokenId tok_id, Bytes body) {
  const auto id = static_cast<std::uint16_t>(tok_id);
  const std::uint8_t head[2] = {static_cast<std::uint8_t>(id >> 8),
                                static_cast<std::uint8_t>(id & 0xFF)};
  return frame(mech_oid, head, body);
}

Result<GenericToken> parse_generic_token(Bytes token) {
  der::Error err;
  der::Reader in(token, err);
  der::Reader outer;
  if (!in.read_element(der::app(0), outer) || !in.finish()) return defective(err);
  GenericToken out;
  if (!outer.read_oid(out.mech_oid)) return defective(err);
  out.inner = outer.unread();
  return out;
}

Result<MechToken> parse_framed_token(Bytes token) {
  KERB_TRY(GenericToken generic, parse_generic_token(token));
  if (generic.inner.size() < 2) {
    const auto at = static_cast<std::size_t>(generic.inner.data() - token.data());
    return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                         "defective GSS token: no TOK_ID at offset %zu", at);
  }
  MechToken out;
  out.mech_oid = generic.mech_oid;
  out.tok_id = static_cast<TokenId>((generic.inner[0] << 8) | generic.inner[1]);
  out.body = generic.inner.subspan(2);
  return out;
}

}  // namespace kerb::gss
