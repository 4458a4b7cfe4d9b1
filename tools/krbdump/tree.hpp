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

// At most this many nodes are built for one input (memory stays bounded whatever the input
// holds); past it Node::add returns a scratch node and node_budget_exceeded() says so.
inline constexpr std::size_t kMaxNodes = 1'000'000;
void reset_node_budget(std::size_t nodes = kMaxNodes);
bool node_budget_exceeded();

std::string render_text(const Node& root, const RenderOptions&);
// {"krbdump": 1, "inputs": [...]}
std::string render_json(const std::vector<Node>& inputs, const RenderOptions&);

}  // namespace krbdump
