// RFC 4120 messages and structures as trees, with every EncryptedData opened when a key fits.
#include <functional>
#include <vector>

#include <kerb/constants.hpp>
#include <kerb/credentials.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_cred.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/krb_priv.hpp>
#include <kerb/messages/krb_safe.hpp>
#include <kerb/messages/padata.hpp>
#include <kerb/messages/ticket.hpp>

#include "dump_internal.hpp"
#include "pac.hpp"

namespace krbdump::detail {

// --- Walk and node builders --------------------------------------------------------------------

std::optional<std::size_t> Walk::offset_of(Bytes part) const noexcept {
  if (part.data() == nullptr || input.empty()) return std::nullopt;
  const auto* begin = input.data();
  const auto* end = input.data() + input.size();
  if (part.data() < begin || part.data() > end) return std::nullopt;
  return static_cast<std::size_t>(part.data() - begin);
}

void Walk::malformed(Node& node, std::string_view what, Bytes part, std::string_view detail) {
  std::string line(detail);
  // kerb's errors say "<what>: <reason> at offset N" relative to the part; add the part's
  // place in the input when it lies there.
  if (const auto at = offset_of(part); at && *at != 0)
    line += " (the " + std::string(what) + " starts at input offset " + std::to_string(*at) + ")";
  node.note = "malformed: " + line;
  if (status < 2) {
    status = 2;
    error = label + ": " + line;
  }
}

Node& add_int(Node& parent, std::string name, std::int64_t value) {
  return parent.add(std::move(name), std::to_string(value), "int");
}
Node& add_enum(Node& parent, std::string name, std::string_view label, std::int64_t value) {
  return parent.add(std::move(name), named(label, value), "enum");
}
Node& add_bytes(Node& parent, std::string name, Bytes value) {
  return parent.add(std::move(name), hex(value), "bytes");
}
Node& add_string(Node& parent, std::string name, std::string_view value) {
  return parent.add(std::move(name), std::string(value), "string");
}
Node& add_time(Node& parent, std::string name, std::int64_t seconds) {
  return parent.add(std::move(name), iso_time(seconds), "time");
}
Node& add_flags(Node& parent, std::string name, FlagSet set, std::uint32_t bits) {
  return parent.add(std::move(name), flags_value(set, bits), "flags");
}

std::string principal_text(const kerb::PrincipalName& pn, std::string_view realm) {
  std::string out;
  for (std::size_t i = 0; i < pn.size(); ++i) {
    if (i) out += '/';
    for (char c : pn[i]) {
      if (c == '/' || c == '@' || c == '\\') out += '\\';
      out += c;
    }
  }
  if (!realm.empty()) {
    out += '@';
    out += realm;
  }
  return out;
}

std::optional<kerb::Principal> to_principal(const kerb::PrincipalName& pn, std::string_view realm) {
  if (pn.size() == 0) return std::nullopt;
  return kerb::Principal(realm, pn);
}

Node& add_principal(Node& parent, std::string name, const kerb::PrincipalName& pn,
                    std::string_view realm) {
  Node& node = parent.add(std::move(name), principal_text(pn, realm), "principal");
  add_enum(node, "name-type", name_type_name(pn.raw_name_type()), pn.raw_name_type());
  Node& strings = node.add("name-string", {}, "array");
  for (std::string_view c : pn.components())
    add_string(strings, "KerberosString", c);
  return node;
}

Node& add_owned_principal(Node& parent, std::string name, const kerb::Principal& p) {
  Node& node = parent.add(std::move(name), p.to_string(), "principal");
  add_enum(node, "name-type", name_type_name(p.raw_name_type()), p.raw_name_type());
  Node& strings = node.add("name-string", {}, "array");
  for (const std::string& c : p.components())
    add_string(strings, "KerberosString", c);
  add_string(node, "realm", p.realm());
  return node;
}

Node& add_address(Node& parent, std::string name, std::int32_t type, Bytes address) {
  std::string text;
  if (type == kerb::address_type::kIpv4 && address.size() == 4) {
    text = std::to_string(address[0]) + "." + std::to_string(address[1]) + "." +
           std::to_string(address[2]) + "." + std::to_string(address[3]);
  } else if (type == kerb::address_type::kNetBios && printable(address)) {
    text.assign(address.begin(), address.end());
  } else {
    text = hex(address);
  }
  Node& node = parent.add(std::move(name), text, "string");
  add_enum(node, "addr-type", address_type_name(type), type);
  add_bytes(node, "address", address);
  return node;
}

Node& add_enctype(Node& parent, std::string name, kerb::crypto::EncType enctype) {
  return parent.add(std::move(name), enctype_text(enctype), "enum");
}
Node& add_encryption_key(Node& parent, std::string name, const kerb::EncryptionKey& key) {
  Node& node = parent.add(std::move(name), {}, "object");
  add_enctype(node, "keytype", key.keytype);
  add_bytes(node, "keyvalue", key.keyvalue);
  return node;
}

namespace {

// RFC 4121 §4.1.1: the authenticator checksum of a GSS-API AP-REQ.
void dump_gss_checksum(Walk& walk, Bytes c, Node& node) {
  if (c.size() < 24) {
    walk.malformed(
        node, "GSS checksum", c,
        "GSS checksum: " + std::to_string(c.size()) + " bytes, fewer than 24 at offset 0");
    return;
  }
  const auto le32 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(c[at]) | (static_cast<std::uint32_t>(c[at + 1]) << 8) |
           (static_cast<std::uint32_t>(c[at + 2]) << 16) |
           (static_cast<std::uint32_t>(c[at + 3]) << 24);
  };
  Node& g = node.add("gss-checksum", {}, "object");
  add_int(g, "Lgth", le32(0));
  add_bytes(g, "Bnd", c.subspan(4, 16));
  const std::uint32_t flags = le32(20);
  add_flags(g, "Flags", FlagSet::kGssChecksum, flags);
  if ((flags & 1u) && c.size() >= 28) {
    add_int(g, "DlgOpt", c[24] | (c[25] << 8));
    const std::size_t dlgth = c[26] | (static_cast<std::size_t>(c[27]) << 8);
    if (28 + dlgth > c.size()) {
      walk.malformed(
          g, "GSS checksum", c,
          "GSS checksum: Dlgth " + std::to_string(dlgth) + " runs past the checksum at offset 26");
      return;
    }
    add_int(g, "Dlgth", static_cast<std::int64_t>(dlgth));
    dump_krb_cred(walk, c.subspan(28, dlgth), g, "Deleg");
    if (c.size() > 28 + dlgth) add_bytes(g, "Exts", c.subspan(28 + dlgth));
  } else if (c.size() > 24) {
    add_bytes(g, "Exts", c.subspan(24));
  }
}

}  // namespace

