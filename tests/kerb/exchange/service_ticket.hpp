// A service and a ticket for it, as the AP exchange tests (kerb and GSS) set them up: the
// service's keytab entry as the KDC exported it a day ago, and the TicketSpec of a service
// ticket issued a minute ago for an hour (RFC 4120 §5.3), for the synthetic KDC of
// fake_kdc.hpp to seal.
#pragma once

#include <cstdint>
#include <utility>

#include <kerb/credentials.hpp>
#include <kerb/keytab.hpp>

#include "fake_kdc.hpp"

namespace kerb::test {

// The service's long-term key of version `kvno`, as its keytab holds it.
inline void add_service_key(Keytab& keytab, const Principal& service, std::uint32_t kvno,
                            KeyBlock key) {
  KeytabEntry e;
  e.principal = service;
  e.timestamp = kNow - 86400;
  e.kvno = kvno;
  e.key = std::move(key);
  keytab.add(std::move(e));
}

inline void add_service_key(Keytab& keytab, const Principal& service, std::uint32_t kvno,
                            const crypto::Key& key) {
  add_service_key(keytab, service, kvno, KeyBlock::from_key(key));
}

// A ticket from `client` to `service` under `service_key` (version `kvno`), with a session key
// of `session` made by key_bytes(session, session_first); no flags set.
inline TicketSpec service_ticket_spec(const Principal& client, const Principal& service,
                                      const crypto::Key& service_key, std::uint32_t kvno,
                                      EncType session, std::uint8_t session_first) {
  TicketSpec t;
  t.server = service;
  t.client = client;
  t.service_key = &service_key;
  t.kvno = kvno;
  t.session_keytype = static_cast<std::int32_t>(session);
  t.session_key = key_bytes(session, session_first);
  t.authtime = kNow - 60;
  t.endtime = kNow + 3600;
  return t;
}

}  // namespace kerb::test
