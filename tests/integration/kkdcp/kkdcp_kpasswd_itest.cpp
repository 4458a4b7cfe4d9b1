// Password change (RFC 3244) through the fixture's KDC proxy, as krb5-kkdcp.conf asks with
// "kpasswd_server = https://.../KdcProxy": kdcproxy takes the request for a kpasswd message by
// its own parser (the log's kind=KPASSWD-REQ) and sends it to KERB.TEST's kadmind. The proxy's
// log counts the requests, connections and bytes independently of kerb's counters. Each test
// resets its user with kadmin.local first, so the tests run again against the same fixture.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <kerb/client.hpp>
#include <kerb/https/kdc_proxy_transport.hpp>
#include <kerb/kpasswd.hpp>

#include "itest_util.hpp"

using namespace kerb;
using namespace kerb::itest;
using kerb::https::HttpsKdcTransport;
using kerb::https::ProxyService;

namespace {

Config kkdcp_config() {
  return must(Config::load_path_list(env("KERB_TEST_KKDCP_KRB5_CONFIG")), "Config::load");
}

// The principal back to the fixture's password, expired (kadmin.local, as kdc-fixture made it).
// A random key first, so that setting the original password again never meets the history.
void reset_expired(const std::string& user) {
  const std::string kadmin = "PATH=$PATH:/usr/sbin kadmin.local -r " + env("KERB_TEST_REALM");
  run(kadmin + " -q 'cpw -randkey " + user + "'");
  run(kadmin + " -q 'cpw -pw " + password(user) + " " + user + "'");
  run(kadmin + " -q 'modprinc -pwexpire 2000-01-01 " + user + "'");
}

std::vector<std::string> proxy_log() {
  std::ifstream in(env("KERB_TEST_KKDCP_LOG"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

std::vector<std::string> lines_with(const std::vector<std::string>& lines, std::size_t from,
                                    const std::string& prefix, const std::string& part = "") {
  std::vector<std::string> out;
  for (std::size_t i = from; i < lines.size(); ++i) {
    if (lines[i].rfind(prefix, 0) == 0 && lines[i].find(part) != std::string::npos)
      out.push_back(lines[i]);
  }
  return out;
}

// Waits (up to 5 s) until the proxy has logged `closes` closed connections after line `from`.
std::vector<std::string> wait_for_closes(std::size_t from, std::size_t closes) {
  std::vector<std::string> lines = proxy_log();
  for (int i = 0; i < 100 && lines_with(lines, from, "close ").size() < closes; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    lines = proxy_log();
  }
  return lines;
}

std::string new_password(const std::string& user, int round) {
  return "Kerb-" + user + "-new-" + std::to_string(::getpid()) + "-" + std::to_string(round);
}

// The expired password of `user` changed with `kpasswd`, then a login with the new one.
void change_and_login(Client& client, const std::string& user, const std::string& changed_to) {
  const Principal who = principal(user);
  auto expired = client.login_password(who, password(user));
  REQUIRE_FALSE(expired.ok());
  REQUIRE(password_expired(expired.error()));

  auto changed = client.change_password(who, password(user), changed_to);
  INFO((changed ? "" : describe(changed.error())));
  REQUIRE(changed.ok());

  auto tgt = client.login_password(who, changed_to);
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(tgt->client == who);
  auto old = client.login_password(who, password(user));
  REQUIRE_FALSE(old.ok());
  CHECK_FALSE(password_expired(old.error()));
}

}  // namespace

TEST_CASE("an expired password is changed through the KDC proxy (kpasswd_server = https://...)",
          "[kkdcp][kpasswd]") {
  reset_expired("pwkkdcp");
  const Config config = kkdcp_config();
  // KDC messages through the proxy too, on a transport of their own.
  HttpsKdcTransport kdc = must(HttpsKdcTransport::from_config(config), "kdc transport");
  std::size_t before = 0;
  {
    std::unique_ptr<KdcTransport> kpasswd =
        must(https::kpasswd_transport_from_config(config), "kpasswd_transport_from_config");
    CountingTransport counting(*kpasswd);
    Client client(kdc, must(ClientOptions::from_config(config), "options"));
    client.set_kpasswd_transport(counting);
    before = proxy_log().size();
    change_and_login(client, "pwkkdcp", new_password("pwkkdcp", 1));
    CHECK(counting.round_trips() == 1);  // one request, one reply (RFC 3244 §2)
    CHECK(counting.failures() == 0);
  }
  // kdcproxy saw one password change and answered it; the KDC exchanges around it are AS-REQs.
  const std::vector<std::string> lines = wait_for_closes(before, 1);
  const std::vector<std::string> kpasswd = lines_with(lines, before, "request ", "KPASSWD-REQ");
  REQUIRE(kpasswd.size() == 1);
  CHECK(kpasswd[0].find(" status=200 ") != std::string::npos);
  CHECK(lines_with(lines, before, "request ").size() ==
        lines_with(lines, before, "request ", "kind=AS-REQ").size() + 1);
  // The kpasswd transport's one connection carried that one request and is closed now.
  int conn = -1;
  REQUIRE(std::sscanf(kpasswd[0].c_str(), "request conn=%d", &conn) == 1);
  const std::vector<std::string> closed =
      lines_with(lines, before, "close conn=" + std::to_string(conn) + " ");
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].find(" requests=1 ") != std::string::npos);
  std::printf("proxy: %s\nproxy: %s\n", kpasswd[0].c_str(), closed[0].c_str());
}

TEST_CASE("a password change over the proxy: round trips, connection and bytes",
          "[kkdcp][kpasswd]") {
  reset_expired("pwkkdcp");
  const Config config = kkdcp_config();
  HttpsKdcTransport kdc = must(HttpsKdcTransport::from_config(config), "kdc transport");
  HttpsKdcTransport kpasswd =
      must(HttpsKdcTransport::from_config(config, {}, ProxyService::kKpasswd), "kpasswd transport");
  REQUIRE(kpasswd.has_proxies("KERB.TEST"));
  Client client(kdc, must(ClientOptions::from_config(config), "options"));
  client.set_kpasswd_transport(kpasswd);
  const std::size_t before = proxy_log().size();
  change_and_login(client, "pwkkdcp", new_password("pwkkdcp", 2));

  const https::HttpsCounters& c = kpasswd.counters();
  CHECK(c.round_trips == 1);
  CHECK(c.connections == 1);
  const std::vector<std::string> kp = lines_with(proxy_log(), before, "request ", "KPASSWD-REQ");
  REQUIRE(kp.size() == 1);
  std::size_t body_in = 0, body_out = 0, header_in = 0;
  REQUIRE(std::sscanf(kp[0].c_str(),
                      "request conn=%*d status=200 header_in=%zu body_in=%zu body_out=%zu",
                      &header_in, &body_in, &body_out) == 3);
  CHECK(body_in == c.body_bytes_sent);
  CHECK(body_out == c.body_bytes_received);
  std::printf(
      "kkdcp password change (kerb): %zu round trip, %zu TLS connection, HTTP bodies %zu B sent "
      "/ %zu B received, headers %zu B sent / %zu B received\n",
      c.round_trips, c.connections, c.body_bytes_sent, c.body_bytes_received, c.header_bytes_sent,
      c.header_bytes_received);
}

TEST_CASE("kpasswd_server names the proxy, kdc does not: only the password change goes there",
          "[kkdcp][kpasswd]") {
  reset_expired("pwkkdcp");
  // krb5-kkdcp.conf with KERB.TEST's kdc back at the KDC itself.
  std::string text = run("cat \"$KERB_TEST_KKDCP_KRB5_CONFIG\"");
  const std::string proxied = "kdc = " + env("KERB_TEST_KKDCP_URL") + "\n";
  const std::size_t at = text.find(proxied);
  REQUIRE(at != std::string::npos);
  text.replace(at, proxied.size(), "kdc = 127.0.0.1:" + env("KERB_TEST_KDC_PORT") + "\n");
  const Config config = must(Config::parse(text), "Config::parse");
  REQUIRE(config.kdc_proxies("KERB.TEST").value().empty());

  auto kdc = https::transport_from_config(config);
  REQUIRE(kdc.ok());
  std::unique_ptr<KdcTransport> kpasswd =
      must(https::kpasswd_transport_from_config(config), "kpasswd_transport_from_config");
  Client client(**kdc);
  client.set_kpasswd_transport(*kpasswd);
  const std::size_t before = proxy_log().size();
  change_and_login(client, "pwkkdcp", new_password("pwkkdcp", 3));
  const std::vector<std::string> lines = proxy_log();
  CHECK(lines_with(lines, before, "request ").size() == 1);
  CHECK(lines_with(lines, before, "request ", "kind=KPASSWD-REQ").size() == 1);
}

TEST_CASE("kpasswd_transport_from_config: KERB.TEST's kpasswd through the proxy only as configured",
          "[kkdcp][kpasswd]") {
  // krb5.conf (no proxy): the same function goes straight to kadmind; the proxy sees nothing.
  reset_expired("pwkkdcp");
  const Config plain = load_config();
  PosixKdcTransport kdc = make_transport(plain);
  std::unique_ptr<KdcTransport> kpasswd =
      must(https::kpasswd_transport_from_config(plain), "kpasswd_transport_from_config");
  Client client(kdc);
  client.set_kpasswd_transport(*kpasswd);
  const std::size_t before = proxy_log().size();
  change_and_login(client, "pwkkdcp", new_password("pwkkdcp", 4));
  CHECK(lines_with(proxy_log(), before, "request ").empty());
}
