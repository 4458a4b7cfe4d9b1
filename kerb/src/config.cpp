// krb5.conf queries: lookups over the node table (config_table.hpp) and the typed getters of
// [libdefaults], [realms], [domain_realm] and [capaths].
#include <kerb/config.hpp>

#include <algorithm>
#include <cstdint>

#include "config_syntax.hpp"
#include "config_table.hpp"

namespace kerb {

using namespace std::string_view_literals;
using namespace config_detail;
using detail::ConfigTable;
using Kind = ConfigTable::Kind;
using Node = ConfigTable::Node;

namespace {

constexpr std::uint32_t kNone = ConfigTable::kNone;
// What an empty Config reads: no node, so every lookup finds nothing. A function-local static,
// since a std::string member is not constant-initialisable on every standard library.
const ConfigTable& empty_table() {
  static const ConfigTable empty;
  return empty;
}

// MIT's "weak" enctypes, dropped from the lists unless allow_weak_crypto is set: 1, 2, 3, 4
// (des-cbc-raw), 6 (des3-cbc-raw), 8 (des-hmac-sha1) and 24.
constexpr crypto::EncType kWeakEnctypes[] = {
    crypto::EncType::kDesCbcCrc,  crypto::EncType::kDesCbcMd4, crypto::EncType::kDesCbcMd5,
    crypto::EncType{4},           crypto::EncType{6},          crypto::EncType{8},
    crypto::EncType::kRc4HmacExp,
};

bool is_weak_enctype(crypto::EncType enctype) noexcept {
  for (crypto::EncType weak : kWeakEnctypes) {
    if (enctype == weak) return true;
  }
  return false;
}

}  // namespace

// --- the node table ------------------------------------------------------------------------

std::uint32_t ConfigTable::next(std::uint32_t parent, std::uint32_t i, Kind kind,
                                const std::string_view* name) const noexcept {
  while (++i < nodes.size()) {
    const Node& n = nodes[i];
    if (n.parent == parent && n.kind == kind && (name == nullptr || name_of(n) == *name)) {
      return i;
    }
  }
  return kNone;
}

std::uint32_t ConfigTable::subsection(std::span<const std::string_view> path) const noexcept {
  std::uint32_t at = 0;
  for (const std::string_view& step : path) {
    at = next(at, at, Kind::kSubsection, &step);
    if (at == kNone) break;
  }
  return at;
}

const Node* ConfigTable::first(std::span<const std::string_view> path) const noexcept {
  if (path.empty()) return nullptr;
  const std::uint32_t at = subsection(path.first(path.size() - 1));
  const std::uint32_t i = at == kNone ? kNone : next(at, at, Kind::kRelation, &path.back());
  return i == kNone ? nullptr : &nodes[i];
}

std::vector<std::string_view> ConfigTable::collect(std::uint32_t at, Kind kind,
                                                   const std::string_view* name) const {
  // Counted first: one allocation, and no vector growth code for these few lines.
  std::size_t count = 0;
  for (std::uint32_t i = at; at != kNone && (i = next(at, i, kind, name)) != kNone;)
    ++count;
  std::vector<std::string_view> out(count);
  count = 0;
  for (std::uint32_t i = at; at != kNone && (i = next(at, i, kind, name)) != kNone;) {
    out[count++] = kind == Kind::kRelation ? value_of(nodes[i]) : name_of(nodes[i]);
  }
  return out;
}

// --- typed reads of [libdefaults] ------------------------------------------------------------

namespace {

const Node* find_libdefault(const ConfigTable& t, std::string_view tag,
                            std::string_view realm) noexcept {
  if (!realm.empty()) {
    const std::string_view per_realm[] = {"libdefaults"sv, realm, tag};
    if (const Node* n = t.first(per_realm)) return n;
  }
  const std::string_view global[] = {"libdefaults"sv, tag};
  return t.first(global);
}

Error error_at(const ConfigTable& t, const Node& node, std::string_view tag,
               std::string_view what) {
  return located(t.name_of(t.nodes[node.file]), node.line, "%.*s: %.*s",
                 static_cast<int>(tag.size()), tag.data(), static_cast<int>(what.size()),
                 what.data());
}

// How get_value() reads a value; durations and counts must not be negative.
enum class Syntax : std::uint8_t { kBoolean, kInteger, kCount, kDuration };

// A [libdefaults] value (the realm's own first, if a realm is given) read as `syntax`;
// `fallback` when absent. Errors name the file, line and tag.
Result<std::int64_t> get_value(const ConfigTable& t, std::string_view tag, std::string_view realm,
                               Syntax syntax, std::int64_t fallback) {
  const Node* n = find_libdefault(t, tag, realm);
  if (n == nullptr) return fallback;
  const std::string_view text = t.value_of(*n);
  std::int64_t value = 0;
  const bool ok = syntax == Syntax::kBoolean    ? boolean_value(text, value)
                  : syntax == Syntax::kDuration ? duration_value(text, value)
                                                : integer_value(text, value);
  if (ok && (value >= 0 || syntax == Syntax::kBoolean || syntax == Syntax::kInteger)) return value;
  const Error bad = bad_value(syntax == Syntax::kBoolean    ? "boolean"
                              : syntax == Syntax::kDuration ? "duration"
                                                            : "integer",
                              text);
  return error_at(t, *n, tag, ok ? "must not be negative"sv : bad.detail());
}

Result<bool> get_flag(const ConfigTable& t, std::string_view tag, std::string_view realm,
                      Syntax syntax, bool fallback) {  // get_value() != 0
  KERB_TRY(const std::int64_t value, get_value(t, tag, realm, syntax, fallback));
  return value != 0;
}

// One list, weak enctypes dropped unless allow_weak_crypto (as MIT filters them). Absent:
// DEFAULT for permitted_enctypes, permitted_enctypes for the other two.
Result<std::vector<crypto::EncType>> get_enctypes(const Config& c, const ConfigTable& t,
                                                  std::string_view tag) {
  const Node* n = find_libdefault(t, tag, {});
  if (n == nullptr) {
    tag = "permitted_enctypes"sv;
    n = find_libdefault(t, tag, {});
  }
  Result<std::vector<crypto::EncType>> list =
      parse_enctype_list(n != nullptr ? t.value_of(*n) : "DEFAULT"sv);
  if (n == nullptr) return list;  // crypto's default list, none of them weak
  if (!list) return error_at(t, *n, tag, list.error().detail());
  KERB_TRY(const bool allow_weak, c.allow_weak_crypto());
  if (!allow_weak) {
    std::vector<crypto::EncType>& v = *list;
    std::size_t kept = 0;
    for (crypto::EncType e : v) {
      if (!is_weak_enctype(e)) v[kept++] = e;
    }
    v.erase(v.begin() + static_cast<std::ptrdiff_t>(kept), v.end());
    if (v.empty()) return error_at(t, *n, tag, "only weak enctypes (allow_weak_crypto is off)");
  }
  return list;
}

// The `tag` relations of "[realms] realm = { ... }" as addresses.
Result<std::vector<KdcAddress>> get_addresses(const ConfigTable& t, std::string_view realm,
                                              std::string_view tag, std::uint16_t default_port) {
  std::vector<KdcAddress> out;
  const std::string_view path[] = {"realms"sv, realm};
  const std::uint32_t at = t.subsection(path);
  for (std::uint32_t i = at; at != kNone && (i = t.next(at, i, Kind::kRelation, &tag)) != kNone;) {
    const Node& n = t.nodes[i];
    const std::string_view value = trim(t.value_of(n));
    if (value.substr(0, 8) == "https://"sv) continue;  // a KDC proxy: get_proxies()
    Result<KdcAddress> address = KdcAddress::parse(value, default_port);
    if (!address) return error_at(t, n, tag, address.error().detail());
    out.push_back(std::move(*address));
  }
  return out;
}

// The `tag` relations of "[realms] realm = { ... }" that are MS-KKDCP proxy URLs. The scheme
// compares exactly, as MIT's does; the URL must name a host.
Result<std::vector<std::string_view>> get_proxies(const ConfigTable& t, std::string_view realm,
                                                  std::string_view tag) {
  std::vector<std::string_view> out;
  const std::string_view path[] = {"realms"sv, realm};
  const std::uint32_t at = t.subsection(path);
  for (std::uint32_t i = at; at != kNone && (i = t.next(at, i, Kind::kRelation, &tag)) != kNone;) {
    const Node& n = t.nodes[i];
    const std::string_view value = trim(t.value_of(n));
    if (value.substr(0, 8) != "https://"sv) continue;
    const std::string_view rest = value.substr(8);
    if (rest.empty() || rest.front() == '/' || rest.front() == ':') {
      return error_at(t, n, tag, "a KDC proxy URL names no host");
    }
    out.push_back(value);
  }
  return out;
}

}  // namespace

// --- Config ---------------------------------------------------------------------------------

Config::Config() noexcept = default;
Config::Config(std::unique_ptr<ConfigTable> table) noexcept : table_(std::move(table)) {}
Config::~Config() = default;
Config::Config(Config&& other) noexcept = default;
Config& Config::operator=(Config&& other) noexcept = default;

// A copy owns its own table, so its views point into the copy.
Config::Config(const Config& other)
    : table_(other.table_ ? std::make_unique<ConfigTable>(*other.table_) : nullptr) {}

Config& Config::operator=(const Config& other) {
  if (this != &other) *this = Config(other);
  return *this;
}

const ConfigTable& Config::table() const noexcept {
  return table_ ? *table_ : empty_table();
}

bool Config::empty() const noexcept {
  return table().next(0, 0, Kind::kSubsection, nullptr) == kNone;
}

std::optional<std::string_view> Config::get(std::span<const std::string_view> path) const {
  const Node* n = table().first(path);
  if (n == nullptr) return std::nullopt;
  return table().value_of(*n);
}

std::vector<std::string_view> Config::get_all(std::span<const std::string_view> path) const {
  if (path.empty()) return {};
  const ConfigTable& t = table();
  return t.collect(t.subsection(path.first(path.size() - 1)), Kind::kRelation, &path.back());
}

std::vector<std::string_view> Config::subsection_names(
    std::span<const std::string_view> path) const {
  const ConfigTable& t = table();
  return t.collect(t.subsection(path), Kind::kSubsection, nullptr);
}

std::vector<std::string_view> Config::tag_names(std::span<const std::string_view> path) const {
  const ConfigTable& t = table();
  const std::uint32_t at = t.subsection(path);
  std::vector<std::string_view> out;
  for (std::uint32_t i = at;
       at != kNone && (i = t.next(at, i, Kind::kRelation, nullptr)) != kNone;) {
    const std::string_view name = t.name_of(t.nodes[i]);
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

std::optional<std::string_view> Config::default_realm() const {
  return get({"libdefaults"sv, "default_realm"sv});
}

Result<bool> Config::dns_lookup_kdc() const {
  return get_flag(table(), "dns_lookup_kdc"sv, {}, Syntax::kBoolean, false);
}

Result<std::size_t> Config::udp_preference_limit() const {
  KERB_TRY(const std::int64_t limit, get_value(table(), "udp_preference_limit"sv, {},
                                               Syntax::kCount, kDefaultUdpPreferenceLimit));
  return std::min(static_cast<std::size_t>(limit), kMaxUdpPreferenceLimit);
}

Result<std::int64_t> Config::clockskew() const {
  return get_value(table(), "clockskew"sv, {}, Syntax::kDuration, 300);
}

Result<std::int64_t> Config::ticket_lifetime(std::string_view realm) const {
  return get_value(table(), "ticket_lifetime"sv, realm, Syntax::kDuration, 86400);
}

Result<std::int64_t> Config::renew_lifetime(std::string_view realm) const {
  return get_value(table(), "renew_lifetime"sv, realm, Syntax::kDuration, 0);
}

Result<bool> Config::forwardable(std::string_view realm) const {
  return get_flag(table(), "forwardable"sv, realm, Syntax::kBoolean, false);
}

Result<bool> Config::allow_weak_crypto() const {
  return get_flag(table(), "allow_weak_crypto"sv, {}, Syntax::kBoolean, false);
}

Result<bool> Config::kdc_timesync() const {
  return get_flag(table(), "kdc_timesync"sv, {}, Syntax::kInteger, 1);
}

Result<std::vector<crypto::EncType>> Config::permitted_enctypes() const {
  return get_enctypes(*this, table(), "permitted_enctypes"sv);
}
Result<std::vector<crypto::EncType>> Config::default_tkt_enctypes() const {
  return get_enctypes(*this, table(), "default_tkt_enctypes"sv);
}
Result<std::vector<crypto::EncType>> Config::default_tgs_enctypes() const {
  return get_enctypes(*this, table(), "default_tgs_enctypes"sv);
}

Result<std::vector<KdcAddress>> Config::kdcs(std::string_view realm) const {
  return get_addresses(table(), realm, "kdc"sv, KdcAddress::kKdcPort);
}

Result<std::vector<KdcAddress>> Config::admin_servers(std::string_view realm) const {
  return get_addresses(table(), realm, "admin_server"sv, KdcAddress::kAdminPort);
}

Result<std::vector<KdcAddress>> Config::kpasswd_servers(std::string_view realm) const {
  KERB_TRY(std::vector<KdcAddress> servers,
           get_addresses(table(), realm, "kpasswd_server"sv, KdcAddress::kKpasswdPort));
  if (!servers.empty()) return servers;
  // Proxy URLs are kpasswd servers too: MIT tries admin_server only when there is none at all.
  KERB_TRY(const std::vector<std::string_view> proxies, kpasswd_proxies(realm));
  if (!proxies.empty()) return servers;
  KERB_TRY(servers, admin_servers(realm));
  for (KdcAddress& a : servers)
    a.port = KdcAddress::kKpasswdPort;
  return servers;
}

Result<std::vector<std::string_view>> Config::kdc_proxies(std::string_view realm) const {
  return get_proxies(table(), realm, "kdc"sv);
}

Result<std::vector<std::string_view>> Config::kpasswd_proxies(std::string_view realm) const {
  return get_proxies(table(), realm, "kpasswd_server"sv);
}

std::vector<std::string_view> Config::http_anchors(std::string_view realm) const {
  std::vector<std::string_view> out = get_all({"realms"sv, realm, "http_anchors"sv});
  for (std::string_view& v : out)
    v = trim(v);
  return out;
}

std::optional<std::string_view> Config::realm_for_host(std::string_view host) const {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return std::nullopt;
  const ConfigTable& t = table();
  const std::string_view section[] = {"domain_realm"sv};
  const std::uint32_t at = t.subsection(section);
  if (at == kNone) return std::nullopt;
  // The first entry named `name`, case-insensitively.
  auto lookup = [&t, at](std::string_view name) -> const Node* {
    for (std::uint32_t i = at; (i = t.next(at, i, Kind::kRelation, nullptr)) != kNone;) {
      if (iequals(t.name_of(t.nodes[i]), name)) return &t.nodes[i];
    }
    return nullptr;
  };
  // The host itself, then ".b.c", ".c" for "a.b.c": the first hit is the longest suffix.
  if (const Node* n = lookup(host)) return t.value_of(*n);
  for (std::size_t dot = host.find('.'); dot != std::string_view::npos;
       dot = host.find('.', dot + 1)) {
    if (const Node* n = lookup(host.substr(dot))) return t.value_of(*n);
  }
  return std::nullopt;
}

Result<std::optional<std::vector<std::string_view>>> Config::capaths(
    std::string_view client_realm, std::string_view server_realm) const {
  const ConfigTable& t = table();
  const std::string_view path[] = {"capaths"sv, client_realm};
  const std::uint32_t at = t.subsection(path);
  std::optional<std::vector<std::string_view>> out;
  bool direct = false;
  for (std::uint32_t i = at;
       at != kNone && (i = t.next(at, i, Kind::kRelation, &server_realm)) != kNone;) {
    const Node& n = t.nodes[i];
    const std::string_view value = trim(t.value_of(n));
    if (value.empty()) return error_at(t, n, server_realm, "an empty intermediate realm"sv);
    if (!out) out.emplace();
    if (value == "."sv) {
      direct = true;
    } else {
      out->push_back(value);
    }
    if (direct && !out->empty()) {
      return error_at(t, n, server_realm, "\".\" (direct) together with intermediate realms"sv);
    }
  }
  return out;
}

}  // namespace kerb
