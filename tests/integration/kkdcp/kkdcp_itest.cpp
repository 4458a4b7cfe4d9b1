// kerb's Client through the fixture's KDC proxy (Debian's python3-kdcproxy behind HTTPS, see
// kdc-fixtures/kdc-proxy-server): logins, service tickets, round trips and TLS connections,
// certificates refused, proxy errors. The proxy's own log (one line per request and per
// closed connection) is the independent count.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/https/kdc_proxy_transport.hpp>

#include "itest_util.hpp"

using namespace kerb;
using namespace kerb::itest;
using kerb::https::HttpsAnchors;
using kerb::https::HttpsKdcTransport;
using kerb::https::HttpsTransportOptions;

namespace {

Config kkdcp_config() {
  const std::string path = env("KERB_TEST_KKDCP_KRB5_CONFIG");
  return must(Config::load_path_list(path), "Config::load_path_list");
}

HttpsKdcTransport kkdcp_transport(HttpsTransportOptions options = {}) {
  return must(HttpsKdcTransport::from_config(kkdcp_config(), options),
              "HttpsKdcTransport::from_config");
}

HttpsAnchors anchors_file(const std::string& path) {
  HttpsAnchors a;
  a.ca_file = path;
  return a;
}

// The proxy log's lines, and those a test added to it.
std::vector<std::string> proxy_log() {
  std::ifstream in(env("KERB_TEST_KKDCP_LOG"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

std::size_t count_prefix(const std::vector<std::string>& lines, std::size_t from,
                         const std::string& prefix) {
  std::size_t n = 0;
  for (std::size_t i = from; i < lines.size(); ++i)
    n += lines[i].rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

// Waits (up to 5 s) until the proxy has logged `closes` closed connections after line `from`.
std::vector<std::string> wait_for_closes(std::size_t from, std::size_t closes) {
  std::vector<std::string> lines = proxy_log();
  for (int i = 0; i < 100 && count_prefix(lines, from, "close ") < closes; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    lines = proxy_log();
  }
  return lines;
}

}  // namespace

TEST_CASE("a password login and a service ticket through the KDC proxy", "[kkdcp][login]") {
  const std::size_t before = proxy_log().size();
  {
    HttpsKdcTransport https = kkdcp_transport();
    CountingTransport counting(https);
    Client client(counting, must(ClientOptions::from_config(kkdcp_config()), "options"));

    const Principal alice = principal("alice");
    auto tgt = client.login_password(alice, password("alice"));
    INFO((tgt ? "" : describe(tgt.error())));
    REQUIRE(tgt.ok());
    CHECK(tgt->server.to_string() == "krbtgt/KERB.TEST@KERB.TEST");
    // No hints: the AS-REQ without pre-authentication draws PREAUTH_REQUIRED, then the one with
    // PA-ENC-TIMESTAMP (RFC 4120 §3.1.1, RFC 6113 §2.2).
    CHECK(counting.round_trips() == 2);

    auto ticket = client.service_ticket(*tgt, principal("bank/bank.test"));
    INFO((ticket ? "" : describe(ticket.error())));
    REQUIRE(ticket.ok());
    CHECK(ticket->server.to_string() == "bank/bank.test@KERB.TEST");
    CHECK(counting.round_trips() == 3);
    CHECK(counting.failures() == 0);

    const https::HttpsCounters& c = https.counters();
    CHECK(c.round_trips == 3);
    CHECK(c.connections == 1);  // the AS and TGS exchanges share one TLS connection
    CHECK(c.body_bytes_sent > 0);
    CHECK(c.body_bytes_received > 0);
    std::printf(
        "kkdcp login+TGS (kerb): %zu round trips, %zu TLS connection(s), HTTP bodies %zu B "
        "sent / %zu B received, headers %zu B sent / %zu B received\n",
        c.round_trips, c.connections, c.body_bytes_sent, c.body_bytes_received, c.header_bytes_sent,
        c.header_bytes_received);

    // The proxy's view: three answered requests on one connection, the same body sizes.
    const std::vector<std::string> lines = proxy_log();
    CHECK(count_prefix(lines, before, "request ") == 3);
    std::size_t body_in = 0, body_out = 0;
    for (std::size_t i = before; i < lines.size(); ++i) {
      std::size_t in = 0, out = 0;
      if (std::sscanf(lines[i].c_str(),
                      "request conn=%*d status=200 header_in=%*d body_in=%zu "
                      "body_out=%zu",
                      &in, &out) == 2) {
        body_in += in;
        body_out += out;
      }
    }
    CHECK(body_in == c.body_bytes_sent);
    CHECK(body_out == c.body_bytes_received);
  }
  // Destroying the transport closes its one connection, which carried all three requests.
  const std::vector<std::string> lines = wait_for_closes(before, 1);
  REQUIRE(count_prefix(lines, before, "close ") == 1);
  CHECK(count_prefix(lines, before, "request ") == 3);
  bool three = false;
  for (std::size_t i = before; i < lines.size(); ++i) {
    if (lines[i].rfind("close ", 0) == 0) {
      three = lines[i].find(" requests=3 ") != std::string::npos;
      std::printf("proxy: %s\n", lines[i].c_str());
    }
  }
  CHECK(three);
}

TEST_CASE("a keytab login through the KDC proxy, reply received into a buffer", "[kkdcp][login]") {
  HttpsKdcTransport https = kkdcp_transport();
  std::vector<std::uint8_t> work(16 * 1024);
  ClientOptions options = must(ClientOptions::from_config(kkdcp_config()), "options");
  options.work_buffer = work;
  Client client(https, options);
  Keytab keytab = bank_keytab();
  auto tgt = client.login_keytab(principal("bank/bank.test"), keytab);
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(https.counters().connections == 1);
}

TEST_CASE("a proxy certificate from another CA is refused", "[kkdcp][anchors]") {
  const std::size_t before = proxy_log().size();
  HttpsKdcTransport https = must(HttpsKdcTransport::create(), "create");
  const std::string url = env("KERB_TEST_KKDCP_URL");
  REQUIRE(
      https.set_proxies("KERB.TEST", {url}, anchors_file(env("KERB_TEST_KKDCP_WRONG_CA"))).ok());
  Client client(https);
  auto tgt = client.login_password(principal("alice"), password("alice"));
  REQUIRE_FALSE(tgt.ok());
  INFO(describe(tgt.error()));
  CHECK(tgt.error().category() == ErrorCategory::kIo);
  const std::string detail(tgt.error().detail());
  CHECK(detail.rfind(url + ": ", 0) == 0);                 // names the URL
  CHECK(detail.find("certificate") != std::string::npos);  // and what failed
  CHECK(https.counters().body_bytes_received == 0);
  // Nothing reached the KDC: the proxy logged no request.
  CHECK(count_prefix(proxy_log(), before, "request ") == 0);

  // The system's store does not hold the fixture's CA either.
  REQUIRE(https.set_proxies("KERB.TEST", {url}).ok());
  auto again = client.login_password(principal("alice"), password("alice"));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().category() == ErrorCategory::kIo);
  CHECK(std::string(again.error().detail()).find("certificate") != std::string::npos);
}

TEST_CASE("proxy errors, reply limits and failover", "[kkdcp][errors]") {
  const std::string url = env("KERB_TEST_KKDCP_URL");
  const HttpsAnchors anchors = anchors_file(env("KERB_TEST_KKDCP_CA"));
  // [APPLICATION 10] around a bad body: kdcproxy cannot parse it as an AS-REQ and answers
  // 400 without asking a KDC.
  const std::vector<std::uint8_t> request = {0x6a, 0x03, 0x30, 0x01, 0x00};

  SECTION("a request the proxy refuses: HTTP 400") {
    HttpsKdcTransport https = must(HttpsKdcTransport::create(), "create");
    REQUIRE(https.set_proxies("KERB.TEST", {url}, anchors).ok());
    auto reply = https.exchange("KERB.TEST", request);
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().category() == ErrorCategory::kIo);
    CHECK(std::string(reply.error().detail()) == url + ": HTTP status 400");
  }
  SECTION("a reply over max_reply_size is refused") {
    HttpsTransportOptions options;
    options.max_reply_size = 100;  // an AS reply from the fixture is some 240 bytes or more
    HttpsKdcTransport https = kkdcp_transport(options);
    Client client(https);
    auto tgt = client.login_password(principal("alice"), password("alice"));
    REQUIRE_FALSE(tgt.ok());
    CHECK(tgt.error().category() == ErrorCategory::kIo);
    CHECK(std::string(tgt.error().detail()) == url + ": reply longer than 100 bytes");
  }
  SECTION("a reply buffer too small for the body") {
    HttpsKdcTransport https = kkdcp_transport();
    std::vector<std::uint8_t> work(64);
    ClientOptions options;
    options.work_buffer = work;
    Client client(https, options);
    auto tgt = client.login_password(principal("alice"), password("alice"));
    REQUIRE_FALSE(tgt.ok());
    CHECK(tgt.error().category() == ErrorCategory::kBufferTooSmall);
  }
  SECTION("a dead proxy first: the next URL answers, on one new connection") {
    HttpsKdcTransport https = must(HttpsKdcTransport::create(), "create");
    REQUIRE(https.set_proxies("KERB.TEST", {"https://127.0.0.1:1/KdcProxy", url}, anchors).ok());
    Client client(https);
    auto tgt = client.login_password(principal("alice"), password("alice"));
    INFO((tgt ? "" : describe(tgt.error())));
    REQUIRE(tgt.ok());
    CHECK(https.counters().round_trips == 4);  // two exchanges, each tried at both URLs
    CHECK(https.counters().connections == 1);
  }
}

TEST_CASE("transport_from_config: KERB.TEST through its proxy, OTHER.TEST direct",
          "[kkdcp][route]") {
  const Config config = kkdcp_config();
  auto transport = https::transport_from_config(config);
  REQUIRE(transport.ok());
  Client client(**transport, must(ClientOptions::from_config(config), "options"));

  std::size_t before = proxy_log().size();
  auto tgt = client.login_password(principal("alice"), password("alice"));
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(count_prefix(proxy_log(), before, "request ") == 2);

  before = proxy_log().size();
  auto carol = Principal::parse(env("KERB_TEST_OTHER_USER"));
  REQUIRE(carol.ok());
  auto other = client.login_password(*carol, password("carol"));
  INFO((other ? "" : describe(other.error())));
  REQUIRE(other.ok());
  CHECK(count_prefix(proxy_log(), before, "request ") == 0);
}
