#include "pac.hpp"

#include "names.hpp"

#include <cstdio>
#include <utility>

#include <kerb/constants.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/messages/types.hpp>

namespace krbdump {
namespace {

using kerb::Error;
using kerb::ErrorCategory;

constexpr std::size_t kPacTypeSize = 8;         // cBuffers, Version
constexpr std::size_t kPacInfoBufferSize = 16;  // ulType, cbBufferSize, Offset
constexpr std::uint32_t kMaxBuffers = 256;

std::uint16_t le16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | b[at + 1] << 8);
}
std::uint32_t le32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
         static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}
std::uint64_t le64(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint64_t>(le32(b, at)) | static_cast<std::uint64_t>(le32(b, at + 4))
                                                       << 32;
}

// UTF-16LE to UTF-8 (surrogate pairs joined; a lone surrogate becomes U+FFFD).
std::string utf16le(std::span<const std::uint8_t> b) {
  std::string out;
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) {
    std::uint32_t c = le16(b, i);
    if (c >= 0xd800 && c <= 0xdbff && i + 3 < b.size()) {
      const std::uint32_t lo = le16(b, i + 2);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i += 2;
      } else {
        c = 0xfffd;
      }
    } else if (c >= 0xd800 && c <= 0xdfff) {
      c = 0xfffd;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xc0 | c >> 6);
      out += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xe0 | c >> 12);
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (c & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | c >> 18);
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

// FILETIME: 100 ns intervals since 1601-01-01, as ISO 8601 UTC ("never" for the max value).
std::string filetime(std::uint64_t ft) {
  if (ft == 0x7fffffffffffffffull || ft == 0xffffffffffffffffull) return "never";
  if (ft == 0) return "0";
  constexpr std::uint64_t kEpochDiff = 116444736000000000ull;  // 1601 -> 1970 in 100 ns
  if (ft < kEpochDiff) return std::to_string(ft) + " (before 1970)";
  return iso_time(static_cast<std::int64_t>((ft - kEpochDiff) / 10000000ull));
}

// RPC_SID ([MS-DTYP] §2.4.2.3): Revision, SubAuthorityCount, IdentifierAuthority (6 bytes,
// big-endian), SubAuthority[count] (little-endian). Returns the S-1-... form, or "" if short.
std::string sid_text(std::span<const std::uint8_t> b, std::size_t* used = nullptr) {
  if (b.size() < 8) return {};
  const std::size_t count = b[1];
  if (b.size() < 8 + 4 * count) return {};
  std::uint64_t authority = 0;
  for (std::size_t i = 2; i < 8; ++i)
    authority = authority << 8 | b[i];
  std::string out = "S-" + std::to_string(b[0]) + "-" + std::to_string(authority);
  for (std::size_t i = 0; i < count; ++i)
    out += "-" + std::to_string(le32(b, 8 + 4 * i));
  if (used != nullptr) *used = 8 + 4 * count;
  return out;
}

Error pac_error(const char* what, std::size_t offset) {
  return Error::format(ErrorCategory::kDer, 0, "PAC: %s at offset %zu", what, offset);
}

Node& add_int(Node& n, std::string name, std::uint64_t v) {
  return n.add(std::move(name), std::to_string(v), "int");
}

void client_info(Node& n, std::span<const std::uint8_t> b) {
  // PAC_CLIENT_INFO ([MS-PAC] §2.7): ClientId (FILETIME), NameLength (bytes), Name (UTF-16LE).
  if (b.size() < 10) {
    n.note = "malformed: shorter than 10 bytes";
    return;
  }
  n.add("client-id", filetime(le64(b, 0)), "time");
  const std::size_t len = le16(b, 8);
  if (10 + len > b.size()) {
    n.note = "malformed: NameLength " + std::to_string(len) + " exceeds the buffer";
    return;
  }
  n.add("name", utf16le(b.subspan(10, len)));
}

std::string string_at(std::span<const std::uint8_t> b, std::size_t off, std::size_t len, bool* ok) {
  if (off > b.size() || len > b.size() - off) {
    *ok = false;
    return {};
  }
  return utf16le(b.subspan(off, len));
}

