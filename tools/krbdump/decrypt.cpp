#include "decrypt.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include <kerb/constants.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/key.hpp>

#include "names.hpp"

namespace krbdump {
namespace {

namespace ku = kerb::key_usage;

bool long_term_usage(std::uint32_t usage) {
  return usage == ku::kAsReqPaEncTimestamp || usage == ku::kTicket || usage == ku::kAsRepEncPart;
}

std::string origin_text(const KeyEntry& k) {
  switch (k.origin) {
    case KeyOrigin::kKeytab:
    case KeyOrigin::kPassword:
      return "a long-term key";
    case KeyOrigin::kRaw:
      return "a raw key";
    case KeyOrigin::kCcache:
    case KeyOrigin::kLearned:
      return k.role == LearnedRole::kSessionKey ? "a session key" : "a subkey";
  }
  return "a key";
}

bool is_long_term(const KeyEntry& k) {
  return k.origin == KeyOrigin::kKeytab || k.origin == KeyOrigin::kPassword;
}

bool is_session(const KeyEntry& k) {
  return k.origin == KeyOrigin::kCcache || k.origin == KeyOrigin::kLearned;
}

// Key versions travel as 8 bits in a keytab's old field and in some KDCs' replies.
bool kvno_matches(std::uint32_t key, std::uint32_t part) {
  return key == part || (part <= 0xff && (key & 0xff) == part);
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += "\"" + s + "\"";
  }
  return out;
}

// Decrypts with one key; on success the plaintext is in `plain`.
kerb::Result<void> try_key(const KeyEntry& k, const kerb::crypto::Policy& policy,
                           std::uint32_t usage, std::span<const std::uint8_t> cipher,
                           kerb::crypto::SecretBuffer& plain) {
  KERB_TRY(kerb::crypto::Key key, k.key.to_key(policy));
  KERB_TRY(std::size_t size, kerb::crypto::plaintext_size(key.enctype(), cipher.size()));
  plain.resize(size);
  KERB_TRY(std::size_t n, kerb::crypto::decrypt(key, usage, cipher, plain.mutable_view()));
  plain.resize(n);
  return {};
}

}  // namespace

std::string enctype_text(kerb::crypto::EncType enctype) {
  const std::int64_t number = static_cast<std::int32_t>(enctype);
  return named(enctype_name(number), number);
}

std::string key_usage_text(std::uint32_t usage) {
  return named(key_usage_name(usage), usage);
}

std::string DecryptOutcome::explain() const {
  std::string out = "needs " + need;
  if (tried.empty()) {
    out += "; no candidate key";
  } else {
    // Every candidate is accounted for, but a reason shared by several (a keytab's long-term
    // keys before a session-key part, say) is one entry naming the keys' owners once each.
    out += "; tried:";
    std::vector<bool> done(tried.size(), false);
    for (std::size_t i = 0; i < tried.size(); ++i) {
      if (done[i]) continue;
      std::size_t count = 0;
      for (std::size_t j = i; j < tried.size(); ++j)
        count += tried[j].why_not == tried[i].why_not ? 1 : 0;
      if (count < 3) {
        out += " [" + tried[i].key_source + ": " + tried[i].why_not + "]";
        continue;
      }
      std::vector<std::string> owners;
      for (std::size_t j = i; j < tried.size(); ++j) {
        if (tried[j].why_not != tried[i].why_not) continue;
        done[j] = true;
        const std::string& source = tried[j].key_source;
        std::string owner = source.substr(0, source.find(" kvno "));
        if (std::find(owners.begin(), owners.end(), owner) == owners.end())
          owners.push_back(std::move(owner));
      }
      out += " [" + std::to_string(count) + " keys: " + tried[i].why_not + " (";
      for (std::size_t k = 0; k < owners.size(); ++k)
        out += (k == 0 ? "" : "; ") + owners[k];
      out += ")]";
    }
  }
  if (!note.empty()) out += "; " + note;
  return out;
}

