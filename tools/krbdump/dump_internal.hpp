// Shared by the dump_*.cpp decoders: the walk's state and the node builders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kerb/credentials.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/principal.hpp>

#include "decrypt.hpp"
#include "dump.hpp"
#include "keys.hpp"
#include "names.hpp"
#include "tree.hpp"

namespace krbdump::detail {

using Bytes = std::span<const std::uint8_t>;

// Nested structures (a KRB-CRED in an authenticator checksum in an AP-REQ in a PA-TGS-REQ...)
// are bounded, so crafted input cannot recurse without end.
inline constexpr int kMaxNesting = 24;

struct Walk {
  Walk(KeyRing& k, const DumpOptions& o, Bytes in, std::string l)
      : keys(k), options(o), input(in), label(std::move(l)) {}

  KeyRing& keys;
  const DumpOptions& options;
  Bytes input;        // the whole input, to turn views into absolute offsets
  std::string label;  // the input's name, for error lines
  int status = 0;     // 1 when something was not decrypted, 2 when malformed
  std::string error;  // the first malformed-input line
  int depth = 0;
  std::size_t position = 0;  // input offset of the structure being decoded, for limit errors
  std::optional<kerb::Principal> client;     // the request's client, for ETYPE-INFO2 salts
  std::vector<std::uint8_t> last_unwrapped;  // the last Wrap token's message, for a MIC over it
  bool fast_seen = false;                    // a PA-FX-FAST was seen (RFC 6113 armoring)
  // The last AP-REQ's ticket session key and authenticator subkey: a PA-TGS-REQ or FAST armor
  // AP-REQ's make the FAST armor key (RFC 6113 §5.4.1.1).
  std::optional<kerb::KeyBlock> ap_ticket_key, ap_subkey;
  std::optional<kerb::KeyBlock> armor_subkey;  // the subkey that went into it (TGS reply key)

  // Absolute offset of `part` in the input, when it is a view into it.
  std::optional<std::size_t> offset_of(Bytes part) const noexcept;
  // Records malformed content: a note on `node` and the status/line for the whole input.
  void malformed(Node& node, std::string_view what, Bytes part, std::string_view detail);
  void not_decrypted() {
    if (status < 1) status = 1;
  }
};

// Node builders (RFC field names are given by the caller).
Node& add_int(Node& parent, std::string name, std::int64_t value);
Node& add_enum(Node& parent, std::string name, std::string_view label, std::int64_t value);
Node& add_bytes(Node& parent, std::string name, Bytes value);
Node& add_string(Node& parent, std::string name, std::string_view value);
Node& add_time(Node& parent, std::string name, std::int64_t seconds);
Node& add_flags(Node& parent, std::string name, FlagSet set, std::uint32_t bits);
Node& add_principal(Node& parent, std::string name, const kerb::PrincipalName& pn,
                    std::string_view realm);
Node& add_owned_principal(Node& parent, std::string name, const kerb::Principal& p);
std::string principal_text(const kerb::PrincipalName& pn, std::string_view realm);
std::optional<kerb::Principal> to_principal(const kerb::PrincipalName& pn, std::string_view realm);
Node& add_address(Node& parent, std::string name, std::int32_t type, Bytes address);
// "etype": aes256-cts-hmac-sha1-96 (18), or unknown (99).
Node& add_enctype(Node& parent, std::string name, kerb::crypto::EncType enctype);
Node& add_encryption_key(Node& parent, std::string name, const kerb::EncryptionKey& key);
Node& add_checksum(Node& parent, std::string name, const kerb::Checksum& cksum, Walk& walk);

// A Kerberos message or structure by its [APPLICATION n] tag; false (and nothing added) when
// the first octet is not one krbdump knows.
bool dump_kerberos(Walk& walk, Bytes der, Node& parent);
// Kerberos DER whose type is known by context.
void dump_ticket(Walk& walk, Bytes der, Node& parent, std::string name = "ticket");
void dump_ap_req(Walk& walk, Bytes der, Node& parent, std::string name, std::uint32_t usage);
void dump_krb_cred(Walk& walk, Bytes der, Node& parent, std::string name);
void dump_authorization_data(Walk& walk, Bytes der, Node& parent, std::string name,
                             const KeyEntry* service_key, std::string_view realm);

// GSS: InitialContextToken (krb5 or SPNEGO), RFC 4121 per-message tokens, raw SPNEGO
// NegTokenResp. False when the bytes are none of these.
bool dump_gss(Walk& walk, Bytes token, Node& parent);
bool looks_like_gss(Bytes bytes);

// ccache, keytab: false when the header is not theirs.
void dump_ccache(Walk& walk, Bytes bytes, Node& parent);
void dump_keytab(Walk& walk, Bytes bytes, Node& parent);

// The generic DER tree (--der): tag, length, offset of every element.
void dump_der_tree(Walk& walk, Bytes bytes, Node& parent);

}  // namespace krbdump::detail
