// krb5.conf reader: MIT profile syntax (krb5.conf(5)) into a small tree, and typed getters.
#include <kerb/config.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <set>

namespace kerb {
namespace {

// A file name longer than this is shown as "..." and its tail, so that file:line and the
// message fit in an Error's detail.
constexpr std::size_t kShownNameLength = 40;
// Text quoted back in value errors is cut to this many characters.
constexpr int kShownValueLength = 32;
constexpr std::int64_t kMaxDuration = INT32_MAX;  // MIT's deltat is a 32-bit signed count

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
char to_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}
std::string_view ltrim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  return s;
}
std::string_view trim(std::string_view s) noexcept {
  s = ltrim(s);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}
int shown(std::string_view s) noexcept {
  return static_cast<int>(std::min<std::size_t>(s.size(), kShownValueLength));
}

// "file:line: what" (line 0: "file: what"), kConfig.
[[gnu::format(printf, 3, 4)]] Error located(std::string_view file, std::size_t line,
                                            const char* fmt, ...) {
  char what[Error::kDetailCapacity];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(what, sizeof what, fmt, args);
  va_end(args);
  const bool cut = file.size() > kShownNameLength;
  if (cut) file = file.substr(file.size() - kShownNameLength);
  const int n = static_cast<int>(file.size());
  if (line == 0) {
    return Error::format(ErrorCategory::kConfig, 0, "%s%.*s: %s", cut ? "..." : "", n, file.data(),
                         what);
  }
  return Error::format(ErrorCategory::kConfig, 0, "%s%.*s:%zu: %s", cut ? "..." : "", n,
                       file.data(), line, what);
}

Error bad_value(const char* what, std::string_view text) {
  return Error::format(ErrorCategory::kConfig, 0, "bad %s '%.*s'", what, shown(text), text.data());
}

// Reads at most `max` bytes of a regular file. Returns 0 or an errno value (EFBIG: too large,
// EINVAL: not a regular file).
int read_whole_file(const std::string& path, std::size_t max, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return errno;
  int result = 0;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    result = errno;
  } else if (S_ISDIR(st.st_mode)) {
    result = EISDIR;
  } else if (!S_ISREG(st.st_mode)) {
    result = EINVAL;  // a FIFO or device could block or never end
  } else if (static_cast<std::uint64_t>(st.st_size) > max) {
    result = EFBIG;
  } else {
    out.clear();
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        result = errno;
        break;
      }
      if (n == 0) break;
      if (out.size() + static_cast<std::size_t>(n) > max) {  // grew since fstat
        result = EFBIG;
        break;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return result;
}

const char* describe_errno(int e) {
  if (e == EFBIG) return "file too large";
  if (e == EINVAL) return "not a regular file";
  return std::strerror(e);
}

// includedir and KRB5_CONFIG directories: names of only [A-Za-z0-9_-], or ending in ".conf"
// without a leading '.' (MIT 1.15+); anything else (editor backups, .rpmsave) is skipped.
bool is_included_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  if (name.size() > 5 && name.substr(name.size() - 5) == ".conf" && name[0] != '.') return true;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '_';
  });
}

bool starts_with_word(std::string_view line, std::string_view word) noexcept {
  return line.size() > word.size() && line.substr(0, word.size()) == word &&
         is_space(line[word.size()]);
}

// --- enctypes (IANA "Kerberos Encryption Type Numbers", RFC 3961 §8) ------------------------

