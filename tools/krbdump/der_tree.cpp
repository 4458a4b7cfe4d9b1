// --der: a generic tree of any DER (X.690): tag, length and offset of every element, with
// primitive values shown by their universal type.
#include "dump_internal.hpp"

namespace krbdump::detail {
namespace {

constexpr int kMaxDerDepth = 64;

const char* universal_name(std::uint32_t n) {
  switch (n) {
    case 1:
      return "BOOLEAN";
    case 2:
      return "INTEGER";
    case 3:
      return "BIT STRING";
    case 4:
      return "OCTET STRING";
    case 5:
      return "NULL";
    case 6:
      return "OBJECT IDENTIFIER";
    case 10:
      return "ENUMERATED";
    case 12:
      return "UTF8String";
    case 16:
      return "SEQUENCE";
    case 17:
      return "SET";
    case 19:
      return "PrintableString";
    case 22:
      return "IA5String";
    case 23:
      return "UTCTime";
    case 24:
      return "GeneralizedTime";
    case 27:
      return "GeneralString";
    default:
      return nullptr;
  }
}

struct Fault {
  std::size_t offset;
  std::string what;
};

// Walks the elements of bytes[begin, end); `base` is bytes' offset in the input.
bool walk_der(Bytes bytes, std::size_t base, Node& parent, int depth, Fault& fault) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t start = at;
    if (node_budget_exceeded())
      return fault = {base + start, "more than " + std::to_string(kMaxNodes) +
                                        " elements to show (krbdump's limit)"},
             false;
    const std::uint8_t id = bytes[at++];
    const bool constructed = (id & 0x20) != 0;
    const std::uint8_t cls = id & 0xC0;
    std::uint32_t number = id & 0x1F;
    if (number == 0x1F) {  // high tag number form
      number = 0;
      for (int i = 0;; ++i) {
        if (at >= bytes.size()) return fault = {base + at, "tag runs past the end"}, false;
        if (i == 4) return fault = {base + at, "tag number too large"}, false;
        const std::uint8_t b = bytes[at++];
        number = (number << 7) | (b & 0x7Fu);
        if (!(b & 0x80)) break;
      }
    }
    if (at >= bytes.size()) return fault = {base + at, "length missing"}, false;
    std::size_t length = bytes[at++];
    if (length == 0x80) return fault = {base + at - 1, "indefinite length (BER, not DER)"}, false;
    if (length > 0x80) {
      const std::size_t n = length & 0x7F;
      if (n > 4) return fault = {base + at - 1, "length of more than 4 octets"}, false;
      length = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (at >= bytes.size()) return fault = {base + at, "length runs past the end"}, false;
        length = (length << 8) | bytes[at++];
      }
    }
    if (length > bytes.size() - at)
      return fault = {base + start, "element of " + std::to_string(length) +
                                        " bytes runs past the end of its container"},
             false;
    const Bytes content = bytes.subspan(at, length);
    std::string tag;
    if (cls == 0x00) {
      const char* u = universal_name(number);
      tag = u != nullptr ? u : "[UNIVERSAL " + std::to_string(number) + "]";
    } else {
      tag = std::string(cls == 0x40   ? "[APPLICATION "
                        : cls == 0x80 ? "["
                                      : "[PRIVATE ") +
            std::to_string(number) + "]";
    }
    Node& node = parent.add(tag, {}, constructed ? "array" : "string");
    node.note = "offset " + std::to_string(base + start) + ", header " +
                std::to_string(at - start) + ", length " + std::to_string(length);
    if (constructed) {
      if (depth >= kMaxDerDepth)
        return fault = {base + start, "nesting deeper than " + std::to_string(kMaxDerDepth)}, false;
      if (!walk_der(content, base + at, node, depth + 1, fault)) return false;
    } else if (cls == 0x00 && (number == 2 || number == 10) && !content.empty() &&
               content.size() <= 8) {
      std::int64_t v = (content[0] & 0x80) ? -1 : 0;
      for (std::uint8_t b : content)
        v = static_cast<std::int64_t>((static_cast<std::uint64_t>(v) << 8) | b);
      node.value = std::to_string(v);
      node.json_kind = "int";
    } else if (cls == 0x00 && number == 1 && content.size() == 1) {
      node.value = content[0] ? "true" : "false";
      node.json_kind = "bool";
    } else if (cls == 0x00 && number == 6) {
      node.value = oid_text(content);
    } else if (cls == 0x00 &&
               (number == 12 || number == 19 || number == 22 || number == 23 || number == 24 ||
                number == 27) &&
               printable(content)) {
      node.value.assign(content.begin(), content.end());
    } else if (cls == 0x00 && number == 5) {
      node.json_kind = "null";
    } else {
      node.value = hex(content);
      node.json_kind = "bytes";
      // An OCTET STRING often wraps more DER (padata-value, ad-data): show it when it parses.
      if (cls == 0x00 && number == 4 && content.size() >= 2 && (content[0] & 0x20) &&
          depth < kMaxDerDepth) {
        Node inner;
        Fault ignored;
        if (walk_der(content, base + at, inner, depth + 1, ignored)) {
          node.note += ", holds DER";
          for (Node& c : inner.children)
            node.children.push_back(std::move(c));
        }
      }
    }
    at += length;
  }
  return true;
}

}  // namespace

void dump_der_tree(Walk& walk, Bytes bytes, Node& parent) {
  Node& node = parent.add("DER", {}, "array");
  Fault fault{0, {}};
  if (bytes.empty()) {
    walk.malformed(node, "DER", {}, "DER: empty input at offset 0");
    return;
  }
  if (!walk_der(bytes, walk.offset_of(bytes).value_or(0), node, 0, fault))
    walk.malformed(node, "DER", {},
                   "DER: " + fault.what + " at offset " + std::to_string(fault.offset));
}

}  // namespace krbdump::detail
