// krb5.conf reader: MIT profile syntax (krb5.conf(5)) into a flat node table, and typed getters.
#include <kerb/config.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "secure_env.hpp"

namespace kerb {

using namespace std::string_view_literals;

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
int read_whole_file(const char* path, std::size_t max, std::string& out) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
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
  for (char c : name) {
    if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !is_digit(c) && c != '-' && c != '_')
      return false;
  }
  return true;
}

bool starts_with_word(std::string_view line, std::string_view word) noexcept {
  return line.size() > word.size() && line.substr(0, word.size()) == word &&
         is_space(line[word.size()]);
}

// --- enctypes (IANA "Kerberos Encryption Type Numbers", RFC 3961 §8) ------------------------

// MIT's names and aliases, "number name" each, '\0'-separated: one string and no pointers to
// relocate.
constexpr char kEnctypeNames[] =
    "1 des-cbc-crc\0"
    "2 des-cbc-md4\0"
    "3 des-cbc-md5\0"
    "3 des\0"
    "4 des-cbc-raw\0"
    "6 des3-cbc-raw\0"
    "8 des-hmac-sha1\0"
    "16 des3-cbc-sha1\0"
    "16 des3-hmac-sha1\0"
    "16 des3-cbc-sha1-kd\0"
    "17 aes128-cts-hmac-sha1-96\0"
    "17 aes128-cts\0"
    "17 aes128-sha1\0"
    "18 aes256-cts-hmac-sha1-96\0"
    "18 aes256-cts\0"
    "18 aes256-sha1\0"
    "19 aes128-cts-hmac-sha256-128\0"
    "19 aes128-sha2\0"
    "20 aes256-cts-hmac-sha384-192\0"
    "20 aes256-sha2\0"
    "23 arcfour-hmac\0"
    "23 rc4-hmac\0"
    "23 arcfour-hmac-md5\0"
    "24 arcfour-hmac-exp\0"
    "24 rc4-hmac-exp\0"
    "24 arcfour-hmac-md5-exp\0"
    "25 camellia128-cts-cmac\0"
    "25 camellia128-cts\0"
    "26 camellia256-cts-cmac\0"
    "26 camellia256-cts\0";

constexpr std::int32_t kDefaultEnctypes[] = {18, 17, 20, 19, 26, 25};
constexpr std::int32_t kAesFamily[] = {18, 17, 20, 19};
constexpr std::int32_t kCamelliaFamily[] = {26, 25};
constexpr std::int32_t kRc4Family[] = {23};
constexpr std::int32_t kDes3Family[] = {16};
constexpr std::int32_t kDesFamily[] = {1, 3, 2};
// MIT's "weak" enctypes, dropped from the lists unless allow_weak_crypto is set: 1, 2, 3, 4,
// 6, 8 and 24, one bit each.
constexpr std::uint32_t kWeakEnctypes =
    1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 6 | 1u << 8 | 1u << 24;

// The index of `word` in `words` ('\0'-separated, ending in an empty word), compared
// case-insensitively; -1 when absent.
int word_index(const char* words, std::string_view word) noexcept {
  for (int i = 0; *words != '\0'; ++i, words += std::strlen(words) + 1) {
    if (iequals(word, words)) return i;
  }
  return -1;
}

std::span<const std::int32_t> enctype_family(std::string_view name) noexcept {
  switch (word_index("DEFAULT\0aes\0camellia\0rc4\0des3\0des\0", name)) {
    case 0:
      return kDefaultEnctypes;
    case 1:
      return kAesFamily;
    case 2:
      return kCamelliaFamily;
    case 3:
      return kRc4Family;
    case 4:
      return kDes3Family;
    case 5:
      return kDesFamily;
  }
  return {};
}

bool is_weak_enctype(std::int32_t e) noexcept {
  return e >= 0 && e < 32 && (kWeakEnctypes >> e & 1) != 0;
}

// --- value syntaxes, as bool-returning parsers: the getters and the Result API share them ----

// MIT booleans: six words for true, then six for false. (The literals are split where "\0"
// and a digit would read as one octal escape.)
bool boolean_value(std::string_view text, std::int64_t& out) noexcept {
  static constexpr char kWords[] =
      "y\0yes\0true\0t\0"
      "1\0on\0n\0no\0false\0nil\0"
      "0\0off\0";
  const int i = word_index(kWords, trim(text));
  out = i < 6;
  return i >= 0;
}