struct EnctypeName {
  std::string_view name;
  std::int32_t number;
};
// MIT's names and aliases.
constexpr std::array kEnctypeNames = {
    EnctypeName{"des-cbc-crc", 1},
    EnctypeName{"des-cbc-md4", 2},
    EnctypeName{"des-cbc-md5", 3},
    EnctypeName{"des", 3},
    EnctypeName{"des-cbc-raw", 4},
    EnctypeName{"des3-cbc-raw", 6},
    EnctypeName{"des-hmac-sha1", 8},
    EnctypeName{"des3-cbc-sha1", 16},
    EnctypeName{"des3-hmac-sha1", 16},
    EnctypeName{"des3-cbc-sha1-kd", 16},
    EnctypeName{"aes128-cts-hmac-sha1-96", 17},
    EnctypeName{"aes128-cts", 17},
    EnctypeName{"aes128-sha1", 17},
    EnctypeName{"aes256-cts-hmac-sha1-96", 18},
    EnctypeName{"aes256-cts", 18},
    EnctypeName{"aes256-sha1", 18},
    EnctypeName{"aes128-cts-hmac-sha256-128", 19},
    EnctypeName{"aes128-sha2", 19},
    EnctypeName{"aes256-cts-hmac-sha384-192", 20},
    EnctypeName{"aes256-sha2", 20},
    EnctypeName{"arcfour-hmac", 23},
    EnctypeName{"rc4-hmac", 23},
    EnctypeName{"arcfour-hmac-md5", 23},
    EnctypeName{"arcfour-hmac-exp", 24},
    EnctypeName{"rc4-hmac-exp", 24},
    EnctypeName{"arcfour-hmac-md5-exp", 24},
    EnctypeName{"camellia128-cts-cmac", 25},
    EnctypeName{"camellia128-cts", 25},
    EnctypeName{"camellia256-cts-cmac", 26},
    EnctypeName{"camellia256-cts", 26},
};

constexpr std::int32_t kDefaultEnctypes[] = {18, 17, 20, 19, 26, 25};
constexpr std::int32_t kAesFamily[] = {18, 17, 20, 19};
constexpr std::int32_t kCamelliaFamily[] = {26, 25};
constexpr std::int32_t kRc4Family[] = {23};
constexpr std::int32_t kDes3Family[] = {16};
constexpr std::int32_t kDesFamily[] = {1, 3, 2};
// MIT's "weak" enctypes, dropped from the lists unless allow_weak_crypto is set.
constexpr std::int32_t kWeakEnctypes[] = {1, 2, 3, 4, 6, 8, 24};

std::span<const std::int32_t> enctype_family(std::string_view name) noexcept {
  if (iequals(name, "DEFAULT")) return kDefaultEnctypes;
  if (iequals(name, "aes")) return kAesFamily;
  if (iequals(name, "camellia")) return kCamelliaFamily;
  if (iequals(name, "rc4")) return kRc4Family;
  if (iequals(name, "des3")) return kDes3Family;
  if (iequals(name, "des")) return kDesFamily;
  return {};
}

bool is_weak_enctype(std::int32_t e) noexcept {
  return std::find(std::begin(kWeakEnctypes), std::end(kWeakEnctypes), e) !=
         std::end(kWeakEnctypes);
}

// --- durations ----------------------------------------------------------------------------

struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool done() const noexcept { return i == s.size(); }
  char peek() const noexcept { return s[i]; }
  void skip_space() noexcept {
    while (!done() && is_space(s[i]))
      ++i;
  }
  // Decimal digits up to kMaxDuration; false when absent or too large.
  bool number(std::int64_t& value, std::size_t max_digits = 10) noexcept {
    const std::size_t start = i;
    value = 0;
    while (!done() && is_digit(s[i])) {
      value = value * 10 + (s[i] - '0');
      if (value > kMaxDuration || i - start >= max_digits) return false;
      ++i;
    }
    return i > start;
  }
};

}  // namespace

// --- value syntaxes -------------------------------------------------------------------------

Result<bool> parse_config_boolean(std::string_view text) {
  const std::string_view t = trim(text);
  for (std::string_view yes : {"y", "yes", "true", "t", "1", "on"}) {
    if (iequals(t, yes)) return true;
  }
  for (std::string_view no : {"n", "no", "false", "nil", "0", "off"}) {
    if (iequals(t, no)) return false;
  }
  return bad_value("boolean", text);
}

Result<std::int32_t> parse_config_integer(std::string_view text) {
  const std::string_view t = trim(text);
  std::size_t i = 0;
  const bool negative = !t.empty() && t[0] == '-';
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) ++i;
  if (i == t.size()) return bad_value("integer", text);
  std::int64_t value = 0;
  for (; i < t.size(); ++i) {
    if (!is_digit(t[i])) return bad_value("integer", text);
    value = value * 10 + (t[i] - '0');
    if (value > std::int64_t{INT32_MAX} + 1) return bad_value("integer", text);
  }
  if (negative) value = -value;
  if (value > INT32_MAX) return bad_value("integer", text);
  return static_cast<std::int32_t>(value);
}

