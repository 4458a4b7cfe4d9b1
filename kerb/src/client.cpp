#include <kerb/client.hpp>

#include <cstring>

#include <kerb/ccache.hpp>
#include <kerb/constants.hpp>
#include <kerb/messages/padata.hpp>

namespace kerb {

Result<ClientOptions> ClientOptions::from_config(const Config& config) {
  ClientOptions o;
  KERB_TRY(o.clockskew, config.clockskew());
  KERB_TRY(o.kdc_timesync, config.kdc_timesync());
  KERB_TRY(o.ticket_lifetime, config.ticket_lifetime());
  KERB_TRY(o.renew_lifetime, config.renew_lifetime());
  KERB_TRY(o.forwardable, config.forwardable());
  KERB_TRY(bool allow_weak, config.allow_weak_crypto());
  KERB_TRY(std::vector<crypto::EncType> tkt, config.default_tkt_enctypes());
  KERB_TRY(std::vector<crypto::EncType> permitted, config.permitted_enctypes());
  // The client's list: default_tkt_enctypes limited to permitted_enctypes, in the former's
  // order; enctypes kerb does not implement (or weak ones when not allowed) are dropped.
  std::vector<crypto::EncType> list;
  for (crypto::EncType enctype : tkt.empty() ? permitted : tkt) {
    bool ok = permitted.empty();
    for (crypto::EncType p : permitted)
      ok = ok || p == enctype;
    const crypto::EncTypeInfo* info = crypto::find_enctype(enctype);
    if (!ok || info == nullptr || (info->weak && !allow_weak)) continue;
    bool dup = false;
    for (crypto::EncType x : list)
      dup = dup || x == enctype;
    if (!dup && list.size() < crypto::Policy::kMaxEnctypes) list.push_back(enctype);
  }
  if (!list.empty()) {
    KERB_TRY(o.policy, crypto::Policy::from_list(list, allow_weak));
  } else if (allow_weak) {
    o.policy.allow_rc4_hmac();
  }
  for (std::string_view client : config.subsection_names({"capaths"})) {
    for (std::string_view server : config.tag_names({"capaths", client})) {
      KERB_TRY(std::optional<std::vector<std::string_view>> path, config.capaths(client, server));
      if (!path) continue;
      o.capaths.push_back({std::string(client), std::string(server), {path->begin(), path->end()}});
    }
  }
  return o;
}

const ClientHints* Client::hints(const Principal& client) const noexcept {
  const std::string key = client.to_string();
  if (first_hints_ && first_hints_->first == key) return &first_hints_->second;
  for (const auto& [name, hints] : hints_) {
    if (name == key) return &hints;
  }
  return nullptr;
}

// The first principal's hints are kept inline: an app with one user allocates no entry.
void Client::set_hints(const Principal& client, ClientHints hints) {
  std::string key = client.to_string();
  if (first_hints_ && first_hints_->first == key) {
    first_hints_->second = std::move(hints);
    return;
  }
  for (auto& [name, h] : hints_) {
    if (name == key) {
      h = std::move(hints);
      return;
    }
  }
  if (!first_hints_) {
    first_hints_.emplace(std::move(key), std::move(hints));
  } else {
    hints_.emplace_back(std::move(key), std::move(hints));
  }
}

AsContext Client::as_context(const Principal& client) const {
  AsContext c;
  c.policy = options_.policy;
  c.clock = options_.clock;
  c.random = options_.random;
  c.clockskew = options_.clockskew;
  c.kdc_timesync = options_.kdc_timesync;
  c.work_buffer = options_.work_buffer;
  if (const ClientHints* h = hints(client)) c.hints = *h;
  c.fast_armor = options_.fast_armor;
  c.require_fast = options_.require_fast;
  return c;
}

ApContext Client::ap_context(const Principal& client) const {
  ApContext c;
  c.policy = options_.policy;
  c.clock = options_.clock;
  c.random = options_.random;
  c.clockskew = options_.clockskew;
  c.work_buffer = options_.work_buffer;
  if (const ClientHints* h = hints(client)) c.clock_offset = h->clock_offset;
  return c;
}

AsOptions Client::with_defaults(AsOptions as) const {
  if (options_.forwardable) as.kdc_options |= kdc_options::kForwardable;
  if (as.renew_lifetime == 0) as.renew_lifetime = options_.renew_lifetime;
  return as;
}

// Without a work buffer the reply is `heap_reply`. With one, the request is at its front (the
// exchange put it there); the reply is received after it and moved to the buffer's end, where
// on_reply keeps it while the exchange works in between.
Result<std::span<const std::uint8_t>> Client::round_trip(std::string_view realm,
                                                         std::span<const std::uint8_t> request,
                                                         std::vector<std::uint8_t>& heap_reply) {
  const std::span<std::uint8_t> work = options_.work_buffer;
  if (work.empty() || request.data() != work.data()) {
    KERB_TRY(heap_reply, transport_.exchange(realm, request));
    return std::span<const std::uint8_t>(heap_reply);
  }
  KERB_TRY(std::span<const std::uint8_t> got,
           transport_.exchange_into(realm, request, work.subspan(request.size())));
  const std::span<std::uint8_t> reply = work.last(got.size());
  std::memmove(reply.data(), got.data(), got.size());
  note_needed(request.size() + reply.size());
  return std::span<const std::uint8_t>(reply);
}

template <class Exchange>
Result<typename Exchange::Step> Client::step(Exchange& exchange, std::string_view realm,
                                             std::vector<std::uint8_t>& heap_reply) {
  Result<std::span<const std::uint8_t>> reply = round_trip(realm, exchange.request(), heap_reply);
  Result<typename Exchange::Step> next =
      reply ? exchange.on_reply(*reply) : Result<typename Exchange::Step>(reply.error());
  note_needed(exchange.work_needed());
  return next;
}

Result<Credentials> Client::run_as(const Principal& client, Result<AsExchange> exchange) {
  if (!exchange) return exchange.error();
  AsExchange& as = *exchange;
  std::vector<std::uint8_t> heap_reply;
  while (true) {
    KERB_TRY(AsExchange::Step done, step(as, client.realm(), heap_reply));
    if (done == AsExchange::Step::kDone) break;
  }
  set_hints(client, as.hints());
  return as.take_credentials();
}

Result<Credentials> Client::login_password(const Principal& client, std::string_view password,
                                           AsOptions as) {
  return run_as(client,
                AsExchange::with_password(client, password, with_defaults(as), as_context(client)));
}

Result<Credentials> Client::login_keytab(const Principal& client, const Keytab& keytab,
                                         AsOptions as) {
  // The client's keys of every enctype, highest key version first (MIT's kinit -k).
  std::vector<KeyBlock> keys;
  for (crypto::EncType e : options_.policy.enctypes()) {
    auto entry = keytab.find_client_key(client, std::nullopt, e);
    if (entry) keys.push_back((*entry)->key);
  }
  if (keys.empty()) {
    return Error::format(ErrorCategory::kPolicy, 0, "the keytab holds no usable key for %s",
                         client.to_string().c_str());
  }
  return run_as(client, AsExchange::with_keys(client, keys, with_defaults(as), as_context(client)));
}

Result<Credentials> Client::service_ticket(const Credentials& tgt, const Principal& service,
                                           TgsOptions tgs) {
  if (options_.forwardable && (tgt.ticket_flags & ticket_flags::kForwardable)) {
    tgs.kdc_options |= kdc_options::kForwardable;
  }
  // A service of another realm is reached along [capaths] when the caller gave no path.
  if (tgs.capath.empty() && !service.realm().empty()) {
    for (const ClientOptions::Capath& c : options_.capaths) {
      if (c.client_realm == tgt.server.realm() && c.server_realm == service.realm()) {
        tgs.capath = c.path;
        break;
      }
    }
  }
  // Armored as the login was (RFC 6113 §5.4.1.1: the TGT itself is the armor), with the
  // armor's FAST operations: without armor there are none to armor with.
  if (options_.fast_armor) {
    tgs.fast = &options_.fast_armor->operations();
  } else if (options_.require_fast && tgs.fast == nullptr) {
    return Error(ErrorCategory::kPolicy,
                 "FAST is required but no armor was given (ClientOptions::fast_armor): refusing "
                 "an unarmored TGS request");
  }
  KERB_TRY(TgsExchange exchange,
           TgsExchange::for_service(tgt, service, tgs, ap_context(tgt.client)));
  std::vector<std::uint8_t> heap_reply;
  while (true) {
    KERB_TRY(TgsExchange::Step done, step(exchange, exchange.kdc_realm(), heap_reply));
    if (done == TgsExchange::Step::kDone) return exchange.take_credentials();
  }
}

Result<Credentials> Client::renew(const Credentials& ticket) {
  KERB_TRY(TgsExchange exchange, TgsExchange::renew(ticket, ap_context(ticket.client)));
  std::vector<std::uint8_t> heap_reply;
  KERB_TRY(TgsExchange::Step done, step(exchange, exchange.kdc_realm(), heap_reply));
  if (done != TgsExchange::Step::kDone) {
    return Error(ErrorCategory::kProtocol, "a renewal was answered with a referral");
  }
  return exchange.take_credentials();
}

// --- password change (RFC 3244) ---

Result<Credentials> Client::changepw_ticket(const Principal& client, std::string_view password) {
  // As MIT's kinit and kpasswd ask for it: kadmin/changepw directly from the AS (its ticket is
  // not issued from a TGT), short-lived, neither forwardable nor renewable.
  AsOptions as;
  as.lifetime = 300;
  as.service =
      Principal(client.realm(), PrincipalName(NameType::kPrincipal, {"kadmin", "changepw"}));
  // Armored as a login is (as_context): the old password goes out only as FAST's encrypted
  // challenge.
  return run_as(client, AsExchange::with_password(client, password, as, as_context(client)));
}

Result<void> Client::change_password(const Credentials& changepw, std::string_view new_password) {
  if (kpasswd_transport_ == nullptr)
    return Error(ErrorCategory::kConfig,
                 "no kpasswd transport: Client::set_kpasswd_transport "
                 "(kpasswd_transport_from_config)");
  KpasswdContext context;
  context.policy = options_.policy;
  context.clock = options_.clock;
  context.random = options_.random;
  if (const ClientHints* h = hints(changepw.client)) context.clock_offset = h->clock_offset;
  KERB_TRY(KpasswdExchange exchange, KpasswdExchange::start(changepw, new_password, context));
  KERB_TRY(std::vector<std::uint8_t> reply,
           kpasswd_transport_->exchange(changepw.server.realm(), exchange.request()));
  KERB_TRY(KpasswdOutcome outcome, exchange.on_reply(reply));
  return kpasswd_outcome_error(outcome);
}

Result<void> Client::change_password(const Principal& client, std::string_view old_password,
                                     std::string_view new_password) {
  KERB_TRY(Credentials changepw, changepw_ticket(client, old_password));
  return change_password(changepw, new_password);
}

Result<void> save_hints(CredentialCache& cache, const Principal& client, const ClientHints& hints) {
  KERB_TRY_VOID(cache.set_kdc_offset(KdcOffset{static_cast<std::int32_t>(hints.clock_offset), 0}));
  if (!hints.etype_info) return ok();
  const ClientHints::EtypeInfo& e = *hints.etype_info;
  EtypeInfo2Entry entry;
  entry.etype = e.etype;
  if (e.salt) entry.salt = *e.salt;
  if (!e.s2kparams.empty()) entry.s2kparams = Bytes(e.s2kparams);
  der::Writer w;
  encode(w, entry);
  if (!w.ok()) return Error(ErrorCategory::kInvalidArgument, "ETYPE-INFO2 hint encoding");
  return cache.set_config(kEtypeInfoConfigKey, client.to_string(), w.bytes());
}

Result<Credentials> armor_from_ccache(std::string_view ccache_name, std::string_view realm) {
  KERB_TRY(CcacheContents cc, CcacheContents::open(ccache_name));
  const Principal tgs(realm, PrincipalName(NameType::kSrvInst, {kTgsName, realm}));
  const Credentials* tgt = cc.find(tgs);
  if (tgt == nullptr) {
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "the armor ccache %.*s holds no TGT of realm %.*s",
                         static_cast<int>(ccache_name.size()), ccache_name.data(),
                         static_cast<int>(realm.size()), realm.data());
  }
  return *tgt;
}

Result<ClientHints> load_hints(const CredentialCache& cache, const Principal& client) {
  ClientHints hints;
  KERB_TRY(std::optional<KdcOffset> offset, cache.kdc_offset());
  if (offset) hints.clock_offset = offset->seconds;
  KERB_TRY(std::optional<std::vector<std::uint8_t>> value,
           cache.get_config(kEtypeInfoConfigKey, client.to_string()));
  if (!value) return hints;
  auto entry = decode_der<EtypeInfo2Entry>(*value, "ETYPE-INFO2-ENTRY");
  if (!entry) return hints;
  ClientHints::EtypeInfo info;
  info.etype = entry->etype;
  if (entry->salt) info.salt = std::string(*entry->salt);
  if (entry->s2kparams) info.s2kparams.assign(entry->s2kparams->begin(), entry->s2kparams->end());
  hints.etype_info = std::move(info);
  return hints;
}

}  // namespace kerb
