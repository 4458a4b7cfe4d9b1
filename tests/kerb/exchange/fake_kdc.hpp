// A synthetic KDC and service for the sans-I/O exchange tests: it decodes what an exchange
// sends with kerb's own decoders and answers with messages built by kerb's encoders and
// crypto -- real AS-REPs and TGS-REPs (EncKDCRepPart under the reply key, Ticket under the
// service key), KRB-ERRORs whose e-data is METHOD-DATA -- so every check of the exchanges can
// be driven byte for byte with a FixedClock and a deterministic Random (DESIGN.md
// convention 11).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/clock.hpp>
#include <kerb/constants.hpp>
#include <kerb/credentials.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/padata.hpp>
#include <kerb/messages/ticket.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

#include "hex_bytes.hpp"

namespace kerb::test {

using crypto::EncType;

// Key usage numbers typed in from RFC 4120 §7.5.1's table (and RFC 6806 §11 for 56), not taken
// from kerb's constants: the synthetic KDC seals and opens with these, so a wrong number in
// kerb does not agree with itself.
namespace usage {
inline constexpr std::uint32_t kAsReqPaEncTimestamp = 1;          // PA-ENC-TIMESTAMP, client key
inline constexpr std::uint32_t kTicket = 2;                       // Ticket, service key
inline constexpr std::uint32_t kAsRepEncPart = 3;                 // AS-REP enc-part, reply key
inline constexpr std::uint32_t kTgsReqPaTgsReqCksum = 6;          // authenticator cksum
inline constexpr std::uint32_t kTgsReqPaTgsReqAuthenticator = 7;  // PA-TGS-REQ authenticator
inline constexpr std::uint32_t kTgsRepEncPartSessionKey = 8;      // TGS-REP under session key
inline constexpr std::uint32_t kTgsRepEncPartSubkey = 9;          // TGS-REP under the subkey
inline constexpr std::uint32_t kApReqAuthenticator = 11;          // AP-REQ authenticator
inline constexpr std::uint32_t kApRepEncPart = 12;                // AP-REP enc-part
inline constexpr std::uint32_t kAsReq = 56;  // RFC 6806 §11 KEY_USAGE_AS_REQ (PA-REQ-ENC-PA-REP)
}  // namespace usage

// 2023-11-14T22:13:20Z: the local clock of every test unless it says otherwise.
inline constexpr std::int64_t kNow = 1700000000;
inline constexpr std::int32_t kNowUsec = 123456;

// --- plumbing ---------------------------------------------------------------------------

inline std::string describe(const Error& e) {
  return std::string(to_string(e.category())) + " (code " + std::to_string(e.code()) +
         "): " + std::string(e.detail());
}

template <class T>
T must(Result<T> r, const char* what = "operation") {
  if (!r) FAIL(what << " failed: " << describe(r.error()));
  return std::move(r).value();
}

inline void must(Result<void> r, const char* what = "operation") {
  if (!r) FAIL(what << " failed: " << describe(r.error()));
}

template <class T>
Bytes der_of(const T& value) {
  der::Writer w;
  encode(w, value);
  REQUIRE(w.ok());
  return w.take();
}

inline ByteView bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline Bytes copy_of(ByteView b) {
  return {b.begin(), b.end()};
}

inline Principal principal(std::string_view text) {
  return must(Principal::parse(text), "Principal::parse");
}

// Deterministic randomness (SplitMix64): confounders, nonces, subkeys and sequence numbers are
// reproducible, and two draws never repeat within a test.
class TestRandom final : public crypto::Random {
 public:
  explicit TestRandom(std::uint64_t seed = 1) noexcept : state_(seed) {}
  Result<void> fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) {
      if (available_ == 0) {
        word_ = next();
        available_ = 8;
      }
      b = static_cast<std::uint8_t>(word_ & 0xFF);
      word_ >>= 8;
      --available_;
    }
    ++fills_;
    return ok();
  }
  int fills() const noexcept { return fills_; }

 private:
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
  std::uint64_t word_ = 0;
  int available_ = 0;
  int fills_ = 0;
};

