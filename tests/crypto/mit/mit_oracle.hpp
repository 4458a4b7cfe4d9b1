// A thin C++ face on MIT krb5's libk5crypto (krb5_c_* API), the oracle of the differential
// tests. Every call takes and returns plain bytes, so a test compares them with kerb's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hex_bytes.hpp"

namespace kerb_test::mit {

using ::kerb::test::Bytes;
using View = std::span<const std::uint8_t>;

// One MIT call's outcome: code 0 with its output bytes, or the krb5_error_code and MIT's text.
struct Outcome {
  std::int32_t code = 0;
  std::string message;
  Bytes bytes;
  std::int32_t enctype = 0;  // for calls that produce a key

  bool ok() const { return code == 0; }
};

// krb5_c_encrypt / krb5_c_decrypt with a krb5_keyblock (default cipher state).
Outcome encrypt(std::int32_t enctype, View key, std::uint32_t usage, View plaintext);
Outcome decrypt(std::int32_t enctype, View key, std::uint32_t usage, View ciphertext);

// krb5_c_make_checksum / krb5_c_verify_checksum. verify: ok() means MIT ran the check;
// bytes == {1} when the checksum is valid, {0} when not.
Outcome make_checksum(std::int32_t cksumtype, std::int32_t enctype, View key, std::uint32_t usage,
                      View data);
Outcome verify_checksum(std::int32_t cksumtype, std::int32_t enctype, View key, std::uint32_t usage,
                        View data, View checksum);
// krb5_c_checksum_length.
std::size_t checksum_length(std::int32_t cksumtype);

// krb5_c_string_to_key_with_params; `params` null means "no s2kparams" (the default count).
// MIT refuses iteration counts below the enctype's default unless its own test switch
// k5_allow_weak_pbkdf2iter is set (as MIT's t_str2key does); `allow_low_count` sets it for
// this call, so that the PBKDF2 arithmetic can be compared at cheap counts.
Outcome string_to_key(std::int32_t enctype, std::string_view password, View salt,
                      const View* params, bool allow_low_count = false);

// krb5_c_prf (output krb5_c_prf_length bytes) and krb5_c_prfplus (output `size` bytes).
Outcome prf(std::int32_t enctype, View key, View input);
Outcome prf_plus(std::int32_t enctype, View key, View input, std::size_t size);
std::size_t prf_length(std::int32_t enctype);

// krb5_c_random_to_key into a keyblock of the enctype's key length.
Outcome random_to_key(std::int32_t enctype, View seed);

// krb5_c_fx_cf2_simple: peppers are C strings (no NULs).
Outcome fx_cf2(std::int32_t enctype1, View key1, const std::string& pepper1, std::int32_t enctype2,
               View key2, const std::string& pepper2);

// krb5_c_encrypt_length, krb5_c_keylengths.
std::size_t encrypt_length(std::int32_t enctype, std::size_t plaintext_size);
std::size_t key_length(std::int32_t enctype);
std::size_t key_seed_length(std::int32_t enctype);

}  // namespace kerb_test::mit
