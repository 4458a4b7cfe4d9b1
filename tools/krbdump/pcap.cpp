#include "pcap.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

namespace krbdump {
namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::uint16_t kKerberosPort = 88;

// Link types (https://www.tcpdump.org/linktypes.html).
constexpr std::uint32_t kLinkNull = 0;
constexpr std::uint32_t kLinkEthernet = 1;
constexpr std::uint32_t kLinkRawOpenBsd = 12;  // DLT_RAW as some systems number it
constexpr std::uint32_t kLinkRawBsdOs = 14;
constexpr std::uint32_t kLinkRaw = 101;
constexpr std::uint32_t kLinkLoop = 108;
constexpr std::uint32_t kLinkLinuxSll = 113;
constexpr std::uint32_t kLinkIpv4 = 228;
constexpr std::uint32_t kLinkIpv6 = 229;
constexpr std::uint32_t kLinkLinuxSll2 = 276;

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 | p[0];
}

// Reads multi-byte fields in a file's own byte order.
struct Endian {
  bool big = false;
  std::uint16_t u16(const std::uint8_t* p) const {
    return big ? be16(p) : static_cast<std::uint16_t>(p[1] << 8 | p[0]);
  }
  std::uint32_t u32(const std::uint8_t* p) const { return big ? be32(p) : le32(p); }
};

// [APPLICATION 10] AS-REQ .. [APPLICATION 30] KRB-ERROR, constructed (RFC 4120 §5.10).
bool is_kerberos_tag(std::uint8_t b) {
  return b >= 0x6a && b <= 0x7e;
}

kerb::Error malformed(const char* what, std::size_t offset) {
  return kerb::Error::format(kerb::ErrorCategory::kInvalidArgument, 0, "%s at offset %zu", what,
                             offset);
}

