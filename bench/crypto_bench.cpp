// kerb_bench_crypto: kerb::crypto next to MIT krb5's libk5crypto on the same work, in one run.
//
//   string-to-key  at each enctype's default iteration count (no s2kparams), per call
//   enc+dec        encrypt then decrypt one message of 64 B, 1 KiB and 16 KiB:
//                    "derived" -- kerb: a UsageKey derived once; MIT: a krb5_key from
//                                 krb5_k_create_key with krb5_k_encrypt/krb5_k_decrypt (which
//                                 caches the derived keys): the steady-state path of both
//                    "one-shot" -- kerb: crypto::encrypt/decrypt(Key, usage); MIT:
//                                 krb5_c_encrypt/decrypt(keyblock): both derive on every call
//   checksum       make + verify a keyed checksum of 1 KiB (kerb ChecksumKey; MIT krb5_key)
//
// Each cell runs a warm-up that also sizes the batches, then alternates kerb and MIT batches
// until each side has had about --cell-seconds, and reports each side's fastest batch's time
// per operation (noise on a shared machine only ever adds time; the median is printed with
// --median); the harness is bench_timing.hpp, shared with kerb_bench_gss. Confounders come
// from each library's default source: kerb's os_random() and MIT's PRNG, each one getrandom(2)
// call per message on Debian. See bench/README.md.
//
// The PBKDF2 table checks string-to-key against its floor: PBKDF2 with precomputed HMAC pads
// costs two compression-function calls per iteration and output block, so
//   model = blocks x iterations x 2 x (one libtomcrypt *_process call on one block).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <krb5.h>
#include <tomcrypt.h>

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>

#include "bench_timing.hpp"

namespace crypto = kerb::crypto;

namespace {

using namespace kerb::bench;
using Bytes = std::vector<std::uint8_t>;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "kerb_bench_crypto: %s\n", what.c_str());
  std::exit(1);
}

// ---- MIT --------------------------------------------------------------------------------

krb5_context mit_ctx() {
  static krb5_context ctx = [] {
    ::setenv("KRB5_CONFIG", "/dev/null", 1);  // the system krb5.conf plays no part
    krb5_context c = nullptr;
    if (krb5_init_context(&c) != 0) die("krb5_init_context failed");
    return c;
  }();
  return ctx;
}

void mit_check(krb5_error_code code, const char* what) {
  if (code == 0) return;
  const char* msg = krb5_get_error_message(mit_ctx(), code);
  std::string text = std::string(what) + ": " + msg;
  krb5_free_error_message(mit_ctx(), msg);
  die(text);
}

krb5_data data_of(std::span<const std::uint8_t> v) {
  krb5_data d{};
  d.magic = KV5M_DATA;
  d.length = static_cast<unsigned int>(v.size());
  d.data = const_cast<char*>(reinterpret_cast<const char*>(v.data()));
  return d;
}

krb5_data data_of(const Bytes& v) {
  return data_of(std::span<const std::uint8_t>(v));
}

// ---- the table ------------------------------------------------------------------------------

std::vector<Row> g_rows;

// ---- compression-function baseline -----------------------------------------------------------

// One libtomcrypt *_process call on exactly one block: with its buffer empty, *_process runs
// the compression function straight on the input.
class CompressionCall {
 public:
  enum class Hash { kSha1, kSha256, kSha384 };
  explicit CompressionCall(Hash h) : hash_(h) {
    std::memset(block_, 0x5c, sizeof block_);
    switch (h) {
      case Hash::kSha1:
        sha1_init(&st_);
        break;
      case Hash::kSha256:
        sha256_init(&st_);
        break;
      case Hash::kSha384:
        sha384_init(&st_);
        break;
    }
  }
  void operator()() {
    switch (hash_) {
      case Hash::kSha1:
        sha1_process(&st_, block_, 64);
        break;
      case Hash::kSha256:
        sha256_process(&st_, block_, 64);
        break;
      case Hash::kSha384:
        sha384_process(&st_, block_, 128);
        break;  // SHA-512's compression
    }
  }

 private:
  Hash hash_;
  hash_state st_;
  unsigned char block_[128];
};

struct Pbkdf2Row {
  std::string enctype;
  const char* hash;
  std::uint32_t iterations;
  std::size_t blocks;
  double compression_ns;
  double kerb_ns;
  double mit_ns;
};
std::vector<Pbkdf2Row> g_pbkdf2;