void upn_dns_info(Node& n, std::span<const std::uint8_t> b) {
  // UPN_DNS_INFO ([MS-PAC] §2.10); offsets are from the start of the structure.
  if (b.size() < 12) {
    n.note = "malformed: shorter than 12 bytes";
    return;
  }
  bool ok = true;
  n.add("upn", string_at(b, le16(b, 2), le16(b, 0), &ok));
  n.add("dns-domain-name", string_at(b, le16(b, 6), le16(b, 4), &ok));
  const std::uint32_t flags = le32(b, 8);
  const std::string f = std::to_string(flags);
  std::string names;
  if (flags & 1) names += " U (no userPrincipalName: UPN constructed)";
  if (flags & 2) names += " S (SAM name and SID present)";
  n.add("flags", f + names, "int");
  if ((flags & 2) != 0) {
    if (b.size() < 20) {
      n.note = "malformed: flag S set but the buffer ends before SamName/Sid fields";
      return;
    }
    n.add("sam-name", string_at(b, le16(b, 14), le16(b, 12), &ok));
    const std::size_t sid_len = le16(b, 16);
    const std::size_t sid_off = le16(b, 18);
    if (sid_off > b.size() || sid_len > b.size() - sid_off) {
      ok = false;
    } else {
      std::string sid = sid_text(b.subspan(sid_off, sid_len));
      n.add("sid", sid.empty() ? "malformed SID" : sid);
    }
  }
  if (!ok) n.note = "malformed: a name or SID lies outside the buffer";
}

void attributes_info(Node& n, std::span<const std::uint8_t> b) {
  // PAC_ATTRIBUTES_INFO ([MS-PAC] §2.14): FlagsLength in bits, then the flag words.
  if (b.size() < 8) {
    n.note = "malformed: shorter than 8 bytes";
    return;
  }
  add_int(n, "flags-length", le32(b, 0));
  const std::uint32_t flags = le32(b, 4);
  std::string names;
  if (flags & 1) names += " PAC_WAS_REQUESTED";
  if (flags & 2) names += " PAC_WAS_GIVEN_IMPLICITLY";
  n.add("flags", std::to_string(flags) + names, "int");
}

void requestor_sid(Node& n, std::span<const std::uint8_t> b) {
  std::string sid = sid_text(b);
  if (sid.empty())
    n.note = "malformed SID";
  else
    n.add("sid", sid);
}

// NDR ([MS-RPCE] §2.2.6 type serialization version 1) reader for KERB_VALIDATION_INFO.
struct Ndr {
  std::span<const std::uint8_t> b;
  std::size_t at = 0;
  bool ok = true;
  void align(std::size_t n) {
    at = (at + n - 1) / n * n;
    if (at > b.size()) ok = false;
  }
  std::uint16_t u16() {
    align(2);
    if (!ok || b.size() - at < 2) return ok = false, 0;
    at += 2;
    return le16(b, at - 2);
  }
  std::uint32_t u32() {
    align(4);
    if (!ok || b.size() - at < 4) return ok = false, 0;
    at += 4;
    return le32(b, at - 4);
  }
  std::uint64_t u64() {
    align(4);  // FILETIME is two ULONGs
    if (!ok || b.size() - at < 8) return ok = false, 0;
    at += 8;
    return le64(b, at - 8);
  }
  // A deferred conformant varying WCHAR array (MaximumCount, Offset, ActualCount, chars).
  std::string wstring() {
    const std::uint32_t max = u32();
    const std::uint32_t offset = u32();
    const std::uint32_t actual = u32();
    if (!ok || offset > max || actual > max - offset || (b.size() - at) / 2 < actual) {
      ok = false;
      return {};
    }
    std::string s = utf16le(b.subspan(at, 2 * std::size_t{actual}));
    at += 2 * std::size_t{actual};
    return s;
  }
  std::string sid() {
    const std::uint32_t count = u32();  // conformance: SubAuthorityCount
    if (!ok || b.size() - at < 8 || count > 15) return ok = false, std::string();
    std::size_t used = 0;
    std::string s = sid_text(b.subspan(at), &used);
    if (s.empty() || b[at + 1] != count) return ok = false, std::string();
    at += used;
    return s;
  }
};

