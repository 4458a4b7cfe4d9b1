// A structure-aware libFuzzer mutator for targets whose input is a prefix of
// KERB_DER_MUTATOR_PREFIX bytes (default 1: the targets' selector byte) followed by DER.
//
// The DER is read as a TLV tree -- constructed encodings are recursed into, and so is an OCTET
// STRING whose contents are themselves DER (PA-DATA values, e-data, FAST armor, ...) -- then
// one node is changed structurally and the tree is written back with correct, minimal
// lengths, so a mutation survives the outer framing and reaches the field it changed:
//   - a leaf's contents mutated by libFuzzer (a string, an octet string, a cipher)
//   - an INTEGER set to a boundary value, a GeneralizedTime to an edge of time
//   - a child duplicated, dropped, or swapped with a sibling
//   - a tag's class or number changed
//   - a subtree replaced by one from another input (the crossover)
// Inputs that are not DER, and one mutation in eight, go to libFuzzer's byte mutator instead,
// which also covers wrong lengths and truncation.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#ifndef KERB_DER_MUTATOR_PREFIX
#define KERB_DER_MUTATOR_PREFIX 1
#endif

// Defined by libFuzzer; weak so that the replay build (which never mutates) links without it.
extern "C" [[gnu::weak]] std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size,
                                                      std::size_t max_size);

namespace {

constexpr std::size_t kPrefix = KERB_DER_MUTATOR_PREFIX;
constexpr int kMaxDepth = 24;
constexpr std::size_t kMaxNodes = 4096;

struct Node {
  std::vector<std::uint8_t> identifier;  // the identifier octets, as found
  bool constructed = false;              // children are the contents
  bool encapsulated = false;             // an OCTET STRING whose contents are DER
  std::vector<std::uint8_t> contents;    // a leaf's contents
  std::vector<Node> children;
};

// SplitMix64, seeded by libFuzzer.
class Rng {
 public:
  explicit Rng(unsigned seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

// --- reading --------------------------------------------------------------------------------

struct Reader {
  const std::uint8_t* p;
  const std::uint8_t* end;
  std::size_t nodes = 0;
};

bool parse_all(Reader& r, std::vector<Node>& out, int depth);

// One TLV with a definite length (BER's indefinite form is not DER).
bool parse_one(Reader& r, Node& node, int depth) {
  if (depth > kMaxDepth || ++r.nodes > kMaxNodes || r.p == r.end) return false;
  const std::uint8_t* start = r.p;
  const std::uint8_t first = *r.p++;
  if ((first & 0x1F) == 0x1F) {  // high tag number form
    int n = 0;
    do {
      if (r.p == r.end || ++n > 4) return false;
    } while (*r.p++ & 0x80);
  }
  node.identifier.assign(start, r.p);
  node.constructed = (first & 0x20) != 0;
  if (r.p == r.end) return false;
  std::size_t length = *r.p++;
  if (length & 0x80) {
    const std::size_t n = length & 0x7F;
    if (n == 0 || n > 4 || static_cast<std::size_t>(r.end - r.p) < n) return false;
    length = 0;
    for (std::size_t i = 0; i < n; ++i)
      length = (length << 8) | *r.p++;
  }
  if (static_cast<std::size_t>(r.end - r.p) < length) return false;
  Reader inner{r.p, r.p + length, r.nodes};
  r.p += length;
  if (node.constructed) {
    if (!parse_all(inner, node.children, depth + 1)) return false;
  } else {
    node.contents.assign(inner.p, inner.end);
    // An OCTET STRING holding DER: mutate what it holds, not its bytes.
    if (first == 0x04 && length >= 2 && (inner.p[0] & 0x20) != 0) {
      std::vector<Node> held;
      Reader probe = inner;
      if (parse_all(probe, held, depth + 1)) {
        node.encapsulated = true;
        node.children = std::move(held);
        node.contents.clear();
      }
      inner.nodes = probe.nodes;
    }
  }
  r.nodes = inner.nodes;
  return true;
}

bool parse_all(Reader& r, std::vector<Node>& out, int depth) {
  while (r.p != r.end) {
    out.emplace_back();
    if (!parse_one(r, out.back(), depth)) return false;
  }
  return true;
}

std::optional<std::vector<Node>> parse(const std::uint8_t* data, std::size_t size) {
  std::vector<Node> roots;
  Reader r{data, data + size};
  if (size == 0 || !parse_all(r, roots, 0)) return std::nullopt;
  return roots;
}

// --- writing --------------------------------------------------------------------------------

void write_length(std::vector<std::uint8_t>& out, std::size_t n) {
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
    return;
  }
  std::uint8_t bytes[sizeof(std::size_t)];
  int count = 0;
  for (; n != 0; n >>= 8)
    bytes[count++] = static_cast<std::uint8_t>(n);
  out.push_back(static_cast<std::uint8_t>(0x80 | count));
  while (count > 0)
    out.push_back(bytes[--count]);
}

void write(std::vector<std::uint8_t>& out, const std::vector<Node>& nodes);

void write(std::vector<std::uint8_t>& out, const Node& node) {
  out.insert(out.end(), node.identifier.begin(), node.identifier.end());
  std::vector<std::uint8_t> contents;
  if (node.constructed || node.encapsulated) {
    write(contents, node.children);
  } else {
    contents = node.contents;
  }
  write_length(out, contents.size());
  out.insert(out.end(), contents.begin(), contents.end());
}

void write(std::vector<std::uint8_t>& out, const std::vector<Node>& nodes) {
  for (const Node& n : nodes)
    write(out, n);
}

// --- choosing -------------------------------------------------------------------------------

// Every node in pre-order, with the list that holds it.
struct Place {
  std::vector<Node>* siblings;
  std::size_t index;
  Node& node() const { return (*siblings)[index]; }
};

void collect(std::vector<Node>& list, std::vector<Place>& out) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    out.push_back(Place{&list, i});
    if (!list[i].children.empty()) collect(list[i].children, out);
  }
}

