// Input reading, format detection, text forms, and the dump() entry point.
#include "input.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "dump_internal.hpp"
#include "pcap.hpp"

namespace krbdump {

kerb::Result<std::vector<std::uint8_t>> read_input(std::string_view path) {
  const bool is_stdin = path == "-";
  const std::string name(path);
  std::FILE* f = is_stdin ? stdin : std::fopen(name.c_str(), "rb");
  if (f == nullptr)
    return kerb::Error::format(kerb::ErrorCategory::kIo, 0, "%s: cannot open: %s", name.c_str(),
                               std::strerror(errno));
  std::vector<std::uint8_t> out;
  std::uint8_t buf[65536];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    if (n == 0) break;
    if (out.size() + n > kMaxInputSize) {
      if (!is_stdin) std::fclose(f);
      return kerb::Error::format(kerb::ErrorCategory::kIo, 0,
                                 "%s: larger than %zu MiB (krbdump's limit) at offset %zu",
                                 name.c_str(), kMaxInputSize >> 20, kMaxInputSize);
    }
    out.insert(out.end(), buf, buf + n);
  }
  const bool failed = std::ferror(f) != 0;
  if (!is_stdin) std::fclose(f);
  if (failed)
    return kerb::Error::format(kerb::ErrorCategory::kIo, 0, "%s: read error at offset %zu",
                               name.c_str(), out.size());
  return out;
}

std::optional<Format> parse_format(std::string_view n) {
  if (n == "auto") return Format::kAuto;
  if (n == "ccache") return Format::kCcache;
  if (n == "keytab") return Format::kKeytab;
  if (n == "kirbi" || n == "krb-cred" || n == "krbcred") return Format::kKrbCred;
  if (n == "der") return Format::kDer;
  if (n == "gss") return Format::kGss;
  if (n == "spnego") return Format::kSpnego;
  if (n == "text" || n == "hex" || n == "base64") return Format::kText;
  if (n == "pcap" || n == "pcapng") return Format::kPcap;
  return std::nullopt;
}

std::string_view format_name(Format f) {
  switch (f) {
    case Format::kAuto:
      return "auto";
    case Format::kCcache:
      return "ccache";
    case Format::kKeytab:
      return "keytab";
    case Format::kKrbCred:
      return "krb-cred";
    case Format::kDer:
      return "der";
    case Format::kGss:
      return "gss";
    case Format::kSpnego:
      return "spnego";
    case Format::kText:
      return "text";
    case Format::kPcap:
      return "pcap";
  }
  return "";
}