// The KDC side accepts every implemented enctype (rc4 included) so that tests can offer
// the client what its own policy must refuse.
inline crypto::Policy kdc_policy() {
  crypto::Policy p = crypto::Policy::defaults();
  p.allow_rc4_hmac();
  return p;
}

// The client policy of the recorded MIT exchanges (tests/data/mit_exchange): the AES enctypes
// every build flavour has, so the device flavour rebuilds the same requests.
inline crypto::Policy recording_policy() {
  constexpr EncType kAes[] = {EncType::kAes256CtsHmacSha1_96, EncType::kAes128CtsHmacSha1_96,
                              EncType::kAes256CtsHmacSha384_192, EncType::kAes128CtsHmacSha256_128};
  return must(crypto::Policy::from_list(kAes), "Policy::from_list");
}

// Specs and observations hold enctypes as the numbers on the wire, as tests name them.
inline EncType enctype_of(std::int32_t number) {
  return static_cast<EncType>(number);
}
inline std::int32_t number_of(EncType e) {
  return static_cast<std::int32_t>(e);
}

inline Bytes key_bytes(EncType e, std::uint8_t first) {
  const crypto::EncTypeInfo* info = crypto::find_enctype(e);
  const std::size_t n = info != nullptr ? info->key_size : 8;  // 8: a DES-sized key
  Bytes k(n);
  for (std::size_t i = 0; i < n; ++i)
    k[i] = static_cast<std::uint8_t>(first + 7 * i);
  return k;
}

inline crypto::Key fixed_key(EncType e, std::uint8_t first) {
  return must(crypto::Key::from_bytes(e, key_bytes(e, first), kdc_policy()), "Key::from_bytes");
}

inline crypto::Key password_key(EncType e, std::string_view password, std::string_view salt,
                                ByteView s2kparams = {}) {
  return must(crypto::Key::from_password(e, password, bytes_of(salt), s2kparams, kdc_policy()),
              "Key::from_password");
}

inline Bytes seal(const crypto::Key& key, std::uint32_t usage, ByteView plain,
                  crypto::Random& random) {
  crypto::UsageKey k = must(crypto::UsageKey::derive(key, usage), "UsageKey::derive");
  Bytes cipher(k.ciphertext_size(plain.size()));
  static_cast<void>(must(k.encrypt(plain, cipher, random), "encrypt"));
  return cipher;
}

// The plaintext, or nullopt when the ciphertext does not verify under (key, usage).
inline std::optional<Bytes> unseal(const crypto::Key& key, std::uint32_t usage,
                                   const EncryptedData& data) {
  if (data.etype != key.enctype()) return std::nullopt;
  crypto::UsageKey k = must(crypto::UsageKey::derive(key, usage), "UsageKey::derive");
  auto size = k.plaintext_size(data.cipher.size());
  if (!size) return std::nullopt;
  Bytes plain(*size);
  auto n = k.decrypt(data.cipher, plain);
  if (!n) return std::nullopt;
  plain.resize(*n);
  return plain;
}

// --- message builders -------------------------------------------------------------------

struct EtypeInfo2Spec {
  std::int32_t etype = 18;
  std::optional<std::string> salt;
  std::optional<Bytes> s2kparams;
};

inline Bytes etype_info2_bytes(const std::vector<EtypeInfo2Spec>& specs) {
  std::vector<EtypeInfo2Entry> entries;
  for (const EtypeInfo2Spec& s : specs) {
    EtypeInfo2Entry e;
    e.etype = enctype_of(s.etype);
    if (s.salt) e.salt = std::string_view(*s.salt);
    if (s.s2kparams) e.s2kparams = ByteView(*s.s2kparams);
    entries.push_back(e);
  }
  return der_of(EtypeInfo2(std::span<const EtypeInfo2Entry>(entries)));
}

// METHOD-DATA as a KDC puts it in a PREAUTH_REQUIRED/PREAUTH_FAILED e-data: PA-ETYPE-INFO2
// (when `info` is not empty) and an empty PA-ENC-TIMESTAMP saying the method is accepted.
inline Bytes method_data(const std::vector<EtypeInfo2Spec>& info, bool enc_timestamp = true) {
  const Bytes info2 = info.empty() ? Bytes() : etype_info2_bytes(info);
  std::vector<PaData> pa;
  if (!info.empty()) pa.push_back(PaData{padata_type::kPaEtypeInfo2, info2});
  if (enc_timestamp) pa.push_back(PaData{padata_type::kPaEncTimestamp, {}});
  return der_of(MethodData(std::span<const PaData>(pa)));
}

