// krb5.conf: MIT's profile syntax and the settings a Kerberos client reads from it.
//
// Syntax (MIT krb5.conf(5)):
//   # comment                      ('#' or ';' first on the line, after optional whitespace)
//   [libdefaults]                  a section; "[name]*" marks it final
//       default_realm = KERB.TEST  a relation; a tag may repeat (kdc lines), order is kept
//       tag = "a \"quoted\" value" quoted values take \n \t \b \\ \" escapes
//   [realms]
//       KERB.TEST = {              a subsection ("tag* = {" or "}*" marks it final); nests
//           kdc = kdc1.bank.test:88
//       }
//   include /etc/krb5.d/extra.conf   at the start of a line, outside any '{' block
//   includedir /etc/krb5.conf.d      files named only [A-Za-z0-9_-], or "*.conf" not
//                                    starting with '.', in byte order; others are skipped
//   module ...                       accepted and ignored (kerb loads no plugins)
//
// A final mark freezes a path: once "[s]*", "s = {...}*", "tag* = {" or "tag* = value" has
// been read, later nodes with the same path -- later in the file, in an included file, or in
// a later file of KRB5_CONFIG -- are ignored (still syntax-checked). Without final marks,
// repeated sections and subsections merge and repeated relations accumulate in reading order;
// single-valued getters take the first value, as MIT does.
//
// Text is untrusted: every load is bounded by ConfigLimits and never crashes on bad input.
// Errors are kConfig and name the file and line: "krb5.conf:12: missing '=' after tag".
//
// A build with KERB_WITH_KRB5_CONF=OFF (<kerb/features.hpp>) reads no krb5.conf: the loads
// below fail with kConfig, and a default Config, which every getter answers with its default,
// is the only one there is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/crypto/enctype.hpp>
#include <kerb/features.hpp>
#include <kerb/result.hpp>

namespace kerb {

namespace detail {
struct ConfigTable;  // the parsed files (kerb/src/config_table.hpp)
}  // namespace detail

// A KDC (or admin/kpasswd server) as krb5.conf names it: "host", "host:port", "[v6]",
// "[v6]:port"; a bare IPv6 literal with more than one ':' is taken as a host without a port.
struct KdcAddress {
  static constexpr std::uint16_t kKdcPort = 88;       // RFC 4120 §7.2.3
  static constexpr std::uint16_t kKpasswdPort = 464;  // RFC 3244
  static constexpr std::uint16_t kAdminPort = 749;    // MIT kadmind

  std::string host;  // a name or an IP literal, without brackets
  std::uint16_t port = kKdcPort;

  static Result<KdcAddress> parse(std::string_view text, std::uint16_t default_port = kKdcPort);
  // "host:port", or "[v6]:port" when the host holds a ':'.
  std::string to_string() const;

  friend bool operator==(const KdcAddress&, const KdcAddress&) = default;
};

// What a load may read. Defaults suit real krb5.conf files by a wide margin.
struct ConfigLimits {
  std::size_t max_file_size = 1024 * 1024;       // per file
  std::size_t max_total_size = 8 * 1024 * 1024;  // all files of one load together
  std::size_t max_files = 256;                   // top-level and included files together
  std::size_t max_include_depth = 16;  // include chains (a file including itself ends here)
  std::size_t max_nesting = 32;        // '{' blocks inside one another
  // Section headers and relations ("tag = value", "tag = {") of one load together: each takes
  // some 28 bytes of memory for as few as 4 bytes of text, so text size alone does not bound it.
  std::size_t max_entries = 65536;
  // False: include/includedir lines are errors, so parsing touches no file (fuzzing, text
  // from elsewhere).
  bool follow_includes = true;
};

class Config {
 public:
  static constexpr std::string_view kDefaultPath = "/etc/krb5.conf";
  static constexpr std::size_t kDefaultUdpPreferenceLimit = 1465;
  // MIT never prefers UDP for messages above this, whatever udp_preference_limit says.
  static constexpr std::size_t kMaxUdpPreferenceLimit = 32700;

