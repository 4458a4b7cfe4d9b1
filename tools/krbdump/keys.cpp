#include "keys.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

#include <kerb/ccache.hpp>
#include <kerb/keytab.hpp>

namespace krbdump {
namespace {

using kerb::Error;
using kerb::ErrorCategory;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string enctype_label(kerb::crypto::EncType enctype) {
  std::string name(kerb::crypto::enctype_name(enctype));
  return name + " (" + std::to_string(static_cast<std::int32_t>(enctype)) + ")";
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Principal text as given, with the part's realm when it names none.
std::optional<kerb::Principal> password_principal(const std::string& text, std::string_view realm) {
  auto parsed = kerb::Principal::parse(text, realm);
  if (!parsed) return std::nullopt;
  return std::move(parsed).value();
}

bool same_name(const kerb::Principal& a, const kerb::Principal& b) {
  return a == b;
}

}  // namespace

kerb::Result<kerb::crypto::EncType> parse_enctype(std::string_view text) {
  if (text.empty()) return Error(ErrorCategory::kInvalidArgument, 0, "empty enctype");
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (text.size() > 9)
      return Error::format(ErrorCategory::kInvalidArgument, 0, "enctype number %.*s too large",
                           static_cast<int>(text.size()), text.data());
    std::int32_t n = 0;
    for (char c : text)
      n = n * 10 + (c - '0');
    return static_cast<kerb::crypto::EncType>(n);
  }
  const std::string want = lower(text);
  // MIT's aliases (krb5.conf permitted_enctypes spellings).
  struct Alias {
    std::string_view name;
    kerb::crypto::EncType enctype;
  };
  using E = kerb::crypto::EncType;
  static constexpr Alias kAliases[] = {
      {"arcfour-hmac", E{23}},     {"arcfour-hmac-md5", E{23}}, {"rc4", E{23}},
      {"aes256-cts", E{18}},       {"aes256-sha1", E{18}},      {"aes128-cts", E{17}},
      {"aes128-sha1", E{17}},      {"aes128-sha2", E{19}},      {"aes256-sha2", E{20}},
      {"camellia256-cts", E{26}},  {"camellia128-cts", E{25}},  {"des3-hmac-sha1", E{16}},
      {"des3-cbc-sha1-kd", E{16}},
  };
  for (const Alias& a : kAliases)
    if (want == a.name) return a.enctype;
  for (std::int32_t n = 1; n <= 26; ++n) {
    const auto e = static_cast<kerb::crypto::EncType>(n);
    if (want == kerb::crypto::enctype_name(e)) return e;
  }
  return Error::format(ErrorCategory::kInvalidArgument, 0, "unknown enctype \"%.*s\"",
                       static_cast<int>(text.size()), text.data());
}

std::string default_salt(const kerb::Principal& principal) {
  std::string salt(principal.realm());
  for (const std::string& c : principal.components())
    salt += c;
  return salt;
}

bool KeyRing::holds(const kerb::KeyBlock& key) const noexcept {
  for (const KeyEntry& e : keys_)
    if (e.key == key) return true;
  return false;
}

kerb::Result<void> KeyRing::add_keytab(std::string_view path) {
  auto keytab = kerb::Keytab::open(path);
  if (!keytab) return keytab.error();
  add_keytab_entries(std::move(*keytab), path);
  return {};
}

kerb::Result<void> KeyRing::add_keytab_bytes(std::span<const std::uint8_t> bytes,
                                             std::string_view label) {
  auto keytab = kerb::Keytab::read(bytes);
  if (!keytab) return keytab.error();
  add_keytab_entries(std::move(*keytab), label);
  return {};
}

void KeyRing::add_keytab_entries(kerb::Keytab keytab, std::string_view label) {
  for (kerb::KeytabEntry& entry : keytab.entries) {
    KeyEntry k;
    k.origin = KeyOrigin::kKeytab;
    k.source = "keytab " + std::string(label) + ": " + entry.principal.to_string() + " kvno " +
               std::to_string(entry.kvno) + " " + enctype_label(entry.key.enctype);
    k.principal = entry.principal;
    k.kvno = entry.kvno;
    k.key = std::move(entry.key);
    keys_.push_back(std::move(k));
  }
}

void KeyRing::add_password(std::string principal, std::string password,
                           std::optional<std::string> salt) {
  Password p;
  p.principal = std::move(principal);
  p.password.assign(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(password.data()), password.size()));
  kerb::crypto::secure_wipe(password.data(), password.size());
  p.salt = std::move(salt);
  passwords_.push_back(std::move(p));
}

