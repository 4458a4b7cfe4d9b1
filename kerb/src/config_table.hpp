// The parsed form of krb5.conf: one flat node table, built by config_parser.cpp and read by the
// lookups of config.cpp. Config holds it by pointer, so none of this is in the public header.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/config.hpp>

namespace kerb::detail {

struct ConfigTable {
  enum class Kind : std::uint8_t {
    kRelation,    // tag = value
    kSubsection,  // [section] or tag = { ... }: one node per path, repeats merge into it
    kIgnored,     // under a path made final, and the files' names: no lookup finds these
  };
  // One flat table in reading order (a node's children come after it); names and values are
  // offsets into text, so that neither the table nor the text needs a string per node.
  struct Node {
    std::uint32_t parent;  // nodes[0] is the root, the sections' parent; kNone: root, files
    std::uint32_t text;    // the name's offset in text; the value follows it
    std::uint32_t name_size;
    std::uint32_t value_size;
    std::uint32_t file;  // the node naming its file
    std::uint32_t line;  // of a subsection: of its latest '{', for "missing '}'"
    Kind kind;
    bool final;  // its path is frozen: later nodes there are ignored
  };
  static constexpr std::uint32_t kNone = UINT32_MAX;

  std::vector<Node> nodes;
  // Names and values, back to back. Config owns the table through a pointer, so moving a
  // Config keeps the views it handed out valid.
  std::string text;

  std::string_view name_of(const Node& n) const noexcept {
    return {text.data() + n.text, n.name_size};
  }
  std::string_view value_of(const Node& n) const noexcept {
    return {text.data() + n.text + n.name_size, n.value_size};
  }

  // The first node after index `i` that is a `kind` child of `parent`, named `*name` unless
  // name is null; kNone when there is none. Every lookup is a loop over this.
  std::uint32_t next(std::uint32_t parent, std::uint32_t i, Kind kind,
                     const std::string_view* name) const noexcept;
  // The subsection at `path` (0, the root, for an empty path), or kNone.
  std::uint32_t subsection(std::span<const std::string_view> path) const noexcept;
  // Values of the relations (or names of the subsections) of `at` named `*name` (any if null).
  std::vector<std::string_view> collect(std::uint32_t at, Kind kind,
                                        const std::string_view* name) const;
  // The first relation at `path` (its last element is the tag), or null.
  const Node* first(std::span<const std::string_view> path) const noexcept;
};

}  // namespace kerb::detail
