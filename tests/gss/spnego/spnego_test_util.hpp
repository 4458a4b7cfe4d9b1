// Helpers and captured tokens for the SPNEGO and HTTP Negotiate tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/error.hpp>
#include <kerb/result.hpp>

#include "hex_bytes.hpp"

namespace spnego_test {

using ::kerb::test::Bytes;
using ::kerb::test::ByteView;
using ::kerb::test::hex;

inline Bytes bytes_of(ByteView b) {
  return {b.begin(), b.end()};
}

inline std::string describe(const kerb::Error& e) {
  return std::string(kerb::to_string(e.category())) + " (code " + std::to_string(e.code()) +
         "): " + std::string(e.detail());
}

template <class T>
T must(kerb::Result<T> r, const char* what = "operation") {
  if (!r) FAIL(what << " failed: " << describe(r.error()));
  return std::move(r).value();
}

// Captured from MIT krb5 1.20.1 (gss_init_sec_context / gss_accept_sec_context with the SPNEGO
// mech, against the kdc-fixtures realm; service host/bank.test, aes256-cts-hmac-sha1-96).
// The initiator's NegTokenInit: mechTypes { krb5 }, the AP-REQ as mechToken, nothing else.
inline const Bytes& mit_neg_token_init() {
  static const Bytes token =
      hex("608202dc06062b0601050502a08202d0308202cca00d300b06092a864886f712010202a28202b9048202b560"
          "8202b106"
          "092a864886f71201020201006e8202a03082029ca003020105a10302010ea20703050020000000a38201b661"
          "8201b230"
          "8201aea003020105a10b1b094b4552422e54455354a21c301aa003020103a11330111b04686f73741b096261"
          "6e6b2e74"
          "657374a382017a30820176a003020112a103020101a282016804820164bee821686c1719503cb0042e222c9d"
          "59131a83"
          "1dc5fded82becaa47f3c951cf4afd89c2a3c8358ce438814899a61a56819a0ef767404e7e7565179bb99ac77"
          "cc65ace9"
          "fc04c07f5bafba57fe8fe2e0003ff6fa5e5dba4927416dea3d63692975160e1fe8d72f36298b84d6e401b9c4"
          "ccd09081"
          "ba348ee21ff577cce3c82b0883615231c9c3b009b96e0201c8983aba32f3da17faaf0e53752f68b7fd8c04c5"
          "e0a1eb42"
          "9c0424327ab309f4c0076f52fa121ba049e070ce4f765be492e49cb9431fd72d92f9ad3b55af44d9361239a4"
          "1b8bd207"
          "3e1c551d5dad8412f16bb24aa9fa19930aaa5a5c5adab0bfce9be1c807da4c90f3af9004594d3ac1f5fc859e"
          "ad4efbe5"
          "9f693af10c562e6f23c4a5d7776f729eb7c728f46ea15b183c2103a424a8ad2ca3fffe302a9f8694d8f29db2"
          "5b9abf31"
          "e0bdc9dfe91c6803d2df221358670446f5b332882d9179b1a94b2949f140e0b6ea032a27dbf9c1e41df53543"
          "3624e9e6"
          "0ca481cc3081c9a003020112a281c10481bed9801df6c282eeecc70ff8d0c4b3fde88557d8d9efa02e7cdf67"
          "36be3a5e"
          "68959c5e134da3655f06e4a50a74e405cf2ef018ec83518cf5f0fb0ba7e4a8d883299141f49b51751ccb0a83"
          "2897e2af"
          "bbf7663c201b9f40616d489d2ffad20a0d210bfa551b1defc956ef911da7da083748bb8fbaba315650c1f2f4"
          "41f94617"
          "c0752a59db65d1c68403eca2a5d42695926f921bd59fdc057c8b542169f8c62f720507241bf1811c457d5471"
          "e1e2252d"
          "c6fd9ebb313bd8d004e99fb0432cb86e");
  return token;
}

// The acceptor's reply with mutual authentication: accept-completed, supportedMech krb5, the
// AP-REP as responseToken, no mechListMIC.
inline const Bytes& mit_neg_token_resp_ap_rep() {
  static const Bytes token =
      hex("a181b73081b4a0030a0100a10b06092a864886f712010202a2819f04819c60819906092a864886f712010202"
          "02006f81"
          "89308186a003020105a10302010fa27a3078a003020112a271046f1ad686405cf13e5e3cf3d565a934cbb196"
          "63ab4792"
          "8a01567582cd2ed028c20770e3425dec36e3366cd016338f87012a8d1e54d0553d725adf1993ffecb2059af4"
          "56069fc5"
          "cf0d039f0c4637e78092530f9ee1ceb4fd00f6ddd2e84f7f895ac393c0721cce2a4a51540d1984e46d20");
  return token;
}

// The acceptor's reply without mutual authentication: accept-completed, supportedMech krb5.
inline const Bytes& mit_neg_token_resp_completed() {
  static const Bytes token = hex("a1143012a0030a0100a10b06092a864886f712010202");
  return token;
}

}  // namespace spnego_test
