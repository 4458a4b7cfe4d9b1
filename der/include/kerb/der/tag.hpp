// One tag type: class, constructed bit and number in a single identifier octet.
// Kerberos needs only the low-tag-number form (numbers 0..30); nothing else is representable.
#pragma once

#include <cstdint>

namespace kerb::der {

enum class TagClass : std::uint8_t {
  kUniversal = 0x00,
  kApplication = 0x40,
  kContext = 0x80,
  kPrivate = 0xC0,
};

class Tag {
 public:
  static constexpr std::uint8_t kMaxNumber = 30;
  static constexpr std::uint8_t kConstructedBit = 0x20;

  // number must be <= 30; callers use the helpers below.
  constexpr Tag(TagClass cls, bool constructed, std::uint8_t number) noexcept
      : octet_(static_cast<std::uint8_t>(static_cast<std::uint8_t>(cls) |
                                         (constructed ? kConstructedBit : 0) | (number & 0x1F))) {}
  // The identifier octet as it appears on the wire.
  static constexpr Tag from_octet(std::uint8_t octet) noexcept { return Tag(octet); }

  constexpr std::uint8_t octet() const noexcept { return octet_; }
  constexpr TagClass tag_class() const noexcept { return static_cast<TagClass>(octet_ & 0xC0); }
  constexpr bool constructed() const noexcept { return (octet_ & kConstructedBit) != 0; }
  constexpr std::uint8_t number() const noexcept { return octet_ & 0x1F; }

  friend constexpr bool operator==(Tag a, Tag b) noexcept { return a.octet_ == b.octet_; }

 private:
  explicit constexpr Tag(std::uint8_t octet) noexcept : octet_(octet) {}
  std::uint8_t octet_;
};

constexpr Tag universal(std::uint8_t number, bool constructed = false) noexcept {
  return Tag(TagClass::kUniversal, constructed, number);
}
// Explicit context tag [n], as Kerberos uses everywhere: always constructed.
constexpr Tag ctx(std::uint8_t number) noexcept {
  return Tag(TagClass::kContext, true, number);
}
// [APPLICATION n], always constructed in Kerberos (e.g. Ticket ::= [APPLICATION 1] SEQUENCE).
constexpr Tag app(std::uint8_t number) noexcept {
  return Tag(TagClass::kApplication, true, number);
}

// DER's universal-class rules, shared by Reader and Writer: [UNIVERSAL 0] is reserved;
// SEQUENCE and SET are constructed; every other universal type Kerberos uses is primitive
// (X.690 §10.2 forbids constructed strings). Returns the fault, or nullptr when the tag is fine.
constexpr const char* universal_tag_fault(Tag tag) noexcept {
  if (tag.tag_class() != TagClass::kUniversal) return nullptr;
  if (tag.number() == 0) return "[UNIVERSAL 0] is reserved";
  const bool sequence_or_set = tag.number() == 16 || tag.number() == 17;
  if (sequence_or_set && !tag.constructed()) return "primitive encoding of SEQUENCE or SET";
  if (!sequence_or_set && tag.constructed()) return "constructed encoding of a primitive type";
  return nullptr;
}

// X.690 universal tags used by Kerberos.
namespace tags {
inline constexpr Tag kBoolean = universal(1);
inline constexpr Tag kInteger = universal(2);
inline constexpr Tag kBitString = universal(3);
inline constexpr Tag kOctetString = universal(4);
inline constexpr Tag kNull = universal(5);
inline constexpr Tag kObjectIdentifier = universal(6);
inline constexpr Tag kEnumerated = universal(10);
inline constexpr Tag kUtf8String = universal(12);
inline constexpr Tag kSequence = universal(16, true);
inline constexpr Tag kSet = universal(17, true);
inline constexpr Tag kIa5String = universal(22);
inline constexpr Tag kGeneralizedTime = universal(24);
inline constexpr Tag kGeneralString = universal(27);
}  // namespace tags

}  // namespace kerb::der
