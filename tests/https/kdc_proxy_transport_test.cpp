// HttpsKdcTransport without a proxy: http_anchors values (MIT krb5.conf(5): FILE:, DIR:, ENV:),
// proxy URL checks, and the errors of a realm whose proxies do not answer.
#include <stdlib.h>

#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/https/kdc_proxy_transport.hpp>

using kerb::Config;
using kerb::ErrorCategory;
using kerb::https::HttpsAnchors;
using kerb::https::HttpsKdcTransport;

namespace {

kerb::Result<HttpsAnchors> anchors(std::vector<std::string_view> values) {
  return HttpsAnchors::parse(values);
}

// Port 1 (tcpmux) on loopback: nothing listens there, so a connection is refused at once.
constexpr const char* kDeadUrl = "https://127.0.0.1:1/KdcProxy";
constexpr const char* kDeadUrl2 = "https://[::1]:1/KdcProxy";

// Any bytes: the transport never looks inside the request.
const std::vector<std::uint8_t> kRequest = {0x6a, 0x03, 0x30, 0x01, 0x00};

}  // namespace

TEST_CASE("http_anchors values: FILE:, DIR:, ENV:", "[https]") {
  auto a = anchors({"FILE:/etc/kerb/ca.pem", "DIR:/etc/ssl/certs"});
  REQUIRE(a.ok());
  CHECK(a->ca_file == "/etc/kerb/ca.pem");
  CHECK(a->ca_dir == "/etc/ssl/certs");
  CHECK(anchors({}).value().ca_file.empty());

  ::setenv("KERB_HTTPS_TEST_ANCHOR", "FILE:/from/env.pem", 1);
  auto e = anchors({"ENV:KERB_HTTPS_TEST_ANCHOR"});
  REQUIRE(e.ok());
  CHECK(e->ca_file == "/from/env.pem");
  ::unsetenv("KERB_HTTPS_TEST_ANCHOR");

  for (std::vector<std::string_view> bad : std::vector<std::vector<std::string_view>>{
           {"/etc/kerb/ca.pem"},            // no prefix
           {"PKCS12:/x.p12"},               // not a form http_anchors takes
           {"FILE:"},                       // empty path
           {"ENV:KERB_HTTPS_TEST_UNSET"},   // variable not set
           {"FILE:/a.pem", "FILE:/b.pem"},  // libcurl takes one CA file
       }) {
    INFO(bad.front());
    auto r = anchors(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category() == ErrorCategory::kConfig);
  }
}

TEST_CASE("proxy URLs must be https with a host", "[https]") {
  HttpsKdcTransport t = HttpsKdcTransport::create().value();
  for (const char* url : {"http://proxy.test/KdcProxy", "https://", "https:///x", "proxy.test"}) {
    INFO(url);
    auto r = t.set_proxies("KERB.TEST", {url});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category() == ErrorCategory::kInvalidArgument);
  }
  CHECK_FALSE(t.has_proxies("KERB.TEST"));
  REQUIRE(t.set_proxies("KERB.TEST", {"https://proxy.test/KdcProxy"}).ok());
  CHECK(t.has_proxies("KERB.TEST"));
  CHECK_FALSE(t.has_proxies("kerb.test"));  // realm names compare exactly
}

TEST_CASE("a realm without a proxy, an empty request", "[https]") {
  HttpsKdcTransport t = HttpsKdcTransport::create().value();
  auto r = t.exchange("KERB.TEST", kRequest);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category() == ErrorCategory::kConfig);
  CHECK(r.error().detail() == "no KDC proxy for realm KERB.TEST");

  REQUIRE(t.set_proxies("KERB.TEST", {kDeadUrl}).ok());
  auto empty = t.exchange("KERB.TEST", {});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().category() == ErrorCategory::kInvalidArgument);
  CHECK(t.counters().round_trips == 0);  // refused before anything was sent
}