std::string format(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// One TCP direction: bytes in sequence order, out-of-order segments held until the gap fills.
struct Direction {
  bool started = false;
  bool dead = false;  // over a limit or unframeable: ignored from then on
  bool syn_seen = false;
  bool closed = false;  // FIN or RST seen: its slot may go to a new stream
  std::uint32_t isn = 0;
  std::uint32_t next_seq = 0;
  std::uint64_t next_offset = 0;  // stream offset of next_seq; 64 bits so wraparound is moot
  std::map<std::uint64_t, std::vector<std::uint8_t>> out_of_order;
  std::size_t out_of_order_bytes = 0;
  std::vector<std::uint8_t> in_order;  // reassembled, not yet cut into records
  std::string framing;                 // chosen at the first record
  std::size_t record_start_packet = 0;
};

using FlowKey = std::tuple<std::string, std::uint16_t, std::string, std::uint16_t>;

struct Packet {
  std::size_t index = 0;  // 1-based
  CaptureTime time;
  std::uint32_t link_type = 0;
  Bytes data;
  std::uint32_t original_length = 0;
};

class Reader {
 public:
  Reader(std::span<const std::uint16_t> extra_ports, const CaptureLimits& limits)
      : extra_ports_(extra_ports), limits_(limits) {}

  void packet(const Packet& p);
  CaptureReport finish();
  void note(std::string text) { report_.notes.push_back(std::move(text)); }

 private:
  void ip(const Packet& p, Bytes data, bool truncated);
  void ipv4(const Packet& p, Bytes data, bool truncated);
  void ipv6(const Packet& p, Bytes data, bool truncated);
  void transport(const Packet& p, std::uint8_t protocol, const std::string& src,
                 const std::string& dst, Bytes data, bool truncated);
  void udp(const Packet& p, const std::string& src, const std::string& dst, Bytes data,
           bool truncated);
  void tcp(const Packet& p, const std::string& src, const std::string& dst, Bytes data,
           bool truncated);
  void deliver(const Packet& p, const FlowKey& key, Direction& d);
  void note_leftovers(const FlowKey& key, const Direction& d, const char* when);
  void evict_closed();
  bool framed_port(std::uint16_t port) const {
    return std::find(extra_ports_.begin(), extra_ports_.end(), port) != extra_ports_.end();
  }
  std::string flow_name(const FlowKey& k) const {
    const auto& [src, sport, dst, dport] = k;
    return format("tcp %s:%u -> %s:%u", src.c_str(), unsigned{sport}, dst.c_str(), unsigned{dport});
  }
  void kill(const Packet& p, const FlowKey& key, Direction& d, const std::string& why) {
    note(format("packet %zu: %s: %s; the rest of this direction is ignored", p.index,
                flow_name(key).c_str(), why.c_str()));
    d.dead = true;
    d.in_order.clear();
    d.in_order.shrink_to_fit();
    d.out_of_order.clear();
    d.out_of_order_bytes = 0;
  }

  std::span<const std::uint16_t> extra_ports_;
  CaptureLimits limits_;
  std::map<FlowKey, Direction> flows_;
  bool streams_full_noted_ = false;
  CaptureReport report_;
};

void Reader::packet(const Packet& p) {
  Bytes d = p.data;
  const bool truncated = p.original_length > d.size();
  auto need = [&](std::size_t n) {
    if (d.size() >= n) return true;
    note(format("packet %zu: shorter than its link-layer header", p.index));
    return false;
  };
  switch (p.link_type) {
    case kLinkEthernet: {
      if (!need(14)) return;
      std::uint16_t type = be16(d.data() + 12);
      d = d.subspan(14);
      // 802.1Q, 802.1ad and the older QinQ tag: TCI, then the inner EtherType.
      while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
        if (!need(4)) return;
        type = be16(d.data() + 2);
        d = d.subspan(4);
      }
      if (type == 0x0800 || type == 0x86dd) ip(p, d, truncated);
      return;
    }
    case kLinkLinuxSll: {
      if (!need(16)) return;
      const std::uint16_t type = be16(d.data() + 14);
      if (type == 0x0800 || type == 0x86dd) ip(p, d.subspan(16), truncated);
      return;
    }
    case kLinkLinuxSll2: {
      if (!need(20)) return;
      const std::uint16_t type = be16(d.data());
      if (type == 0x0800 || type == 0x86dd) ip(p, d.subspan(20), truncated);
      return;
    }
    case kLinkNull:
    case kLinkLoop: {
      if (!need(4)) return;
      // NULL holds the address family in the capturing host's byte order, LOOP in network
      // order; a family is small, so the order that gives a small number is the right one.
      std::uint32_t family = le32(d.data());
      if (p.link_type == kLinkLoop || family > 0xffff) family = be32(d.data());
      // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24, 28 or 30 (the BSDs, macOS).
      if (family == 2 || family == 10 || family == 24 || family == 28 || family == 30)
        ip(p, d.subspan(4), truncated);
      return;
    }
    case kLinkRaw:
    case kLinkRawOpenBsd:
    case kLinkRawBsdOs:
    case kLinkIpv4:
    case kLinkIpv6:
      ip(p, d, truncated);
      return;
    default:
      return;  // the note is given once per interface by the caller
  }
}

void Reader::ip(const Packet& p, Bytes data, bool truncated) {
  if (data.empty()) return;
  const unsigned version = data[0] >> 4;
  if (version == 4)
    ipv4(p, data, truncated);
  else if (version == 6)
    ipv6(p, data, truncated);
}

void Reader::ipv4(const Packet& p, Bytes data, bool truncated) {
  if (data.size() < 20) {
    note(format("packet %zu: IPv4 header cut short", p.index));
    return;
  }
  const std::size_t header = std::size_t{data[0] & 0x0fu} * 4;
  const std::size_t total = be16(data.data() + 2);
  if (header < 20 || total < header) {
    note(format("packet %zu: bad IPv4 header or total length", p.index));
    return;
  }
  if (total > data.size()) {
    truncated = true;
  } else {
    data = data.first(total);  // drop Ethernet padding
  }
  if (data.size() < header) {
    note(format("packet %zu: IPv4 header cut short", p.index));
    return;
  }
  const std::uint16_t fragment = be16(data.data() + 6);
  char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, data.data() + 12, src, sizeof src);
  inet_ntop(AF_INET, data.data() + 16, dst, sizeof dst);
  if ((fragment & 0x3fff) != 0) {  // more-fragments set or a non-zero offset
    note(format("packet %zu: IPv4 fragment %s -> %s (offset %u), not reassembled", p.index, src,
                dst, unsigned{fragment & 0x1fffu} * 8));
    return;
  }
  transport(p, data[9], src, dst, data.subspan(header), truncated);
}

