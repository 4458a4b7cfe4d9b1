#include "tree.hpp"

#include <cstdio>
#include <utility>

namespace krbdump {
namespace {

// A bytes node keeps the whole hex; renderers shorten it unless --full.
struct ShownBytes {
  std::string hex;
  std::size_t length;
  bool truncated;
};

ShownBytes show_bytes(const std::string& hex, const RenderOptions& options) {
  const std::size_t length = hex.size() / 2;
  if (options.full || length <= options.max_bytes) return {hex, length, false};
  return {hex.substr(0, options.max_bytes * 2), length, true};
}

std::string text_value(const Node& node, const RenderOptions& options) {
  if (node.json_kind != "bytes") return node.value;
  const ShownBytes shown = show_bytes(node.value, options);
  if (shown.truncated)
    return shown.hex + "... (" + std::to_string(shown.length) + " bytes, --full shows all)";
  if (shown.length == 0) return "(empty)";
  return shown.hex;
}

void text(const Node& node, const RenderOptions& options, std::size_t depth, std::string& out) {
  out.append(depth * 2, ' ');
  out += node.name;
  out += ':';
  const std::string value = text_value(node, options);
  if (!value.empty()) {
    out += ' ';
    out += value;
  }
  if (!node.note.empty()) {
    out += value.empty() ? " " : "  ";
    out += "[" + node.note + "]";
  }
  out += '\n';
  for (const Node& child : node.children)
    text(child, options, depth + 1, out);
}

void json_string(std::string_view s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

bool is_integer(std::string_view s) {
  if (s.starts_with('-')) s.remove_prefix(1);
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "NAME (12)" -> {"NAME", "12"}; "0x40000000 (forwardable, renewable)" -> {"0x40000000", "..."}.
std::pair<std::string_view, std::string_view> split_paren(std::string_view v) {
  const std::size_t open = v.rfind(" (");
  if (open == std::string_view::npos || !v.ends_with(')')) return {v, {}};
  return {v.substr(0, open), v.substr(open + 2, v.size() - open - 3)};
}

void json(const Node& node, const RenderOptions& options, std::string& out) {
  out += "{\"name\":";
  json_string(node.name, out);
  out += ",\"kind\":";
  const std::string& kind = node.json_kind.empty() ? std::string("string") : node.json_kind;
  json_string(kind, out);
  if (kind == "int" && is_integer(node.value)) {
    out += ",\"value\":" + node.value;
  } else if (kind == "bool") {
    out += node.value == "true" ? ",\"value\":true" : ",\"value\":false";
  } else if (kind == "null") {
    out += ",\"value\":null";
  } else if (kind == "bytes") {
    const ShownBytes shown = show_bytes(node.value, options);
    out += ",\"value\":";
    json_string(shown.hex, out);
    out += ",\"length\":" + std::to_string(shown.length);
    if (shown.truncated) out += ",\"truncated\":true";
  } else if (kind == "enum") {
    auto [label, number] = split_paren(node.value);
    out += ",\"value\":";
    if (is_integer(number))
      out += std::string(number);
    else
      json_string(node.value, out);
    out += ",\"label\":";
    json_string(label, out);
  } else if (kind == "flags") {
    auto [bits, names] = split_paren(node.value);
    out += ",\"value\":";
    json_string(bits, out);
    out += ",\"flags\":[";
    bool first = true;
    while (!names.empty()) {
      const std::size_t comma = names.find(", ");
      const std::string_view one = names.substr(0, comma);
      if (!first) out += ',';
      first = false;
      json_string(one, out);
      names = comma == std::string_view::npos ? std::string_view{} : names.substr(comma + 2);
    }
    out += ']';
  } else if (kind != "object" && kind != "array") {
    out += ",\"value\":";
    json_string(node.value, out);
  }
  if (!node.note.empty()) {
    out += ",\"note\":";
    json_string(node.note, out);
  }
  if (!node.children.empty() || kind == "object" || kind == "array") {
    out += ",\"children\":[";
    for (std::size_t i = 0; i < node.children.size(); ++i) {
      if (i) out += ',';
      json(node.children[i], options, out);
    }
    out += ']';
  }
  out += '}';
}

}  // namespace

namespace {
thread_local std::size_t budget = kMaxNodes;
thread_local bool exceeded = false;
thread_local Node scratch;
}  // namespace

void reset_node_budget(std::size_t nodes) {
  budget = nodes;
  exceeded = false;
}

bool node_budget_exceeded() {
  return exceeded;
}

Node& Node::add(std::string child_name, std::string child_value, std::string kind) {
  if (budget == 0) {
    exceeded = true;
    scratch = Node{};
    return scratch;
  }
  --budget;
  children.push_back(Node{std::move(child_name), std::move(child_value), std::move(kind), {}, {}});
  return children.back();
}

std::string render_text(const Node& root, const RenderOptions& options) {
  std::string out;
  text(root, options, 0, out);
  return out;
}

std::string render_json(const std::vector<Node>& inputs, const RenderOptions& options) {
  std::string out = "{\"krbdump\":1,\"inputs\":[";
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (i) out += ',';
    json(inputs[i], options, out);
  }
  out += "]}\n";
  return out;
}

}  // namespace krbdump
