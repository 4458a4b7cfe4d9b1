// The MIT FILE credentials cache format: versions 1-4 read, version 4 written. Facts from MIT's
// "Credential cache file format" document; section names below refer to it. The preamble,
// principals and counted strings are mit_file_format's.
#include <kerb/ccache.hpp>

#include <cstdio>
#include <utility>

#include <kerb/internal/bytes.hpp>
#include "ccache_codec.hpp"
#include "mit_file_format.hpp"

namespace kerb {

using detail::BinaryReader;
using detail::ByteWriter;
using detail::kMitCcacheFormat;

namespace {

constexpr std::uint16_t kHeaderTagKdcOffset = 1;
constexpr std::size_t kKdcOffsetFieldSize = 8;
// The smallest address / authdata element: a 16-bit type and a 32-bit length.
constexpr std::size_t kMinElementSize = 2 + 4;

// --- reading ---------------------------------------------------------------------------------

// count (32), then count times { type (16), data }: a credential's addresses or authdata.
// An element takes some 32 bytes of memory for its 6 bytes of file, so the counts are capped
// (per credential, and `elements` counts down the whole file's allowance) rather than only
// checked against the bytes left. The count's checks are shared by both element types; `field`
// is then the type field's name.
bool read_element_count(BinaryReader& r, const char* what, std::size_t max, std::size_t& elements,
                        std::uint32_t& count, char (&field)[24]) {
  std::snprintf(field, sizeof(field), "%s count", what);
  const std::size_t at = r.offset();
  if (!r.read_u32(count, field)) return false;
  if (count > max) return r.fail_at(at, "%s %u exceeds the limit of %zu", field, count, max);
  if (count > elements) {
    return r.fail_at(at, "%s %u exceeds the file's limit of %zu addresses and authdata", field,
                     count, CcacheContents::kMaxFileElements);
  }
  if (count > r.remaining() / kMinElementSize) {
    return r.fail_at(at, "%s %u exceeds what the remaining %zu bytes hold", field, count,
                     r.remaining());
  }
  elements -= count;
  std::snprintf(field, sizeof(field), "%s type", what);
  return true;
}

template <class T>
bool read_elements(BinaryReader& r, const char* what, std::size_t max, std::size_t& elements,
                   std::vector<T>& out, std::int32_t T::*type, std::vector<std::uint8_t> T::*data) {
  char field[24];
  std::uint32_t count = 0;
  if (!read_element_count(r, what, max, elements, count, field)) return false;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    T element;
    std::span<const std::uint8_t> bytes;
    if (!r.read_i16(element.*type, field) || !read_mit_data(kMitCcacheFormat, r, bytes, what)) {
      return false;
    }
    (element.*data).assign(bytes.begin(), bytes.end());
    out.push_back(std::move(element));
  }
  return true;
}

// "Credential format". `elements`: how many more addresses and authdata the file may hold.
bool read_credential(BinaryReader& r, std::uint8_t version, std::size_t& elements, Credentials& c) {
  if (!read_mit_principal(kMitCcacheFormat, r, version, "client", c.client)) return false;
  if (!read_mit_principal(kMitCcacheFormat, r, version, "server", c.server)) return false;

  // keyblock ::= enctype (16 bits) [repeated twice in version 3] data
  if (!read_mit_enctype(r, c.session_key.enctype, "keyblock enctype")) return false;
  if (version == 3) {
    crypto::EncType repeated{};
    if (!read_mit_enctype(r, repeated, "keyblock enctype")) return false;
  }
  std::span<const std::uint8_t> key;
  if (!read_mit_data(kMitCcacheFormat, r, key, "key", KeyBlock::kMaxSize)) return false;
  static_cast<void>(c.session_key.contents.assign(key));  // bounded by kMaxSize above

  if (!read_mit_time(r, c.authtime, "authtime") || !read_mit_time(r, c.starttime, "starttime") ||
      !read_mit_time(r, c.endtime, "endtime") || !read_mit_time(r, c.renew_till, "renew_till")) {
    return false;
  }
  const std::size_t skey_at = r.offset();
  std::uint8_t is_skey = 0;
  if (!r.read_u8(is_skey, "is_skey")) return false;
  if (is_skey > 1) return r.fail_at(skey_at, "is_skey is %u, not 0 or 1", is_skey);
  c.is_skey = is_skey == 1;
  if (!r.read_u32(c.ticket_flags, "ticket_flags")) return false;

  if (!read_elements(r, "address", CcacheContents::kMaxAddresses, elements, c.addresses,
                     &Credentials::Address::addr_type, &Credentials::Address::address) ||
      !read_elements(r, "authdata", CcacheContents::kMaxAuthData, elements, c.authdata,
                     &Credentials::AuthData::ad_type, &Credentials::AuthData::ad_data)) {
    return false;
  }

  std::span<const std::uint8_t> ticket, second_ticket;
  if (!read_mit_data(kMitCcacheFormat, r, ticket, "ticket") ||
      !read_mit_data(kMitCcacheFormat, r, second_ticket, "second ticket")) {
    return false;
  }
  c.ticket.assign(ticket.begin(), ticket.end());
  c.second_ticket.assign(second_ticket.begin(), second_ticket.end());
  return true;
}

// "Header format" (version 4 only): length (16), then tag (16) length (16) value fields.
bool read_header(BinaryReader& r, CcacheContents& out) {
  std::span<const std::uint8_t> bytes;
  if (!r.read_data(2, bytes, "header")) return false;
  BinaryReader header(bytes, true, r.label(), r.offset() - bytes.size());
  while (!header.empty()) {
    std::uint16_t tag = 0;
    std::span<const std::uint8_t> value;
    if (!header.read_u16(tag, "header field tag") || !header.read_data(2, value, "header field")) {
      return r.fail_with(header.error());
    }
    if (tag != kHeaderTagKdcOffset) continue;  // unknown tags are ignored
    const std::size_t at = header.offset() - value.size();
    if (value.size() != kKdcOffsetFieldSize) {
      return r.fail_at(at, "KDC time offset field has length %zu, not 8", value.size());
    }
    BinaryReader field(value, true, r.label(), at);
    KdcOffset offset;
    static_cast<void>(field.read_i32(offset.seconds, "KDC time offset"));  // 8 bytes: can't fail
    static_cast<void>(field.read_i32(offset.microseconds, "KDC time offset"));
    out.kdc_offset = offset;
  }
  return true;
}

// --- writing ---------------------------------------------------------------------------------

Result<void> put_credential(ByteWriter& w, const Credentials& c) {
  const detail::MitFileFormat& f = kMitCcacheFormat;
  KERB_TRY_VOID(write_mit_principal(f, w, c.client));
  KERB_TRY_VOID(write_mit_principal(f, w, c.server));
  KERB_TRY_VOID(write_mit_enctype(f, w, c.session_key.enctype, "keyblock enctype"));
  KERB_TRY_VOID(write_mit_data(f, w, c.session_key.contents.view(), "key"));
  KERB_TRY_VOID(write_mit_time(f, w, c.authtime, "authtime"));
  KERB_TRY_VOID(write_mit_time(f, w, c.starttime, "starttime"));
  KERB_TRY_VOID(write_mit_time(f, w, c.endtime, "endtime"));
  KERB_TRY_VOID(write_mit_time(f, w, c.renew_till, "renew_till"));
  w.u8(c.is_skey ? 1 : 0);
  w.u32(c.ticket_flags);
  // What read() refuses is never written.
  if (c.addresses.size() > CcacheContents::kMaxAddresses ||
      c.authdata.size() > CcacheContents::kMaxAuthData) {
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "ccache: %zu addresses and %zu authdata exceed the limits of %zu and %zu",
                         c.addresses.size(), c.authdata.size(), CcacheContents::kMaxAddresses,
                         CcacheContents::kMaxAuthData);
  }
  w.u32(static_cast<std::uint32_t>(c.addresses.size()));
  for (const Credentials::Address& a : c.addresses) {
    KERB_TRY_VOID(write_mit_i16(f, w, a.addr_type, "address type"));
    KERB_TRY_VOID(write_mit_data(f, w, a.address, "address"));
  }
  w.u32(static_cast<std::uint32_t>(c.authdata.size()));
  for (const Credentials::AuthData& a : c.authdata) {
    KERB_TRY_VOID(write_mit_i16(f, w, a.ad_type, "authdata type"));
    KERB_TRY_VOID(write_mit_data(f, w, a.ad_data, "authdata"));
  }
  KERB_TRY_VOID(write_mit_data(f, w, c.ticket, "ticket"));
  KERB_TRY_VOID(write_mit_data(f, w, c.second_ticket, "second ticket"));
  return ok();
}