namespace {

bool is_space(std::uint8_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_text(std::span<const std::uint8_t> b) {
  if (b.empty()) return false;
  for (std::uint8_t c : b)
    if (!is_space(c) && (c < 0x20 || c > 0x7e)) return false;
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view s) {
  std::string digits;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s.substr(i, 2) == "0x" || s.substr(i, 2) == "0X") {
      i += 2;
      continue;
    }
    const char c = s[i++];
    if (c == ' ' || c == ':' || c == '\t' || c == '\r' || c == '\n' || c == ',') continue;
    if (hex_digit(c) < 0) return std::nullopt;
    digits += c;
  }
  if (digits.empty() || digits.size() % 2) return std::nullopt;
  std::vector<std::uint8_t> out(digits.size() / 2);
  for (std::size_t k = 0; k < out.size(); ++k)
    out[k] =
        static_cast<std::uint8_t>(hex_digit(digits[2 * k]) * 16 + hex_digit(digits[2 * k + 1]));
  return out;
}

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Standard or URL-safe base64; whitespace ignored, padding optional. `bad` gets the offset of
// the first character that does not belong.
std::optional<std::vector<std::uint8_t>> from_base64(std::string_view s,
                                                     std::size_t* bad = nullptr) {
  std::vector<std::uint8_t> out;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    const int v = b64_value(c);
    if (v < 0 || pad > 0) {
      if (bad) *bad = i;
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  if (out.empty() || bits >= 6 || pad > 2) {
    if (bad) *bad = s.size();
    return std::nullopt;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(static_cast<std::uint8_t>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && is_space(static_cast<std::uint8_t>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool starts_with_nocase(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    char a = s[i], b = p[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

}  // namespace

std::optional<std::vector<TextBlob>> decode_text(std::span<const std::uint8_t> bytes,
                                                 std::string* why) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  // Header lines first: every line that carries "Negotiate <token>" (or "Kerberos <token>").
  std::vector<TextBlob> blobs;
  std::size_t line_start = 0, line_no = 0;
  while (line_start <= text.size()) {
    std::size_t end = text.find('\n', line_start);
    if (end == std::string_view::npos) end = text.size();
    ++line_no;
    std::string_view line = trim(text.substr(line_start, end - line_start));
    for (std::string_view h :
         {"authorization:", "www-authenticate:", "proxy-authorization:", "proxy-authenticate:"})
      if (starts_with_nocase(line, h)) line = trim(line.substr(h.size()));
    for (std::string_view scheme : {"negotiate ", "kerberos "}) {
      if (!starts_with_nocase(line, scheme)) continue;
      const std::string_view b64 = trim(line.substr(scheme.size()));
      std::size_t bad = 0;
      auto decoded = from_base64(b64, &bad);
      if (!decoded) {
        if (why)
          *why = "line " + std::to_string(line_no) + ": the " + std::string(trim(scheme)) +
                 " token is not base64 at offset " +
                 std::to_string(static_cast<std::size_t>(b64.data() - text.data()) + bad);
        return std::nullopt;
      }
      blobs.push_back({std::string(trim(scheme)) + " header, line " + std::to_string(line_no),
                       std::move(*decoded)});
    }
    line_start = end + 1;
  }
  if (!blobs.empty()) return blobs;
  if (auto h = from_hex(text)) return std::vector<TextBlob>{{"hex", std::move(*h)}};
  std::size_t bad = 0;
  if (auto b = from_base64(text, &bad)) return std::vector<TextBlob>{{"base64", std::move(*b)}};
  if (why)
    *why = "text is neither hex nor base64 nor a Negotiate header at offset " + std::to_string(bad);
  return std::nullopt;
}

std::optional<Format> detect(std::span<const std::uint8_t> b) {
  if (b.empty()) return std::nullopt;
  if (looks_like_capture(b)) return Format::kPcap;
  if (b.size() >= 2 && b[0] == 0x05 && b[1] >= 1 && b[1] <= 4)
    return b[1] >= 3 ? Format::kCcache : Format::kKeytab;  // 1 and 2: decided by parsing
  // Printable text first: lowercase letters and digits are also [APPLICATION n] octets.
  if (is_text(b)) return Format::kText;
  if (b[0] == 0x76) return Format::kKrbCred;
  if (detail::looks_like_gss(b)) return Format::kGss;
  if ((b[0] & 0xE0) == 0x60 || b[0] == 0x30 || b[0] == 0xa0) return Format::kDer;
  return std::nullopt;
}

namespace detail {
namespace {

void dump_bytes(Walk& walk, Bytes bytes, Format format, Node& parent, bool text_allowed);

std::string packet_time(CaptureTime t) {
  std::string s = iso_time(t.seconds);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06u", static_cast<unsigned>(t.nanoseconds / 1000));
  s.insert(s.size() - 1, frac);
  return s;
}

// The banking sample's frames carry GSS tokens in OCTET STRINGs: find and dump them.
void dump_embedded_tokens(Walk& walk, Bytes der, Node& parent, int depth) {
  kerb::der::Error fault;
  kerb::der::Reader in(der, fault);
  while (!in.empty() && depth < kMaxNesting) {
    kerb::der::Tag tag = kerb::der::tags::kNull;
    kerb::der::Reader contents;
    if (!in.read_any(tag, contents)) return;
    if (tag.constructed()) {
      dump_embedded_tokens(walk, contents.unread(), parent, depth + 1);
    } else if (tag == kerb::der::tags::kOctetString && looks_like_gss(contents.unread())) {
      dump_gss(walk, contents.unread(), parent);
    }
  }
}

void dump_capture(Walk& walk, Bytes bytes, Node& parent) {
  auto report = read_capture_report(bytes, walk.options.ports);
  Node& node = parent.add("capture", {}, "array");
  if (!report) return walk.malformed(node, "capture", bytes, report.error().detail());
  for (const std::string& n : report->notes)
    node.add("capture-note", n, "string");
  for (const CapturedMessage& m : report->messages) {
    if (node_budget_exceeded()) break;
    Node& pkt = node.add("packet " + std::to_string(m.packet), {}, "object");
    add_int(pkt, "packet", static_cast<std::int64_t>(m.packet));
    pkt.add("time", packet_time(m.time), "time");
    add_string(
        pkt, "src",
        m.src + (m.src.find(':') != std::string::npos ? "." : ":") + std::to_string(m.sport));
    add_string(
        pkt, "dst",
        m.dst + (m.dst.find(':') != std::string::npos ? "." : ":") + std::to_string(m.dport));
    add_string(pkt, "transport", m.transport);
    add_string(pkt, "framing", m.framing);
    const Bytes msg(m.bytes);
    if (walk.options.der) {
      dump_der_tree(walk, msg, pkt);
    } else if (m.framing == "kerberos") {
      if (!dump_kerberos(walk, msg, pkt)) {
        Node& raw = add_bytes(pkt, "message", msg);
        raw.note = "not a Kerberos message";
      }
    } else if (m.framing == "bank") {
      dump_der_tree(walk, msg, pkt);
      dump_embedded_tokens(walk, msg, pkt, 0);
    } else if (!dump_gss(walk, msg, pkt) && !dump_kerberos(walk, msg, pkt)) {
      Node& raw = add_bytes(pkt, "message", msg);
      if (printable(msg)) raw.note = std::string(msg.begin(), msg.end());
    }
  }
}

void dump_bytes(Walk& walk, Bytes bytes, Format format, Node& parent, bool text_allowed) {
  if (format == Format::kAuto) {
    const auto detected = detect(bytes);
    if (!detected) {
      Node& node = parent.add("input", {}, "object");
      if (bytes.empty()) return walk.malformed(node, "input", {}, "empty input at offset 0");
      char first[8];
      std::snprintf(first, sizeof first, "0x%02x", bytes[0]);
      return walk.malformed(
          node, "input", {},
          std::string("not a format krbdump knows (first byte ") + first + ") at offset 0");
    }
    format = *detected;
  }
  if (format == Format::kText) {
    Node& node = parent.add("text", {}, "array");
    if (!text_allowed) return walk.malformed(node, "text", {}, "text inside text at offset 0");
    std::string why;
    auto blobs = decode_text(bytes, &why);
    if (!blobs) return walk.malformed(node, "text", {}, why);
    for (TextBlob& blob : *blobs) {
      Node& b = node.add(blob.form, {}, "object");
      // The decoded bytes are not a view into the input: offsets are the blob's own.
      Walk inner{walk.keys, walk.options, Bytes(blob.bytes), walk.label + " (" + blob.form + ")"};
      inner.depth = walk.depth;
      inner.client = walk.client;
      dump_bytes(inner, blob.bytes, Format::kAuto, b, false);
      if (inner.status > walk.status) walk.status = inner.status;
      if (walk.error.empty()) walk.error = inner.error;
      walk.client = inner.client;
    }
    return;
  }
  if (walk.options.der && format != Format::kPcap) return dump_der_tree(walk, bytes, parent);
  switch (format) {
    case Format::kPcap:
      return dump_capture(walk, bytes, parent);
    case Format::kCcache:
      return dump_ccache(walk, bytes, parent);
    case Format::kKeytab: {
      // Versions 1 and 2 of both start 05 01 / 05 02: take the one that parses.
      if (walk.options.format == Format::kAuto && bytes.size() >= 2 && bytes[1] <= 2) {
        Node probe;
        KeyRing scratch;
        Walk keytab_trial{scratch, walk.options, walk.input, walk.label};
        dump_keytab(keytab_trial, bytes, probe);
        if (keytab_trial.status == 2) {
          Node probe2;
          KeyRing scratch2;
          Walk ccache_trial{scratch2, walk.options, walk.input, walk.label};
          dump_ccache(ccache_trial, bytes, probe2);
          if (ccache_trial.status != 2) return dump_ccache(walk, bytes, parent);
        }
      }
      return dump_keytab(walk, bytes, parent);
    }
    case Format::kKrbCred:
      return dump_krb_cred(walk, bytes, parent, "KRB-CRED");
    case Format::kGss:
    case Format::kSpnego:
      if (dump_gss(walk, bytes, parent)) return;
      [[fallthrough]];
    case Format::kDer:
    default:
      if (dump_kerberos(walk, bytes, parent) || dump_gss(walk, bytes, parent)) return;
      {
        Node& node = parent.add("unknown", {}, "object");
        node.note =
            "not a Kerberos, GSS or SPNEGO structure krbdump knows; the generic DER "
            "tree follows (--der)";
        dump_der_tree(walk, bytes, node);
      }
      return;
  }
}

}  // namespace
}  // namespace detail

DumpResult dump(std::span<const std::uint8_t> input, std::string_view label, KeyRing& keys,
                const DumpOptions& options) {
  detail::Walk walk{keys, options, input, std::string(label)};
  Node root{std::string(label), {}, "object", {}, {}};
  reset_node_budget();
  detail::dump_bytes(walk, input, options.format, root, true);
  if (node_budget_exceeded() && walk.status < 2) {
    walk.status = 2;
    walk.error = std::string(label) + ": more than " + std::to_string(kMaxNodes) +
                 " fields to show (krbdump's limit) at offset " + std::to_string(walk.position);
  }
  reset_node_budget();
  return DumpResult{std::move(root), walk.status, walk.error};
}

}  // namespace krbdump
