// krbdump: reads Kerberos credentials, messages, GSS/SPNEGO tokens and captures, decodes them
// as trees with the RFC field names, and decrypts what the given keys open.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "dump.hpp"
#include "input.hpp"
#include "keys.hpp"

namespace {

constexpr const char kHelp[] = R"(NAME
    krbdump - decode, decrypt and explain Kerberos data

SYNOPSIS
    krbdump [OPTIONS] INPUT...

DESCRIPTION
    krbdump reads each INPUT ('-' is standard input), tells its format from its content, and
    prints it as a tree with the field names of RFC 4120, RFC 4121 and RFC 4178: times in
    ISO 8601 UTC; flags, enctypes, name types, PA types, key usages and error codes by name
    and number; principals as name/instance@REALM; bytes in hex.

    Every EncryptedData is opened when a key fits: the decrypted part appears under the
    encrypted one, with the key that opened it; when none fits, krbdump says which key the
    part needs and why each candidate was passed over. Keys found in decrypted parts
    (session keys, subkeys) open what follows, across inputs. Keytabs and credentials caches
    given as INPUTs add their keys too.

    Formats read:
      MIT credentials caches, file format versions 1 to 4
      MIT keytabs, versions 1 and 2
      KRB-CRED (.kirbi files)
      DER of any RFC 4120 message or structure: Ticket, AS-REQ, AS-REP, TGS-REQ, TGS-REP,
        AP-REQ, AP-REP, KRB-ERROR, KRB-SAFE, KRB-PRIV, KRB-CRED, Authenticator and the
        Enc* parts
      GSS-API InitialContextTokens (Kerberos, SPNEGO), RFC 4121 MIC and Wrap tokens,
        SPNEGO NegTokenInit and NegTokenResp
      text: hex, base64, and "Negotiate <base64>" lines (HTTP header names allowed)
      pcap and pcapng captures: Kerberos on port 88 (UDP and TCP), and GSS tokens on the
        ports given with --port

OPTIONS
    --format F        Read every INPUT as F instead of detecting it. F is one of ccache,
                      keytab, kirbi, der, gss, spnego, text, pcap.
    --json            Print JSON (schema "krbdump": 1, see README.md) instead of text.
    --der             Print the generic DER tree (tag, length, offset of each element)
                      instead of decoding; for what krbdump does not know.
    --full            Print bytes in full (by default hex longer than 32 bytes is cut).
    --keytab FILE     Long-term keys from FILE. Repeatable.
    --password PW     A password for --principal (visible to other users in the process
                      list: prefer --password-file).
    --password-file FILE
                      The password is the first line of FILE; '-' reads it from standard
                      input.
    --principal P     The principal the password belongs to (name/instance@REALM).
    --salt S          The salt for the password (default: from an ETYPE-INFO2 seen in the
                      input, else the realm followed by the name components).
    --key ENCTYPE:HEX A raw key, e.g. aes256-cts-hmac-sha1-96:00112233... or 18:... or
                      rc4-hmac:<NT hash>. Repeatable.
    --ccache FILE     The session keys of a credentials cache. Repeatable.
    --port N          Also read TCP port N of captures as GSS traffic (MIT gss-sample or
                      the banking sample's framing). Repeatable.
    -h, --help        This text.

EXIT STATUS
    0   every input was decoded and every encrypted part decrypted
    1   something could not be decrypted (the output says what key it needs)
    2   malformed input: one line on standard error says what was wrong and at which byte
        offset; or a usage error

EXAMPLES
    krbdump /tmp/krb5cc_1000
    krbdump --keytab http.keytab capture.pcapng
    krbdump --principal alice@EXAMPLE.COM --password-file - as-exchange.pcap < pw.txt
    echo 'Authorization: Negotiate YIIC...' | krbdump --keytab http.keytab -
    krbdump --json --full ticket.kirbi
)";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "krbdump: %s (krbdump --help shows the options)\n", message.c_str());
  return 2;
}