std::vector<std::uint8_t> minimal_integer(std::int64_t v) {
  std::vector<std::uint8_t> out;
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> shift));
  while (out.size() > 1 &&
         ((out[0] == 0x00 && !(out[1] & 0x80)) || (out[0] == 0xFF && (out[1] & 0x80))))
    out.erase(out.begin());
  return out;
}

constexpr std::int64_t kIntegers[] = {0,          1,           -1,
                                      23,         127,         128,
                                      255,        256,         0x7FFF,
                                      0x8000,     0x7FFFFFFF,  0x80000000LL,
                                      0xFFFFFFFF, 0x100000000, -0x80000000LL,
                                      INT64_MIN,  INT64_MAX,   1700000000,
                                      1796532550};

constexpr std::string_view kTimes[] = {
    "19700101000000Z", "20261206044910Z", "20370119031408Z", "20380119031408Z",
    "99991231235959Z", "00000101000000Z", "20260229000000Z", "20261206044910.5Z",
    "20261206044910",  "2026120604491Z",  "20261306250000Z",
};

// A leaf's contents through libFuzzer's byte mutator (bounded growth).
void mutate_bytes(std::vector<std::uint8_t>& bytes, Rng& rng) {
  if (bytes.empty()) {
    bytes.push_back(static_cast<std::uint8_t>(rng.next()));
    return;
  }
  const std::size_t size = bytes.size();
  bytes.resize(size * 2 + 16);
  bytes.resize(LLVMFuzzerMutate(bytes.data(), size, bytes.size()));
}

