// KDC-PROXY-MESSAGE (MS-KKDCP §2.2.2) against kdcproxy, the proxy FreeIPA and Debian ship.
//
// The expected encodings were made once with Debian's python3-kdcproxy 1.0.0 (pyasn1's DER
// encoder), from MIT's reference encodings in tests/data/mit_reference_encode.txt:
//
//   from kdcproxy import codec, parse_pyasn1 as asn1mod
//   from pyasn1.codec.der import encoder
//   framed = lambda m: struct.pack("!I", len(m)) + m
//   pm = asn1mod.ProxyMessage()
//   pm.setComponentByName('message', framed(as_req))
//   pm.setComponentByName('realm', "ATHENA.MIT.EDU")      # and 'flags', 2 for kWithHint
//   encoder.encode(pm)                    # a client's request; codec.decode() accepts it
//   codec.encode(framed(krb_error))       # the reply kdcproxy's server sends
#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <kerb/kkdcp.hpp>

#include "../../heap_hooks.hpp"
#include "../messages/message_test_util.hpp"

using namespace kerb;
using kerb::test::ByteView;
using kerb::test::hex;
using kerb::test::kHexSpaced;
using kerb::test::reference;
using kerb::test::to_hex;

namespace {

constexpr std::string_view kRealm = "ATHENA.MIT.EDU";

// "encode_krb5_as_req(optionals NULL except server)" (107 octets) to ATHENA.MIT.EDU.
const test::Bytes kShortRequest =
    hex("308185a071046f0000006b6a693067a103020105a20302010aa45b3059a007030500fedcba90a2101b0e415448"
        "454e412e4d49542e454455a31a3018a003020101a111300f1b066866747361691b056578747261a511180f3139"
        "3934303631303036303331375aa70302012aa8083006020100020101a1101b0e415448454e412e4d49542e4544"
        "55");

// "encode_krb5_as_req" (488 octets): every length in the long form.
const test::Bytes kLongRequest =
    hex("30820206a08201f0048201ec000001e86a8201e4308201e0a103020105a20302010aa32630243010a10302010d"
        "a209040770612d646174613010a10302010da209040770612d64617461a48201aa308201a6a007030500fedcba"
        "90a11a3018a003020101a111300f1b066866747361691b056578747261a2101b0e415448454e412e4d49542e45"
        "4455a31a3018a003020101a111300f1b066866747361691b056578747261a411180f3139393430363130303630"
        "3331375aa511180f31393934303631303036303331375aa611180f31393934303631303036303331375aa70302"
        "012aa8083006020100020101a920301e300da003020102a106040412d00023300da003020102a106040412d000"
        "23aa253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765ab81bf3081"
        "bc615c305aa003020105a1101b0e415448454e412e4d49542e454455a21a3018a003020101a111300f1b066866"
        "747361691b056578747261a3253023a003020100a103020105a21704156b726241534e2e312074657374206d65"
        "7373616765615c305aa003020105a1101b0e415448454e412e4d49542e454455a21a3018a003020101a111300f"
        "1b066866747361691b056578747261a3253023a003020100a103020105a21704156b726241534e2e3120746573"
        "74206d657373616765a1101b0e415448454e412e4d49542e454455");

// kdcproxy's reply carrying "encode_krb5_error" (189 octets): no target-domain.
const test::Bytes kReply =
    hex("3081c7a081c40481c1000000bd7e81ba3081b7a003020105a10302011ea211180f313939343036313030363033"
        "31375aa305020301e240a411180f31393934303631303036303331375aa505020301e240a60302013ca7101b0e"
        "415448454e412e4d49542e454455a81a3018a003020101a111300f1b066866747361691b056578747261a9101b"
        "0e415448454e412e4d49542e454455aa1a3018a003020101a111300f1b066866747361691b056578747261ab0a"
        "1b086b72623564617461ac0a04086b72623564617461");

// kShortRequest with dclocator-hint 2.
const test::Bytes kWithHint =
    hex("30818aa071046f0000006b6a693067a103020105a20302010aa45b3059a007030500fedcba90a2101b0e415448"
        "454e412e4d49542e454455a31a3018a003020101a111300f1b066866747361691b056578747261a511180f3139"
        "3934303631303036303331375aa70302012aa8083006020100020101a1101b0e415448454e412e4d49542e4544"
        "55a203020102");

const test::Bytes& short_as_req() {
  return reference("encode_krb5_as_req(optionals NULL except server)");
}
const test::Bytes& long_as_req() {
  return reference("encode_krb5_as_req");
}
const test::Bytes& krb_error() {
  return reference("encode_krb5_error");
}

test::Bytes reencode(const KdcProxyMessage& m) {
  der::Writer w;
  encode(w, m);
  REQUIRE(w.ok());
  return w.take();
}

// The detail of a decode that must fail with a DER fault.
std::string der_fault(ByteView bytes) {
  Result<KdcProxyMessage> r = decode_kdc_proxy_message(bytes);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category() == ErrorCategory::kDer);
  return std::string(r.error().detail());
}

