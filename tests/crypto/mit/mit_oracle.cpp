#include "mit_oracle.hpp"

#include <krb5.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

// MIT's test switch (exported by libk5crypto, used by its t_str2key): accept PBKDF2 iteration
// counts below the enctype's default.
extern "C" int k5_allow_weak_pbkdf2iter;

namespace kerb_test::mit {
namespace {

// One library context for the process. The system krb5.conf must not influence the oracle
// (e.g. a permitted_enctypes or allow_weak_crypto line): MIT reads KRB5_CONFIG at init.
class Context {
 public:
  Context() {
    ::setenv("KRB5_CONFIG", "/dev/null", 1);
    const krb5_error_code code = krb5_init_context(&ctx_);
    if (code != 0) {
      std::fprintf(stderr, "mit oracle: krb5_init_context failed (%d)\n", static_cast<int>(code));
      std::abort();
    }
  }
  ~Context() { krb5_free_context(ctx_); }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  krb5_context get() const { return ctx_; }

 private:
  krb5_context ctx_ = nullptr;
};

krb5_context ctx() {
  static Context context;
  return context.get();
}

// A krb5_data over bytes the caller owns (MIT never writes through an input krb5_data).
// MIT dislikes a null pointer even with length 0 in a few places, so point at a dummy byte.
krb5_data data_of(View v) {
  static char dummy = 0;
  krb5_data d{};
  d.magic = KV5M_DATA;
  d.length = static_cast<unsigned int>(v.size());
  d.data = v.empty() ? &dummy : const_cast<char*>(reinterpret_cast<const char*>(v.data()));
  return d;
}

krb5_keyblock keyblock_of(std::int32_t enctype, View key) {
  static krb5_octet dummy = 0;
  krb5_keyblock kb{};
  kb.magic = KV5M_KEYBLOCK;
  kb.enctype = enctype;
  kb.length = static_cast<unsigned int>(key.size());
  kb.contents = key.empty() ? &dummy : const_cast<krb5_octet*>(key.data());
  return kb;
}

Outcome failure(krb5_error_code code) {
  Outcome o;
  o.code = code;
  const char* text = krb5_get_error_message(ctx(), code);
  o.message = text != nullptr ? text : "?";
  krb5_free_error_message(ctx(), text);
  return o;
}

Bytes bytes_of(const void* p, std::size_t n) {
  const auto* b = static_cast<const std::uint8_t*>(p);
  return Bytes(b, b + n);
}

}  // namespace

std::size_t encrypt_length(std::int32_t enctype, std::size_t plaintext_size) {
  size_t len = 0;
  if (krb5_c_encrypt_length(ctx(), enctype, plaintext_size, &len) != 0) return 0;
  return len;
}

std::size_t key_length(std::int32_t enctype) {
  size_t bytes = 0, length = 0;
  if (krb5_c_keylengths(ctx(), enctype, &bytes, &length) != 0) return 0;
  return length;
}

std::size_t key_seed_length(std::int32_t enctype) {
  size_t bytes = 0, length = 0;
  if (krb5_c_keylengths(ctx(), enctype, &bytes, &length) != 0) return 0;
  return bytes;
}

std::size_t checksum_length(std::int32_t cksumtype) {
  size_t len = 0;
  if (krb5_c_checksum_length(ctx(), cksumtype, &len) != 0) return 0;
  return len;
}

std::size_t prf_length(std::int32_t enctype) {
  size_t len = 0;
  if (krb5_c_prf_length(ctx(), enctype, &len) != 0) return 0;
  return len;
}

Outcome encrypt(std::int32_t enctype, View key, std::uint32_t usage, View plaintext) {
  const krb5_keyblock kb = keyblock_of(enctype, key);
  const krb5_data in = data_of(plaintext);
  size_t len = 0;
  if (krb5_error_code code = krb5_c_encrypt_length(ctx(), enctype, plaintext.size(), &len)) {
    return failure(code);
  }
  Outcome o;
  o.bytes.resize(len);
  krb5_enc_data out{};
  out.magic = KV5M_ENC_DATA;
  out.enctype = enctype;
  out.ciphertext.magic = KV5M_DATA;
  out.ciphertext.length = static_cast<unsigned int>(len);
  out.ciphertext.data = reinterpret_cast<char*>(o.bytes.data());
  if (krb5_error_code code =
          krb5_c_encrypt(ctx(), &kb, static_cast<krb5_keyusage>(usage), nullptr, &in, &out)) {
    return failure(code);
  }
  o.bytes.resize(out.ciphertext.length);
  return o;
}

Outcome decrypt(std::int32_t enctype, View key, std::uint32_t usage, View ciphertext) {
  const krb5_keyblock kb = keyblock_of(enctype, key);
  krb5_enc_data in{};
  in.magic = KV5M_ENC_DATA;
  in.enctype = enctype;
  in.ciphertext = data_of(ciphertext);
  Outcome o;
  o.bytes.resize(ciphertext.size() + 1);
  krb5_data out{};
  out.magic = KV5M_DATA;
  out.length = static_cast<unsigned int>(ciphertext.size());
  out.data = reinterpret_cast<char*>(o.bytes.data());
  if (krb5_error_code code =
          krb5_c_decrypt(ctx(), &kb, static_cast<krb5_keyusage>(usage), nullptr, &in, &out)) {
    return failure(code);
  }
  o.bytes.resize(out.length);
  return o;
}

Outcome make_checksum(std::int32_t cksumtype, std::int32_t enctype, View key, std::uint32_t usage,
                      View data) {
  const krb5_keyblock kb = keyblock_of(enctype, key);
  const krb5_data in = data_of(data);
  krb5_checksum sum{};
  if (krb5_error_code code = krb5_c_make_checksum(ctx(), cksumtype, &kb,
                                                  static_cast<krb5_keyusage>(usage), &in, &sum)) {
    return failure(code);
  }
  Outcome o;
  o.bytes = bytes_of(sum.contents, sum.length);
  krb5_free_checksum_contents(ctx(), &sum);
  return o;
}

Outcome verify_checksum(std::int32_t cksumtype, std::int32_t enctype, View key, std::uint32_t usage,
                        View data, View checksum) {
  const krb5_keyblock kb = keyblock_of(enctype, key);
  const krb5_data in = data_of(data);
  static krb5_octet dummy = 0;
  krb5_checksum sum{};
  sum.magic = KV5M_CHECKSUM;
  sum.checksum_type = cksumtype;
  sum.length = static_cast<unsigned int>(checksum.size());
  sum.contents = checksum.empty() ? &dummy : const_cast<krb5_octet*>(checksum.data());
  krb5_boolean valid = 0;
  if (krb5_error_code code = krb5_c_verify_checksum(ctx(), &kb, static_cast<krb5_keyusage>(usage),
                                                    &in, &sum, &valid)) {
    return failure(code);
  }
  Outcome o;
  o.bytes = {static_cast<std::uint8_t>(valid ? 1 : 0)};
  return o;
}

Outcome string_to_key(std::int32_t enctype, std::string_view password, View salt,
                      const View* params, bool allow_low_count) {
  const krb5_data pw =
      data_of(View(reinterpret_cast<const std::uint8_t*>(password.data()), password.size()));
  const krb5_data s = data_of(salt);
  krb5_data p{};
  if (params != nullptr) p = data_of(*params);
  krb5_keyblock key{};
  k5_allow_weak_pbkdf2iter = allow_low_count ? 1 : 0;
  const krb5_error_code code = krb5_c_string_to_key_with_params(
      ctx(), enctype, &pw, &s, params != nullptr ? &p : nullptr, &key);
  k5_allow_weak_pbkdf2iter = 0;
  if (code != 0) return failure(code);
  Outcome o;
  o.bytes = bytes_of(key.contents, key.length);
  o.enctype = key.enctype;
  krb5_free_keyblock_contents(ctx(), &key);
  return o;
}

Outcome prf(std::int32_t enctype, View key, View input) {
  const krb5_keyblock kb = keyblock_of(enctype, key);
  krb5_data in = data_of(input);  // krb5_c_prf's input is not const-qualified
  size_t len = 0;
  if (krb5_error_code code = krb5_c_prf_length(ctx(), enctype, &len)) return failure(code);
  Outcome o;
  o.bytes.resize(len);
  krb5_data out{};
  out.magic = KV5M_DATA;
  out.length = static_cast<unsigned int>(len);
  out.data = reinterpret_cast<char*>(o.bytes.data());
  if (krb5_error_code code = krb5_c_prf(ctx(), &kb, &in, &out)) return failure(code);
  return o;
}

Outcome prf_plus(std::int32_t enctype, View key, View input, std::size_t size) {
  const krb5_keyblock kb = keyblock_of(enctype, key);
  const krb5_data in = data_of(input);
  Outcome o;
  o.bytes.resize(size + 1);
  krb5_data out{};
  out.magic = KV5M_DATA;
  out.length = static_cast<unsigned int>(size);
  out.data = reinterpret_cast<char*>(o.bytes.data());
  if (krb5_error_code code = krb5_c_prfplus(ctx(), &kb, &in, &out)) return failure(code);
  o.bytes.resize(size);
  return o;
}

Outcome random_to_key(std::int32_t enctype, View seed) {
  size_t seed_len = 0, key_len = 0;
  if (krb5_error_code code = krb5_c_keylengths(ctx(), enctype, &seed_len, &key_len)) {
    return failure(code);
  }
  krb5_keyblock* key = nullptr;
  if (krb5_error_code code = krb5_init_keyblock(ctx(), enctype, key_len, &key)) {
    return failure(code);
  }
  krb5_data in = data_of(seed);
  const krb5_error_code code = krb5_c_random_to_key(ctx(), enctype, &in, key);
  Outcome o;
  if (code != 0) {
    o = failure(code);
  } else {
    o.bytes = bytes_of(key->contents, key->length);
    o.enctype = key->enctype;
  }
  krb5_free_keyblock(ctx(), key);
  return o;
}

Outcome fx_cf2(std::int32_t enctype1, View key1, const std::string& pepper1, std::int32_t enctype2,
               View key2, const std::string& pepper2) {
  const krb5_keyblock k1 = keyblock_of(enctype1, key1);
  const krb5_keyblock k2 = keyblock_of(enctype2, key2);
  krb5_keyblock* out = nullptr;
  if (krb5_error_code code =
          krb5_c_fx_cf2_simple(ctx(), &k1, pepper1.c_str(), &k2, pepper2.c_str(), &out)) {
    return failure(code);
  }
  Outcome o;
  o.bytes = bytes_of(out->contents, out->length);
  o.enctype = out->enctype;
  krb5_free_keyblock(ctx(), out);
  return o;
}

}  // namespace kerb_test::mit