bool integer_value(std::string_view text, std::int64_t& out) noexcept {
  const std::string_view t = trim(text);
  std::size_t i = 0;
  const bool negative = !t.empty() && t[0] == '-';
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) ++i;
  if (i == t.size()) return false;
  std::int64_t value = 0;
  for (; i < t.size(); ++i) {
    if (!is_digit(t[i])) return false;
    value = value * 10 + (t[i] - '0');
    if (value > std::int64_t{INT32_MAX} + 1) return false;
  }
  out = negative ? -value : value;
  return out <= INT32_MAX;
}

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

bool duration_value(std::string_view text, std::int64_t& out) noexcept {
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
    if (!c.number(n)) return false;
    c.skip_space();
    if (c.done()) {
      if (last_unit != -1) return false;  // "1h 30": 30 what?
      total = n;                          // plain seconds
      break;
    }
    if (c.peek() == ':') {  // h:m[:s], alone or after days
      if (last_unit > 0) return false;
      std::int64_t minutes = 0, seconds = 0;
      ++c.i;
      if (!c.number(minutes, 2) || minutes > 59) return false;
      if (!c.done() && c.peek() == ':') {
        ++c.i;
        if (!c.number(seconds, 2) || seconds > 59) return false;
      }
      c.skip_space();
      if (!c.done()) return false;
      total += n * 3600 + minutes * 60 + seconds;
      break;
    }
    const std::size_t unit = kUnits.find(c.peek());
    if (unit == std::string_view::npos || static_cast<int>(unit) <= last_unit) return false;
    last_unit = static_cast<int>(unit);
    total += n * kUnitSeconds[unit];
    if (total > kMaxDuration) return false;
    ++c.i;
    c.skip_space();
    if (c.done()) break;
  }
  if (total > kMaxDuration) return false;
  out = negative ? -total : total;
  return true;
}

}  // namespace

Result<bool> parse_config_boolean(std::string_view text) {
  std::int64_t value = 0;
  if (!boolean_value(text, value)) return bad_value("boolean", text);
  return value != 0;
}

Result<std::int32_t> parse_config_integer(std::string_view text) {
  std::int64_t value = 0;
  if (!integer_value(text, value)) return bad_value("integer", text);
  return static_cast<std::int32_t>(value);
}

Result<std::int64_t> parse_duration(std::string_view text) {
  std::int64_t value = 0;
  if (!duration_value(text, value)) return bad_value("duration", text);
  return value;
}

std::optional<std::int32_t> enctype_from_name(std::string_view name) {
  for (const char* e = kEnctypeNames; *e != '\0'; e += std::strlen(e) + 1) {
    if (iequals(name, std::strchr(e, ' ') + 1)) return std::atoi(e);
  }
  return std::nullopt;
}

std::span<const std::int32_t> default_enctypes() noexcept {
  return kDefaultEnctypes;
}

Result<std::vector<std::int32_t>> parse_enctype_list(std::string_view text) {
  std::vector<std::int32_t> list;
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
    // A number, a family or a name; unknown names are skipped, as MIT does.
    std::int32_t one = 0;
    std::span<const std::int32_t> enctypes;
    std::size_t digits = 0;
    while (digits < token.size() && is_digit(token[digits]))
      ++digits;
    if (digits == token.size()) {
      std::int64_t number = 0;
      if (!integer_value(token, number)) return bad_value("enctype number", token);
      one = static_cast<std::int32_t>(number);
      enctypes = {&one, 1};
    } else if (enctypes = enctype_family(token); enctypes.empty()) {
      if (const auto number = enctype_from_name(token)) {
        one = *number;
        enctypes = {&one, 1};
      }
    }
    for (std::int32_t e : enctypes) {
      std::size_t at = 0;
      while (at < list.size() && list[at] != e)
        ++at;
      if (at == list.size()) {
        if (!remove) list.push_back(e);
      } else if (remove) {
        list.erase(list.begin() + static_cast<std::ptrdiff_t>(at));
      }
    }
  }
  if (list.empty()) {
    return Error::format(ErrorCategory::kConfig, 0, "no known enctype in '%.*s'", shown(text),
                         text.data());
  }
  return list;
}

// --- KdcAddress ---------------------------------------------------------------------------