Node& add_checksum(Node& parent, std::string name, const kerb::Checksum& cksum, Walk& walk) {
  Node& node = parent.add(std::move(name), {}, "object");
  add_enum(node, "cksumtype", checksum_type_name(cksum.cksumtype), cksum.cksumtype);
  add_bytes(node, "checksum", cksum.checksum);
  if (cksum.cksumtype == kGssChecksumType) dump_gss_checksum(walk, cksum.checksum, node);
  return node;
}

namespace {

Node& add_addresses(Node& parent, std::string name, const kerb::HostAddresses& addrs) {
  Node& node = parent.add(std::move(name), {}, "array");
  for (const kerb::HostAddress& a : addrs)
    add_address(node, "HostAddress", a.addr_type, a.address);
  return node;
}

void add_enc_fields(Node& node, const kerb::EncryptedData& ed) {
  add_enctype(node, "etype", ed.etype);
  if (ed.kvno) add_int(node, "kvno", *ed.kvno);
  add_bytes(node, "cipher", ed.cipher);
}

// Renders an EncryptedData and, when a key opens it, its plaintext under it (through
// `decode`, which gets the plaintext and the key that opened it); otherwise the explanation.
using PlainDecoder = std::function<void(Bytes plain, Node& under, const KeyEntry* key)>;

Node& add_encrypted(Walk& walk, Node& parent, std::string name, const kerb::EncryptedData& ed,
                    const std::vector<std::uint32_t>& usages, const Hint& hint,
                    const PlainDecoder& decode) {
  Node& node = parent.add(std::move(name), {}, "object");
  add_enc_fields(node, ed);
  std::string explained;
  for (std::uint32_t usage : usages) {
    DecryptOutcome out = open(walk.keys, ed, usage, hint);
    if (out.ok) {
      node.note =
          "decrypted with " + out.key_source + ", key usage " + named(key_usage_name(usage), usage);
      if (!out.note.empty()) node.note += "; " + out.note;
      const Bytes plain(out.plain.data(), out.plain.size());
      if (walk.depth >= kMaxNesting) {
        walk.malformed(
            node, "enc-part", {},
            "nesting deeper than " + std::to_string(kMaxNesting) + " levels at offset 0");
        return node;
      }
      ++walk.depth;
      decode(plain, node, out.key);
      --walk.depth;
      return node;
    }
    if (!explained.empty()) explained += " | ";
    explained += out.explain();
  }
  node.note = "not decrypted: " + explained;
  if (walk.fast_seen && hint.what == "TGS-REP enc-part")
    node.note +=
        " | the exchange used FAST (RFC 6113 PA-FX-FAST): the reply key comes from "
        "the armored KrbFastResponse's strengthen-key, which krbdump does not derive";
  walk.not_decrypted();
  return node;
}

Node& add_padata_list(Walk& walk, Node& parent, std::string name, const kerb::MethodData& list,
                      std::int32_t msg_type);

void dump_fast_request(Walk& walk, Bytes v, Node& node);
void dump_fast_reply(Walk& walk, Bytes v, Node& node);
void derive_armor_key(Walk& walk, std::string_view from);
void add_req_body(Walk& walk, Node& parent, std::string name, const kerb::KdcReqBody& b);

void dump_pa_value(Walk& walk, const kerb::PaData& pa, Node& node, std::int32_t msg_type) {
  namespace pt = kerb::padata_type;
  const Bytes v = pa.padata_value;
  if (v.empty()) return;  // an empty value only names a method (RFC 4120 §5.2.7)
  switch (pa.padata_type) {
    case pt::kPaTgsReq:
      dump_ap_req(walk, v, node, "AP-REQ", kerb::key_usage::kTgsReqPaTgsReqAuthenticator);
      derive_armor_key(walk, "the PA-TGS-REQ");
      return;
    case pt::kPaEncTimestamp:
    case pt::kPaEncryptedChallenge: {
      auto ed = kerb::decode_der<kerb::EncryptedData>(v, "EncryptedData");
      if (!ed) return walk.malformed(node, "padata-value", v, ed.error().detail());
      Hint hint;
      if (walk.client) hint.principal = walk.client->to_string();
      hint.kind = pa.padata_type == pt::kPaEncTimestamp ? KeyKind::kLongTerm : KeyKind::kAny;
      const std::uint32_t usage = pa.padata_type == pt::kPaEncTimestamp
                                      ? kerb::key_usage::kAsReqPaEncTimestamp
                                      : kerb::key_usage::kEncChallengeClient;
      add_encrypted(walk, node, "EncryptedData", *ed, {usage}, hint,
                    [&](Bytes plain, Node& under, const KeyEntry*) {
                      auto ts = kerb::decode_pa_enc_ts_enc(plain);
                      Node& p = under.add("PA-ENC-TS-ENC", {}, "object");
                      if (!ts) return walk.malformed(p, "PA-ENC-TS-ENC", {}, ts.error().detail());
                      add_time(p, "patimestamp", ts->patimestamp.seconds);
                      if (ts->pausec) add_int(p, "pausec", ts->pausec->value);
                    });
      return;
    }
    case pt::kPaEtypeInfo2: {
      auto info = kerb::decode_etype_info2(v);
      if (!info) return walk.malformed(node, "padata-value", v, info.error().detail());
      Node& list = node.add("ETYPE-INFO2", {}, "array");
      for (const kerb::EtypeInfo2Entry& e : *info) {
        Node& entry = list.add("ETYPE-INFO2-ENTRY", {}, "object");
        add_enctype(entry, "etype", e.etype);
        if (e.salt) add_string(entry, "salt", *e.salt);
        if (e.s2kparams) {
          Node& s = add_bytes(entry, "s2kparams", *e.s2kparams);
          if (e.s2kparams->size() == 4)
            s.note = "iteration count " + std::to_string((std::uint32_t{(*e.s2kparams)[0]} << 24) |
                                                         (std::uint32_t{(*e.s2kparams)[1]} << 16) |
                                                         (std::uint32_t{(*e.s2kparams)[2]} << 8) |
                                                         (*e.s2kparams)[3]);
        }
        if (walk.client)
          walk.keys.note_etype_info2(
              *walk.client, e.etype,
              e.salt ? std::optional<std::string>(std::string(*e.salt)) : std::nullopt,
              e.s2kparams ? *e.s2kparams : Bytes{});
      }
      return;
    }
    case pt::kPaEtypeInfo: {
      auto info = kerb::decode_etype_info(v);
      if (!info) return walk.malformed(node, "padata-value", v, info.error().detail());
      Node& list = node.add("ETYPE-INFO", {}, "array");
      for (const kerb::EtypeInfoEntry& e : *info) {
        Node& entry = list.add("ETYPE-INFO-ENTRY", {}, "object");
        add_enctype(entry, "etype", e.etype);
        if (e.salt) {
          Node& s = add_bytes(entry, "salt", *e.salt);
          if (printable(*e.salt)) s.note = std::string(e.salt->begin(), e.salt->end());
        }
      }
      return;
    }
    case pt::kPaFxFast:
      walk.fast_seen = true;
      if (msg_type == 10 || msg_type == 12)
        dump_fast_request(walk, v, node);
      else
        dump_fast_reply(walk, v, node);
      return;
    case pt::kPaPwSalt:
      if (printable(v)) add_string(node, "salt", std::string(v.begin(), v.end()));
      return;
    case pt::kPaPacRequest: {
      auto req = kerb::decode_pa_pac_request(v);
      if (!req) return walk.malformed(node, "padata-value", v, req.error().detail());
      Node& p = node.add("KERB-PA-PAC-REQUEST", {}, "object");
      p.add("include-pac", req->include_pac ? "true" : "false", "bool");
      return;
    }
    default:
      (void)msg_type;
      return;
  }
}

Node& add_padata_list(Walk& walk, Node& parent, std::string name, const kerb::MethodData& list,
                      std::int32_t msg_type) {
  Node& node = parent.add(std::move(name), {}, "array");
  for (const kerb::PaData& pa : list) {
    Node& entry = node.add("PA-DATA", {}, "object");
    add_enum(entry, "padata-type", padata_type_name(pa.padata_type), pa.padata_type);
    Node& value = add_bytes(entry, "padata-value", pa.padata_value);
    dump_pa_value(walk, pa, value, msg_type);
  }
  return node;
}

// RFC 6113 §5.4.1.1: the armor key is KRB-FX-CF2(subkey, ticket session key, "subkeyarmor",
// "ticketarmor"), from the armor AP-REQ (AS) or the PA-TGS-REQ's AP-REQ (TGS).
void derive_armor_key(Walk& walk, std::string_view from) {
  if (!walk.ap_subkey || !walk.ap_ticket_key) return;
  auto learned = walk.keys.learn_fast_armor_key(
      *walk.ap_subkey, *walk.ap_ticket_key,
      "FAST armor key (KRB-FX-CF2 of the subkey and ticket session key of " + std::string(from) +
          ")");
  if (learned) walk.armor_subkey = walk.ap_subkey;
}

// Reads the [n] fields of a SEQUENCE into `fields` (empty when absent).
bool read_fields(Bytes der, std::span<Bytes> fields, std::string& why) {
  kerb::der::Error fault;
  kerb::der::Reader in(der, fault), seq;
  if (!in.read_sequence(seq) || !in.finish()) {
    why = fault.reason != nullptr ? fault.reason : "not a SEQUENCE";
    why += " at offset " + std::to_string(fault.offset);
    return false;
  }
  while (!seq.empty()) {
    kerb::der::Tag tag = kerb::der::ctx(0);
    kerb::der::Reader field;
    if (!seq.read_any(tag, field)) {
      why = std::string(fault.reason != nullptr ? fault.reason : "malformed") + " at offset " +
            std::to_string(fault.offset);
      return false;
    }
    if (tag.tag_class() == kerb::der::TagClass::kContext && tag.number() < fields.size())
      fields[tag.number()] = field.unread();
  }
  return true;
}

// The contents of a single [0] choice.
std::optional<Bytes> choice0(Bytes der) {
  kerb::der::Error fault;
  kerb::der::Reader in(der, fault), inner;
  if (!in.read_element(kerb::der::ctx(0), inner) || !in.finish()) return std::nullopt;
  return inner.unread();
}

void dump_fast_request(Walk& walk, Bytes v, Node& node) {
  // PA-FX-FAST-REQUEST ::= CHOICE { armored-data [0] KrbFastArmoredReq }
  const auto armored = choice0(v);
  Bytes f[3] = {};
  std::string why;
  Node& req = node.add("KrbFastArmoredReq", {}, "object");
  if (!armored || !read_fields(*armored, f, why))
    return walk.malformed(
        req, "PA-FX-FAST", v,
        "PA-FX-FAST-REQUEST: " + (why.empty() ? "no [0] armored-data at offset 0" : why));
  if (!f[0].empty()) {
    // KrbFastArmor ::= SEQUENCE { armor-type [0] Int32, armor-value [1] OCTET STRING }
    Node& armor = req.add("armor", {}, "object");
    Bytes a[2] = {};
    if (!read_fields(f[0], a, why))
      return walk.malformed(armor, "armor", f[0], "KrbFastArmor: " + why);
    kerb::der::Error fault;
    kerb::der::Reader t(a[0], fault), o(a[1], fault);
    std::int32_t type = 0;
    Bytes value;
    if (!t.read_integer(type) || !o.read_octet_string(value))
      return walk.malformed(armor, "armor", f[0],
                            "KrbFastArmor: malformed at offset " + std::to_string(fault.offset));
    add_enum(armor, "armor-type", type == 1 ? "FX_FAST_ARMOR_AP_REQUEST" : "", type);
    Node& av = add_bytes(armor, "armor-value", value);
    if (type == 1) {
      dump_ap_req(walk, value, av, "AP-REQ", kerb::key_usage::kApReqAuthenticator);
      derive_armor_key(walk, "the FAST armor AP-REQ");
    }
  }
  if (!f[1].empty()) {
    auto ck = kerb::decode_der<kerb::Checksum>(f[1], "Checksum");
    if (ck) add_checksum(req, "req-checksum", *ck, walk);
  }
  auto ed = kerb::decode_der<kerb::EncryptedData>(f[2], "EncryptedData");
  if (!ed) return walk.malformed(req, "enc-fast-req", f[2], ed.error().detail());
  Hint hint;
  hint.kind = KeyKind::kSession;
  hint.what = "FAST enc-fast-req";
  add_encrypted(walk, req, "enc-fast-req", *ed, {kerb::key_usage::kFastEnc}, hint,
                [&](Bytes plain, Node& under, const KeyEntry*) {
                  // KrbFastReq ::= SEQUENCE { fast-options [0], padata [1], req-body [2] }
                  Node& fr = under.add("KrbFastReq", {}, "object");
                  Bytes q[3] = {};
                  std::string w;
                  if (!read_fields(plain, q, w))
                    return walk.malformed(fr, "KrbFastReq", {}, "KrbFastReq: " + w);
                  if (auto o = kerb::decode_der<kerb::KerberosFlags>(q[0], "FastOptions"))
                    add_flags(fr, "fast-options", FlagSet::kFastOptions, o->bits);
                  if (auto pd = kerb::decode_der<kerb::MethodData>(q[1], "padata"))
                    add_padata_list(walk, fr, "padata", *pd, 0);
                  auto body = kerb::decode_kdc_req_body(q[2]);
                  if (!body) return walk.malformed(fr, "req-body", {}, body.error().detail());
                  add_req_body(walk, fr, "req-body", *body);
                });
}

void dump_fast_reply(Walk& walk, Bytes v, Node& node) {
  // PA-FX-FAST-REPLY ::= CHOICE { armored-data [0] KrbFastArmoredRep }
  const auto armored = choice0(v);
  Bytes f[1] = {};
  std::string why;
  Node& rep = node.add("KrbFastArmoredRep", {}, "object");
  if (!armored || !read_fields(*armored, f, why))
    return walk.malformed(
        rep, "PA-FX-FAST", v,
        "PA-FX-FAST-REPLY: " + (why.empty() ? "no [0] armored-data at offset 0" : why));
  auto ed = kerb::decode_der<kerb::EncryptedData>(f[0], "EncryptedData");
  if (!ed) return walk.malformed(rep, "enc-fast-rep", f[0], ed.error().detail());
  Hint hint;
  hint.kind = KeyKind::kSession;
  hint.what = "FAST enc-fast-rep";
  add_encrypted(
      walk, rep, "enc-fast-rep", *ed, {kerb::key_usage::kFastRep}, hint,
      [&](Bytes plain, Node& under, const KeyEntry*) {
        // KrbFastResponse ::= SEQUENCE { padata [0], strengthen-key [1],
        //                                finished [2], nonce [3] }
        Node& fr = under.add("KrbFastResponse", {}, "object");
        Bytes q[4] = {};
        std::string w;
        if (!read_fields(plain, q, w))
          return walk.malformed(fr, "KrbFastResponse", {}, "KrbFastResponse: " + w);
        if (auto pd = kerb::decode_der<kerb::MethodData>(q[0], "padata"))
          add_padata_list(walk, fr, "padata", *pd, 0);
        if (!q[1].empty()) {
          auto sk = kerb::decode_der<kerb::EncryptionKey>(q[1], "EncryptionKey");
          if (sk) {
            add_encryption_key(fr, "strengthen-key", *sk);
            // RFC 6113 §5.4.3: reply key = KRB-FX-CF2(strengthen-key, reply key,
            // "strengthenkey", "replykey"); a TGS reply key is the request's subkey
            // or the TGT session key.
            auto strengthen = kerb::KeyBlock::from_bytes(sk->keytype, sk->keyvalue);
            std::vector<std::pair<kerb::KeyBlock, std::string>> bases;
            if (walk.armor_subkey) bases.emplace_back(*walk.armor_subkey, "request's subkey");
            if (walk.ap_ticket_key) bases.emplace_back(*walk.ap_ticket_key, "TGT session key");
            if (bases.empty()) {
              // The request was another input (one key ring, one Walk per input): every
              // TGS-REQ subkey the ring has learned is a candidate.
              for (const KeyEntry& k : walk.keys.keys())
                if (k.origin == KeyOrigin::kLearned && k.role == LearnedRole::kTgsReqSubkey)
                  bases.emplace_back(k.key, k.source);
            }
            for (const auto& [base, what] : bases) {
              if (!strengthen) break;
              (void)walk.keys.learn_fast_reply_key(
                  *strengthen, base,
                  "FAST reply key (KRB-FX-CF2 of the strengthen-key and the " + what + ")");
            }
          }
        }
        if (!q[2].empty()) add_bytes(fr, "finished", q[2]);
        if (!q[3].empty()) {
          kerb::der::Error fault;
          kerb::der::Reader n(q[3], fault);
          std::uint32_t nonce = 0;
          if (n.read_integer(nonce)) add_int(fr, "nonce", nonce);
        }
      });
}

void add_req_body(Walk& walk, Node& parent, std::string name, const kerb::KdcReqBody& b) {
  Node& body = parent.add(std::move(name), {}, "object");
  add_flags(body, "kdc-options", FlagSet::kKdcOptions, b.kdc_options.bits);
  if (b.cname) add_principal(body, "cname", *b.cname, b.realm);
  add_string(body, "realm", b.realm);
  if (b.sname) add_principal(body, "sname", *b.sname, b.realm);
  if (b.from) add_time(body, "from", b.from->seconds);
  add_time(body, "till", b.till.seconds);
  if (b.rtime) add_time(body, "rtime", b.rtime->seconds);
  add_int(body, "nonce", b.nonce);
  Node& etypes = body.add("etype", {}, "array");
  for (kerb::crypto::EncType e : b.etype)
    add_enctype(etypes, "EncryptionType", e);
  if (b.addresses) add_addresses(body, "addresses", *b.addresses);
  if (b.enc_authorization_data) {
    Hint hint;
    hint.kind = KeyKind::kSession;
    add_encrypted(walk, body, "enc-authorization-data", *b.enc_authorization_data,
                  {kerb::key_usage::kTgsReqAuthDataSubkey, kerb::key_usage::kTgsReqAuthData}, hint,
                  [&](Bytes plain, Node& under, const KeyEntry*) {
                    dump_authorization_data(walk, plain, under, "AuthorizationData", nullptr,
                                            b.realm);
                  });
  }
  if (b.additional_tickets) {
    Node& tickets = body.add("additional-tickets", {}, "array");
    for (const kerb::Ticket& t : *b.additional_tickets)
      dump_ticket(walk, t.raw, tickets, "Ticket");
  }
}

// Finds the ring's long-term key for krbtgt/REALM@REALM, for the PAC's KDC signature.
const KeyEntry* krbtgt_key(const KeyRing& keys, std::string_view realm) {
  for (const KeyEntry& k : keys.keys()) {
    if (!k.principal || k.origin == KeyOrigin::kLearned || k.origin == KeyOrigin::kCcache) continue;
    const auto comps = k.principal->components();
    if (comps.size() == 2 && comps[0] == "krbtgt" && comps[1] == realm &&
        k.principal->realm() == realm)
      return &k;
  }
  return nullptr;
}

}  // namespace