// ---- per-enctype work -----------------------------------------------------------------------

constexpr std::uint32_t kUsage = 3;  // AS-REP enc-part; any fixed usage will do
constexpr std::string_view kPassword = "correct horse battery staple";
constexpr std::string_view kSalt = "EXAMPLE.COMalice";

void bench_enctype(crypto::EncType e) {
  const crypto::EncTypeInfo* info = crypto::find_enctype(e);
  if (info == nullptr) die("no kerb profile for enctype " + std::to_string(static_cast<int>(e)));
  const std::string name(info->name);
  const krb5_enctype me = static_cast<krb5_enctype>(e);
  const std::span<const std::uint8_t> salt(reinterpret_cast<const std::uint8_t*>(kSalt.data()),
                                           kSalt.size());

  // string-to-key at the default count: kerb with empty s2kparams, MIT with none.
  {
    // PBKDF2's PRF: HMAC-SHA1 for RFC 3962 and RFC 6803 (Camellia too), HMAC-SHA-256/384 for
    // RFC 8009.
    const bool sha384 = e == crypto::EncType::kAes256CtsHmacSha384_192;
    const bool sha1 = !sha384 && e != crypto::EncType::kAes128CtsHmacSha256_128;
    const std::size_t hlen = sha1 ? 20 : sha384 ? 48 : 32;
    CompressionCall compression(sha1     ? CompressionCall::Hash::kSha1
                                : sha384 ? CompressionCall::Hash::kSha384
                                         : CompressionCall::Hash::kSha256);

    Row r{name, "string-to-key", 0, {}, {}};
    Bytes key_bytes;
    const krb5_data pw = data_of(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(kPassword.data()), kPassword.size()));
    const krb5_data s = data_of(salt);
    // The compression call is timed in the same alternation, so the cost model and the
    // measurement see the same machine.
    const auto samples = measure_group(
        [&] {
          auto k = crypto::Key::from_password(e, kPassword, salt);
          if (!k) die("kerb string-to-key: " + std::string(k.error().detail()));
          key_bytes.assign(k->expose_secret().begin(), k->expose_secret().end());
        },
        [&] {
          krb5_keyblock kb{};
          mit_check(krb5_c_string_to_key(mit_ctx(), me, &pw, &s, &kb), "krb5_c_string_to_key");
          if (kb.length != key_bytes.size() ||
              std::memcmp(kb.contents, key_bytes.data(), kb.length) != 0) {
            die("MIT and kerb string-to-key differ for " + name);
          }
          krb5_free_keyblock_contents(mit_ctx(), &kb);
        },
        compression);
    r.kerb = samples[0];
    r.mit = samples[1];
    g_rows.push_back(r);
    print_row(r);
    g_pbkdf2.push_back({name,
                        sha1     ? "SHA-1"
                        : sha384 ? "SHA-384"
                                 : "SHA-256",
                        info->default_iterations, (info->key_size + hlen - 1) / hlen,
                        samples[2].ns_per_op, r.kerb.ns_per_op, r.mit.ns_per_op});
  }

  // Encrypt + decrypt round trips. Both sides use the same key bytes and usage.
  Bytes raw(info->key_size);
  for (std::size_t i = 0; i < raw.size(); ++i)
    raw[i] = static_cast<std::uint8_t>(i * 29 + 7);
  auto key = crypto::Key::from_bytes(e, raw);
  if (!key) die("Key::from_bytes: " + std::string(key.error().detail()));
  auto uk = crypto::UsageKey::derive(*key, kUsage);
  if (!uk) die("UsageKey::derive: " + std::string(uk.error().detail()));
  krb5_keyblock kb{};
  kb.magic = KV5M_KEYBLOCK;
  kb.enctype = me;
  kb.length = static_cast<unsigned int>(raw.size());
  kb.contents = raw.data();
  krb5_key mkey = nullptr;
  mit_check(krb5_k_create_key(mit_ctx(), &kb, &mkey), "krb5_k_create_key");
  crypto::Random& rng = crypto::os_random();

  for (std::size_t size : {std::size_t{64}, std::size_t{1024}, std::size_t{16384}}) {
    Bytes pt(size);
    for (std::size_t i = 0; i < size; ++i)
      pt[i] = static_cast<std::uint8_t>(i);
    const std::size_t ct_size = crypto::ciphertext_size(e, size);
    Bytes ct(ct_size), out(size);
    size_t mit_len = 0;
    mit_check(krb5_c_encrypt_length(mit_ctx(), me, size, &mit_len), "krb5_c_encrypt_length");
    if (mit_len != ct_size) die("ciphertext sizes differ");
    Bytes mct(mit_len), mout(size);
    const krb5_data in = data_of(pt);

    auto kerb_derived = [&] {
      if (!uk->encrypt(pt, ct, rng)) die("kerb encrypt");
      if (!uk->decrypt(ct, out)) die("kerb decrypt");
    };
    auto kerb_one_shot = [&] {
      if (!crypto::encrypt(*key, kUsage, pt, ct, rng)) die("kerb encrypt");
      if (!crypto::decrypt(*key, kUsage, ct, out)) die("kerb decrypt");
    };
    krb5_enc_data enc{};
    enc.magic = KV5M_ENC_DATA;
    enc.enctype = me;
    enc.ciphertext = data_of(mct);
    krb5_data dec = data_of(mout);
    auto mit_derived = [&] {
      enc.ciphertext.length = static_cast<unsigned int>(mct.size());
      mit_check(krb5_k_encrypt(mit_ctx(), mkey, kUsage, nullptr, &in, &enc), "krb5_k_encrypt");
      dec.length = static_cast<unsigned int>(mout.size());
      mit_check(krb5_k_decrypt(mit_ctx(), mkey, kUsage, nullptr, &enc, &dec), "krb5_k_decrypt");
    };
    auto mit_one_shot = [&] {
      enc.ciphertext.length = static_cast<unsigned int>(mct.size());
      mit_check(krb5_c_encrypt(mit_ctx(), &kb, kUsage, nullptr, &in, &enc), "krb5_c_encrypt");
      dec.length = static_cast<unsigned int>(mout.size());
      mit_check(krb5_c_decrypt(mit_ctx(), &kb, kUsage, nullptr, &enc, &dec), "krb5_c_decrypt");
    };

    // Sanity: each side decrypts the other's ciphertext before anything is timed.
    kerb_derived();
    mit_derived();
    Bytes check(size);
    if (!uk->decrypt(mct, check) || check != pt) die("kerb cannot decrypt MIT's " + name);
    krb5_enc_data kerb_ct{};
    kerb_ct.magic = KV5M_ENC_DATA;
    kerb_ct.enctype = me;
    kerb_ct.ciphertext = data_of(ct);
    dec.length = static_cast<unsigned int>(mout.size());
    mit_check(krb5_k_decrypt(mit_ctx(), mkey, kUsage, nullptr, &kerb_ct, &dec),
              "MIT decrypt of kerb");
    if (mout != pt) die("MIT cannot decrypt kerb's " + name);

    Row derived{name, "enc+dec (derived key)", size, {}, {}};
    std::tie(derived.kerb, derived.mit) = measure_pair(kerb_derived, mit_derived);
    g_rows.push_back(derived);
    print_row(derived);
    Row one_shot{name, "enc+dec (one-shot)", size, {}, {}};
    std::tie(one_shot.kerb, one_shot.mit) = measure_pair(kerb_one_shot, mit_one_shot);
    g_rows.push_back(one_shot);
    print_row(one_shot);
  }

  // Keyed checksum make + verify over 1 KiB (KRB-SAFE, GSS MIC, PA-FX-FAST armor...).
  {
    const std::size_t size = 1024;
    Bytes data(size, 0x42);
    auto ck = crypto::ChecksumKey::derive(*key, kUsage);
    if (!ck) die("ChecksumKey::derive");
    Bytes sum(ck->size());
    const krb5_cksumtype ctype = static_cast<krb5_cksumtype>(info->checksum_type);
    const krb5_data in = data_of(data);
    Row r{name, "checksum make+verify", size, {}, {}};
    std::tie(r.kerb, r.mit) = measure_pair(
        [&] {
          if (!ck->make(data, sum)) die("kerb checksum");
          if (!ck->verify(data, sum)) die("kerb verify");
        },
        [&] {
          krb5_checksum c{};
          mit_check(krb5_k_make_checksum(mit_ctx(), ctype, mkey, kUsage, &in, &c),
                    "krb5_k_make_checksum");
          krb5_boolean valid = 0;
          mit_check(krb5_k_verify_checksum(mit_ctx(), mkey, kUsage, &in, &c, &valid),
                    "krb5_k_verify_checksum");
          if (!valid) die("MIT checksum invalid");
          krb5_free_checksum_contents(mit_ctx(), &c);
        });
    g_rows.push_back(r);
    print_row(r);
  }
  krb5_k_free_key(mit_ctx(), mkey);
}