namespace {

// "host", "host:port", "[v6]", "[v6]:port"; a bare IPv6 literal (more than one ':') is a host
// without a port. Returns null, or what is wrong for bad_value().
const char* split_address(std::string_view t, std::string_view& host, std::uint32_t& port) {
  host = t;
  std::string_view port_text;
  bool has_port = false;
  if (!t.empty() && t[0] == '[') {
    const std::size_t close = t.find(']');
    if (close == std::string_view::npos) return "address (missing ']')";
    host = t.substr(1, close - 1);
    port_text = t.substr(close + 1);
    if (!port_text.empty()) {
      if (port_text[0] != ':') return "address";
      port_text.remove_prefix(1);
      has_port = true;
    }
  } else if (const std::size_t colon = t.find(':');
             colon != std::string_view::npos && t.find(':', colon + 1) == std::string_view::npos) {
    host = t.substr(0, colon);
    port_text = t.substr(colon + 1);
    has_port = true;
  }
  if (host.empty() || host.find_first_of(" \t\n\r\f\v[]/") != std::string_view::npos) {
    return "address";
  }
  if (has_port) {
    if (port_text.empty() || port_text.size() > 5) return "port in";
    port = 0;
    for (char c : port_text) {
      if (!is_digit(c)) return "port in";
      port = port * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535) return "port in";
  }
  return nullptr;
}

}  // namespace

