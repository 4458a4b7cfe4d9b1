// Encryption (RFC 3961 §3 encrypt/decrypt) against MIT's krb5_c_encrypt/krb5_c_decrypt:
// whatever one side encrypts the other decrypts to the same plaintext, and both refuse the
// same tampered, truncated, extended or wrong-usage ciphertexts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>

#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>

#include "diff_util.hpp"
#include "mit_oracle.hpp"

namespace kerb_test {
namespace {

constexpr std::size_t kCases = 700;
constexpr std::size_t kMaxPlaintext = 2048;

bool same(View a, View b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}
bool all_zero(View v) {
  return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

std::string decrypt_result(const kerb::Result<std::size_t>& r, View out) {
  if (!r) return "refused: " + describe(r.error());
  return "ok, plaintext " + to_hex(out.first(std::min(*r, out.size())));
}

void run_encrypt(crypto::EncType e) {
  const crypto::EncTypeInfo& info = info_of(e);
  CaseLog log("encrypt/decrypt", e);
  Rng rng(log.seed());
  RngRandom random(rng);

  for (std::size_t i = 0; i < kCases; ++i) {
    log.next_case();
    const Bytes key = rng.bytes(info.key_size);
    const std::uint32_t usage = random_usage(rng);
    const Bytes plaintext = rng.bytes(random_length(rng, kMaxPlaintext));
    const auto inputs = [&] {
      std::ostringstream s;
      s << "key " << to_hex(key) << "\nusage " << usage << "\nplaintext (" << plaintext.size()
        << " bytes) " << to_hex(plaintext) << "\n";
      return s.str();
    };

    const crypto::Key k = key_of(e, key);
    auto derived = crypto::UsageKey::derive(k, usage);
    if (!derived) {
      log.fail(inputs() + "UsageKey::derive refused: " + describe(derived.error()));
      continue;
    }
    const crypto::UsageKey& uk = *derived;

    // Sizes: RFC 3961 profiles are length-preserving plus a fixed overhead, on both sides.
    const std::size_t ct_size = uk.ciphertext_size(plaintext.size());
    if (ct_size != mit::encrypt_length(num(e), plaintext.size())) {
      log.fail(inputs() + "ciphertext_size " + std::to_string(ct_size) +
               " != krb5_c_encrypt_length " +
               std::to_string(mit::encrypt_length(num(e), plaintext.size())));
      continue;
    }

    // kerb encrypts (derive-once and one-shot paths alternate), MIT decrypts.
    Bytes ct(ct_size);
    auto written = i % 2 == 0 ? uk.encrypt(plaintext, ct, random)
                              : crypto::encrypt(k, usage, plaintext, ct, random);
    if (!written || *written != ct_size) {
      log.fail(inputs() + (i % 2 == 0 ? "UsageKey::encrypt " : "crypto::encrypt ") +
               (written ? "wrote " + std::to_string(*written) + " bytes"
                        : "refused: " + describe(written.error())));
    } else {
      const mit::Outcome m = mit::decrypt(num(e), key, usage, ct);
      if (!m.ok() || m.bytes != plaintext) {
        log.fail(inputs() + "kerb ciphertext " + to_hex(ct) + "\nMIT krb5_c_decrypt: " +
                 describe(m) + (m.ok() ? ", plaintext " + to_hex(m.bytes) : ""));
      }
    }

    // MIT encrypts, kerb decrypts (derive-once and one-shot).
    const mit::Outcome mc = mit::encrypt(num(e), key, usage, plaintext);
    if (!mc.ok()) {
      log.fail(inputs() + "MIT krb5_c_encrypt failed: " + describe(mc));
      continue;
    }
    Bytes out(plaintext.size() + 8, 0xA5);
    auto got = uk.decrypt(mc.bytes, out);
    if (!got || *got != plaintext.size() || !same(View(out).first(*got), plaintext)) {
      log.fail(inputs() + "MIT ciphertext " + to_hex(mc.bytes) +
               "\nkerb UsageKey::decrypt: " + decrypt_result(got, out));
      continue;
    }
    std::fill(out.begin(), out.end(), 0xA5);
    got = crypto::decrypt(k, usage, mc.bytes, out);
    if (!got || *got != plaintext.size() || !same(View(out).first(*got), plaintext)) {
      log.fail(inputs() + "MIT ciphertext " + to_hex(mc.bytes) +
               "\nkerb crypto::decrypt: " + decrypt_result(got, out));
      continue;
    }

    switch (i % 3) {
      case 0: {  // one flipped bit: both refuse, and kerb leaves no plaintext behind
        Bytes bad = mc.bytes;
        const std::size_t bit = rng.below(bad.size() * 8);
        bad[bit / 8] = static_cast<std::uint8_t>(bad[bit / 8] ^ (1u << (bit % 8)));
        Bytes wiped(plaintext.size(), 0xA5);
        auto kd = uk.decrypt(bad, wiped);
        const mit::Outcome md = mit::decrypt(num(e), key, usage, bad);
        if (kd || md.ok()) {
          log.fail(inputs() + "bit " + std::to_string(bit) + " flipped in MIT ciphertext " +
                   to_hex(mc.bytes) + "\nkerb: " + decrypt_result(kd, wiped) +
                   "\nMIT: " + describe(md));
        } else if (!all_zero(wiped)) {
          log.fail(inputs() + "bit " + std::to_string(bit) +
                   " flipped: kerb refused but left output bytes " + to_hex(wiped));
        }
        break;
      }
      case 1: {  // truncated or extended: both refuse
        const std::size_t cut = rng.between(1, std::min<std::size_t>(mc.bytes.size(), 40));
        const View shorter = View(mc.bytes).first(mc.bytes.size() - cut);
        Bytes longer = mc.bytes;
        longer.push_back(static_cast<std::uint8_t>(rng.next()));
        for (const View& bad : {shorter, View(longer)}) {
          Bytes sink(bad.size() + 1);
          auto kd = uk.decrypt(bad, sink);
          const mit::Outcome md = mit::decrypt(num(e), key, usage, bad);
          if (kd || md.ok()) {
            log.fail(inputs() + "MIT ciphertext " + to_hex(mc.bytes) + " resized to " +
                     std::to_string(bad.size()) + " bytes\nkerb: " + decrypt_result(kd, sink) +
                     "\nMIT: " + describe(md));
          }
        }
        break;
      }
      default: {  // another usage: same verdict (rc4-hmac maps some usages together)
        std::uint32_t other = random_usage(rng);
        if (other == usage) other ^= 1;
        Bytes o(plaintext.size());
        auto kd = crypto::decrypt(k, other, mc.bytes, o);
        const mit::Outcome md = mit::decrypt(num(e), key, other, mc.bytes);
        if (kd.ok() != md.ok() || (kd.ok() && md.bytes != plaintext)) {
          log.fail(inputs() + "MIT ciphertext " + to_hex(mc.bytes) + " decrypted with usage " +
                   std::to_string(other) + "\nkerb: " + decrypt_result(kd, o) +
                   "\nMIT: " + describe(md));
        }
        break;
      }
    }
  }
  CHECK(log.cases() == kCases);
  CHECK(log.failures() == 0);
}

}  // namespace

#if KERB_WITH_RC4_HMAC
// MIT's rc4-hmac decryption under usage 9 (TGS-REP enc-part under the subkey) falls back to
// message type 8 when the check fails, because some Windows KDCs encrypt that part with 8;
// a client that talks rc4-hmac to such a KDC needs the same fallback. Encryption under 9 stays 9.
TEST_CASE("rc4-hmac: decrypting under usage 9 also accepts usage-8 messages, as MIT does",
          "[mit]") {
  const Bytes key = {0x2f, 0x1e, 0x3d, 0x4c, 0x5b, 0x6a, 0x79, 0x88,
                     0x97, 0xa6, 0xb5, 0xc4, 0xd3, 0xe2, 0xf1, 0x00};
  const std::string text = "EncTGSRepPart from a Windows KDC";
  const View plaintext = view_of(text);
  const crypto::Key k = key_of(crypto::EncType::kRc4Hmac, key);
  for (const std::uint32_t sent_as : {8u, 3u}) {  // MIT maps usage 3 to message type 8 as well
    const mit::Outcome mc = mit::encrypt(num(crypto::EncType::kRc4Hmac), key, sent_as, plaintext);
    REQUIRE(mc.ok());
    const mit::Outcome md = mit::decrypt(num(crypto::EncType::kRc4Hmac), key, 9, mc.bytes);
    Bytes out(plaintext.size());
    auto kd = crypto::decrypt(k, 9, mc.bytes, out);
    INFO("key " << to_hex(key) << ", encrypted by MIT under usage " << sent_as << ": "
                << to_hex(mc.bytes) << "\ndecrypted under usage 9 -- MIT: " << describe(md)
                << ", kerb: " << (kd ? "ok" : "refused: " + describe(kd.error())));
    REQUIRE(md.ok());
    CHECK(kd.ok());
    if (kd) CHECK(out == Bytes(plaintext.begin(), plaintext.end()));
  }
  // The fallback is one-way: a usage-9 message does not decrypt under usage 8, on either side.
  const mit::Outcome mc9 = mit::encrypt(num(crypto::EncType::kRc4Hmac), key, 9, plaintext);
  REQUIRE(mc9.ok());
  Bytes out(plaintext.size());
  CHECK_FALSE(mit::decrypt(num(crypto::EncType::kRc4Hmac), key, 8, mc9.bytes).ok());
  CHECK_FALSE(crypto::decrypt(k, 8, mc9.bytes, out).ok());
  // And it is rc4-hmac's alone: the RFC 3961 profiles derive distinct keys for 8 and 9.
  for (crypto::EncType e : kAllEnctypes) {
    if (e == crypto::EncType::kRc4Hmac) continue;
    const Bytes k2(info_of(e).key_size, 0x42);
    const mit::Outcome c8 = mit::encrypt(num(e), k2, 8, plaintext);
    REQUIRE(c8.ok());
    Bytes o(plaintext.size());
    CHECK_FALSE(mit::decrypt(num(e), k2, 9, c8.bytes).ok());
    CHECK_FALSE(crypto::decrypt(key_of(e, k2), 9, c8.bytes, o).ok());
  }
}
#endif  // KERB_WITH_RC4_HMAC

#define KERB_ENCRYPT_CASE(name, member)                                             \
  TEST_CASE("kerb and MIT encrypt/decrypt each other's messages: " name, "[mit]") { \
    run_encrypt(crypto::EncType::member);                                           \
  }
KERB_MIT_FOR_EACH_ENCTYPE(KERB_ENCRYPT_CASE)

}  // namespace kerb_test
