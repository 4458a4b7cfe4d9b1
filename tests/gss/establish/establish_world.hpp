// A synthetic realm for the krb5 GSS establishment tests: a service ticket and a forwardable
// TGT built with kerb's own encoders (tests/kerb/exchange/fake_kdc.hpp), an in-memory keytab
// holding the service key, fixed clocks and deterministic randomness -- and decoders that look
// inside the tokens independently of the code under test.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/constants.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/keytab.hpp>
#include <kerb/messages/ap.hpp>

#include "../../kerb/exchange/fake_kdc.hpp"
#include "../../kerb/exchange/service_ticket.hpp"

namespace kerb::gss::test {

using crypto::EncType;
using kerb::test::add_service_key;
using kerb::test::Bytes;
using kerb::test::bytes_of;
using kerb::test::ByteView;
using kerb::test::describe;
using kerb::test::fixed_key;
using kerb::test::key_bytes;
using kerb::test::kNow;
using kerb::test::kNowUsec;
using kerb::test::make_credentials;
using kerb::test::must;
using kerb::test::principal;
using kerb::test::service_ticket_spec;
using kerb::test::TestRandom;
using kerb::test::TicketSpec;
using kerb::test::unseal;

struct World {
  FixedClock clock{Timestamp{kNow, kNowUsec}};          // the initiator's
  FixedClock service_clock{Timestamp{kNow, kNowUsec}};  // the acceptor's
  TestRandom random{11};
  TestRandom service_random{12};
  TestRandom kdc_random{13};
  const Principal client = principal("alice@EXAMPLE.COM");
  const Principal service = principal("host/bank.example.com@EXAMPLE.COM");
  const Principal krbtgt = principal("krbtgt/EXAMPLE.COM@EXAMPLE.COM");
  const crypto::Key service_key = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x60);
  const crypto::Key tgs_key = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x70);
  static constexpr std::uint32_t kKvno = 4;
  Keytab keytab;
  // Every World makes the same tokens (fixed clock and randomness): each keeps its own
  // replay cache, so that one test's tokens are no replay in the next.
  MemoryReplayCache replay_cache;

  World() { add_service_key(keytab, service, kKvno, service_key); }

  TicketSpec ticket_spec(EncType session = EncType::kAes256CtsHmacSha1_96) const {
    TicketSpec t = service_ticket_spec(client, service, service_key, kKvno, session, 0x22);
    t.flags = ticket_flags::kPreAuthent;
    return t;
  }
  Credentials ticket(EncType session = EncType::kAes256CtsHmacSha1_96) {
    return make_credentials(ticket_spec(session), kdc_random);
  }
  crypto::Key session_key(EncType session = EncType::kAes256CtsHmacSha1_96) const {
    return fixed_key(session, 0x22);
  }

  Credentials tgt(bool forwardable = true) {
    TicketSpec t;
    t.server = krbtgt;
    t.client = client;
    t.service_key = &tgs_key;
    t.kvno = 1;
    t.session_keytype = 17;
    t.session_key = key_bytes(EncType::kAes128CtsHmacSha1_96, 0x33);
    t.flags = ticket_flags::kPreAuthent | ticket_flags::kInitial |
              (forwardable ? ticket_flags::kForwardable : 0);
    t.authtime = kNow - 120;
    t.endtime = kNow + 7200;
    t.renew_till = kNow + 86400;
    return make_credentials(t, kdc_random);
  }

  ApContext context() {
    ApContext c;
    c.clock = &clock;
    c.random = &random;
    return c;
  }
  AcceptorOptions acceptor() {
    AcceptorOptions o;
    o.clock = &service_clock;
    o.random = &service_random;
    o.replay_cache = &replay_cache;
    return o;
  }

  Initiator start(const Credentials& ticket, InitiatorOptions options = {}) {
    return must(Initiator::start(ticket, std::move(options), context()), "Initiator::start");
  }
  Initiator start(InitiatorOptions options = {}) { return start(ticket(), std::move(options)); }

  Result<Accepted> accept(ByteView token) { return gss::accept(token, keytab, acceptor()); }
  Result<Accepted> accept(ByteView token, const AcceptorOptions& o) {
    return gss::accept(token, keytab, o);
  }
};

