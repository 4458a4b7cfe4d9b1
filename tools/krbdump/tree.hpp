// The output model: every decoded input becomes a tree of named nodes, rendered as indented
// text or as JSON (schema "krbdump": 1, documented in README.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace krbdump {

struct Node {
  std::string name;   // RFC field name: "pvno", "msg-type", "req-body", "enc-part"...
  std::string value;  // rendered scalar ("" for a constructed node)
  std::string
      json_kind;  // "int" | "string" | "bytes" | "time" | "bool" | "object" | "array" | "null"
  std::vector<Node> children;
  std::string note;  // e.g. "decrypted with ...", "not decrypted: ..."

  Node& add(std::string name, std::string value = {}, std::string kind = "string");
};

struct RenderOptions {
  bool full = false;
  std::size_t max_bytes = 32;
};

std::string render_text(const Node& root, const RenderOptions&);
// {"krbdump": 1, "inputs": [...]}
std::string render_json(const std::vector<Node>& inputs, const RenderOptions&);

}  // namespace krbdump