void logon_info(Node& n, std::span<const std::uint8_t> b) {
  // KERB_VALIDATION_INFO ([MS-PAC] §2.5) in an NDR type serialization: the 8-byte common header,
  // the 8-byte private header, then a referent ID and the structure; pointers' data follows in
  // declaration order.
  Ndr r{b};
  if (b.size() < 20 || b[0] != 1 || b[1] != 0x10) {
    n.note = "not decoded: not an NDR little-endian type serialization (version 1); raw bytes";
    n.add("raw", hex(b), "bytes");
    return;
  }
  r.at = 16;
  const std::uint32_t referent = r.u32();
  if (referent == 0) {
    n.note = "null KERB_VALIDATION_INFO";
    return;
  }
  static constexpr const char* kTimes[] = {"logon-time",          "logoff-time",
                                           "kick-off-time",       "password-last-set",
                                           "password-can-change", "password-must-change"};
  for (const char* t : kTimes)
    n.add(t, filetime(r.u64()), "time");
  // RPC_UNICODE_STRING headers: Length, MaximumLength, pointer.
  struct Str {
    const char* name;
    std::uint32_t ptr = 0;
  };
  Str names[] = {{"effective-name"}, {"full-name"},      {"logon-script"},
                 {"profile-path"},   {"home-directory"}, {"home-directory-drive"}};
  for (Str& s : names) {
    r.u16();
    r.u16();
    s.ptr = r.u32();
  }
  const std::uint16_t logon_count = r.u16();
  const std::uint16_t bad_password_count = r.u16();
  const std::uint32_t user_id = r.u32();
  const std::uint32_t primary_group_id = r.u32();
  const std::uint32_t group_count = r.u32();
  const std::uint32_t group_ids_ptr = r.u32();
  const std::uint32_t user_flags = r.u32();
  r.at += 16;  // UserSessionKey
  Str servers[] = {{"logon-server"}, {"logon-domain-name"}};
  for (Str& s : servers) {
    r.u16();
    r.u16();
    s.ptr = r.u32();
  }
  const std::uint32_t domain_id_ptr = r.u32();
  r.u32();
  r.u32();  // Reserved1
  const std::uint32_t uac = r.u32();
  r.u32();  // SubAuthStatus
  r.u64();
  r.u64();
  r.u32();
  r.u32();  // LastSuccessfulILogon, LastFailedILogon, FailedILogonCount, Reserved3
  const std::uint32_t sid_count = r.u32();
  const std::uint32_t extra_sids_ptr = r.u32();
  const std::uint32_t resource_domain_ptr = r.u32();
  const std::uint32_t resource_group_count = r.u32();
  const std::uint32_t resource_groups_ptr = r.u32();
  if (!r.ok) {
    n.note = "malformed: KERB_VALIDATION_INFO ends early; raw bytes";
    n.add("raw", hex(b), "bytes");
    return;
  }
  add_int(n, "logon-count", logon_count);
  add_int(n, "bad-password-count", bad_password_count);
  add_int(n, "user-id", user_id);
  add_int(n, "primary-group-id", primary_group_id);
  add_int(n, "user-flags", user_flags);
  add_int(n, "user-account-control", uac);
  // Deferred data, in the order the pointers appear.
  for (Str& s : names)
    if (s.ptr != 0) n.add(s.name, r.wstring());
  if (group_ids_ptr != 0) {
    const std::uint32_t count = r.u32();
    Node& groups = n.add("group-ids", {}, "array");
    for (std::uint32_t i = 0; r.ok && i < count && i < 1024; ++i) {
      Node& g = groups.add("group");
      g.json_kind = "object";
      add_int(g, "relative-id", r.u32());
      add_int(g, "attributes", r.u32());
    }
    if (count != group_count) r.ok = false;
  }
  for (Str& s : servers)
    if (s.ptr != 0) n.add(s.name, r.wstring());
  if (domain_id_ptr != 0) n.add("logon-domain-id", r.sid());
  if (!r.ok) {
    n.note = "decoded up to the first malformed field; raw bytes follow";
    n.add("raw", hex(b), "bytes");
    return;
  }
  add_int(n, "sid-count", sid_count);
  add_int(n, "resource-group-count", resource_group_count);
  if (extra_sids_ptr != 0 || resource_domain_ptr != 0 || resource_groups_ptr != 0) {
    n.note = "extra SIDs and resource groups not decoded";
  }
}

void signature(Node& n, std::span<const std::uint8_t> b) {
  // PAC_SIGNATURE_DATA ([MS-PAC] §2.8): SignatureType, Signature, optional RODCIdentifier.
  if (b.size() < 4) {
    n.note = "malformed: shorter than 4 bytes";
    return;
  }
  const auto type = static_cast<std::int32_t>(le32(b, 0));
  n.add("signature-type",
        std::string(kerb::crypto::checksum_name(static_cast<kerb::crypto::CksumType>(type))) +
            " (" + std::to_string(type) + ")",
        "enum");
  const auto* info = kerb::crypto::find_checksum(static_cast<kerb::crypto::CksumType>(type));
  std::size_t size = info != nullptr ? info->size : b.size() - 4;
  if (size > b.size() - 4) size = b.size() - 4;
  n.add("signature", hex(b.subspan(4, size)), "bytes");
  if (b.size() - 4 - size >= 2) add_int(n, "rodc-identifier", le16(b, 4 + size));
}

