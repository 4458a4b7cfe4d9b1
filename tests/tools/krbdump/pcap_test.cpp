// krbdump's capture reader. Captures are built here byte by byte from the file format
// specifications (libpcap: draft-ietf-opsawg-pcap; pcapng: draft-ietf-opsawg-pcapng; link
// layers: tcpdump.org/linktypes.html; IPv4 RFC 791, IPv6 RFC 8200, UDP RFC 768, TCP RFC 9293),
// never with the reader's own code; real captures of MIT kinit are checked against tshark's
// dissection of the same files.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "hex_bytes.hpp"
#include "pcap.hpp"

namespace krbdump {
std::ostream& operator<<(std::ostream& os, const CaptureTime& t) {
  return os << t.seconds << " s + " << t.nanoseconds << " ns";
}
}  // namespace krbdump

using krbdump::CapturedMessage;
using krbdump::CaptureLimits;
using krbdump::CaptureReport;
using krbdump::CaptureTime;
using krbdump::looks_like_capture;
using krbdump::read_capture;
using krbdump::read_capture_report;

namespace {

using kerb::test::Bytes;

CaptureTime at(std::int64_t seconds, std::uint32_t nanoseconds) {
  return {seconds, nanoseconds};
}

void put16(Bytes& b, std::uint32_t v, bool big = true) {
  if (big) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
  } else {
    b.push_back(static_cast<std::uint8_t>(v));
    b.push_back(static_cast<std::uint8_t>(v >> 8));
  }
}
void put32(Bytes& b, std::uint32_t v, bool big = true) {
  if (big) {
    put16(b, v >> 16, true);
    put16(b, v & 0xffff, true);
  } else {
    put16(b, v & 0xffff, false);
    put16(b, v >> 16, false);
  }
}
void append(Bytes& b, const Bytes& more) {
  b.insert(b.end(), more.begin(), more.end());
}
Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts)
    append(out, p);
  return out;
}

// A stand-in Kerberos message: [APPLICATION n] around `size` bytes.
Bytes krb_message(std::uint8_t application, std::size_t size, std::uint8_t fill) {
  Bytes m{static_cast<std::uint8_t>(0x60 | application), 0x82, static_cast<std::uint8_t>(size >> 8),
          static_cast<std::uint8_t>(size)};
  // A running pattern, so that bytes repeated or dropped by reassembly show.
  for (std::size_t i = 0; i < size; ++i)
    m.push_back(static_cast<std::uint8_t>(fill + i * 7));
  return m;
}
// RFC 4120 §7.2.2: 4-byte big-endian length, then the message.
Bytes tcp_record(const Bytes& message) {
  Bytes r;
  put32(r, static_cast<std::uint32_t>(message.size()));
  append(r, message);
  return r;
}
Bytes slice(const Bytes& b, std::size_t from, std::size_t to) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(from),
               b.begin() + static_cast<std::ptrdiff_t>(to));
}

struct Ip4 {
  std::uint8_t a[4];
};
constexpr Ip4 kClient{{192, 0, 2, 10}};
constexpr Ip4 kKdc{{192, 0, 2, 88}};

Bytes ipv4(Ip4 src, Ip4 dst, std::uint8_t protocol, const Bytes& payload,
           std::uint16_t fragment = 0) {
  Bytes h{0x45, 0};
  put16(h, static_cast<std::uint32_t>(20 + payload.size()));
  put16(h, 0x1234);  // identification
  put16(h, fragment);
  h.push_back(64);
  h.push_back(protocol);
  put16(h, 0);  // checksum: not checked by a capture reader
  h.insert(h.end(), src.a, src.a + 4);
  h.insert(h.end(), dst.a, dst.a + 4);
  append(h, payload);
  return h;
}

// 2001:db8::1 and 2001:db8::88
Bytes v6(std::uint8_t last) {
  Bytes a{0x20, 0x01, 0x0d, 0xb8};
  a.insert(a.end(), 11, 0);
  a.push_back(last);
  return a;
}
Bytes ipv6(std::uint8_t src_last, std::uint8_t dst_last, std::uint8_t next, const Bytes& payload) {
  Bytes h{0x60, 0, 0, 0};
  put16(h, static_cast<std::uint32_t>(payload.size()));
  h.push_back(next);
  h.push_back(64);
  append(h, v6(src_last));
  append(h, v6(dst_last));
  append(h, payload);
  return h;
}

Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
  Bytes h;
  put16(h, sport);
  put16(h, dport);
  put16(h, static_cast<std::uint32_t>(8 + payload.size()));
  put16(h, 0);
  append(h, payload);
  return h;
}

constexpr std::uint8_t kSyn = 0x02, kAck = 0x10, kPsh = 0x08, kFin = 0x01;
Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint8_t flags,
          const Bytes& payload) {
  Bytes h;
  put16(h, sport);
  put16(h, dport);
  put32(h, seq);
  put32(h, 0);        // ack
  h.push_back(0x50);  // data offset 5 words
  h.push_back(flags);
  put16(h, 65535);
  put16(h, 0);
  put16(h, 0);
  append(h, payload);
  return h;
}