  Config() noexcept;  // empty: every getter returns its default
  ~Config();
  Config(const Config& other);
  Config& operator=(const Config& other);
  Config(Config&& other) noexcept;
  Config& operator=(Config&& other) noexcept;

  // Reads the files KRB5_CONFIG lists (colon-separated), or kDefaultPath when it is unset;
  // ignored in setuid programs (secure_getenv), like MIT.
  static Result<Config> load_from_env(const ConfigLimits& limits = {});
  // Reads a colon-separated list of files and directories, e.g. KRB5_CONFIG's value.
  static Result<Config> load_path_list(std::string_view paths, const ConfigLimits& limits = {});
  // Reads the files in order. A missing file (ENOENT, ENOTDIR) is skipped, as MIT does, so all
  // missing gives an empty Config; an unreadable one is an error. A directory is read like
  // includedir. Included files, unlike these, must exist.
  static Result<Config> load_files(std::span<const std::string_view> paths,
                                   const ConfigLimits& limits = {});
  static Result<Config> load_files(std::initializer_list<std::string_view> paths,
                                   const ConfigLimits& limits = {}) {
    return load_files(std::span<const std::string_view>(paths.begin(), paths.size()), limits);
  }
  // Parses text; `name` stands for its file in messages. include lines are read relative to
  // the working directory.
  static Result<Config> parse(std::string_view text, std::string_view name = "krb5.conf",
                              const ConfigLimits& limits = {});

  // --- generic access. A path is section, subsection..., tag: {"realms", "KERB.TEST", "kdc"}.
  // Views stay valid while this Config lives. Tags compare exactly (case-sensitive).
  std::optional<std::string_view> get(std::span<const std::string_view> path) const;
  std::optional<std::string_view> get(std::initializer_list<std::string_view> path) const {
    return get(as_span(path));
  }
  std::vector<std::string_view> get_all(std::span<const std::string_view> path) const;
  std::vector<std::string_view> get_all(std::initializer_list<std::string_view> path) const {
    return get_all(as_span(path));
  }
  // Names of the subsections at `path` (e.g. {"realms"}), each once, in reading order.
  std::vector<std::string_view> subsection_names(std::span<const std::string_view> path) const;
  std::vector<std::string_view> subsection_names(
      std::initializer_list<std::string_view> path) const {
    return subsection_names(as_span(path));
  }
  // Names of the relations (tags) at `path` (e.g. {"capaths", "A.TEST"}), each once.
  std::vector<std::string_view> tag_names(std::span<const std::string_view> path) const;
  std::vector<std::string_view> tag_names(std::initializer_list<std::string_view> path) const {
    return tag_names(as_span(path));
  }
  bool empty() const noexcept;  // no section at all

  // --- [libdefaults]. Getters that take a realm look in "[libdefaults] REALM = { ... }"
  // first, as MIT does for per-realm defaults. Malformed values are errors naming file:line.
  std::optional<std::string_view> default_realm() const;
  // Parsed for completeness; kerb never queries DNS, whatever this says.
  Result<bool> dns_lookup_kdc() const;
  // Requests smaller than this go over UDP first (default 1465, at most 32700).
  Result<std::size_t> udp_preference_limit() const;
  Result<std::int64_t> clockskew() const;                                   // seconds, 300
  Result<std::int64_t> ticket_lifetime(std::string_view realm = {}) const;  // seconds, 1 day
  Result<std::int64_t> renew_lifetime(std::string_view realm = {}) const;   // seconds, 0
  Result<bool> forwardable(std::string_view realm = {}) const;              // false
  Result<bool> allow_weak_crypto() const;                                   // false
  Result<bool> kdc_timesync() const;  // an integer, nonzero = on; default 1
  // Enctypes (RFC 3961 §8 registry), possibly ones this kerb does not implement (a number, or
  // a weak one with allow_weak_crypto). permitted_enctypes defaults to DEFAULT; the two
  // default_*_enctypes default to permitted_enctypes (MIT 1.18+).
  Result<std::vector<crypto::EncType>> permitted_enctypes() const;
  Result<std::vector<crypto::EncType>> default_tkt_enctypes() const;
  Result<std::vector<crypto::EncType>> default_tgs_enctypes() const;