inline Bytes krb_error(std::int32_t code, Timestamp stime, std::string_view realm,
                       const Principal& server, std::optional<Bytes> e_data = {}) {
  KrbError e;
  e.stime = KerberosTime{stime.seconds};
  e.susec = Microseconds{stime.usec};
  e.error_code = code;
  e.realm = realm;
  e.sname = server.name();
  if (e_data) e.e_data = ByteView(*e_data);
  return der_of(e);
}

// What goes into a Ticket's EncTicketPart.
struct TicketSpec {
  Principal server;  // the Ticket's realm and sname
  Principal client;  // crealm, cname
  const crypto::Key* service_key = nullptr;
  std::optional<std::uint32_t> kvno = 1;
  std::int32_t session_keytype = 18;
  Bytes session_key;
  std::uint32_t flags = 0;
  std::int64_t authtime = kNow;
  std::optional<std::int64_t> starttime;
  std::int64_t endtime = kNow + 36000;
  std::optional<std::int64_t> renew_till;
  std::int32_t tr_type = transited_type::kDomainX500Compress;
  std::string transited;  // the TransitedEncoding's contents
};

inline Bytes make_ticket(const TicketSpec& s, crypto::Random& random) {
  const PrincipalName cname = s.client.name();
  EncTicketPart p;
  p.flags = KerberosFlags{s.flags};
  p.key = EncryptionKey{enctype_of(s.session_keytype), s.session_key};
  p.crealm = s.client.realm();
  p.cname = cname;
  p.transited = TransitedEncoding{
      s.tr_type,
      ByteView(reinterpret_cast<const std::uint8_t*>(s.transited.data()), s.transited.size())};
  p.authtime = KerberosTime{s.authtime};
  if (s.starttime) p.starttime = KerberosTime{*s.starttime};
  p.endtime = KerberosTime{s.endtime};
  if (s.renew_till) p.renew_till = KerberosTime{*s.renew_till};
  const Bytes plain = der_of(p);
  REQUIRE(s.service_key != nullptr);
  const Bytes cipher = seal(*s.service_key, usage::kTicket, plain, random);
  Ticket t;
  t.realm = s.server.realm();
  t.sname = s.server.name();
  t.enc_part = EncryptedData{s.service_key->enctype(), s.kvno, cipher};
  return der_of(t);
}

// Everything a KDC-REP says; a test's tweak edits it before it is encoded.
struct RepSpec {
  MessageType msg_type = MessageType::kAsRep;
  Principal client;         // crealm, cname of the reply (and of the ticket)
  Principal ticket_server;  // the Ticket's realm and sname
  Principal enc_server;     // EncKDCRepPart srealm, sname (a genuine KDC: the ticket's)
  const crypto::Key* service_key = nullptr;  // the Ticket's key
  std::optional<std::uint32_t> service_kvno = 1;
  crypto::Key reply_key;  // encrypts the EncKDCRepPart
  std::uint32_t reply_usage = usage::kAsRepEncPart;
  std::int32_t session_keytype = 18;
  Bytes session_key;
  std::uint32_t nonce = 0;
  std::uint32_t flags = 0;
  std::int64_t authtime = kNow;
  std::optional<std::int64_t> starttime;
  std::int64_t endtime = kNow + 36000;
  std::optional<std::int64_t> renew_till;
  std::vector<EtypeInfo2Spec> padata_etype_info2;  // PA-ETYPE-INFO2 in the reply's padata
  std::optional<std::size_t> flip_cipher_byte;     // tamper with the enc-part ciphertext
  // EncKDCRepPart encrypted-pa-data (RFC 6806 §11): (padata-type, padata-value) pairs.
  std::vector<std::pair<std::int32_t, Bytes>> encrypted_pa_data;
  std::uint32_t enc_part_extra_flags = 0;  // flags in the EncKDCRepPart only (enc-pa-rep)
  std::vector<HostAddress> caddr;          // EncKDCRepPart caddr, when not empty
};