Result<KdcAddress> KdcAddress::parse(std::string_view text, std::uint16_t default_port) {
  std::string_view host;
  std::uint32_t port = default_port;
  if (const char* what = split_address(trim(text), host, port)) return bad_value(what, text);
  return KdcAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

std::string KdcAddress::to_string() const {
  const bool bracket = host.find(':') != std::string::npos;
  char port_text[8];  // "]:65535"
  std::snprintf(port_text, sizeof port_text, "%s:%u", bracket ? "]" : "", unsigned{port});
  std::string out(bracket ? 1 : 0, '[');
  out += host;
  out += port_text;
  return out;
}

// --- parsing --------------------------------------------------------------------------------

// Builds a Config from files and text. One parser serves one load, so final marks and the
// limits span every file of it. Its steps return false at the first error, kept in error().
class ConfigParser {
  using Kind = Config::Kind;
  static constexpr std::uint32_t kNone = Config::kNone;
  static constexpr std::size_t kMaxText = UINT32_MAX / 2;  // offsets into text_ are 32-bit

 public:
  // Where the parser is; the includer's is kept while an included file is read.
  struct File {
    std::string_view name;
    std::size_t depth = 0;
    std::uint32_t node = 0;  // naming the file, for messages
    std::uint32_t line = 0;
    std::uint32_t at = kNone;  // the current section or '{' block; kNone before the first
  };

  ConfigParser(Config& config, const ConfigLimits& limits)
      : config_(config), nodes_(config.nodes_), limits_(limits) {
    config_.text_.reserve(64);              // past the in-object buffer, so moves keep views valid
    add(kNone, {}, {}, Kind::kSubsection);  // the root
  }

  const Error& error() const noexcept { return error_; }

  // A file named by KRB5_CONFIG (from: null), where missing is fine and a directory is read
  // like includedir; or one named by include/includedir (from: that line), which must exist.
  [[nodiscard]] bool read(const char* path, std::size_t depth, const File* from) {
    std::string text;
    const int e = read_whole_file(path, limits_.max_file_size, text);
    if (e == 0) return parse_file(path, text, depth);
    if (from != nullptr) {
      return failed(
          located(from->name, from->line, "cannot read '%s': %s", path, describe_errno(e)));
    }
    if (e == ENOENT || e == ENOTDIR) return true;
    if (e == EISDIR) return read_directory(path, 0, File{path});
    return failed(located(path, 0, "cannot read: %s", describe_errno(e)));
  }

  [[nodiscard]] bool parse_file(std::string_view name, std::string_view text, std::size_t depth) {
    if (files_ >= limits_.max_files) {
      return failed(
          located(name, 0, "too many configuration files (limit %zu)", limits_.max_files));
    }
    total_size_ += text.size();
    if (total_size_ > limits_.max_total_size ||
        config_.text_.size() + name.size() + text.size() > kMaxText) {
      return failed(
          located(name, 0, "configuration too large (limit %zu bytes)", limits_.max_total_size));
    }
    ++files_;
    const File includer = file_;  // an include returns to the includer's section
    file_ = File{name, depth};
    file_.node = add(kNone, name, {}, Kind::kIgnored);
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      ++file_.line;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!parse_line(line)) return false;
    }
    if (open_ != 0) {
      return failed(located(name, nodes_[file_.at].line, "missing '}' for this '{'"));
    }
    file_ = includer;
    return true;
  }

 private:
  bool failed(const Error& e) {
    error_ = e;
    return false;
  }
  bool fail(const char* what) { return failed(located(file_.name, file_.line, "%s", what)); }

  std::uint32_t add(std::uint32_t parent, std::string_view name, std::string_view value,
                    Kind kind) {
    std::string& text = config_.text_;
    nodes_.push_back(
        {parent, static_cast<std::uint32_t>(text.size()), static_cast<std::uint32_t>(name.size()),
         static_cast<std::uint32_t>(value.size()), file_.node, file_.line, kind, false});
    text.append(name).append(value);
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  // The index entry for (parent, name): the subsection there, or else the final relation
  // there, or a free slot (0: the root is never an entry). It merges repeated subsections and
  // finds frozen paths. Open addressing, FNV-1a, at most half full.
  std::uint32_t& entry(std::uint32_t parent, std::string_view name) {
    std::uint64_t h = parent;
    for (char c : name)
      h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3;
    for (h ^= h >> 32;; ++h) {
      std::uint32_t& e = index_[h & (index_size_ - 1)];
      if (e == 0 || (nodes_[e].parent == parent && config_.name_of(nodes_[e]) == name)) return e;
    }
  }

  void insert(std::uint32_t& e, std::uint32_t node) {
    e = node;
    if (++entries_ * 2 <= index_size_) return;
    const std::unique_ptr<std::uint32_t[]> old = std::move(index_);
    index_.reset(new std::uint32_t[index_size_ * 2]());
    index_size_ *= 2;
    for (std::size_t i = 0; i < index_size_ / 2; ++i) {
      if (const std::uint32_t n = old[i]) entry(nodes_[n].parent, config_.name_of(nodes_[n])) = n;
    }
  }

  // Makes the section or subsection `name` of `parent` current: the one read before at this
  // path, a new one, or an ignored one when the path is frozen or `parent` ignored.
  void open(std::uint32_t parent, std::string_view name, bool final) {
    Kind kind = Kind::kIgnored;
    std::uint32_t* e = nullptr;
    if (nodes_[parent].kind != Kind::kIgnored) {
      e = &entry(parent, name);
      if (*e == 0) {
        kind = Kind::kSubsection;
      } else if (!nodes_[*e].final) {  // *e is a subsection: merge
        nodes_[*e].final = final;
        nodes_[*e].line = file_.line;
        file_.at = *e;
        return;
      }
    }
    file_.at = add(parent, name, {}, kind);
    nodes_[file_.at].final = final;
    if (kind == Kind::kSubsection) insert(*e, file_.at);
  }

  bool parse_line(std::string_view line) {
    if (line.find('\0') != std::string_view::npos) return fail("NUL byte in line");
    // Directives start the line (krb5.conf(5)).
    if (starts_with_word(line, "include"sv)) return include(trim(line.substr(7)), false);
    if (starts_with_word(line, "includedir"sv)) return include(trim(line.substr(10)), true);
    if (starts_with_word(line, "module"sv)) return true;  // plugin modules: not for kerb

    const std::string_view text = trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') return true;
    if (text[0] == '}') return close_block(text);
    if (++entries_read_ > limits_.max_entries) {
      return failed(located(file_.name, file_.line, "more than %zu sections and relations",
                            limits_.max_entries));
    }
    if (text[0] == '[') return section_header(text);
    return relation(text);
  }

  // An optional final mark '*', then nothing but whitespace.
  static bool final_mark(std::string_view after, bool& final) {
    final = !after.empty() && after[0] == '*';
    if (final) after.remove_prefix(1);
    return trim(after).empty();
  }

  bool section_header(std::string_view text) {
    if (open_ != 0) return fail("section header inside a '{' block");
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return fail("missing ']' after section name");
    const std::string_view name = text.substr(1, close - 1);
    if (name.empty()) return fail("empty section name");
    bool final = false;
    if (!final_mark(text.substr(close + 1), final)) {
      return fail("unexpected text after section header");
    }
    open(0, name, final);
    return true;
  }

  bool close_block(std::string_view text) {
    if (open_ == 0) return fail("'}' without a matching '{'");
    bool final = false;
    if (!final_mark(text.substr(1), final)) return fail("unexpected text after '}'");
    Config::Node& block = nodes_[file_.at];
    if (final && block.kind == Kind::kSubsection) block.final = true;
    file_.at = block.parent;
    --open_;
    return true;
  }

  bool relation(std::string_view text) {
    std::size_t end = 0;
    while (end < text.size() && !is_space(text[end]) && text[end] != '=')
      ++end;
    std::string_view tag = text.substr(0, end);
    const bool final = !tag.empty() && tag.back() == '*';
    if (final) tag.remove_suffix(1);
    if (tag.empty()) return fail("missing tag before '='");
    std::string_view rest = ltrim(text.substr(end));
    if (rest.empty() || rest[0] != '=') return fail("missing '=' after tag");
    rest = ltrim(rest.substr(1));
    if (file_.at == kNone) return fail("relation outside a section");

    if (!rest.empty() && rest[0] == '{') {
      if (!trim(rest.substr(1)).empty()) return fail("unexpected text after '{'");
      if (open_ >= limits_.max_nesting) return fail("'{' blocks nested too deeply");
      ++open_;
      open(file_.at, tag, final);
      return true;
    }

    std::string_view value = rest;  // already trimmed on both sides
    if (!rest.empty() && rest[0] == '"') {
      if (!unquote(rest)) return false;
      value = unquoted_;
    }
    if (nodes_[file_.at].kind == Kind::kIgnored) return true;
    std::uint32_t& e = entry(file_.at, tag);
    if (e != 0 && nodes_[e].final) return true;  // frozen
    const std::uint32_t node = add(file_.at, tag, value, Kind::kRelation);
    if (final) {
      nodes_[e != 0 ? e : node].final = true;
      if (e == 0) insert(e, node);
    }
    return true;
  }

  // "..." with \n \t \b and \<char> escapes, into unquoted_; nothing but whitespace may follow.
  bool unquote(std::string_view text) {
    unquoted_.clear();
    std::size_t i = 1;
    for (;;) {
      if (i >= text.size()) return fail("missing closing '\"'");
      char c = text[i++];
      if (c == '"') break;
      if (c == '\\' && i < text.size()) {
        c = text[i++];
        c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'b' ? '\b' : c;
      }
      unquoted_.push_back(c);
    }
    if (!trim(text.substr(i)).empty()) return fail("unexpected text after quoted value");
    return true;
  }

  // Included files must exist (krb5.conf(5)); each starts without a current section.
  bool include(std::string_view target, bool directory) {
    if (!limits_.follow_includes) return fail("include directives are not allowed here");
    if (target.empty()) return fail("include needs a path");
    if (open_ != 0) return fail("include inside a '{' block");
    if (file_.depth + 1 > limits_.max_include_depth) return fail("includes nested too deeply");
    const File from = file_;
    const std::string path(target);
    if (directory) return read_directory(path.c_str(), from.depth + 1, from);
    return read(path.c_str(), from.depth + 1, &from);
  }

  bool read_directory(const char* dir, std::size_t depth, const File& from) {
    DIR* d = ::opendir(dir);
    if (d == nullptr) {
      return failed(located(from.name, from.line, "cannot open directory '%s': %s", dir,
                            std::strerror(errno)));
    }
    std::string paths;  // "dir/name", each ending in '\0'
    std::size_t count = 0;
    while (const dirent* entry = ::readdir(d)) {
      if (!is_included_name(entry->d_name)) continue;
      if (++count > limits_.max_files) break;
      paths.append(dir).push_back('/');
      paths.append(entry->d_name, std::strlen(entry->d_name) + 1);
    }
    ::closedir(d);
    if (count > limits_.max_files) {
      return failed(located(from.name, from.line, "too many files in '%s' (limit %zu)", dir,
                            limits_.max_files));
    }
    // Byte order of the names, as MIT 1.17+: the least path after the last one read, each time
    // (at most max_files of them, and no sort to instantiate).
    const char* last = "";
    for (;;) {
      const char* next = nullptr;
      for (const char* p = paths.data(); p != paths.data() + paths.size();
           p += std::strlen(p) + 1) {
        if (std::strcmp(p, last) > 0 && (next == nullptr || std::strcmp(p, next) < 0)) next = p;
      }
      if (next == nullptr) return true;
      last = next;
      struct stat st {};
      if (::stat(next, &st) == 0 && S_ISREG(st.st_mode) && !read(next, depth, &from)) return false;
    }
  }

  Config& config_;
  std::vector<Config::Node>& nodes_;
  const ConfigLimits& limits_;
  std::size_t entries_read_ = 0;  // section headers and relations, for max_entries
  std::size_t index_size_ = 16;   // see entry(): a power of two
  std::unique_ptr<std::uint32_t[]> index_{new std::uint32_t[index_size_]()};
  std::size_t entries_ = 0;
  std::string unquoted_;
  File file_;
  std::size_t open_ = 0;  // '{' blocks open in the current file
  std::size_t files_ = 0;
  std::size_t total_size_ = 0;
  Error error_;
};