std::string read_password_file(const std::string& path, bool& ok) {
  ok = false;
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) return {};
  std::string line;
  int c;
  while ((c = std::fgetc(f)) != EOF && c != '\n' && line.size() < 4096)
    line += static_cast<char>(c);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (f != stdin) std::fclose(f);
  ok = true;
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  using krbdump::Format;
  krbdump::DumpOptions options;
  bool json = false;
  std::vector<std::string> inputs, keytabs, ccaches, raw_keys;
  std::optional<std::string> password, principal, salt, password_file;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "-h" || a == "--help") {
      std::fputs(kHelp, stdout);
      return 0;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--der") {
      options.der = true;
    } else if (a == "--full") {
      options.render.full = true;
    } else if (a == "--format") {
      if (!value(v)) return usage_error("--format needs a value");
      const auto f = krbdump::parse_format(v);
      if (!f) return usage_error("unknown format '" + v + "'");
      options.format = *f;
    } else if (a == "--keytab") {
      if (!value(v)) return usage_error("--keytab needs a file");
      keytabs.push_back(v);
    } else if (a == "--ccache") {
      if (!value(v)) return usage_error("--ccache needs a file");
      ccaches.push_back(v);
    } else if (a == "--key") {
      if (!value(v)) return usage_error("--key needs ENCTYPE:HEX");
      raw_keys.push_back(v);
    } else if (a == "--password") {
      if (!value(v)) return usage_error("--password needs a value");
      password = v;
    } else if (a == "--password-file") {
      if (!value(v)) return usage_error("--password-file needs a file");
      password_file = v;
    } else if (a == "--principal") {
      if (!value(v)) return usage_error("--principal needs a value");
      principal = v;
    } else if (a == "--salt") {
      if (!value(v)) return usage_error("--salt needs a value");
      salt = v;
    } else if (a == "--port") {
      if (!value(v)) return usage_error("--port needs a number");
      char* end = nullptr;
      const unsigned long port = std::strtoul(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || port == 0 || port > 65535)
        return usage_error("--port " + v + " is not a port number");
      options.ports.push_back(static_cast<std::uint16_t>(port));
    } else if (a == "-" || !a.starts_with("-")) {
      inputs.emplace_back(a);
    } else {
      return usage_error("unknown option " + std::string(a));
    }
  }
  if (inputs.empty()) return usage_error("no input");

  krbdump::KeyRing keys;
  for (const std::string& k : keytabs)
    if (auto r = keys.add_keytab(k); !r) return usage_error(std::string(r.error().detail()));
  for (const std::string& c : ccaches)
    if (auto r = keys.add_ccache(c); !r) return usage_error(std::string(r.error().detail()));
  for (const std::string& k : raw_keys)
    if (auto r = keys.add_raw_key(k); !r) return usage_error(std::string(r.error().detail()));
  if (password_file) {
    bool ok = false;
    password = read_password_file(*password_file, ok);
    if (!ok) return usage_error("cannot read the password file " + *password_file);
  }
  if (password) {
    if (!principal) return usage_error("--password needs --principal");
    keys.add_password(*principal, std::move(*password), salt);
  }

  int status = 0;
  std::vector<krbdump::Node> trees;
  for (const std::string& path : inputs) {
    const std::string label = path == "-" ? "stdin" : path;
    auto bytes = krbdump::read_input(path);
    if (!bytes) {
      std::fprintf(stderr, "%s\n", std::string(bytes.error().detail()).c_str());
      status = 2;
      continue;
    }
    krbdump::DumpResult r = krbdump::dump(*bytes, label, keys, options);
    if (r.status == 2) std::fprintf(stderr, "%s\n", r.error.c_str());
    if (r.status > status) status = r.status;
    if (json)
      trees.push_back(std::move(r.tree));
    else
      std::fputs(krbdump::render_text(r.tree, options.render).c_str(), stdout);
  }
  if (json) std::fputs(krbdump::render_json(trees, options.render).c_str(), stdout);
  return status;
}
