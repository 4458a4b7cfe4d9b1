// MIT FILE credentials cache codec (versions 1-4 in, 4 out), the CredentialCache interface,
// the FILE and MEMORY caches, and cache-name resolution. Facts from MIT's "Credential cache
// file format" document; section names below refer to it.
#include <kerb/ccache.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kerb/internal/bytes.hpp>
#include <kerb/internal/file.hpp>
#include "secure_env.hpp"

namespace kerb {

using detail::BinaryReader;
using detail::ByteWriter;

namespace {

constexpr std::uint8_t kFirstByte = 5;
constexpr std::uint16_t kHeaderTagKdcOffset = 1;
constexpr std::size_t kKdcOffsetFieldSize = 8;
// The smallest address / authdata element: a 16-bit type and a 32-bit length.
constexpr std::size_t kMinElementSize = 2 + 4;

std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string_view strip_prefix(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
  return name;
}

// --- reading ---------------------------------------------------------------------------------

// "Principal format": [name type (32)] count (32) realm (data) components (data)...
bool read_principal(BinaryReader& r, std::uint8_t version, const char* what, Principal& out) {
  std::int32_t name_type = 0;
  if (version != 1 && !r.read_i32(name_type, "principal name type")) return false;
  const std::size_t at = r.offset();
  std::uint32_t count = 0;
  if (!r.read_u32(count, "principal component count")) return false;
  if (version == 1) {  // the count includes the realm
    if (count == 0) return r.fail_at(at, "%s principal has a count of 0 (no realm)", what);
    --count;
  }
  if (count > PrincipalName::kMaxComponents) {
    return r.fail_at(at, "%s principal has %u components, more than %zu", what, count,
                     PrincipalName::kMaxComponents);
  }
  std::span<const std::uint8_t> realm;
  if (!r.read_data(4, realm, "realm")) return false;
  PrincipalName name;
  name.set_name_type(name_type);
  for (std::uint32_t i = 0; i < count; ++i) {
    std::span<const std::uint8_t> component;
    if (!r.read_data(4, component, "principal component")) return false;
    static_cast<void>(name.push_back(as_text(component)));  // count <= kMaxComponents
  }
  out = Principal(as_text(realm), name);
  return true;
}

bool read_time(BinaryReader& r, std::int64_t& out, const char* field) {
  std::uint32_t v = 0;
  if (!r.read_u32(v, field)) return false;
  out = v;  // unsigned: good until 2106
  return true;
}

// count (32), then count times { type (16), data }: a credential's addresses or authdata.
// An element takes some 32 bytes of memory for its 6 bytes of file, so the counts are capped
// (per credential, and `elements` counts down the whole file's allowance) rather than only
// checked against the bytes left.
template <class T>
bool read_elements(BinaryReader& r, const char* what, std::size_t max, std::size_t& elements,
                   std::vector<T>& out, std::int32_t T::*type, std::vector<std::uint8_t> T::*data) {
  char field[24];
  std::snprintf(field, sizeof(field), "%s count", what);
  const std::size_t at = r.offset();
  std::uint32_t count = 0;
  if (!r.read_u32(count, field)) return false;
  if (count > max) return r.fail_at(at, "%s %u exceeds the limit of %zu", field, count, max);
  if (count > elements) {
    return r.fail_at(at, "%s %u exceeds the file's limit of %zu addresses and authdata", field,
                     count, FileCcache::kMaxFileElements);
  }
  if (count > r.remaining() / kMinElementSize) {
    return r.fail_at(at, "%s %u exceeds what the remaining %zu bytes hold", field, count,
                     r.remaining());
  }
  elements -= count;
  std::snprintf(field, sizeof(field), "%s type", what);
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    T element;
    std::span<const std::uint8_t> bytes;
    if (!r.read_i16(element.*type, field) || !r.read_data(4, bytes, what)) return false;
    (element.*data).assign(bytes.begin(), bytes.end());
    out.push_back(std::move(element));
  }
  return true;
}

// "Credential format". `elements`: how many more addresses and authdata the file may hold.
bool read_credential(BinaryReader& r, std::uint8_t version, std::size_t& elements, Credentials& c) {
  if (!read_principal(r, version, "client", c.client)) return false;
  if (!read_principal(r, version, "server", c.server)) return false;

  // keyblock ::= enctype (16 bits) [repeated twice in version 3] data
  if (!r.read_i16(c.session_key.enctype, "keyblock enctype")) return false;
  if (version == 3) {
    std::int32_t repeated = 0;
    if (!r.read_i16(repeated, "keyblock enctype")) return false;
  }
  std::span<const std::uint8_t> key;
  if (!r.read_data(4, key, "key", KeyBlock::kMaxSize)) return false;
  static_cast<void>(c.session_key.contents.assign(key));  // bounded by kMaxSize above

  if (!read_time(r, c.authtime, "authtime") || !read_time(r, c.starttime, "starttime") ||
      !read_time(r, c.endtime, "endtime") || !read_time(r, c.renew_till, "renew_till")) {
    return false;
  }
  const std::size_t skey_at = r.offset();
  std::uint8_t is_skey = 0;
  if (!r.read_u8(is_skey, "is_skey")) return false;
  if (is_skey > 1) return r.fail_at(skey_at, "is_skey is %u, not 0 or 1", is_skey);
  c.is_skey = is_skey == 1;
  if (!r.read_u32(c.ticket_flags, "ticket_flags")) return false;

  if (!read_elements(r, "address", FileCcache::kMaxAddresses, elements, c.addresses,
                     &Credentials::Address::addr_type, &Credentials::Address::address) ||
      !read_elements(r, "authdata", FileCcache::kMaxAuthData, elements, c.authdata,
                     &Credentials::AuthData::ad_type, &Credentials::AuthData::ad_data)) {
    return false;
  }

  std::span<const std::uint8_t> ticket, second_ticket;
  if (!r.read_data(4, ticket, "ticket") || !r.read_data(4, second_ticket, "second ticket")) {
    return false;
  }
  c.ticket.assign(ticket.begin(), ticket.end());
  c.second_ticket.assign(second_ticket.begin(), second_ticket.end());
  return true;
}

// "Header format" (version 4 only): length (16), then tag (16) length (16) value fields.
bool read_header(BinaryReader& r, FileCcache& out) {
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

Result<FileCcache> parse(std::span<const std::uint8_t> bytes, std::string_view label) {
  const std::string l(label);
  if (bytes.size() < 2) {
    return Error::format(ErrorCategory::kIo, 0, "%s: %zu bytes is too short for a version",
                         l.c_str(), bytes.size());
  }
  if (bytes[0] != kFirstByte) {
    return Error::format(ErrorCategory::kIo, 0,
                         "%s: not a credentials cache (first byte 0x%02x, not 0x05) at offset 0",
                         l.c_str(), bytes[0]);
  }
  const std::uint8_t version = bytes[1];
  if (version < 1 || version > 4) {
    return Error::format(ErrorCategory::kIo, 0, "%s: unsupported version 0x05%02x at offset 0",
                         l.c_str(), version);
  }
  FileCcache out;
  out.version = static_cast<std::uint16_t>(0x0500 | version);
  // Versions 1 and 2 use the writer's native byte order: ours is the only one we can assume.
  const bool big_endian = version >= 3 || detail::host_is_big_endian();
  BinaryReader r(bytes.subspan(2), big_endian, label, 2);
  if (version == 4 && !read_header(r, out)) return r.error();
  if (!read_principal(r, version, "default", out.default_principal)) return r.error();

  std::size_t entries = 0;
  std::size_t elements = FileCcache::kMaxFileElements;
  while (!r.empty()) {
    if (entries == FileCcache::kMaxEntries) {
      r.fail_at(r.offset(), "more than %zu entries", FileCcache::kMaxEntries);
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

// --- writing ---------------------------------------------------------------------------------

Error unfit(const char* fmt, const char* what, long long value) {
  return Error::format(ErrorCategory::kInvalidArgument, 0, fmt, what, value);
}

Result<void> put_data(ByteWriter& w, std::span<const std::uint8_t> bytes, const char* what) {
  if (bytes.size() > UINT32_MAX) {
    return unfit("ccache: %s of %lld bytes is too long", what,
                 static_cast<long long>(bytes.size()));
  }
  w.u32(static_cast<std::uint32_t>(bytes.size()));
  w.bytes(bytes);
  return ok();
}
Result<void> put_data(ByteWriter& w, std::string_view s, const char* what) {
  return put_data(w, std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), what);
}

Result<void> put_i16(ByteWriter& w, std::int32_t v, const char* what) {
  if (v < INT16_MIN || v > INT16_MAX) {
    return unfit("ccache: %s %lld does not fit in 16 bits", what, v);
  }
  w.u16(static_cast<std::uint16_t>(static_cast<std::int16_t>(v)));
  return ok();
}

Result<void> put_time(ByteWriter& w, std::int64_t t, const char* what) {
  if (t < 0 || t > static_cast<std::int64_t>(UINT32_MAX)) {
    return unfit("ccache: %s %lld does not fit in unsigned 32 bits", what,
                 static_cast<long long>(t));
  }
  w.u32(static_cast<std::uint32_t>(t));
  return ok();
}

Result<void> put_principal(ByteWriter& w, std::string_view realm, std::int32_t name_type,
                           std::span<const std::string> components) {
  w.i32(name_type);
  w.u32(static_cast<std::uint32_t>(components.size()));  // at most PrincipalName::kMaxComponents
  KERB_TRY_VOID(put_data(w, realm, "realm"));
  for (const std::string& c : components)
    KERB_TRY_VOID(put_data(w, c, "principal component"));
  return ok();
}
Result<void> put_principal(ByteWriter& w, const Principal& p) {
  return put_principal(w, p.realm(), p.raw_name_type(), p.components());
}

Result<void> put_credential(ByteWriter& w, const Credentials& c) {
  KERB_TRY_VOID(put_principal(w, c.client));
  KERB_TRY_VOID(put_principal(w, c.server));
  KERB_TRY_VOID(put_i16(w, c.session_key.enctype, "keyblock enctype"));
  KERB_TRY_VOID(put_data(w, c.session_key.contents.view(), "key"));
  KERB_TRY_VOID(put_time(w, c.authtime, "authtime"));
  KERB_TRY_VOID(put_time(w, c.starttime, "starttime"));
  KERB_TRY_VOID(put_time(w, c.endtime, "endtime"));
  KERB_TRY_VOID(put_time(w, c.renew_till, "renew_till"));
  w.u8(c.is_skey ? 1 : 0);
  w.u32(c.ticket_flags);
  // What read() refuses is never written.
  if (c.addresses.size() > FileCcache::kMaxAddresses ||
      c.authdata.size() > FileCcache::kMaxAuthData) {
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "ccache: %zu addresses and %zu authdata exceed the limits of %zu and %zu",
                         c.addresses.size(), c.authdata.size(), FileCcache::kMaxAddresses,
                         FileCcache::kMaxAuthData);
  }
  w.u32(static_cast<std::uint32_t>(c.addresses.size()));
  for (const Credentials::Address& a : c.addresses) {
    KERB_TRY_VOID(put_i16(w, a.addr_type, "address type"));
    KERB_TRY_VOID(put_data(w, a.address, "address"));
  }
  w.u32(static_cast<std::uint32_t>(c.authdata.size()));
  for (const Credentials::AuthData& a : c.authdata) {
    KERB_TRY_VOID(put_i16(w, a.ad_type, "authdata type"));
    KERB_TRY_VOID(put_data(w, a.ad_data, "authdata"));
  }
  KERB_TRY_VOID(put_data(w, c.ticket, "ticket"));
  KERB_TRY_VOID(put_data(w, c.second_ticket, "second ticket"));
  return ok();
}

// A configuration entry: client is the default principal, server
// krb5_ccache_conf_data/<key>[/<principal>]@X-CACHECONF:, value in the ticket, the rest zero.
Result<void> put_config(ByteWriter& w, const Principal& client, const ConfigEntry& e) {
  KERB_TRY_VOID(put_principal(w, client));
  std::string parts[3] = {std::string(kCcacheConfigComponent), e.key, e.principal};
  const std::size_t n = e.principal.empty() ? 2 : 3;
  KERB_TRY_VOID(put_principal(w, kCcacheConfigRealm,
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
  KERB_TRY_VOID(put_data(w, e.value, "config value"));
  w.u32(0);  // second ticket
  return ok();
}

Result<void> put_ccache(ByteWriter& w, const FileCcache& cc) {
  w.u8(kFirstByte);
  w.u8(4);
  if (cc.kdc_offset) {
    w.u16(2 + 2 + kKdcOffsetFieldSize);
    w.u16(kHeaderTagKdcOffset);
    w.u16(kKdcOffsetFieldSize);
    w.i32(cc.kdc_offset->seconds);
    w.i32(cc.kdc_offset->microseconds);
  } else {
    w.u16(0);
  }
  KERB_TRY_VOID(put_principal(w, cc.default_principal));
  // Config entries first, as MIT's kinit writes them.
  for (const ConfigEntry& e : cc.config)
    KERB_TRY_VOID(put_config(w, cc.default_principal, e));
  for (const Credentials& c : cc.credentials)
    KERB_TRY_VOID(put_credential(w, c));
  return ok();
}

}  // namespace

// --- FileCcache -------------------------------------------------------------------------------

Result<FileCcache> FileCcache::read(std::span<const std::uint8_t> bytes) {
  return parse(bytes, "ccache");
}

Result<FileCcache> FileCcache::open(std::string_view path) {
  const std::string file(strip_prefix(path, "FILE:"));
  const std::string label = detail::file_label("ccache", file);
  KERB_TRY(std::vector<std::uint8_t> bytes, detail::read_file_locked(file, label, kMaxFileSize));
  Result<FileCcache> parsed = parse(bytes, label);
  detail::wipe(bytes);
  return parsed;
}

Result<std::vector<std::uint8_t>> FileCcache::serialize() const {
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

Result<void> FileCcache::write(std::string_view path) const {
  const std::string file(strip_prefix(path, "FILE:"));
  KERB_TRY(std::vector<std::uint8_t> bytes, serialize());
  Result<void> written = detail::write_file_atomic(file, bytes, detail::file_label("ccache", file));
  detail::wipe(bytes);
  return written;
}

const Credentials* FileCcache::find(const Principal& server) const {
  const Credentials* best = nullptr;
  for (const Credentials& c : credentials) {
    if (c.server == server && (best == nullptr || c.endtime > best->endtime)) best = &c;
  }
  return best;
}

void FileCcache::store(Credentials creds) {
  for (Credentials& c : credentials) {
    if (c.client == creds.client && c.server == creds.server) {
      c = std::move(creds);
      return;
    }
  }
  credentials.push_back(std::move(creds));
}

const ConfigEntry* FileCcache::find_config(std::string_view key, std::string_view principal) const {
  for (const ConfigEntry& e : config) {
    if (e.key == key && e.principal == principal) return &e;
  }
  return nullptr;
}

void FileCcache::set_config(std::string_view key, std::string_view principal,
                            std::span<const std::uint8_t> value) {
  for (ConfigEntry& e : config) {
    if (e.key == key && e.principal == principal) {
      e.value.assign(value.begin(), value.end());
      return;
    }
  }
  ConfigEntry e;
  e.key = key;
  e.principal = principal;
  e.value.assign(value.begin(), value.end());
  config.push_back(std::move(e));
}

void FileCcache::set_config(std::string_view key, std::string_view principal,
                            std::string_view value) {
  set_config(key, principal,
             std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()));
}

bool FileCcache::remove_config(std::string_view key, std::string_view principal) {
  for (auto it = config.begin(); it != config.end(); ++it) {
    if (it->key == key && it->principal == principal) {
      config.erase(it);
      return true;
    }
  }
  return false;
}

bool FileCcache::is_config_principal(const Principal& server) noexcept {
  return server.realm() == kCcacheConfigRealm;
}

// --- CredentialCache --------------------------------------------------------------------------

Result<void> CredentialCache::initialize(const Principal& default_principal) {
  if (default_principal.realm().empty()) {
    return Error(ErrorCategory::kInvalidArgument, "ccache: default principal has no realm");
  }
  Principal p = default_principal;
  return update_contents(
      [](FileCcache& c, void* ctx) -> Result<void> {
        c = FileCcache();
        c.default_principal = std::move(*static_cast<Principal*>(ctx));
        return ok();
      },
      &p, true);
}

Result<FileCcache> CredentialCache::snapshot() const {
  FileCcache out;
  KERB_TRY_VOID(read_contents(
      [](const FileCcache& c, void* ctx) -> Result<void> {
        *static_cast<FileCcache*>(ctx) = c;
        return ok();
      },
      &out));
  return out;
}

Result<Principal> CredentialCache::default_principal() const {
  Principal out;
  KERB_TRY_VOID(read_contents(
      [](const FileCcache& c, void* ctx) -> Result<void> {
        *static_cast<Principal*>(ctx) = c.default_principal;
        return ok();
      },
      &out));
  return out;
}

Result<void> CredentialCache::store(const Credentials& creds) {
  Credentials copy = creds;
  return update_contents(
      [](FileCcache& c, void* ctx) -> Result<void> {
        c.store(std::move(*static_cast<Credentials*>(ctx)));
        return ok();
      },
      &copy, false);
}

Result<std::optional<Credentials>> CredentialCache::retrieve(const Principal& server) const {
  struct Context {
    const Principal* server;
    std::optional<Credentials> found;
  } ctx{&server, std::nullopt};
  KERB_TRY_VOID(read_contents(
      [](const FileCcache& c, void* p) -> Result<void> {
        auto* x = static_cast<Context*>(p);
        if (const Credentials* found = c.find(*x->server)) x->found = *found;
        return ok();
      },
      &ctx));
  return std::move(ctx.found);
}

Result<std::vector<Credentials>> CredentialCache::list() const {
  std::vector<Credentials> out;
  KERB_TRY_VOID(read_contents(
      [](const FileCcache& c, void* ctx) -> Result<void> {
        *static_cast<std::vector<Credentials>*>(ctx) = c.credentials;
        return ok();
      },
      &out));
  return out;
}

Result<std::optional<KdcOffset>> CredentialCache::kdc_offset() const {
  std::optional<KdcOffset> out;
  KERB_TRY_VOID(read_contents(
      [](const FileCcache& c, void* ctx) -> Result<void> {
        *static_cast<std::optional<KdcOffset>*>(ctx) = c.kdc_offset;
        return ok();
      },
      &out));
  return out;
}

Result<void> CredentialCache::set_kdc_offset(std::optional<KdcOffset> offset) {
  return update_contents(
      [](FileCcache& c, void* ctx) -> Result<void> {
        c.kdc_offset = *static_cast<std::optional<KdcOffset>*>(ctx);
        return ok();
      },
      &offset, false);
}

Result<std::optional<std::vector<std::uint8_t>>> CredentialCache::get_config(
    std::string_view key, std::string_view principal) const {
  struct Context {
    std::string_view key, principal;
    std::optional<std::vector<std::uint8_t>> value;
  } ctx{key, principal, std::nullopt};
  KERB_TRY_VOID(read_contents(
      [](const FileCcache& c, void* p) -> Result<void> {
        auto* x = static_cast<Context*>(p);
        if (const ConfigEntry* e = c.find_config(x->key, x->principal)) x->value = e->value;
        return ok();
      },
      &ctx));
  return std::move(ctx.value);
}

Result<void> CredentialCache::set_config(std::string_view key, std::string_view principal,
                                         std::span<const std::uint8_t> value) {
  struct Context {
    std::string_view key, principal;
    std::span<const std::uint8_t> value;
  } ctx{key, principal, value};
  return update_contents(
      [](FileCcache& c, void* p) -> Result<void> {
        auto* x = static_cast<Context*>(p);
        c.set_config(x->key, x->principal, x->value);
        return ok();
      },
      &ctx, false);
}

// --- FileCredentialCache ----------------------------------------------------------------------

Result<void> FileCredentialCache::read_contents(Reader reader, void* context) const {
  KERB_TRY(FileCcache contents, FileCcache::open(path_));
  return reader(contents, context);
}

Result<void> FileCredentialCache::update_contents(Updater updater, void* context, bool create) {
  Result<FileCcache> current = FileCcache::open(path_);
  if (!current && !create) return current.error();
  FileCcache contents = current ? std::move(current).value() : FileCcache();
  KERB_TRY_VOID(updater(contents, context));
  return contents.write(path_);
}

Result<void> FileCredentialCache::destroy() {
  const std::string label = detail::file_label("ccache", path_);
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return Error::format(ErrorCategory::kIo, 0, "%s: cannot open: %s", label.c_str(),
                         std::strerror(errno));
  }
  // Overwrite the session keys before the name goes away (convention 10).
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    static const std::uint8_t zeros[4096] = {};
    auto left = static_cast<std::size_t>(st.st_size);
    while (left > 0) {
      const std::size_t n = left < sizeof(zeros) ? left : sizeof(zeros);
      const ssize_t w = ::write(fd, zeros, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      left -= static_cast<std::size_t>(w);
    }
    static_cast<void>(::fsync(fd));
  }
  ::close(fd);
  if (::unlink(path_.c_str()) != 0) {
    return Error::format(ErrorCategory::kIo, 0, "%s: cannot remove: %s", label.c_str(),
                         std::strerror(errno));
  }
  return ok();
}

// --- MemoryCcache -----------------------------------------------------------------------------

struct MemoryCcache::State {
  std::mutex mutex;
  std::optional<FileCcache> contents;  // nullopt: not initialised
};

namespace {

struct MemoryRegistry {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<MemoryCcache::State>, std::less<>> caches;
};

MemoryRegistry& memory_registry() {
  static MemoryRegistry registry;
  return registry;
}

}  // namespace

std::shared_ptr<MemoryCcache> MemoryCcache::resolve(std::string_view name) {
  MemoryRegistry& registry = memory_registry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto it = registry.caches.find(name);
  if (it == registry.caches.end()) {
    it = registry.caches.emplace(std::string(name), std::make_shared<State>()).first;
  }
  return std::shared_ptr<MemoryCcache>(new MemoryCcache(std::string(name), it->second));
}

Result<void> MemoryCcache::destroy() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->contents.reset();
  }
  MemoryRegistry& registry = memory_registry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto it = registry.caches.find(name_);
  if (it != registry.caches.end() && it->second == state_) registry.caches.erase(it);
  return ok();
}

Result<void> MemoryCcache::read_contents(Reader reader, void* context) const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (!state_->contents) {
    return Error::format(ErrorCategory::kIo, 0, "ccache MEMORY:%.40s: not initialised",
                         name_.c_str());
  }
  return reader(*state_->contents, context);
}