std::atomic<bool> g_counting{false};
std::atomic<std::size_t> g_allocations{0};

}  // namespace

void heap_hook_allocated(std::size_t) noexcept {
  if (g_counting) ++g_allocations;
}
void heap_hook_freeing(void*) noexcept {}

TEST_CASE("a request encodes as kdcproxy encodes it, short and long form") {
  auto short_body = encode_kdc_proxy_request(short_as_req(), kRealm);
  REQUIRE(short_body.ok());
  CHECK(to_hex(*short_body, kHexSpaced) == to_hex(kShortRequest, kHexSpaced));

  auto long_body = encode_kdc_proxy_request(long_as_req(), kRealm);
  REQUIRE(long_body.ok());
  CHECK(to_hex(*long_body, kHexSpaced) == to_hex(kLongRequest, kHexSpaced));
}

TEST_CASE("a request encodes into a fixed buffer without allocating") {
  const test::Bytes& request = long_as_req();  // loads the reference file before counting
  std::vector<std::uint8_t> buffer(kLongRequest.size());
  g_allocations = 0;
  g_counting = true;
  auto body = encode_kdc_proxy_request(request, kRealm, buffer);
  g_counting = false;
  REQUIRE(body.ok());
  CHECK(g_allocations == 0);
  CHECK(body->data() == buffer.data());
  CHECK(to_hex(*body, kHexSpaced) == to_hex(kLongRequest, kHexSpaced));

  std::vector<std::uint8_t> small(kLongRequest.size() - 1);
  auto too_small = encode_kdc_proxy_request(long_as_req(), kRealm, small);
  REQUIRE_FALSE(too_small.ok());
  CHECK(too_small.error().category() == ErrorCategory::kBufferTooSmall);
  CHECK(too_small.error().detail() ==
        "the buffer holds 521 bytes; the KDC-PROXY-MESSAGE needs 522");
}

TEST_CASE("a request needs a message and a realm") {
  const test::Bytes one = {0x6A};
  auto no_request = encode_kdc_proxy_request(ByteView{}, kRealm);
  REQUIRE_FALSE(no_request.ok());
  CHECK(no_request.error().category() == ErrorCategory::kInvalidArgument);
  auto no_realm = encode_kdc_proxy_request(one, "");
  REQUIRE_FALSE(no_realm.ok());
  CHECK(no_realm.error().category() == ErrorCategory::kInvalidArgument);
}

TEST_CASE("kdcproxy's reply yields the KRB-ERROR, as a span into the reply") {
  g_allocations = 0;
  g_counting = true;
  auto message = decode_kdc_proxy_reply(kReply);
  g_counting = false;
  REQUIRE(message.ok());
  CHECK(g_allocations == 0);
  CHECK(to_hex(*message, kHexSpaced) == to_hex(krb_error(), kHexSpaced));
  CHECK(message->data() == kReply.data() + 13);  // 30 81 c7 a0 81 c4 04 81 c1 + prefix
  auto as_error = decode_krb_error(*message);
  REQUIRE(as_error.ok());
  CHECK(as_error->realm == kRealm);
}

TEST_CASE("every field decodes and re-encodes to the same bytes") {
  auto with_hint = decode_kdc_proxy_message(kWithHint);
  REQUIRE(with_hint.ok());
  CHECK(with_hint->target_domain == kRealm);
  CHECK(with_hint->dclocator_hint == std::optional<std::uint32_t>(2));
  CHECK(to_hex(with_hint->message()) == to_hex(short_as_req()));
  CHECK(to_hex(reencode(*with_hint)) == to_hex(kWithHint));

  for (const test::Bytes* bytes : {&kShortRequest, &kLongRequest, &kReply}) {
    auto m = decode_kdc_proxy_message(*bytes);
    REQUIRE(m.ok());
    CHECK_FALSE(m->dclocator_hint);
    CHECK(to_hex(reencode(*m)) == to_hex(*bytes));
  }
  CHECK_FALSE(decode_kdc_proxy_message(kReply)->target_domain);
  CHECK(decode_kdc_proxy_message(kLongRequest)->target_domain == kRealm);
}