Bytes ethernet(const Bytes& ip, std::vector<std::uint16_t> tags = {}, std::uint16_t type = 0x0800) {
  Bytes f{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
  for (std::uint16_t tpid : tags) {
    put16(f, tpid);
    put16(f, 0x0064);  // TCI: VLAN 100
  }
  put16(f, type);
  append(f, ip);
  return f;
}

struct Record {
  std::uint32_t seconds = 0, fraction = 0;
  Bytes data;
  std::uint32_t original = 0;  // 0: the captured length
};

// libpcap file: magic, version 2.4, thiszone, sigfigs, snaplen, linktype; then records.
Bytes pcap_file(bool big, bool nano, std::uint32_t link_type, const std::vector<Record>& records) {
  Bytes f;
  put32(f, nano ? 0xa1b23c4d : 0xa1b2c3d4, big);
  put16(f, 2, big);
  put16(f, 4, big);
  put32(f, 0, big);
  put32(f, 0, big);
  put32(f, 262144, big);
  put32(f, link_type, big);
  for (const auto& r : records) {
    put32(f, r.seconds, big);
    put32(f, r.fraction, big);
    put32(f, static_cast<std::uint32_t>(r.data.size()), big);
    put32(f, r.original ? r.original : static_cast<std::uint32_t>(r.data.size()), big);
    append(f, r.data);
  }
  return f;
}

// pcapng: block type, total length, body (padded to 4), total length again.
Bytes block(bool big, std::uint32_t type, const Bytes& body) {
  Bytes padded = body;
  while (padded.size() % 4)
    padded.push_back(0);
  Bytes b;
  put32(b, type, big);
  put32(b, static_cast<std::uint32_t>(12 + padded.size()), big);
  append(b, padded);
  put32(b, static_cast<std::uint32_t>(12 + padded.size()), big);
  return b;
}
Bytes shb(bool big) {
  Bytes body;
  put32(body, 0x1a2b3c4d, big);
  put16(body, 1, big);
  put16(body, 0, big);
  put32(body, 0xffffffff, big);  // section length unknown
  put32(body, 0xffffffff, big);
  return block(big, 0x0a0d0d0a, body);
}
// if_tsresol < 0: no option (microseconds); if_tsoffset 0: no option.
Bytes idb(bool big, std::uint16_t link_type, int tsresol = -1, std::int64_t tsoffset = 0) {
  Bytes body;
  put16(body, link_type, big);
  put16(body, 0, big);
  put32(body, 0, big);  // snaplen: none
  if (tsresol >= 0) {
    put16(body, 9, big);
    put16(body, 1, big);
    body.push_back(static_cast<std::uint8_t>(tsresol));
    body.insert(body.end(), 3, 0);
  }
  if (tsoffset != 0) {
    put16(body, 14, big);
    put16(body, 8, big);
    const auto raw = static_cast<std::uint64_t>(tsoffset);
    const auto high = static_cast<std::uint32_t>(raw >> 32), low = static_cast<std::uint32_t>(raw);
    put32(body, big ? high : low, big);
    put32(body, big ? low : high, big);
  }
  if (tsresol >= 0 || tsoffset != 0) {
    put16(body, 0, big);  // opt_endofopt
    put16(body, 0, big);
  }
  return block(big, 1, body);
}
Bytes epb(bool big, std::uint32_t interface, std::uint64_t ts, const Bytes& data) {
  Bytes body;
  put32(body, interface, big);
  put32(body, static_cast<std::uint32_t>(ts >> 32), big);
  put32(body, static_cast<std::uint32_t>(ts), big);
  put32(body, static_cast<std::uint32_t>(data.size()), big);
  put32(body, static_cast<std::uint32_t>(data.size()), big);
  append(body, data);
  return block(big, 6, body);
}
Bytes spb(bool big, const Bytes& data) {
  Bytes body;
  put32(body, static_cast<std::uint32_t>(data.size()), big);
  append(body, data);
  return block(big, 3, body);
}

CaptureReport read_ok(const Bytes& file, std::vector<std::uint16_t> ports = {},
                      const CaptureLimits& limits = {}) {
  auto r = read_capture_report(file, ports, limits);
  INFO((r ? std::string() : std::string(r.error().detail())));
  REQUIRE(r.ok());
  return std::move(r).value();
}
std::string read_error(const Bytes& file) {
  auto r = read_capture_report(file, {});
  REQUIRE_FALSE(r.ok());
  return std::string(r.error().detail());
}
bool any_note(const CaptureReport& r, const std::string& part) {
  for (const auto& n : r.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}
std::string all_notes(const CaptureReport& r) {
  std::string s;
  for (const auto& n : r.notes)
    s += n + "\n";
  return s;
}

}  // namespace

TEST_CASE("pcap: little-endian microsecond file, Ethernet, UDP port 88") {
  const Bytes as_req = krb_message(10, 40, 0xaa), as_rep = krb_message(11, 60, 0xbb);
  const Bytes file =
      pcap_file(false, false, 1,
                {{1765000000, 250000, ethernet(ipv4(kClient, kKdc, 17, udp(50000, 88, as_req)))},
                 {1765000001, 5, ethernet(ipv4(kKdc, kClient, 17, udp(88, 50000, as_rep)))},
                 // not Kerberos: ignored
                 {1765000002, 0, ethernet(ipv4(kClient, kKdc, 17, udp(50000, 53, as_req)))}});
  REQUIRE(looks_like_capture(file));
  const auto r = read_ok(file);
  REQUIRE(r.messages.size() == 2);
  const CapturedMessage& m = r.messages[0];
  CHECK(m.packet == 1);
  CHECK(m.time == at(1765000000, 250000000));
  CHECK(m.src == "192.0.2.10");
  CHECK(m.dst == "192.0.2.88");
  CHECK(m.sport == 50000);
  CHECK(m.dport == 88);
  CHECK(m.transport == "udp");
  CHECK(m.framing == "kerberos");
  CHECK(m.bytes == as_req);
  CHECK(r.messages[1].packet == 2);
  CHECK(r.messages[1].time == at(1765000001, 5000));
  CHECK(r.messages[1].bytes == as_rep);
  CHECK(r.notes.empty());
}

TEST_CASE("pcap: big-endian nanosecond file, raw IPv4") {
  const Bytes msg = krb_message(30, 20, 0x11);
  const Bytes file = pcap_file(
      true, true, 101, {{1765000000, 123456789, ipv4(kKdc, kClient, 17, udp(88, 4000, msg))}});
  REQUIRE(looks_like_capture(file));
  const auto r = read_ok(file);
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].time == at(1765000000, 123456789));
  CHECK(r.messages[0].bytes == msg);
  // The same packet in a little-endian nanosecond file.
  const auto le = read_ok(pcap_file(
      false, true, 101, {{1765000000, 123456789, ipv4(kKdc, kClient, 17, udp(88, 4000, msg))}}));
  REQUIRE(le.messages.size() == 1);
  CHECK(le.messages[0].time == r.messages[0].time);
}