Result<std::int64_t> parse_duration(std::string_view text) {
  static constexpr std::string_view kUnits = "dhms";
  static constexpr std::int64_t kUnitSeconds[] = {86400, 3600, 60, 1};
  Cursor c{trim(text)};
  bool negative = false;
  if (!c.done() && c.peek() == '-') {
    negative = true;
    ++c.i;
    c.skip_space();
  }
  std::int64_t total = 0;
  int last_unit = -1;  // index into kUnits of the last component read
  for (;;) {
    std::int64_t n = 0;
    if (!c.number(n)) return bad_value("duration", text);
    c.skip_space();
    if (c.done()) {
      if (last_unit != -1) return bad_value("duration", text);  // "1h 30": 30 what?
      total = n;                                                // plain seconds
      break;
    }
    if (c.peek() == ':') {  // h:m[:s], alone or after days
      if (last_unit > 0) return bad_value("duration", text);
      std::int64_t minutes = 0, seconds = 0;
      ++c.i;
      if (!c.number(minutes, 2) || minutes > 59) return bad_value("duration", text);
      if (!c.done() && c.peek() == ':') {
        ++c.i;
        if (!c.number(seconds, 2) || seconds > 59) return bad_value("duration", text);
      }
      c.skip_space();
      if (!c.done()) return bad_value("duration", text);
      total += n * 3600 + minutes * 60 + seconds;
      break;
    }
    const std::size_t unit = kUnits.find(c.peek());
    if (unit == std::string_view::npos || static_cast<int>(unit) <= last_unit) {
      return bad_value("duration", text);
    }
    last_unit = static_cast<int>(unit);
    total += n * kUnitSeconds[unit];
    if (total > kMaxDuration) return bad_value("duration", text);
    ++c.i;
    c.skip_space();
    if (c.done()) break;
  }
  if (total > kMaxDuration) return bad_value("duration", text);
  return negative ? -total : total;
}

std::optional<std::int32_t> enctype_from_name(std::string_view name) {
  for (const EnctypeName& e : kEnctypeNames) {
    if (iequals(name, e.name)) return e.number;
  }
  return std::nullopt;
}

std::span<const std::int32_t> default_enctypes() noexcept {
  return kDefaultEnctypes;
}

Result<std::vector<std::int32_t>> parse_enctype_list(std::string_view text) {
  std::vector<std::int32_t> list;
  auto apply = [&list](bool remove, std::span<const std::int32_t> enctypes) {
    for (std::int32_t e : enctypes) {
      const auto at = std::find(list.begin(), list.end(), e);
      if (remove && at != list.end()) list.erase(at);
      if (!remove && at == list.end()) list.push_back(e);
    }
  };
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i]) || text[i] == ',') {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && !is_space(text[end]) && text[end] != ',')
      ++end;
    std::string_view token = text.substr(i, end - i);
    i = end;
    const bool remove = token[0] == '-';
    if (token[0] == '-' || token[0] == '+') token.remove_prefix(1);
    if (token.empty()) continue;
    if (std::all_of(token.begin(), token.end(), is_digit)) {
      const Result<std::int32_t> number = parse_config_integer(token);
      if (!number) return bad_value("enctype number", token);
      const std::int32_t one[] = {*number};
      apply(remove, one);
    } else if (const auto family = enctype_family(token); !family.empty()) {
      apply(remove, family);
    } else if (const auto number = enctype_from_name(token)) {
      const std::int32_t one[] = {*number};
      apply(remove, one);
    }
    // Unknown names are skipped, as MIT does.
  }
  if (list.empty()) {
    return Error::format(ErrorCategory::kConfig, 0, "no known enctype in '%.*s'", shown(text),
                         text.data());
  }
  return list;
}

// --- KdcAddress ---------------------------------------------------------------------------

