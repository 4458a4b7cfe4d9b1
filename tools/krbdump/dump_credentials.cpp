// MIT credentials caches (file format versions 1 to 4) and keytabs (versions 1 and 2), read
// with kerb's own codecs; their keys join the key ring for the inputs that follow.
#include <kerb/ccache.hpp>
#include <kerb/keytab.hpp>

#include "dump_internal.hpp"

namespace krbdump::detail {
namespace {

void add_keyblock(Node& parent, std::string name, const kerb::KeyBlock& key) {
  Node& node = parent.add(std::move(name), {}, "object");
  add_enctype(node, "keytype", key.enctype);
  add_bytes(node, "keyvalue", key.contents.view());
}

}  // namespace

void dump_ccache(Walk& walk, Bytes bytes, Node& parent) {
  auto cc = kerb::CcacheContents::read(bytes);
  Node& node = parent.add("ccache", {}, "object");
  if (!cc) return walk.malformed(node, "ccache", bytes, cc.error().detail());
  char version[8];
  std::snprintf(version, sizeof version, "0x%04x", cc->version);
  Node& v = node.add("file-format-version", version, "string");
  v.note = "version " + std::to_string(cc->version & 0xff) +
           ((cc->version & 0xff) <= 2 ? ", integers in the writer's native byte order" : "");
  if ((cc->version & 0xff) == 4) {
    Node& header = node.add("header", {}, "object");
    if (cc->kdc_offset) {
      Node& tag = header.add("DeltaTime", {}, "object");
      tag.note = "tag 1: the KDC's clock minus the client's";
      add_int(tag, "time_offset", cc->kdc_offset->seconds);
      add_int(tag, "usec_offset", cc->kdc_offset->microseconds);
    }
  }
  add_owned_principal(node, "default-principal", cc->default_principal);
  if (!cc->config.empty()) {
    // MIT's X-CACHECONF: entries (krb5_cc_set_config), stored as credentials in the file.
    Node& config = node.add("config", {}, "array");
    for (const kerb::ConfigEntry& e : cc->config) {
      Node& entry = config.add("config-entry", {}, "object");
      add_string(entry, "key", e.key);
      if (!e.principal.empty()) add_string(entry, "principal", e.principal);
      Node& value = add_bytes(entry, "value", e.value);
      if (printable(e.value) && !e.value.empty()) value.note = std::string(e.value_text());
    }
  }
  Node& creds = node.add("credentials", {}, "array");
  for (const kerb::Credentials& c : cc->credentials) {
    Node& cred = creds.add("credential", {}, "object");
    add_owned_principal(cred, "client", c.client);
    add_owned_principal(cred, "server", c.server);
    add_keyblock(cred, "keyblock", c.session_key);
    add_time(cred, "authtime", c.authtime);
    if (c.starttime != 0) add_time(cred, "starttime", c.starttime);
    add_time(cred, "endtime", c.endtime);
    if (c.renew_till != 0) add_time(cred, "renew-till", c.renew_till);
    cred.add("is_skey", c.is_skey ? "true" : "false", "bool");
    add_flags(cred, "ticket_flags", FlagSet::kTicket, c.ticket_flags);
    Node& addrs = cred.add("addresses", {}, "array");
    for (const auto& a : c.addresses)
      add_address(addrs, "address", a.addr_type, a.address);
    Node& ad = cred.add("authdata", {}, "array");
    for (const auto& a : c.authdata) {
      Node& e = ad.add("authdata", {}, "object");
      add_enum(e, "ad-type", ad_type_name(a.ad_type), a.ad_type);
      add_bytes(e, "ad-data", a.ad_data);
    }
    if (kerb::CcacheContents::is_config_principal(c.server)) {
      Node& data = add_bytes(cred, "ticket", c.ticket);
      data.note = "configuration entry (X-CACHECONF:)";
      if (printable(c.ticket)) data.note += ": " + std::string(c.ticket.begin(), c.ticket.end());
      continue;
    }
    walk.keys.learn(c.session_key,
                    "session key from ccache " + walk.label + " for " + c.server.to_string(),
                    LearnedRole::kSessionKey, c.server, c.client);
    if (!c.ticket.empty()) dump_ticket(walk, c.ticket, cred, "ticket");
    if (!c.second_ticket.empty()) dump_ticket(walk, c.second_ticket, cred, "second_ticket");
  }
}

void dump_keytab(Walk& walk, Bytes bytes, Node& parent) {
  auto kt = kerb::Keytab::read(bytes);
  Node& node = parent.add("keytab", {}, "object");
  if (!kt) return walk.malformed(node, "keytab", bytes, kt.error().detail());
  char version[8];
  std::snprintf(version, sizeof version, "0x%04x", kt->version);
  Node& v = node.add("file-format-version", version, "string");
  v.note = (kt->version & 0xff) == 1 ? "version 1, integers in the writer's native byte order"
                                     : "version 2";
  Node& entries = node.add("entries", {}, "array");
  for (const kerb::KeytabEntry& e : kt->entries) {
    Node& entry = entries.add("entry", {}, "object");
    add_owned_principal(entry, "principal", e.principal);
    add_time(entry, "timestamp", e.timestamp);
    add_int(entry, "vno", e.kvno);
    add_keyblock(entry, "key", e.key);
  }
  // The keys open what the following inputs hold (a keytab, then a capture).
  (void)walk.keys.add_keytab_bytes(bytes, walk.label);
}

}  // namespace krbdump::detail