void Reader::ipv6(const Packet& p, Bytes data, bool truncated) {
  if (data.size() < 40) {
    note(format("packet %zu: IPv6 header cut short", p.index));
    return;
  }
  const std::size_t payload = be16(data.data() + 4);
  char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, data.data() + 8, src, sizeof src);
  inet_ntop(AF_INET6, data.data() + 24, dst, sizeof dst);
  std::uint8_t next = data[6];
  if (payload == 0) return;  // a jumbogram (RFC 2675) or nothing: neither carries Kerberos
  if (40 + payload > data.size())
    truncated = true;
  else
    data = data.first(40 + payload);
  data = data.subspan(40);
  // Extension headers (RFC 8200 §4): hop-by-hop, routing, destination options, AH.
  for (;;) {
    if (next == 0 || next == 43 || next == 60 || next == 51) {
      if (data.size() < 2) {
        note(format("packet %zu: IPv6 extension header cut short", p.index));
        return;
      }
      const std::size_t len =
          next == 51 ? (std::size_t{data[1]} + 2) * 4 : (std::size_t{data[1]} + 1) * 8;
      if (data.size() < len) {
        note(format("packet %zu: IPv6 extension header cut short", p.index));
        return;
      }
      next = data[0];
      data = data.subspan(len);
    } else if (next == 44) {
      if (data.size() < 8) {
        note(format("packet %zu: IPv6 fragment header cut short", p.index));
        return;
      }
      const std::uint16_t offset_flags = be16(data.data() + 2);
      if ((offset_flags & 0xfff9) != 0) {  // offset or more-fragments: not atomic (RFC 6946)
        note(format("packet %zu: IPv6 fragment %s -> %s (offset %u), not reassembled", p.index, src,
                    dst, unsigned{offset_flags & 0xfff8u}));
        return;
      }
      next = data[0];
      data = data.subspan(8);
    } else {
      break;
    }
  }
  transport(p, next, src, dst, data, truncated);
}

void Reader::transport(const Packet& p, std::uint8_t protocol, const std::string& src,
                       const std::string& dst, Bytes data, bool truncated) {
  if (protocol == 17)
    udp(p, src, dst, data, truncated);
  else if (protocol == 6)
    tcp(p, src, dst, data, truncated);
}

void Reader::udp(const Packet& p, const std::string& src, const std::string& dst, Bytes data,
                 bool truncated) {
  if (data.size() < 8) return;
  const std::uint16_t sport = be16(data.data()), dport = be16(data.data() + 2);
  const bool extra = framed_port(sport) || framed_port(dport);
  if (sport != kKerberosPort && dport != kKerberosPort && !extra) return;
  const std::size_t length = be16(data.data() + 4);
  if (length < 8) {
    note(format("packet %zu: UDP length %zu is less than its header", p.index, length));
    return;
  }
  if (length > data.size() || truncated) {
    note(format("packet %zu: udp %s:%u -> %s:%u: datagram cut short by the capture", p.index,
                src.c_str(), unsigned{sport}, dst.c_str(), unsigned{dport}));
    return;
  }
  const Bytes payload = data.subspan(8, length - 8);
  if (payload.empty()) return;
  // On another port only what starts like a Kerberos message (a KDC on a port of its own).
  if (sport != kKerberosPort && dport != kKerberosPort && !is_kerberos_tag(payload[0])) return;
  // RFC 4120 §7.2.1: each datagram holds exactly one message.
  report_.messages.push_back({p.index, p.time, src, dst, sport, dport, "udp", "kerberos",
                              std::vector<std::uint8_t>(payload.begin(), payload.end())});
}

