// Plumbing shared by the Catch2 integration test programs (kerb/, gss/, gss_spnego/): the
// fixture's environment (kdc-fixtures/ env file: KERB_TEST_REALM, KERB_TEST_DIR,
// KERB_TEST_KEYTAB, KERB_TEST_PASSWORD_<USER>, KRB5_CONFIG), kerb results that must succeed,
// shell commands for MIT's tools, and scratch paths. Header-only; MIT's GSS plumbing is in
// mit_gss_util.hpp.
#pragma once

#include <catch2/catch.hpp>

#include <stdlib.h>  // mkdtemp
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <kerb/client.hpp>
#include <kerb/keytab.hpp>

namespace kerb::itest {

// A variable the fixture's env file sets; the test fails if it is missing.
inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  REQUIRE(v != nullptr);
  return v;
}

inline std::string upper(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The fixture's password for `user` (KERB_TEST_PASSWORD_<USER>; "alice" or "ALICE").
inline std::string password(std::string_view user) {
  return env(("KERB_TEST_PASSWORD_" + upper(std::string(user))).c_str());
}

// A principal in the fixture's realm.
inline Principal principal(std::string_view text) {
  auto p = Principal::parse(text, env("KERB_TEST_REALM"));
  REQUIRE(p.ok());
  return *p;
}

inline std::string describe(const Error& e) {
  return std::string(to_string(e.category())) + " (code " + std::to_string(e.code()) +
         "): " + std::string(e.detail());
}

// r's value, or the test fails saying what failed and why.
template <class T>
T must(Result<T> r, const char* what) {
  if (!r) FAIL(what << " failed: " << describe(r.error()));
  return std::move(r).value();
}

// The fixture's realm through its krb5.conf (KRB5_CONFIG).
inline Config load_config() {
  return must(Config::load_from_env(), "Config::load_from_env");
}

inline PosixKdcTransport make_transport(const Config& config) {
  return must(PosixKdcTransport::from_config(config), "PosixKdcTransport::from_config");
}

// The fixture's service keytab (bank/bank.test and host/bank.test).
inline Keytab bank_keytab() {
  return must(Keytab::open(env("KERB_TEST_KEYTAB")), "Keytab::open");
}

struct ShellResult {
  int status = 0;      // the exit status
  std::string output;  // stdout and stderr
};

// Runs a shell command (MIT's tools), whatever its exit status.
inline ShellResult shell(const std::string& command) {
  ShellResult r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr)
    r.output += buf;
  r.status = WEXITSTATUS(pclose(p));
  return r;
}

// Runs a shell command that must succeed; returns its output.
inline std::string run(const std::string& command) {
  ShellResult r = shell(command);
  INFO(command << ": " << r.output);
  REQUIRE(r.status == 0);
  return std::move(r.output);
}

// Paths in the fixture's scratch directory that no other test program or process uses:
// `const Scratch scratch("gss-itest");` then scratch("x.ccache") is
// $KERB_TEST_DIR/gss-itest-<pid>-x.ccache.
class Scratch {
 public:
  explicit constexpr Scratch(const char* program) : program_(program) {}
  std::string operator()(const std::string& name) const {
    return env("KERB_TEST_DIR") + "/" + program_ + "-" + std::to_string(::getpid()) + "-" + name;
  }

 private:
  const char* program_;
};

// A private directory under the system's temporary directory (`prefix`.XXXXXX), removed with
// everything in it.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const char* prefix = "kerb-itest") {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + ".XXXXXX")).string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

}  // namespace kerb::itest
