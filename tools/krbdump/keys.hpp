// Key sources for krbdump: long-term keys (keytab, password, raw --key), session keys
// (ccache), and every key learned from a part decrypted along the way (session keys,
// authenticator subkeys, the acceptor subkey), so that later parts of the same exchange open.
//
// Keys and passwords are secrets: they live in kerb's wiping types and are never printed; a
// key's description names where it came from, never its bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/credentials.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/keytab.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

namespace krbdump {

// Where a candidate key came from; decides which parts it is tried on.
enum class KeyOrigin : std::uint8_t {
  kKeytab,    // a principal's long-term key (principal and kvno known)
  kPassword,  // derived from --password for a principal (salt recorded)
  kRaw,       // --key ENCTYPE:HEX (no principal, no kvno: tried on every part of its enctype)
  kCcache,    // a session key from a credentials cache
  kLearned,   // found in a decrypted part (session key, subkey)
};

// What a learned key is, for the GSS key choice (RFC 4121 §2) and the explanation text.
enum class LearnedRole : std::uint8_t {
  kSessionKey,       // EncKDCRepPart.key / EncTicketPart.key / a ccache session key
  kInitiatorSubkey,  // Authenticator.subkey
  kAcceptorSubkey,   // EncAPRepPart.subkey
  kTgsReqSubkey,     // Authenticator.subkey of a TGS-REQ (opens the TGS-REP, usage 9)
  kFastArmorKey,     // RFC 6113 §5.4.1.1 armor key (KrbFastArmoredReq/Rep, usages 51/52)
  kFastReplyKey,     // RFC 6113 §5.4.3 strengthened reply key (a FAST KDC-REP enc-part)
  kOther,
};

// One candidate key. `key` may hold an enctype kerb has no profile for (it is then reported,
// never used).
struct KeyEntry {
  kerb::KeyBlock key;
  KeyOrigin origin = KeyOrigin::kRaw;
  LearnedRole role = LearnedRole::kOther;
  std::optional<kerb::Principal> principal;  // long-term: the key's owner; session: the
                                             // ticket's server (when known)
  std::optional<kerb::Principal> client;     // session keys: the ticket's client (when known)
  std::optional<std::uint32_t> kvno;         // long-term keys
  std::string salt;                          // password-derived keys: the salt used
  std::string source;  // e.g. "keytab /etc/krb5.keytab: HTTP/web@R kvno 2 aes256-cts-hmac-sha1-96"
};

// Salt and s2kparams a KDC announced for a principal (ETYPE-INFO2, RFC 4120 §5.2.7.5).
struct EtypeInfo2Seen {
  std::string realm;
  std::vector<std::string> name;  // the client's components; empty: any name of the realm
  kerb::crypto::EncType enctype = kerb::crypto::EncType::kNone;
  std::optional<std::string> salt;
  std::vector<std::uint8_t> s2kparams;
};

class KeyRing {
 public:
  KeyRing() = default;
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;
  KeyRing(KeyRing&&) = default;
  KeyRing& operator=(KeyRing&&) = default;

  // Every entry of a keytab ("FILE:" prefix optional) becomes a long-term key candidate.
  kerb::Result<void> add_keytab(std::string_view path);
  kerb::Result<void> add_keytab_bytes(std::span<const std::uint8_t> bytes, std::string_view label);

  // A password for `principal` ("name/inst@REALM"; without a realm, the realm of the part
  // being opened). Keys are derived on demand for the enctype a part needs, with `salt` when
  // given, else the salts of ETYPE-INFO2 seen for that principal, else the default salt
  // (RFC 4120 §4: realm followed by the name components).
  void add_password(std::string principal, std::string password, std::optional<std::string> salt);

  // "ENCTYPE:HEX": ENCTYPE by name ("aes256-cts-hmac-sha1-96", "rc4-hmac", "arcfour-hmac") or
  // number ("18"); for rc4-hmac the HEX is the NT hash. kInvalidArgument naming the fault.
  kerb::Result<void> add_raw_key(std::string_view spec);

  // The session keys of a credentials cache (path, "FILE:" prefix optional, or its bytes).
  kerb::Result<void> add_ccache(std::string_view path);
  kerb::Result<void> add_ccache_bytes(std::span<const std::uint8_t> bytes, std::string_view label);

