// The one way the libraries read the environment.
#pragma once

#include <cstdlib>

#if defined(__linux__) && !defined(__GLIBC__)
#include <sys/auxv.h>
#elif !defined(__GLIBC__)
#include <unistd.h>
#endif

namespace kerb::detail {

// The value of environment variable `name`, or nullptr when it is unset or the process runs
// with elevated rights (setuid, setgid or file capabilities: the kernel's AT_SECURE). The
// person who starts such a program must not choose its keytab, ccache or krb5.conf; MIT krb5
// reads KRB5CCNAME, KRB5_KTNAME and KRB5_CONFIG through secure_getenv for the same reason.
inline const char* secure_env(const char* name) noexcept {
#if defined(__GLIBC__)
  return ::secure_getenv(name);
#elif defined(__linux__)
  return ::getauxval(AT_SECURE) != 0 ? nullptr : std::getenv(name);
#else
  const bool elevated = ::getuid() != ::geteuid() || ::getgid() != ::getegid();
  return elevated ? nullptr : std::getenv(name);
#endif
}

}  // namespace kerb::detail
