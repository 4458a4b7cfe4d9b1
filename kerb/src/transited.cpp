#include <kerb/transited.hpp>

#include <kerb/config.hpp>
#include <kerb/constants.hpp>

#include <optional>
#include <utility>

namespace kerb {

namespace {

constexpr ErrorCategory kProtocol = ErrorCategory::kProtocol;
constexpr std::int32_t kPathNotAccepted = error_code::kKrbApPathNotAccepted;

// printf's "%.*s" arguments.
int len(std::string_view s) noexcept {
  return static_cast<int>(s.size());
}

Error malformed(const char* what) {
  return Error::format(kProtocol, kPathNotAccepted, "the transited field is malformed: %s", what);
}

// One comma-separated subfield, unquoted, with its compression marks.
struct Field {
  std::string name;
  bool null = true;      // nothing between the commas
  bool append = false;   // unquoted leading "/": appended to the previous realm
  bool prepend = false;  // unquoted trailing ".": prepended to the previous realm
};

Result<std::vector<Field>> split_fields(std::string_view contents) {
  std::vector<Field> fields(1);
  bool leading_space = false;
  std::size_t tokens = 0;  // characters (a quoted pair counts once) in the current field
  for (std::size_t i = 0; i < contents.size(); ++i) {
    Field& f = fields.back();
    char ch = contents[i];
    const bool quoted = ch == '\\';
    if (quoted) {
      if (i + 1 == contents.size()) return malformed("it ends in an unpaired '\\'");
      ch = contents[++i];
    } else if (ch == ',') {
      if (leading_space && tokens == 1) return malformed("a subfield is a lone space");
      if (fields.size() == kMaxTransitedRealms) return malformed("it names too many realms");
      fields.emplace_back();
      leading_space = false;
      tokens = 0;
      continue;
    }
    f.null = false;
    if (!quoted && tokens == 0 && ch == ' ') {
      leading_space = true;  // RFC 4120 §3.3.3.2: a "/" name standing by itself
      tokens = 1;
      continue;
    }
    if (leading_space && tokens == 1 && (quoted || ch != '/')) {
      return malformed("an unquoted leading space not followed by '/'");
    }
    if (!quoted && tokens == 0 && ch == '/') f.append = true;
    f.prepend = !quoted && ch == '.';
    f.name.push_back(ch);
    ++tokens;
    if (f.name.size() > kMaxTransitedRealmSize) return malformed("a realm name is too long");
  }
  if (leading_space && tokens == 1) return malformed("a subfield is a lone space");
  return fields;
}

// A realm's components, root first: "ATHENA.MIT.EDU" is EDU, MIT, ATHENA; "/COM/HP" is COM, HP.
bool components(std::string_view realm, std::vector<std::string_view>& out) {
  const bool x500 = !realm.empty() && realm.front() == '/';
  const char separator = x500 ? '/' : '.';
  if (x500) realm.remove_prefix(1);
  out.clear();
  for (;;) {
    const std::size_t at = realm.find(separator);
    const std::string_view part = realm.substr(0, at);
    if (part.empty()) return false;
    out.push_back(part);
    if (at == std::string_view::npos) break;
    realm.remove_prefix(at + 1);
  }
  if (!x500) {
    for (std::size_t i = 0, j = out.size() - 1; i < j; ++i, --j)
      std::swap(out[i], out[j]);
  }
  return true;
}

std::string ancestor(const std::vector<std::string_view>& parts, std::size_t depth, bool x500) {
  std::string out;
  for (std::size_t i = 0; i < depth; ++i) {
    const std::string_view part = x500 ? parts[i] : parts[depth - 1 - i];
    if (x500) {
      out.push_back('/');
    } else if (i != 0) {
      out.push_back('.');
    }
    out.append(part);
  }
  return out;
}

// The realms strictly between `from` and `to` on the hierarchical path through their nearest
// common ancestor (what a null subfield stands for).
Result<void> append_path(std::string_view from, std::string_view to,
                         std::vector<std::string>& out) {
  const bool x500 = !from.empty() && from.front() == '/';
  std::vector<std::string_view> a, b;
  if (x500 != (!to.empty() && to.front() == '/') || !components(from, a) || !components(to, b)) {
    return Error::format(kProtocol, kPathNotAccepted,
                         "the transited field's null subfield joins %.*s and %.*s, which are not "
                         "in one hierarchy",
                         len(from), from.data(), len(to), to.data());
  }
  std::size_t common = 0;
  while (common < a.size() && common < b.size() && a[common] == b[common])
    ++common;
  if (common == 0) {
    return Error::format(kProtocol, kPathNotAccepted,
                         "the transited field's null subfield joins %.*s and %.*s, which have no "
                         "common ancestor",
                         len(from), from.data(), len(to), to.data());
  }
  auto add = [&](std::string realm) -> Result<void> {
    if (realm == from || realm == to) return ok();
    if (out.size() == kMaxTransitedRealms) return malformed("it names too many realms");
    out.push_back(std::move(realm));
    return ok();
  };
  for (std::size_t depth = a.size(); depth-- > common;)
    KERB_TRY_VOID(add(ancestor(a, depth, x500)));
  for (std::size_t depth = common + 1; depth < b.size(); ++depth)
    KERB_TRY_VOID(add(ancestor(b, depth, x500)));
  return ok();
}

}  // namespace

Result<std::vector<std::string>> decode_transited(std::string_view contents,
                                                  std::string_view client_realm,
                                                  std::string_view server_realm) {
  std::vector<std::string> out;
  if (contents.empty()) return out;
  if (contents.size() > kMaxTransitedSize) return malformed("it is longer than 4096 octets");
  KERB_TRY(std::vector<Field> fields, split_fields(contents));

  // Compression first: each named realm in full. Null subfields stay as nullopt marks,
  // consecutive ones merged (they stand for the same path).
  std::vector<std::optional<std::string>> items;
  std::optional<std::string> previous;  // the last realm named; "" before the first for "/"
  for (Field& f : fields) {
    if (f.null) {
      if (items.empty() || items.back()) items.emplace_back();
      continue;
    }
    if (f.append && f.prepend) return malformed("a subfield both starts with '/' and ends in '.'");
    std::string realm;
    if (f.append) {
      if (f.name == "/") return malformed("a subfield is a lone '/'");
      realm = previous.value_or(std::string()) + f.name;
    } else if (f.prepend) {
      if (f.name == ".") return malformed("a subfield is a lone '.'");
      if (!previous) return malformed("a name ending in '.' has no previous realm to complete");
      realm = f.name + *previous;
    } else {
      realm = std::move(f.name);
    }
    if (realm.size() > kMaxTransitedRealmSize) return malformed("a realm name is too long");
    previous = realm;
    items.emplace_back(std::move(realm));
  }

  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i]) {
      if (out.size() == kMaxTransitedRealms) return malformed("it names too many realms");
      out.push_back(*items[i]);
      continue;
    }
    const std::string_view from = i == 0 ? client_realm : std::string_view(*items[i - 1]);
    const std::string_view to =
        i + 1 == items.size() ? server_realm : std::string_view(*items[i + 1]);
    KERB_TRY_VOID(append_path(from, to, out));
  }
  return out;
}

