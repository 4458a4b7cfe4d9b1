// kerb's client and HttpsKdcTransport (MS-KKDCP) on real sockets against hostility on both
// sides of an HTTPS KDC proxy:
//   - behind a real kdcproxy (a second instance of the fixture's kdc-proxy-server, its own
//     kdcproxy.conf sending the realm to a HostileKdc over TCP): forged AS-REPs, garbage, a
//     TCP record cut short or with a 4 GiB length, a KDC that never answers (kdcproxy's own
//     timeout, its 503, the next proxy URL), KRB_AP_ERR_SKEW with one retry, and a genuine
//     login as the control;
//   - a hostile HTTPS responder (hostile_https_server.py, the fixture's proxy certificate) for
//     HTTP-level attacks: bodies that are no KDC-PROXY-MESSAGE or carry a 4 GiB length, a body
//     cut short, one without end (chunked and HTTP/1.0 close-delimited), one that stalls,
//     redirects (never followed), a 500.
// Each failure is a typed error naming the URL, memory stays bounded (the largest block kerb or
// libcurl allocates), and the next URL answers when there is one.
#include <catch2/catch.hpp>

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/https/kdc_proxy_transport.hpp>

#include "../../largest_block.hpp"
#include "hostile_checks.hpp"
#include "hostile_kdc.hpp"
#include "itest_util.hpp"

extern char** environ;

using namespace kerb;
using namespace kerb::itest;
using hostile::bytes_of;
using hostile::check_error;
using hostile::HostileKdc;
using hostile::Request;
using hostile::Send;
using kerb::https::HttpsAnchors;
using kerb::https::HttpsKdcTransport;
using kerb::https::HttpsTransportOptions;
using Sends = std::vector<Send>;

namespace {

// libcurl's allocations count too (only the test's thread uses it).
void* curl_malloc(std::size_t size) {
  if (largest_block::watching) largest_block::note(size);
  return std::malloc(size);
}
void curl_free(void* p) {
  std::free(p);
}
void* curl_realloc(void* p, std::size_t size) {
  if (largest_block::watching) largest_block::note(size);
  return std::realloc(p, size);
}
char* curl_strdup(const char* s) {
  const std::size_t n = std::strlen(s) + 1;
  if (largest_block::watching) largest_block::note(n);
  auto* out = static_cast<char*>(std::malloc(n));
  if (out != nullptr) std::memcpy(out, s, n);
  return out;
}
void* curl_calloc(std::size_t count, std::size_t size) {
  if (largest_block::watching) largest_block::note(count * size);
  return std::calloc(count, size);
}

// Before anything else of libcurl's: its allocations go through the counters above.
const bool g_curl_hooked = curl_global_init_mem(CURL_GLOBAL_DEFAULT, curl_malloc, curl_free,
                                                curl_realloc, curl_strdup, curl_calloc) == CURLE_OK;

constexpr std::int32_t kSkew = 37;  // RFC 4120 §7.5.9
constexpr std::size_t kBlockCeiling = 256 * 1024;

std::string realm() {
  return env("KERB_TEST_REALM");
}

std::string kkdcp_dir() {
  const std::string ca = env("KERB_TEST_KKDCP_CA");
  return ca.substr(0, ca.rfind('/'));
}

Sends forward(const Request& r) {
  return {Send{HostileKdc::forward(r.bytes)}};
}
Sends forward_all(HostileKdc&, const Request& r) {
  return forward(r);
}

// A free TCP port of 127.0.0.1 (bound, then closed).
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  std::uint16_t port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

std::size_t count_containing(const std::vector<std::string>& lines, const std::string& what) {
  std::size_t n = 0;
  for (const std::string& l : lines)
    n += l.find(what) != std::string::npos ? 1 : 0;
  return n;
}

// A server program on a loopback port of its own (PORT first, a pid file written once it
// listens), in a fresh directory under $KERB_TEST_DIR; stopped by its pid when the test ends,
// passed or failed.
class ServerProcess {
 public:
  // `args` after PORT; "{dir}" in them is replaced by the directory, where `files` (name,
  // contents) are written first.
  ServerProcess(const std::string& program, std::vector<std::string> args,
                const std::vector<std::pair<std::string, std::string>>& files = {}) {
    std::string tmpl = env("KERB_TEST_DIR") + "/hostile-kkdcp-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) FAIL("mkdtemp " << tmpl);
    dir_ = tmpl;
    for (const auto& [name, contents] : files)
      std::ofstream(dir_ + "/" + name) << contents;
    for (std::string& a : args) {
      for (std::size_t at; (at = a.find("{dir}")) != std::string::npos;)
        a.replace(at, 5, dir_);
    }
    for (int attempt = 0; attempt < 3 && pid_ <= 0; ++attempt)
      start(program, args);
    if (pid_ <= 0) FAIL(program << " did not start; see " << dir_ << "/stderr");
  }
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string url(const char* host, const std::string& path) const {
    return "https://" + std::string(host) + ":" + std::to_string(port_) + path;
  }
  std::vector<std::string> log() const { return read_lines(dir_ + "/log"); }