TEST_CASE("pcap: pcapng in both byte orders, two interfaces, EPB, SPB, unknown blocks") {
  const Bytes a = krb_message(12, 30, 0x01), b = krb_message(13, 31, 0x02),
              c = krb_message(10, 32, 0x03);
  for (bool big : {false, true}) {
    INFO("big-endian section: " << big);
    // Interface 0: Ethernet, microseconds (no if_tsresol); interface 1: SLL2, nanoseconds.
    Bytes sll2;
    put16(sll2, 0x0800);            // protocol type
    put16(sll2, 0);                 // reserved
    put32(sll2, 1);                 // interface index
    put16(sll2, 772);               // ARPHRD_LOOPBACK
    sll2.push_back(0);              // packet type
    sll2.push_back(6);              // address length
    sll2.insert(sll2.end(), 8, 0);  // address
    Bytes name_resolution;          // type 4, ignored
    put16(name_resolution, 0, big);
    put16(name_resolution, 0, big);
    const Bytes file = concat({
        shb(big),
        idb(big, 1),
        idb(big, 276, 9),
        block(big, 4, name_resolution),
        epb(big, 0, 1765000000ull * 1000000 + 500000,
            ethernet(ipv4(kClient, kKdc, 17, udp(1234, 88, a)))),
        block(big, 0x40000bad, Bytes{1, 2, 3, 4, 5}),  // a custom block: skipped
        epb(big, 1, 1765000002ull * 1000000000 + 7,
            concat({sll2, ipv4(kKdc, kClient, 17, udp(88, 1234, b))})),
        spb(big, ethernet(ipv4(kClient, kKdc, 17, udp(1235, 88, c)))),
    });
    REQUIRE(looks_like_capture(file));
    const auto r = read_ok(file);
    INFO(all_notes(r));
    REQUIRE(r.messages.size() == 3);
    CHECK(r.messages[0].packet == 1);
    CHECK(r.messages[0].time == at(1765000000, 500000000));
    CHECK(r.messages[0].bytes == a);
    CHECK(r.messages[1].packet == 2);
    CHECK(r.messages[1].time == at(1765000002, 7));
    CHECK(r.messages[1].src == "192.0.2.88");
    CHECK(r.messages[1].bytes == b);
    CHECK(r.messages[2].packet == 3);
    CHECK(r.messages[2].sport == 1235);
    CHECK(r.messages[2].bytes == c);
  }
}

TEST_CASE("pcap: timestamps at every resolution a capture can state, and past any clock") {
  const Bytes msg = krb_message(11, 20, 0x5a);
  const Bytes packet = ethernet(ipv4(kKdc, kClient, 17, udp(88, 4000, msg)));
  const auto first_time = [&](const Bytes& file) {
    const auto r = read_ok(file);
    REQUIRE(r.messages.size() == 1);
    return r.messages[0].time;
  };
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  for (bool big : {false, true}) {
    INFO("big-endian section: " << big);
    const auto ng = [&](int tsresol, std::int64_t tsoffset, std::uint64_t ts) {
      return first_time(
          concat({shb(big), idb(big, 1, tsresol, tsoffset), epb(big, 0, ts, packet)}));
    };
    // if_tsresol 0x81: units of 2^-1 s; 0x80|63: 2^-63 s; 18: 10^-18 s; 0: whole seconds.
    CHECK(ng(0x81, 0, 3) == at(1, 500000000));
    CHECK(ng(0x80 | 63, 0, (1ull << 63) | (1ull << 62)) == at(1, 500000000));
    CHECK(ng(0x80 | 63, 0, ~0ull) == at(1, 999999999));
    CHECK(ng(18, 0, 123456789123456789) == at(0, 123456789));
    CHECK(ng(18, 0, 18446744073709551615ull) == at(18, 446744073));
    CHECK(ng(0, 0, 1765000000) == at(1765000000, 0));
    CHECK(ng(12, 0, 3000000007000) == at(3, 7));  // 10^-12 s: whole nanoseconds stay exact
    CHECK(ng(12, 0, 3000000006999) == at(3, 6));
    CHECK(ng(0x80 | 30, 0, (5ull << 30) + 1) == at(5, 0));  // 2^-30 s is under 1 ns
    CHECK(ng(0x80 | 30, 0, (5ull << 30) + 2) == at(5, 1));
    CHECK(ng(0x80 | 34, 0, 1ull << 33) == at(0, 500000000));
    // if_tsoffset adds whole seconds, either way.
    CHECK(ng(-1, 1765000000, 250000) == at(1765000000, 250000000));
    CHECK(ng(-1, -5, 250000) == at(-5, 250000000));
    // A clock past 2^63 seconds is held at the bound rather than wrapped.
    CHECK(ng(0, 0, ~0ull) == at(kMax, 0));
    CHECK(ng(0, kMax, 2) == at(kMax, 0));
    CHECK(ng(0, kMin, ~0ull) == at(kMax, 0));  // 2^64 - 1 - 2^63
    CHECK(ng(0, kMin, 1) == at(kMin + 1, 0));
  }
  // A classic record's fraction past one second carries into the seconds.
  CHECK(first_time(pcap_file(false, false, 1, {{1765000000, 2500000, packet}})) ==
        at(1765000002, 500000000));
  CHECK(first_time(pcap_file(true, true, 1, {{0xffffffff, 0xffffffff, packet}})) ==
        at(4294967295ll + 4, 294967295));
}