Result<void> MemoryCcache::update_contents(Updater updater, void* context, bool create) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (!state_->contents && !create) {
    return Error::format(ErrorCategory::kIo, 0, "ccache MEMORY:%.40s: not initialised",
                         name_.c_str());
  }
  // Update a copy, so a failing updater leaves the cache as it was.
  FileCcache copy = state_->contents ? *state_->contents : FileCcache();
  KERB_TRY_VOID(updater(copy, context));
  state_->contents = std::move(copy);
  return ok();
}

// --- names ------------------------------------------------------------------------------------

Result<CcacheName> CcacheName::parse(std::string_view name) {
  if (name.empty()) return Error(ErrorCategory::kConfig, "empty ccache name");
  CcacheName out;
  const std::size_t colon = name.find(':');
  if (name[0] == '/' || colon == std::string_view::npos) {
    out.residual = name;
    return out;
  }
  const std::string_view type = name.substr(0, colon);
  const std::string_view rest = name.substr(colon + 1);
  if (type == "FILE") {
    out.type = Type::kFile;
  } else if (type == "MEMORY") {
    out.type = Type::kMemory;
  } else {
    return Error::format(ErrorCategory::kConfig, 0, "unsupported ccache type %.*s",
                         static_cast<int>(type.size() < 32 ? type.size() : 32), type.data());
  }
  if (rest.empty()) {
    return Error::format(ErrorCategory::kConfig, 0, "ccache name %.*s: has nothing after the type",
                         static_cast<int>(type.size() < 32 ? type.size() : 32), type.data());
  }
  out.residual = rest;
  return out;
}

std::string CcacheName::to_string() const {
  return (type == Type::kMemory ? "MEMORY:" : "FILE:") + residual;
}

std::string default_ccache_name() {
  const char* env = detail::secure_env("KRB5CCNAME");
  if (env != nullptr && *env != '\0') return env;
  return "FILE:/tmp/krb5cc_" + std::to_string(::getuid());
}

Result<std::shared_ptr<CredentialCache>> resolve_ccache(std::string_view name) {
  KERB_TRY(CcacheName parsed, CcacheName::parse(name));
  std::shared_ptr<CredentialCache> cache;
  if (parsed.type == CcacheName::Type::kMemory) {
    cache = MemoryCcache::resolve(parsed.residual);
  } else {
    cache = std::make_shared<FileCredentialCache>(std::move(parsed.residual));
  }
  return cache;
}

Result<std::shared_ptr<CredentialCache>> default_ccache() {
  return resolve_ccache(default_ccache_name());
}

}  // namespace kerb