const PacBuffer* find_buffer(const Pac& pac, std::uint32_t type) {
  for (const PacBuffer& b : pac.buffers)
    if (b.type == type) return &b;
  return nullptr;
}

}  // namespace

std::string pac_type_name(std::uint32_t type) {
  switch (type) {
    case pac_type::kLogonInfo:
      return "logon info";
    case pac_type::kCredentialsInfo:
      return "credentials info";
    case pac_type::kServerChecksum:
      return "server checksum";
    case pac_type::kPrivsvrChecksum:
      return "privsvr (KDC) checksum";
    case pac_type::kClientInfo:
      return "client info";
    case pac_type::kConstrainedDelegation:
      return "constrained delegation";
    case pac_type::kUpnDnsInfo:
      return "UPN/DNS info";
    case pac_type::kClientClaims:
      return "client claims";
    case pac_type::kDeviceInfo:
      return "device info";
    case pac_type::kDeviceClaims:
      return "device claims";
    case pac_type::kTicketChecksum:
      return "ticket checksum";
    case pac_type::kAttributes:
      return "attributes";
    case pac_type::kRequestorSid:
      return "requestor SID";
    case pac_type::kFullChecksum:
      return "extended KDC (full PAC) checksum";
    default:
      return {};
  }
}

kerb::Result<Pac> parse_pac(std::span<const std::uint8_t> pac) {
  if (pac.size() < kPacTypeSize) return pac_error("PACTYPE header truncated", pac.size());
  Pac out;
  const std::uint32_t count = le32(pac, 0);
  out.version = le32(pac, 4);
  if (out.version != 0) return pac_error("Version is not 0", 4);
  if (count > kMaxBuffers) return pac_error("cBuffers exceeds 256", 0);
  if ((pac.size() - kPacTypeSize) / kPacInfoBufferSize < count)
    return pac_error("PAC_INFO_BUFFER array runs past the end", pac.size());
  const std::size_t header_end = kPacTypeSize + count * kPacInfoBufferSize;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t at = kPacTypeSize + i * kPacInfoBufferSize;
    PacBuffer b;
    b.type = le32(pac, at);
    b.size = le32(pac, at + 4);
    b.offset = le64(pac, at + 8);
    if (b.offset % 8 != 0) return pac_error("buffer Offset not 8-byte aligned", at + 8);
    if (b.offset < header_end || b.offset > pac.size() || b.size > pac.size() - b.offset)
      return pac_error("buffer lies outside the PAC", at + 8);
    b.data = pac.subspan(static_cast<std::size_t>(b.offset), b.size);
    out.buffers.push_back(b);
  }
  return out;
}

kerb::Result<std::optional<std::span<const std::uint8_t>>> find_pac(
    std::span<const std::uint8_t> authorization_data) {
  KERB_TRY(kerb::AuthorizationData ad,
           kerb::decode_der<kerb::AuthorizationData>(authorization_data, "AuthorizationData"));
  return find_pac(ad);
}

kerb::Result<std::optional<std::span<const std::uint8_t>>> find_pac(
    const kerb::AuthorizationData& authorization_data) {
  for (const kerb::AuthorizationDataEntry& e : authorization_data) {
    if (e.ad_type != kerb::ad_type::kAdIfRelevant) continue;
    KERB_TRY(kerb::AuthorizationData inner,
             kerb::decode_der<kerb::AuthorizationData>(e.ad_data, "AD-IF-RELEVANT"));
    for (const kerb::AuthorizationDataEntry& i : inner)
      if (i.ad_type == kerb::ad_type::kAdWin2kPac)
        return std::optional<std::span<const std::uint8_t>>(i.ad_data);
  }
  return std::optional<std::span<const std::uint8_t>>();
}