void Reader::tcp(const Packet& p, const std::string& src, const std::string& dst, Bytes data,
                 bool truncated) {
  if (data.size() < 20) return;
  const std::uint16_t sport = be16(data.data()), dport = be16(data.data() + 2);
  const bool framed =
      sport == kKerberosPort || dport == kKerberosPort || framed_port(sport) || framed_port(dport);
  if (!framed) return;
  const std::uint32_t seq = be32(data.data() + 4);
  const std::size_t header = static_cast<std::size_t>(data[12] >> 4) * 4;
  const std::uint8_t flags = data[13];
  const bool syn = flags & 0x02, rst = flags & 0x04;
  if (header < 20 || header > data.size()) {
    note(format("packet %zu: TCP header cut short", p.index));
    return;
  }
  const Bytes payload = data.subspan(header);

  const FlowKey key{src, sport, dst, dport};
  auto it = flows_.find(key);
  if (it == flows_.end()) {
    if (payload.empty() && !syn) return;
    if (flows_.size() >= limits_.max_streams) evict_closed();
    if (flows_.size() >= limits_.max_streams) {
      if (!streams_full_noted_)
        note(format("packet %zu: more than %zu TCP streams; later ones are ignored", p.index,
                    limits_.max_streams));
      streams_full_noted_ = true;
      return;
    }
    it = flows_.emplace(key, Direction{}).first;
  }
  Direction& d = it->second;
  if (syn && d.started && (!d.syn_seen || seq != d.isn)) {
    // A new connection on the same ports: what was left of the old one is reported.
    if (!d.dead && !d.in_order.empty())
      note(format("packet %zu: %s: %zu bytes of an unfinished record before a new connection",
                  p.index, flow_name(key).c_str(), d.in_order.size()));
    d = Direction{};
  }
  if (rst || (flags & 0x01)) d.closed = true;
  if (d.dead || rst) return;
  if (!d.started) {
    d.started = true;
    d.next_seq = syn ? seq + 1 : seq;  // SYN takes one sequence number (RFC 9293 §3.4)
    d.syn_seen = syn;
    d.isn = seq;
  }
  if (truncated) {
    // The captured bytes may not be the whole segment: what follows would not line up.
    kill(p, key, d, "segment cut short by the capture");
    return;
  }
  if (payload.empty()) return;
  // Where this segment sits relative to the next expected byte; a signed 32-bit distance
  // handles the wraparound of sequence numbers.
  const std::uint32_t data_seq = syn ? seq + 1 : seq;
  const auto delta = static_cast<std::int32_t>(data_seq - d.next_seq);
  Bytes rest = payload;
  std::uint64_t offset;
  if (delta < 0) {
    const std::size_t behind = static_cast<std::size_t>(-static_cast<std::int64_t>(delta));
    if (behind >= rest.size()) return;  // a retransmission of bytes already had
    rest = rest.subspan(behind);
    offset = d.next_offset;
  } else {
    offset = d.next_offset + static_cast<std::uint64_t>(delta);
  }
  if (offset > d.next_offset) {
    if (d.out_of_order.count(offset) && d.out_of_order[offset].size() >= rest.size()) return;
    const std::size_t held = d.out_of_order.count(offset) ? d.out_of_order[offset].size() : 0;
    if (d.out_of_order_bytes - held + rest.size() + d.in_order.size() > limits_.max_stream_buffer) {
      kill(p, key, d, format("more than %zu bytes held for reassembly", limits_.max_stream_buffer));
      return;
    }
    d.out_of_order_bytes = d.out_of_order_bytes - held + rest.size();
    d.out_of_order[offset].assign(rest.begin(), rest.end());
    return;
  }
  auto append = [&](Bytes bytes) {
    d.in_order.insert(d.in_order.end(), bytes.begin(), bytes.end());
    d.next_offset += bytes.size();
    d.next_seq += static_cast<std::uint32_t>(bytes.size());
  };
  if (d.in_order.size() + d.out_of_order_bytes + rest.size() > limits_.max_stream_buffer) {
    kill(p, key, d, format("more than %zu bytes held for reassembly", limits_.max_stream_buffer));
    return;
  }
  append(rest);
  // Held segments the new bytes reach; overlaps keep the bytes that arrived first.
  while (!d.out_of_order.empty()) {
    auto first = d.out_of_order.begin();
    if (first->first > d.next_offset) break;
    const std::uint64_t skip = d.next_offset - first->first;
    std::vector<std::uint8_t> held = std::move(first->second);
    d.out_of_order.erase(first);
    d.out_of_order_bytes -= held.size();
    if (skip < held.size()) append(Bytes(held).subspan(static_cast<std::size_t>(skip)));
  }
  deliver(p, key, d);
}