void dump_authorization_data(Walk& walk, Bytes der, Node& parent, std::string name,
                             const KeyEntry* service_key, std::string_view realm) {
  auto ad = kerb::decode_der<kerb::AuthorizationData>(der, "AuthorizationData");
  Node& node = parent.add(std::move(name), {}, "array");
  if (!ad) return walk.malformed(node, "authorization-data", der, ad.error().detail());
  for (const kerb::AuthorizationDataEntry& e : *ad) {
    Node& entry = node.add("AuthorizationData-entry", {}, "object");
    add_enum(entry, "ad-type", ad_type_name(e.ad_type), e.ad_type);
    Node& data = add_bytes(entry, "ad-data", e.ad_data);
    if (walk.depth >= kMaxNesting) continue;
    ++walk.depth;
    if (e.ad_type == kerb::ad_type::kAdIfRelevant) {
      dump_authorization_data(walk, e.ad_data, data, "AD-IF-RELEVANT", service_key, realm);
    } else if (e.ad_type == kerb::ad_type::kAdWin2kPac) {
      PacKeys pac_keys;
      std::optional<kerb::crypto::Key> service, krbtgt;
      if (service_key != nullptr && service_key->origin != KeyOrigin::kLearned) {
        auto k = service_key->key.to_key(walk.keys.policy());
        if (k) {
          service.emplace(std::move(*k));
          pac_keys.service = &*service;
          pac_keys.service_source = service_key->source;
        }
      }
      if (const KeyEntry* t = krbtgt_key(walk.keys, realm)) {
        auto k = t->key.to_key(walk.keys.policy());
        if (k) {
          krbtgt.emplace(std::move(*k));
          pac_keys.krbtgt = &*krbtgt;
          pac_keys.krbtgt_source = t->source;
        }
      }
      data.children.push_back(pac_node(e.ad_data, pac_keys));
    }
    --walk.depth;
  }
}

