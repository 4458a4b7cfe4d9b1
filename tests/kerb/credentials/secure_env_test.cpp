// KRB5CCNAME, KRB5_KTNAME and KRB5_CONFIG must not reach a program running with elevated
// rights (MIT krb5 reads all three through secure_getenv). The proof runs for real: a setgid
// copy of secure_env_probe, started by an unprivileged user, gets AT_SECURE from the kernel.
#include <grp.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/features.hpp>

#include "test_bytes.hpp"

using kerb::test::contains;
using kerb::test::TempDir;

namespace {

constexpr const char* kNobody = "65534";  // nobody/nogroup on Debian, the unprivileged runner

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[512];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    out.append(buffer, n);
  const int status = ::pclose(pipe);
  INFO(command << "\n" << out);
  REQUIRE(status == 0);
  return out;
}

// A group the current user can give a file to that is not its real group, or -1.
gid_t other_group() {
  std::vector<gid_t> groups(static_cast<std::size_t>(::getgroups(0, nullptr)) + 1);
  const int n = ::getgroups(static_cast<int>(groups.size()), groups.data());
  for (int i = 0; i < n; ++i) {
    if (groups[static_cast<std::size_t>(i)] != ::getgid())
      return groups[static_cast<std::size_t>(i)];
  }
  return static_cast<gid_t>(-1);
}

}  // namespace

TEST_CASE("environment variables are ignored in a setgid program", "[ccache][keytab][config]") {
  // A directory the unprivileged runner can reach, on a filesystem that honours setgid
  // (TMPDIR may be private, and /tmp is nosuid on some systems).
  std::optional<TempDir> dir;
  for (const char* base : {"/tmp", "/var/tmp"}) {
    struct statvfs fs {};
    if (::statvfs(base, &fs) == 0 && (fs.f_flag & ST_NOSUID) == 0) {
      dir.emplace(base);
      break;
    }
  }
  INFO("/tmp and /var/tmp are both mounted nosuid: setgid cannot take effect there");
  REQUIRE(dir.has_value());
  REQUIRE(::chmod(dir->path().c_str(), 0755) == 0);

  const std::string conf = dir->file("attacker.conf");
  std::ofstream(conf) << "[libdefaults]\n  default_realm = ATTACKER.TEST\n";
  REQUIRE(::chmod(conf.c_str(), 0644) == 0);
  const std::string plain = dir->file("probe");
  const std::string setgid = dir->file("probe-setgid");
  std::filesystem::copy_file(KERB_SECURE_ENV_PROBE, plain);
  std::filesystem::copy_file(KERB_SECURE_ENV_PROBE, setgid);
  REQUIRE(::chmod(plain.c_str(), 0755) == 0);

  // As root: run as nobody with the file's group root, so the effective group differs from
  // the real one. Otherwise: a supplementary group of our own does the same.
  std::string as_runner;
  std::string runner_uid = std::to_string(::getuid());
  if (::geteuid() == 0) {
    REQUIRE(::chown(setgid.c_str(), 0, 0) == 0);
    as_runner =
        std::string("setpriv --reuid=") + kNobody + " --regid=" + kNobody + " --clear-groups ";
    runner_uid = kNobody;
  } else {
    const gid_t group = other_group();
    INFO("not root and no supplementary group: cannot build a setgid program");
    REQUIRE(group != static_cast<gid_t>(-1));
    REQUIRE(::chown(setgid.c_str(), static_cast<uid_t>(-1), group) == 0);
  }
  REQUIRE(::chmod(setgid.c_str(), 02755) == 0);

  const std::string env =
      "env -i KRB5CCNAME=FILE:/tmp/attacker-cc KRB5_KTNAME=FILE:/tmp/attacker-kt"
      " KRB5_CONFIG=" +
      conf + " ";

  // The same program without the setgid bit honours all three: the variables do reach it.
  const std::string honoured = run(env + as_runner + plain);
  CHECK(contains(honoured, "ccache=FILE:/tmp/attacker-cc\n"));
  CHECK(contains(honoured, "keytab=FILE:/tmp/attacker-kt\n"));
#if KERB_WITH_KRB5_CONF  // otherwise no krb5.conf is read at all
  CHECK(contains(honoured, "realm=ATTACKER.TEST\n"));
#endif

  // With it, MIT's defaults apply: FILE:/tmp/krb5cc_<uid>, FILE:/etc/krb5.keytab, and
  // /etc/krb5.conf, whatever realm that names.
  const std::string secure = run(env + as_runner + setgid);
  CHECK(contains(secure, "ccache=FILE:/tmp/krb5cc_" + runner_uid + "\n"));
  CHECK(contains(secure, "keytab=FILE:/etc/krb5.keytab\n"));
  CHECK_FALSE(contains(secure, "ATTACKER"));
}