Result<KdcAddress> KdcAddress::parse(std::string_view text, std::uint16_t default_port) {
  const std::string_view t = trim(text);
  std::string_view host = t;
  std::string_view port;
  bool has_port = false;
  if (!t.empty() && t[0] == '[') {
    const std::size_t close = t.find(']');
    if (close == std::string_view::npos) return bad_value("address (missing ']')", text);
    host = t.substr(1, close - 1);
    const std::string_view rest = t.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return bad_value("address", text);
      port = rest.substr(1);
      has_port = true;
    }
  } else if (std::count(t.begin(), t.end(), ':') == 1) {
    const std::size_t colon = t.find(':');
    host = t.substr(0, colon);
    port = t.substr(colon + 1);
    has_port = true;
  }  // else: no port, or a bare IPv6 literal
  if (host.empty() || std::any_of(host.begin(), host.end(), is_space) ||
      host.find_first_of("[]/") != std::string_view::npos) {
    return bad_value("address", text);
  }
  KdcAddress out;
  out.host = host;
  out.port = default_port;
  if (has_port) {
    std::uint32_t value = 0;
    if (port.empty() || port.size() > 5) return bad_value("port in", text);
    for (char c : port) {
      if (!is_digit(c)) return bad_value("port in", text);
      value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (value == 0 || value > 65535) return bad_value("port in", text);
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

std::string KdcAddress::to_string() const {
  std::string out;
  const bool bracket = host.find(':') != std::string::npos;
  if (bracket) out += '[';
  out += host;
  if (bracket) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

// --- parsing --------------------------------------------------------------------------------

// Builds a Config from files and text. One parser serves one load, so final marks and the
// limits span every file of it.
class ConfigParser {
 public:
  ConfigParser(Config& config, const ConfigLimits& limits) : config_(config), limits_(limits) {}

  // A top-level file: missing is fine. A directory is read like includedir.
  Result<void> read_top_level(std::string_view path) {
    std::string text;
    const std::string p(path);
    const int e = read_whole_file(p, limits_.max_file_size, text);
    if (e == ENOENT || e == ENOTDIR) return ok();
    if (e == EISDIR) return read_directory(p, 0, p, 0);
    if (e != 0) return located(path, 0, "cannot read: %s", describe_errno(e));
    return parse_file(p, text, 0);
  }

  Result<void> parse_file(std::string_view name, std::string_view text, std::size_t depth) {
    if (config_.files_.size() >= limits_.max_files) {
      return located(name, 0, "too many configuration files (limit %zu)", limits_.max_files);
    }
    total_size_ += text.size();
    if (total_size_ > limits_.max_total_size) {
      return located(name, 0, "configuration too large (limit %zu bytes)", limits_.max_total_size);
    }
    config_.files_.emplace_back(name);
    FileState state;
    state.name = name;
    state.file = static_cast<std::uint32_t>(config_.files_.size() - 1);
    state.depth = depth;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      ++state.line;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      KERB_TRY_VOID(parse_line(state, line));
    }
    if (!state.blocks.empty()) {
      return located(name, state.blocks.back().line, "missing '}' for this '{'");
    }
    return ok();
  }

 private:
  static constexpr std::uint32_t kNoSection = UINT32_MAX;    // before the first [section]
  static constexpr std::uint32_t kDiscard = UINT32_MAX - 1;  // under a path made final

  struct Block {
    std::uint32_t node;  // or kDiscard
    std::string key;     // the node's path, names joined by '\0'
    std::size_t line;    // of the '{', for "missing '}'"
  };
  struct FileState {
    std::string name;
    std::uint32_t file = 0;
    std::size_t depth = 0;
    std::size_t line = 0;
    std::uint32_t section = kNoSection;
    std::string section_key;
    std::vector<Block> blocks;  // open '{' blocks, innermost last
  };

  Error fail(const FileState& s, const char* what) const {
    return located(s.name, s.line, "%s", what);
  }

  std::uint32_t add_node(std::uint32_t parent, std::string_view name, bool subsection,
                         std::uint32_t file, std::size_t line) {
    const auto index = static_cast<std::uint32_t>(config_.nodes_.size());
    Config::Node& node = config_.nodes_.emplace_back();
    node.name = name;
    node.subsection = subsection;
    node.file = file;
    node.line = static_cast<std::uint32_t>(std::min<std::size_t>(line, UINT32_MAX));
    config_.nodes_[parent].children.push_back(index);
    return index;
  }

  // A node at `key` is ignored when its path was made final before.
  bool is_frozen(const std::string& key) const { return final_paths_.count(key) != 0; }

  Result<void> parse_line(FileState& s, std::string_view line) {
    if (line.find('\0') != std::string_view::npos) return fail(s, "NUL byte in line");
    // Directives start the line (krb5.conf(5)).
    if (starts_with_word(line, "include")) return include_file(s, trim(line.substr(7)));
    if (starts_with_word(line, "includedir")) return include_directory(s, trim(line.substr(10)));
    if (starts_with_word(line, "module")) return ok();  // plugin modules: not for kerb

    const std::string_view text = trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') return ok();
    if (text[0] == '[') return section_header(s, text);
    if (text[0] == '}') return close_block(s, text);
    return relation(s, text);
  }

  Result<void> section_header(FileState& s, std::string_view text) {
    if (!s.blocks.empty()) return fail(s, "section header inside a '{' block");
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return fail(s, "missing ']' after section name");
    const std::string_view name = text.substr(1, close - 1);
    if (name.empty()) return fail(s, "empty section name");
    std::string_view after = text.substr(close + 1);
    const bool final = !after.empty() && after[0] == '*';
    if (final) after.remove_prefix(1);
    if (!trim(after).empty()) return fail(s, "unexpected text after section header");
    s.section_key.assign(1, '\0');
    s.section_key.append(name);
    const bool frozen = is_frozen(s.section_key);
    s.section = frozen ? kDiscard : add_node(0, name, true, s.file, s.line);
    if (final && !frozen) final_paths_.insert(s.section_key);
    return ok();
  }

  Result<void> close_block(FileState& s, std::string_view text) {
    if (s.blocks.empty()) return fail(s, "'}' without a matching '{'");
    std::string_view after = text.substr(1);
    const bool final = !after.empty() && after[0] == '*';
    if (final) after.remove_prefix(1);
    if (!trim(after).empty()) return fail(s, "unexpected text after '}'");
    Block& block = s.blocks.back();
    if (final && block.node != kDiscard) final_paths_.insert(std::move(block.key));
    s.blocks.pop_back();
    return ok();
  }

  Result<void> relation(FileState& s, std::string_view text) {
    std::size_t end = 0;
    while (end < text.size() && !is_space(text[end]) && text[end] != '=')
      ++end;
    std::string_view tag = text.substr(0, end);
    const bool final = !tag.empty() && tag.back() == '*';
    if (final) tag.remove_suffix(1);
    if (tag.empty()) return fail(s, "missing tag before '='");
    std::string_view rest = ltrim(text.substr(end));
    if (rest.empty() || rest[0] != '=') return fail(s, "missing '=' after tag");
    rest = ltrim(rest.substr(1));

    if (s.section == kNoSection) return fail(s, "relation outside a section");
    const bool in_block = !s.blocks.empty();
    const std::uint32_t parent = in_block ? s.blocks.back().node : s.section;
    const std::string& parent_key = in_block ? s.blocks.back().key : s.section_key;

    if (!rest.empty() && rest[0] == '{') {
      if (!trim(rest.substr(1)).empty()) return fail(s, "unexpected text after '{'");
      if (s.blocks.size() >= limits_.max_nesting) return fail(s, "'{' blocks nested too deeply");
      std::string key = parent_key;
      key += '\0';
      key += tag;
      const bool frozen = parent == kDiscard || is_frozen(key);
      const std::uint32_t node = frozen ? kDiscard : add_node(parent, tag, true, s.file, s.line);
      if (final && !frozen) final_paths_.insert(key);
      s.blocks.push_back(Block{node, std::move(key), s.line});
      return ok();
    }

    std::string value;
    if (!rest.empty() && rest[0] == '"') {
      KERB_TRY_VOID(unquote(s, rest, value));
    } else {
      value = rest;  // already trimmed on both sides
    }
    if (parent == kDiscard) return ok();
    std::string key;
    if (final || !final_paths_.empty()) {
      key = parent_key;
      key += '\0';
      key += tag;
      if (is_frozen(key)) return ok();
    }
    const std::uint32_t node = add_node(parent, tag, false, s.file, s.line);
    config_.nodes_[node].value = std::move(value);
    if (final) final_paths_.insert(std::move(key));
    return ok();
  }

  // "..." with \n \t \b and \<char> escapes; nothing but whitespace may follow.
  Result<void> unquote(const FileState& s, std::string_view text, std::string& out) {
    std::size_t i = 1;
    for (;;) {
      if (i >= text.size()) return fail(s, "missing closing '\"'");
      const char c = text[i++];
      if (c == '"') break;
      if (c == '\\' && i < text.size()) {
        const char e = text[i++];
        out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'b' ? '\b' : e);
        continue;
      }
      out.push_back(c);
    }
    if (!trim(text.substr(i)).empty()) return fail(s, "unexpected text after quoted value");
    return ok();
  }

  Result<void> check_include(const FileState& s, std::string_view target) const {
    if (!limits_.follow_includes) return fail(s, "include directives are not allowed here");
    if (target.empty()) return fail(s, "include needs a path");
    if (!s.blocks.empty()) return fail(s, "include inside a '{' block");
    if (s.depth + 1 > limits_.max_include_depth) return fail(s, "includes nested too deeply");
    return ok();
  }

  // Included files must exist (krb5.conf(5)); each starts without a current section.
  Result<void> include_file(const FileState& s, std::string_view target) {
    KERB_TRY_VOID(check_include(s, target));
    return read_included(std::string(target), s.depth + 1, s.name, s.line);
  }

  Result<void> include_directory(const FileState& s, std::string_view target) {
    KERB_TRY_VOID(check_include(s, target));
    return read_directory(std::string(target), s.depth + 1, s.name, s.line);
  }

  Result<void> read_included(const std::string& path, std::size_t depth, std::string_view from,
                             std::size_t from_line) {
    std::string text;
    const int e = read_whole_file(path, limits_.max_file_size, text);
    if (e != 0) {
      return located(from, from_line, "cannot read '%s': %s", path.c_str(), describe_errno(e));
    }
    return parse_file(path, text, depth);
  }

  Result<void> read_directory(const std::string& dir, std::size_t depth, std::string_view from,
                              std::size_t from_line) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      return located(from, from_line, "cannot open directory '%s': %s", dir.c_str(),
                     std::strerror(errno));
    }
    std::vector<std::string> names;
    bool too_many = false;
    while (const dirent* entry = ::readdir(d)) {
      if (!is_included_name(entry->d_name)) continue;
      if (names.size() >= limits_.max_files) {
        too_many = true;
        break;
      }
      names.emplace_back(entry->d_name);
    }
    ::closedir(d);
    if (too_many) {
      return located(from, from_line, "too many files in '%s' (limit %zu)", dir.c_str(),
                     limits_.max_files);
    }
    std::sort(names.begin(), names.end());  // byte order, as MIT 1.17+
    for (const std::string& name : names) {
      const std::string path = dir + "/" + name;
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      KERB_TRY_VOID(read_included(path, depth, from, from_line));
    }
    return ok();
  }

  Config& config_;
  const ConfigLimits& limits_;
  std::set<std::string, std::less<>> final_paths_;
  std::size_t total_size_ = 0;
};