namespace {

void dump_enc_ticket_part(Walk& walk, Bytes plain, Node& under, const KeyEntry* key,
                          const kerb::Ticket* ticket) {
  auto part = kerb::decode_der<kerb::EncTicketPart>(plain, "EncTicketPart");
  Node& node = under.add("EncTicketPart", {}, "object");
  if (!part) return walk.malformed(node, "EncTicketPart", plain, part.error().detail());
  add_flags(node, "flags", FlagSet::kTicket, part->flags.bits);
  add_encryption_key(node, "key", part->key);
  add_string(node, "crealm", part->crealm);
  add_principal(node, "cname", part->cname, part->crealm);
  Node& tr = node.add("transited", {}, "object");
  add_enum(tr, "tr-type", transited_type_name(part->transited.tr_type), part->transited.tr_type);
  Node& contents = add_bytes(tr, "contents", part->transited.contents);
  if (printable(part->transited.contents) && !part->transited.contents.empty())
    contents.note = std::string(part->transited.contents.begin(), part->transited.contents.end());
  add_time(node, "authtime", part->authtime.seconds);
  if (part->starttime) add_time(node, "starttime", part->starttime->seconds);
  add_time(node, "endtime", part->endtime.seconds);
  if (part->renew_till) add_time(node, "renew-till", part->renew_till->seconds);
  if (part->caddr) add_addresses(node, "caddr", *part->caddr);
  std::string_view srealm = ticket != nullptr ? ticket->realm : part->crealm;
  if (part->authorization_data) {
    // The [10] element's contents are the AuthorizationData SEQUENCE; find them in the plain.
    kerb::der::Error fault;
    kerb::der::Reader in(plain, fault);
    kerb::der::Reader app, seq;
    if (in.read_element(kerb::der::app(3), app) && app.read_sequence(seq)) {
      while (!seq.empty()) {
        kerb::der::Tag tag = kerb::der::ctx(0);
        kerb::der::Reader field;
        if (!seq.read_any(tag, field)) break;
        if (tag == kerb::der::ctx(10)) {
          dump_authorization_data(walk, field.unread(), node, "authorization-data", key, srealm);
          break;
        }
      }
    }
  }
  if (auto kb = kerb::KeyBlock::from_bytes(part->key.keytype, part->key.keyvalue))
    walk.ap_ticket_key = *kb;
  std::optional<kerb::Principal> server;
  if (ticket != nullptr) server = to_principal(ticket->sname, ticket->realm);
  walk.keys.learn(part->key,
                  "session key from the EncTicketPart of " +
                      (server ? server->to_string() : std::string("a ticket")),
                  LearnedRole::kSessionKey, server, to_principal(part->cname, part->crealm));
}

}  // namespace

