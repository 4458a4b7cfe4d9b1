// config_fuzz: krb5.conf text, and the value syntaxes read from it. Nothing may crash or read
// out of bounds; every rejection is a kConfig error naming the file and a line of the input;
// every getter of an accepted Config answers (a value or a kConfig error); KDC addresses that
// parse print back to the same address.
//
// The input is parsed as a whole file with includes refused (a fuzzer must not read the
// machine's files), and its lines are also fed one by one to the value parsers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/config.hpp>

#include "fuzz_check.hpp"

namespace {

template <class T>
void check_result(const kerb::Result<T>& r) {
  if (!r) FUZZ_CHECK(r.error().category() == kerb::ErrorCategory::kConfig);
}

// "fuzz.conf:N: ..." with 1 <= N <= the number of lines.
void check_parse_error(const kerb::Error& e, std::size_t lines) {
  FUZZ_CHECK(e.category() == kerb::ErrorCategory::kConfig);
  const std::string_view d = e.detail();
  constexpr std::string_view kPrefix = "fuzz.conf:";
  FUZZ_CHECK(d.substr(0, kPrefix.size()) == kPrefix);
  std::size_t i = kPrefix.size();
  if (i < d.size() && d[i] == ' ') return;  // "fuzz.conf: file too large"
  std::size_t line = 0;
  FUZZ_CHECK(i < d.size() && d[i] >= '1' && d[i] <= '9');
  while (i < d.size() && d[i] >= '0' && d[i] <= '9')
    line = line * 10 + static_cast<std::size_t>(d[i++] - '0');
  FUZZ_CHECK(i < d.size() && d[i] == ':');
  FUZZ_CHECK(line >= 1 && line <= lines);
}

void check_values(std::string_view text) {
  check_result(kerb::parse_config_boolean(text));
  check_result(kerb::parse_config_integer(text));
  const auto duration = kerb::parse_duration(text);
  check_result(duration);
  if (duration) FUZZ_CHECK(*duration >= -2147483647LL && *duration <= 2147483647LL);
  const auto enctypes = kerb::parse_enctype_list(text);
  check_result(enctypes);
  if (enctypes) FUZZ_CHECK(!enctypes->empty());
  const auto address = kerb::KdcAddress::parse(text);
  check_result(address);
  if (address) {
    FUZZ_CHECK(!address->host.empty() && address->port != 0);
    const auto again = kerb::KdcAddress::parse(address->to_string());
    FUZZ_CHECK(again && *again == *address);
  }
}

void exercise(const kerb::Config& c) {
  (void)c.default_realm();
  check_result(c.dns_lookup_kdc());
  const auto limit = c.udp_preference_limit();
  check_result(limit);
  if (limit) FUZZ_CHECK(*limit <= kerb::Config::kMaxUdpPreferenceLimit);
  for (const auto& d : {c.clockskew(), c.ticket_lifetime(), c.renew_lifetime()}) {
    check_result(d);
    if (d) FUZZ_CHECK(*d >= 0);
  }
  check_result(c.forwardable());
  check_result(c.allow_weak_crypto());
  check_result(c.kdc_timesync());
  check_result(c.permitted_enctypes());
  check_result(c.default_tkt_enctypes());
  check_result(c.default_tgs_enctypes());
  const std::vector<std::string_view> realms = c.realms();
  for (std::size_t i = 0; i < realms.size() && i < 8; ++i) {
    check_result(c.kdcs(realms[i]));
    check_result(c.kpasswd_servers(realms[i]));
    check_result(c.ticket_lifetime(realms[i]));
    check_result(c.forwardable(realms[i]));
  }
  for (std::string_view host : {"a.b.c", "kdc.bank.test", "x", ".", "A.B.C."}) {
    (void)c.realm_for_host(host);
  }
  // Walk the tree a little through the generic interface.
  const std::vector<std::string_view> sections = c.subsection_names({});
  for (std::size_t i = 0; i < sections.size() && i < 8; ++i) {
    for (std::string_view sub : c.subsection_names({sections[i]})) {
      (void)c.get_all({sections[i], sub, "kdc"});
    }
    (void)c.get({sections[i], "default_realm"});
  }
  // [capaths]: every client realm's entries, through the generic tag list.
  const std::vector<std::string_view> clients = c.subsection_names({"capaths"});
  for (std::size_t i = 0; i < clients.size() && i < 8; ++i) {
    for (std::string_view server : c.tag_names({"capaths", clients[i]})) {
      check_result(c.capaths(clients[i], server));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t lines = 1;
  for (char ch : text)
    lines += ch == '\n' ? 1 : 0;

  kerb::ConfigLimits limits;
  limits.follow_includes = false;
  const auto config = kerb::Config::parse(text, "fuzz.conf", limits);
  if (config) {
    exercise(*config);
  } else {
    check_parse_error(config.error(), lines);
  }

  // Each line (bounded in number) as a value of every kind.
  std::size_t pos = 0;
  for (int n = 0; n < 64 && pos <= text.size(); ++n) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    check_values(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return 0;
}
