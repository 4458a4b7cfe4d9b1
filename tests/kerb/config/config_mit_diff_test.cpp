// krb5.conf differential test: the same files read by kerb::Config and by MIT's profile library
// (libkrb5's <profile.h>, the code MIT's own krb5.conf reading uses), compared over every path
// either side knows: section and subsection names, relation names, all values in order, the
// first value, and that value read as a boolean, an integer and a duration
// (krb5_string_to_deltat). MIT is the oracle; where kerb differs on purpose, the case says why.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <krb5.h>
#include <profile.h>
#include <catch2/catch.hpp>

#include <kerb/config.hpp>

#include "temp_dir.hpp"

namespace {

using Strings = std::vector<std::string>;

// How kerb and MIT compare on one case.
enum class Expect {
  kSame,         // both load, and every path reads the same
  kKerbRejects,  // MIT loads it, kerb reports an error (stricter on purpose)
  kBothReject,   // neither loads it
  kValuesDiffer  // both load, and some path reads differently (on purpose)
};

struct Case {
  const char* name;
  std::vector<std::string> files;  // KRB5_CONFIG's files in order; "@DIR@" is the temp dir
  Expect expect = Expect::kSame;
  const char* why = "";  // for every Expect but kSame: the reason, in one line
};

const Case kCases[] = {
    {"sections and relations",
     {"[libdefaults]\n default_realm = KERB.TEST\n forwardable = true\n"
      "[realms]\n KERB.TEST = {\n  kdc = kdc1.bank.test\n  kdc = kdc2.bank.test:750\n"
      "  admin_server = kadmin.bank.test\n }\n"
      "[domain_realm]\n .bank.test = KERB.TEST\n bank.test = KERB.TEST\n"}},
    {"comments and blank lines",
     {"# a comment\n; another\n\n[libdefaults]\n   # indented comment\n\t; indented too\n"
      " a = 1\n\n\n b = value # not a comment\n c = x ; nor this\n"}},
    {"odd whitespace",
     {"[libdefaults]  \n\ta=1\n b\t=\t2 \n c =3\n  d= 4\t\t\n e = two  words  inside \n"
      "[realms]\n\tR = {\n\t\tkdc=h:88\n\t}\n"}},
    {"an indented first section header",
     {"  [libdefaults]\n a = 1\n[realms]\n R = {\n kdc = h\n }\n"},
     Expect::kValuesDiffer,
     "MIT skips all lines before the first '[' in column 0 as a comment; kerb reads the section"},
    {"CRLF line ends", {"[libdefaults]\r\n a = 1\r\n[realms]\r\n R = {\r\n kdc = h\r\n }\r\n"}},
    {"no newline at the end", {"[libdefaults]\n a = 1"}},
    {"duplicate keys accumulate in order",
     {"[libdefaults]\n k = 1\n k = 2\n other = x\n k = 3\n"
      "[realms]\n R = {\n kdc = a\n }\n R = {\n kdc = b\n }\n"}},
    {"repeated sections merge", {"[a]\n x = 1\n[b]\n y = 2\n[a]\n x = 3\n z = 4\n"}},
    {"nested subsections",
     {"[capaths]\n A.TEST = {\n  B.TEST = C.TEST\n  B.TEST = D.TEST\n  E.TEST = .\n }\n"
      "[s]\n l1 = {\n  l2 = {\n   l3 = {\n    v = deep\n   }\n  }\n  w = 2\n }\n"}},
    {"quoted values",
     {"[libdefaults]\n q1 = \"a \\\"quoted\\\" value\"\n q2 = \"tab\\tnl\\nbs\\bx\\\\y\"\n"
      " q3 = \"  spaces kept  \"\n q4 = \"\"\n q5 = \"\\q\"\n"}},
    {"booleans spelt variously",
     {"[libdefaults]\n b1 = y\n b2 = YES\n b3 = True\n b4 = t\n b5 = 1\n b6 = On\n"
      " b7 = n\n b8 = No\n b9 = FALSE\n b10 = nil\n b11 = 0\n b12 = off\n"
      " b13 = maybe\n b14 = 2\n b15 = yes please\n"}},
    {"integers",
     {"[libdefaults]\n i1 = 42\n i2 = -7\n i3 = +7\n i4 = 2147483647\n i5 = -2147483648\n"
      " i6 = 2147483648\n i7 = 12ab\n i8 = 0x10\n i9 = 007\n"}},
    {"times",
     {"[libdefaults]\n t1 = 300\n t2 = 5m\n t3 = 1h 30m\n t4 = 1d\n t5 = 2d 4h\n t6 = 8h30s\n"
      " t7 = 36:00\n t8 = 1:30:15\n t9 = 1d 10:00\n t10 = -5m\n t11 = 10h\n t12 = 1h 30\n"
      " t13 = 1m 1h\n t14 = 1:60\n t15 = forever\n t16 = 0\n t17 = 2147483647\n"}},
    {"per-realm libdefaults",
     {"[libdefaults]\n ticket_lifetime = 10h\n KERB.TEST = {\n  ticket_lifetime = 2h\n }\n"}},
    {"case-sensitive tags and sections",
     {"[LibDefaults]\n A = 1\n a = 2\n[libdefaults]\n a = 3\n"}},
    {"a section marked final", {"[libdefaults]*\n a = 1\n", "[libdefaults]\n a = 2\n b = 3\n"}},
    {"a relation marked final",
     {"[libdefaults]\n a* = 1\n b = 1\n", "[libdefaults]\n a = 2\n b = 2\n"},
     Expect::kValuesDiffer,
     "kerb honours 'tag* = value' as krb5.conf(5) describes; MIT 1.20 ignores relation finals"},
    {"a subsection marked final by its tag",
     {"[realms]\n R* = {\n  kdc = a\n }\n",
      "[realms]\n R = {\n  kdc = b\n }\n S = {\n kdc = c\n }\n"}},
    {"a subsection marked final by its brace",
     {"[realms]\n R = {\n  kdc = a\n }*\n", "[realms]\n R = {\n  kdc = b\n }\n"}},
    {"final mark inside one file",
     {"[libdefaults]*\n a = 1\n[libdefaults]\n a = 2\n"},
     Expect::kValuesDiffer,
     "kerb freezes a final path for the rest of its own file too (config.hpp); MIT only for later "
     "files"},
    {"three files in order", {"[s]\n v = 1\n", "[s]\n v = 2\n[t]\n w = 1\n", "[s]\n v = 3\n"}},
    {"include",
     {"[libdefaults]\n a = 1\ninclude @DIR@/inc.conf\n a = 3\n",
      "@inc.conf@[libdefaults]\n a = 2\n"}},
    {"includedir",
     {"includedir @DIR@/d\n[libdefaults]\n a = 0\n", "@d/b.conf@[libdefaults]\n a = 2\n",
      "@d/a@[libdefaults]\n a = 1\n", "@d/.hidden.conf@[libdefaults]\n a = 9\n",
      "@d/c.conf~@[libdefaults]\n a = 8\n"}},
    {"an empty file", {""}},
    {"only comments", {"# nothing\n; here\n"}},
    {"relation outside a section",
     {"a = 1\n[s]\n b = 2\n"},
     Expect::kKerbRejects,
     "MIT skips lines before the first section as a comment; kerb reports them"},
    {"missing ']'", {"[libdefaults\n a = 1\n"}, Expect::kBothReject, "both: bad header"},
    {"extra '}'", {"[s]\n }\n"}, Expect::kBothReject, "both: nothing to close"},
    {"missing '='", {"[s]\n a 1\n"}, Expect::kBothReject, "both: no relation"},
    {"two words before '='", {"[s]\n a b = 1\n"}, Expect::kBothReject, "both: one tag only"},
    {"section header inside a block",
     {"[s]\n r = {\n[t]\n }\n"},
     Expect::kBothReject,
     "both: a header closes nothing"},
    {"unclosed quote",
     {"[s]\n a = \"open\n"},
     Expect::kKerbRejects,
     "kerb refuses a value cut at the line end; MIT takes it as ended"},
    {"text after a closing quote",
     {"[s]\n a = \"x\" y\n"},
     Expect::kKerbRejects,
     "kerb refuses text MIT silently drops after the quote"},
    {"text after '}'",
     {"[s]\n r = {\n a = 1\n } junk\n"},
     Expect::kKerbRejects,
     "kerb refuses text MIT silently drops after a '}'"},
};

// MIT's profile over the same files, released at the end.
class MitProfile {
 public:
  explicit MitProfile(const std::string& path_list) {
    code_ = profile_init_path(path_list.c_str(), &profile_);
  }
  ~MitProfile() {
    if (profile_ != nullptr) profile_release(profile_);
  }
  MitProfile(const MitProfile&) = delete;
  MitProfile& operator=(const MitProfile&) = delete;
  long code() const { return code_; }
  profile_t get() const { return profile_; }