inline Bytes make_kdc_rep(const RepSpec& s, crypto::Random& random) {
  TicketSpec ts;
  ts.server = s.ticket_server;
  ts.client = s.client;
  ts.service_key = s.service_key;
  ts.kvno = s.service_kvno;
  ts.session_keytype = s.session_keytype;
  ts.session_key = s.session_key;
  ts.flags = s.flags;
  ts.authtime = s.authtime;
  ts.starttime = s.starttime;
  ts.endtime = s.endtime;
  ts.renew_till = s.renew_till;
  const Bytes ticket_bytes = make_ticket(ts, random);

  const PrincipalName sname = s.enc_server.name();
  const LastReqEntry last_req[1] = {LastReqEntry{last_req_type::kNone, KerberosTime{s.authtime}}};
  EncKdcRepPart part;
  part.tag = s.msg_type == MessageType::kAsRep ? EncKdcRepPartTag::kEncAsRepPart
                                               : EncKdcRepPartTag::kEncTgsRepPart;
  part.key = EncryptionKey{enctype_of(s.session_keytype), s.session_key};
  part.last_req = LastReq(std::span<const LastReqEntry>(last_req));
  part.nonce = s.nonce;
  part.flags = KerberosFlags{s.flags | s.enc_part_extra_flags};
  part.authtime = KerberosTime{s.authtime};
  if (s.starttime) part.starttime = KerberosTime{*s.starttime};
  part.endtime = KerberosTime{s.endtime};
  if (s.renew_till) part.renew_till = KerberosTime{*s.renew_till};
  part.srealm = s.enc_server.realm();
  part.sname = sname;
  if (!s.caddr.empty()) part.caddr = HostAddresses(std::span<const HostAddress>(s.caddr));
  std::vector<PaData> enc_padata;
  for (const auto& [type, value] : s.encrypted_pa_data)
    enc_padata.push_back(PaData{type, value});
  if (!s.encrypted_pa_data.empty()) {
    part.encrypted_pa_data = MethodData(std::span<const PaData>(enc_padata));
  }
  const Bytes plain = der_of(part);
  Bytes cipher = seal(s.reply_key, s.reply_usage, plain, random);
  if (s.flip_cipher_byte) cipher.at(*s.flip_cipher_byte) ^= 0x01;

  const Bytes info2 =
      s.padata_etype_info2.empty() ? Bytes() : etype_info2_bytes(s.padata_etype_info2);
  const PaData padata[1] = {PaData{padata_type::kPaEtypeInfo2, info2}};
  const PrincipalName cname = s.client.name();
  KdcRep rep;
  rep.msg_type = s.msg_type;
  if (!s.padata_etype_info2.empty()) rep.padata = MethodData(std::span<const PaData>(padata));
  rep.crealm = s.client.realm();
  rep.cname = cname;
  rep.ticket = must(decode_der<Ticket>(ticket_bytes, "Ticket"), "decode Ticket");
  rep.enc_part = EncryptedData{s.reply_key.enctype(), std::nullopt, cipher};
  return der_of(rep);
}

// Credentials as an AS or TGS exchange would have stored them, for a ticket built here.
inline Credentials make_credentials(const TicketSpec& s, crypto::Random& random) {
  Credentials c;
  c.client = s.client;
  c.server = s.server;
  c.session_key =
      must(KeyBlock::from_bytes(enctype_of(s.session_keytype), s.session_key), "KeyBlock");
  c.authtime = s.authtime;
  c.starttime = s.starttime.value_or(0);
  c.endtime = s.endtime;
  c.renew_till = s.renew_till.value_or(0);
  c.ticket_flags = s.flags;
  c.ticket = make_ticket(s, random);
  return c;
}

// --- what the KDC saw -------------------------------------------------------------------

// An AS-REQ, owned.
struct AsReqSeen {
  bool has_padata = false;
  std::vector<std::int32_t> padata_types;
  std::uint32_t kdc_options = 0;
  Principal client;  // cname@realm
  Principal server;  // sname@realm
  std::int64_t till = 0;
  std::optional<std::int64_t> rtime;
  std::uint32_t nonce = 0;
  std::vector<std::int32_t> etypes;
  std::optional<std::int32_t> timestamp_etype;  // PA-ENC-TIMESTAMP's EncryptedData etype
};