// Cuts the reassembled bytes of one direction into records.
void Reader::deliver(const Packet& p, const FlowKey& key, Direction& d) {
  const auto& [src, sport, dst, dport] = key;
  std::size_t used = 0;
  for (;;) {
    const Bytes rest = Bytes(d.in_order).subspan(used);
    if (rest.empty()) break;
    if (d.record_start_packet == 0) d.record_start_packet = p.index;
    if (d.framing.empty()) {
      if (sport == kKerberosPort || dport == kKerberosPort) {
        d.framing = "kerberos";
      } else {
        // The other direction of the connection has already told which framing this is.
        const auto reverse = flows_.find(FlowKey{dst, dport, src, sport});
        if (reverse != flows_.end() && !reverse->second.framing.empty()) {
          d.framing = reverse->second.framing;
        } else {
          // The banking sample's frames are at most 1 MiB, so a length's first byte is 0 and a
          // constructed context tag [0]..[2] (the CHOICE of ClientFrame/ServerFrame) follows.
          // gss-sample's first byte is a flags byte, never 0.
          if (rest.size() < 5) break;
          if (rest[0] != 0)
            d.framing = "gss-sample";
          else if (rest[4] >= 0xa0 && rest[4] <= 0xa2)
            d.framing = "bank";
          else if (is_kerberos_tag(rest[4]))
            d.framing = "kerberos";  // a KDC on a port of its own
          else {
            kill(p, key, d, "neither gss-sample nor banking framing");
            return;
          }
        }
      }
    }
    const std::size_t head = d.framing == "gss-sample" ? 5 : 4;
    if (rest.size() < head) break;
    const std::uint32_t length = be32(rest.data() + head - 4);
    if (d.framing == "kerberos" && (length & 0x80000000u)) {
      // RFC 4120 §7.2.2: the high bit is reserved for extensions no KDC here negotiates.
      kill(p, key, d, "record length with the reserved high bit set (RFC 4120 §7.2.2)");
      return;
    }
    if (length > limits_.max_record) {
      kill(p, key, d,
           format("record of %lu bytes is over the limit of %zu",
                  static_cast<unsigned long>(length), limits_.max_record));
      return;
    }
    if (rest.size() - head < length) break;
    const Bytes body = rest.subspan(head, length);
    report_.messages.push_back({p.index, p.time, src, dst, sport, dport, "tcp", d.framing,
                                std::vector<std::uint8_t>(body.begin(), body.end())});
    used += head + length;
    d.record_start_packet = 0;
  }
  d.in_order.erase(d.in_order.begin(), d.in_order.begin() + static_cast<std::ptrdiff_t>(used));
}

void Reader::note_leftovers(const FlowKey& key, const Direction& d, const char* when) {
  if (d.dead) return;
  if (!d.in_order.empty())
    note(format("%s: %zu bytes of an unfinished record %s (from packet %zu)",
                flow_name(key).c_str(), d.in_order.size(), when, d.record_start_packet));
  if (!d.out_of_order.empty())
    note(format("%s: %zu bytes after a gap never filled", flow_name(key).c_str(),
                d.out_of_order_bytes));
}

// Streams that have ended make room for new ones, so a long capture of many short KDC
// connections is read to its end.
void Reader::evict_closed() {
  for (auto it = flows_.begin(); it != flows_.end();) {
    if (it->second.closed) {
      note_leftovers(it->first, it->second, "when its connection closed");
      it = flows_.erase(it);
    } else {
      ++it;
    }
  }
}

CaptureReport Reader::finish() {
  for (const auto& [key, d] : flows_)
    note_leftovers(key, d, "at the end of the capture");
  return std::move(report_);
}

bool link_type_known(std::uint32_t t) {
  switch (t) {
    case kLinkNull:
    case kLinkEthernet:
    case kLinkRawOpenBsd:
    case kLinkRawBsdOs:
    case kLinkRaw:
    case kLinkLoop:
    case kLinkLinuxSll:
    case kLinkIpv4:
    case kLinkIpv6:
    case kLinkLinuxSll2:
      return true;
    default:
      return false;
  }
}

