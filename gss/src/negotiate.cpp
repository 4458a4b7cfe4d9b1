// HTTP Negotiate (RFC 4559) header values and strict base64 (RFC 4648 §4).
#include <kerb/gss/negotiate.hpp>

#include <cstddef>
#include <cstdint>
#include <utility>

namespace kerb::gss {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kScheme = "Negotiate";

// 0..63 for an alphabet character, -1 otherwise.
int sextet(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

Error fault(const char* what, std::size_t offset) {
  return Error::format(ErrorCategory::kProtocol, 0, "Negotiate: %s at offset %zu", what, offset);
}

// Base64 decoding with `base` added to every offset reported (the token's place in a header).
Result<std::vector<std::uint8_t>> decode(std::string_view text, std::size_t max_size,
                                         std::size_t base) {
  if (text.size() % 4 != 0)
    return fault("base64 length is not a multiple of 4", base + text.size());
  // Checked before allocating: every 4 characters carry at most 3 octets.
  if (text.size() / 4 > max_size / 3 + 1) return fault("base64 token too large", base);
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  const std::size_t size = text.size() / 4 * 3 - pad;
  if (size > max_size) return fault("base64 token too large", base);

  std::vector<std::uint8_t> out;
  out.reserve(size);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      int v = sextet(c);
      if (v < 0) {
        // '=' only as the last one or two characters.
        if (c == '=' && last && j >= 4 - pad) {
          v = 0;
        } else {
          return fault(c == '=' ? "misplaced base64 padding" : "invalid base64 character",
                       base + i + j);
        }
      }
      group = (group << 6) | static_cast<std::uint32_t>(v);
    }
    const std::size_t octets = last ? 3 - pad : 3;
    // Canonical: the bits below the last octet are zero (RFC 4648 §3.5).
    if (octets < 3 && (group & ((1u << (8 * (3 - octets))) - 1u)) != 0) {
      return fault("non-canonical base64 (pad bits set)", base + i + octets);
    }
    for (std::size_t k = 0; k < octets; ++k)
      out.push_back(static_cast<std::uint8_t>(group >> (16 - 8 * k)));
  }
  return out;
}

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t';
}

// RFC 7230 §3.2.6 tchar.
bool is_tchar(char c) noexcept {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// RFC 7235 §2.1 token68 characters (before the trailing '='s).
bool is_token68_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The checks every value gets: bounded, no control characters (a CR or LF would be a header
// injection or an obsolete fold, which RFC 7230 §3.2.4 deprecates).
Result<void> check_value(std::string_view value) {
  if (value.size() > kMaxNegotiateHeader)
    return fault("header value too long", kMaxNegotiateHeader);
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7F) return fault("control character", i);
  }
  return ok();
}

// A cursor over a header value.
struct Cursor {
  std::string_view text;
  std::size_t pos = 0;

  bool at_end() const noexcept { return pos == text.size(); }
  char peek() const noexcept { return text[pos]; }
  void skip_space() noexcept {
    while (!at_end() && is_space(peek()))
      ++pos;
  }
  std::string_view take_while(bool (*pred)(char) noexcept) noexcept {
    const std::size_t start = pos;
    while (!at_end() && pred(peek()))
      ++pos;
    return text.substr(start, pos - start);
  }
};

// quoted-string (RFC 7230 §3.2.6), the cursor on its opening quote.
Result<void> skip_quoted_string(Cursor& in) {
  const std::size_t start = in.pos;
  ++in.pos;
  while (!in.at_end()) {
    const char c = in.peek();
    ++in.pos;
    if (c == '"') return ok();
    if (c == '\\') {
      if (in.at_end()) break;
      ++in.pos;
    }
  }
  return fault("unterminated quoted-string", start);
}

// auth-param value: token / quoted-string.
Result<void> skip_param_value(Cursor& in) {
  if (in.at_end()) return fault("missing auth-param value", in.pos);
  if (in.peek() == '"') return skip_quoted_string(in);
  if (in.take_while(is_tchar).empty()) return fault("invalid auth-param value", in.pos);
  return ok();
}

// After an element of the list: OWS, then a comma or the end.
Result<void> end_of_element(Cursor& in) {
  in.skip_space();
  if (in.at_end()) return ok();
  if (in.peek() != ',') return fault("unexpected character", in.pos);
  ++in.pos;
  return ok();
}

}  // namespace