  // A key found in a decrypted part. `source` says where ("session key from the AS-REP
  // enc-part of user@R for krbtgt/R@R"). `server` and `client` name the ticket the key
  // belongs to, when known. A key already held (same enctype and bytes) is not added twice.
  void learn(const kerb::EncryptionKey& key, std::string source,
             LearnedRole role = LearnedRole::kSessionKey,
             std::optional<kerb::Principal> server = {},
             std::optional<kerb::Principal> client = {});
  void learn(const kerb::KeyBlock& key, std::string source,
             LearnedRole role = LearnedRole::kSessionKey,
             std::optional<kerb::Principal> server = {},
             std::optional<kerb::Principal> client = {});

  // RFC 6113 FAST. MIT's clients armor their TGS-REQs with the TGT (§5.4.1.1): the armor key
  // is KRB-FX-CF2(authenticator subkey, TGT session key, "subkeyarmor", "ticketarmor"). The
  // KDC then encrypts the TGS-REP in KRB-FX-CF2(strengthen-key, reply key, "strengthenkey",
  // "replykey") (§5.4.3) when the KrbFastResponse carries a strengthen-key. Both are learned
  // (kInvalidArgument/kCrypto/kPolicy when the keys cannot be combined).
  kerb::Result<void> learn_fast_armor_key(const kerb::KeyBlock& subkey,
                                          const kerb::KeyBlock& ticket_session_key,
                                          std::string source);
  kerb::Result<void> learn_fast_reply_key(const kerb::KeyBlock& strengthen_key,
                                          const kerb::KeyBlock& reply_key, std::string source);

  // An ETYPE-INFO2 entry seen in the input (AS-REP padata, KRB-ERROR e-data) for the client
  // `principal` (the AS-REQ's cname@realm, text form). An empty `salt` means the entry carried
  // none (the default salt applies). Used to salt --password keys.
  void note_etype_info2(std::string principal, kerb::crypto::EncType enctype, std::string salt,
                        std::span<const std::uint8_t> s2kparams);
  void note_etype_info2(const kerb::Principal& principal, kerb::crypto::EncType enctype,
                        std::optional<std::string> salt,
                        std::span<const std::uint8_t> s2kparams = {});

  // Password-derived keys for `principal` (the part's realm fills in a password principal
  // without one) and `enctype`: one per salt, derived now unless already held. Errors (an
  // enctype kerb cannot derive for) are returned as the entries' failure texts through
  // `failures` ("password for user@R: rc4-hmac ... not built into this kerb").
  std::vector<const KeyEntry*> password_keys(const kerb::Principal& principal,
                                             kerb::crypto::EncType enctype,
                                             std::vector<std::string>* failures = nullptr);

  // The salts a --password key for `principal` would be tried with, in order.
  std::vector<std::string> salts_for(const kerb::Principal& principal,
                                     kerb::crypto::EncType enctype) const;

  // Every key held (password keys only once derived), in the order added.
  std::span<const KeyEntry> keys() const noexcept { return keys_; }
  bool has_passwords() const noexcept { return !passwords_.empty(); }
  bool empty() const noexcept { return keys_.empty() && passwords_.empty(); }

  // rc4-hmac is weak but common in captures: the ring decodes with it allowed.
  const kerb::crypto::Policy& policy() const noexcept { return policy_; }

 private:
  void add_keytab_entries(kerb::Keytab keytab, std::string_view label);
  struct Password {
    std::string principal;  // as given
    kerb::crypto::SecretBuffer password;
    std::optional<std::string> salt;
  };
  bool holds(const kerb::KeyBlock& key) const noexcept;

  std::vector<KeyEntry> keys_;
  std::vector<Password> passwords_;
  std::vector<EtypeInfo2Seen> etype_info2_;
  kerb::crypto::Policy policy_ = kerb::crypto::Policy::defaults().allow_rc4_hmac();
};

// "aes256-cts-hmac-sha1-96" / "arcfour-hmac" / "18" -> enctype number (kInvalidArgument).
kerb::Result<kerb::crypto::EncType> parse_enctype(std::string_view text);

// The default salt of RFC 4120 §4: the realm followed by every name component, unseparated.
std::string default_salt(const kerb::Principal& principal);

}  // namespace krbdump