inline AsReqSeen see_as_req(ByteView request) {
  KdcReq req = must(decode_as_req(request), "decode_as_req");
  AsReqSeen s;
  if (req.padata) {
    s.has_padata = true;
    for (const PaData& pa : *req.padata) {
      s.padata_types.push_back(pa.padata_type);
      if (pa.padata_type == padata_type::kPaEncTimestamp) {
        s.timestamp_etype = number_of(
            must(decode_der<EncryptedData>(pa.padata_value, "EncryptedData"), "EncryptedData")
                .etype);
      }
    }
  }
  const KdcReqBody& b = req.req_body;
  s.kdc_options = b.kdc_options.bits;
  REQUIRE(b.cname);
  REQUIRE(b.sname);
  s.client = Principal(b.realm, *b.cname);
  s.server = Principal(b.realm, *b.sname);
  s.till = b.till.seconds;
  if (b.rtime) s.rtime = b.rtime->seconds;
  s.nonce = b.nonce;
  for (EncType e : b.etype)
    s.etypes.push_back(number_of(e));
  return s;
}

// The request's PA-ENC-TIMESTAMP opened under `key` (RFC 4120 §5.2.7.2, key usage 1), or
// nullopt when it is absent or does not decrypt.
inline std::optional<Timestamp> enc_timestamp(ByteView request, const crypto::Key& key) {
  KdcReq req = must(decode_as_req(request), "decode_as_req");
  if (!req.padata) return std::nullopt;
  auto pa = find_padata(*req.padata, padata_type::kPaEncTimestamp);
  if (!pa) return std::nullopt;
  EncryptedData data = must(decode_der<EncryptedData>(pa->padata_value, "EncryptedData"));
  auto plain = unseal(key, usage::kAsReqPaEncTimestamp, data);
  if (!plain) return std::nullopt;
  PaEncTsEnc ts = must(decode_pa_enc_ts_enc(*plain), "decode_pa_enc_ts_enc");
  return Timestamp{ts.patimestamp.seconds, ts.pausec ? ts.pausec->value : -1};
}

// A TGS-REQ opened as a KDC does: the PA-TGS-REQ's AP-REQ, its ticket under `ticket_key`
// (usage 2), the authenticator under the ticket's session key (usage 7), and its checksum
// over the exact req-body bytes that travelled (usage 6).
struct TgsReqSeen {
  std::uint32_t kdc_options = 0;
  std::string realm;  // req-body realm
  Principal server;   // sname@realm
  std::int64_t till = 0;
  std::optional<std::int64_t> rtime;
  std::uint32_t nonce = 0;
  std::vector<std::int32_t> etypes;
  Bytes body_raw;  // req-body as sent
  std::uint32_t ap_options = 0;
  Bytes ticket;  // the AP-REQ's Ticket as sent
  Principal ticket_client;
  crypto::Key session_key;  // from the presented ticket
  std::int64_t ticket_endtime = 0;
  bool authenticator_ok = false;  // decrypted under the session key, usage 7
  Principal authenticator_client;
  Timestamp ctime;
  std::optional<crypto::Key> subkey;
  bool has_checksum = false;
  std::int32_t cksumtype = 0;
  Bytes checksum;
  bool checksum_ok = false;  // verified over body_raw with the session key, usage 6
};