TEST_CASE("every truncation fails, and so do trailing bytes") {
  for (const test::Bytes* bytes : {&kShortRequest, &kLongRequest, &kReply, &kWithHint}) {
    for (std::size_t n = 0; n < bytes->size(); ++n) {
      INFO("truncated to " << n << " of " << bytes->size());
      CHECK_FALSE(decode_kdc_proxy_message(ByteView(*bytes).first(n)).ok());
      CHECK_FALSE(decode_kdc_proxy_reply(ByteView(*bytes).first(n)).ok());
    }
    test::Bytes longer = *bytes;
    longer.push_back(0x00);
    CHECK(der_fault(longer) ==
          "KDC-PROXY-MESSAGE: trailing bytes at offset " + std::to_string(bytes->size()));
  }
}

TEST_CASE("the length prefix must be exactly the rest of kerb-message") {
  // kReply's prefix sits at offset 9: 30 81 c7 | a0 81 c4 | 04 81 c1 | 00 00 00 bd
  test::Bytes bytes = kReply;
  SECTION("one more than the rest") {
    bytes[12] = 0xbe;
    CHECK(der_fault(bytes) ==
          "KDC-PROXY-MESSAGE: length prefix does not match the message at offset 9");
  }
  SECTION("one less than the rest") {
    bytes[12] = 0xbc;
    CHECK(der_fault(bytes) ==
          "KDC-PROXY-MESSAGE: length prefix does not match the message at offset 9");
  }
  SECTION("the high bit set (RFC 4120 §7.2.2 reserves it)") {
    bytes[9] = 0x80;
    CHECK(der_fault(bytes) == "KDC-PROXY-MESSAGE: length prefix has the high bit set at offset 9");
  }
  SECTION("an empty message") {
    CHECK(der_fault(hex("30 08 a0 06 04 04 00 00 00 00")) ==
          "KDC-PROXY-MESSAGE: empty Kerberos message at offset 6");
    CHECK_FALSE(decode_kdc_proxy_reply(hex("30 08 a0 06 04 04 00 00 00 00")).ok());
  }
  SECTION("shorter than the prefix itself") {
    CHECK(der_fault(hex("30 07 a0 05 04 03 00 00 00")) ==
          "KDC-PROXY-MESSAGE: kerb-message shorter than its length prefix at offset 6");
    CHECK(der_fault(hex("30 04 a0 02 04 00")) ==
          "KDC-PROXY-MESSAGE: kerb-message shorter than its length prefix at offset 6");
  }
  SECTION("a message that is all prefix, declaring more") {
    CHECK(der_fault(hex("30 08 a0 06 04 04 00 00 00 01")) ==
          "KDC-PROXY-MESSAGE: length prefix does not match the message at offset 6");
  }
}

TEST_CASE("wrong tags, wrong order and oversized lengths fail") {
  auto fault_at = [](test::Bytes bytes) { return test::offset_of(der_fault(bytes)); };
  test::Bytes bytes = kWithHint;
  SECTION("a SET for the SEQUENCE") {
    bytes[0] = 0x31;
    CHECK(fault_at(bytes) == 0);
  }
  SECTION("kerb-message as [1]") {
    bytes[3] = 0xa1;
    CHECK(fault_at(bytes) == 3);
  }
  SECTION("kerb-message as a GeneralString") {
    bytes[5] = 0x1b;
    CHECK(fault_at(bytes) == 5);
  }
  SECTION("target-domain as an OCTET STRING") {
    bytes[120] = 0x04;  // a1 10 | 1b 0e ATHENA.MIT.EDU
    CHECK(fault_at(bytes) == 120);
  }
  SECTION("dclocator-hint before target-domain") {
    test::Bytes swapped(bytes.begin(), bytes.begin() + 118);
    swapped.insert(swapped.end(), bytes.end() - 5, bytes.end());
    swapped.insert(swapped.end(), bytes.begin() + 118, bytes.end() - 5);
    CHECK(fault_at(swapped) == 123);  // the [1] that follows [2] is an unknown trailing field
  }
  SECTION("a negative dclocator-hint") {
    bytes.back() = 0xfe;
    CHECK(fault_at(bytes) == bytes.size() - 1);  // the INTEGER's content octet
  }
  // Length faults name the length octets.
  SECTION("an outer length of 4 GiB on a short input") {
    CHECK(der_fault(hex("30 84 ff ff ff ff a0 06 04 04 00 00 00 01")) ==
          "KDC-PROXY-MESSAGE: length beyond the input at offset 1");
  }
  SECTION("a kerb-message length past the end") {
    CHECK(der_fault(hex("30 0c a0 0a 04 84 7f ff ff ff 00 00 00 01")) ==
          "KDC-PROXY-MESSAGE: length beyond the input at offset 5");
  }
  SECTION("a non-minimal length") {
    CHECK(fault_at(hex("30 81 09 a0 07 04 05 00 00 00 01 6a")) == 1);
  }
}
