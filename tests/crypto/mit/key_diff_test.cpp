// Key operations against MIT: string-to-key (krb5_c_string_to_key_with_params), PRF
// (krb5_c_prf), PRF+ (krb5_c_prfplus), random-to-key (krb5_c_random_to_key) and KRB-FX-CF2
// (krb5_c_fx_cf2_simple), plus the size tables both sides publish.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>

#include "diff_util.hpp"
#include "mit_oracle.hpp"

namespace kerb_test {
namespace {

Bytes key_bytes(const crypto::Key& k) {
  const View v = k.expose_secret();
  return Bytes(v.begin(), v.end());
}

Bytes be32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

// A salt as KDCs make them (realm | principal components), or arbitrary bytes.
Bytes random_salt(Rng& rng) {
  switch (rng.below(3)) {
    case 0: {
      static constexpr const char* kRealms[] = {"EXAMPLE.COM", "ATHENA.MIT.EDU", "BANK.TEST", ""};
      std::string s = kRealms[rng.below(4)];
      s += random_utf8(rng, 16, false);
      return Bytes(s.begin(), s.end());
    }
    case 1:
      return rng.bytes(rng.between(0, 64));
    default: {
      const std::string s = random_utf8(rng, 24, false);
      return Bytes(s.begin(), s.end());
    }
  }
}

// Mostly cheap counts, some up to 5000; the default counts have their own cases.
std::uint32_t random_iterations(Rng& rng) {
  const std::size_t r = rng.below(10);
  if (r < 6) return static_cast<std::uint32_t>(rng.between(1, 64));
  if (r < 9) return static_cast<std::uint32_t>(rng.between(65, 1000));
  return static_cast<std::uint32_t>(rng.between(1001, 5000));
}

constexpr std::size_t kStringToKeyCases = 30;
constexpr std::size_t kDefaultCountCases = 2;

void run_string_to_key(crypto::EncType e) {
  const crypto::EncTypeInfo& info = info_of(e);
  const bool rc4 = e == crypto::EncType::kRc4Hmac;
  CaseLog log("string-to-key", e);
  Rng rng(log.seed());
  for (std::size_t i = 0; i < kStringToKeyCases + kDefaultCountCases; ++i) {
    log.next_case();
    const bool default_count = i >= kStringToKeyCases;
    // RFC 4757 hashes the password as a C string in MIT (k5memdup0 + UTF-16 conversion), so
    // U+0000 is left out for rc4-hmac; the PBKDF2 enctypes take any octets.
    const std::string password = random_utf8(rng, i % 5 == 0 ? 100 : 24, !rc4);
    const Bytes salt = random_salt(rng);
    const std::uint32_t iterations = default_count || rc4 ? 0 : random_iterations(rng);
    const Bytes params = iterations != 0 ? be32(iterations) : Bytes{};
    const View params_view(params);
    const auto inputs = [&] {
      std::ostringstream s;
      s << "password " << quoted(password) << " (hex " << to_hex(view_of(password)) << ")\nsalt "
        << to_hex(salt) << "\ns2kparams "
        << (iterations != 0 ? to_hex(params) + " (" + std::to_string(iterations) + " iterations)"
                            : std::string("absent (default count)"))
        << "\n";
      return s.str();
    };

    // With the iteration-count floor lifted on both sides (kerb's allow_weak_s2kparams, MIT's
    // test switch) the keys are equal...
    const View* p = iterations != 0 ? &params_view : nullptr;
    auto mine = crypto::Key::from_password(e, password, salt, params, weak_s2k_policy());
    const mit::Outcome theirs = mit::string_to_key(num(e), password, salt, p, true);
    if (!mine || !theirs.ok() || key_bytes(*mine) != theirs.bytes || theirs.enctype != num(e)) {
      log.fail(inputs() + "kerb Key::from_password: " +
               (mine ? to_hex(key_bytes(*mine)) : "refused: " + describe(mine.error())) +
               "\nMIT krb5_c_string_to_key_with_params: " +
               (theirs.ok() ? to_hex(theirs.bytes) : describe(theirs)));
      continue;
    }
    // ...and with both floors in place (the defaults) they accept and refuse the same counts.
    if (iterations != 0) {
      auto floored = crypto::Key::from_password(e, password, salt, params, weak_policy());
      const mit::Outcome mit_floored = mit::string_to_key(num(e), password, salt, p, false);
      if (floored.ok() != mit_floored.ok() ||
          (floored.ok() && key_bytes(*floored) != mit_floored.bytes)) {
        log.fail(inputs() + "with the default iteration floor, kerb: " +
                 (floored ? "accepted" : "refused: " + describe(floored.error())) +
                 "\nMIT: " + describe(mit_floored));
      }
    }
    if (default_count && !rc4) {
      // The explicit default count gives the same key as no s2kparams at all.
      const Bytes explicit_params = be32(info.default_iterations);
      auto again = crypto::Key::from_password(e, password, salt, explicit_params, weak_policy());
      if (!again || key_bytes(*again) != theirs.bytes) {
        log.fail(inputs() + "explicit default count " + std::to_string(info.default_iterations) +
                 " gives " + (again ? to_hex(key_bytes(*again)) : describe(again.error())) +
                 ", not the default-count key " + to_hex(theirs.bytes));
      }
    }
  }
  CHECK(log.failures() == 0);
}

void run_prf(crypto::EncType e) {
  const crypto::EncTypeInfo& info = info_of(e);
  REQUIRE(info.prf_size == mit::prf_length(num(e)));
  CaseLog log("prf, prf+", e);
  Rng rng(log.seed());
  for (std::size_t i = 0; i < 300; ++i) {
    log.next_case();
    const Bytes key = rng.bytes(info.key_size);
    const Bytes input = rng.bytes(random_length(rng, i % 10 == 0 ? 2048 : 256));
    const crypto::Key k = key_of(e, key);
    const auto inputs = [&] { return "key " + to_hex(key) + "\ninput " + to_hex(input) + "\n"; };

    Bytes mine(info.prf_size + 4, 0xA5);
    auto n = crypto::prf(k, input, mine);
    const mit::Outcome theirs = mit::prf(num(e), key, input);
    if (!n || *n != info.prf_size || !theirs.ok() ||
        Bytes(mine.begin(), mine.begin() + static_cast<std::ptrdiff_t>(info.prf_size)) !=
            theirs.bytes) {
      log.fail(inputs() + "kerb prf: " + (n ? to_hex(View(mine).first(*n)) : describe(n.error())) +
               "\nMIT krb5_c_prf: " + (theirs.ok() ? to_hex(theirs.bytes) : describe(theirs)));
      continue;
    }

    // PRF+ (RFC 6113 §5.1) over assorted lengths, including the 255-block maximum.
    if (i % 4 == 0) {
      std::size_t size = rng.between(1, info.prf_size * 6);
      if (i % 40 == 0) size = 255 * info.prf_size;
      Bytes plus(size);
      auto r = crypto::prf_plus(k, input, plus);
      const mit::Outcome mp = mit::prf_plus(num(e), key, input, size);
      if (!r || !mp.ok() || mp.bytes != plus) {
        log.fail(inputs() + "PRF+ of " + std::to_string(size) +
                 " bytes\nkerb prf_plus: " + (r ? to_hex(plus) : describe(r.error())) +
                 "\nMIT krb5_c_prfplus: " + (mp.ok() ? to_hex(mp.bytes) : describe(mp)));
      }
    }
  }
  // One block past the 255-block limit: both refuse.
  {
    log.next_case();
    const Bytes key = rng.bytes(info.key_size);
    const crypto::Key k = key_of(e, key);
    const std::size_t size = 255 * info.prf_size + 1;
    Bytes plus(size);
    auto r = crypto::prf_plus(k, key, plus);
    const mit::Outcome mp = mit::prf_plus(num(e), key, key, size);
    if (r || mp.ok()) {
      log.fail("PRF+ of " + std::to_string(size) + " bytes (over 255 blocks): kerb " +
               (r ? "accepted" : "refused") + ", MIT " + describe(mp));
    }
  }
  CHECK(log.failures() == 0);
}

void run_random_to_key(crypto::EncType e) {
  const crypto::EncTypeInfo& info = info_of(e);
  REQUIRE(info.key_seed_size == mit::key_seed_length(num(e)));
  CaseLog log("random-to-key", e);
  Rng rng(log.seed());
  for (std::size_t i = 0; i < 200; ++i) {
    log.next_case();
    const Bytes seed = rng.bytes(info.key_seed_size);
    auto mine = crypto::Key::random_to_key(e, seed, weak_policy());
    const mit::Outcome theirs = mit::random_to_key(num(e), seed);
    if (!mine || !theirs.ok() || key_bytes(*mine) != theirs.bytes || mine->enctype() != e) {
      log.fail(
          "seed " + to_hex(seed) + "\nkerb Key::random_to_key: " +
          (mine ? to_hex(key_bytes(*mine)) : describe(mine.error())) +
          "\nMIT krb5_c_random_to_key: " + (theirs.ok() ? to_hex(theirs.bytes) : describe(theirs)));
    }
  }
  // A seed of the wrong length: both refuse.
  for (std::size_t len : {info.key_seed_size - 1, info.key_seed_size + 1, std::size_t{0}}) {
    log.next_case();
    const Bytes seed = rng.bytes(len);
    auto mine = crypto::Key::random_to_key(e, seed, weak_policy());
    const mit::Outcome theirs = mit::random_to_key(num(e), seed);
    if (mine || theirs.ok()) {
      log.fail("seed of " + std::to_string(len) + " bytes: kerb " +
               (mine ? "accepted" : "refused") + ", MIT " + describe(theirs));
    }
  }
  CHECK(log.failures() == 0);
}

void run_cf2(crypto::EncType e) {
  const crypto::EncTypeInfo& info = info_of(e);
  CaseLog log("krb-fx-cf2", e);
  Rng rng(log.seed());
  for (std::size_t i = 0; i < 150; ++i) {
    log.next_case();
    // k2 of any enctype: RFC 6113 lets the two keys differ; the result takes k1's.
    const crypto::EncType e2 = kAllEnctypes[rng.below(std::size(kAllEnctypes))];
    const Bytes key1 = rng.bytes(info.key_size);
    const Bytes key2 = rng.bytes(info_of(e2).key_size);
    const std::string pepper1 = i % 7 == 0 ? "PKINIT" : random_utf8(rng, 24, false);
    const std::string pepper2 = i % 7 == 0 ? "KeyExchange" : random_utf8(rng, 24, false);
    const auto inputs = [&] {
      std::ostringstream s;
      s << "k1 " << to_hex(key1) << "\nk2 (enctype " << num(e2) << ") " << to_hex(key2)
        << "\npepper1 " << quoted(pepper1) << "\npepper2 " << quoted(pepper2) << "\n";
      return s.str();
    };
    auto mine =
        crypto::krb_fx_cf2(key_of(e, key1), key_of(e2, key2), view_of(pepper1), view_of(pepper2));
    const mit::Outcome theirs = mit::fx_cf2(num(e), key1, pepper1, num(e2), key2, pepper2);
    if (!mine || !theirs.ok() || key_bytes(*mine) != theirs.bytes || mine->enctype() != e ||
        theirs.enctype != num(e)) {
      log.fail(
          inputs() +
          "kerb krb_fx_cf2: " + (mine ? to_hex(key_bytes(*mine)) : describe(mine.error())) +
          "\nMIT krb5_c_fx_cf2_simple: " + (theirs.ok() ? to_hex(theirs.bytes) : describe(theirs)));
    }
  }
  CHECK(log.failures() == 0);
}

// One refusal check: MIT refuses `params` for `e`, and kerb must too. With `floor_only` the
// refusal is the default-iteration floor's (so both sides accept once it is lifted); otherwise
// the params are refused with or without the floor.
void expect_both_refuse(crypto::EncType e, std::string_view password, const Bytes& params,
                        bool floor_only = false) {
  static const Bytes kSalt = {'E', 'X', 'A', 'M', 'P', 'L', 'E', '.', 'C', 'O', 'M', 'u'};
  const View pv(params);
  for (const bool lifted : {false, true}) {
    if (lifted && floor_only) continue;
    const mit::Outcome theirs = mit::string_to_key(num(e), password, kSalt, &pv, lifted);
    auto mine = crypto::Key::from_password(e, password, kSalt, params,
                                           lifted ? weak_s2k_policy() : weak_policy());
    INFO("enctype " << num(e) << " " << crypto::enctype_name(e) << ", password " << quoted(password)
                    << ", s2kparams " << to_hex(params)
                    << (lifted ? ", iteration floor lifted" : ", default iteration floor")
                    << "\nMIT: " << describe(theirs) << "\nkerb: "
                    << (mine ? "accepted, key " + to_hex(key_bytes(*mine))
                             : "refused: " + describe(mine.error())));
    REQUIRE_FALSE(theirs.ok());
    CHECK_FALSE(mine.ok());
  }
}

}  // namespace

// etype-info2 s2kparams come from an unauthenticated KDC reply. MIT refuses an iteration
// count below the enctype's default (4096 for RFC 3962, 32768 for RFC 8009 and RFC 6803) so a
// spoofed reply cannot make the client encrypt its PA-ENC-TIMESTAMP under a cheaply guessed key.
TEST_CASE("kerb refuses s2kparams below the enctype's default iteration count, as MIT does",
          "[mit]") {
  for (crypto::EncType e : kAllEnctypes) {
    const crypto::EncTypeInfo& info = info_of(e);
    if (info.default_iterations == 0) continue;  // rc4-hmac takes no s2kparams
    for (std::uint32_t count : {1u, 2u, info.default_iterations / 2, info.default_iterations - 1}) {
      expect_both_refuse(e, "password", be32(count), /*floor_only=*/true);
    }
  }
}

TEST_CASE("kerb refuses the s2kparams and passwords MIT refuses", "[mit]") {
  for (crypto::EncType e : kAllEnctypes) {
    const crypto::EncTypeInfo& info = info_of(e);
    if (info.default_iterations == 0) {
      // rc4-hmac: any s2kparams at all.
      expect_both_refuse(e, "password", be32(4096));
      continue;
    }
    expect_both_refuse(e, "password", be32(0));  // RFC 3962 §4: 0 means 2^32
    expect_both_refuse(e, "password", be32(0xFFFFFFFF));
    expect_both_refuse(e, "password", be32(0x01000001));
    expect_both_refuse(e, "password", Bytes{0x00, 0x10, 0x00});
    expect_both_refuse(e, "password", Bytes{0x00, 0x00, 0x10, 0x00, 0x00});
  }
#if KERB_WITH_RC4_HMAC
  // rc4-hmac hashes UTF-16LE(password): both refuse what is not UTF-8 (stray continuation,
  // truncated sequence, overlong forms, UTF-16 surrogates, beyond U+10FFFF, 0xFF).
  for (std::string_view bad :
       {"\x80", "ab\xc3", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xf0\x80\x80\x80",
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xff",
        "pass\xe2\x82word"}) {
    const mit::Outcome theirs =
        mit::string_to_key(num(crypto::EncType::kRc4Hmac), bad, {}, nullptr);
    auto mine = crypto::Key::from_password(crypto::EncType::kRc4Hmac, bad, {}, {}, weak_policy());
    INFO("rc4-hmac password " << quoted(bad) << "\nMIT: " << describe(theirs) << "\nkerb: "
                              << (mine ? "accepted, key " + to_hex(key_bytes(*mine))
                                       : "refused: " + describe(mine.error())));
    CHECK_FALSE(theirs.ok());
    CHECK_FALSE(mine.ok());
  }
#endif
}

// MIT's upper bound is exclusive: 2^24 iterations are already refused. (Should kerb ever accept
// 2^24 again, this case spends seconds computing the key before it fails.)
TEST_CASE("kerb refuses 2^24 PBKDF2 iterations, as MIT does", "[mit]") {
  expect_both_refuse(crypto::EncType::kAes128CtsHmacSha1_96, "password", be32(0x01000000));
}

TEST_CASE("kerb's enctype size tables match MIT's", "[mit]") {
  for (crypto::EncType e : kAllEnctypes) {
    const crypto::EncTypeInfo& info = info_of(e);
    INFO("enctype " << num(e) << " " << info.name);
    CHECK(info.key_size == mit::key_length(num(e)));
    CHECK(info.key_seed_size == mit::key_seed_length(num(e)));
    CHECK(info.prf_size == mit::prf_length(num(e)));
    CHECK(info.checksum_size == mit::checksum_length(num(info.checksum_type)));
    for (std::size_t n = 0; n <= 300; ++n) {
      const std::size_t c = crypto::ciphertext_size(e, n);
      REQUIRE(c == mit::encrypt_length(num(e), n));
      auto back = crypto::plaintext_size(e, c);
      REQUIRE(back);
      REQUIRE(*back == n);
    }
  }
}

#define KERB_KEY_CASES(name, member)                                             \
  TEST_CASE("kerb and MIT derive the same string-to-key keys: " name, "[mit]") { \
    run_string_to_key(crypto::EncType::member);                                  \
  }                                                                              \
  TEST_CASE("kerb and MIT compute the same PRF and PRF+: " name, "[mit]") {      \
    run_prf(crypto::EncType::member);                                            \
  }                                                                              \
  TEST_CASE("kerb and MIT agree on random-to-key: " name, "[mit]") {             \
    run_random_to_key(crypto::EncType::member);                                  \
  }                                                                              \
  TEST_CASE("kerb and MIT compute the same KRB-FX-CF2 keys: " name, "[mit]") {   \
    run_cf2(crypto::EncType::member);                                            \
  }
KERB_MIT_FOR_EACH_ENCTYPE(KERB_KEY_CASES)

}  // namespace kerb_test
