// Sealed plaintext: seal and open against RFC 8009's sample encryption, tampering, the etype
// check, DER into wiping storage, and random protocol numbers.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/internal/sealed.hpp>

#include "hex_bytes.hpp"

using namespace kerb;
using namespace kerb::detail;

namespace {

using kerb::test::Bytes;
using kerb::test::hex;

// Hands out exactly the given bytes, then fails.
class FixedRandom final : public crypto::Random {
 public:
  explicit FixedRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
  Result<void> fill(std::span<std::uint8_t> out) override {
    if (out.size() > bytes_.size() - pos_) {
      return Error(ErrorCategory::kCrypto, "FixedRandom: out of bytes");
    }
    for (std::uint8_t& b : out)
      b = bytes_[pos_++];
    return ok();
  }

 private:
  Bytes bytes_;
  std::size_t pos_ = 0;
};

// RFC 8009 Appendix A, "Sample encryptions", aes128-cts-hmac-sha256-128, key usage 2.
constexpr std::uint32_t kUsage = 2;
const char* const kBaseKey = "3705D96080C17728A0E800EAB6E0D23C";
const char* const kPlain = "000102030405";
const char* const kConfounder = "7BCA285E2FD4130FB55B1A5C83BC5B24";
const char* const kCipher =
    "84D7F30754ED987BAB0BF3506BEB09CFB55402CEF7E6877CE99E247E52D16ED4421DFDF8976C";

crypto::Key rfc8009_key() {
  auto k = crypto::Key::from_bytes(crypto::EncType::kAes128CtsHmacSha256_128, hex(kBaseKey));
  REQUIRE(k.ok());
  return *k;
}

struct Encrypted {  // what open() needs of an EncryptedData
  crypto::EncType etype = crypto::EncType::kNone;
  std::span<const std::uint8_t> cipher;
};

struct OctetString {
  Bytes value;
};
void encode(der::Writer& w, const OctetString& s) {
  w.write_octet_string(s.value);
}

}  // namespace

TEST_CASE("seal: RFC 8009's sample encryption, byte for byte", "[internal]") {
  FixedRandom confounder(hex(kConfounder));
  auto cipher = seal(rfc8009_key(), kUsage, hex(kPlain), confounder);
  REQUIRE(cipher.ok());
  CHECK(*cipher == hex(kCipher));
  FixedRandom empty({});
  CHECK_FALSE(seal(rfc8009_key(), kUsage, hex(kPlain), empty).ok());  // no confounder, no cipher
}

TEST_CASE("open: RFC 8009's ciphertext, and every tampered byte fails its integrity check",
          "[internal]") {
  const crypto::Key key = rfc8009_key();
  const Bytes cipher = hex(kCipher);
  const crypto::EncType etype = key.enctype();
  auto plain = open(key, kUsage, Encrypted{etype, cipher}, "the test part");
  REQUIRE(plain.ok());
  CHECK(Bytes(plain->bytes().begin(), plain->bytes().end()) == hex(kPlain));

  // Round trip through seal with other bytes and another usage.
  crypto::OsRandom random;
  const Bytes secret = {'s', 'e', 'c', 'r', 'e', 't'};
  auto sealed = seal(key, 14, secret, random);
  REQUIRE(sealed.ok());
  auto opened = open(key, 14, etype, *sealed, "KRB-CRED");
  REQUIRE(opened.ok());
  CHECK(Bytes(opened->bytes().begin(), opened->bytes().end()) == secret);
  CHECK_FALSE(open(key, 13, etype, *sealed, "KRB-CRED").ok());  // another usage, another key

  for (std::size_t i = 0; i < cipher.size(); ++i) {
    Bytes bad = cipher;
    bad[i] ^= 0x01;
    auto r = open(key, kUsage, Encrypted{etype, bad}, "the ticket", 31);
    REQUIRE_FALSE(r.ok());
    INFO("byte " << i);
    CHECK(r.error().category() == ErrorCategory::kCrypto);
    CHECK(r.error().code() == 31);  // the caller's integrity code (KRB_AP_ERR_BAD_INTEGRITY)
    CHECK(std::string(r.error().detail()) == "the ticket failed its integrity check");
  }
  auto no_code = open(key, kUsage, etype, Bytes(cipher.begin(), cipher.end() - 1), "x");
  REQUIRE_FALSE(no_code.ok());
  CHECK(no_code.error().code() == 0);
}

TEST_CASE("open: an EncryptedData of another etype than the key's is refused", "[internal]") {
  auto r = open(rfc8009_key(), kUsage, Encrypted{crypto::EncType{18}, hex(kCipher)}, "the AS-REP");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category() == ErrorCategory::kProtocol);
  CHECK(std::string(r.error().detail()) == "the AS-REP is encrypted with enctype 18, not 19");
}

TEST_CASE("encode_plaintext: the DER encoding in wiping storage", "[internal]") {
  auto p = encode_plaintext(OctetString{{1, 2, 3}}, "the part");
  REQUIRE(p.ok());
  // OCTET STRING (X.690 §8.7): tag 04, length 03, the contents.
  CHECK(Bytes(p->bytes().begin(), p->bytes().end()) == Bytes{0x04, 0x03, 1, 2, 3});
  Plaintext moved = std::move(*p);
  CHECK(moved.bytes().size() == 5);

  Bytes arrived = {9, 8, 7};
  const Plaintext taken(std::move(arrived));
  CHECK(Bytes(taken.bytes().begin(), taken.bytes().end()) == Bytes{9, 8, 7});
  CHECK(arrived.empty());
}

TEST_CASE("random_u32 and random_seq: four random bytes, big-endian, masked", "[internal]") {
  FixedRandom r(hex("12345678FFFFFFFFFFFFFFFF"));
  CHECK(*random_u32(r, 0xFFFFFFFF) == 0x12345678u);
  CHECK(*random_u32(r, 0x7FFFFFFF) == 0x7FFFFFFFu);  // a nonce (RFC 4120 §5.4.1) stays positive
  CHECK(*random_seq(r) == 0x3FFFFFFFu);              // below 2^30
  CHECK_FALSE(random_seq(r).ok());                   // no bytes left: an error, never zero
}