TEST_CASE("pcap: pcapng with two sections of different byte orders, interfaces per section") {
  const Bytes a = krb_message(10, 8, 0x10), b = krb_message(11, 9, 0x20);
  const Bytes first = concat({shb(false), idb(false, 1),
                              epb(false, 0, 1, ethernet(ipv4(kClient, kKdc, 17, udp(9, 88, a))))});
  const Bytes second_head = concat({shb(true), idb(true, 101)});
  const auto r = read_ok(
      concat({first, second_head, epb(true, 0, 2, ipv4(kKdc, kClient, 17, udp(88, 9, b)))}));
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].bytes == a);
  CHECK(r.messages[1].bytes == b);
  CHECK(r.messages[1].packet == 2);
  // The first section's second interface does not exist in the second section.
  const Bytes bad = concat({shb(false), idb(false, 1), idb(false, 1), shb(true), idb(true, 101),
                            epb(true, 1, 0, ipv4(kKdc, kClient, 17, udp(88, 9, b)))});
  CHECK(read_error(bad).find("names interface 1, not described") != std::string::npos);
}

TEST_CASE("pcap: TCP records split across segments, two in one segment, out of order, resent") {
  const Bytes req = krb_message(10, 300, 0x31), rep = krb_message(11, 500, 0x32),
              err = krb_message(30, 10, 0x33);
  const Bytes r1 = tcp_record(req), r2 = tcp_record(rep), r3 = tcp_record(err);
  // The client's ISN sits just below 2^32: the third segment's sequence number has wrapped.
  const std::uint32_t c_isn = 0xffffff80, s_isn = 1000;
  auto c2s = [&](std::uint32_t seq, std::uint8_t flags, const Bytes& p) {
    return ethernet(ipv4(kClient, kKdc, 6, tcp(40000, 88, seq, flags, p)));
  };
  auto s2c = [&](std::uint32_t seq, std::uint8_t flags, const Bytes& p) {
    return ethernet(ipv4(kKdc, kClient, 6, tcp(88, 40000, seq, flags, p)));
  };
  const std::uint32_t c0 = c_isn + 1, s0 = s_isn + 1;
  // r1 in three segments: [0,100) [100,250) [250,end); the third arrives before the second,
  // and the first is sent twice. r2 and r3 travel together in one segment; then FIN.
  const std::vector<Record> records{
      {1, 0, c2s(c_isn, kSyn, {})},
      {1, 1, s2c(s_isn, kSyn | kAck, {})},
      {1, 2, c2s(c0, kAck | kPsh, slice(r1, 0, 100))},
      {1, 3, c2s(c0 + 250, kAck | kPsh, slice(r1, 250, r1.size()))},  // out of order
      {1, 4, c2s(c0, kAck | kPsh, slice(r1, 0, 100))},                // retransmitted
      {1, 5, c2s(c0 + 50, kAck | kPsh, slice(r1, 50, 260))},          // overlaps both sides
      {1, 6, s2c(s0, kAck | kPsh, concat({r2, r3}))},
      {1, 7, c2s(c0 + static_cast<std::uint32_t>(r1.size()), kFin | kAck, {})},
  };
  const auto r = read_ok(pcap_file(false, false, 1, records));
  INFO(all_notes(r));
  REQUIRE(r.messages.size() == 3);
  CHECK(r.messages[0].packet == 6);  // the segment that completed the record
  CHECK(r.messages[0].transport == "tcp");
  CHECK(r.messages[0].framing == "kerberos");
  CHECK(r.messages[0].sport == 40000);
  CHECK(r.messages[0].bytes == req);
  CHECK(r.messages[1].packet == 7);
  CHECK(r.messages[1].src == "192.0.2.88");
  CHECK(r.messages[1].bytes == rep);
  CHECK(r.messages[2].packet == 7);
  CHECK(r.messages[2].bytes == err);
  CHECK(r.notes.empty());
}