DecryptOutcome open(KeyRing& keys, const kerb::EncryptedData& data, std::uint32_t usage,
                    const Hint& hint) {
  DecryptOutcome out;
  const std::optional<std::uint32_t> kvno = data.kvno ? data.kvno : hint.kvno;
  const KeyKind kind = hint.kind != KeyKind::kAny
                           ? hint.kind
                           : (long_term_usage(usage) ? KeyKind::kLongTerm : KeyKind::kSession);
  std::optional<kerb::Principal> principal;
  if (!hint.principal.empty()) {
    auto parsed = kerb::Principal::parse(hint.principal);
    if (parsed) principal = std::move(parsed).value();
  }

  // What the part needs, in words.
  out.need = kind == KeyKind::kLongTerm ? "the long-term key of " : "a session key or subkey";
  if (kind == KeyKind::kLongTerm)
    out.need += hint.principal.empty() ? std::string("an unnamed principal") : hint.principal;
  else if (!hint.principal.empty())
    out.need += " of the ticket for " + hint.principal;
  if (kvno) out.need += ", kvno " + std::to_string(*kvno);
  out.need +=
      ", " + enctype_text(data.etype) + ", key usage " +
      (hint.what.empty() ? key_usage_text(usage) : hint.what + " (" + std::to_string(usage) + ")");

  const kerb::crypto::EncType etype = data.etype;
  const kerb::crypto::Policy& policy = keys.policy();
  if (auto checked = policy.check(etype); !checked) {
    out.note = "kerb cannot decrypt " + enctype_text(data.etype) + ": " +
               std::string(checked.error().detail());
    return out;
  }
  if (kerb::crypto::find_enctype(etype)->weak)
    out.note = "weak enctype " + enctype_text(data.etype) + " allowed for decoding";

  // Password keys for this principal and enctype (derived now; they join the ring).
  std::vector<std::string> failures;
  std::vector<std::string> salts;
  if (kind == KeyKind::kLongTerm && principal && keys.has_passwords()) {
    salts = keys.salts_for(*principal, data.etype);
    static_cast<void>(keys.password_keys(*principal, data.etype, &failures));
  } else if (kind == KeyKind::kLongTerm && !principal && keys.has_passwords()) {
    out.tried.push_back({"--password", "not tried: the part names no principal to salt it"});
  }
  for (const std::string& f : failures)
    out.tried.push_back({f, "could not derive the key"});

  bool password_failed = false;
  for (const KeyEntry& k : keys.keys()) {
    if (kind == KeyKind::kLongTerm && is_session(k)) {
      out.tried.push_back({k.source, origin_text(k) + ", the part needs a long-term key"});
      continue;
    }
    if (kind == KeyKind::kSession && is_long_term(k)) {
      out.tried.push_back({k.source, "a long-term key, the part needs a session key or subkey"});
      continue;
    }
    if (k.key.enctype != data.etype) {
      out.tried.push_back({k.source, "wrong enctype (key " + enctype_text(k.key.enctype) +
                                         ", part " + enctype_text(data.etype) + ")"});
      continue;
    }
    if (is_long_term(k) && principal && k.principal && !(*k.principal == *principal)) {
      out.tried.push_back(
          {k.source, "key of another principal (" + k.principal->to_string() + ")"});
      continue;
    }
    if (k.origin == KeyOrigin::kKeytab && kvno && k.kvno && !kvno_matches(*k.kvno, *kvno)) {
      out.tried.push_back({k.source, "wrong kvno (key " + std::to_string(*k.kvno) + ", part " +
                                         std::to_string(*kvno) + ")"});
      continue;
    }
    kerb::crypto::SecretBuffer plain;
    auto opened = try_key(k, policy, usage, data.cipher, plain);
    if (opened) {
      out.ok = true;
      out.plain = std::move(plain);
      out.key_source = k.source;
      out.key = &k;
      return out;
    }
    std::string why;
    if (opened.error().category() != kerb::ErrorCategory::kCrypto ||
        opened.error().detail().find("integrity") == std::string_view::npos) {
      why = "unusable: " + std::string(opened.error().detail());
    }
    if (why.empty() || opened.error().category() == kerb::ErrorCategory::kCrypto) {
      switch (k.origin) {
        case KeyOrigin::kPassword:
          why = "integrity check failed: wrong password or wrong salt (salt \"" + k.salt + "\")";
          password_failed = true;
          break;
        case KeyOrigin::kKeytab:
          why = "integrity check failed: not the key this part was encrypted in";
          break;
        case KeyOrigin::kRaw:
          why = "integrity check failed: wrong key";
          break;
        case KeyOrigin::kCcache:
        case KeyOrigin::kLearned:
          why = "integrity check failed: not this session's key";
          break;
      }
    }
    out.tried.push_back({k.source, why});
  }
  if (password_failed && !salts.empty()) {
    const std::string s = "salts tried: " + quoted_list(salts);
    out.note = out.note.empty() ? s : out.note + "; " + s;
  }
  return out;
}

