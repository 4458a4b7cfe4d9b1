// krb5.conf: every syntax element, final marks, includes, errors with file:line, and the typed
// getters a client uses (krb5.conf(5) is the reference for each rule).
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/client.hpp>
#include <kerb/config.hpp>
#include <kerb/crypto/enctype.hpp>

#include "temp_dir.hpp"

using kerb::ClientOptions;
using kerb::Config;
using kerb::ConfigLimits;
using kerb::ErrorCategory;
using kerb::KdcAddress;
using kerb::test::TempDir;

namespace {

Config parse_ok(std::string_view text) {
  auto config = Config::parse(text);
  if (!config) FAIL("unexpected error: " << config.error().detail());
  return std::move(config).value();
}

std::string parse_error(std::string_view text, const ConfigLimits& limits = {}) {
  auto config = Config::parse(text, "krb5.conf", limits);
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().category() == ErrorCategory::kConfig);
  return std::string(config.error().detail());
}

std::vector<std::string> strings(const std::vector<std::string_view>& views) {
  return {views.begin(), views.end()};
}

// Enctype numbers (RFC 3961 §8), the oracle's terms.
std::vector<std::int32_t> numbers(std::span<const kerb::crypto::EncType> enctypes) {
  std::vector<std::int32_t> out;
  for (kerb::crypto::EncType e : enctypes)
    out.push_back(static_cast<std::int32_t>(e));
  return out;
}

// Sets an environment variable for one scope and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

constexpr std::string_view kSample = R"(# A client's krb5.conf
; semicolon comments too
[libdefaults]
    default_realm = KERB.TEST
    dns_lookup_kdc = false
    clockskew = 5m
	forwardable=yes
    ticket_lifetime = 10h
    renew_lifetime = 7d
    udp_preference_limit = 1
    permitted_enctypes = aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96
    kdc_timesync = 0

[realms]
    KERB.TEST = {
        kdc = kdc1.bank.test
        kdc = kdc2.bank.test:750
        kdc = [::1]:8888
        admin_server = kadmin.bank.test
    }
    OTHER.TEST = {
        kdc = 192.0.2.7
    }

[domain_realm]
    .bank.test = KERB.TEST
    bank.test = KERB.TEST
)";

}  // namespace

TEST_CASE("config: a typical client file", "[config]") {
  const Config c = parse_ok(kSample);
  CHECK(c.default_realm() == "KERB.TEST");
  CHECK(c.dns_lookup_kdc().value() == false);
  CHECK(c.clockskew().value() == 300);
  CHECK(c.forwardable().value());
  CHECK(c.ticket_lifetime().value() == 36000);
  CHECK(c.renew_lifetime().value() == 7 * 86400);
  CHECK(c.udp_preference_limit().value() == 1);
  CHECK(numbers(c.permitted_enctypes().value()) == std::vector<std::int32_t>{18, 17});
  CHECK_FALSE(c.kdc_timesync().value());
  CHECK(strings(c.realms()) == std::vector<std::string>{"KERB.TEST", "OTHER.TEST"});
  CHECK(c.kdcs("KERB.TEST").value() ==
        std::vector<KdcAddress>{{"kdc1.bank.test", 88}, {"kdc2.bank.test", 750}, {"::1", 8888}});
  CHECK(c.kdcs("OTHER.TEST").value() == std::vector<KdcAddress>{{"192.0.2.7", 88}});
  CHECK(c.kdcs("NOWHERE.TEST").value().empty());
  CHECK(c.admin_servers("KERB.TEST").value() == std::vector<KdcAddress>{{"kadmin.bank.test", 749}});
  CHECK(c.realm_for_host("www.bank.test") == "KERB.TEST");
}

TEST_CASE("config: an empty configuration gives every default", "[config]") {
  for (const Config& c : {Config(), parse_ok(""), parse_ok("# nothing\n\n   \n")}) {
    CHECK(c.empty());
    CHECK_FALSE(c.default_realm());
    CHECK(c.dns_lookup_kdc().value() == false);
    CHECK(c.udp_preference_limit().value() == 1465);
    CHECK(c.clockskew().value() == 300);
    CHECK(c.ticket_lifetime().value() == 86400);
    CHECK(c.renew_lifetime().value() == 0);
    CHECK(c.forwardable().value() == false);
    CHECK(c.allow_weak_crypto().value() == false);
    CHECK(c.kdc_timesync().value() == true);
    const std::vector<std::int32_t> defaults = numbers(kerb::crypto::default_enctypes());
#if KERB_WITH_CAMELLIA
    CHECK(defaults == std::vector<std::int32_t>{18, 17, 20, 19, 26, 25});
#else
    CHECK(defaults == std::vector<std::int32_t>{18, 17, 20, 19});
#endif
    CHECK(numbers(c.permitted_enctypes().value()) == defaults);
    CHECK(numbers(c.default_tkt_enctypes().value()) == defaults);
    CHECK(numbers(c.default_tgs_enctypes().value()) == defaults);
    CHECK(c.realms().empty());
    CHECK(c.kdcs("KERB.TEST").value().empty());
    CHECK_FALSE(c.realm_for_host("host.bank.test"));
  }
}

TEST_CASE("config: relation syntax", "[config]") {
  struct Case {
    std::string_view line;
    std::string_view tag;
    std::string_view value;
  };
  const Case cases[] = {
      {"a = b", "a", "b"},
      {"a=b", "a", "b"},
      {"   a   =    b   ", "a", "b"},
      {"\ta\t=\tb c  d\t", "a", "b c  d"},  // inner whitespace is kept
      {"a =", "a", ""},
      {"a = b = c", "a", "b = c"},
      {"a = \"quoted  value \"", "a", "quoted  value "},
      {"a = \"esc \\\"q\\\" \\\\ \\n\\t\\b\"  ", "a", "esc \"q\" \\ \n\t\b"},
      {"a = \"\"", "a", ""},
      {"a = # not a comment", "a", "# not a comment"},
      {"a.b-c_d = x", "a.b-c_d", "x"},
      {"a = b\r", "a", "b"},  // CRLF files
  };
  for (const Case& c : cases) {
    INFO(c.line);
    const Config config = parse_ok("[s]\n" + std::string(c.line) + "\n");
    CHECK(config.get({"s", c.tag}) == c.value);
  }
}

TEST_CASE("config: comments, blank lines and a last line without newline", "[config]") {
  const Config c = parse_ok("# one\n  ; two\n\n[s]\n\t# three\na = 1\n;a = 2\nb = 3");
  CHECK(strings(c.get_all({"s", "a"})) == std::vector<std::string>{"1"});
  CHECK(c.get({"s", "b"}) == "3");
}

TEST_CASE("config: nested subsections and generic access", "[config]") {
  const Config c = parse_ok(R"([appdefaults]
    pam = {
        debug = false
        KERB.TEST = {
            debug = true
            deeper = {
                x = 1
            }
        }
    }
    kinit = {
        forwardable = true
    }
)");
  CHECK(c.get({"appdefaults", "pam", "debug"}) == "false");
  CHECK(c.get({"appdefaults", "pam", "KERB.TEST", "debug"}) == "true");
  CHECK(c.get({"appdefaults", "pam", "KERB.TEST", "deeper", "x"}) == "1");
  CHECK(strings(c.subsection_names({"appdefaults"})) == std::vector<std::string>{"pam", "kinit"});
  CHECK(strings(c.subsection_names({"appdefaults", "pam"})) ==
        std::vector<std::string>{"KERB.TEST"});
  // A subsection is not a value and a value is not a subsection.
  CHECK_FALSE(c.get({"appdefaults", "pam"}));
  CHECK_FALSE(c.get({"appdefaults", "pam", "debug", "x"}));
  CHECK_FALSE(c.get({"appdefaults"}));
  CHECK_FALSE(c.get({}));
  // Tags are case-sensitive.
  CHECK_FALSE(c.get({"appdefaults", "PAM", "debug"}));
}