bool mutate_tree(std::vector<Node>& roots, Rng& rng) {
  std::vector<Place> places;
  collect(roots, places);
  if (places.empty()) return false;
  const Place at = places[rng.below(places.size())];
  Node& node = at.node();
  std::vector<Node>& siblings = *at.siblings;
  const std::uint8_t tag = node.identifier[0];

  switch (rng.below(7)) {
    case 0:  // the value: an INTEGER, a time, or any leaf's bytes
      if (node.constructed || node.encapsulated) {
        if (node.children.empty()) return false;
        Node& child = node.children[rng.below(node.children.size())];
        if (child.constructed || child.encapsulated) return false;
        mutate_bytes(child.contents, rng);
      } else if (tag == 0x02 && rng.below(2) == 0) {
        node.contents = minimal_integer(kIntegers[rng.below(std::size(kIntegers))]);
      } else if (tag == 0x18 && rng.below(2) == 0) {
        const std::string_view t = kTimes[rng.below(std::size(kTimes))];
        node.contents.assign(t.begin(), t.end());
      } else {
        mutate_bytes(node.contents, rng);
      }
      return true;
    case 1:  // duplicate
      if (siblings.size() >= 64) return false;
      siblings.insert(siblings.begin() + static_cast<std::ptrdiff_t>(at.index), node);
      return true;
    case 2:  // drop
      siblings.erase(siblings.begin() + static_cast<std::ptrdiff_t>(at.index));
      return true;
    case 3: {  // swap with a sibling
      if (siblings.size() < 2) return false;
      const std::size_t other = rng.below(siblings.size());
      std::swap(siblings[at.index], siblings[other]);
      return true;
    }
    case 4:  // the tag's class
      node.identifier[0] ^= static_cast<std::uint8_t>(0x40 << rng.below(2));
      return true;
    case 5: {  // the tag's number (low tag numbers only: context [0]..[30], universal types)
      if (node.identifier.size() != 1) return false;
      const std::uint8_t number = tag & 0x1F;
      const std::uint8_t next = rng.below(2) == 0
                                    ? static_cast<std::uint8_t>((number + 1) % 31)
                                    : static_cast<std::uint8_t>(number == 0 ? 30 : number - 1);
      node.identifier[0] = static_cast<std::uint8_t>((tag & 0xE0) | next);
      return true;
    }
    default:  // the contents emptied or a constructed node turned primitive, or back
      if (node.constructed && !node.children.empty() && rng.below(2) == 0) {
        node.children.resize(rng.below(node.children.size()));
      } else if (!node.constructed && !node.encapsulated) {
        node.contents.resize(rng.below(node.contents.size() + 1));
      } else {
        return false;
      }
      return true;
  }
}

std::size_t emit(const std::vector<std::uint8_t>& prefix, const std::vector<Node>& roots,
                 std::uint8_t* data, std::size_t max_size) {
  std::vector<std::uint8_t> out = prefix;
  write(out, roots);
  if (out.size() > max_size) return 0;
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

std::size_t byte_mutate(std::uint8_t* data, std::size_t size, std::size_t max_size) {
  return LLVMFuzzerMutate(data, size, max_size);
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
  Rng rng(seed);
  if (size <= kPrefix || rng.below(8) == 0) return byte_mutate(data, size, max_size);
  if (rng.below(16) == 0) {  // the prefix alone: another decoder or mode for the same bytes
    data[rng.below(kPrefix)] = static_cast<std::uint8_t>(rng.next());
    return size;
  }
  auto roots = parse(data + kPrefix, size - kPrefix);
  if (!roots) return byte_mutate(data, size, max_size);
  const std::vector<std::uint8_t> prefix(data, data + kPrefix);
  // mutate_tree changes nothing when it says no, so the tree is tried again as it is.
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (!mutate_tree(*roots, rng)) continue;
    if (const std::size_t n = emit(prefix, *roots, data, max_size); n > 0) return n;
    break;  // too large: the tree has changed, so leave it to the byte mutator
  }
  return byte_mutate(data, size, max_size);
}

// A subtree of the first input replaced by a subtree of the second.
extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2,
                                                 std::uint8_t* out, std::size_t max_out_size,
                                                 unsigned int seed) {
  Rng rng(seed);
  if (size1 <= kPrefix || size2 <= kPrefix) return 0;
  auto a = parse(data1 + kPrefix, size1 - kPrefix);
  auto b = parse(data2 + kPrefix, size2 - kPrefix);
  if (!a || !b) return 0;
  std::vector<Place> pa;
  std::vector<Place> pb;
  collect(*a, pa);
  collect(*b, pb);
  if (pa.empty() || pb.empty()) return 0;
  pa[rng.below(pa.size())].node() = pb[rng.below(pb.size())].node();
  return emit(std::vector<std::uint8_t>(data1, data1 + kPrefix), *a, out, max_out_size);
}