void usage() {
  std::puts(
      "usage: kerb_bench_crypto [--cell-seconds=S] [--quick] [--median] [--enctype=N]...\n"
      "  --cell-seconds=S  time spent measuring each cell, per library (default 0.3)\n"
      "  --quick           0.05 s per cell: a smoke run, numbers are noisy\n"
      "  --median          report the median batch instead of the fastest\n"
      "  --enctype=N       only this enctype (17 18 19 20 25 26); may repeat");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<crypto::EncType> enctypes;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    bool bad = false;
    if (parse_timing_option(arg, &bad)) {
      if (bad) die("bad --cell-seconds");
    } else if (arg.rfind("--enctype=", 0) == 0) {
      const auto e = static_cast<crypto::EncType>(std::atoi(argv[i] + 10));
      const crypto::EncTypeInfo* info = crypto::find_enctype(e);
      if (info == nullptr || info->weak) die("unsupported enctype " + std::string(arg.substr(10)));
      enctypes.push_back(e);
    } else if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    } else {
      usage();
      return 2;
    }
  }
  if (enctypes.empty()) {
    enctypes = {
      crypto::EncType::kAes128CtsHmacSha1_96,
      crypto::EncType::kAes256CtsHmacSha1_96,
      crypto::EncType::kAes128CtsHmacSha256_128,
      crypto::EncType::kAes256CtsHmacSha384_192,
#if KERB_WITH_CAMELLIA
      crypto::EncType::kCamellia128CtsCmac,
      crypto::EncType::kCamellia256CtsCmac,
#endif
    };
  }

  const auto start = Clock::now();
  std::printf("kerb_bench_crypto: kerb::crypto vs MIT krb5 %s libk5crypto, %s build\n",
              KERB_BENCH_MIT_VERSION, KERB_BENCH_BUILD_TYPE);
  std::printf("CPU: %s; %.2f s per cell per library; %s batch time per operation\n",
              cpu_model().c_str(), g_cell_seconds, g_use_median ? "median" : "fastest");
  print_build_warnings();
  std::printf("MIT/kerb > 1 means kerb is faster. enc+dec = encrypt then decrypt one message.\n\n");

  print_header();
  for (crypto::EncType e : enctypes)
    bench_enctype(e);

  std::printf(
      "\nPBKDF2 cost model: blocks x iterations x 2 compression calls; one call = libtomcrypt "
      "*_process on one block, timed alongside string-to-key\n\n");
  std::printf("| %-26s | %-7s | %10s | %6s | %9s | %10s | %10s | %10s | %11s |\n", "enctype",
              "hash", "iterations", "blocks", "1 call", "model", "kerb", "MIT", "kerb/model");
  std::printf("|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n", std::string(28, '-').c_str(),
              std::string(9, '-').c_str(), std::string(12, '-').c_str(),
              std::string(8, '-').c_str(), std::string(11, '-').c_str(),
              std::string(12, '-').c_str(), std::string(12, '-').c_str(),
              std::string(12, '-').c_str(), std::string(13, '-').c_str());
  for (const Pbkdf2Row& p : g_pbkdf2) {
    const double model = static_cast<double>(p.blocks) * p.iterations * 2 * p.compression_ns;
    std::printf("| %-26s | %-7s | %10u | %6zu | %9s | %10s | %10s | %10s | %10.3f%s |\n",
                p.enctype.c_str(), p.hash, p.iterations, p.blocks,
                format_time(p.compression_ns).c_str(), format_time(model).c_str(),
                format_time(p.kerb_ns).c_str(), format_time(p.mit_ns).c_str(), p.kerb_ns / model,
                p.kerb_ns / model <= 1.10 ? " " : "!");
  }
  std::printf("\n('!' marks string-to-key more than 10%% above two compressions per iteration)\n");
  std::printf("total %.1f s\n", seconds_since(start));
  return 0;
}