kerb::Result<void> KeyRing::add_raw_key(std::string_view spec) {
  const std::size_t colon = spec.rfind(':');
  if (colon == std::string_view::npos)
    return Error(ErrorCategory::kInvalidArgument, 0, "--key wants ENCTYPE:HEX");
  auto enctype = parse_enctype(spec.substr(0, colon));
  if (!enctype) return enctype.error();
  const std::string_view hex = spec.substr(colon + 1);
  if (hex.size() % 2 != 0 || hex.empty())
    return Error(ErrorCategory::kInvalidArgument, 0,
                 "--key: the key is not an even number of hex digits");
  kerb::crypto::SecretBuffer bytes(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_digit(hex[i]);
    const int lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return Error::format(ErrorCategory::kInvalidArgument, 0,
                           "--key: not a hex digit at position %zu", colon + 1 + i);
    bytes.data()[i / 2] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  if (const auto* info = kerb::crypto::find_enctype(*enctype);
      info != nullptr && info->key_size != bytes.size())
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "--key: %s takes %zu key bytes, %zu given",
                         std::string(info->name).c_str(), info->key_size, bytes.size());
  auto block = kerb::KeyBlock::from_bytes(*enctype, bytes.view());
  if (!block) return block.error();
  KeyEntry k;
  k.origin = KeyOrigin::kRaw;
  k.key = std::move(block).value();
  const std::size_t n = std::count_if(
      keys_.begin(), keys_.end(), [](const KeyEntry& e) { return e.origin == KeyOrigin::kRaw; });
  k.source = "--key " + std::to_string(n + 1) + " " + enctype_label(*enctype);
  keys_.push_back(std::move(k));
  return {};
}

kerb::Result<void> KeyRing::add_ccache(std::string_view path) {
  auto cache = kerb::CcacheContents::open(path);
  if (!cache) return cache.error();
  std::string label(path);
  for (const kerb::Credentials& c : cache->credentials)
    learn(c.session_key,
          "session key of " + c.client.to_string() + " for " + c.server.to_string() + " (ccache " +
              label + ")",
          LearnedRole::kSessionKey, c.server, c.client);
  for (KeyEntry& k : keys_)
    if (k.origin == KeyOrigin::kLearned &&
        k.source.find("(ccache " + label + ")") != std::string::npos)
      k.origin = KeyOrigin::kCcache;
  return {};
}

kerb::Result<void> KeyRing::add_ccache_bytes(std::span<const std::uint8_t> bytes,
                                             std::string_view label) {
  auto cache = kerb::CcacheContents::read(bytes);
  if (!cache) return cache.error();
  const std::size_t first = keys_.size();
  for (const kerb::Credentials& c : cache->credentials)
    learn(c.session_key,
          "session key of " + c.client.to_string() + " for " + c.server.to_string() + " (ccache " +
              std::string(label) + ")",
          LearnedRole::kSessionKey, c.server, c.client);
  for (std::size_t i = first; i < keys_.size(); ++i)
    keys_[i].origin = KeyOrigin::kCcache;
  return {};
}

void KeyRing::learn(const kerb::EncryptionKey& key, std::string source, LearnedRole role,
                    std::optional<kerb::Principal> server, std::optional<kerb::Principal> client) {
  auto block = kerb::KeyBlock::from_bytes(key.keytype, key.keyvalue);
  if (!block) return;  // longer than any key: nothing to try it on
  learn(*block, std::move(source), role, std::move(server), std::move(client));
}

void KeyRing::learn(const kerb::KeyBlock& key, std::string source, LearnedRole role,
                    std::optional<kerb::Principal> server, std::optional<kerb::Principal> client) {
  if (key.contents.empty() || holds(key)) return;
  KeyEntry k;
  k.origin = KeyOrigin::kLearned;
  k.role = role;
  k.key = key;
  k.principal = std::move(server);
  k.client = std::move(client);
  k.source = std::move(source);
  keys_.push_back(std::move(k));
}

namespace {

kerb::Result<kerb::KeyBlock> cf2(const kerb::KeyBlock& k1, const kerb::KeyBlock& k2,
                                 std::string_view pepper1, std::string_view pepper2,
                                 const kerb::crypto::Policy& policy) {
  KERB_TRY(kerb::crypto::Key a, k1.to_key(policy));
  KERB_TRY(kerb::crypto::Key b, k2.to_key(policy));
  auto bytes = [](std::string_view s) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  };
  KERB_TRY(kerb::crypto::Key out, kerb::crypto::krb_fx_cf2(a, b, bytes(pepper1), bytes(pepper2)));
  return kerb::KeyBlock::from_key(out);
}

}  // namespace

kerb::Result<void> KeyRing::learn_fast_armor_key(const kerb::KeyBlock& subkey,
                                                 const kerb::KeyBlock& ticket_session_key,
                                                 std::string source) {
  KERB_TRY(kerb::KeyBlock armor,
           cf2(subkey, ticket_session_key, "subkeyarmor", "ticketarmor", policy_));
  learn(armor, std::move(source), LearnedRole::kFastArmorKey);
  return {};
}

kerb::Result<void> KeyRing::learn_fast_reply_key(const kerb::KeyBlock& strengthen_key,
                                                 const kerb::KeyBlock& reply_key,
                                                 std::string source) {
  KERB_TRY(kerb::KeyBlock key,
           cf2(strengthen_key, reply_key, "strengthenkey", "replykey", policy_));
  learn(key, std::move(source), LearnedRole::kFastReplyKey);
  return {};
}

