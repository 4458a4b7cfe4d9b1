// Prints the names kerb derives from the environment, one per line, for secure_env_test:
// the test runs a setgid copy of this program, so that the kernel marks it AT_SECURE.
#include <cstdio>
#include <optional>
#include <string>

#include <kerb/ccache.hpp>
#include <kerb/config.hpp>
#include <kerb/keytab.hpp>

// LeakSanitizer stops a setgid process (it cannot trace itself there) before main's output
// counts; leaks are not what this probe is for.
extern "C" int __lsan_is_turned_off() {
  return 1;
}

int main() {
  std::printf("ccache=%s\n", kerb::default_ccache_name().c_str());
  std::printf("keytab=%s\n", kerb::default_keytab_name().c_str());
#if KERB_WITH_KRB5_CONF
  kerb::Result<kerb::Config> config = kerb::Config::load_from_env();
  std::string realm = "(error)";
  if (config.ok()) realm = std::string(config->default_realm().value_or("(none)"));
  std::printf("realm=%s\n", realm.c_str());
#endif
  return 0;
}
