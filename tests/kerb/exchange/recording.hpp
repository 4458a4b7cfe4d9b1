// A recording's "name: value" lines, as the record.sh scripts next to the MIT-recorded tests
// write them ('#' lines are comments). Decoded bytes live as long as the Recording, so views
// into them never dangle.
#pragma once

#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "hex_bytes.hpp"

namespace kerb::test {

class Recording {
 public:
  explicit Recording(const char* path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(std::string("cannot open ") + path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const std::size_t colon = line.find(": ");
      if (colon == std::string::npos) throw std::runtime_error("malformed line: " + line);
      fields_[line.substr(0, colon)] = line.substr(colon + 2);
    }
  }
  const std::string& text(const std::string& name) const {
    const auto found = fields_.find(name);
    if (found == fields_.end()) throw std::runtime_error("recording has no " + name);
    return found->second;
  }
  // The value as hex octets, decoded on first use.
  const Bytes& bytes(const std::string& name) const {
    auto found = bytes_.find(name);
    if (found == bytes_.end()) found = bytes_.emplace(name, hex(text(name))).first;
    return found->second;
  }

 private:
  std::map<std::string, std::string> fields_;
  mutable std::map<std::string, Bytes> bytes_;
};

}  // namespace kerb::test