void dump_ticket(Walk& walk, Bytes der, Node& parent, std::string name) {
  auto t = kerb::decode_der<kerb::Ticket>(der, "Ticket");
  Node& node = parent.add(std::move(name), {}, "object");
  if (!t) return walk.malformed(node, "Ticket", der, t.error().detail());
  const kerb::Ticket ticket = *t;
  add_int(node, "tkt-vno", kerb::kPvno);
  add_string(node, "realm", ticket.realm);
  add_principal(node, "sname", ticket.sname, ticket.realm);
  Hint hint;
  hint.principal = principal_text(ticket.sname, ticket.realm);
  hint.kvno = ticket.enc_part.kvno;
  hint.kind = KeyKind::kLongTerm;
  hint.what = "ticket enc-part";
  add_encrypted(walk, node, "enc-part", ticket.enc_part, {kerb::key_usage::kTicket}, hint,
                [&](Bytes plain, Node& under, const KeyEntry* key) {
                  dump_enc_ticket_part(walk, plain, under, key, &ticket);
                });
}

namespace {

void dump_authenticator_plain(Walk& walk, Bytes plain, Node& under, bool tgs) {
  auto a = kerb::decode_authenticator(plain);
  Node& node = under.add("Authenticator", {}, "object");
  if (!a) return walk.malformed(node, "Authenticator", plain, a.error().detail());
  add_int(node, "authenticator-vno", kerb::kPvno);
  add_string(node, "crealm", a->crealm);
  add_principal(node, "cname", a->cname, a->crealm);
  if (a->cksum) add_checksum(node, "cksum", *a->cksum, walk);
  add_int(node, "cusec", a->cusec.value);
  add_time(node, "ctime", a->ctime.seconds);
  if (a->subkey) {
    add_encryption_key(node, "subkey", *a->subkey);
    if (auto kb = kerb::KeyBlock::from_bytes(a->subkey->keytype, a->subkey->keyvalue))
      walk.ap_subkey = *kb;
    walk.keys.learn(*a->subkey,
                    "subkey from the Authenticator of " + principal_text(a->cname, a->crealm),
                    tgs ? LearnedRole::kTgsReqSubkey : LearnedRole::kInitiatorSubkey, std::nullopt,
                    to_principal(a->cname, a->crealm));
  }
  if (a->seq_number) add_int(node, "seq-number", *a->seq_number);
  if (a->authorization_data) {
    kerb::der::Error fault;
    kerb::der::Reader in(plain, fault);
    kerb::der::Reader app, seq;
    if (in.read_element(kerb::der::app(2), app) && app.read_sequence(seq)) {
      while (!seq.empty()) {
        kerb::der::Tag tag = kerb::der::ctx(0);
        kerb::der::Reader field;
        if (!seq.read_any(tag, field)) break;
        if (tag == kerb::der::ctx(8)) {
          dump_authorization_data(walk, field.unread(), node, "authorization-data", nullptr,
                                  a->crealm);
          break;
        }
      }
    }
  }
}

void dump_enc_kdc_rep_part(Walk& walk, Bytes plain, Node& under, const kerb::KdcRep& rep) {
  auto part = kerb::decode_enc_kdc_rep_part(plain);
  const bool as = part && part->tag == kerb::EncKdcRepPartTag::kEncAsRepPart;
  Node& node =
      under.add(part ? (as ? "EncASRepPart" : "EncTGSRepPart") : "EncKDCRepPart", {}, "object");
  if (!part) return walk.malformed(node, "EncKDCRepPart", plain, part.error().detail());
  add_encryption_key(node, "key", part->key);
  Node& lr = node.add("last-req", {}, "array");
  for (const kerb::LastReqEntry& e : part->last_req) {
    Node& entry = lr.add("LastReq-entry", {}, "object");
    add_enum(entry, "lr-type", last_req_type_name(e.lr_type), e.lr_type);
    add_time(entry, "lr-value", e.lr_value.seconds);
  }
  add_int(node, "nonce", part->nonce);
  if (part->key_expiration) add_time(node, "key-expiration", part->key_expiration->seconds);
  add_flags(node, "flags", FlagSet::kTicket, part->flags.bits);
  add_time(node, "authtime", part->authtime.seconds);
  if (part->starttime) add_time(node, "starttime", part->starttime->seconds);
  add_time(node, "endtime", part->endtime.seconds);
  if (part->renew_till) add_time(node, "renew-till", part->renew_till->seconds);
  add_string(node, "srealm", part->srealm);
  add_principal(node, "sname", part->sname, part->srealm);
  if (part->caddr) add_addresses(node, "caddr", *part->caddr);
  if (part->encrypted_pa_data)
    add_padata_list(walk, node, "encrypted-pa-data", *part->encrypted_pa_data, 0);
  walk.keys.learn(part->key,
                  "session key from the " + std::string(as ? "AS-REP" : "TGS-REP") + " of " +
                      principal_text(rep.cname, rep.crealm) + " for " +
                      principal_text(part->sname, part->srealm),
                  LearnedRole::kSessionKey, to_principal(part->sname, part->srealm),
                  to_principal(rep.cname, rep.crealm));
}

void dump_kdc_req(Walk& walk, Bytes der, Node& parent, bool as) {
  auto r = as ? kerb::decode_as_req(der) : kerb::decode_tgs_req(der);
  Node& node = parent.add(as ? "AS-REQ" : "TGS-REQ", {}, "object");
  if (!r) return walk.malformed(node, as ? "AS-REQ" : "TGS-REQ", der, r.error().detail());
  const kerb::KdcReqBody& b = r->req_body;
  if (b.cname) walk.client = to_principal(*b.cname, b.realm);
  add_int(node, "pvno", kerb::kPvno);
  const std::int32_t mt = as ? 10 : 12;
  add_enum(node, "msg-type", message_type_name(mt), mt);
  if (r->padata) add_padata_list(walk, node, "padata", *r->padata, mt);
  add_req_body(walk, node, "req-body", r->req_body);
}

void dump_kdc_rep(Walk& walk, Bytes der, Node& parent, bool as) {
  auto r = as ? kerb::decode_as_rep(der) : kerb::decode_tgs_rep(der);
  Node& node = parent.add(as ? "AS-REP" : "TGS-REP", {}, "object");
  if (!r) return walk.malformed(node, as ? "AS-REP" : "TGS-REP", der, r.error().detail());
  const kerb::KdcRep rep = *r;
  walk.client = to_principal(rep.cname, rep.crealm);
  add_int(node, "pvno", kerb::kPvno);
  const std::int32_t mt = as ? 11 : 13;
  add_enum(node, "msg-type", message_type_name(mt), mt);
  if (rep.padata) add_padata_list(walk, node, "padata", *rep.padata, mt);
  add_string(node, "crealm", rep.crealm);
  add_principal(node, "cname", rep.cname, rep.crealm);
  dump_ticket(walk, rep.ticket.raw, node, "ticket");
  Hint hint;
  if (as) {
    hint.principal = principal_text(rep.cname, rep.crealm);
    hint.kvno = rep.enc_part.kvno;
    hint.kind = KeyKind::kLongTerm;
    hint.what = "AS-REP enc-part";
  } else {
    hint.kind = KeyKind::kSession;
    hint.what = "TGS-REP enc-part";
  }
  // TGS-REP: usage 8 under the TGT session key, or 9 under the request's subkey.
  const std::vector<std::uint32_t> usages =
      as ? std::vector<std::uint32_t>{kerb::key_usage::kAsRepEncPart}
         : std::vector<std::uint32_t>{kerb::key_usage::kTgsRepEncPart,
                                      kerb::key_usage::kTgsRepEncPartSubkey};
  add_encrypted(walk, node, "enc-part", rep.enc_part, usages, hint,
                [&](Bytes plain, Node& under, const KeyEntry*) {
                  dump_enc_kdc_rep_part(walk, plain, under, rep);
                });
}

// EncAPRepPart (RFC 4120 §5.5.2); its subkey opens what the acceptor protects next.
void dump_enc_ap_rep_part(Walk& walk, Bytes plain, Node& under) {
  auto p = kerb::decode_enc_ap_rep_part(plain);
  Node& part = under.add("EncAPRepPart", {}, "object");
  if (!p) return walk.malformed(part, "EncAPRepPart", plain, p.error().detail());
  add_time(part, "ctime", p->ctime.seconds);
  add_int(part, "cusec", p->cusec.value);
  if (p->subkey) {
    add_encryption_key(part, "subkey", *p->subkey);
    walk.keys.learn(*p->subkey, "acceptor subkey from an AP-REP", LearnedRole::kAcceptorSubkey);
  }
  if (p->seq_number) add_int(part, "seq-number", *p->seq_number);
}

// EncKrbPrivPart (RFC 4120 §5.7.1), decrypted or given alone.
void dump_enc_krb_priv_part(Walk& walk, Bytes plain, Node& under) {
  auto p = kerb::decode_enc_krb_priv_part(plain);
  Node& part = under.add("EncKrbPrivPart", {}, "object");
  if (!p) return walk.malformed(part, "EncKrbPrivPart", plain, p.error().detail());
  Node& ud = add_bytes(part, "user-data", p->user_data);
  if (printable(p->user_data) && !p->user_data.empty())
    ud.note = std::string(p->user_data.begin(), p->user_data.end());
  if (p->timestamp) add_time(part, "timestamp", p->timestamp->seconds);
  if (p->usec) add_int(part, "usec", p->usec->value);
  if (p->seq_number) add_int(part, "seq-number", *p->seq_number);
  add_address(part, "s-address", p->s_address.addr_type, p->s_address.address);
  if (p->r_address) add_address(part, "r-address", p->r_address->addr_type, p->r_address->address);
}
void dump_ap_rep(Walk& walk, Bytes der, Node& parent) {
  auto r = kerb::decode_ap_rep(der);
  Node& node = parent.add("AP-REP", {}, "object");
  if (!r) return walk.malformed(node, "AP-REP", der, r.error().detail());
  add_int(node, "pvno", kerb::kPvno);
  add_enum(node, "msg-type", message_type_name(15), 15);
  Hint hint;
  hint.kind = KeyKind::kSession;
  hint.what = "AP-REP enc-part";
  add_encrypted(
      walk, node, "enc-part", r->enc_part, {kerb::key_usage::kApRepEncPart}, hint,
      [&](Bytes plain, Node& under, const KeyEntry*) { dump_enc_ap_rep_part(walk, plain, under); });
}

void dump_krb_error(Walk& walk, Bytes der, Node& parent) {
  auto r = kerb::decode_krb_error(der);
  Node& node = parent.add("KRB-ERROR", {}, "object");
  if (!r) return walk.malformed(node, "KRB-ERROR", der, r.error().detail());
  const kerb::KrbError& e = *r;
  add_int(node, "pvno", kerb::kPvno);
  add_enum(node, "msg-type", message_type_name(30), 30);
  if (e.ctime) add_time(node, "ctime", e.ctime->seconds);
  if (e.cusec) add_int(node, "cusec", e.cusec->value);
  add_time(node, "stime", e.stime.seconds);
  add_int(node, "susec", e.susec.value);
  Node& code = add_enum(node, "error-code", error_code_name(e.error_code), e.error_code);
  code.note = std::string(kerb::error_code_message(e.error_code));
  if (e.crealm) add_string(node, "crealm", *e.crealm);
  if (e.cname) {
    add_principal(node, "cname", *e.cname, e.crealm.value_or(""));
    walk.client = to_principal(*e.cname, e.crealm.value_or(e.realm));
  }
  add_string(node, "realm", e.realm);
  add_principal(node, "sname", e.sname, e.realm);
  if (e.e_text) add_string(node, "e-text", *e.e_text);
  if (e.e_data) {
    Node& data = add_bytes(node, "e-data", *e.e_data);
    // RFC 4120 §5.9.1: METHOD-DATA for KDC_ERR_PREAUTH_REQUIRED, else usually TYPED-DATA.
    if (auto md = kerb::decode_method_data(*e.e_data)) {
      data.note = "METHOD-DATA";
      add_padata_list(walk, data, "METHOD-DATA", *md, 30);
    } else if (auto td = kerb::decode_typed_data(*e.e_data)) {
      data.note = "TYPED-DATA";
      Node& list = data.add("TYPED-DATA", {}, "array");
      for (const kerb::TypedDataEntry& t : *td) {
        Node& entry = list.add("TypedData-entry", {}, "object");
        add_enum(entry, "data-type", padata_type_name(t.data_type), t.data_type);
        if (t.data_value) add_bytes(entry, "data-value", *t.data_value);
      }
    }
  }
}

void dump_krb_safe(Walk& walk, Bytes der, Node& parent) {
  auto r = kerb::decode_krb_safe(der);
  Node& node = parent.add("KRB-SAFE", {}, "object");
  if (!r) return walk.malformed(node, "KRB-SAFE", der, r.error().detail());
  add_int(node, "pvno", kerb::kPvno);
  add_enum(node, "msg-type", message_type_name(20), 20);
  const kerb::KrbSafeBody& b = r->safe_body;
  Node& body = node.add("safe-body", {}, "object");
  Node& ud = add_bytes(body, "user-data", b.user_data);
  if (printable(b.user_data) && !b.user_data.empty())
    ud.note = std::string(b.user_data.begin(), b.user_data.end());
  if (b.timestamp) add_time(body, "timestamp", b.timestamp->seconds);
  if (b.usec) add_int(body, "usec", b.usec->value);
  if (b.seq_number) add_int(body, "seq-number", *b.seq_number);
  add_address(body, "s-address", b.s_address.addr_type, b.s_address.address);
  if (b.r_address) add_address(body, "r-address", b.r_address->addr_type, b.r_address->address);
  add_checksum(node, "cksum", r->cksum, walk);
}

void dump_krb_priv(Walk& walk, Bytes der, Node& parent) {
  auto r = kerb::decode_krb_priv(der);
  Node& node = parent.add("KRB-PRIV", {}, "object");
  if (!r) return walk.malformed(node, "KRB-PRIV", der, r.error().detail());
  add_int(node, "pvno", kerb::kPvno);
  add_enum(node, "msg-type", message_type_name(21), 21);
  Hint hint;
  hint.kind = KeyKind::kSession;
  hint.what = "KRB-PRIV enc-part";
  add_encrypted(walk, node, "enc-part", r->enc_part, {kerb::key_usage::kKrbPrivEncPart}, hint,
                [&](Bytes plain, Node& under, const KeyEntry*) {
                  dump_enc_krb_priv_part(walk, plain, under);
                });
}

void dump_enc_krb_cred_part(Walk& walk, Bytes plain, Node& under) {
  auto p = kerb::decode_enc_krb_cred_part(plain);
  Node& part = under.add("EncKrbCredPart", {}, "object");
  if (!p) return walk.malformed(part, "EncKrbCredPart", plain, p.error().detail());
  Node& infos = part.add("ticket-info", {}, "array");
  for (const kerb::KrbCredInfo& i : p->ticket_info) {
    Node& info = infos.add("KrbCredInfo", {}, "object");
    add_encryption_key(info, "key", i.key);
    if (i.prealm) add_string(info, "prealm", *i.prealm);
    if (i.pname) add_principal(info, "pname", *i.pname, i.prealm.value_or(""));
    if (i.flags) add_flags(info, "flags", FlagSet::kTicket, i.flags->bits);
    if (i.authtime) add_time(info, "authtime", i.authtime->seconds);
    if (i.starttime) add_time(info, "starttime", i.starttime->seconds);
    if (i.endtime) add_time(info, "endtime", i.endtime->seconds);
    if (i.renew_till) add_time(info, "renew-till", i.renew_till->seconds);
    if (i.srealm) add_string(info, "srealm", *i.srealm);
    if (i.sname) add_principal(info, "sname", *i.sname, i.srealm.value_or(""));
    if (i.caddr) add_addresses(info, "caddr", *i.caddr);
    std::optional<kerb::Principal> server, client;
    if (i.sname) server = to_principal(*i.sname, i.srealm.value_or(""));
    if (i.pname) client = to_principal(*i.pname, i.prealm.value_or(""));
    walk.keys.learn(i.key,
                    "session key from a KRB-CRED for " +
                        (server ? server->to_string() : std::string("a ticket")),
                    LearnedRole::kSessionKey, server, client);
  }
  if (p->nonce) add_int(part, "nonce", *p->nonce);
  if (p->timestamp) add_time(part, "timestamp", p->timestamp->seconds);
  if (p->usec) add_int(part, "usec", p->usec->value);
  if (p->s_address) add_address(part, "s-address", p->s_address->addr_type, p->s_address->address);
  if (p->r_address) add_address(part, "r-address", p->r_address->addr_type, p->r_address->address);
}

}  // namespace