// --- Config ---------------------------------------------------------------------------------

Config::Config() = default;

Result<Config> Config::parse(std::string_view text, std::string_view name,
                             const ConfigLimits& limits) {
  Config config;
  if (text.size() > limits.max_file_size) {
    return located(name, 0, "file too large (limit %zu bytes)", limits.max_file_size);
  }
  ConfigParser parser(config, limits);
  if (!parser.parse_file(name, text, 0)) return parser.error();
  return config;
}

Result<Config> Config::load_files(std::span<const std::string_view> paths,
                                  const ConfigLimits& limits) {
  Config config;
  ConfigParser parser(config, limits);
  for (std::string_view path : paths) {
    if (!path.empty() && !parser.read(std::string(path).c_str(), 0, nullptr)) return parser.error();
  }
  return config;
}

Result<Config> Config::load_path_list(std::string_view paths, const ConfigLimits& limits) {
  Config config;
  ConfigParser parser(config, limits);
  for (;;) {
    const std::size_t colon = paths.find(':');
    const std::string_view path = paths.substr(0, colon);
    if (!path.empty() && !parser.read(std::string(path).c_str(), 0, nullptr)) return parser.error();
    if (colon == std::string_view::npos) return config;
    paths.remove_prefix(colon + 1);
  }
}