// A configuration entry: client is the default principal, server
// krb5_ccache_conf_data/<key>[/<principal>]@X-CACHECONF:, value in the ticket, the rest zero.
Result<void> put_config(ByteWriter& w, const Principal& client, const ConfigEntry& e) {
  KERB_TRY_VOID(write_mit_principal(kMitCcacheFormat, w, client));
  std::string parts[3] = {std::string(kCcacheConfigComponent), e.key, e.principal};
  const std::size_t n = e.principal.empty() ? 2 : 3;
  KERB_TRY_VOID(write_mit_principal(kMitCcacheFormat, w, kCcacheConfigRealm,
                                    static_cast<std::int32_t>(NameType::kPrincipal),
                                    std::span<const std::string>(parts, n)));
  w.u16(0);  // enctype
  w.u32(0);  // key length
  for (int i = 0; i < 4; ++i)
    w.u32(0);  // times
  w.u8(0);     // is_skey
  w.u32(0);    // ticket_flags
  w.u32(0);    // addresses
  w.u32(0);    // authdata
  KERB_TRY_VOID(write_mit_data(kMitCcacheFormat, w, e.value, "config value"));
  w.u32(0);  // second ticket
  return ok();
}

Result<void> put_ccache(ByteWriter& w, const CcacheContents& cc) {
  detail::write_mit_preamble(w, 4);
  if (cc.kdc_offset) {
    w.u16(2 + 2 + kKdcOffsetFieldSize);
    w.u16(kHeaderTagKdcOffset);
    w.u16(kKdcOffsetFieldSize);
    w.i32(cc.kdc_offset->seconds);
    w.i32(cc.kdc_offset->microseconds);
  } else {
    w.u16(0);
  }
  KERB_TRY_VOID(write_mit_principal(kMitCcacheFormat, w, cc.default_principal));
  // Config entries first, as MIT's kinit writes them.
  for (const ConfigEntry& e : cc.config)
    KERB_TRY_VOID(put_config(w, cc.default_principal, e));
  for (const Credentials& c : cc.credentials)
    KERB_TRY_VOID(put_credential(w, c));
  return ok();
}

}  // namespace

