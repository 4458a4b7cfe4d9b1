#include "hostile_kdc.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include <kerb/clock.hpp>
#include <kerb/constants.hpp>
#include <kerb/crypto/random.hpp>

namespace kerb::hostile {
namespace {

sockaddr_in loopback(const char* ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

int bound_socket(int type, const char* ip, std::uint16_t port) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  const sockaddr_in a = loopback(ip, port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

void set_timeout(int fd, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool write_all(int fd, std::span<const std::uint8_t> data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

bool read_all(int fd, std::span<std::uint8_t> out) {
  while (!out.empty()) {
    const ssize_t n = ::recv(fd, out.data(), out.size(), 0);
    if (n <= 0) return false;
    out = out.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

Bytes with_length_prefix(std::span<const std::uint8_t> message) {
  const auto n = static_cast<std::uint32_t>(message.size());
  Bytes out(4 + message.size());
  out[0] = static_cast<std::uint8_t>(n >> 24);
  out[1] = static_cast<std::uint8_t>(n >> 16);
  out[2] = static_cast<std::uint8_t>(n >> 8);
  out[3] = static_cast<std::uint8_t>(n);
  std::copy(message.begin(), message.end(), out.begin() + 4);
  return out;
}

// One length-prefixed record (RFC 4120 §7.2.2); empty on any fault or above 1 MiB.
Bytes read_record(int fd) {
  std::uint8_t prefix[4];
  if (!read_all(fd, prefix)) return {};
  const std::uint32_t n = (std::uint32_t{prefix[0]} << 24) | (std::uint32_t{prefix[1]} << 16) |
                          (std::uint32_t{prefix[2]} << 8) | prefix[3];
  if (n == 0 || n > (1u << 20)) return {};
  Bytes out(n);
  if (!read_all(fd, out)) return {};
  return out;
}

}  // namespace

HostileKdc::HostileKdc(Script script) : script_(std::move(script)) {
  // UDP and TCP on the same port, as a KdcAddress names one port for both.
  for (int tries = 0; tries < 50 && tcp_ < 0; ++tries) {
    if (udp_ >= 0) ::close(udp_);
    udp_ = bound_socket(SOCK_DGRAM, "127.0.0.1", 0);
    port_ = port_of(udp_);
    tcp_ = bound_socket(SOCK_STREAM, "127.0.0.1", port_);
  }
  if (tcp_ < 0 || ::listen(tcp_, 8) != 0) std::abort();
  other_port_ = bound_socket(SOCK_DGRAM, "127.0.0.1", 0);
  other_address_ = bound_socket(SOCK_DGRAM, "127.0.0.2", 0);
  if (other_port_ < 0 || other_address_ < 0 || ::pipe2(wake_, O_CLOEXEC) != 0) std::abort();
  thread_ = std::thread([this] { serve(); });
}

HostileKdc::~HostileKdc() {
  const char stop = 's';
  (void)!::write(wake_[1], &stop, 1);
  thread_.join();
  for (int fd : {udp_, tcp_, other_port_, other_address_, wake_[0], wake_[1]})
    ::close(fd);
}

std::vector<Request> HostileKdc::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t HostileKdc::count(bool tcp) const {
  const std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const Request& r : requests_)
    n += r.tcp == tcp ? 1 : 0;
  return n;
}

void HostileKdc::serve() {
  for (;;) {
    pollfd fds[3] = {{wake_[0], POLLIN, 0}, {udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) continue;
    if (fds[0].revents != 0) return;
    if (fds[1].revents != 0) serve_udp();
    if (fds[2].revents != 0) serve_tcp();
  }
}

void HostileKdc::serve_udp() {
  Request request;
  request.bytes.resize(65536);
  sockaddr_storage from{};
  socklen_t from_len = sizeof from;
  const ssize_t n = ::recvfrom(udp_, request.bytes.data(), request.bytes.size(), 0,
                               reinterpret_cast<sockaddr*>(&from), &from_len);
  if (n <= 0) return;
  request.bytes.resize(static_cast<std::size_t>(n));
  {
    const std::lock_guard lock(mutex_);
    request.index = requests_.size();
    requests_.push_back(request);
    const auto* p = reinterpret_cast<const std::uint8_t*>(&from);
    sources_.resize(requests_.size());
    sources_.back().assign(p, p + from_len);
  }
  for (const Send& send : script_(*this, request))
    send_udp(send, request.index);
}

void HostileKdc::send_udp(const Send& send, std::size_t request_index) {
  if (send.delay.count() > 0) std::this_thread::sleep_for(send.delay);
  Bytes to;
  {
    const std::lock_guard lock(mutex_);
    const std::size_t i = send.to_request.value_or(request_index);
    if (i >= sources_.size() || sources_[i].empty()) return;
    to = sources_[i];
  }
  const int fd = send.from_other_address ? other_address_
                 : send.from_other_port  ? other_port_
                                         : udp_;
  (void)::sendto(fd, send.bytes.data(), send.bytes.size(), 0,
                 reinterpret_cast<const sockaddr*>(to.data()), static_cast<socklen_t>(to.size()));
}

void HostileKdc::serve_tcp() {
  const int fd = ::accept4(tcp_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  set_timeout(fd, 5);
  Request request;
  request.tcp = true;
  request.bytes = read_record(fd);
  if (!request.bytes.empty()) {
    {
      const std::lock_guard lock(mutex_);
      request.index = requests_.size();
      requests_.push_back(request);
      sources_.resize(requests_.size());  // no UDP source for a TCP request
    }
    for (const Send& send : script_(*this, request)) {
      if (send.delay.count() > 0) std::this_thread::sleep_for(send.delay);
      if (!write_all(fd, send.raw ? send.bytes : with_length_prefix(send.bytes))) break;
    }
  }
  ::close(fd);
}

Bytes HostileKdc::forward(std::span<const std::uint8_t> request) {
  const char* host = std::getenv("KERB_TEST_KDC_HOST");
  const char* port = std::getenv("KERB_TEST_KDC_PORT");
  if (host == nullptr || port == nullptr) return {};
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  set_timeout(fd, 5);
  const sockaddr_in a = loopback(host, static_cast<std::uint16_t>(std::atoi(port)));
  Bytes reply;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0 &&
      write_all(fd, with_length_prefix(request))) {
    reply = read_record(fd);
  }
  ::close(fd);
  return reply;
}

std::uint16_t dead_port() {
  // Bound then closed: nothing listens there until the kernel hands the port out again.
  const int fd = bound_socket(SOCK_DGRAM, "127.0.0.1", 0);
  const std::uint16_t port = port_of(fd);
  ::close(fd);
  return port;
}

// --- messages ------------------------------------------------------------------------------

Bytes krb_error(std::string_view realm, std::int32_t code, std::optional<Bytes> e_data,
                std::int64_t stime_offset) {
  const Timestamp now = system_clock().now();
  KrbError e;
  e.stime = KerberosTime{now.seconds + stime_offset};
  e.susec = Microseconds{now.usec};
  e.error_code = code;
  e.realm = realm;
  e.sname = PrincipalName(NameType::kSrvInst, {kTgsName, realm});
  if (e_data) e.e_data = kerb::Bytes(*e_data);
  return der_of(e);
}

Bytes etype_info2_method_data(crypto::EncType etype, std::optional<std::string_view> salt,
                              std::optional<Bytes> s2kparams) {
  EtypeInfo2Entry entry{etype, salt, std::nullopt};
  if (s2kparams) entry.s2kparams = kerb::Bytes(*s2kparams);
  const Bytes info = der_of(EtypeInfo2(std::span<const EtypeInfo2Entry>(&entry, 1)));
  const PaData pa{padata_type::kPaEtypeInfo2, info};
  return der_of(MethodData(std::span<const PaData>(&pa, 1)));
}

namespace {

// RFC 4120 §7.5.1's key usage numbers, typed in rather than taken from kerb.
constexpr std::uint32_t kAsRepEncPart = 3;
constexpr std::uint32_t kTgsRepEncPartSessionKey = 8;

// Decrypts `enc_part` under (key, usage), lets `rewrite` change it, seals it under
// (new_key, usage) and encodes `rep` with it.
Bytes reseal(KdcRep& rep, const crypto::Key& key, const crypto::Key& new_key, std::uint32_t usage,
             const Rewrite& rewrite) {
  auto plain_size = crypto::plaintext_size(rep.enc_part.etype, rep.enc_part.cipher.size());
  if (!plain_size) return {};
  Bytes plain(*plain_size);
  auto n = crypto::decrypt(key, usage, rep.enc_part.cipher, plain);
  if (!n) return {};
  plain.resize(*n);
  auto part = decode_enc_kdc_rep_part(plain);
  if (!part) return {};
  rewrite(rep, *part);
  const Bytes new_plain = der_of(*part);
  if (new_plain.empty()) return {};
  Bytes cipher(crypto::ciphertext_size(new_key.enctype(), new_plain.size()));
  auto m = crypto::encrypt(new_key, usage, new_plain, cipher, crypto::os_random());
  if (!m) return {};
  cipher.resize(*m);
  rep.enc_part = EncryptedData{new_key.enctype(), std::nullopt, cipher};
  rep.enc_part_raw = {};
  return der_of(rep);
}

}  // namespace

Bytes reseal_as_rep(std::span<const std::uint8_t> reply, const Principal& client,
                    std::string_view password, const Rewrite& rewrite,
                    std::optional<crypto::EncType> reseal_etype) {
  auto rep = decode_as_rep(reply);
  if (!rep) return {};
  // The salt: the reply's PA-ETYPE-INFO2 entry for its enctype, else realm + name (§4).
  std::string salt(client.realm());
  for (const std::string& c : client.components())
    salt += c;
  kerb::Bytes params;
  if (rep->padata) {
    if (auto pa = find_padata(*rep->padata, padata_type::kPaEtypeInfo2)) {
      if (auto entries = decode_etype_info2(pa->padata_value)) {
        for (const EtypeInfo2Entry& e : *entries) {
          if (e.etype != rep->enc_part.etype) continue;
          if (e.salt) salt = std::string(*e.salt);
          if (e.s2kparams) params = *e.s2kparams;
        }
      }
    }
  }
  const auto as_bytes = [](std::string_view s) {
    return std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  };
  auto key = crypto::Key::from_password(rep->enc_part.etype, password, as_bytes(salt), params);
  if (!key) return {};
  crypto::Key new_key = *key;
  if (reseal_etype) {
    // A weak enctype's key too: the forger is not bound by the client's policy.
    auto weak = crypto::Policy::from_list(std::span(&*reseal_etype, 1), /*allow_weak=*/true);
    if (!weak) return {};
    auto k = crypto::Key::from_password(*reseal_etype, password, as_bytes(salt), {}, *weak);
    if (!k) return {};
    new_key = *k;
  }
  return reseal(*rep, *key, new_key, kAsRepEncPart, rewrite);
}

Bytes reseal_tgs_rep(std::span<const std::uint8_t> reply, const crypto::Key& session_key,
                     const Rewrite& rewrite) {
  auto rep = decode_tgs_rep(reply);
  if (!rep) return {};
  return reseal(*rep, session_key, session_key, kTgsRepEncPartSessionKey, rewrite);
}

}  // namespace kerb::hostile