// (No ';' in test names: catch_discover_tests splits names there, and ctest would run nothing.)
TEST_CASE("config: repeated relations keep their order, repeated sections merge", "[config]") {
  const Config c = parse_ok(R"([realms]
    KERB.TEST = {
        kdc = one
        kdc = two
    }
[libdefaults]
    default_realm = FIRST.TEST
[realms]
    KERB.TEST = {
        kdc = three
    }
[libdefaults]
    default_realm = SECOND.TEST
)");
  CHECK(strings(c.get_all({"realms", "KERB.TEST", "kdc"})) ==
        std::vector<std::string>{"one", "two", "three"});
  CHECK(c.get({"realms", "KERB.TEST", "kdc"}) == "one");
  CHECK(c.default_realm() == "FIRST.TEST");  // the first value wins, as in MIT
  CHECK(strings(c.get_all({"libdefaults", "default_realm"})) ==
        std::vector<std::string>{"FIRST.TEST", "SECOND.TEST"});
  CHECK(strings(c.realms()) == std::vector<std::string>{"KERB.TEST"});
}

TEST_CASE("config: final marks freeze a path", "[config]") {
  SECTION("a final section ignores later occurrences") {
    const Config c = parse_ok(
        "[libdefaults]*\ndefault_realm = A.TEST\n[libdefaults]\ndefault_realm = B.TEST\n"
        "clockskew = 1\n");
    CHECK(strings(c.get_all({"libdefaults", "default_realm"})) ==
          std::vector<std::string>{"A.TEST"});
    CHECK(c.clockskew().value() == 300);
  }
  SECTION("a final relation ignores later values of its tag") {
    const Config c = parse_ok("[s]\na* = 1\na = 2\nb = 3\n[s]\na = 4\nb = 5\n");
    CHECK(strings(c.get_all({"s", "a"})) == std::vector<std::string>{"1"});
    CHECK(strings(c.get_all({"s", "b"})) == std::vector<std::string>{"3", "5"});
  }
  SECTION("a subsection made final at its tag") {
    const Config c = parse_ok(
        "[realms]\nR* = {\nkdc = a\nkdc = b\n}\nR = {\nkdc = c\n}\n[realms]\nR = {\nkdc = d\n}\n");
    CHECK(strings(c.get_all({"realms", "R", "kdc"})) == std::vector<std::string>{"a", "b"});
  }
  SECTION("a subsection made final at its closing brace") {
    const Config c =
        parse_ok("[realms]\nR = {\nkdc = a\n}\nR = {\nkdc = b\n}*\nR = {\nkdc = c\n}\n");
    CHECK(strings(c.get_all({"realms", "R", "kdc"})) == std::vector<std::string>{"a", "b"});
  }
  SECTION("ignored content is still checked") {
    CHECK(parse_error("[s]*\n[s]\na b\n") == "krb5.conf:3: missing '=' after tag");
  }
}

TEST_CASE("config: final marks act on paths, whichever block or kind made them", "[config]") {
  SECTION("a nested relation made final in one block hides it in a later block") {
    const Config c = parse_ok("[s]\na = {\nb* = 1\n}\n[s]\na = {\nb = 2\nc = 3\n}\n");
    CHECK(strings(c.get_all({"s", "a", "b"})) == std::vector<std::string>{"1"});
    CHECK(strings(c.get_all({"s", "a", "c"})) == std::vector<std::string>{"3"});
  }
  SECTION("a final relation hides a later subsection with its tag") {
    const Config c = parse_ok("[s]\na* = 1\na = {\nx = 1\n}\n");
    CHECK(strings(c.get_all({"s", "a"})) == std::vector<std::string>{"1"});
    CHECK(c.subsection_names({"s"}).empty());
    CHECK_FALSE(c.get({"s", "a", "x"}));
  }
  SECTION("a final subsection hides a later relation with its tag") {
    const Config c = parse_ok("[s]\na* = {\nx = 1\n}\na = 2\n");
    CHECK(c.get_all({"s", "a"}).empty());
    CHECK(c.get({"s", "a", "x"}) == "1");
    CHECK(strings(c.subsection_names({"s"})) == std::vector<std::string>{"a"});
  }
  SECTION("a relation made final after a subsection with its tag") {
    const Config c = parse_ok("[s]\na = {\nx = 1\n}\na* = 2\na = {\nx = 3\n}\na = 4\n");
    CHECK(strings(c.get_all({"s", "a"})) == std::vector<std::string>{"2"});
    CHECK(strings(c.get_all({"s", "a", "x"})) == std::vector<std::string>{"1"});
  }
  SECTION("without final marks a relation and a subsection share a tag") {
    const Config c = parse_ok("[s]\na = 1\na = {\nx = 2\n}\na = 3\n");
    CHECK(strings(c.get_all({"s", "a"})) == std::vector<std::string>{"1", "3"});
    CHECK(c.get({"s", "a", "x"}) == "2");
  }
  SECTION("a final mark inside a block ignored by an earlier one changes nothing") {
    const Config c =
        parse_ok("[s]\nR* = {\n}\nR = {\nin = {\nx = 1\n}*\ny* = 2\n}\nR = {\nin = {\n}\n}\n");
    CHECK(c.subsection_names({"s", "R"}).empty());
    CHECK_FALSE(c.get({"s", "R", "y"}));
    CHECK(strings(c.subsection_names({"s"})) == std::vector<std::string>{"R"});
  }
  SECTION("the mark is one trailing '*'; more is part of the tag") {
    const Config c = parse_ok("[s]\na** = 1\na* = 2\na** = 3\na = 4\n");
    CHECK(strings(c.get_all({"s", "a*"})) == std::vector<std::string>{"1"});
    CHECK(strings(c.get_all({"s", "a"})) == std::vector<std::string>{"2"});
  }
  SECTION("a final section keeps its own later relations in the same header") {
    const Config c = parse_ok("[s]*\na = 1\nt = {\nb = 1\n}\na = 2\n[s]\na = 3\n");
    CHECK(strings(c.get_all({"s", "a"})) == std::vector<std::string>{"1", "2"});
    CHECK(c.get({"s", "t", "b"}) == "1");
  }
  SECTION("ignored content is still syntax-checked and nests") {
    CHECK(parse_error("[s]*\n[s]\na = \"x\n") == "krb5.conf:3: missing closing '\"'");
    CHECK(parse_error("[s]*\n[s]\nt = {\nu = {\n}\n") == "krb5.conf:3: missing '}' for this '{'");
    CHECK(parse_error("[s]\nt* = {\n}\nt = {\n} x\n") == "krb5.conf:5: unexpected text after '}'");
  }
}

TEST_CASE("config: subsections merge by path, in reading order", "[config]") {
  SECTION("relations after a subsection belong to the section") {
    const Config c = parse_ok("[s]\na = 1\nsub = {\nx = 1\n}\nb = 2\na = 3\n");
    CHECK(c.get({"s", "b"}) == "2");
    CHECK(strings(c.get_all({"s", "a"})) == std::vector<std::string>{"1", "3"});
    CHECK(c.get({"s", "sub", "x"}) == "1");
    CHECK_FALSE(c.get({"s", "sub", "b"}));
  }
  SECTION("names appear once, in the order first read") {
    const Config c =
        parse_ok("[realms]\nB = {\n}\n[x]\ny = 1\n[realms]\nA = {\n}\nB = {\n}\n[x]\n[realms]\n");
    CHECK(strings(c.realms()) == std::vector<std::string>{"B", "A"});
    CHECK(strings(c.subsection_names({})) == std::vector<std::string>{"realms", "x"});
    CHECK(strings(c.subsection_names({"x"})).empty());
    CHECK(c.subsection_names({"x", "y"}).empty());  // a relation has no subsections
    CHECK(c.subsection_names({"none"}).empty());
    CHECK(c.get_all({"realms", "B"}).empty());  // a subsection has no values
  }
  SECTION("deeper subsections merge too, values interleaved in reading order") {
    const Config c = parse_ok(
        "[a]\nb = {\nc = {\nx = 1\n}\n}\nother = {\nx = 9\n}\n[a]\nb = {\nc = {\nx = 2\n}\n"
        "d = {\n}\n}\n");
    CHECK(strings(c.get_all({"a", "b", "c", "x"})) == std::vector<std::string>{"1", "2"});
    CHECK(strings(c.subsection_names({"a", "b"})) == std::vector<std::string>{"c", "d"});
    CHECK(strings(c.subsection_names({"a"})) == std::vector<std::string>{"b", "other"});
  }
  SECTION("an empty section is still a section") {
    const Config c = parse_ok("[s]\n");
    CHECK_FALSE(c.empty());
    CHECK(strings(c.subsection_names({})) == std::vector<std::string>{"s"});
    CHECK(parse_ok("[s]*\n[s]\n").subsection_names({}).size() == 1);
  }
  SECTION("missing '}' names the innermost open '{'") {
    CHECK(parse_error("[s]\na = {\n}\nb = {\nc = {\n}\n") ==
          "krb5.conf:4: missing '}' for this '{'");
    CHECK(parse_error("[s]\na = {\n}\na = {\n") == "krb5.conf:4: missing '}' for this '{'");
    CHECK(parse_error("[s]\na = {\nb = {\n}\n}\na = {\nb = {\n") ==
          "krb5.conf:7: missing '}' for this '{'");
    CHECK(parse_error("[s]\na* = {\n}\na = {\nb = {\n}\n") ==
          "krb5.conf:4: missing '}' for this '{'");
  }
  SECTION("views survive moving the Config") {
    auto r = Config::parse("[s]\na = 1\n");
    REQUIRE(r);
    const auto value = r->get({"s", "a"});
    const auto names = r->subsection_names({});
    const Config moved = std::move(r).value();
    CHECK(value == "1");
    CHECK(strings(names) == std::vector<std::string>{"s"});
    CHECK(moved.get({"s", "a"}) == "1");
  }
}

