// MIT krb5.conf value syntaxes: booleans, integers, durations (krb5_string_to_deltat), enctype
// lists and KDC addresses; and the "file:line: what" errors every config file reports with.
#include <kerb/config.hpp>

#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "config_syntax.hpp"

namespace kerb {
namespace config_detail {

namespace {

// A file name longer than this is shown as "..." and its tail, so that file:line and the
// message fit in an Error's detail.
constexpr std::size_t kShownNameLength = 40;
// Text quoted back in value errors is cut to this many characters.
constexpr int kShownValueLength = 32;
constexpr std::int64_t kMaxDuration = INT32_MAX;  // MIT's deltat is a 32-bit signed count

int shown(std::string_view s) noexcept {
  return static_cast<int>(std::min<std::size_t>(s.size(), kShownValueLength));
}

// The index of `word` in `words` ('\0'-separated, ending in an empty word), compared
// case-insensitively; -1 when absent.
int word_index(const char* words, std::string_view word) noexcept {
  for (int i = 0; *words != '\0'; ++i, words += std::strlen(words) + 1) {
    if (iequals(word, words)) return i;
  }
  return -1;
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

}  // namespace

Error located(std::string_view file, std::size_t line, const char* fmt, ...) {
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

}  // namespace config_detail

using namespace config_detail;

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

Result<std::vector<crypto::EncType>> parse_enctype_list(std::string_view text) {
  std::vector<crypto::EncType> list;
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
    crypto::EncType one{};
    std::span<const crypto::EncType> enctypes;
    std::size_t digits = 0;
    while (digits < token.size() && is_digit(token[digits]))
      ++digits;
    if (digits == token.size()) {
      std::int64_t number = 0;
      if (!integer_value(token, number)) return bad_value("enctype number", token);
      one = static_cast<crypto::EncType>(number);
      enctypes = {&one, 1};
    } else if (enctypes = crypto::enctype_family(token); enctypes.empty()) {
      if (const auto named = crypto::enctype_from_name(token)) {
        one = *named;
        enctypes = {&one, 1};
      }
    }
    for (crypto::EncType e : enctypes) {
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

}  // namespace kerb