Result<Config> Config::load_from_env(const ConfigLimits& limits) {
  const char* env = detail::secure_env("KRB5_CONFIG");
  return load_path_list(env != nullptr ? env : kDefaultPath, limits);  // the path has no ':'
}

std::uint32_t Config::next(std::uint32_t parent, std::uint32_t i, Kind kind,
                           const std::string_view* name) const noexcept {
  while (++i < nodes_.size()) {
    const Node& n = nodes_[i];
    if (n.parent == parent && n.kind == kind && (name == nullptr || name_of(n) == *name)) {
      return i;
    }
  }
  return kNone;
}

std::uint32_t Config::subsection(std::span<const std::string_view> path) const noexcept {
  std::uint32_t at = 0;
  for (const std::string_view& step : path) {
    at = next(at, at, Kind::kSubsection, &step);
    if (at == kNone) break;
  }
  return at;
}

const Config::Node* Config::first(std::span<const std::string_view> path) const noexcept {
  if (path.empty()) return nullptr;
  const std::uint32_t at = subsection(path.first(path.size() - 1));
  const std::uint32_t i = at == kNone ? kNone : next(at, at, Kind::kRelation, &path.back());
  return i == kNone ? nullptr : &nodes_[i];
}

bool Config::empty() const noexcept {
  return next(0, 0, Kind::kSubsection, nullptr) == kNone;
}

std::optional<std::string_view> Config::get(std::span<const std::string_view> path) const {
  const Node* n = first(path);
  if (n == nullptr) return std::nullopt;
  return value_of(*n);
}

std::vector<std::string_view> Config::collect(std::uint32_t at, Kind kind,
                                              const std::string_view* name) const {
  // Counted first: one allocation, and no vector growth code for these few lines.
  std::size_t count = 0;
  for (std::uint32_t i = at; at != kNone && (i = next(at, i, kind, name)) != kNone;)
    ++count;
  std::vector<std::string_view> out(count);
  count = 0;
  for (std::uint32_t i = at; at != kNone && (i = next(at, i, kind, name)) != kNone;) {
    out[count++] = kind == Kind::kRelation ? value_of(nodes_[i]) : name_of(nodes_[i]);
  }
  return out;
}

std::vector<std::string_view> Config::get_all(std::span<const std::string_view> path) const {
  if (path.empty()) return {};
  return collect(subsection(path.first(path.size() - 1)), Kind::kRelation, &path.back());
}

std::vector<std::string_view> Config::subsection_names(
    std::span<const std::string_view> path) const {
  return collect(subsection(path), Kind::kSubsection, nullptr);
}

