// krbdump-pcap-list FILE [PORT...]: one line per message read_capture() finds, "packet
// msg-type transport", where msg-type is the message's application tag number (RFC 4120
// §5.10); pcap_live_test.sh compares the lines with tshark's dissection of the same file.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

#include "pcap.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: krbdump-pcap-list FILE [PORT...]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "krbdump-pcap-list: cannot read %s\n", argv[1]);
    return 2;
  }
  const std::vector<std::uint8_t> file(std::istreambuf_iterator<char>(in), {});
  std::vector<std::uint16_t> ports;
  for (int i = 2; i < argc; ++i)
    ports.push_back(static_cast<std::uint16_t>(std::atoi(argv[i])));
  const auto report = krbdump::read_capture_report(file, ports);
  if (!report) {
    std::fprintf(stderr, "krbdump-pcap-list: %.*s\n",
                 static_cast<int>(report.error().detail().size()), report.error().detail().data());
    return 2;
  }
  for (const auto& note : report->notes)
    std::fprintf(stderr, "note: %s\n", note.c_str());
  for (const auto& m : report->messages)
    std::printf("%zu %d %s\n", m.packet, m.bytes.empty() ? -1 : m.bytes[0] & 0x1f,
                m.transport.c_str());
  return 0;
}