// libpcap's file format (draft-ietf-opsawg-pcap): a 24-byte header, then 16-byte record
// headers each followed by the captured bytes.
kerb::Result<void> read_pcap(Bytes file, Reader& reader, const CaptureLimits& limits) {
  if (file.size() < 24) return malformed("pcap: file header cut short", file.size());
  const std::uint32_t magic = be32(file.data());
  Endian e;
  bool nano = false;
  switch (magic) {
    case 0xa1b2c3d4:
      e.big = true;
      break;
    case 0xa1b23c4d:
      e.big = true;
      nano = true;
      break;
    case 0xd4c3b2a1:
      break;
    case 0x4d3cb2a1:
      nano = true;
      break;
    default:
      return malformed("pcap: unknown magic number", 0);
  }
  if (e.u16(file.data() + 4) != 2) return malformed("pcap: unsupported major version", 4);
  const std::uint32_t link_type = e.u32(file.data() + 20) & 0x0fffffff;  // top bits: FCS info
  // As libpcap: a record longer than both the file's snapshot length and the largest default
  // one has a corrupt length rather than a big packet.
  const std::size_t max_captured =
      std::max<std::size_t>(limits.max_packet, e.u32(file.data() + 16));
  if (!link_type_known(link_type))
    reader.note(format("link type %u is not decoded: no packets read", link_type));
  std::size_t at = 24;
  for (std::size_t index = 1; at < file.size(); ++index) {
    if (file.size() - at < 16) {
      reader.note(
          format("packet %zu: record header cut short at offset %zu: the capture ends "
                 "there",
                 index, at));
      break;
    }
    const std::uint8_t* h = file.data() + at;
    const std::uint32_t seconds = e.u32(h), fraction = e.u32(h + 4);
    const std::uint32_t captured = e.u32(h + 8), original = e.u32(h + 12);
    if (captured > max_captured)
      return malformed(
          format("pcap: record of packet %zu claims %u captured bytes", index, captured).c_str(),
          at + 8);
    if (file.size() - at - 16 < captured) {
      reader.note(
          format("packet %zu: cut short at offset %zu (%zu of %u bytes): the capture ends "
                 "there",
                 index, at + 16, file.size() - at - 16, captured));
      break;
    }
    Packet p;
    p.index = index;
    // The fraction may be out of range in a damaged file: it carries into the seconds.
    const std::uint64_t units = nano ? 1000000000 : 1000000;
    p.time = capture_time(seconds * units + fraction, units, 0);
    p.link_type = link_type;
    p.data = file.subspan(at + 16, captured);
    p.original_length = std::max(original, captured);
    reader.packet(p);
    at += 16 + captured;
  }
  return kerb::ok();
}

struct Interface {
  std::uint32_t link_type = 0;
  std::uint32_t snap_length = 0;
  std::uint64_t units_per_second = 1000000;  // if_tsresol, default microseconds
  std::int64_t offset_seconds = 0;
};