// --- Config ---------------------------------------------------------------------------------

Config::Config() {
  nodes_.emplace_back().subsection = true;
}

Result<Config> Config::parse(std::string_view text, std::string_view name,
                             const ConfigLimits& limits) {
  Config config;
  if (text.size() > limits.max_file_size) {
    return located(name, 0, "file too large (limit %zu bytes)", limits.max_file_size);
  }
  ConfigParser parser(config, limits);
  KERB_TRY_VOID(parser.parse_file(name, text, 0));
  return config;
}

Result<Config> Config::load_files(std::span<const std::string_view> paths,
                                  const ConfigLimits& limits) {
  Config config;
  ConfigParser parser(config, limits);
  for (std::string_view path : paths) {
    if (path.empty()) continue;
    KERB_TRY_VOID(parser.read_top_level(path));
  }
  return config;
}

Result<Config> Config::load_path_list(std::string_view paths, const ConfigLimits& limits) {
  std::vector<std::string_view> list;
  while (!paths.empty()) {
    const std::size_t colon = paths.find(':');
    list.push_back(paths.substr(0, colon));
    if (colon == std::string_view::npos) break;
    paths.remove_prefix(colon + 1);
  }
  return load_files(list, limits);
}

Result<Config> Config::load_from_env(const ConfigLimits& limits) {
#if defined(__GLIBC__)
  const char* env = ::secure_getenv("KRB5_CONFIG");
#else
  const char* env = std::getenv("KRB5_CONFIG");
#endif
  if (env == nullptr) return load_files({kDefaultPath}, limits);
  return load_path_list(env, limits);
}