TEST_CASE("proxies that refuse connections: each tried, the error names the URL", "[https]") {
  HttpsKdcTransport t = HttpsKdcTransport::create().value();
  REQUIRE(t.set_proxies("KERB.TEST", {kDeadUrl}).ok());
  auto one = t.exchange("KERB.TEST", kRequest);
  REQUIRE_FALSE(one.ok());
  CHECK(one.error().category() == ErrorCategory::kIo);
  const std::string detail(one.error().detail());
  INFO(detail);
  CHECK(detail.rfind(std::string(kDeadUrl) + ": ", 0) == 0);
  CHECK(detail.find("port 1") != std::string::npos);  // curl's message
  CHECK(t.counters().round_trips == 1);
  CHECK(t.counters().connections == 0);
  CHECK(t.counters().body_bytes_received == 0);

  REQUIRE(t.set_proxies("KERB.TEST", {kDeadUrl, kDeadUrl2}).ok());
  t.reset_counters();
  std::vector<std::uint8_t> buffer(256);
  auto two = t.exchange_into("KERB.TEST", kRequest, buffer);
  REQUIRE_FALSE(two.ok());
  CHECK(two.error().category() == ErrorCategory::kIo);
  const std::string detail2(two.error().detail());
  INFO(detail2);
  CHECK(detail2.rfind("2 KDC proxies of KERB.TEST failed; last: " + std::string(kDeadUrl2), 0) ==
        0);
  CHECK(t.counters().round_trips == 2);
}

// from_config reads a parsed krb5.conf; a build without the parser has none.
#if KERB_WITH_KRB5_CONF

TEST_CASE("from_config: the https kdc entries and http_anchors of each realm", "[https]") {
  auto config = Config::parse(R"([realms]
    KERB.TEST = {
        kdc = https://127.0.0.1:1/KdcProxy
        kdc = 127.0.0.1:88
        http_anchors = FILE:/nonexistent/ca.pem
    }
    PLAIN.TEST = {
        kdc = 127.0.0.1:88
    }
    BAD.TEST = {
        kdc = https://127.0.0.1:1/
        http_anchors = PEM:/x
    }
)");
  REQUIRE(config.ok());
  auto bad = HttpsKdcTransport::from_config(*config);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().category() == ErrorCategory::kConfig);

  auto good = Config::parse(R"([realms]
    KERB.TEST = {
        kdc = https://127.0.0.1:1/KdcProxy
        http_anchors = FILE:/nonexistent/ca.pem
    }
    PLAIN.TEST = {
        kdc = 127.0.0.1:88
    }
)");
  REQUIRE(good.ok());
  auto t = HttpsKdcTransport::from_config(*good);
  REQUIRE(t.ok());
  CHECK(t->has_proxies("KERB.TEST"));
  CHECK_FALSE(t->has_proxies("PLAIN.TEST"));
  auto r = t->exchange("KERB.TEST", kRequest);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.error().detail()).rfind("https://127.0.0.1:1/KdcProxy: ", 0) == 0);
}

// krb5.conf(5): kpasswd_server, like kdc, may be an MS-KKDCP URL; the two lists are separate.
TEST_CASE("from_config for kpasswd: the https kpasswd_server entries, not the kdc ones",
          "[https]") {
  auto config = Config::parse(R"([realms]
    KERB.TEST = {
        kdc = https://127.0.0.1:1/KdcProxy
        kpasswd_server = https://127.0.0.1:2/KpasswdProxy
        admin_server = 127.0.0.1:749
    }
    KDCONLY.TEST = {
        kdc = https://127.0.0.1:1/KdcProxy
    }
)");
  REQUIRE(config.ok());
  auto t = HttpsKdcTransport::from_config(*config, {}, kerb::https::ProxyService::kKpasswd);
  REQUIRE(t.ok());
  CHECK(t->has_proxies("KERB.TEST"));
  CHECK_FALSE(t->has_proxies("KDCONLY.TEST"));
  auto r = t->exchange("KERB.TEST", kRequest);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.error().detail()).rfind("https://127.0.0.1:2/KpasswdProxy: ", 0) == 0);

  // The routed transport: the proxy failed, and with every kpasswd_server entry a URL there is
  // no admin_server fallback (MIT's) to try after it.
  auto routed = kerb::https::kpasswd_transport_from_config(*config);
  REQUIRE(routed.ok());
  auto reply = (*routed)->exchange("KERB.TEST", kRequest);
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().category() == ErrorCategory::kIo);
  CHECK(std::string(reply.error().detail()).rfind("https://127.0.0.1:2/KpasswdProxy: ", 0) == 0);
}

#endif  // KERB_WITH_KRB5_CONF