// pcapng (draft-ietf-opsawg-pcapng): blocks of type, total length, body, total length again.
kerb::Result<void> read_pcapng(Bytes file, Reader& reader) {
  std::size_t at = 0;
  Endian e;
  std::vector<Interface> interfaces;
  std::size_t index = 0;
  bool in_section = false;
  while (at < file.size()) {
    if (file.size() - at < 12) {
      if (!in_section) return malformed("pcapng: section header block cut short", at);
      reader.note(format("block header cut short at offset %zu: the capture ends there", at));
      break;
    }
    const std::uint8_t* b = file.data() + at;
    if (be32(b) == 0x0a0d0d0a) {
      // The byte-order magic tells how to read the rest of the section, its length included.
      const std::uint32_t bom = be32(b + 8);
      if (bom == 0x1a2b3c4d)
        e.big = true;
      else if (bom == 0x4d3c2b1a)
        e.big = false;
      else
        return malformed("pcapng: bad byte-order magic", at + 8);
      interfaces.clear();
      in_section = true;
    } else if (!in_section) {
      return malformed("pcapng: no section header block", at);
    }
    const std::uint32_t type = e.u32(b);
    const std::uint32_t length = e.u32(b + 4);
    if (length < 12 || length % 4 != 0)
      return malformed(format("pcapng: block total length %u (must be a multiple of 4, at least "
                              "12)",
                              length)
                           .c_str(),
                       at + 4);
    if (length > file.size() - at) {
      if (type == 0x0a0d0d0a) return malformed("pcapng: section header block cut short", at);
      reader.note(format("block at offset %zu cut short (%zu of %u bytes): the capture ends there",
                         at, file.size() - at, length));
      break;
    }
    if (e.u32(b + length - 4) != length)
      return malformed("pcapng: trailing block total length differs", at + length - 4);
    const Bytes body = file.subspan(at + 8, length - 12);
    switch (type) {
      case 0x0a0d0d0a: {  // Section Header Block
        if (body.size() < 16) return malformed("pcapng: section header block too short", at);
        if (e.u16(body.data() + 4) != 1)
          return malformed("pcapng: unsupported major version", at + 12);
        break;
      }
      case 1: {  // Interface Description Block
        if (body.size() < 8) return malformed("pcapng: interface description too short", at);
        Interface i;
        i.link_type = e.u16(body.data());
        i.snap_length = e.u32(body.data() + 4);
        if (!link_type_known(i.link_type))
          reader.note(
              format("interface %zu: link type %u is not decoded", interfaces.size(), i.link_type));
        // Options: code, length, value padded to 4 bytes.
        Bytes opts = body.subspan(8);
        while (opts.size() >= 4) {
          const std::uint16_t code = e.u16(opts.data()), len = e.u16(opts.data() + 2);
          const std::size_t padded = (std::size_t{len} + 3) & ~std::size_t{3};
          if (code == 0) break;
          if (opts.size() - 4 < padded)
            return malformed("pcapng: interface option overruns its block",
                             at + 8 + (body.size() - opts.size()));
          if (code == 9 && len == 1) {  // if_tsresol
            const std::uint8_t r = opts[4];
            const unsigned exponent = r & 0x7fu;
            if ((r & 0x80) ? exponent > 63 : exponent > 18)
              return malformed("pcapng: if_tsresol out of range",
                               at + 12 + (body.size() - opts.size()));
            i.units_per_second = 1;
            for (unsigned k = 0; k < exponent; ++k)
              i.units_per_second *= (r & 0x80) ? 2 : 10;
          } else if (code == 14 && len == 8) {  // if_tsoffset
            const std::uint8_t* v = opts.data() + 4;
            const std::uint64_t raw = e.big ? (std::uint64_t{e.u32(v)} << 32 | e.u32(v + 4))
                                            : (std::uint64_t{e.u32(v + 4)} << 32 | e.u32(v));
            i.offset_seconds = static_cast<std::int64_t>(raw);
          }
          opts = opts.subspan(4 + padded);
        }
        interfaces.push_back(i);
        break;
      }
      case 6:    // Enhanced Packet Block
      case 2: {  // Packet Block (obsolete): 16-bit interface id, 16-bit drop count
        ++index;
        if (body.size() < 20) return malformed("pcapng: packet block too short", at);
        const std::uint32_t interface = type == 6 ? e.u32(body.data()) : e.u16(body.data());
        if (interface >= interfaces.size())
          return malformed(
              format("pcapng: packet %zu names interface %u, not described", index, interface)
                  .c_str(),
              at + 8);
        const std::uint32_t captured = e.u32(body.data() + 12);
        const std::uint32_t original = e.u32(body.data() + 16);
        if (captured > body.size() - 20)
          return malformed(
              format("pcapng: captured length %u of packet %zu overruns its block", captured, index)
                  .c_str(),
              at + 20);
        const Interface& i = interfaces[interface];
        const std::uint64_t ts =
            std::uint64_t{e.u32(body.data() + 4)} << 32 | e.u32(body.data() + 8);
        Packet p;
        p.index = index;
        p.time = capture_time(ts, i.units_per_second, i.offset_seconds);
        p.link_type = i.link_type;
        p.data = body.subspan(20, captured);
        p.original_length = std::max(original, captured);
        reader.packet(p);
        break;
      }
      case 3: {  // Simple Packet Block: interface 0, no timestamp
        ++index;
        if (body.size() < 4) return malformed("pcapng: simple packet block too short", at);
        if (interfaces.empty())
          return malformed("pcapng: simple packet block before any interface", at);
        const Interface& i = interfaces[0];
        const std::uint32_t original = e.u32(body.data());
        std::size_t captured = std::min<std::size_t>(original, body.size() - 4);
        if (i.snap_length != 0) captured = std::min<std::size_t>(captured, i.snap_length);
        Packet p;
        p.index = index;
        p.link_type = i.link_type;
        p.data = body.subspan(4, captured);
        p.original_length = std::max<std::uint32_t>(original, static_cast<std::uint32_t>(captured));
        reader.packet(p);
        break;
      }
      default:  // name resolution, statistics, custom, ...: nothing to read here
        break;
    }
    at += length;
  }
  return kerb::ok();
}

}  // namespace