std::vector<const Config::Node*> Config::children_at(std::span<const std::string_view> path,
                                                     bool subsections,
                                                     std::optional<std::string_view> name) const {
  std::vector<std::uint32_t> level{0};
  std::vector<std::uint32_t> next;
  for (std::string_view step : path) {
    next.clear();
    for (std::uint32_t n : level) {
      for (std::uint32_t c : nodes_[n].children) {
        if (nodes_[c].subsection && nodes_[c].name == step) next.push_back(c);
      }
    }
    level.swap(next);
  }
  std::vector<const Node*> out;
  for (std::uint32_t n : level) {
    for (std::uint32_t c : nodes_[n].children) {
      const Node& child = nodes_[c];
      if (child.subsection == subsections && (!name || child.name == *name)) out.push_back(&child);
    }
  }
  // Nodes sit in reading order; repeated sections may interleave (an include in between).
  std::sort(out.begin(), out.end(), std::less<>());
  return out;
}

std::vector<const Config::Node*> Config::find(std::span<const std::string_view> path) const {
  if (path.empty()) return {};
  return children_at(path.first(path.size() - 1), false, path.back());
}

const Config::Node* Config::find_first(std::span<const std::string_view> path) const {
  const std::vector<const Node*> all = find(path);
  return all.empty() ? nullptr : all.front();
}