void dump_krb_cred(Walk& walk, Bytes der, Node& parent, std::string name) {
  auto r = kerb::decode_krb_cred(der);
  Node& node = parent.add(std::move(name), {}, "object");
  if (!r) return walk.malformed(node, "KRB-CRED", der, r.error().detail());
  add_int(node, "pvno", kerb::kPvno);
  add_enum(node, "msg-type", message_type_name(22), 22);
  Node& tickets = node.add("tickets", {}, "array");
  // The enc-part first would teach the session keys, but the tickets come first on the wire
  // and need the service keys, not those: keep the RFC order.
  for (const kerb::Ticket& t : r->tickets)
    dump_ticket(walk, t.raw, tickets, "Ticket");
  if (r->enc_part.etype == kerb::crypto::EncType::kNone) {
    // RFC 4120 §5.8.1 allows a null enctype: the "cipher" is the EncKrbCredPart itself
    // (MIT's .kirbi files and the GSS delegation of most clients).
    Node& enc = node.add("enc-part", {}, "object");
    add_enc_fields(enc, r->enc_part);
    enc.note = "etype 0: not encrypted";
    dump_enc_krb_cred_part(walk, r->enc_part.cipher, enc);
    return;
  }
  Hint hint;
  hint.kind = KeyKind::kSession;
  hint.what = "KRB-CRED enc-part";
  add_encrypted(walk, node, "enc-part", r->enc_part, {kerb::key_usage::kKrbCredEncPart}, hint,
                [&](Bytes plain, Node& under, const KeyEntry*) {
                  dump_enc_krb_cred_part(walk, plain, under);
                });
}