kerb::Result<kerb::EncryptedData> fast_armored_rep(std::span<const std::uint8_t> padata_value) {
  // PA-FX-FAST-REPLY ::= CHOICE { armored-data [0] KrbFastArmoredRep }
  // KrbFastArmoredRep ::= SEQUENCE { enc-fast-rep [0] EncryptedData }
  kerb::der::Error fault;
  kerb::der::Reader in(padata_value, fault);
  kerb::der::Reader choice, seq, field;
  kerb::EncryptedData out;
  if (!in.read_element(kerb::der::ctx(0), choice) || !in.finish() || !choice.read_sequence(seq) ||
      !choice.finish() || !seq.read_element(kerb::der::ctx(0), field) ||
      !kerb::decode(field, out) || !field.finish())
    return kerb::der_error(fault, "PA-FX-FAST-REPLY");
  return out;
}

kerb::Result<std::optional<kerb::EncryptionKey>> fast_strengthen_key(
    std::span<const std::uint8_t> krb_fast_response) {
  // KrbFastResponse ::= SEQUENCE { padata [0], strengthen-key [1] EncryptionKey OPTIONAL,
  //                                finished [2] KrbFastFinished OPTIONAL, nonce [3] UInt32 }
  kerb::der::Error fault;
  kerb::der::Reader in(krb_fast_response, fault);
  kerb::der::Reader seq, skip;
  if (!in.read_sequence(seq) || !in.finish() || !seq.read_element(kerb::der::ctx(0), skip))
    return kerb::der_error(fault, "KrbFastResponse");
  std::optional<kerb::EncryptionKey> key;
  if (auto field = seq.read_optional(kerb::der::ctx(1))) {
    kerb::EncryptionKey k;
    if (!kerb::decode(*field, k) || !field->finish())
      return kerb::der_error(fault, "KrbFastResponse strengthen-key");
    key = k;
  }
  return key;
}