inline TgsReqSeen see_tgs_req(ByteView request, const crypto::Key& ticket_key) {
  KdcReq req = must(decode_tgs_req(request), "decode_tgs_req");
  TgsReqSeen s;
  const KdcReqBody& b = req.req_body;
  s.kdc_options = b.kdc_options.bits;
  s.realm = std::string(b.realm);
  REQUIRE(b.sname);
  s.server = Principal(b.realm, *b.sname);
  s.till = b.till.seconds;
  if (b.rtime) s.rtime = b.rtime->seconds;
  s.nonce = b.nonce;
  for (EncType e : b.etype)
    s.etypes.push_back(number_of(e));
  s.body_raw = copy_of(b.raw);
  REQUIRE_FALSE(s.body_raw.empty());

  REQUIRE(req.padata);
  auto pa = find_padata(*req.padata, padata_type::kPaTgsReq);
  REQUIRE(pa);
  ApReq ap = must(decode_ap_req(pa->padata_value), "decode_ap_req");
  s.ap_options = ap.ap_options.bits;
  s.ticket = copy_of(ap.ticket.raw);
  auto ticket_plain = unseal(ticket_key, usage::kTicket, ap.ticket.enc_part);
  REQUIRE(ticket_plain);
  EncTicketPart tp = must(decode_der<EncTicketPart>(*ticket_plain, "EncTicketPart"));
  s.ticket_client = Principal(tp.crealm, tp.cname);
  s.ticket_endtime = tp.endtime.seconds;
  s.session_key =
      must(crypto::Key::from_bytes(tp.key.keytype, tp.key.keyvalue, kdc_policy()), "session key");
  auto auth_plain = unseal(s.session_key, usage::kTgsReqPaTgsReqAuthenticator, ap.authenticator);
  if (!auth_plain) return s;
  s.authenticator_ok = true;
  Authenticator a = must(decode_authenticator(*auth_plain), "decode_authenticator");
  s.authenticator_client = Principal(a.crealm, a.cname);
  s.ctime = Timestamp{a.ctime.seconds, a.cusec.value};
  if (a.subkey) {
    s.subkey = must(crypto::Key::from_bytes(a.subkey->keytype, a.subkey->keyvalue, kdc_policy()),
                    "subkey");
  }
  if (a.cksum) {
    s.has_checksum = true;
    s.cksumtype = a.cksum->cksumtype;
    s.checksum = copy_of(a.cksum->checksum);
    s.checksum_ok = static_cast<bool>(crypto::verify_keyed(
        s.session_key, usage::kTgsReqPaTgsReqCksum,
        static_cast<crypto::CksumType>(a.cksum->cksumtype), s.body_raw, s.checksum));
  }
  return s;
}

// --- the KDC ----------------------------------------------------------------------------

// One realm's KDC holding one user's password and the keys of its TGS and one service.
class FakeKdc {
  std::string realm_;
  TestRandom random_;
  int sessions_ = 0;

 public:
  explicit FakeKdc(std::string realm = "EXAMPLE.COM", std::uint64_t seed = 1000)
      : realm_(std::move(realm)),
        random_(seed),
        tgs_key(fixed_key(EncType::kAes256CtsHmacSha1_96, 0x40)),
        service_key(fixed_key(EncType::kAes256CtsHmacSha1_96, 0x60)) {
    client = principal("alice@" + realm_);
    now = Timestamp{kNow, 0};
  }

  std::string_view realm() const noexcept { return realm_; }
  Principal tgs() const { return principal("krbtgt/" + realm_ + "@" + realm_); }
  std::string default_salt() const { return realm_ + "alice"; }
  crypto::Random& random() noexcept { return random_; }

  // The client's long-term key for one ETYPE-INFO2 entry (RFC 4120 §3.1.3 / §4: absent salt
  // means realm + name components).
  crypto::Key client_key(const EtypeInfo2Spec& e) const {
    const std::string salt = e.salt ? *e.salt : default_salt();
    return password_key(enctype_of(e.etype), password, salt,
                        e.s2kparams ? ByteView(*e.s2kparams) : ByteView());
  }

  Bytes error(std::int32_t code, std::optional<Bytes> e_data = {}) const {
    return krb_error(code, now, realm_, tgs(), std::move(e_data));
  }
  Bytes preauth_required(const std::vector<EtypeInfo2Spec>& info) const {
    return error(error_code::kKdcErrPreauthRequired, method_data(info));
  }
  Bytes preauth_failed(const std::vector<EtypeInfo2Spec>& info) const {
    return error(error_code::kKdcErrPreauthFailed, method_data(info));
  }

