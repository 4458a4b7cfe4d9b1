// CBC with ciphertext stealing (RFC 3962 §5) over a BlockCipher.
#pragma once

#include <cstdint>

#include "bytes.hpp"
#include "ltc_state.hpp"

namespace kerb::crypto::detail {

// CBC with ciphertext stealing, RFC 3962 §5 (CBC-CS3: the last two blocks are always
// swapped). in.size() >= 16 and out.size() == in.size(); `in` may equal `out` exactly.
// `iv` is 16 bytes (the Kerberos default cipher state is all zeros).
void cts_encrypt(const BlockCipher& cipher, const std::uint8_t* iv, Bytes in,
                 MutBytes out) noexcept;
void cts_decrypt(const BlockCipher& cipher, const std::uint8_t* iv, Bytes in,
                 MutBytes out) noexcept;

// Decrypts a CTS ciphertext of conf(16) | plaintext, putting the confounder in `conf` and the
// rest in `plaintext` (which is exactly in.size() - 16 bytes).
void cts_decrypt_split(const BlockCipher& cipher, Bytes in, std::uint8_t* conf,
                       MutBytes plaintext) noexcept;
// The inverse: CTS-encrypts conf(16) | plaintext with the default (zero) state into `out`
// (exactly 16 + plaintext.size() bytes), reading the plaintext where it is rather than copying
// it next to the confounder first. `conf` may be out.data(); plaintext must not overlap out.
void cts_encrypt_split(const BlockCipher& cipher, const std::uint8_t* conf, Bytes plaintext,
                       MutBytes out) noexcept;

}  // namespace kerb::crypto::detail