GssTokenOutcome open_gss_token(KeyRing& keys, std::span<const std::uint8_t> token,
                               std::span<const std::uint8_t> message) {
  GssTokenOutcome out;
  if (token.size() < 16) {
    out.error = "per-message token shorter than its 16-byte header";
    return out;
  }
  const std::uint16_t tok_id = static_cast<std::uint16_t>(token[0] << 8 | token[1]);
  const bool wrap = tok_id == 0x0504;
  if (!wrap && tok_id != 0x0404) {
    out.error = "not an RFC 4121 Wrap or MIC token (TOK_ID " + std::to_string(tok_id) + ")";
    return out;
  }
  const std::uint8_t flags = token[2];
  out.sent_by_acceptor = (flags & 0x01) != 0;
  out.sealed = wrap && (flags & 0x02) != 0;
  out.acceptor_subkey = (flags & 0x04) != 0;
  // RFC 4121 §4.2.6: Filler is one 0xFF for Wrap, five for MIC.
  if (token[3] != 0xff ||
      (!wrap && (token[4] != 0xff || token[5] != 0xff || token[6] != 0xff || token[7] != 0xff))) {
    out.error = "filler bytes are not 0xFF";
    return out;
  }
  for (int i = 8; i < 16; ++i)
    out.seq = out.seq << 8 | token[static_cast<std::size_t>(i)];
  // RFC 4121 §2: SEAL usages for every Wrap token (sealed or not), SIGN usages for MIC tokens.
  const std::uint32_t usage = out.sent_by_acceptor
                                  ? (wrap ? ku::kAcceptorSeal : ku::kAcceptorSign)
                                  : (wrap ? ku::kInitiatorSeal : ku::kInitiatorSign);
  const std::size_t ec = wrap ? static_cast<std::size_t>(token[4] << 8 | token[5]) : 0;
  const std::size_t rrc = wrap ? static_cast<std::size_t>(token[6] << 8 | token[7]) : 0;

  // Undo the right rotation by RRC (RFC 4121 §4.2.5).
  std::vector<std::uint8_t> body(token.begin() + 16, token.end());
  if (!body.empty() && rrc != 0) {
    const std::size_t r = rrc % body.size();
    std::rotate(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(r), body.end());
  }

  const kerb::crypto::Policy& policy = keys.policy();
  for (const KeyEntry& k : keys.keys()) {
    if (is_long_term(k)) continue;  // GSS tokens use the context's session key or subkeys
    auto key = k.key.to_key(policy);
    if (!key) {
      out.tried.push_back({k.source, "unusable: " + std::string(key.error().detail())});
      continue;
    }
    if (out.sealed) {
      kerb::crypto::SecretBuffer plain;
      auto size = kerb::crypto::plaintext_size(key->enctype(), body.size());
      if (!size) {
        out.tried.push_back({k.source, "token too short for " + enctype_text(k.key.enctype)});
        continue;
      }
      plain.resize(*size);
      auto n = kerb::crypto::decrypt(*key, usage, body, plain.mutable_view());
      if (!n) {
        out.tried.push_back({k.source, "integrity check failed: not this context's key"});
        continue;
      }
      plain.resize(*n);
      if (plain.size() < ec + 16) {
        out.error = "sealed Wrap token: plaintext shorter than EC + the header copy";
        return out;
      }
      // The encrypted copy of the header has RRC zero (RFC 4121 §4.2.4).
      const std::uint8_t* copy = plain.data() + plain.size() - 16;
      bool same = std::memcmp(copy, token.data(), 6) == 0 && copy[6] == 0 && copy[7] == 0 &&
                  std::memcmp(copy + 8, token.data() + 8, 8) == 0;
      if (!same) {
        out.error = "sealed Wrap token: the encrypted header copy differs from the header";
        return out;
      }
      plain.resize(plain.size() - ec - 16);
      out.message = std::move(plain);
      out.ok = true;
      out.key_source = k.source;
      return out;
    }
    // Wrap without confidentiality and MIC: checksum over data | header (EC, RRC zero for Wrap).
    auto ck = kerb::crypto::ChecksumKey::derive(*key, usage);
    if (!ck) {
      out.tried.push_back({k.source, "unusable: " + std::string(ck.error().detail())});
      continue;
    }
    std::vector<std::uint8_t> covered;
    std::span<const std::uint8_t> cksum;
    if (wrap) {
      if (body.size() < ec || ec != ck->size()) {
        out.tried.push_back({k.source, "checksum length " + std::to_string(ec) + " does not fit " +
                                           enctype_text(k.key.enctype)});
        continue;
      }
      covered.assign(body.begin(), body.end() - static_cast<std::ptrdiff_t>(ec));
      cksum = std::span<const std::uint8_t>(body).subspan(body.size() - ec);
      covered.insert(covered.end(), token.begin(), token.begin() + 16);
      covered[covered.size() - 12] = covered[covered.size() - 11] = 0;  // EC
      covered[covered.size() - 10] = covered[covered.size() - 9] = 0;   // RRC
    } else {
      if (message.empty() && body.empty()) break;
      covered.assign(message.begin(), message.end());
      covered.insert(covered.end(), token.begin(), token.begin() + 16);
      cksum = body;
    }
    if (ck->verify(covered, cksum)) {
      out.ok = true;
      out.key_source = k.source;
      if (wrap)
        out.message.assign(std::span<const std::uint8_t>(covered).first(covered.size() - 16));
      return out;
    }
    out.tried.push_back({k.source, "checksum did not verify: not this context's key"});
  }
  if (out.error.empty())
    out.error = keys.keys().empty() ? "no key given" : "no session key or subkey opened it";
  return out;
}

}  // namespace krbdump