TEST_CASE("pcap: a record split into three segments, mid-stream start, unfinished record noted") {
  const Bytes msg = krb_message(13, 200, 0x44);
  const Bytes rec = tcp_record(msg);
  auto seg = [&](std::uint32_t seq, const Bytes& p) {
    return ipv4(kKdc, kClient, 6, tcp(88, 40001, seq, kAck, p));
  };
  // The capture starts without the SYN; the length prefix itself is split (2 + 2 bytes).
  const auto r = read_ok(
      pcap_file(true, false, 101,
                {{5, 0, seg(7000, slice(rec, 0, 2))},
                 {5, 1, seg(7002, slice(rec, 2, 120))},
                 {5, 2, seg(7120, slice(rec, 120, rec.size()))},
                 {5, 3, seg(7000 + static_cast<std::uint32_t>(rec.size()), slice(rec, 0, 10))}}));
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].packet == 3);
  CHECK(r.messages[0].bytes == msg);
  CHECK(any_note(r, "10 bytes of an unfinished record"));
}

TEST_CASE("pcap: link layers: 802.1Q and QinQ, Linux SLL, SLL2, NULL, LOOP, IPv6") {
  const Bytes msg = krb_message(10, 16, 0x55);
  const Bytes ip = ipv4(kClient, kKdc, 17, udp(1111, 88, msg));

  SECTION("802.1Q") {
    const auto r = read_ok(pcap_file(false, false, 1, {{0, 0, ethernet(ip, {0x8100})}}));
    REQUIRE(r.messages.size() == 1);
    CHECK(r.messages[0].bytes == msg);
  }
  SECTION("802.1ad outer and 802.1Q inner tag") {
    const auto r = read_ok(pcap_file(false, false, 1, {{0, 0, ethernet(ip, {0x88a8, 0x8100})}}));
    REQUIRE(r.messages.size() == 1);
    CHECK(r.messages[0].bytes == msg);
  }
  SECTION("Linux cooked v1") {
    Bytes sll;
    put16(sll, 0);  // packet type: to us
    put16(sll, 772);
    put16(sll, 6);
    sll.insert(sll.end(), 8, 0);
    put16(sll, 0x0800);
    const auto r = read_ok(pcap_file(false, false, 113, {{0, 0, concat({sll, ip})}}));
    REQUIRE(r.messages.size() == 1);
    CHECK(r.messages[0].bytes == msg);
  }
  SECTION("Linux cooked v2, IPv6") {
    Bytes sll2;
    put16(sll2, 0x86dd);
    put16(sll2, 0);
    put32(sll2, 1);
    put16(sll2, 1);
    sll2.push_back(4);  // outgoing
    sll2.push_back(6);
    sll2.insert(sll2.end(), 8, 0);
    const auto r = read_ok(pcap_file(
        false, false, 276, {{0, 0, concat({sll2, ipv6(0x01, 0x88, 17, udp(1111, 88, msg))})}}));
    REQUIRE(r.messages.size() == 1);
    CHECK(r.messages[0].src == "2001:db8::1");
    CHECK(r.messages[0].dst == "2001:db8::88");
    CHECK(r.messages[0].bytes == msg);
  }
  SECTION("BSD NULL in the capturing host's order, LOOP in network order") {
    const Bytes null_le{2, 0, 0, 0}, null_be{0, 0, 0, 2}, null_v6_bsd{30, 0, 0, 0};
    const auto r = read_ok(
        pcap_file(false, false, 0,
                  {{0, 0, concat({null_le, ip})},
                   {0, 1, concat({null_be, ip})},
                   {0, 2, concat({null_v6_bsd, ipv6(0x01, 0x88, 17, udp(1111, 88, msg))})}}));
    CHECK(r.messages.size() == 3);
    const auto loop = read_ok(pcap_file(true, false, 108, {{0, 0, concat({null_be, ip})}}));
    CHECK(loop.messages.size() == 1);
  }
  SECTION("IPv6 hop-by-hop and destination options skipped, TCP") {
    // Hop-by-hop (next: destination options), 8 bytes; destination options (next: TCP), 16.
    Bytes ext{60, 0, 1, 4, 0, 0, 0, 0};
    const Bytes dest{6, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const Bytes segment = tcp(2222, 88, 1, kAck | kPsh, tcp_record(msg));
    const auto r = read_ok(
        pcap_file(false, false, 229, {{0, 0, ipv6(0x01, 0x88, 0, concat({ext, dest, segment}))}}));
    REQUIRE(r.messages.size() == 1);
    CHECK(r.messages[0].transport == "tcp");
    CHECK(r.messages[0].bytes == msg);
  }
}

TEST_CASE("pcap: IPv4 and IPv6 fragments are reported, not reassembled") {
  const Bytes msg = krb_message(11, 64, 0x66);
  const Bytes first = ipv4(kKdc, kClient, 17, udp(88, 1, msg), 0x2000);  // more fragments
  Bytes frag6{17, 0, 0, 1, 0, 0, 0, 9};  // offset 0, M set, identification 9
  const auto r = read_ok(
      pcap_file(false, false, 101,
                {{0, 0, first}, {0, 1, ipv6(0x88, 0x01, 44, concat({frag6, udp(88, 1, msg)}))}}));
  CHECK(r.messages.empty());
  CHECK(
      any_note(r, "packet 1: IPv4 fragment 192.0.2.88 -> 192.0.2.10 (offset 0), not reassembled"));
  CHECK(any_note(r, "packet 2: IPv6 fragment"));
}

TEST_CASE("pcap: --port framing: gss-sample and the banking sample, told apart by content") {
  // gss-sample: flags byte, 4-byte length, token (samples/gss/gss_sample.hpp).
  const Bytes gss_token{0x60, 0x03, 0x06, 0x01, 0x00};
  Bytes gss_stream{0x12};  // NOOP|CONTEXT_NEXT with an empty body, then a CONTEXT token
  put32(gss_stream, 0);
  gss_stream.push_back(0x02);
  put32(gss_stream, static_cast<std::uint32_t>(gss_token.size()));
  append(gss_stream, gss_token);
  // bank: 4-byte length, DER ClientFrame establish [0] (samples/banking/bank_protocol.asn1).
  const Bytes frame{0xa0, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x04, 0x01, 0x77};
  const Bytes bank_stream = tcp_record(frame);
  // A KDC on a port of its own: Kerberos framing recognized by its first message.
  const Bytes kdc_msg = krb_message(10, 20, 0x01);

  const Bytes file =
      pcap_file(false, false, 101,
                {{0, 0, ipv4(kClient, kKdc, 6, tcp(5000, 4444, 1, kAck, gss_stream))},
                 {0, 1, ipv4(kClient, kKdc, 6, tcp(5001, 8443, 1, kAck, bank_stream))},
                 {0, 2, ipv4(kClient, kKdc, 6, tcp(5002, 8888, 1, kAck, tcp_record(kdc_msg)))},
                 {0, 3, ipv4(kClient, kKdc, 17, udp(5003, 8888, kdc_msg))}});
  const std::vector<std::uint16_t> ports{4444, 8443, 8888};
  const auto r = read_ok(file, ports);
  INFO(all_notes(r));
  REQUIRE(r.messages.size() == 5);
  CHECK(r.messages[0].framing == "gss-sample");
  CHECK(r.messages[0].bytes.empty());
  CHECK(r.messages[1].framing == "gss-sample");
  CHECK(r.messages[1].bytes == gss_token);
  CHECK(r.messages[2].framing == "bank");
  CHECK(r.messages[2].bytes == frame);
  CHECK(r.messages[3].framing == "kerberos");
  CHECK(r.messages[3].bytes == kdc_msg);
  CHECK(r.messages[4].transport == "udp");
  CHECK(r.messages[4].bytes == kdc_msg);
  // Without --port none of them is read.
  CHECK(read_ok(file).messages.empty());
}

TEST_CASE("pcap: the reserved high bit of a Kerberos TCP length stops that direction") {
  Bytes bad{0x80, 0, 0, 5, 1, 2, 3, 4, 5};
  const auto r = read_ok(
      pcap_file(false, false, 101, {{0, 0, ipv4(kClient, kKdc, 6, tcp(3000, 88, 1, kAck, bad))}}));
  CHECK(r.messages.empty());
  CHECK(any_note(r, "reserved high bit"));
}

TEST_CASE("pcap: bounded memory: per-stream buffer, record length, number of streams") {
  CaptureLimits limits;
  limits.max_stream_buffer = 1000;
  limits.max_record = 500;
  limits.max_streams = 2;
  const Bytes big_record_head{0, 0, 0x02, 0x00};  // 512 > max_record
  Bytes chunk(600, 0x42);
  const auto r = read_ok(
      pcap_file(false, false, 101,
                {{0, 0, ipv4(kClient, kKdc, 6, tcp(3000, 88, 1, kAck, big_record_head))},
                 // 2 bytes in order, then 600 + 600 out of order: more than 1000 held
                 {0, 1, ipv4(kClient, kKdc, 6, tcp(3001, 88, 1, kAck, Bytes{0, 0}))},
                 {0, 2, ipv4(kClient, kKdc, 6, tcp(3001, 88, 100, kAck, chunk))},
                 {0, 3, ipv4(kClient, kKdc, 6, tcp(3001, 88, 800, kAck, chunk))},
                 // a third stream
                 {0, 4, ipv4(kClient, kKdc, 6, tcp(3002, 88, 1, kAck, tcp_record({0x6a})))}}),
      {}, limits);
  INFO(all_notes(r));
  CHECK(r.messages.empty());
  CHECK(any_note(r,
                 "packet 1: tcp 192.0.2.10:3000 -> 192.0.2.88:88: record of 512 bytes is over "
                 "the limit of 500"));
  CHECK(any_note(r, "packet 4: tcp 192.0.2.10:3001 -> 192.0.2.88:88: more than 1000 bytes held"));
  CHECK(any_note(r, "packet 5: more than 2 TCP streams"));
}

TEST_CASE("pcap: streams that ended make room for new ones") {
  CaptureLimits limits;
  limits.max_streams = 2;
  std::vector<Record> records;
  std::vector<Bytes> sent;
  // Five connections one after another, each SYN, one record, FIN: never more than two
  // directions open at once.
  for (std::uint16_t i = 0; i < 5; ++i) {
    const auto port = static_cast<std::uint16_t>(40000 + i);
    sent.push_back(krb_message(10, 20 + i, static_cast<std::uint8_t>(i)));
    records.push_back({i, 0, ipv4(kClient, kKdc, 6, tcp(port, 88, 100, kSyn, {}))});
    records.push_back(
        {i, 1, ipv4(kClient, kKdc, 6, tcp(port, 88, 101, kAck, tcp_record(sent[i])))});
    records.push_back({i, 2,
                       ipv4(kClient, kKdc, 6,
                            tcp(port, 88, 101 + 4 + static_cast<std::uint32_t>(sent[i].size()),
                                kFin | kAck, {}))});
  }
  const auto r = read_ok(pcap_file(false, false, 101, records), {}, limits);
  INFO(all_notes(r));
  REQUIRE(r.messages.size() == 5);
  for (std::size_t i = 0; i < 5; ++i)
    CHECK(r.messages[i].bytes == sent[i]);
  CHECK(r.notes.empty());
}

TEST_CASE("pcap: a truncated last packet is reported and what came before is kept") {
  const Bytes msg = krb_message(10, 40, 0x77);
  const Bytes whole = ipv4(kClient, kKdc, 17, udp(1, 88, msg));
  SECTION("pcap: the last record's data cut short") {
    Bytes file = pcap_file(false, false, 101, {{0, 0, whole}, {0, 1, whole}});
    file.resize(file.size() - 10);
    const auto r = read_ok(file);
    CHECK(r.messages.size() == 1);
    // The second record's data starts at 24 + 16 + |whole| + 16.
    CHECK(any_note(r, "packet 2: cut short at offset " + std::to_string(24 + 32 + whole.size())));
  }
  SECTION("pcap: the last record header cut short") {
    Bytes file = pcap_file(false, false, 101, {{0, 0, whole}, {0, 1, whole}});
    file.resize(24 + 16 + whole.size() + 7);
    const auto r = read_ok(file);
    CHECK(r.messages.size() == 1);
    CHECK(any_note(r, "packet 2: record header cut short at offset " +
                          std::to_string(24 + 16 + whole.size())));
  }
  SECTION("pcapng: the last block cut short") {
    const Bytes head = concat({shb(false), idb(false, 101), epb(false, 0, 0, whole)});
    Bytes file = concat({head, epb(false, 0, 0, whole)});
    file.resize(file.size() - 3);
    const auto r = read_ok(file);
    CHECK(r.messages.size() == 1);
    CHECK(any_note(r, "block at offset " + std::to_string(head.size()) + " cut short"));
  }
  SECTION("snap length: a packet captured in part") {
    Record part{0, 0, slice(whole, 0, whole.size() - 5), static_cast<std::uint32_t>(whole.size())};
    const auto r = read_ok(pcap_file(false, false, 101, {part}));
    CHECK(r.messages.empty());
    CHECK(any_note(r, "packet 1: udp 192.0.2.10:1 -> 192.0.2.88:88: datagram cut short"));
  }
}

TEST_CASE("pcap: malformed capture structure is refused with the offset") {
  const Bytes whole = ipv4(kClient, kKdc, 17, udp(1, 88, krb_message(10, 4, 0)));
  CHECK_FALSE(looks_like_capture(Bytes{1, 2, 3, 4, 5, 6}));
  CHECK(read_error(Bytes{1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                         13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}) ==
        "pcap: unknown magic number at offset 0");
  CHECK(read_error(slice(pcap_file(false, false, 1, {}), 0, 20)) ==
        "pcap: file header cut short at offset 20");
  {
    Bytes file = pcap_file(false, false, 101, {{0, 0, whole}});
    file[24 + 8 + 2] = 0x10;  // incl_len 1 MiB + ...: more than any snapshot length
    CHECK(read_error(file) ==
          "pcap: record of packet 1 claims 1048612 captured bytes at offset 32");
  }
  const Bytes head = concat({shb(true), idb(true, 101)});
  {
    Bytes file = concat({head, epb(true, 0, 0, whole)});
    file[head.size() + 7] += 2;  // total length no longer a multiple of 4
    CHECK(read_error(file).find("block total length") != std::string::npos);
    CHECK(read_error(file).find("at offset " + std::to_string(head.size() + 4)) !=
          std::string::npos);
  }
  {
    Bytes file = concat({head, epb(true, 0, 0, whole)});
    file[file.size() - 1] ^= 4;  // trailing copy of the length differs
    CHECK(read_error(file) == "pcapng: trailing block total length differs at offset " +
                                  std::to_string(file.size() - 4));
  }
  {
    const Bytes file = concat({head, epb(true, 3, 0, whole)});
    CHECK(read_error(file) == "pcapng: packet 1 names interface 3, not described at offset " +
                                  std::to_string(head.size() + 8));
  }
  {
    Bytes file = concat({head, epb(true, 0, 0, whole)});
    file[head.size() + 8 + 12 + 3] += 8;  // captured length past the block's end
    CHECK(read_error(file).find("overruns its block at offset " +
                                std::to_string(head.size() + 20)) != std::string::npos);
  }
  {
    Bytes file = shb(false);
    file[8] = 0x4c;  // byte-order magic
    CHECK(read_error(file) == "pcapng: bad byte-order magic at offset 8");
  }
}

namespace {

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

// "frame<TAB>msg-type" lines, as record.sh saved them from tshark.
std::vector<std::pair<std::size_t, int>> tshark_lines(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<std::pair<std::size_t, int>> out;
  std::size_t frame;
  int type;
  while (in >> frame >> type)
    out.emplace_back(frame, type);
  return out;
}

}  // namespace

TEST_CASE("pcap: MIT kinit captured over UDP and TCP, against tshark's dissection") {
  const std::string dir = KRBDUMP_PCAP_DATA;
  for (const std::string name : {"mit-kinit-udp", "mit-kinit-tcp"}) {
    INFO(name);
    const auto r = read_ok(read_file(dir + "/" + name + ".pcapng"));
    INFO(all_notes(r));
    const auto expected = tshark_lines(dir + "/" + name + ".tshark");
    REQUIRE(expected.size() == 4);  // AS-REQ, KRB-ERROR, AS-REQ, AS-REP
    REQUIRE(r.messages.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const auto& m = r.messages[i];
      CHECK(m.packet == expected[i].first);
      REQUIRE(!m.bytes.empty());
      // The application tag number is the msg-type (RFC 4120 §5.10).
      CHECK((m.bytes[0] & 0x1f) == expected[i].second);
      CHECK(m.framing == "kerberos");
      CHECK(m.transport == (name == "mit-kinit-udp" ? "udp" : "tcp"));
      CHECK(m.src == "127.0.0.1");
      CHECK((m.sport == 88 || m.dport == 88));
    }
    CHECK(r.notes.empty());
  }
}

TEST_CASE("pcap: the same capture as pcapng and classic pcap gives the same messages") {
  const std::string dir = KRBDUMP_DATA;
  for (const auto& [ng, classic] :
       {std::pair<std::string, std::string>{"kdc-tcp.pcapng", "kdc-tcp.pcap"},
        std::pair<std::string, std::string>{"kdc-udp.pcapng", "kdc-udp-ns.pcap"}}) {
    INFO(classic);
    const auto a = read_ok(read_file(dir + "/" + ng));
    const auto b = read_ok(read_file(dir + "/" + classic));
    REQUIRE(a.messages.size() >= 4);
    REQUIRE(a.messages.size() == b.messages.size());
    for (std::size_t i = 0; i < a.messages.size(); ++i) {
      CHECK(a.messages[i].bytes == b.messages[i].bytes);
      CHECK(a.messages[i].packet == b.messages[i].packet);
      // kdc-tcp.pcap holds microseconds, its pcapng nanoseconds.
      CHECK(a.messages[i].time.seconds == b.messages[i].time.seconds);
      CHECK(a.messages[i].time.nanoseconds / 1000 == b.messages[i].time.nanoseconds / 1000);
    }
  }
}

TEST_CASE("pcap: gss-sample capture on port 4444: the first context token as gss-server saw it") {
  const std::string dir = KRBDUMP_DATA;
  const std::vector<std::uint16_t> ports{4444};
  const auto r = read_ok(read_file(dir + "/gss-krb5.pcapng"), ports);
  // MIT gss-server's log: "Received token (size=N):" then the token in hex.
  std::ifstream log(dir + "/gss-krb5.server.log");
  REQUIRE(log);
  std::string line;
  std::size_t size = 0;
  while (std::getline(log, line))
    if (std::sscanf(line.c_str(), "Received token (size=%zu)", &size) == 1) break;
  REQUIRE(size > 0);
  Bytes head;
  for (int i = 0; i < 2 && std::getline(log, line); ++i) {
    const Bytes bytes = kerb::test::hex(line);
    head.insert(head.end(), bytes.begin(), bytes.end());
  }
  REQUIRE(head.size() == 32);
  const CapturedMessage* token = nullptr;
  for (const auto& m : r.messages)
    if (m.dport == 4444 && m.bytes.size() == size) token = &m;
  REQUIRE(token != nullptr);
  CHECK(token->framing == "gss-sample");
  CHECK(slice(token->bytes, 0, 32) == head);
}

TEST_CASE("pcap: every truncation and byte flip of a real capture is read or refused, safely") {
  const std::string dir = KRBDUMP_PCAP_DATA;
  for (const std::string name : {"mit-kinit-udp", "mit-kinit-tcp"}) {
    INFO(name);
    const Bytes file = read_file(dir + "/" + name + ".pcapng");
    const auto whole = read_ok(file).messages;
    REQUIRE(whole.size() == 4);
    // A capture cut anywhere gives the messages that end before the cut, in order, or an error
    // when the cut falls in the section header block (little-endian here: its length at 4).
    REQUIRE(file[8] == 0x4d);
    const std::size_t shb_length = std::size_t{file[4]} | std::size_t{file[5]} << 8 |
                                   std::size_t{file[6]} << 16 | std::size_t{file[7]} << 24;
    for (std::size_t n = 0; n < file.size(); ++n) {
      const auto r = read_capture_report(std::span(file).first(n), {});
      if (!r) {
        CHECK(n < shb_length);
        continue;
      }
      CHECK(n >= shb_length);
      REQUIRE(r->messages.size() <= whole.size());
      for (std::size_t i = 0; i < r->messages.size(); ++i)
        CHECK(r->messages[i].bytes == whole[i].bytes);
    }
    // Any byte changed: read or refused, never out of bounds (the sanitizer builds check).
    for (std::size_t i = 0; i < file.size(); ++i) {
      Bytes copy = file;
      copy[i] ^= 0xa5;
      const std::vector<std::uint16_t> ports{88, 4444};
      (void)read_capture_report(copy, ports);
    }
  }
}
