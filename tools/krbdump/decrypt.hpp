// Opening an EncryptedData with the keys of a KeyRing, and saying why not when none fits:
// which key the part needs and every candidate tried, with the reason each was passed over.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <kerb/crypto/secret.hpp>
#include <kerb/messages/types.hpp>

#include "keys.hpp"

namespace krbdump {

// Which kind of key a part is encrypted in (RFC 4120 §7.5.1 key usages decide it).
enum class KeyKind : std::uint8_t {
  kLongTerm,  // a principal's key: ticket enc-part (2), AS-REP enc-part (3), PA-ENC-TIMESTAMP (1)
  kSession,   // a session key or subkey: authenticators, AP-REP, TGS-REP, KRB-PRIV/CRED, GSS
  kAny,
};

// What the part itself says about the key that opens it.
struct Hint {
  std::string principal;              // name/instance@REALM, "" when unknown
  std::optional<std::uint32_t> kvno;  // usually EncryptedData.kvno (open() reads that too)
  KeyKind kind = KeyKind::kAny;       // kAny: decided from the key usage
  std::string what;                   // "ticket enc-part", for the explanation ("" = by usage)
};

struct DecryptAttempt {
  std::string key_source;  // KeyEntry::source
  std::string why_not;     // "wrong kvno (key 3, part 2)", "wrong enctype (...)",
                           // "integrity check failed: wrong password or wrong salt"
};

struct DecryptOutcome {
  bool ok = false;
  kerb::crypto::SecretBuffer plain;  // the plaintext (wiped when the outcome goes)
  std::string key_source;            // when ok: which key opened it
  const KeyEntry* key = nullptr;     // when ok: that key (valid until the ring changes)
  std::string need;                  // the key the part needs: "long-term key of HTTP/web@R kvno 2,
                                     // aes256-cts-hmac-sha1-96 (18), key usage 2 (ticket enc-part)"
  std::vector<DecryptAttempt> tried;
  std::string note;  // e.g. "weak enctype rc4-hmac (23) allowed for decoding"

  // One paragraph for the "not decrypted" note: the need, then each candidate and why not,
  // then the salts tried for password keys.
  std::string explain() const;
};

// Tries every candidate of the right kind and enctype under `usage`. Never throws, never
// prints a key.
DecryptOutcome open(KeyRing& keys, const kerb::EncryptedData& data, std::uint32_t usage,
                    const Hint& hint);

// Names of key usages for the explanations ("ticket enc-part (2)"); "key usage N" otherwise.
std::string key_usage_text(std::uint32_t usage);
// "aes256-cts-hmac-sha1-96 (18)".
std::string enctype_text(kerb::crypto::EncType enctype);

// RFC 6113 §5.4.3 PA-FX-FAST-REPLY (padata 136 in a KDC-REP or KRB-ERROR): the enc-fast-rep
// EncryptedData of its KrbFastArmoredRep (opened with the armor key, usage 52).
kerb::Result<kerb::EncryptedData> fast_armored_rep(std::span<const std::uint8_t> padata_value);
// The strengthen-key [1] of a decrypted KrbFastResponse, if present.
kerb::Result<std::optional<kerb::EncryptionKey>> fast_strengthen_key(
    std::span<const std::uint8_t> krb_fast_response);

// RFC 4121 §4.2.6.2 Wrap tokens (TOK_ID 05 04) and §4.2.6.1 MIC tokens (04 04): the key is the
// acceptor subkey when the AcceptorSubkey flag is set, else the initiator subkey, else the
// session key; the usage follows SentByAcceptor and the token type (§2: Wrap uses the SEAL
// usages 22/24 with or without confidentiality, MIC the SIGN usages 23/25). Tried with the
// ring's session keys and subkeys.
struct GssTokenOutcome {
  bool ok = false;
  bool sealed = false;
  bool sent_by_acceptor = false;
  bool acceptor_subkey = false;
  std::uint64_t seq = 0;
  kerb::crypto::SecretBuffer message;  // Wrap: the plaintext (sealed) or the payload (not)
  std::string key_source;
  std::string error;  // malformed token, or why no key verified/opened it
  std::vector<DecryptAttempt> tried;
};
// `token` is the whole per-message token (16-byte header and body). For a MIC token,
// `message` is the data the MIC covers (may be empty when unknown: verification is then
// reported as not possible).
GssTokenOutcome open_gss_token(KeyRing& keys, std::span<const std::uint8_t> token,
                               std::span<const std::uint8_t> message = {});

}  // namespace krbdump
