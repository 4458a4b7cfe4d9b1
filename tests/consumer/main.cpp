// Encodes and decodes a KerberosTime through the installed headers and libraries.
#include <cstdio>

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
  return 0;
}