void TransitPolicy::trust(std::string_view client_realm, std::string_view server_realm,
                          std::vector<std::string> intermediates) {
  for (Entry& e : entries_) {
    if (e.client_realm == client_realm && e.server_realm == server_realm) {
      e.intermediates = std::move(intermediates);
      return;
    }
  }
  entries_.push_back(
      Entry{std::string(client_realm), std::string(server_realm), std::move(intermediates)});
}

void TransitPolicy::merge(const TransitPolicy& other) {
  for (const Entry& e : other.entries_)
    trust(e.client_realm, e.server_realm, e.intermediates);
}

Result<TransitPolicy> TransitPolicy::from_config(const Config& config,
                                                 std::string_view service_realm) {
  TransitPolicy policy;
  for (const std::string_view client_realm : config.subsection_names({"capaths"})) {
    KERB_TRY(std::optional<std::vector<std::string_view>> path,
             config.capaths(client_realm, service_realm));
    if (!path) continue;
    policy.trust(client_realm, service_realm, std::vector<std::string>(path->begin(), path->end()));
  }
  return policy;
}

Result<void> TransitPolicy::check(std::string_view client_realm, std::string_view server_realm,
                                  const TransitedEncoding& transited,
                                  std::uint32_t ticket_flags) const {
  const std::string_view contents(reinterpret_cast<const char*>(transited.contents.data()),
                                  transited.contents.size());
  // An empty field names no realm whatever its type; a KDC that wrote another type is not
  // refused for it.
  if (transited.tr_type != transited_type::kDomainX500Compress && !contents.empty()) {
    return Error::format(ErrorCategory::kProtocol, error_code::kKdcErrTrtypeNosupp,
                         "the ticket's transited encoding is of type %d, not DOMAIN-X500-COMPRESS",
                         static_cast<int>(transited.tr_type));
  }
  // RFC 4120 §3.3.3.2: neither endpoint is listed, so a local client's ticket transited nothing.
  if (client_realm == server_realm) {
    if (contents.empty()) return ok();
    return Error::format(kProtocol, kPathNotAccepted,
                         "a ticket of a client of the service's own realm %.*s names transited "
                         "realms",
                         len(server_realm), server_realm.data());
  }
  const Entry* entry = nullptr;
  for (const Entry& e : entries_) {
    if (e.client_realm == client_realm && e.server_realm == server_realm) entry = &e;
  }
  if (entry == nullptr) {
    return Error::format(kProtocol, kPathNotAccepted,
                         "clients of realm %.*s are not trusted at services of %.*s (no capaths "
                         "entry)",
                         len(client_realm), client_realm.data(), len(server_realm),
                         server_realm.data());
  }
  if (trust_kdc_check && (ticket_flags & ticket_flags::kTransitedPolicyChecked) != 0) return ok();
  KERB_TRY(std::vector<std::string> realms, decode_transited(contents, client_realm, server_realm));
  for (const std::string& realm : realms) {
    bool allowed = false;
    for (const std::string& r : entry->intermediates)
      allowed = allowed || r == realm;
    if (!allowed) {
      return Error::format(kProtocol, kPathNotAccepted,
                           "the ticket transited %.*s, which is not on the path trusted from %.*s "
                           "to %.*s",
                           len(realm), realm.data(), len(client_realm), client_realm.data(),
                           len(server_realm), server_realm.data());
    }
  }
  return ok();
}

}  // namespace kerb
