// An installed kerb::https: the header, the archive and libcurl through the package config.
#include <cstdio>

#include <kerb/https/kdc_proxy_transport.hpp>

int main() {
  auto transport = kerb::https::HttpsKdcTransport::create();
  if (!transport) return 1;
  if (!transport->set_proxies("KERB.TEST", {"https://proxy.bank.test/KdcProxy"})) return 1;
  std::puts(transport->has_proxies("KERB.TEST") ? "kerb::https: ok" : "kerb::https: no proxy");
  return transport->has_proxies("KERB.TEST") ? 0 : 1;
}