void KeyRing::note_etype_info2(std::string principal, kerb::crypto::EncType enctype,
                               std::string salt, std::span<const std::uint8_t> s2kparams) {
  auto parsed = kerb::Principal::parse(principal);
  if (!parsed) return;
  note_etype_info2(*parsed, enctype,
                   salt.empty() ? std::nullopt : std::optional<std::string>(std::move(salt)),
                   s2kparams);
}

void KeyRing::note_etype_info2(const kerb::Principal& principal, kerb::crypto::EncType enctype,
                               std::optional<std::string> salt,
                               std::span<const std::uint8_t> s2kparams) {
  EtypeInfo2Seen seen;
  seen.realm = std::string(principal.realm());
  for (const std::string& c : principal.components())
    seen.name.push_back(c);
  seen.enctype = enctype;
  seen.salt = std::move(salt);
  seen.s2kparams.assign(s2kparams.begin(), s2kparams.end());
  for (const EtypeInfo2Seen& e : etype_info2_)
    if (e.realm == seen.realm && e.name == seen.name && e.enctype == enctype &&
        e.salt == seen.salt && e.s2kparams == seen.s2kparams)
      return;
  etype_info2_.push_back(std::move(seen));
}

std::vector<std::string> KeyRing::salts_for(const kerb::Principal& principal,
                                            kerb::crypto::EncType enctype) const {
  std::vector<std::string> salts;
  auto add = [&](std::string s) {
    if (std::find(salts.begin(), salts.end(), s) == salts.end()) salts.push_back(std::move(s));
  };
  for (const Password& p : passwords_) {
    auto who = password_principal(p.principal, principal.realm());
    if (!who || !same_name(*who, principal)) continue;
    if (p.salt) {
      add(*p.salt);
      continue;
    }
    bool from_kdc = false;
    for (const EtypeInfo2Seen& e : etype_info2_) {
      if (e.realm != principal.realm() || e.enctype != enctype) continue;
      if (!e.name.empty() &&
          !std::equal(e.name.begin(), e.name.end(), principal.components().begin(),
                      principal.components().end()))
        continue;
      add(e.salt ? *e.salt : default_salt(principal));
      from_kdc = true;
    }
    if (!from_kdc) add(default_salt(principal));
  }
  return salts;
}

std::vector<const KeyEntry*> KeyRing::password_keys(const kerb::Principal& principal,
                                                    kerb::crypto::EncType enctype,
                                                    std::vector<std::string>* failures) {
  std::vector<std::size_t> found;
  for (const Password& p : passwords_) {
    auto who = password_principal(p.principal, principal.realm());
    if (!who || !same_name(*who, principal)) continue;
    // The salts for this password (explicit, else from ETYPE-INFO2, else the default).
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> salts;
    if (p.salt) {
      salts.push_back({*p.salt, {}});
      for (const EtypeInfo2Seen& e : etype_info2_)
        if (e.realm == principal.realm() && e.enctype == enctype) salts.back().second = e.s2kparams;
    } else {
      for (const EtypeInfo2Seen& e : etype_info2_) {
        if (e.realm != principal.realm() || e.enctype != enctype) continue;
        if (!e.name.empty() &&
            !std::equal(e.name.begin(), e.name.end(), principal.components().begin(),
                        principal.components().end()))
          continue;
        salts.push_back({e.salt ? *e.salt : default_salt(principal), e.s2kparams});
      }
      if (salts.empty()) salts.push_back({default_salt(principal), {}});
    }
    for (const auto& [salt, params] : salts) {
      // Already derived?
      bool have = false;
      for (std::size_t i = 0; i < keys_.size(); ++i) {
        const KeyEntry& k = keys_[i];
        if (k.origin == KeyOrigin::kPassword && k.key.enctype == enctype && k.salt == salt &&
            k.principal && same_name(*k.principal, principal)) {
          if (std::find(found.begin(), found.end(), i) == found.end()) found.push_back(i);
          have = true;
        }
      }
      if (have) continue;
      const std::string_view password(reinterpret_cast<const char*>(p.password.data()),
                                      p.password.size());
      auto key = kerb::crypto::Key::from_password(
          enctype, password,
          std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(salt.data()),
                                        salt.size()),
          params, policy_);
      if (!key) {
        if (failures != nullptr)
          failures->push_back("password for " + principal.to_string() + " (salt \"" + salt +
                              "\"): " + std::string(key.error().detail()));
        continue;
      }
      KeyEntry k;
      k.origin = KeyOrigin::kPassword;
      k.key = kerb::KeyBlock::from_key(*key);
      k.principal = principal;
      k.salt = salt;
      k.source = "password for " + principal.to_string() + " (" + enctype_label(enctype) +
                 ", salt \"" + salt + "\")";
      keys_.push_back(std::move(k));
      found.push_back(keys_.size() - 1);
    }
  }
  std::vector<const KeyEntry*> out;
  for (std::size_t i : found)
    out.push_back(&keys_[i]);
  return out;
}

}  // namespace krbdump
