// Kerberos and GSS messages out of pcap and pcapng captures.
//
// Reads libpcap files (either byte order, microsecond or nanosecond timestamps) and pcapng
// (sections in either byte order, per-interface link type and timestamp resolution, EPB, SPB
// and the obsolete PB; other blocks skipped). Link types: Ethernet (with 802.1Q/802.1ad tags),
// Linux cooked v1 and v2, BSD loopback (NULL and LOOP) and raw IP. IPv4 fragments are not
// reassembled (a note says so); IPv6 extension headers are skipped. TCP is reassembled per
// direction (out-of-order segments held back, retransmissions and overlaps dropped), then cut
// into records: Kerberos on port 88 (RFC 4120 §7.2.1, §7.2.2) and, on extra ports, MIT's
// gss-sample framing, the banking sample's framing or Kerberos (a KDC on a port of its own),
// told apart by content.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <kerb/result.hpp>

namespace krbdump {

// A packet's timestamp to the nanosecond, at any resolution a capture can state. A file's
// clock may be anything: seconds past the range of std::int64_t are held at its bound.
struct CaptureTime {
  std::int64_t seconds = 0;       // since the epoch
  std::uint32_t nanoseconds = 0;  // after them, below 10^9
  bool operator==(const CaptureTime&) const = default;
};

// ticks / units_per_second seconds after offset_seconds; units_per_second is not zero.
CaptureTime capture_time(std::uint64_t ticks, std::uint64_t units_per_second,
                         std::int64_t offset_seconds);

struct CapturedMessage {
  std::size_t packet = 0;  // 1-based, as Wireshark numbers frames; a TCP record's last segment
  CaptureTime time;
  std::string src, dst;  // IPv4 dotted quad or IPv6 text form
  std::uint16_t sport = 0, dport = 0;
  std::string transport;            // "udp" | "tcp"
  std::string framing;              // "kerberos" | "gss-sample" | "bank"
  std::vector<std::uint8_t> bytes;  // the message without its framing
};

// Bounds on what one capture may make the reader hold.
struct CaptureLimits {
  std::size_t max_streams = 4096;                           // TCP directions tracked at once
  std::size_t max_stream_buffer = (std::size_t{16} << 20);  // bytes held per direction
  std::size_t max_record = (std::size_t{16} << 20);         // one framed message
  std::size_t max_packet = 262144;  // a pcap record, unless the snapshot length is larger
};

struct CaptureReport {
  std::vector<CapturedMessage> messages;
  // What was seen but not returned, one line each ("packet 7: IPv4 fragment, not
  // reassembled"), including a truncated last packet: the capture is read up to it.
  std::vector<std::string> notes;
};

// Fails only on a malformed capture structure (bad magic, bad block or record length, a
// truncated file header); the error's detail names the byte offset.
kerb::Result<CaptureReport> read_capture_report(std::span<const std::uint8_t> file,
                                                std::span<const std::uint16_t> extra_ports,
                                                const CaptureLimits& limits = {});

// read_capture_report() without the notes.
kerb::Result<std::vector<CapturedMessage>> read_capture(std::span<const std::uint8_t> file,
                                                        std::span<const std::uint16_t> extra_ports);

// A pcap or pcapng magic number at the start.
bool looks_like_capture(std::span<const std::uint8_t> file);

}  // namespace krbdump