PacVerification verify_pac(std::span<const std::uint8_t> pac, const Pac& parsed,
                           const PacKeys& keys) {
  PacVerification v;
  const PacBuffer* server = find_buffer(parsed, pac_type::kServerChecksum);
  const PacBuffer* privsvr = find_buffer(parsed, pac_type::kPrivsvrChecksum);
  if (server == nullptr || server->size < 4) {
    v.server_detail = "not checked: no server signature";
  } else if (keys.service == nullptr) {
    v.server_detail = "not checked: the service key is not known";
  } else {
    // The whole PAC with the signature bytes (not the types) of both signatures zeroed.
    std::vector<std::uint8_t> zeroed(pac.begin(), pac.end());
    for (const PacBuffer* s : {server, privsvr}) {
      if (s == nullptr || s->size < 4) continue;
      for (std::size_t i = static_cast<std::size_t>(s->offset) + 4;
           i < static_cast<std::size_t>(s->offset) + s->size; ++i)
        zeroed[i] = 0;
    }
    const auto type = static_cast<kerb::crypto::CksumType>(le32(server->data, 0));
    const auto* info = kerb::crypto::find_checksum(type);
    if (info == nullptr || info->size > server->size - 4) {
      v.server_detail = "not checked: signature type " +
                        std::string(kerb::crypto::checksum_name(type)) + " not supported";
    } else {
      auto ok = kerb::crypto::verify_keyed(*keys.service, kerb::key_usage::kNonKerbCksumSalt, type,
                                           zeroed, server->data.subspan(4, info->size));
      v.server_ok = ok.ok();
      v.server_detail = ok ? "verified with " + keys.service_source
                           : "FAILED with " + keys.service_source + ": " +
                                 std::string(ok.error().detail()) +
                                 " (PAC altered, or not this key)";
    }
  }
  if (privsvr == nullptr || privsvr->size < 4) {
    v.privsvr_detail = "not checked: no KDC signature";
  } else if (server == nullptr || server->size < 4) {
    v.privsvr_detail = "not checked: no server signature to cover";
  } else if (keys.krbtgt == nullptr) {
    v.privsvr_detail = "not checked: the krbtgt key is not known";
  } else {
    const auto stype = static_cast<kerb::crypto::CksumType>(le32(server->data, 0));
    const auto* sinfo = kerb::crypto::find_checksum(stype);
    const auto type = static_cast<kerb::crypto::CksumType>(le32(privsvr->data, 0));
    const auto* info = kerb::crypto::find_checksum(type);
    if (sinfo == nullptr || info == nullptr || sinfo->size > server->size - 4 ||
        info->size > privsvr->size - 4) {
      v.privsvr_detail = "not checked: signature type not supported";
    } else {
      auto ok = kerb::crypto::verify_keyed(*keys.krbtgt, kerb::key_usage::kNonKerbCksumSalt, type,
                                           server->data.subspan(4, sinfo->size),
                                           privsvr->data.subspan(4, info->size));
      v.privsvr_ok = ok.ok();
      v.privsvr_detail =
          ok ? "verified with " + keys.krbtgt_source
             : "FAILED with " + keys.krbtgt_source + ": " + std::string(ok.error().detail());
    }
  }
  return v;
}

Node pac_node(std::span<const std::uint8_t> pac, const PacKeys& keys) {
  Node node;
  node.name = "pac";
  node.json_kind = "object";
  auto parsed = parse_pac(pac);
  if (!parsed) {
    node.note = std::string(parsed.error().detail());
    node.add("raw", hex(pac), "bytes");
    return node;
  }
  add_int(node, "c-buffers", parsed->buffers.size());
  add_int(node, "version", parsed->version);
  const PacVerification v = verify_pac(pac, *parsed, keys);
  Node& list = node.add("buffers", {}, "array");
  for (const PacBuffer& b : parsed->buffers) {
    Node& n = list.add("buffer");
    n.json_kind = "object";
    const std::string name = pac_type_name(b.type);
    n.add("ul-type",
          (name.empty() ? std::string("unknown") : name) + " (" + std::to_string(b.type) + ")",
          "enum");
    add_int(n, "cb-buffer-size", b.size);
    add_int(n, "offset", b.offset);
    Node& content = n.add("contents", {}, "object");
    switch (b.type) {
      case pac_type::kLogonInfo:
        logon_info(content, b.data);
        break;
      case pac_type::kClientInfo:
        client_info(content, b.data);
        break;
      case pac_type::kUpnDnsInfo:
        upn_dns_info(content, b.data);
        break;
      case pac_type::kAttributes:
        attributes_info(content, b.data);
        break;
      case pac_type::kRequestorSid:
        requestor_sid(content, b.data);
        break;
      case pac_type::kServerChecksum:
        signature(content, b.data);
        content.note = v.server_detail;
        break;
      case pac_type::kPrivsvrChecksum:
        signature(content, b.data);
        content.note = v.privsvr_detail;
        break;
      case pac_type::kTicketChecksum:
      case pac_type::kFullChecksum:
        signature(content, b.data);
        content.note = "not checked by krbdump";
        break;
      default:
        content.value = hex(b.data);
        content.json_kind = "bytes";
        content.note = "not decoded";
        break;
    }
  }
  return node;
}

}  // namespace krbdump