  // --- [realms] and [domain_realm].
  std::vector<std::string_view> realms() const { return subsection_names({"realms"}); }
  // "kdc" entries in order, default port 88. KDC proxy entries ("https://...") are not
  // addresses: kdc_proxies() returns them.
  Result<std::vector<KdcAddress>> kdcs(std::string_view realm) const;
  Result<std::vector<KdcAddress>> admin_servers(std::string_view realm) const;  // port 749
  // "kpasswd_server" (port 464), else port 464 on each admin_server host (MIT's fallback,
  // which a realm whose kpasswd_server entries are all proxy URLs does not take: none then).
  Result<std::vector<KdcAddress>> kpasswd_servers(std::string_view realm) const;
  // MS-KKDCP: the "kdc" (or "kpasswd_server") entries that are HTTPS KDC proxy URLs,
  // "https://host[:port][/path]", in order, as written. A URL without a host is an error
  // naming file:line. The kerb::https component carries messages to them.
  Result<std::vector<std::string_view>> kdc_proxies(std::string_view realm) const;
  Result<std::vector<std::string_view>> kpasswd_proxies(std::string_view realm) const;
  // "http_anchors" of the realm, in order: the CAs trusted for its proxies' certificates
  // ("FILE:/path", "DIR:/path", "ENV:NAME"; none = the system's store). MIT reads this tag in
  // [realms] only, so [libdefaults] is not consulted.
  std::vector<std::string_view> http_anchors(std::string_view realm) const;
  // [domain_realm]: the exact host, then the longest ".suffix" entry; host names compare
  // case-insensitively and a trailing '.' is ignored. nullopt when nothing matches (the caller
  // decides: referrals, default_realm).
  std::optional<std::string_view> realm_for_host(std::string_view host) const;

  // --- [capaths] (MIT krb5.conf(5)): "CLIENT.REALM = { SERVER.REALM = INTERMEDIATE ... }".
  // The realms a path from `client_realm` to `server_realm` may pass through, one per value
  // in order; empty for ".", a direct trust; nullopt when there is no entry. An empty value, or
  // "." together with realms, is an error naming file:line.
  Result<std::optional<std::vector<std::string_view>>> capaths(std::string_view client_realm,
                                                               std::string_view server_realm) const;

 private:
  explicit Config(std::unique_ptr<detail::ConfigTable> table) noexcept;
  static std::span<const std::string_view> as_span(std::initializer_list<std::string_view> p) {
    return {p.begin(), p.size()};
  }
  const detail::ConfigTable& table() const noexcept;

  std::unique_ptr<detail::ConfigTable> table_;  // null: empty
};

// --- value syntaxes (also used by the getters; errors are kConfig without a location) -------

// MIT booleans, case-insensitive: y yes true t 1 on / n no false nil 0 off.
Result<bool> parse_config_boolean(std::string_view text);
// MIT durations (krb5_string_to_deltat): "300" (seconds), "5m", "1h 30m", "1d", "2d 4h",
// "8h30s", "36:00" (h:m), "1:30:15" (h:m:s), "1d 10:00"; an optional leading '-'. At most
// 2^31-1 seconds either way.
Result<std::int64_t> parse_duration(std::string_view text);
// A decimal integer in int32 range (optional sign, surrounding whitespace allowed).
Result<std::int32_t> parse_config_integer(std::string_view text);
// An enctype list: names, families (aes, camellia, rc4, des3, des), DEFAULT and numbers,
// separated by whitespace or commas, case-insensitive; "-name" removes, "+name" adds. Names and
// families are crypto's (enctype_from_name, enctype_family). Unknown names are skipped (MIT
// does the same, so a krb5.conf shared with MIT still works), and so are camellia and rc4-hmac
// names in a build without them; a list that ends up empty is an error. Each enctype appears
// once, first position wins. Numbers are taken as they are.
Result<std::vector<crypto::EncType>> parse_enctype_list(std::string_view text);

}  // namespace kerb