CaptureTime capture_time(std::uint64_t ticks, std::uint64_t units_per_second,
                         std::int64_t offset_seconds) {
  using Limits = std::numeric_limits<std::int64_t>;
  const std::uint64_t whole = ticks / units_per_second;
  const std::uint64_t part = ticks % units_per_second;
  CaptureTime t;
  constexpr std::uint64_t kNano = 1000000000;
  if (units_per_second <= std::numeric_limits<std::uint64_t>::max() / kNano) {
    t.nanoseconds = static_cast<std::uint32_t>(part * kNano / units_per_second);
  } else if (units_per_second % kNano == 0) {  // 10^10 .. 10^18 units
    t.nanoseconds = static_cast<std::uint32_t>(part / (units_per_second / kNano));
  } else {  // 2^35 .. 2^63 units: a double keeps the fraction to well under a nanosecond
    const double ns = static_cast<double>(part) / static_cast<double>(units_per_second) * 1e9;
    t.nanoseconds = std::min<std::uint32_t>(static_cast<std::uint32_t>(ns), kNano - 1);
  }
  // whole + offset_seconds, held at the bound past it (whole is not negative).
  const auto max = static_cast<std::uint64_t>(Limits::max());
  if (offset_seconds >= 0) {
    const auto ahead = static_cast<std::uint64_t>(offset_seconds);
    t.seconds = whole > max - ahead ? Limits::max() : static_cast<std::int64_t>(whole + ahead);
  } else {
    const std::uint64_t back = 0 - static_cast<std::uint64_t>(offset_seconds);  // up to 2^63
    t.seconds = whole >= back ? static_cast<std::int64_t>(std::min(whole - back, max))
                              : offset_seconds + static_cast<std::int64_t>(whole);
  }
  return t;
}

bool looks_like_capture(std::span<const std::uint8_t> file) {
  if (file.size() < 4) return false;
  switch (be32(file.data())) {
    case 0xa1b2c3d4:
    case 0xd4c3b2a1:
    case 0xa1b23c4d:
    case 0x4d3cb2a1:
      return true;
    case 0x0a0d0d0a:
      return file.size() >= 12 &&
             (be32(file.data() + 8) == 0x1a2b3c4d || be32(file.data() + 8) == 0x4d3c2b1a);
    default:
      return false;
  }
}

kerb::Result<CaptureReport> read_capture_report(std::span<const std::uint8_t> file,
                                                std::span<const std::uint16_t> extra_ports,
                                                const CaptureLimits& limits) {
  Reader reader(extra_ports, limits);
  if (file.size() >= 4 && be32(file.data()) == 0x0a0d0d0a) {
    KERB_TRY_VOID(read_pcapng(file, reader));
  } else {
    KERB_TRY_VOID(read_pcap(file, reader, limits));
  }
  return reader.finish();
}

kerb::Result<std::vector<CapturedMessage>> read_capture(
    std::span<const std::uint8_t> file, std::span<const std::uint16_t> extra_ports) {
  KERB_TRY(CaptureReport report, read_capture_report(file, extra_ports));
  return std::move(report.messages);
}

}  // namespace krbdump