// --- looking inside tokens, independently of the code under test -------------------------

// Strips the RFC 2743 framing by hand: 60 len 06 09 <krb5 OID> TOK_ID body.
struct Unframed {
  std::vector<std::uint8_t> oid;
  std::uint16_t tok_id = 0;
  std::vector<std::uint8_t> body;
};

inline Unframed unframe(ByteView token) {
  Unframed out;
  REQUIRE(token.size() > 4);
  REQUIRE(token[0] == 0x60);
  std::size_t at = 1;
  std::size_t length = token[at++];
  if (length & 0x80) {
    const std::size_t n = length & 0x7F;
    REQUIRE((n >= 1 && n <= 4));
    length = 0;
    for (std::size_t i = 0; i < n; ++i)
      length = length << 8 | token[at++];
  }
  REQUIRE(at + length == token.size());
  REQUIRE(token[at++] == 0x06);
  const std::size_t oid_length = token[at++];
  out.oid.assign(token.begin() + static_cast<std::ptrdiff_t>(at),
                 token.begin() + static_cast<std::ptrdiff_t>(at + oid_length));
  at += oid_length;
  out.tok_id = static_cast<std::uint16_t>(token[at] << 8 | token[at + 1]);
  at += 2;
  out.body.assign(token.begin() + static_cast<std::ptrdiff_t>(at), token.end());
  return out;
}

// What the authenticator of an initial token says (decrypted with the session key).
struct AuthenticatorSeen {
  std::uint32_t ap_options = 0;
  std::int32_t cksumtype = 0;
  Bytes cksum;
  std::optional<EncType> subkey_type;
  Bytes subkey;
  std::optional<std::uint32_t> seq_number;
  Bytes authenticator_cipher;
};

inline AuthenticatorSeen look_inside(ByteView initial_token, const crypto::Key& session_key) {
  const Unframed u = unframe(initial_token);
  REQUIRE(u.tok_id == 0x0100);
  const ApReq req = must(decode_ap_req(u.body), "decode_ap_req");
  AuthenticatorSeen out;
  out.ap_options = req.ap_options.bits;
  out.authenticator_cipher.assign(req.authenticator.cipher.begin(), req.authenticator.cipher.end());
  const auto plain = unseal(session_key, key_usage::kApReqAuthenticator, req.authenticator);
  REQUIRE(plain.has_value());
  const Authenticator a = must(decode_authenticator(*plain), "decode_authenticator");
  if (a.cksum) {
    out.cksumtype = a.cksum->cksumtype;
    out.cksum.assign(a.cksum->checksum.begin(), a.cksum->checksum.end());
  }
  if (a.subkey) {
    out.subkey_type = a.subkey->keytype;
    out.subkey.assign(a.subkey->keyvalue.begin(), a.subkey->keyvalue.end());
  }
  out.seq_number = a.seq_number;
  return out;
}

struct ApRepSeen {
  std::optional<EncType> subkey_type;
  Bytes subkey;
  std::optional<std::uint32_t> seq_number;
};

inline ApRepSeen look_inside_ap_rep(ByteView token, const crypto::Key& session_key) {
  const Unframed u = unframe(token);
  REQUIRE(u.tok_id == 0x0200);
  const ApRep rep = must(decode_ap_rep(u.body), "decode_ap_rep");
  const auto plain = unseal(session_key, key_usage::kApRepEncPart, rep.enc_part);
  REQUIRE(plain.has_value());
  const EncApRepPart part = must(decode_enc_ap_rep_part(*plain), "decode_enc_ap_rep_part");
  ApRepSeen out;
  if (part.subkey) {
    out.subkey_type = part.subkey->keytype;
    out.subkey.assign(part.subkey->keyvalue.begin(), part.subkey->keyvalue.end());
  }
  out.seq_number = part.seq_number;
  return out;
}