TEST_CASE("config: more syntax, pinned", "[config]") {
  struct Ok {
    std::string_view text;
    std::vector<std::string_view> path;
    std::string_view value;
  };
  const Ok good[] = {
      {"[ a ]\nb = 1\n", {" a ", "b"}, "1"},  // section names are taken as written
      {"[a[b]\nc = 1\n", {"a[b", "c"}, "1"},
      {"[a]*  \nb = 1\n", {"a", "b"}, "1"},
      {"[a]\nb={\nc=1\n}*  \n", {"a", "b", "c"}, "1"},
      {"[a]\nb = {   \nc = 1\n}\n", {"a", "b", "c"}, "1"},
      {"[a]\nb = x \"y\"\n", {"a", "b"}, "x \"y\""},
      {"[a]\nb\"c = 1\n", {"a", "b\"c"}, "1"},
      {"[a]\nb = \"\\x\\\"\"\n", {"a", "b"}, "x\""},
      {"[a]\nb = c\rd\n", {"a", "b"}, "c\rd"},  // only a line's last CR goes
      {"[a]\nb = c\r\r\n", {"a", "b"}, "c"},
      {"[a]\r\nb = \"c\"\r\n", {"a", "b"}, "c"},
      {"module x\n[a]\nb = 1\n", {"a", "b"}, "1"},
      {"[a]\nmodule=1\n", {"a", "module"}, "1"},  // "module" not followed by a space
  };
  for (const Ok& c : good) {
    INFO(c.text);
    const Config config = parse_ok(c.text);
    CHECK(config.get(std::span<const std::string_view>(c.path)) == c.value);
  }
  struct Bad {
    std::string_view text;
    std::string_view detail;
  };
  const Bad bad[] = {
      {"[a]\nb = {}\n", "krb5.conf:2: unexpected text after '{'"},
      {"[a]\nb = {\n} *\n", "krb5.conf:3: unexpected text after '}'"},
      {"[a]]\n", "krb5.conf:1: unexpected text after section header"},
      {"[a]\nb * = 1\n", "krb5.conf:2: missing '=' after tag"},
      {"x\n", "krb5.conf:1: missing '=' after tag"},
      {"}\n", "krb5.conf:1: '}' without a matching '{'"},
      {"a = {\n", "krb5.conf:1: relation outside a section"},
      {"a = \"x\n", "krb5.conf:1: relation outside a section"},
      {std::string_view("# a\0b\n", 6), "krb5.conf:1: NUL byte in line"},
      {"[a]\ninclude\n", "krb5.conf:2: missing '=' after tag"},
      {"[a]\nmodule\n", "krb5.conf:2: missing '=' after tag"},
      {"[a]\n  module x\n", "krb5.conf:2: missing '=' after tag"},  // indented: a relation
      {"[a]\nb = \"x\" # c\n", "krb5.conf:2: unexpected text after quoted value"},
      {"includedir \n", "krb5.conf:1: include needs a path"},
      {"[a]\nb = {\n[c]*\n", "krb5.conf:3: section header inside a '{' block"},
  };
  for (const Bad& c : bad) {
    INFO(c.text);
    CHECK(parse_error(c.text) == c.detail);
  }
  // "module" and a space start a module line, whatever follows.
  CHECK_FALSE(parse_ok("[a]\nmodule = 1\n").get({"a", "module"}));
  ConfigLimits no_includes;
  no_includes.follow_includes = false;
  CHECK(parse_error("[a]\nb = {\ninclude\tx\n", no_includes) ==
        "krb5.conf:3: include directives are not allowed here");
  CHECK(parse_error("include\t \n", no_includes) ==
        "krb5.conf:1: include directives are not allowed here");
}

TEST_CASE("config: the nesting limit, exactly", "[config]") {
  ConfigLimits limits;
  limits.max_nesting = 3;
  auto ok = Config::parse("[s]\na = {\nb = {\nc = {\nx = 1\n}\n}\n}\n", "krb5.conf", limits);
  REQUIRE(ok);
  CHECK(ok->get({"s", "a", "b", "c", "x"}) == "1");
  CHECK(parse_error("[s]\na = {\nb = {\nc = {\nd = {\n", limits) ==
        "krb5.conf:5: '{' blocks nested too deeply");
  // Blocks of ignored content count too.
  CHECK(parse_error("[s]*\n[s]\na = {\nb = {\nc = {\nd = {\n", limits) ==
        "krb5.conf:6: '{' blocks nested too deeply");
  limits.max_nesting = 0;
  CHECK(parse_error("[s]\na = {\n", limits) == "krb5.conf:2: '{' blocks nested too deeply");
}

TEST_CASE("config: the entry limit, exactly", "[config]") {
  // A 4-byte "a=b" line costs a node of some 28 bytes: a 1 MiB file of them took 16 MB.
  std::string text = "[s]\n";
  for (int i = 1; i < 65536; ++i)
    text += "a=b\n";
  auto at_limit = Config::parse(text);
  REQUIRE(at_limit);
  CHECK(at_limit->get_all({"s", "a"}).size() == 65535);
  text += "a=b\n";
  CHECK(parse_error(text) == "krb5.conf:65537: more than 65536 sections and relations");

  ConfigLimits limits;
  limits.max_entries = 3;
  // Comments, blank lines and '}' take no memory and do not count; ignored entries do.
  CHECK(Config::parse("[s]\n# c\n; c\n\na = {\n}\nb = 1\n", "krb5.conf", limits));
  CHECK(parse_error("[s]\na = {\n}\nb = 1\n[t]\n", limits) ==
        "krb5.conf:5: more than 3 sections and relations");
  CHECK(parse_error("[s]*\n[s]\nb = 1\nc = 2\n", limits) ==
        "krb5.conf:4: more than 3 sections and relations");
}

