// A scriptable hostile KDC for integration tests. It listens on 127.0.0.1, UDP and TCP on one
// ephemeral port, on a thread of its own, and hands every request to the test's Script, which
// decides what goes back: nothing, the fixture's real KDC's reply (forward()) as it is or
// rewritten with kerb's codec, or any bytes at all (garbage, a cut TCP record, a 4 GiB length
// prefix, a reply from another port or address, one sent to an earlier request's source).
//
// The Script runs on the server thread: it must not use Catch2's assertions. Tests look at
// what happened (requests(), the forgery helpers' results) after the client's call returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <kerb/config.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/padata.hpp>
#include <kerb/principal.hpp>

namespace kerb::hostile {

using Bytes = std::vector<std::uint8_t>;

struct Request {
  bool tcp = false;
  std::size_t index = 0;  // this KDC's requests so far, UDP and TCP together
  Bytes bytes;            // the KDC-REQ (TCP: without its length prefix)
};

// One thing sent back. Over TCP the sends are written in order, then the connection closes.
struct Send {
  Send() = default;
  explicit Send(Bytes b) : bytes(std::move(b)) {}

  Bytes bytes;
  bool raw = false;                       // TCP: written as is, no length prefix added
  std::chrono::milliseconds delay{0};     // slept before sending (the server thread waits)
  bool from_other_port = false;           // UDP: from another socket of 127.0.0.1
  bool from_other_address = false;        // UDP: from 127.0.0.2
  std::optional<std::size_t> to_request;  // UDP: to that earlier request's source instead
};

class HostileKdc;
using Script = std::function<std::vector<Send>(HostileKdc& kdc, const Request& request)>;

class HostileKdc {
 public:
  explicit HostileKdc(Script script);
  ~HostileKdc();
  HostileKdc(const HostileKdc&) = delete;
  HostileKdc& operator=(const HostileKdc&) = delete;

  // Where it listens: 127.0.0.1 and its port (UDP and TCP alike).
  KdcAddress address() const { return KdcAddress{"127.0.0.1", port_}; }

  // The fixture's real KDC's reply to `request` (KERB_TEST_KDC_HOST/PORT, over TCP); empty if
  // it did not answer.
  static Bytes forward(std::span<const std::uint8_t> request);

  // Every request received so far (copies).
  std::vector<Request> requests() const;
  std::size_t count(bool tcp) const;  // requests received over TCP (true) or UDP

 private:
  void serve();
  void serve_udp();
  void serve_tcp();
  void send_udp(const Send& send, std::size_t request_index);

  Script script_;
  std::uint16_t port_ = 0;
  int udp_ = -1, tcp_ = -1, other_port_ = -1, other_address_ = -1, wake_[2] = {-1, -1};
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
  std::vector<Bytes> sources_;  // each UDP request's source address (sockaddr bytes)
  std::thread thread_;
};

// A port on 127.0.0.1 where nothing listens, UDP or TCP (for "refused").
std::uint16_t dead_port();

// --- messages built and rewritten with kerb's codec ----------------------------------------

template <class T>
Bytes der_of(const T& value) {
  der::Writer w;
  encode(w, value);
  return w.take();  // empty if the encoding failed
}

// A KRB-ERROR from the KDC of `realm` (sname krbtgt/realm), stime = now + stime_offset.
Bytes krb_error(std::string_view realm, std::int32_t code, std::optional<Bytes> e_data = {},
                std::int64_t stime_offset = 0);
// METHOD-DATA holding one PA-ETYPE-INFO2 with one entry.
Bytes etype_info2_method_data(crypto::EncType etype, std::optional<std::string_view> salt,
                              std::optional<Bytes> s2kparams);

// What a rewrite may change: the reply's clear part and its decrypted EncKDCRepPart. Views it
// sets must stay valid until the hook returns (strings of the caller's).
using Rewrite = std::function<void(KdcRep& rep, EncKdcRepPart& part)>;

// The AS-REP `reply` with its enc-part decrypted under the client's password key (the salt
// and parameters of the reply's own PA-ETYPE-INFO2, else the default salt), rewritten, and
// sealed again: under the same key, or under `reseal_etype`'s key from the same password.
// Empty if `reply` is no AS-REP or does not decrypt.
Bytes reseal_as_rep(std::span<const std::uint8_t> reply, const Principal& client,
                    std::string_view password, const Rewrite& rewrite,
                    std::optional<crypto::EncType> reseal_etype = std::nullopt);
// The same for a TGS-REP sealed under the TGT's session key (usage 8).
Bytes reseal_tgs_rep(std::span<const std::uint8_t> reply, const crypto::Key& session_key,
                     const Rewrite& rewrite);

}  // namespace kerb::hostile