  // A genuine AS-REP for `request` under `reply_key`, after `tweak` had its say.
  Bytes as_rep(ByteView request, const crypto::Key& reply_key,
               const std::function<void(RepSpec&)>& tweak = {}) {
    const AsReqSeen req = see_as_req(request);
    RepSpec s;
    s.msg_type = MessageType::kAsRep;
    s.client = req.client;
    s.ticket_server = req.server;
    s.enc_server = req.server;
    s.service_key = is_tgs(req.server) ? &tgs_key : &service_key;
    s.reply_key = reply_key;
    s.reply_usage = usage::kAsRepEncPart;
    s.session_keytype = 18;
    s.session_key = key_bytes(EncType::kAes256CtsHmacSha1_96, next_session_byte());
    s.nonce = req.nonce;
    s.flags = ticket_flags::kInitial | ticket_flags::kPreAuthent;
    s.authtime = now.seconds;
    s.endtime = req.till;
    if (req.rtime) {
      s.renew_till = *req.rtime;
      s.flags |= ticket_flags::kRenewable;
    }
    // RFC 6806 §11, as MIT's kdc_handle_protected_negotiation answers a request carrying
    // PA-REQ-ENC-PA-REP: a checksum over the AS-REQ bytes received (reply key, usage 56, the
    // key's mandatory type), an empty PA-FX-FAST, and the enc-pa-rep flag.
    if (std::find(req.padata_types.begin(), req.padata_types.end(), padata_type::kPaReqEncPaRep) !=
        req.padata_types.end()) {
      s.encrypted_pa_data.emplace_back(padata_type::kPaReqEncPaRep,
                                       enc_pa_rep_checksum(request, reply_key));
      s.encrypted_pa_data.emplace_back(padata_type::kPaFxFast, Bytes());
      s.enc_part_extra_flags |= ticket_flags::kEncPaRep;
    }
    if (tweak) tweak(s);
    last_session_key = s.session_key;
    return make_kdc_rep(s, random_);
  }

  // A genuine TGS-REP for a request seen with see_tgs_req: under the subkey (usage 9) when
  // the authenticator has one and `use_subkey`, else under the session key (usage 8).
  Bytes tgs_rep(const TgsReqSeen& req, bool use_subkey = true,
                const std::function<void(RepSpec&)>& tweak = {}) {
    RepSpec s;
    s.msg_type = MessageType::kTgsRep;
    s.client = req.ticket_client;
    s.ticket_server = req.server;
    s.enc_server = req.server;
    s.service_key = is_tgs(req.server) ? &tgs_key : &service_key;
    if (use_subkey && req.subkey) {
      s.reply_key = *req.subkey;
      s.reply_usage = usage::kTgsRepEncPartSubkey;
    } else {
      s.reply_key = req.session_key;
      s.reply_usage = usage::kTgsRepEncPartSessionKey;
    }
    s.session_keytype = 18;
    s.session_key = key_bytes(EncType::kAes256CtsHmacSha1_96, next_session_byte());
    s.nonce = req.nonce;
    s.flags = ticket_flags::kPreAuthent;
    s.authtime = now.seconds - 60;
    s.starttime = now.seconds;
    s.endtime = req.till < req.ticket_endtime ? req.till : req.ticket_endtime;
    if (req.rtime) s.renew_till = *req.rtime;
    if (tweak) tweak(s);
    last_session_key = s.session_key;
    return make_kdc_rep(s, random_);
  }

  // The DER Checksum a KDC puts in PA-REQ-ENC-PA-REP for `request` (RFC 6806 §11).
  static Bytes enc_pa_rep_checksum(ByteView request, const crypto::Key& reply_key) {
    const crypto::EncTypeInfo* info = reply_key.info();
    REQUIRE(info != nullptr);
    Bytes sum(info->checksum_size);
    must(crypto::make_checksum(reply_key, usage::kAsReq, request, sum), "make_checksum");
    return der_of(Checksum{static_cast<std::int32_t>(info->checksum_type), sum});
  }

  static bool is_tgs(const Principal& p) {
    return p.components().size() == 2 && p.components()[0] == "krbtgt";
  }

  // Configuration, public for the tests to adjust.
  Principal client;
  std::string password = "correct horse battery staple";
  Timestamp now;  // the KDC's clock
  crypto::Key tgs_key;
  crypto::Key service_key;
  Bytes last_session_key;

 private:
  std::uint8_t next_session_byte() noexcept { return static_cast<std::uint8_t>(++sessions_ * 16); }
};

}  // namespace kerb::test
