// Encodes and decodes a KerberosTime through the installed headers and libraries, and checks
// that the installed <kerb/crypto/features.hpp>, the package config and the library agree on
// the optional enctypes.
#include <cstdio>

#include <kerb/crypto/enctype.hpp>
#include <kerb/der/reader.hpp>
#include <kerb/der/writer.hpp>

int main() {
  kerb::der::Writer w;
  w.write_kerberos_time(1700000000);
  kerb::der::Error error;
  kerb::der::Reader r(w.bytes(), error);
  std::int64_t t = 0;
  if (!w.ok() || !r.read_kerberos_time(t) || !r.finish() || t != 1700000000) {
    std::puts("consumer: round trip failed");
    return 1;
  }
  std::puts("consumer: kerb::der works from an installed package");

  using kerb::crypto::EncType;
  const bool camellia = kerb::crypto::find_enctype(EncType::kCamellia128CtsCmac) != nullptr;
  const bool rc4 = kerb::crypto::find_enctype(EncType::kRc4Hmac) != nullptr;
  if (camellia != bool(KERB_WITH_CAMELLIA) || rc4 != bool(KERB_WITH_RC4_HMAC) ||
      camellia != bool(CONSUMER_PACKAGE_CAMELLIA) || rc4 != bool(CONSUMER_PACKAGE_RC4_HMAC)) {
    std::puts("consumer: features.hpp, kerbConfig.cmake and the library disagree");
    return 1;
  }
  std::printf("consumer: camellia %s, rc4-hmac %s (header, package and library agree)\n",
              camellia ? "built" : "not built", rc4 ? "built" : "not built");
  return 0;
}