namespace detail {

Result<CcacheContents> parse_ccache(std::span<const std::uint8_t> bytes, std::string_view label) {
  KERB_TRY(const std::uint8_t version, read_mit_version(kMitCcacheFormat, bytes, label));
  CcacheContents out;
  out.version = static_cast<std::uint16_t>(0x0500 | version);
  BinaryReader r = mit_body_reader(kMitCcacheFormat, version, bytes, label);
  if (version == 4 && !read_header(r, out)) return r.error();
  if (!read_mit_principal(kMitCcacheFormat, r, version, "default", out.default_principal)) {
    return r.error();
  }

  std::size_t entries = 0;
  std::size_t elements = CcacheContents::kMaxFileElements;
  while (!r.empty()) {
    if (entries == CcacheContents::kMaxEntries) {
      r.fail_at(r.offset(), "more than %zu entries", CcacheContents::kMaxEntries);
      return r.error();
    }
    ++entries;
    Credentials c;
    if (!read_credential(r, version, elements, c)) return r.error();
    if (c.server.realm() != kCcacheConfigRealm) {
      out.credentials.push_back(std::move(c));
      continue;
    }
    // "Credential cache configuration entries": never a ticket, never fatal.
    const auto name = c.server.components();
    if ((name.size() == 2 || name.size() == 3) && name[0] == kCcacheConfigComponent) {
      ConfigEntry e;
      e.key = name[1];
      if (name.size() == 3) e.principal = name[2];
      e.value = std::move(c.ticket);
      out.config.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace detail

Result<CcacheContents> CcacheContents::read(std::span<const std::uint8_t> bytes) {
  return detail::parse_ccache(bytes, "ccache");
}

Result<std::vector<std::uint8_t>> CcacheContents::serialize() const {
  if (default_principal.realm().empty()) {
    return Error(ErrorCategory::kInvalidArgument, "ccache: no default principal");
  }
  if (credentials.size() + config.size() > kMaxEntries) {
    return Error::format(ErrorCategory::kInvalidArgument, 0, "ccache: more than %zu entries",
                         kMaxEntries);
  }
  std::size_t elements = 0;
  for (const Credentials& c : credentials)
    elements += c.addresses.size() + c.authdata.size();
  if (elements > kMaxFileElements) {
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "ccache: %zu addresses and authdata exceed the limit of %zu", elements,
                         kMaxFileElements);
  }
  return detail::serialize_exact([this](ByteWriter& w) { return put_ccache(w, *this); });
}

}  // namespace kerb