std::optional<std::string_view> Config::get(std::span<const std::string_view> path) const {
  const Node* n = find_first(path);
  if (n == nullptr) return std::nullopt;
  return std::string_view(n->value);
}

std::vector<std::string_view> Config::get_all(std::span<const std::string_view> path) const {
  std::vector<std::string_view> out;
  for (const Node* n : find(path))
    out.emplace_back(n->value);
  return out;
}

std::vector<std::string_view> Config::subsection_names(
    std::span<const std::string_view> path) const {
  std::vector<std::string_view> out;
  for (const Node* n : children_at(path, true, std::nullopt)) {
    if (std::find(out.begin(), out.end(), n->name) == out.end()) out.emplace_back(n->name);
  }
  return out;
}

const Config::Node* Config::find_libdefault(std::string_view tag, std::string_view realm) const {
  if (!realm.empty()) {
    const std::string_view per_realm[] = {"libdefaults", realm, tag};
    if (const Node* n = find_first(per_realm)) return n;
  }
  const std::string_view global[] = {"libdefaults", tag};
  return find_first(global);
}

Error Config::error_at(const Node& node, std::string_view tag, const Error& cause) const {
  return located(files_[node.file], node.line, "%.*s: %.*s", static_cast<int>(tag.size()),
                 tag.data(), static_cast<int>(cause.detail().size()), cause.detail().data());
}

Result<bool> Config::get_boolean(std::string_view tag, std::string_view realm,
                                 bool fallback) const {
  const Node* n = find_libdefault(tag, realm);
  if (n == nullptr) return fallback;
  Result<bool> value = parse_config_boolean(n->value);
  if (!value) return error_at(*n, tag, value.error());
  return value;
}

Result<std::int64_t> Config::get_duration(std::string_view tag, std::string_view realm,
                                          std::int64_t fallback) const {
  const Node* n = find_libdefault(tag, realm);
  if (n == nullptr) return fallback;
  Result<std::int64_t> value = parse_duration(n->value);
  if (!value) return error_at(*n, tag, value.error());
  if (*value < 0) {
    return error_at(*n, tag, Error(ErrorCategory::kConfig, "must not be negative"));
  }
  return value;
}

std::optional<std::string_view> Config::default_realm() const {
  return get({"libdefaults", "default_realm"});
}

Result<bool> Config::dns_lookup_kdc() const {
  return get_boolean("dns_lookup_kdc", {}, false);
}

Result<std::size_t> Config::udp_preference_limit() const {
  const Node* n = find_libdefault("udp_preference_limit", {});
  if (n == nullptr) return kDefaultUdpPreferenceLimit;
  const Result<std::int32_t> value = parse_config_integer(n->value);
  if (!value) return error_at(*n, "udp_preference_limit", value.error());
  if (*value < 0) {
    return error_at(*n, "udp_preference_limit",
                    Error(ErrorCategory::kConfig, "must not be negative"));
  }
  return std::min(static_cast<std::size_t>(*value), kMaxUdpPreferenceLimit);
}

Result<std::int64_t> Config::clockskew() const {
  return get_duration("clockskew", {}, 300);
}

Result<std::int64_t> Config::ticket_lifetime(std::string_view realm) const {
  return get_duration("ticket_lifetime", realm, 86400);
}

Result<std::int64_t> Config::renew_lifetime(std::string_view realm) const {
  return get_duration("renew_lifetime", realm, 0);
}