void dump_ap_req(Walk& walk, Bytes der, Node& parent, std::string name, std::uint32_t usage) {
  auto r = kerb::decode_ap_req(der);
  Node& node = parent.add(std::move(name), {}, "object");
  if (!r) return walk.malformed(node, "AP-REQ", der, r.error().detail());
  const kerb::ApReq req = *r;
  add_int(node, "pvno", kerb::kPvno);
  add_enum(node, "msg-type", message_type_name(14), 14);
  add_flags(node, "ap-options", FlagSet::kApOptions, req.ap_options.bits);
  walk.ap_ticket_key.reset();
  walk.ap_subkey.reset();
  dump_ticket(walk, req.ticket.raw, node, "ticket");
  if (!walk.ap_ticket_key) {
    // Not opened here: a session key for the same ticket may be known (a ccache, a TGS-REP).
    const auto server = to_principal(req.ticket.sname, req.ticket.realm);
    for (const KeyEntry& k : walk.keys.keys())
      if ((k.origin == KeyOrigin::kCcache || k.origin == KeyOrigin::kLearned) &&
          k.role == LearnedRole::kSessionKey && k.principal && server && *k.principal == *server)
        walk.ap_ticket_key = k.key;
  }
  Hint hint;
  hint.kind = KeyKind::kSession;
  hint.what = "Authenticator";
  hint.principal = principal_text(req.ticket.sname, req.ticket.realm);
  const bool tgs = usage == kerb::key_usage::kTgsReqPaTgsReqAuthenticator;
  add_encrypted(walk, node, "authenticator", req.authenticator, {usage}, hint,
                [&](Bytes plain, Node& under, const KeyEntry*) {
                  dump_authenticator_plain(walk, plain, under, tgs);
                });
}

