// Keyed checksums (RFC 3961 §4 get_mic/verify_mic) against MIT's krb5_c_make_checksum and
// krb5_c_verify_checksum, with each enctype's mandatory checksum type: equal bytes, each side
// verifies the other's, and both reject the same altered checksums.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>

#include "diff_util.hpp"
#include "mit_oracle.hpp"

namespace kerb_test {
namespace {

constexpr std::size_t kCases = 600;
constexpr std::size_t kMaxData = 2048;

void run_checksum(crypto::EncType e) {
  const crypto::EncTypeInfo& info = info_of(e);
  const crypto::ChecksumInfo* cinfo = crypto::find_checksum(info.checksum_type);
  REQUIRE(cinfo != nullptr);
  REQUIRE(cinfo->keyed);
  REQUIRE(cinfo->size == info.checksum_size);
  REQUIRE(cinfo->size == mit::checksum_length(num(info.checksum_type)));
  const std::int32_t ctype = num(info.checksum_type);

  CaseLog log("checksum", e);
  Rng rng(log.seed());
  for (std::size_t i = 0; i < kCases; ++i) {
    log.next_case();
    const Bytes key = rng.bytes(info.key_size);
    const std::uint32_t usage = random_usage(rng);
    const Bytes data = rng.bytes(random_length(rng, kMaxData));
    const auto inputs = [&] {
      std::ostringstream s;
      s << "cksumtype " << ctype << " (" << cinfo->name << ")\nkey " << to_hex(key) << "\nusage "
        << usage << "\ndata (" << data.size() << " bytes) " << to_hex(data) << "\n";
      return s.str();
    };
    const crypto::Key k = key_of(e, key);

    auto ck = crypto::ChecksumKey::derive(k, usage);
    if (!ck) {
      log.fail(inputs() + "ChecksumKey::derive refused: " + describe(ck.error()));
      continue;
    }
    if (ck->type() != info.checksum_type || ck->size() != cinfo->size) {
      log.fail(inputs() + "ChecksumKey has type " + std::to_string(num(ck->type())) + ", size " +
               std::to_string(ck->size()));
      continue;
    }
    Bytes mine(cinfo->size);
    auto made = ck->make(data, mine);
    const mit::Outcome theirs = mit::make_checksum(ctype, num(e), key, usage, data);
    if (!made || *made != cinfo->size || !theirs.ok() || theirs.bytes != mine) {
      log.fail(
          inputs() + "kerb ChecksumKey::make: " +
          (made ? to_hex(mine) : "refused: " + describe(made.error())) +
          "\nMIT krb5_c_make_checksum: " + (theirs.ok() ? to_hex(theirs.bytes) : describe(theirs)));
      continue;
    }

    // One-shot forms agree with the prepared key.
    Bytes one_shot(cinfo->size);
    auto os = crypto::make_checksum(k, usage, data, one_shot);
    if (!os || one_shot != mine) {
      log.fail(inputs() + "crypto::make_checksum: " +
               (os ? to_hex(one_shot) : "refused: " + describe(os.error())) +
               ", ChecksumKey: " + to_hex(mine));
    }

    // Each verifies the other's.
    const mit::Outcome mv = mit::verify_checksum(ctype, num(e), key, usage, data, mine);
    if (!mv.ok() || mv.bytes != Bytes{1}) {
      log.fail(inputs() + "MIT krb5_c_verify_checksum of kerb's " + to_hex(mine) + ": " +
               (mv.ok() ? "invalid" : describe(mv)));
    }
    auto kv = ck->verify(data, theirs.bytes);
    auto kv2 = crypto::verify_keyed(k, usage, info.checksum_type, data, theirs.bytes);
    if (!kv || !kv2) {
      log.fail(inputs() + "kerb verify of MIT's " + to_hex(theirs.bytes) +
               " refused: " + describe(!kv ? kv.error() : kv2.error()));
    }

    // Altered checksum, altered data or another usage: the same verdict on both sides.
    Bytes bad_sum = mine;
    Bytes bad_data = data;
    std::uint32_t other = usage;
    std::string change;
    switch (i % 4) {
      case 0: {
        const std::size_t bit = rng.below(bad_sum.size() * 8);
        bad_sum[bit / 8] = static_cast<std::uint8_t>(bad_sum[bit / 8] ^ (1u << (bit % 8)));
        change = "checksum bit " + std::to_string(bit) + " flipped";
        break;
      }
      case 1:
        bad_sum.resize(bad_sum.size() - rng.between(1, bad_sum.size()));
        change = "checksum truncated to " + std::to_string(bad_sum.size()) + " bytes";
        break;
      case 2:
        if (bad_data.empty()) {
          bad_data.push_back(0);
          change = "a zero byte appended to the data";
        } else {
          const std::size_t bit = rng.below(bad_data.size() * 8);
          bad_data[bit / 8] = static_cast<std::uint8_t>(bad_data[bit / 8] ^ (1u << (bit % 8)));
          change = "data bit " + std::to_string(bit) + " flipped";
        }
        break;
      default:
        other = random_usage(rng);
        if (other == usage) other ^= 1;
        change = "verified under usage " + std::to_string(other);
        break;
    }
    auto kbad = crypto::verify_keyed(k, other, info.checksum_type, bad_data, bad_sum);
    const mit::Outcome mbad = mit::verify_checksum(ctype, num(e), key, other, bad_data, bad_sum);
    const bool mit_accepts = mbad.ok() && mbad.bytes == Bytes{1};
    // rc4-hmac's usage translation can make two usages one; elsewhere every change must fail.
    const bool must_fail = i % 4 != 3 || e != crypto::EncType::kRc4Hmac;
    if (kbad.ok() != mit_accepts || (must_fail && mit_accepts)) {
      log.fail(inputs() + "kerb checksum " + to_hex(mine) + ", " + change +
               "\nkerb: " + (kbad ? "accepted" : "refused: " + describe(kbad.error())) +
               "\nMIT: " + (mbad.ok() ? (mit_accepts ? "valid" : "invalid") : describe(mbad)));
    }
  }
  CHECK(log.cases() == kCases);
  CHECK(log.failures() == 0);
}

}  // namespace

#define KERB_CHECKSUM_CASE(name, member)                                               \
  TEST_CASE("kerb and MIT make and verify the same keyed checksums: " name, "[mit]") { \
    run_checksum(crypto::EncType::member);                                             \
  }
KERB_MIT_FOR_EACH_ENCTYPE(KERB_CHECKSUM_CASE)

}  // namespace kerb_test
