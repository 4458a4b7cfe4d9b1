// Kerberos and GSS messages out of pcap/pcapng captures. (Declarations only; the
// implementation belongs to pcap.cpp.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <kerb/result.hpp>

namespace krbdump {

struct CapturedMessage {
  std::size_t packet = 0;
  double time = 0;
  std::string src, dst;
  std::uint16_t sport = 0, dport = 0;
  std::string transport;  // "udp" | "tcp"
  std::string framing;    // "kerberos" | "gss-sample" | "bank"
  std::vector<std::uint8_t> bytes;
};

kerb::Result<std::vector<CapturedMessage>> read_capture(std::span<const std::uint8_t> file,
                                                        std::span<const std::uint16_t> extra_ports);
bool looks_like_capture(std::span<const std::uint8_t> file);

}  // namespace krbdump