std::vector<std::string_view> Config::tag_names(std::span<const std::string_view> path) const {
  const std::uint32_t at = subsection(path);
  std::vector<std::string_view> out;
  for (std::uint32_t i = at; at != kNone && (i = next(at, i, Kind::kRelation, nullptr)) != kNone;) {
    const std::string_view name = name_of(nodes_[i]);
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

const Config::Node* Config::find_libdefault(std::string_view tag,
                                            std::string_view realm) const noexcept {
  if (!realm.empty()) {
    const std::string_view per_realm[] = {"libdefaults"sv, realm, tag};
    if (const Node* n = first(per_realm)) return n;
  }
  const std::string_view global[] = {"libdefaults"sv, tag};
  return first(global);
}

Error Config::error_at(const Node& node, std::string_view tag, std::string_view what) const {
  return located(name_of(nodes_[node.file]), node.line, "%.*s: %.*s", static_cast<int>(tag.size()),
                 tag.data(), static_cast<int>(what.size()), what.data());
}

// How get_value() reads a value; durations and counts must not be negative.
enum class Config::Syntax : std::uint8_t { kBoolean, kInteger, kCount, kDuration };

Result<std::int64_t> Config::get_value(std::string_view tag, std::string_view realm, Syntax syntax,
                                       std::int64_t fallback) const {
  const Node* n = find_libdefault(tag, realm);
  if (n == nullptr) return fallback;
  const std::string_view text = value_of(*n);
  std::int64_t value = 0;
  const bool ok = syntax == Syntax::kBoolean    ? boolean_value(text, value)
                  : syntax == Syntax::kDuration ? duration_value(text, value)
                                                : integer_value(text, value);
  if (ok && (value >= 0 || syntax == Syntax::kBoolean || syntax == Syntax::kInteger)) return value;
  const Error bad = bad_value(syntax == Syntax::kBoolean    ? "boolean"
                              : syntax == Syntax::kDuration ? "duration"
                                                            : "integer",
                              text);
  return error_at(*n, tag, ok ? "must not be negative"sv : bad.detail());
}

Result<bool> Config::get_flag(std::string_view tag, std::string_view realm, Syntax syntax,
                              bool fallback) const {
  KERB_TRY(const std::int64_t value, get_value(tag, realm, syntax, fallback));
  return value != 0;
}

std::optional<std::string_view> Config::default_realm() const {
  return get({"libdefaults"sv, "default_realm"sv});
}

Result<bool> Config::dns_lookup_kdc() const {
  return get_flag("dns_lookup_kdc"sv, {}, Syntax::kBoolean, false);
}

Result<std::size_t> Config::udp_preference_limit() const {
  KERB_TRY(const std::int64_t limit,
           get_value("udp_preference_limit"sv, {}, Syntax::kCount, kDefaultUdpPreferenceLimit));
  return std::min(static_cast<std::size_t>(limit), kMaxUdpPreferenceLimit);
}

Result<std::int64_t> Config::clockskew() const {
  return get_value("clockskew"sv, {}, Syntax::kDuration, 300);
}

Result<std::int64_t> Config::ticket_lifetime(std::string_view realm) const {
  return get_value("ticket_lifetime"sv, realm, Syntax::kDuration, 86400);
}

Result<std::int64_t> Config::renew_lifetime(std::string_view realm) const {
  return get_value("renew_lifetime"sv, realm, Syntax::kDuration, 0);
}

Result<bool> Config::forwardable(std::string_view realm) const {
  return get_flag("forwardable"sv, realm, Syntax::kBoolean, false);
}

Result<bool> Config::allow_weak_crypto() const {
  return get_flag("allow_weak_crypto"sv, {}, Syntax::kBoolean, false);
}

Result<bool> Config::kdc_timesync() const {
  return get_flag("kdc_timesync"sv, {}, Syntax::kInteger, 1);
}

// One list, weak enctypes dropped unless allow_weak_crypto (as MIT filters them). Absent:
// DEFAULT for permitted_enctypes, permitted_enctypes for the other two.
Result<std::vector<std::int32_t>> Config::get_enctypes(std::string_view tag) const {
  const Node* n = find_libdefault(tag, {});
  if (n == nullptr) {
    tag = "permitted_enctypes"sv;
    n = find_libdefault(tag, {});
  }
  Result<std::vector<std::int32_t>> list =
      parse_enctype_list(n != nullptr ? value_of(*n) : "DEFAULT"sv);
  if (n == nullptr) return list;  // kDefaultEnctypes, none of them weak
  if (!list) return error_at(*n, tag, list.error().detail());
  KERB_TRY(const bool allow_weak, allow_weak_crypto());
  if (!allow_weak) {
    std::vector<std::int32_t>& v = *list;
    std::size_t kept = 0;
    for (std::int32_t e : v) {
      if (!is_weak_enctype(e)) v[kept++] = e;
    }
    v.erase(v.begin() + static_cast<std::ptrdiff_t>(kept), v.end());
    if (v.empty()) return error_at(*n, tag, "only weak enctypes (allow_weak_crypto is off)");
  }
  return list;
}

Result<std::vector<std::int32_t>> Config::permitted_enctypes() const {
  return get_enctypes("permitted_enctypes"sv);
}
Result<std::vector<std::int32_t>> Config::default_tkt_enctypes() const {
  return get_enctypes("default_tkt_enctypes"sv);
}
Result<std::vector<std::int32_t>> Config::default_tgs_enctypes() const {
  return get_enctypes("default_tgs_enctypes"sv);
}

Result<std::vector<KdcAddress>> Config::get_addresses(std::string_view realm, std::string_view tag,
                                                      std::uint16_t default_port) const {
  std::vector<KdcAddress> out;
  const std::string_view path[] = {"realms"sv, realm};
  const std::uint32_t at = subsection(path);
  for (std::uint32_t i = at; at != kNone && (i = next(at, i, Kind::kRelation, &tag)) != kNone;) {
    const Node& n = nodes_[i];
    const std::string_view value = trim(value_of(n));
    if (value.substr(0, 8) == "https://"sv) continue;  // MS-KKDCP proxy: not supported
    Result<KdcAddress> address = KdcAddress::parse(value, default_port);
    if (!address) return error_at(n, tag, address.error().detail());
    out.push_back(std::move(*address));
  }
  return out;
}

Result<std::vector<KdcAddress>> Config::kdcs(std::string_view realm) const {
  return get_addresses(realm, "kdc"sv, KdcAddress::kKdcPort);
}

Result<std::vector<KdcAddress>> Config::admin_servers(std::string_view realm) const {
  return get_addresses(realm, "admin_server"sv, KdcAddress::kAdminPort);
}

Result<std::vector<KdcAddress>> Config::kpasswd_servers(std::string_view realm) const {
  KERB_TRY(std::vector<KdcAddress> servers,
           get_addresses(realm, "kpasswd_server"sv, KdcAddress::kKpasswdPort));
  if (!servers.empty()) return servers;
  KERB_TRY(servers, admin_servers(realm));
  for (KdcAddress& a : servers)
    a.port = KdcAddress::kKpasswdPort;
  return servers;
}

std::optional<std::string_view> Config::realm_for_host(std::string_view host) const {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return std::nullopt;
  const std::string_view section[] = {"domain_realm"sv};
  const std::uint32_t at = subsection(section);
  if (at == kNone) return std::nullopt;
  // The first entry named `name`, case-insensitively.
  auto lookup = [this, at](std::string_view name) -> const Node* {
    for (std::uint32_t i = at; (i = next(at, i, Kind::kRelation, nullptr)) != kNone;) {
      if (iequals(name_of(nodes_[i]), name)) return &nodes_[i];
    }
    return nullptr;
  };
  // The host itself, then ".b.c", ".c" for "a.b.c": the first hit is the longest suffix.
  if (const Node* n = lookup(host)) return value_of(*n);
  for (std::size_t dot = host.find('.'); dot != std::string_view::npos;
       dot = host.find('.', dot + 1)) {
    if (const Node* n = lookup(host.substr(dot))) return value_of(*n);
  }
  return std::nullopt;
}

Result<std::optional<std::vector<std::string_view>>> Config::capaths(
    std::string_view client_realm, std::string_view server_realm) const {
  const std::string_view path[] = {"capaths"sv, client_realm};
  const std::uint32_t at = subsection(path);
  std::optional<std::vector<std::string_view>> out;
  bool direct = false;
  for (std::uint32_t i = at;
       at != kNone && (i = next(at, i, Kind::kRelation, &server_realm)) != kNone;) {
    const Node& n = nodes_[i];
    const std::string_view value = trim(value_of(n));
    if (value.empty()) return error_at(n, server_realm, "an empty intermediate realm"sv);
    if (!out) out.emplace();
    if (value == "."sv) {
      direct = true;
    } else {
      out->push_back(value);
    }
    if (direct && !out->empty()) {
      return error_at(n, server_realm, "\".\" (direct) together with intermediate realms"sv);
    }
  }
  return out;
}

}  // namespace kerb