TEST_CASE("config: syntax errors name the file and line", "[config]") {
  struct Case {
    std::string_view text;
    std::string_view detail;
  };
  const Case cases[] = {
      {"[libdefaults]\n  forwardable yes\n", "krb5.conf:2: missing '=' after tag"},
      {"[libdefaults]\nforwardable\n", "krb5.conf:2: missing '=' after tag"},
      {"a = b\n", "krb5.conf:1: relation outside a section"},
      {"\n\n[libdefaults\n", "krb5.conf:3: missing ']' after section name"},
      {"[]\n", "krb5.conf:1: empty section name"},
      {"[a] b\n", "krb5.conf:1: unexpected text after section header"},
      {"[a]**\n", "krb5.conf:1: unexpected text after section header"},
      {"[a]\n}\n", "krb5.conf:2: '}' without a matching '{'"},
      {"[a]\nb = {\nc = d\n", "krb5.conf:2: missing '}' for this '{'"},
      {"[a]\nb = {\n[c]\n", "krb5.conf:3: section header inside a '{' block"},
      {"[a]\nb = { c = d }\n", "krb5.conf:2: unexpected text after '{'"},
      {"[a]\nb = {\n} c\n", "krb5.conf:3: unexpected text after '}'"},
      {"[a]\n= b\n", "krb5.conf:2: missing tag before '='"},
      {"[a]\n* = b\n", "krb5.conf:2: missing tag before '='"},
      {"[a]\nb = \"open\n", "krb5.conf:2: missing closing '\"'"},
      {"[a]\nb = \"x\\\"\n", "krb5.conf:2: missing closing '\"'"},
      {"[a]\nb = \"x\" y\n", "krb5.conf:2: unexpected text after quoted value"},
      {std::string_view("[a]\nb = c\0d\n", 12), "krb5.conf:2: NUL byte in line"},
      {"[a]\nb = {\ninclude /etc/hosts\n}\n", "krb5.conf:3: include inside a '{' block"},
      {"[a]\ninclude\t \n", "krb5.conf:2: include needs a path"},
      // Directives start the line; indented, it is a relation without '='.
      {"[a]\n  include /etc/hosts\n", "krb5.conf:2: missing '=' after tag"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(parse_error(c.text) == c.detail);
  }
}

TEST_CASE("config: the name given to parse() appears in messages", "[config]") {
  auto c = Config::parse("x = 1\n", "/etc/krb5.conf");
  REQUIRE_FALSE(c);
  CHECK(c.error().detail() == "/etc/krb5.conf:1: relation outside a section");
  auto long_name =
      Config::parse("x = 1\n", "/a/very/long/directory/name/that/keeps/going/on/krb5.conf");
  REQUIRE_FALSE(long_name);
  CHECK(long_name.error().detail() ==
        "...ctory/name/that/keeps/going/on/krb5.conf:1: relation outside a section");
}

TEST_CASE("config: bounded nesting, size and includes", "[config]") {
  std::string deep = "[s]\n";
  for (int i = 0; i < 40; ++i)
    deep += "t = {\n";
  CHECK(parse_error(deep) == "krb5.conf:34: '{' blocks nested too deeply");

  ConfigLimits small;
  small.max_file_size = 16;
  CHECK(parse_error("[libdefaults]\nclockskew = 1\n", small) ==
        "krb5.conf: file too large (limit 16 bytes)");

  ConfigLimits no_includes;
  no_includes.follow_includes = false;
  CHECK(parse_error("include /etc/krb5.conf\n", no_includes) ==
        "krb5.conf:1: include directives are not allowed here");
  CHECK(parse_error("includedir /etc\n", no_includes) ==
        "krb5.conf:1: include directives are not allowed here");
  // module lines are accepted and ignored, even without includes.
  auto modules = Config::parse("module /usr/lib/x.so:init\n[s]\na = 1\n", "krb5.conf", no_includes);
  REQUIRE(modules);
  CHECK(modules->get({"s", "a"}) == "1");
}

TEST_CASE("config: include and includedir", "[config]") {
  TempDir dir;
  const std::string extra =
      dir.write("extra.conf", "[realms]\nKERB.TEST = {\n kdc = included\n}\n");
  dir.write("d/10-first", "[s]\nv = 10-first\n");
  dir.write("d/20_second.conf", "[s]\nv = 20_second.conf\n");
  dir.write("d/05-zero", "[s]\nv = 05-zero\n");
  dir.write("d/Upper", "[s]\nv = Upper\n");
  // Skipped: not [A-Za-z0-9_-] and not *.conf, or a dot file, or a directory.
  dir.write("d/backup~", "[s]\nv = backup~\n");
  dir.write("d/notes.txt", "[s]\nv = notes.txt\n");
  dir.write("d/.hidden.conf", "[s]\nv = .hidden.conf\n");
  dir.write("d/sub/inner", "[s]\nv = inner\n");
  std::filesystem::create_directories(dir.path("d/subdir.conf"));

  const std::string main =
      dir.write("krb5.conf", "[realms]\nKERB.TEST = {\n kdc = main-before\n}\ninclude " + extra +
                                 "\nincludedir " + dir.path("d") +
                                 "\n[realms]\nKERB.TEST = {\n kdc = main-after\n}\n");
  auto c = Config::load_files({main});
  REQUIRE(c);
  CHECK(strings(c->get_all({"realms", "KERB.TEST", "kdc"})) ==
        std::vector<std::string>{"main-before", "included", "main-after"});
  CHECK(strings(c->get_all({"s", "v"})) ==
        std::vector<std::string>{"05-zero", "10-first", "20_second.conf", "Upper"});

  SECTION("an included file starts without a section") {
    const std::string bare = dir.write("bare.conf", "a = b\n");
    const std::string top = dir.write("top.conf", "[s]\ninclude " + bare + "\n");
    auto r = Config::load_files({top});
    REQUIRE_FALSE(r);
    CHECK(r.error().detail().find("bare.conf:1: relation outside a section") !=
          std::string_view::npos);
  }
  SECTION("the includer's section continues after the include") {
    const std::string inc = dir.write("inc.conf", "[other]\nx = 1\n");
    const std::string top = dir.write("top.conf", "[s]\na = 1\ninclude " + inc + "\nb = 2\n");
    auto r = Config::load_files({top});
    REQUIRE(r);
    CHECK(r->get({"s", "b"}) == "2");
    CHECK(r->get({"other", "x"}) == "1");
  }
  SECTION("a missing include is an error at the include line") {
    const std::string top =
        dir.write("t.conf", "[s]\n\ninclude " + dir.path("missing.conf") + "\n");
    auto r = Config::load_files({top});
    REQUIRE_FALSE(r);
    CHECK(r.error().category() == ErrorCategory::kConfig);
    CHECK(r.error().detail().find("t.conf:3: cannot read '") != std::string_view::npos);
    const std::string top2 = dir.write("t2.conf", "includedir " + dir.path("nodir") + "\n");
    auto r2 = Config::load_files({top2});
    REQUIRE_FALSE(r2);
    CHECK(r2.error().detail().find("t2.conf:1: cannot open directory") != std::string_view::npos);
  }
  SECTION("an include cycle stops at the depth limit") {
    const std::string loop = dir.path("loop.conf");
    dir.write("loop.conf", "[s]\nv = x\ninclude " + loop + "\n");
    auto r = Config::load_files({loop});
    REQUIRE_FALSE(r);
    CHECK(r.error().detail().find("loop.conf:3: includes nested too deeply") !=
          std::string_view::npos);
  }
  SECTION("the number of files read is bounded") {
    ConfigLimits limits;
    limits.max_files = 3;
    auto r = Config::load_files({main}, limits);
    REQUIRE_FALSE(r);
    CHECK(r.error().detail().find("too many files in '") != std::string_view::npos);
    CHECK(r.error().detail().find("(limit 3)") != std::string_view::npos);
    // Counted across files: the includer, extra.conf, and then one file of d/ too many.
    limits.max_files = 2;
    dir.write("one/only", "[s]\nv = only\n");
    const std::string top =
        dir.write("top.conf", "include " + extra + "\nincludedir " + dir.path("one") + "\n");
    auto r2 = Config::load_files({top}, limits);
    REQUIRE_FALSE(r2);
    CHECK(r2.error().detail().find("only: too many configuration files (limit 2)") !=
          std::string_view::npos);
  }
  SECTION("an error inside an included file names that file") {
    const std::string broken = dir.write("broken.conf", "[s]\n\n\nno equals sign\n");
    const std::string top = dir.write("top.conf", "include " + broken + "\n");
    auto r = Config::load_files({top});
    REQUIRE_FALSE(r);
    CHECK(r.error().detail().find("broken.conf:4: missing '=' after tag") !=
          std::string_view::npos);
  }
}

TEST_CASE("config: includedir reads names in byte order", "[config]") {
  TempDir dir;
  for (const char* name : {"b-lower", "z.conf", "A-upper", "z", "Upper", "9", "_x", ".conf",
                           "-dash", "a.conf.bak", "x.CONF"}) {
    dir.write(std::string("d/") + name, std::string("[s]\nv = ") + name + "\n");
  }
  const std::string top = dir.write("top.conf", "includedir " + dir.path("d") + "\n");
  auto c = Config::load_files({top});
  REQUIRE(c);
  CHECK(strings(c->get_all({"s", "v"})) ==
        std::vector<std::string>{"-dash", "9", "A-upper", "Upper", "_x", "b-lower", "z", "z.conf"});
  // A directory given as a top-level path reads the same way.
  auto d = Config::load_files({dir.path("d")});
  REQUIRE(d);
  CHECK(strings(d->get_all({"s", "v"})) == strings(c->get_all({"s", "v"})));
}

TEST_CASE("config: limits and errors across files", "[config]") {
  TempDir dir;
  const std::string a = dir.write("a.conf", "[s]\nv = a\n");                 // 10 bytes
  const std::string b = dir.write("b.conf", "[s]\nv = b\nclockskew = x\n");  // 24 bytes
  SECTION("max_total_size counts every file of the load") {
    ConfigLimits limits;
    limits.max_total_size = 33;
    auto r = Config::load_files({a, b}, limits);
    REQUIRE_FALSE(r);
    CHECK(r.error().detail().find("b.conf: configuration too large (limit 33 bytes)") !=
          std::string_view::npos);
    limits.max_total_size = 34;
    REQUIRE(Config::load_files({a, b}, limits));
  }
  SECTION("max_file_size, top-level and included") {
    ConfigLimits limits;
    limits.max_file_size = 100;
    const std::string big = dir.write("b.conf", "[s]\n" + std::string(100, '#') + "\n");
    auto r = Config::load_files({big}, limits);
    REQUIRE_FALSE(r);
    CHECK(r.error().detail().find("b.conf: cannot read: file too large") != std::string_view::npos);
    const std::string top = dir.write("top.conf", "\ninclude " + big + "\n");
    REQUIRE(top.size() + 10 < 100);
    auto r2 = Config::load_files({top}, limits);
    REQUIRE_FALSE(r2);
    CHECK(r2.error().detail().find("top.conf:2: cannot read '") != std::string_view::npos);
    CHECK(r2.error().detail().find("b.conf': file too large") != std::string_view::npos);
  }
  SECTION("max_include_depth") {
    const std::string inner = dir.write("inner.conf", "include " + a + "\n");
    const std::string outer = dir.write("outer.conf", "include " + inner + "\n");
    ConfigLimits limits;
    limits.max_include_depth = 2;
    REQUIRE(Config::load_files({outer}, limits));
    limits.max_include_depth = 1;
    auto r = Config::load_files({outer}, limits);
    REQUIRE_FALSE(r);
    CHECK(r.error().detail().find("inner.conf:1: includes nested too deeply") !=
          std::string_view::npos);
  }
  SECTION("a bad value names the file it came from") {
    const std::string top = dir.write("top.conf", "[libdefaults]\nclockskew = 1m\ninclude " + b +
                                                      "\n[libdefaults]\nforwardable = x\n");
    auto r = Config::load_files({a, top});
    REQUIRE(r);
    CHECK(r->clockskew().value() == 60);
    CHECK(r->forwardable().error().detail().find("top.conf:5: forwardable: bad boolean 'x'") !=
          std::string_view::npos);
    auto r2 = Config::load_files({b});
    REQUIRE(r2);
    CHECK(r2->get({"s", "clockskew"}) == "x");
    const std::string_view realm_path[] = {"s", "v"};
    CHECK(r2->get(realm_path) == "b");
  }
  SECTION("a long name is cut in value errors too") {
    auto r = Config::parse("[libdefaults]\nclockskew = x\n",
                           "/a/very/long/directory/name/that/keeps/going/on/krb5.conf");
    REQUIRE(r);
    CHECK(r->clockskew().error().detail() ==
          "...ctory/name/that/keeps/going/on/krb5.conf:2: clockskew: bad duration 'x'");
  }
}

TEST_CASE("config: several files, final marks across them", "[config]") {
  TempDir dir;
  const std::string first = dir.write("first", R"([libdefaults]
    default_realm = FIRST.TEST
    clockskew* = 60
[realms]
    FIRST.TEST = {
        kdc = f1
    }*
    SHARED.TEST = {
        kdc = s1
    }
)");
  const std::string second = dir.write("second", R"([libdefaults]
    default_realm = SECOND.TEST
    clockskew = 600
    forwardable = true
[realms]
    FIRST.TEST = {
        kdc = f2
    }
    SHARED.TEST = {
        kdc = s2
    }
)");
  auto c = Config::load_files({first, dir.path("missing"), second});
  REQUIRE(c);
  CHECK(c->default_realm() == "FIRST.TEST");
  CHECK(c->clockskew().value() == 60);
  CHECK(c->forwardable().value());
  CHECK(c->kdcs("FIRST.TEST").value() == std::vector<KdcAddress>{{"f1", 88}});
  CHECK(c->kdcs("SHARED.TEST").value() == std::vector<KdcAddress>{{"s1", 88}, {"s2", 88}});

  SECTION("a final section in the first file hides the second's") {
    const std::string locked = dir.write("locked", "[libdefaults]*\nclockskew = 1m\n");
    auto r = Config::load_files({locked, second});
    REQUIRE(r);
    CHECK(r->clockskew().value() == 60);
    CHECK_FALSE(r->default_realm());
    CHECK(r->forwardable().value() == false);
    CHECK(r->kdcs("SHARED.TEST").value() == std::vector<KdcAddress>{{"s2", 88}});
  }
}

TEST_CASE("config: KRB5_CONFIG", "[config]") {
  TempDir dir;
  const std::string a = dir.write("a.conf", "[libdefaults]\ndefault_realm = A.TEST\n");
  const std::string b = dir.write("b.conf", "[libdefaults]\nclockskew = 2m\ndefault_realm = B\n");
  dir.write("confdir/x", "[libdefaults]\nforwardable = on\n");

  SECTION("a colon-separated list; missing files skipped") {
    const std::string list = dir.path("none.conf") + ":" + a + "::" + b + ":" + dir.path("confdir");
    ScopedEnv env("KRB5_CONFIG", list.c_str());
    auto c = Config::load_from_env();
    REQUIRE(c);
    CHECK(c->default_realm() == "A.TEST");
    CHECK(c->clockskew().value() == 120);
    CHECK(c->forwardable().value());
    auto same = Config::load_path_list(list);
    REQUIRE(same);
    CHECK(same->clockskew().value() == 120);
  }
  SECTION("every file missing gives an empty configuration") {
    const std::string list = dir.path("none1") + ":" + dir.path("none2/x");
    ScopedEnv env("KRB5_CONFIG", list.c_str());
    auto c = Config::load_from_env();
    REQUIRE(c);
    CHECK(c->empty());
    CHECK(c->clockskew().value() == 300);
  }
  SECTION("an error names the file") {
    const std::string bad = dir.write("bad.conf", "[libdefaults]\nclockskew\n");
    ScopedEnv env("KRB5_CONFIG", (a + ":" + bad).c_str());
    auto c = Config::load_from_env();
    REQUIRE_FALSE(c);
    CHECK(c.error().detail().find("bad.conf:2: missing '=' after tag") != std::string_view::npos);
  }
  SECTION("unset: the default path, which may be absent") {
    ScopedEnv env("KRB5_CONFIG", nullptr);
    auto c = Config::load_from_env();
    if (!c) FAIL(c.error().detail());  // any real /etc/krb5.conf must parse
  }
  SECTION("an unreadable file is an error, not skipped") {
    if (::geteuid() == 0) return;  // root reads everything
    const std::string locked = dir.write("locked.conf", "[s]\na = 1\n");
    ::chmod(locked.c_str(), 0);
    auto c = Config::load_files({locked});
    REQUIRE_FALSE(c);
    CHECK(c.error().detail().find("cannot read") != std::string_view::npos);
  }
}

TEST_CASE("config: durations", "[config]") {
  struct Case {
    std::string_view text;
    std::int64_t seconds;
  };
  const Case good[] = {
      {"300", 300},
      {"0", 0},
      {"5m", 300},
      {"1h", 3600},
      {"1d", 86400},
      {"1h 30m", 5400},
      {"1h30m", 5400},
      {"8h30s", 8 * 3600 + 30},
      {"10d 0h 30m", 865800},
      {"2d4h", 187200},
      {"1d 2h 3m 4s", 93784},
      {"36:00", 129600},
      {"1:30", 5400},
      {"1:30:15", 5415},
      {"1d 10:00", 122400},
      {"1d10:00:01", 122401},
      {" 10s ", 10},
      {"10 s", 10},
      {"-5m", -300},
      {"- 1h", -3600},
      {"2147483647", 2147483647},
      {"24855d 3h 14m 7s", 2147483647},
  };
  for (const Case& c : good) {
    INFO(c.text);
    auto d = kerb::parse_duration(c.text);
    REQUIRE(d);
    CHECK(*d == c.seconds);
  }
  const std::string_view bad[] = {
      "",       " ",           "-",    "5x",  "m",     "1h 30",   "30m 1h",  "1h 1h",
      "1:60",   "1:",          "1::2", ":30", "1:30x", "1h 1:00", "1:30:60", "2147483648",
      "24856d", "99999999999", "1.5h", "1H",  "+5",    "5 m m",
  };
  for (std::string_view text : bad) {
    INFO(text);
    auto d = kerb::parse_duration(text);
    REQUIRE_FALSE(d);
    CHECK(d.error().category() == ErrorCategory::kConfig);
  }
}

TEST_CASE("config: booleans and integers", "[config]") {
  for (std::string_view t : {"y", "yes", "true", "t", "1", "on", "YES", "True", " on "}) {
    INFO(t);
    CHECK(kerb::parse_config_boolean(t).value() == true);
  }
  for (std::string_view t : {"n", "no", "false", "nil", "0", "off", "NO", "Off"}) {
    INFO(t);
    CHECK(kerb::parse_config_boolean(t).value() == false);
  }
  for (std::string_view t : {"", "2", "yess", "tru", "enabled", "o"}) {
    INFO(t);
    CHECK_FALSE(kerb::parse_config_boolean(t));
  }
  CHECK(kerb::parse_config_integer("42").value() == 42);
  CHECK(kerb::parse_config_integer(" -7 ").value() == -7);
  CHECK(kerb::parse_config_integer("+7").value() == 7);
  CHECK(kerb::parse_config_integer("2147483647").value() == 2147483647);
  CHECK(kerb::parse_config_integer("-2147483648").value() == INT32_MIN);
  for (std::string_view t : {"", "-", "2147483648", "1e3", "0x10", "12a", "99999999999999"}) {
    INFO(t);
    CHECK_FALSE(kerb::parse_config_integer(t));
  }
}

TEST_CASE("config: enctype lists", "[config]") {
  using List = std::vector<std::int32_t>;
  struct Case {
    std::string_view text;
    List expected;
  };
  const Case cases[] = {
    {"aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96", {18, 17}},
    {"aes256-cts,aes128-cts", {18, 17}},
    {" aes256-sha1 ,\taes128-sha1 ", {18, 17}},
    {"aes256-sha2 aes128-sha2", {20, 19}},
    {"aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128", {20, 19}},
    {"aes", {18, 17, 20, 19}},
#if KERB_WITH_CAMELLIA
    {"camellia", {26, 25}},
    {"camellia256-cts-cmac camellia128-cts", {26, 25}},
    {"DEFAULT", {18, 17, 20, 19, 26, 25}},
#else
    // Built without Camellia, its names are unknown names: skipped, as MIT skips those.
    {"camellia aes256-cts", {18}},
    {"camellia256-cts-cmac CAMELLIA128-CTS aes128-cts", {17}},
    {"DEFAULT", {18, 17, 20, 19}},
#endif
#if KERB_WITH_RC4_HMAC
    {"rc4-hmac", {23}},
    {"arcfour-hmac arcfour-hmac-md5 rc4-hmac", {23}},
    {"rc4", {23}},
#else
    {"rc4-hmac aes128-sha2", {19}},
    {"arcfour-hmac arcfour-hmac-md5 rc4 aes256-sha2", {20}},
#endif
#if KERB_WITH_CAMELLIA && KERB_WITH_RC4_HMAC
    {"DEFAULT -aes128-cts +rc4-hmac", {18, 20, 19, 26, 25, 23}},
#elif !KERB_WITH_CAMELLIA && !KERB_WITH_RC4_HMAC
    {"DEFAULT -aes128-cts +rc4-hmac", {18, 20, 19}},
#endif
    {"des3-cbc-sha1 des3", {16}},
    {"default -camellia", {18, 17, 20, 19}},
    {"AES256-CTS Aes128-Cts", {18, 17}},
    {"18 17 23", {18, 17, 23}},
    {"aes -17", {18, 20, 19}},
    {"aes256-cts aes aes256-cts", {18, 17, 20, 19}},
    {"des-cbc-crc des-cbc-md5", {1, 3}},
    {"unknown-enctype aes256-cts future-thing", {18}},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto list = kerb::parse_enctype_list(c.text);
    REQUIRE(list);
    CHECK(numbers(*list) == c.expected);
  }
  for (std::string_view text : {
         "", " , ", "unknown", "aes -aes", "-aes256-cts", "99999999999",
#if !KERB_WITH_CAMELLIA
             "camellia", "camellia128-cts-cmac camellia256-cts",
#endif
#if !KERB_WITH_RC4_HMAC
             "rc4", "rc4-hmac arcfour-hmac-md5",
#endif
       }) {
    INFO(text);
    auto list = kerb::parse_enctype_list(text);
    REQUIRE_FALSE(list);
    CHECK(list.error().category() == ErrorCategory::kConfig);
  }
  using kerb::crypto::EncType;
  CHECK(kerb::crypto::enctype_from_name("aes256-cts") == EncType{18});
#if KERB_WITH_CAMELLIA
  CHECK(kerb::crypto::enctype_from_name("camellia128-cts-cmac") == EncType{25});
#else
  CHECK_FALSE(kerb::crypto::enctype_from_name("camellia128-cts-cmac"));
#endif
#if KERB_WITH_RC4_HMAC
  CHECK(kerb::crypto::enctype_from_name("ArcFour-HMAC") == EncType{23});
#else
  CHECK_FALSE(kerb::crypto::enctype_from_name("ArcFour-HMAC"));
#endif
  CHECK_FALSE(kerb::crypto::enctype_from_name("aes"));  // a family, not one enctype
}

TEST_CASE("config: enctype getters and allow_weak_crypto", "[config]") {
  using List = std::vector<std::int32_t>;
  SECTION("weak enctypes are dropped unless allowed") {
    const Config c = parse_ok("[libdefaults]\npermitted_enctypes = des-cbc-crc aes256-cts\n");
    CHECK(numbers(c.permitted_enctypes().value()) == List{18});
    const Config weak = parse_ok(
        "[libdefaults]\nallow_weak_crypto = true\npermitted_enctypes = des-cbc-crc aes256-cts\n");
    CHECK(numbers(weak.permitted_enctypes().value()) == List{1, 18});
    auto only_weak =
        parse_ok("[libdefaults]\n\npermitted_enctypes = des-cbc-md5\n").permitted_enctypes();
    REQUIRE_FALSE(only_weak);
    CHECK(only_weak.error().detail() ==
          "krb5.conf:3: permitted_enctypes: only weak enctypes (allow_weak_crypto is off)");
  }
  SECTION("default_tkt/tgs fall back to permitted_enctypes") {
    const Config c =
        parse_ok("[libdefaults]\npermitted_enctypes = aes\ndefault_tgs_enctypes = aes256-sha2\n");
    CHECK(numbers(c.default_tkt_enctypes().value()) == List{18, 17, 20, 19});
    CHECK(numbers(c.default_tgs_enctypes().value()) == List{20});
  }
  SECTION("an empty list is an error at its line") {
    auto r =
        parse_ok("[libdefaults]\ndefault_tkt_enctypes = nothing-known\n").default_tkt_enctypes();
    REQUIRE_FALSE(r);
    CHECK(r.error().detail() ==
          "krb5.conf:2: default_tkt_enctypes: no known enctype in 'nothing-known'");
  }
}

TEST_CASE("config: bad typed values name file, line and tag", "[config]") {
  const Config c = parse_ok(R"([libdefaults]
    clockskew = 5x
    ticket_lifetime = -1h
    forwardable = perhaps
    udp_preference_limit = lots
    kdc_timesync = yes
    dns_lookup_kdc = maybe
    allow_weak_crypto = 2
    renew_lifetime = 1w
)");
  CHECK(c.clockskew().error().detail() == "krb5.conf:2: clockskew: bad duration '5x'");
  CHECK(c.ticket_lifetime().error().detail() ==
        "krb5.conf:3: ticket_lifetime: must not be negative");
  CHECK(c.forwardable().error().detail() == "krb5.conf:4: forwardable: bad boolean 'perhaps'");
  CHECK(c.udp_preference_limit().error().detail() ==
        "krb5.conf:5: udp_preference_limit: bad integer 'lots'");
  CHECK(c.kdc_timesync().error().detail() == "krb5.conf:6: kdc_timesync: bad integer 'yes'");
  CHECK(c.dns_lookup_kdc().error().detail() == "krb5.conf:7: dns_lookup_kdc: bad boolean 'maybe'");
  CHECK(c.allow_weak_crypto().error().detail() ==
        "krb5.conf:8: allow_weak_crypto: bad boolean '2'");
  CHECK(c.renew_lifetime().error().detail() == "krb5.conf:9: renew_lifetime: bad duration '1w'");
  CHECK(c.clockskew().error().category() == ErrorCategory::kConfig);
}

TEST_CASE("config: udp_preference_limit is clamped like MIT's", "[config]") {
  CHECK(parse_ok("[libdefaults]\nudp_preference_limit = 100000\n").udp_preference_limit().value() ==
        32700);
  CHECK(parse_ok("[libdefaults]\nudp_preference_limit = 0\n").udp_preference_limit().value() == 0);
  CHECK_FALSE(parse_ok("[libdefaults]\nudp_preference_limit = -1\n").udp_preference_limit());
}

TEST_CASE("config: per-realm libdefaults override the global ones", "[config]") {
  const Config c = parse_ok(R"([libdefaults]
    forwardable = false
    ticket_lifetime = 8h
    KERB.TEST = {
        forwardable = true
        ticket_lifetime = 1h
    }
)");
  CHECK(c.forwardable().value() == false);
  CHECK(c.forwardable("KERB.TEST").value() == true);
  CHECK(c.forwardable("OTHER.TEST").value() == false);
  CHECK(c.ticket_lifetime().value() == 8 * 3600);
  CHECK(c.ticket_lifetime("KERB.TEST").value() == 3600);
  CHECK(c.renew_lifetime("KERB.TEST").value() == 0);
}

TEST_CASE("config: KDC addresses", "[config]") {
  struct Case {
    std::string_view text;
    KdcAddress expected;
  };
  const Case good[] = {
      {"kdc.bank.test", {"kdc.bank.test", 88}},
      {"kdc.bank.test:750", {"kdc.bank.test", 750}},
      {" kdc.bank.test:1 ", {"kdc.bank.test", 1}},
      {"127.0.0.1", {"127.0.0.1", 88}},
      {"127.0.0.1:65535", {"127.0.0.1", 65535}},
      {"[::1]", {"::1", 88}},
      {"[::1]:8888", {"::1", 8888}},
      {"[fe80::1%lo]:88", {"fe80::1%lo", 88}},
      {"::1", {"::1", 88}},  // a bare IPv6 literal has no port
      {"2001:db8::5", {"2001:db8::5", 88}},
  };
  for (const Case& c : good) {
    INFO(c.text);
    auto a = KdcAddress::parse(c.text);
    REQUIRE(a);
    CHECK(*a == c.expected);
  }
  for (std::string_view text :
       {"", "host:", "host:0", "host:65536", "host:8x", "host:-1", "host:123456", "[::1", "[::1]x",
        "[::1]:", "[]:88", ":88", "two words", "[::1]:88:88"}) {
    INFO(text);
    auto a = KdcAddress::parse(text);
    REQUIRE_FALSE(a);
    CHECK(a.error().category() == ErrorCategory::kConfig);
  }
  CHECK(KdcAddress::parse("kdc", 464).value().port == 464);
  CHECK((KdcAddress{"::1", 88}).to_string() == "[::1]:88");
  CHECK((KdcAddress{"kdc.bank.test", 750}).to_string() == "kdc.bank.test:750");

  const Config c = parse_ok(R"([realms]
    KERB.TEST = {
        kdc = https://proxy.bank.test/KdcProxy
        kdc = [::1]:8888
        kdc = kdc.bank.test:99999
    }
)");
  auto kdcs = c.kdcs("KERB.TEST");
  REQUIRE_FALSE(kdcs);
  CHECK(kdcs.error().detail() == "krb5.conf:5: kdc: bad port in 'kdc.bank.test:99999'");
}

TEST_CASE("config: kpasswd servers fall back to admin_server hosts", "[config]") {
  const Config c = parse_ok(R"([realms]
    A.TEST = {
        admin_server = kadmin.a.test:7490
        admin_server = [::1]
    }
    B.TEST = {
        admin_server = kadmin.b.test
        kpasswd_server = kpasswd.b.test
        kpasswd_server = kpasswd2.b.test:4640
    }
)");
  CHECK(c.kpasswd_servers("A.TEST").value() ==
        std::vector<KdcAddress>{{"kadmin.a.test", 464}, {"::1", 464}});
  CHECK(c.kpasswd_servers("B.TEST").value() ==
        std::vector<KdcAddress>{{"kpasswd.b.test", 464}, {"kpasswd2.b.test", 4640}});
  CHECK(c.admin_servers("A.TEST").value() ==
        std::vector<KdcAddress>{{"kadmin.a.test", 7490}, {"::1", 749}});
  CHECK(c.kpasswd_servers("C.TEST").value().empty());
}

// MIT's locate_server takes admin_server hosts only when the profile names no kpasswd server;
// an https:// entry is one (sent through the proxy), so there is no UDP/TCP server left.
TEST_CASE("config: kpasswd_server proxy URLs alone keep admin_server out", "[config][kkdcp]") {
  const Config c = parse_ok(R"([realms]
    A.TEST = {
        admin_server = kadmin.a.test
        kpasswd_server = https://proxy.a.test/KdcProxy
    }
)");
  CHECK(strings(c.kpasswd_proxies("A.TEST").value()) ==
        std::vector<std::string>{"https://proxy.a.test/KdcProxy"});
  CHECK(c.kpasswd_servers("A.TEST").value().empty());
}

TEST_CASE("config: domain_realm lookups", "[config]") {
  const Config c = parse_ok(R"([domain_realm]
    .bank.test = KERB.TEST
    bank.test = KERB.TEST
    special.bank.test = OTHER.TEST
    .Corp.Bank.Test = CORP.TEST
    exact.only = EXACT.TEST
[domain_realm]
    .bank.test = LATER.TEST
    late.test = LATE.TEST
)");
  struct Case {
    std::string_view host;
    std::optional<std::string_view> realm;
  };
  const Case cases[] = {
      {"www.bank.test", "KERB.TEST"},
      {"bank.test", "KERB.TEST"},
      {"BANK.TEST", "KERB.TEST"},
      {"special.bank.test", "OTHER.TEST"},   // exact beats the suffix
      {"SPECIAL.Bank.Test.", "OTHER.TEST"},  // case and trailing dot ignored
      {"a.special.bank.test", "KERB.TEST"},  // "special.bank.test" is not a suffix rule
      {"a.b.corp.bank.test", "CORP.TEST"},   // the longest suffix wins
      {"corp.bank.test", "KERB.TEST"},       // ".corp.bank.test" needs a dot before it
      {"exact.only", "EXACT.TEST"},
      {"www.exact.only", std::nullopt},
      {"late.test", "LATE.TEST"},
      {"example.org", std::nullopt},
      {"test", std::nullopt},
      {"", std::nullopt},
      {".", std::nullopt},
  };
  for (const Case& k : cases) {
    INFO(k.host);
    CHECK(c.realm_for_host(k.host) == k.realm);
  }
}

TEST_CASE("config: capaths entries (krb5.conf(5) [capaths])", "[config][capaths]") {
  // krb5.conf(5)'s own example, plus a path with two intermediate realms.
  const Config c = parse_ok(R"([capaths]
    ANL.GOV = {
        TEST.ANL.GOV = .
        PNL.GOV = ES.NET
        NERSC.GOV = ES.NET
        DOE.GOV = ES.NET
    }
    TEST.ANL.GOV = {
        PNL.GOV = ES.NET
    }
    A.EXAMPLE = {
        C.EXAMPLE = B.EXAMPLE
        C.EXAMPLE = D.EXAMPLE
    }
)");
  using Path = std::optional<std::vector<std::string>>;
  auto path = [&c](std::string_view client, std::string_view server) -> Path {
    auto r = c.capaths(client, server);
    if (!r) FAIL("unexpected error: " << r.error().detail());
    if (!*r) return std::nullopt;
    return strings(**r);
  };
  CHECK(path("ANL.GOV", "TEST.ANL.GOV") == Path(std::vector<std::string>{}));  // "." is direct
  CHECK(path("ANL.GOV", "PNL.GOV") == Path({"ES.NET"}));
  CHECK(path("TEST.ANL.GOV", "PNL.GOV") == Path({"ES.NET"}));
  CHECK(path("A.EXAMPLE", "C.EXAMPLE") == Path({"B.EXAMPLE", "D.EXAMPLE"}));
  CHECK(path("ANL.GOV", "ELSEWHERE.ORG") == std::nullopt);
  CHECK(path("PNL.GOV", "ANL.GOV") == std::nullopt);  // one direction only
  CHECK(path("anl.gov", "PNL.GOV") == std::nullopt);  // realms compare exactly
  CHECK(path("NOWHERE", "PNL.GOV") == std::nullopt);
  CHECK(path("A.EXAMPLE", "B.EXAMPLE") == std::nullopt);
  CHECK(parse_ok("[libdefaults]\n  a = b\n").capaths("ANL.GOV", "PNL.GOV")->has_value() == false);
}

TEST_CASE("config: a capaths entry mixing '.' with realms is an error naming file:line",
          "[config][capaths]") {
  const Config c = parse_ok(
      "[capaths]\n  A.EXAMPLE = {\n    C.EXAMPLE = .\n"
      "    C.EXAMPLE = B.EXAMPLE\n  }\n");
  auto r = c.capaths("A.EXAMPLE", "C.EXAMPLE");
  REQUIRE_FALSE(r);
  CHECK(r.error().category() == ErrorCategory::kConfig);
  CHECK(std::string(r.error().detail()).find("krb5.conf:4: C.EXAMPLE") == 0);
}

TEST_CASE("config: tag_names lists each relation at a path once, in reading order",
          "[config][capaths]") {
  const Config c = parse_ok(R"([capaths]
    A.EXAMPLE = {
        C.EXAMPLE = B.EXAMPLE
        D.EXAMPLE = .
        C.EXAMPLE = E.EXAMPLE
        sub = {
            x = y
        }
    }
)");
  CHECK(strings(c.tag_names({"capaths", "A.EXAMPLE"})) ==
        std::vector<std::string>{"C.EXAMPLE", "D.EXAMPLE"});
  CHECK(c.tag_names({"capaths", "Z.EXAMPLE"}).empty());
  CHECK(c.tag_names({"capaths"}).empty());  // subsections are not relations
}

TEST_CASE("ClientOptions::from_config takes every [capaths] path", "[config][capaths]") {
  // krb5.conf(5)'s example: ANL.GOV reaches PNL.GOV through ES.NET, TEST.ANL.GOV directly.
  const Config c = parse_ok(R"([capaths]
    ANL.GOV = {
        TEST.ANL.GOV = .
        PNL.GOV = ES.NET
    }
    TEST.ANL.GOV = {
        PNL.GOV = ES.NET
    }
)");
  auto o = ClientOptions::from_config(c);
  REQUIRE(o);
  REQUIRE(o->capaths.size() == 3);
  CHECK(o->capaths[0].client_realm == "ANL.GOV");
  CHECK(o->capaths[0].server_realm == "TEST.ANL.GOV");
  CHECK(o->capaths[0].path.empty());
  CHECK(o->capaths[1].server_realm == "PNL.GOV");
  CHECK(o->capaths[1].path == std::vector<std::string>{"ES.NET"});
  CHECK(o->capaths[2].client_realm == "TEST.ANL.GOV");
  CHECK(o->capaths[2].path == std::vector<std::string>{"ES.NET"});

  auto bad =
      ClientOptions::from_config(parse_ok("[capaths]\n  A = {\n    C = .\n    C = B\n  }\n"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().category() == ErrorCategory::kConfig);
}

// MIT krb5.conf(5) [realms]: "kdc" and "kpasswd_server" may name an MS-KKDCP proxy as
// "https://host[:port][/path]"; http_anchors takes FILE:, DIR: and ENV: values.
TEST_CASE("config: KDC proxy URLs and http_anchors", "[config][kkdcp]") {
  const Config c = parse_ok(R"([libdefaults]
    http_anchors = FILE:/not/here.pem
[realms]
    KERB.TEST = {
        kdc = https://proxy1.bank.test/KdcProxy
        kdc = kdc.bank.test:750
        kdc =   https://[::1]:8443/kkdcp  
        kpasswd_server = https://proxy1.bank.test/KdcProxy
        kpasswd_server = kpasswd.bank.test
        http_anchors = FILE:/etc/kerb/ca.pem
        http_anchors = DIR:/etc/kerb/certs
    }
    PLAIN.TEST = {
        kdc = kdc.plain.test
    }
)");
  CHECK(strings(c.kdc_proxies("KERB.TEST").value()) ==
        std::vector<std::string>{"https://proxy1.bank.test/KdcProxy", "https://[::1]:8443/kkdcp"});
  CHECK(c.kdcs("KERB.TEST").value() == std::vector<KdcAddress>{{"kdc.bank.test", 750}});
  CHECK(strings(c.kpasswd_proxies("KERB.TEST").value()) ==
        std::vector<std::string>{"https://proxy1.bank.test/KdcProxy"});
  CHECK(c.kpasswd_servers("KERB.TEST").value() ==
        std::vector<KdcAddress>{{"kpasswd.bank.test", 464}});
  CHECK(strings(c.http_anchors("KERB.TEST")) ==
        std::vector<std::string>{"FILE:/etc/kerb/ca.pem", "DIR:/etc/kerb/certs"});

  // A realm without proxies, an unknown realm: nothing, and [libdefaults] is not a fallback.
  CHECK(c.kdc_proxies("PLAIN.TEST").value().empty());
  CHECK(c.kdc_proxies("NONE.TEST").value().empty());
  CHECK(c.http_anchors("PLAIN.TEST").empty());

  // "HTTPS://" is not the scheme MIT matches: it stays a (bad) host name for kdcs().
  const Config upper = parse_ok("[realms]\n R = {\n  kdc = HTTPS://proxy.test/\n }\n");
  CHECK(upper.kdc_proxies("R").value().empty());

  for (std::string_view url : {"https://", "https:///KdcProxy", "https://:443/"}) {
    INFO(url);
    const Config bad = parse_ok("[realms]\n R = {\n  kdc = " + std::string(url) + "\n }\n");
    auto proxies = bad.kdc_proxies("R");
    REQUIRE_FALSE(proxies);
    CHECK(proxies.error().category() == ErrorCategory::kConfig);
    CHECK(proxies.error().detail() == "krb5.conf:3: kdc: a KDC proxy URL names no host");
  }
}
