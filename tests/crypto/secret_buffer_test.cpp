// SecretBuffer (DESIGN.md convention 10): a variable-size secret whose every freed block is
// wiped. An allocator that inspects each block as it is freed is the witness.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "test_util.hpp"

#include <kerb/crypto/secret.hpp>

using namespace kerb::crypto;
using namespace kerb::crypto::test;

namespace {

// What InspectingAllocator saw: blocks freed, and how many of them held a nonzero byte.
struct FreedBlocks {
  std::size_t freed = 0;
  std::size_t dirty = 0;
  std::size_t live = 0;
};
FreedBlocks g_blocks;

template <class T>
struct InspectingAllocator {
  using value_type = T;
  InspectingAllocator() = default;
  template <class U>
  InspectingAllocator(const InspectingAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    ++g_blocks.live;
    return static_cast<T*>(std::malloc(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const auto* bytes = reinterpret_cast<const unsigned char*>(p);
    bool dirty = false;
    for (std::size_t i = 0; i < n * sizeof(T); ++i)
      dirty = dirty || bytes[i] != 0;
    ++g_blocks.freed;
    if (dirty) ++g_blocks.dirty;
    --g_blocks.live;
    std::free(p);
  }
  friend bool operator==(const InspectingAllocator&, const InspectingAllocator&) { return true; }
};

using Inspected = BasicSecretBuffer<InspectingAllocator<std::uint8_t>>;

const Bytes kKey = hex("0123456789abcdef fedcba9876543210");

}  // namespace

TEST_CASE("SecretBuffer: contents, growth, copies, moves and comparison", "[crypto][secret]") {
  SecretBuffer s;
  CHECK(s.empty());
  CHECK(s.view().empty());
  s.assign(kKey);
  CHECK(to_hex(s.view()) == to_hex(kKey));
  s.append(hex("aabb"));
  CHECK(s.size() == kKey.size() + 2);
  CHECK(to_hex(s.view().last(2)) == "aabb");
  s.resize(4);
  CHECK(to_hex(s.view()) == "01234567");
  s.resize(6);
  CHECK(to_hex(s.view()) == "012345670000");  // grown bytes are zero

  const SecretBuffer copy(s);
  CHECK(copy == s);
  CHECK_FALSE(copy == SecretBuffer(kKey));
  SecretBuffer moved(std::move(s));
  CHECK(moved == copy);
  CHECK(s.empty());  // NOLINT(bugprone-use-after-move): a moved-from buffer is empty
  CHECK(s.capacity() == 0);
  s = std::move(moved);
  CHECK(s == copy);

  // A contiguous range: it converts to a span as a std::vector does.
  const std::span<const std::uint8_t> view = copy;
  CHECK(view.size() == 6);
  const std::span<const std::uint8_t> mutable_source = s;
  CHECK(mutable_source.size() == 6);
  CHECK(SecretBuffer(std::size_t{3}).view().size() == 3);
  s.clear();
  CHECK(s.empty());
  CHECK(s.capacity() >= 6);
  s.reset();
  CHECK(s.capacity() == 0);
}

TEST_CASE("SecretBuffer: every block it frees has been wiped", "[crypto][secret]") {
  g_blocks = {};
  {
    Inspected a(kKey);
    // Growing one byte at a time moves the contents to bigger blocks several times.
    for (int i = 0; i < 100; ++i)
      a.append(hex("5a"));
    CHECK(g_blocks.freed >= 3);
    a.resize(3);  // shrinking: the cut-off bytes stay in the block until it is freed

    Inspected b(kKey);
    b = a;  // copy assignment into a buffer with contents
    Inspected c(kKey);
    c = std::move(b);  // move assignment frees c's old block
    Inspected d(std::move(c));
    d.reset();
    Inspected e(kKey);
    e.clear();
    e.assign(kKey);
  }
  CHECK(g_blocks.live == 0);
  CHECK(g_blocks.freed >= 7);
  CHECK(g_blocks.dirty == 0);
}