Result<bool> Config::forwardable(std::string_view realm) const {
  return get_boolean("forwardable", realm, false);
}

Result<bool> Config::allow_weak_crypto() const {
  return get_boolean("allow_weak_crypto", {}, false);
}

Result<bool> Config::kdc_timesync() const {
  const Node* n = find_libdefault("kdc_timesync", {});
  if (n == nullptr) return true;
  const Result<std::int32_t> value = parse_config_integer(n->value);
  if (!value) return error_at(*n, "kdc_timesync", value.error());
  return *value != 0;
}

// One list, weak enctypes dropped unless allow_weak_crypto (as MIT filters them). Absent:
// DEFAULT for permitted_enctypes, permitted_enctypes for the other two.
Result<std::vector<std::int32_t>> Config::get_enctypes(std::string_view tag) const {
  const Node* n = find_libdefault(tag, {});
  if (n == nullptr) {
    if (tag != "permitted_enctypes") return get_enctypes("permitted_enctypes");
    return std::vector<std::int32_t>(std::begin(kDefaultEnctypes), std::end(kDefaultEnctypes));
  }
  Result<std::vector<std::int32_t>> list = parse_enctype_list(n->value);
  if (!list) return error_at(*n, tag, list.error());
  KERB_TRY(const bool allow_weak, allow_weak_crypto());
  if (!allow_weak) {
    std::erase_if(*list, is_weak_enctype);
    if (list->empty()) {
      return error_at(
          *n, tag, Error(ErrorCategory::kConfig, "only weak enctypes (allow_weak_crypto is off)"));
    }
  }
  return list;
}

Result<std::vector<std::int32_t>> Config::permitted_enctypes() const {
  return get_enctypes("permitted_enctypes");
}
Result<std::vector<std::int32_t>> Config::default_tkt_enctypes() const {
  return get_enctypes("default_tkt_enctypes");
}
Result<std::vector<std::int32_t>> Config::default_tgs_enctypes() const {
  return get_enctypes("default_tgs_enctypes");
}

Result<std::vector<KdcAddress>> Config::get_addresses(std::string_view realm, std::string_view tag,
                                                      std::uint16_t default_port) const {
  std::vector<KdcAddress> out;
  const std::string_view path[] = {"realms", realm, tag};
  for (const Node* n : find(path)) {
    const std::string_view value = trim(n->value);
    if (value.substr(0, 8) == "https://") continue;  // MS-KKDCP proxy: not supported
    Result<KdcAddress> address = KdcAddress::parse(value, default_port);
    if (!address) return error_at(*n, tag, address.error());
    out.push_back(std::move(*address));
  }
  return out;
}

Result<std::vector<KdcAddress>> Config::kdcs(std::string_view realm) const {
  return get_addresses(realm, "kdc", KdcAddress::kKdcPort);
}

Result<std::vector<KdcAddress>> Config::admin_servers(std::string_view realm) const {
  return get_addresses(realm, "admin_server", KdcAddress::kAdminPort);
}

Result<std::vector<KdcAddress>> Config::kpasswd_servers(std::string_view realm) const {
  KERB_TRY(std::vector<KdcAddress> servers,
           get_addresses(realm, "kpasswd_server", KdcAddress::kKpasswdPort));
  if (!servers.empty()) return servers;
  KERB_TRY(servers, admin_servers(realm));
  for (KdcAddress& a : servers)
    a.port = KdcAddress::kKpasswdPort;
  return servers;
}

std::optional<std::string_view> Config::realm_for_host(std::string_view host) const {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return std::nullopt;
  const std::string_view section[] = {"domain_realm"};
  const std::vector<const Node*> entries = children_at(section, false, std::nullopt);
  auto lookup = [&entries](std::string_view name) -> const Node* {
    for (const Node* n : entries) {
      if (iequals(n->name, name)) return n;
    }
    return nullptr;
  };
  // The host itself, then ".b.c", ".c" for "a.b.c": the first hit is the longest suffix.
  if (const Node* n = lookup(host)) return std::string_view(n->value);
  for (std::size_t dot = host.find('.'); dot != std::string_view::npos;
       dot = host.find('.', dot + 1)) {
    if (const Node* n = lookup(host.substr(dot))) return std::string_view(n->value);
  }
  return std::nullopt;
}

}  // namespace kerb
