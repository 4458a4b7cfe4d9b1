// Byte order: loads and stores against byte strings written out by hand, at every alignment.
#include <array>
#include <cstdint>

#include <catch2/catch.hpp>

#include <kerb/internal/endian.hpp>

using namespace kerb::detail;

namespace {

constexpr std::uint8_t kBytes[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

// Evaluated by the compiler: the helpers are constexpr.
static_assert(load_be16(kBytes) == 0x0123);
static_assert(load_le16(kBytes) == 0x2301);
static_assert(load_be32(kBytes) == 0x01234567u);
static_assert(load_le32(kBytes) == 0x67452301u);
static_assert(load_be64(kBytes) == 0x0123456789abcdefull);
static_assert(load_le64(kBytes) == 0xefcdab8967452301ull);
static_assert([] {
  std::array<std::uint8_t, 4> b{};
  store_be32(0xdeadbeef, b);
  return b[0] == 0xde && b[1] == 0xad && b[2] == 0xbe && b[3] == 0xef;
}());

}  // namespace

TEST_CASE("endian: loads read the bytes in the stated order at any alignment", "[internal]") {
  // The same eight bytes at offsets 0..7 of a buffer: unaligned loads (UBSan checks alignment).
  for (std::size_t at = 0; at < 8; ++at) {
    INFO("offset " << at);
    std::uint8_t buf[16] = {};
    for (std::size_t i = 0; i < 8; ++i)
      buf[at + i] = kBytes[i];
    const std::uint8_t* p = buf + at;
    CHECK(load_be16(p) == 0x0123);
    CHECK(load_le16(p) == 0x2301);
    CHECK(load_be32(p) == 0x01234567u);
    CHECK(load_le32(p) == 0x67452301u);
    CHECK(load_be64(p) == 0x0123456789abcdefull);
    CHECK(load_le64(p) == 0xefcdab8967452301ull);
  }
  // High bits set in every byte: no sign extension through uint8_t promotions.
  const std::uint8_t ff[8] = {0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8};
  CHECK(load_be16(ff) == 0xfffe);
  CHECK(load_le16(ff) == 0xfeff);
  CHECK(load_be32(ff) == 0xfffefdfcu);
  CHECK(load_le32(ff) == 0xfcfdfeffu);
  CHECK(load_be64(ff) == 0xfffefdfcfbfaf9f8ull);
  CHECK(load_le64(ff) == 0xf8f9fafbfcfdfeffull);
}

TEST_CASE("endian: stores write exactly their bytes, in the stated order", "[internal]") {
  using Buf = std::array<std::uint8_t, 10>;
  const auto stored = [](auto store) {
    Buf b;
    b.fill(0x5a);  // guard: bytes outside the field stay as they were
    store(b.data() + 1);
    return b;
  };
  CHECK(stored([](std::uint8_t* p) { store_be16(0x0123, p); }) ==
        Buf{0x5a, 0x01, 0x23, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a});
  CHECK(stored([](std::uint8_t* p) { store_le16(0x0123, p); }) ==
        Buf{0x5a, 0x23, 0x01, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a});
  CHECK(stored([](std::uint8_t* p) { store_be32(0x01234567, p); }) ==
        Buf{0x5a, 0x01, 0x23, 0x45, 0x67, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a});
  CHECK(stored([](std::uint8_t* p) { store_le32(0x01234567, p); }) ==
        Buf{0x5a, 0x67, 0x45, 0x23, 0x01, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a});
  CHECK(stored([](std::uint8_t* p) { store_be64(0x0123456789abcdef, p); }) ==
        Buf{0x5a, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x5a});
  CHECK(stored([](std::uint8_t* p) { store_le64(0x0123456789abcdef, p); }) ==
        Buf{0x5a, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01, 0x5a});
}

TEST_CASE("endian: span forms and round trips", "[internal]") {
  // An RFC 4121 §4.2.6.1 MIC token header: TOK_ID 04 04, Flags, Filler, then SND_SEQ
  // (64 bits, big-endian) -- here sequence number 1.
  const std::array<std::uint8_t, 16> mic = {0x04, 0x04, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff,
                                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
  const std::span<const std::uint8_t, 16> s(mic);
  CHECK(load_be16(s.subspan<0, 2>()) == 0x0404);
  CHECK(load_be64(s.subspan<8, 8>()) == 1);
  CHECK(load_le64(s.subspan<8, 8>()) == 0x0100000000000000ull);

  for (const std::uint64_t v :
       {0ull, 1ull, 0x8000000000000000ull, 0xffffffffffffffffull, 0x0102030405060708ull}) {
    std::array<std::uint8_t, 8> b{};
    store_be64(v, b);
    CHECK(load_be64(b) == v);
    store_le64(v, b);
    CHECK(load_le64(b) == v);
    std::array<std::uint8_t, 4> w{};
    store_be32(static_cast<std::uint32_t>(v), w);
    CHECK(load_be32(w) == static_cast<std::uint32_t>(v));
    store_le32(static_cast<std::uint32_t>(v), w);
    CHECK(load_le32(w) == static_cast<std::uint32_t>(v));
    std::array<std::uint8_t, 2> h{};
    store_be16(static_cast<std::uint16_t>(v), h);
    CHECK(load_be16(h) == static_cast<std::uint16_t>(v));
    store_le16(static_cast<std::uint16_t>(v), h);
    CHECK(load_le16(h) == static_cast<std::uint16_t>(v));
  }
}