inline crypto::Key key_of(EncType type, const Bytes& bytes) {
  return must(crypto::Key::from_bytes(type, bytes), "Key::from_bytes");
}

// Checks a MIC token (RFC 4121 §4.2.6.1) from `sender` against the key, usage, flags and
// sequence number the test expects: the checksum is recomputed here with kerb::crypto over
// message || header, so the context must have used exactly that key.
inline void check_mic(SecurityContext& sender, const crypto::Key& key, std::uint32_t usage,
                      std::uint8_t flags, std::uint64_t seq) {
  const Bytes message = {'p', 'a', 'y', ' ', '1', '0', '0'};
  const Bytes token = must(sender.get_mic(message), "get_mic");
  const std::size_t cksum_size = key.info()->checksum_size;
  REQUIRE(token.size() == 16 + cksum_size);
  CHECK(token[0] == 0x04);
  CHECK(token[1] == 0x04);
  CHECK(int{token[2]} == int{flags});
  for (std::size_t i = 3; i < 8; ++i)
    CHECK(token[i] == 0xFF);
  std::uint64_t snd_seq = 0;
  for (std::size_t i = 8; i < 16; ++i)
    snd_seq = snd_seq << 8 | token[i];
  CHECK(snd_seq == seq);
  Bytes data = message;
  data.insert(data.end(), token.begin(), token.begin() + 16);
  const auto verified = crypto::verify_keyed(key, usage, key.info()->checksum_type, data,
                                             ByteView(token).subspan(16));
  INFO((verified ? "" : describe(verified.error())));
  CHECK(verified.ok());
}

// MIC token flags (RFC 4121 §4.2.2).
inline constexpr std::uint8_t kSentByAcceptor = 0x01;
inline constexpr std::uint8_t kAcceptorSubkey = 0x04;

inline void put_le32(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
inline void put_le16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}

// An initial token with an authenticator checksum of the test's choosing (built with kerb's
// AP-REQ builder, framed by hand).
inline Bytes initial_token_with(World& w, const Credentials& ticket,
                                std::optional<Checksum> checksum, bool mutual = true,
                                bool seq = true) {
  ApReqOptions o;
  o.ap_options = mutual ? ap_options::kMutualRequired : 0;
  o.checksum = checksum;
  o.subkey = true;
  o.sequence_number = seq;
  const ApReqBuilt built = must(build_ap_req(ticket, o, w.context()), "build_ap_req");
  Bytes inner = {0x06, 0x09};
  inner.insert(inner.end(), std::begin(kKrb5MechOid), std::end(kKrb5MechOid));
  inner.push_back(0x01);
  inner.push_back(0x00);
  inner.insert(inner.end(), built.bytes.begin(), built.bytes.end());
  Bytes token = {0x60};
  const std::size_t n = inner.size();
  if (n < 0x80) {
    token.push_back(static_cast<std::uint8_t>(n));
  } else if (n < 0x100) {
    token.push_back(0x81);
    token.push_back(static_cast<std::uint8_t>(n));
  } else {
    token.push_back(0x82);
    token.push_back(static_cast<std::uint8_t>(n >> 8));
    token.push_back(static_cast<std::uint8_t>(n));
  }
  token.insert(token.end(), inner.begin(), inner.end());
  return token;
}

inline Bytes gss_checksum(std::uint32_t flags, const Bytes& bnd = Bytes(16, 0)) {
  Bytes c;
  put_le32(c, static_cast<std::uint32_t>(bnd.size()));
  c.insert(c.end(), bnd.begin(), bnd.end());
  put_le32(c, flags);
  return c;
}

}  // namespace kerb::gss::test
