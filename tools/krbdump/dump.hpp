// Entry points: one input (a file's bytes) in, one tree and an exit status out.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tree.hpp"

namespace krbdump {

class KeyRing;

enum class Format { kAuto, kCcache, kKeytab, kKrbCred, kDer, kGss, kSpnego, kText, kPcap };

struct DumpOptions {
  Format format = Format::kAuto;
  RenderOptions render;
  std::vector<std::uint16_t> ports;
  bool der = false;
};

// 0 all decoded, 1 something not decrypted, 2 malformed.
struct DumpResult {
  Node tree;
  int status = 0;
  std::string error;  // status 2: "<label>: <what> at offset N"
};

DumpResult dump(std::span<const std::uint8_t> input, std::string_view label, KeyRing& keys,
                const DumpOptions& options);

}  // namespace krbdump