 private:
  profile_t profile_ = nullptr;
  long code_ = 0;
};

// A profile list call's answer; none (PROF_NO_SECTION, PROF_NO_RELATION) is empty.
template <typename Fn>
Strings mit_list(Fn fn, profile_t p, const Strings& path) {
  std::vector<const char*> names;
  for (const std::string& s : path)
    names.push_back(s.c_str());
  names.push_back(nullptr);
  char** list = nullptr;
  Strings out;
  if (fn(p, names.data(), &list) != 0) return out;
  for (char** i = list; i != nullptr && *i != nullptr; ++i)
    out.emplace_back(*i);
  profile_free_list(list);
  return out;
}

long relation_names(profile_t p, const char** names, char*** out) {
  return profile_get_relation_names(p, names, out);
}
long subsection_names(profile_t p, const char** names, char*** out) {
  return profile_get_subsection_names(p, names, out);
}
long values(profile_t p, const char** names, char*** out) {
  return profile_get_values(p, names, out);
}

Strings strings(const std::vector<std::string_view>& views) {
  return {views.begin(), views.end()};
}

Strings as_set(Strings names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// Durations kerb reads differently from krb5_string_to_deltat on purpose, and why.
struct DurationDifference {
  std::string_view text;
  const char* why;
};
const DurationDifference kDurationDifferences[] = {
    {"1d 10:00",
     "kerb takes h:m after days, as MIT's time-duration docs list it; MIT 1.20 refuses"},
    {"1:60", "kerb refuses minutes above 59; MIT adds them up"},
    {"12ab", "kerb refuses text after the number; MIT's parser stops before it"},
    {"0x10", "kerb refuses text after the number; MIT's parser stops before it"},
};

// Every difference between the two readings, one line each.
class Walk {
 public:
  Walk(const kerb::Config& kerb, profile_t mit) : kerb_(kerb), mit_(mit) {}

  void path(const Strings& path, int depth) {
    const std::vector<std::string_view> views(path.begin(), path.end());
    const Strings subs = strings(kerb_.subsection_names(views));
    // MIT lists a name once per node of its name-sorted tree, kerb once in reading order.
    compare(path, "subsections", as_set(subs), as_set(mit_list(subsection_names, mit_, path)));
    const Strings tags = strings(kerb_.tag_names(views));
    compare(path, "tags", as_set(tags), as_set(mit_list(relation_names, mit_, path)));
    for (const std::string& tag : tags) {
      Strings at = path;
      at.push_back(tag);
      relation(at);
    }
    if (depth == 0) return;
    for (const std::string& sub : subs) {
      Strings at = path;
      at.push_back(sub);
      this->path(at, depth - 1);
    }
  }

  const Strings& differences() const { return differences_; }

 private:
  void relation(const Strings& path) {
    const std::vector<std::string_view> views(path.begin(), path.end());
    const Strings all = strings(kerb_.get_all(views));
    compare(path, "values", all, mit_list(values, mit_, path));
    if (all.empty() || path.size() > 3) return;
    const char* n[3] = {};
    for (std::size_t i = 0; i < path.size(); ++i)
      n[i] = path[i].c_str();
    char* first = nullptr;
    if (profile_get_string(mit_, n[0], n[1], n[2], nullptr, &first) == 0 && first != nullptr) {
      compare(path, "first value", {std::string(*kerb_.get(views))}, {first});
      profile_release_string(first);
    }
    const std::string& text = all.front();
    int mit_bool = 0;
    const bool mit_bool_ok = profile_get_boolean(mit_, n[0], n[1], n[2], 0, &mit_bool) == 0;
    const auto kerb_bool = kerb::parse_config_boolean(text);
    compare(path, "boolean", {read(kerb_bool.ok(), kerb_bool.ok() && *kerb_bool)},
            {read(mit_bool_ok, mit_bool != 0)});
    int mit_int = 0;
    const bool mit_int_ok = profile_get_integer(mit_, n[0], n[1], n[2], 0, &mit_int) == 0;
    const auto kerb_int = kerb::parse_config_integer(text);
    compare(path, "integer", {read(kerb_int.ok(), kerb_int.ok() ? *kerb_int : 0)},
            {read(mit_int_ok, mit_int)});
    std::string copy = text;
    krb5_deltat mit_time = 0;
    const bool mit_time_ok = krb5_string_to_deltat(copy.data(), &mit_time) == 0;
    const auto kerb_time = kerb::parse_duration(text);
    const Strings kerb_duration = {read(kerb_time.ok(), kerb_time.ok() ? *kerb_time : 0)};
    const Strings mit_duration = {read(mit_time_ok, mit_time)};
    for (const DurationDifference& d : kDurationDifferences) {
      if (d.text != text) continue;
      if (kerb_duration == mit_duration) {
        differences_.push_back("duration '" + text + "' now reads as MIT does; drop: " + d.why);
      }
      return;
    }
    compare(path, "duration", kerb_duration, mit_duration);
  }

  static std::string read(bool ok, std::int64_t value) {
    return ok ? std::to_string(value) : "error";
  }

  void compare(const Strings& path, const char* what, const Strings& kerb, const Strings& mit) {
    if (kerb == mit) return;
    std::string line = what;
    line += " at";
    for (const std::string& p : path)
      line += " [" + p + "]";
    line += ": kerb {";
    for (const std::string& s : kerb)
      line += "'" + s + "' ";
    line += "} MIT {";
    for (const std::string& s : mit)
      line += "'" + s + "' ";
    differences_.push_back(line + "}");
  }

  const kerb::Config& kerb_;
  profile_t mit_;
  Strings differences_;
};

std::string replace_dir(std::string text, const std::string& dir) {
  for (std::size_t at; (at = text.find("@DIR@")) != std::string::npos;)
    text.replace(at, 5, dir);
  return text;
}

}  // namespace

TEST_CASE("config vs MIT profile: the same krb5.conf texts read the same", "[config][mit]") {
  for (const Case& c : kCases) {
    INFO("case: " << c.name);
    kerb::test::TempDir dir("kerb-config-mit");
    // Files named "@name@text" are written for include lines to find; the others make up
    // KRB5_CONFIG, in order.
    std::string path_list;
    std::vector<std::string> top;
    for (std::size_t i = 0; i < c.files.size(); ++i) {
      std::string text = replace_dir(c.files[i], dir.path());
      std::string name = "krb5-" + std::to_string(i) + ".conf";
      if (text.size() > 1 && text[0] == '@') {
        const std::size_t end = text.find('@', 1);
        name = text.substr(1, end - 1);
        text.erase(0, end + 1);
      } else {
        top.push_back(dir.path() + "/" + name);
        path_list += (path_list.empty() ? "" : ":") + top.back();
      }
      std::filesystem::create_directories(
          std::filesystem::path(dir.path() + "/" + name).parent_path());
      std::ofstream(dir.path() + "/" + name, std::ios::binary) << text;
    }
    const auto kerb = kerb::Config::load_path_list(path_list);
    const MitProfile mit(path_list);
    INFO("kerb: " << (kerb ? std::string("loaded") : std::string(kerb.error().detail())));
    INFO("MIT: " << (mit.code() == 0 ? std::string("loaded")
                                     : "error " + std::to_string(mit.code())));
    if (c.expect == Expect::kBothReject) {
      CHECK_FALSE(kerb.ok());
      CHECK(mit.code() != 0);
      continue;
    }
    if (c.expect == Expect::kKerbRejects) {
      INFO("why: " << c.why);
      CHECK_FALSE(kerb.ok());
      CHECK(mit.code() == 0);
      continue;
    }
    REQUIRE(kerb.ok());
    REQUIRE(mit.code() == 0);
    Walk walk(*kerb, mit.get());
    walk.path({}, 6);
    if (c.expect == Expect::kSame) {
      for (const std::string& d : walk.differences())
        FAIL_CHECK(d);
    } else {
      INFO("why: " << c.why);
      CHECK_FALSE(walk.differences().empty());
    }
  }
}