bool dump_kerberos(Walk& walk, Bytes der, Node& parent) {
  if (der.empty()) return false;
  if (const auto at = walk.offset_of(der)) walk.position = *at;
  const std::uint8_t first = der[0];
  if ((first & 0xE0) != 0x60) return false;  // [APPLICATION n], constructed
  const std::uint8_t n = first & 0x1F;

  switch (n) {
    case 1:
      dump_ticket(walk, der, parent, "Ticket");
      return true;
    case 2:
      dump_authenticator_plain(walk, der, parent, false);
      return true;
    case 3:
      dump_enc_ticket_part(walk, der, parent, nullptr, nullptr);
      return true;
    case 10:
      dump_kdc_req(walk, der, parent, true);
      return true;
    case 11:
      dump_kdc_rep(walk, der, parent, true);
      return true;
    case 12:
      dump_kdc_req(walk, der, parent, false);
      return true;
    case 13:
      dump_kdc_rep(walk, der, parent, false);
      return true;
    case 14:
      dump_ap_req(walk, der, parent, "AP-REQ", kerb::key_usage::kApReqAuthenticator);
      return true;
    case 15:
      dump_ap_rep(walk, der, parent);
      return true;
    case 20:
      dump_krb_safe(walk, der, parent);
      return true;
    case 21:
      dump_krb_priv(walk, der, parent);
      return true;
    case 22:
      dump_krb_cred(walk, der, parent, "KRB-CRED");
      return true;
    case 25:
    case 26: {
      kerb::KdcRep none;
      dump_enc_kdc_rep_part(walk, der, parent, none);
      return true;
    }
    case 27:
      dump_enc_ap_rep_part(walk, der, parent);
      return true;
    case 28:
      dump_enc_krb_priv_part(walk, der, parent);
      return true;
    case 29:
      dump_enc_krb_cred_part(walk, der, parent);
      return true;
    case 30:
      dump_krb_error(walk, der, parent);
      return true;
    default:
      return false;
  }
}

}  // namespace krbdump::detail