std::string base64_encode(Bytes data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t g =
        (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(kAlphabet[(g >> 18) & 63]);
    out.push_back(kAlphabet[(g >> 12) & 63]);
    out.push_back(kAlphabet[(g >> 6) & 63]);
    out.push_back(kAlphabet[g & 63]);
  }
  const std::size_t rest = data.size() - i;
  if (rest != 0) {
    std::uint32_t g = std::uint32_t{data[i]} << 16;
    if (rest == 2) g |= std::uint32_t{data[i + 1]} << 8;
    out.push_back(kAlphabet[(g >> 18) & 63]);
    out.push_back(kAlphabet[(g >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(g >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::vector<std::uint8_t>> base64_decode(std::string_view text, std::size_t max_size) {
  return decode(text, max_size, 0);
}

std::string authorization_header(Bytes token) {
  return www_authenticate(token);
}

std::string www_authenticate(Bytes token) {
  std::string out(kScheme);
  if (!token.empty()) {
    out.push_back(' ');
    out += base64_encode(token);
  }
  return out;
}

Result<std::vector<std::uint8_t>> parse_authorization(std::string_view header_value) {
  KERB_TRY_VOID(check_value(header_value));
  Cursor in{header_value};
  in.skip_space();
  const std::size_t scheme_at = in.pos;
  const std::string_view scheme = in.take_while(is_tchar);
  if (scheme.empty()) return fault("expected an auth-scheme", scheme_at);
  if (!iequals(scheme, kScheme)) return fault("not the Negotiate scheme", scheme_at);
  if (in.at_end()) return fault("Negotiate credentials without a token", in.pos);
  if (!is_space(in.peek())) return fault("unexpected character after the scheme", in.pos);
  in.skip_space();
  // The token runs to the end of the value, less trailing whitespace.
  std::size_t end = header_value.size();
  while (end > in.pos && is_space(header_value[end - 1]))
    --end;
  if (end == in.pos) return fault("Negotiate credentials without a token", in.pos);
  return decode(header_value.substr(in.pos, end - in.pos), kMaxNegotiateToken, in.pos);
}

Result<std::optional<std::vector<std::uint8_t>>> parse_www_authenticate(
    std::string_view header_value) {
  KERB_TRY_VOID(check_value(header_value));
  Cursor in{header_value};
  // What may follow as `name=value`: a further auth-param of the previous challenge, unless it
  // had a token68 or was Negotiate (whose only data is a token).
  enum class Previous : std::uint8_t { kNone, kParams, kClosed } previous = Previous::kNone;
  bool found = false;
  std::size_t token_at = 0;
  std::string_view token;  // the Negotiate challenge's token68, empty when it has none

  while (true) {
    in.skip_space();
    if (in.at_end()) break;
    if (in.peek() == ',') {  // empty list element (RFC 7230 §7)
      ++in.pos;
      continue;
    }
    const std::size_t name_at = in.pos;
    const std::string_view name = in.take_while(is_tchar);
    if (name.empty()) return fault("expected an auth-scheme", name_at);
    const std::size_t after_name = in.pos;
    in.skip_space();
    if (!in.at_end() && in.peek() == '=') {
      // name "=" value: a further auth-param of the current challenge.
      if (previous != Previous::kParams) return fault("auth-param outside a challenge", name_at);
      ++in.pos;
      in.skip_space();
      KERB_TRY_VOID(skip_param_value(in));
      KERB_TRY_VOID(end_of_element(in));
      continue;
    }

    // A new challenge: scheme [ 1*SP ( token68 / auth-param ) ].
    const bool negotiate = iequals(name, kScheme);
    if (negotiate && found) return fault("more than one Negotiate challenge", name_at);
    found = found || negotiate;
    previous = negotiate ? Previous::kClosed : Previous::kParams;
    if (in.at_end() || in.peek() == ',') {
      KERB_TRY_VOID(end_of_element(in));
      continue;
    }
    if (in.pos == after_name) return fault("unexpected character after the scheme", in.pos);

    const std::size_t data_at = in.pos;
    in.take_while(is_token68_char);
    while (!in.at_end() && in.peek() == '=')
      ++in.pos;
    const std::size_t data_end = in.pos;
    Cursor look = in;
    look.skip_space();
    if (data_end > data_at && (look.at_end() || look.peek() == ',')) {
      // token68
      if (negotiate) {
        token_at = data_at;
        token = header_value.substr(data_at, data_end - data_at);
      }
      previous = Previous::kClosed;
      in = look;
      KERB_TRY_VOID(end_of_element(in));
      continue;
    }
    // Otherwise the first auth-param of the challenge.
    if (negotiate) {
      Cursor param{header_value, data_at};
      const bool named = !param.take_while(is_tchar).empty();
      param.skip_space();
      if (named && !param.at_end() && param.peek() == '=') {
        return fault("Negotiate challenge with auth-params instead of a token", data_at);
      }
      return fault("unexpected character", look.pos);
    }
    in.pos = data_at;
    if (in.take_while(is_tchar).empty()) return fault("invalid challenge data", data_at);
    in.skip_space();
    if (in.at_end() || in.peek() != '=') return fault("invalid challenge data", data_at);
    ++in.pos;
    in.skip_space();
    KERB_TRY_VOID(skip_param_value(in));
    KERB_TRY_VOID(end_of_element(in));
  }

  if (!found) return fault("no Negotiate challenge", 0);
  if (token.empty()) return std::optional<std::vector<std::uint8_t>>{};
  KERB_TRY(std::vector<std::uint8_t> decoded, decode(token, kMaxNegotiateToken, token_at));
  return std::optional<std::vector<std::uint8_t>>(std::move(decoded));
}

}  // namespace kerb::gss