 private:
  void start(const std::string& program, const std::vector<std::string>& args) {
    port_ = free_port();
    const std::string pid_file = dir_ + "/pid";
    std::vector<std::string> argv_s{program, std::to_string(port_)};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& s : argv_s)
      argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    const std::string err = dir_ + "/stderr";
    posix_spawn_file_actions_addopen(&actions, 1, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return;
    for (int i = 0; i < 200; ++i) {  // 10 s
      const auto lines = read_lines(pid_file);
      if (!lines.empty() && lines[0] == std::to_string(pid)) {
        pid_ = pid;
        return;
      }
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) return;  // died (the port was taken?)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  std::string dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// A HostileKdc behind its own kdcproxy: kdcproxy.conf sends the realm to the KDC over TCP
// (as the fixture's does for the real KDC). The proxy presents the fixture's certificate
// `cert` (.pem and .key in its KDC proxy directory): by default the one for 127.0.0.1 and
// localhost.
struct ProxiedKdc {
  HostileKdc kdc;
  ServerProcess proxy;

  explicit ProxiedKdc(hostile::Script script, const std::string& cert = "proxy")
      : kdc(std::move(script)),
        proxy(KERB_KDC_PROXY_SERVER,
              {kkdcp_dir() + "/" + cert + ".pem", kkdcp_dir() + "/" + cert + ".key",
               "{dir}/kdcproxy.conf", "{dir}/log", "{dir}/pid"},
              {{"kdcproxy.conf", conf(kdc)}}) {}

  std::string url(const char* host = "127.0.0.1") const { return proxy.url(host, "/KdcProxy"); }
  // Its log lines with that HTTP status. kdcproxy logs a request after answering it: wait
  // (a while) for `expected` of them, and then count.
  std::size_t replies(int status, std::size_t expected) const {
    const std::string what = "status=" + std::to_string(status) + " ";
    for (int i = 0; i < 60 && count_containing(proxy.log(), what) < expected; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return count_containing(proxy.log(), what);
  }

 private:
  static std::string conf(const HostileKdc& kdc) {
    return "[global]\nuse_dns = false\n[" + realm() +
           "]\nkerberos = kerberos+tcp://127.0.0.1:" + std::to_string(kdc.address().port) + "\n";
  }
};

HttpsKdcTransport transport(std::vector<std::string> urls,
                            std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
  HttpsTransportOptions options;
  options.connect_timeout = std::chrono::milliseconds(2000);
  options.timeout = timeout;
  HttpsKdcTransport t = must(HttpsKdcTransport::create(options), "HttpsKdcTransport::create");
  HttpsAnchors anchors;
  anchors.ca_file = env("KERB_TEST_KKDCP_CA");
  REQUIRE(t.set_proxies(realm(), std::move(urls), anchors).ok());
  return t;
}

Result<Credentials> login(HttpsKdcTransport& t, ClientOptions options = {}) {
  Client client(t, std::move(options));
  largest_block::largest = 0;
  largest_block::watching = true;
  auto r = client.login_password(principal("alice"), password("alice"));
  largest_block::watching = false;
  return r;
}

// Forwards to the real KDC and re-seals every AS-REP after `rewrite`.
hostile::Script as_forger(hostile::Rewrite rewrite) {
  return [rewrite = std::move(rewrite)](HostileKdc&, const Request& r) {
    hostile::Bytes reply = HostileKdc::forward(r.bytes);
    if (reply.empty() || reply[0] != 0x6B) return Sends{Send{reply}};  // not an AS-REP
    return Sends{
        Send{hostile::reseal_as_rep(reply, principal("alice"), password("alice"), rewrite)}};
  };
}

}  // namespace

TEST_CASE("kkdcp hostile: libcurl's allocations are counted", "[kkdcp-hostile][kdcproxy]") {
  REQUIRE(g_curl_hooked);
}

TEST_CASE("kkdcp hostile: a genuine login through a second kdcproxy", "[kkdcp-hostile][kdcproxy]") {
  ProxiedKdc p(forward_all);
  HttpsKdcTransport t = transport({p.url()});
  auto tgt = login(t);
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(tgt->server.to_string() == "krbtgt/" + realm() + "@" + realm());
  // PREAUTH_REQUIRED, then the AS-REP: both through kdcproxy to the KDC over TCP.
  CHECK(p.kdc.count(true) == 2);
  CHECK(p.kdc.count(false) == 0);
  CHECK(p.replies(200, 2) == 2);
}

TEST_CASE("kkdcp hostile: a proxy certificate from the trusted CA for another host name is refused",
          "[kkdcp-hostile][https]") {
  for (const char* host : {"127.0.0.1", "localhost"}) {
    DYNAMIC_SECTION("at " << host) {
      // wrong-name.pem: the fixture's CA, DNS:kdc.elsewhere.test only.
      ProxiedKdc p(forward_all, "wrong-name");
      HttpsKdcTransport t = transport({p.url(host)});
      const auto r = login(t);
      // libcurl's reason after the URL: the name it did not find in the certificate.
      check_error(r, ErrorCategory::kIo, 0, "target host name '" + std::string(host) + "'");
      CHECK(std::string(r.error().detail()).rfind(p.url(host) + ": ", 0) == 0);
      CHECK(t.counters().body_bytes_received == 0);
      CHECK(p.kdc.count(true) + p.kdc.count(false) == 0);  // nothing reached the KDC
    }
  }
  SECTION("control: the same proxy with the certificate for 127.0.0.1 and localhost") {
    ProxiedKdc good(forward_all);
    HttpsKdcTransport t = transport({good.url()});
    const auto r = login(t);
    INFO((r ? "" : describe(r.error())));
    CHECK(r.ok());
  }
}

TEST_CASE("kkdcp hostile: forged AS-REPs through kdcproxy are refused as they are directly",
          "[kkdcp-hostile][kdcproxy]") {
  const std::string other_realm = "EVIL." + realm();
  SECTION("control: re-sealed unchanged, the reply is accepted") {
    ProxiedKdc p(as_forger([](KdcRep&, EncKdcRepPart&) {}));
    HttpsKdcTransport t = transport({p.url()});
    auto tgt = login(t);
    INFO((tgt ? "" : describe(tgt.error())));
    REQUIRE(tgt.ok());
  }
  SECTION("a wrong nonce") {
    ProxiedKdc p(as_forger([](KdcRep&, EncKdcRepPart& part) { part.nonce ^= 1; }));
    HttpsKdcTransport t = transport({p.url()});
    check_error(login(t), ErrorCategory::kProtocol, 0, "nonce");
  }
  SECTION("another cname") {
    ProxiedKdc p(as_forger([](KdcRep& rep, EncKdcRepPart&) {
      rep.cname = PrincipalName(NameType::kPrincipal, {"bob"});
    }));
    HttpsKdcTransport t = transport({p.url()});
    check_error(login(t), ErrorCategory::kProtocol, 0, "client");
  }
  SECTION("an encrypted sname other than the ticket's clear one") {
    ProxiedKdc p(as_forger([&](KdcRep&, EncKdcRepPart& part) {
      part.sname = PrincipalName(NameType::kSrvInst, {"krbtgt", other_realm});
    }));
    HttpsKdcTransport t = transport({p.url()});
    check_error(login(t), ErrorCategory::kProtocol, 0, "another service than its ticket");
  }
}

TEST_CASE("kkdcp hostile: garbage from the KDC through kdcproxy is a typed error",
          "[kkdcp-hostile][kdcproxy]") {
  // The same bytes and the same categories as a KDC sending them directly.
  for (const hostile::GarbageReply& c : hostile::garbage_replies()) {
    DYNAMIC_SECTION(c.name) {
      ProxiedKdc p([&](HostileKdc&, const Request&) { return Sends{Send{c.reply}}; });
      HttpsKdcTransport t = transport({p.url()});
      check_error(login(t), c.category, 0);
      CHECK(p.kdc.count(true) == 1);
      CHECK(largest_block::largest.load() < kBlockCeiling);
    }
  }
}

TEST_CASE(
    "kkdcp hostile: a TCP record cut short or 4 GiB long behind kdcproxy is refused, the "
    "next proxy answers",
    "[kkdcp-hostile][kdcproxy]") {
  // kdcproxy passes on whatever it read when the KDC closes the connection (MS-KKDCP leaves
  // the check to the client): the kerb-message's length prefix does not match.
  struct Case {
    const char* name;
    hostile::Bytes stream;
    const char* reason;
  };
  const Case cases[] = {
      Case{"a record cut short", bytes_of({0x00, 0x00, 0x03, 0xE8, 0x6B, 0x82, 0x03, 0xE4, 0x30}),
           "length prefix does not match"},
      Case{"a length of 4 GiB - 1", bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 0x6B}), "high bit"},
      Case{"a length of 2 GiB - 1", bytes_of({0x7F, 0xFF, 0xFF, 0xFF, 0x6B}),
           "length prefix does not match"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      ProxiedKdc bad([&](HostileKdc&, const Request&) {
        Send s{c.stream};
        s.raw = true;
        return Sends{s};
      });
      SECTION("alone: kIo naming the URL") {
        HttpsKdcTransport t = transport({bad.url()});
        const auto r = login(t);
        check_error(r, ErrorCategory::kIo, 0, bad.url() + ": ");
        check_error(r, ErrorCategory::kIo, 0, c.reason);
        CHECK(largest_block::largest.load() < kBlockCeiling);
      }
      SECTION("the next proxy URL answers") {
        ProxiedKdc good(forward_all);
        HttpsKdcTransport t = transport({bad.url(), good.url()});
        auto tgt = login(t);
        INFO((tgt ? "" : describe(tgt.error())));
        REQUIRE(tgt.ok());
        CHECK(bad.replies(200, 2) == 2);
        CHECK(good.replies(200, 2) == 2);
        CHECK(largest_block::largest.load() < kBlockCeiling);
      }
    }
  }
}

TEST_CASE("kkdcp hostile: KRB_AP_ERR_SKEW through kdcproxy brings one clock-corrected retry",
          "[kkdcp-hostile][kdcproxy]") {
  constexpr std::int64_t kAhead = 120;
  const hostile::Bytes skew = hostile::krb_error(realm(), kSkew, std::nullopt, kAhead);
  SECTION("the retry succeeds") {
    ProxiedKdc p([&](HostileKdc&, const Request& r) {
      return r.index == 0 ? Sends{Send{skew}} : forward(r);
    });
    HttpsKdcTransport t = transport({p.url()});
    auto tgt = login(t);
    INFO((tgt ? "" : describe(tgt.error())));
    REQUIRE(tgt.ok());
    CHECK(p.kdc.requests().size() == 3);  // SKEW, PREAUTH_REQUIRED, the AS-REP
  }
  SECTION("a second KRB_AP_ERR_SKEW ends the login") {
    ProxiedKdc p([&](HostileKdc&, const Request&) { return Sends{Send{skew}}; });
    HttpsKdcTransport t = transport({p.url()});
    check_error(login(t), ErrorCategory::kKdc, kSkew);
    CHECK(p.kdc.requests().size() == 2);
  }
}

TEST_CASE("kkdcp hostile: a KDC that never answers: kdcproxy's 503, then the next proxy URL",
          "[kkdcp-hostile][silent]") {
  // kdcproxy gives a KDC over TCP 12 s, then 15 s more, and answers 503 (its own timeout);
  // the KDC holds the first request's connection open past that, then answers the others.
  ProxiedKdc silent([](HostileKdc&, const Request& r) {
    if (r.index != 0) return forward(r);
    Send s;
    s.raw = true;  // nothing written: the connection only stays open
    s.delay = std::chrono::seconds(29);
    return Sends{s};
  });
  ProxiedKdc good(forward_all);
  HttpsKdcTransport t = transport({silent.url(), good.url()}, std::chrono::seconds(40));
  auto tgt = login(t);
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(silent.replies(503, 1) == 1);
  CHECK(good.replies(200, 1) == 1);    // the first AS-REQ
  CHECK(silent.replies(200, 1) == 1);  // the second: the KDC answers again
}

TEST_CASE("kkdcp hostile: a KDC that never answers, one proxy URL: kIo naming it and the 503",
          "[kkdcp-hostile][silent]") {
  ProxiedKdc silent([](HostileKdc&, const Request&) {
    Send s;
    s.raw = true;
    s.delay = std::chrono::seconds(29);
    return Sends{s};
  });
  HttpsKdcTransport t = transport({silent.url()}, std::chrono::seconds(40));
  const auto r = login(t);
  check_error(r, ErrorCategory::kIo, 0, silent.url() + ": HTTP status 503");
}

// --- HTTP-level attacks ---------------------------------------------------------------------

namespace {

// The hostile responder, and a good proxy (kdcproxy in front of a forwarding HostileKdc) that
// is both the next URL and where the redirects point, under another host name (localhost).
struct HttpsAttack {
  ProxiedKdc good{forward_all};
  ServerProcess hostile{KERB_HOSTILE_HTTPS_SERVER,
                        {kkdcp_dir() + "/proxy.pem", kkdcp_dir() + "/proxy.key", "{dir}/log",
                         "{dir}/pid", good.url("localhost")}};
};

struct Attack {
  const char* path;
  const char* reason;  // in the error's detail
};

}  // namespace

TEST_CASE("kkdcp hostile: HTTP-level attacks are kIo errors naming the URL, the next URL answers",
          "[kkdcp-hostile][https]") {
  const Attack attacks[] = {
      {"/not-kkdcp", "not a KDC-PROXY-MESSAGE"},
      {"/huge-length", "high bit"},
      {"/short-body", "closed"},
      {"/endless", "reply longer than 65536 bytes"},
      {"/stall", "timed out"},
      {"/redirect-302", "HTTP status 302"},
      {"/redirect-307", "HTTP status 307"},
      {"/http10-cut", "not a KDC-PROXY-MESSAGE"},
      {"/http10-endless", "reply longer than 65536 bytes"},
      {"/500", "HTTP status 500"},
  };
  HttpsAttack a;
  for (const Attack& attack : attacks) {
    const std::string url = a.hostile.url("127.0.0.1", attack.path);
    DYNAMIC_SECTION(attack.path << " alone") {
      HttpsKdcTransport t = transport({url});
      const auto r = login(t);
      check_error(r, ErrorCategory::kIo, 0, url + ": ");
      check_error(r, ErrorCategory::kIo, 0, attack.reason);
      CHECK(largest_block::largest.load() < kBlockCeiling);
      CHECK(count_containing(a.hostile.log(), "request " + std::string(attack.path)) == 1);
      // Redirects are not followed: the good proxy saw nothing.
      CHECK(a.good.proxy.log().empty());
    }
    DYNAMIC_SECTION(attack.path << " then a good proxy") {
      const std::size_t before = count_containing(a.hostile.log(), "request ");
      HttpsKdcTransport t = transport({url, a.good.url()});
      auto tgt = login(t);
      INFO((tgt ? "" : describe(tgt.error())));
      REQUIRE(tgt.ok());
      CHECK(largest_block::largest.load() < kBlockCeiling);
      // Both AS-REQs tried the hostile URL first, then the good one.
      CHECK(count_containing(a.hostile.log(), "request ") - before == 2);
      CHECK(a.good.replies(200, 2) == 2);
    }
  }
}

TEST_CASE("kkdcp hostile: a KDC-PROXY-MESSAGE holding garbage is the client's typed error",
          "[kkdcp-hostile][https]") {
  HttpsAttack a;
  const std::string url = a.hostile.url("127.0.0.1", "/garbage-kerb");
  HttpsKdcTransport t = transport({url});
  // The same bytes straight from a KDC: kProtocol (neither an AS-REP nor a KRB-ERROR).
  check_error(login(t), ErrorCategory::kProtocol, 0);
  CHECK(largest_block::largest.load() < kBlockCeiling);
}

TEST_CASE(
    "kkdcp hostile: a body without end into a work buffer is over the reply limit, not a "
    "buffer too small",
    "[kkdcp-hostile][https]") {
  // With ClientOptions::work_buffer the reply goes into the caller's buffer (exchange_into),
  // smaller than the reply limit. A body that never ends is the proxy's fault (kIo, the next
  // URL), as a TCP length above the limit is a KDC's, and so is an error page; only a 200 reply
  // within the limit that does not fit is kBufferTooSmall.
  HttpsAttack a;
  std::vector<std::uint8_t> work(16 * 1024);
  ClientOptions options;
  options.work_buffer = work;
  const Attack attacks[] = {
      {"/endless", "reply longer than 65536 bytes"},
      {"/http10-endless", "reply longer than 65536 bytes"},
      {"/500-big", "HTTP status 500"},  // an error page longer than the buffer
  };
  for (const auto& [path, reason] : attacks) {
    const std::string url = a.hostile.url("127.0.0.1", path);
    DYNAMIC_SECTION(path << " alone") {
      HttpsKdcTransport t = transport({url});
      const auto r = login(t, options);
      check_error(r, ErrorCategory::kIo, 0, url + ": " + reason);
      CHECK(largest_block::largest.load() < kBlockCeiling);
    }
    DYNAMIC_SECTION(path << " then a good proxy") {
      HttpsKdcTransport t = transport({url, a.good.url()});
      auto tgt = login(t, options);
      INFO((tgt ? "" : describe(tgt.error())));
      REQUIRE(tgt.ok());
      CHECK(a.good.replies(200, 2) == 2);
    }
  }
  SECTION("control: a reply within the limit that does not fit is kBufferTooSmall") {
    // The KDC's answer to a real AS-REQ (its KRB-ERROR or AS-REP: more than 64 bytes).
    HttpsKdcTransport t = transport({a.good.url()});
    REQUIRE(login(t).ok());
    const auto requests = a.good.kdc.requests();
    REQUIRE_FALSE(requests.empty());
    std::uint8_t tiny[64];
    const auto r = t.exchange_into(realm(), requests[0].bytes, tiny);
    REQUIRE_FALSE(r.ok());
    INFO(describe(r.error()));
    CHECK(r.error().category() == ErrorCategory::kBufferTooSmall);
    CHECK_THAT(std::string(r.error().detail()),
               Catch::Contains("the reply buffer holds 64 bytes; " + a.good.url()));
  }
}
