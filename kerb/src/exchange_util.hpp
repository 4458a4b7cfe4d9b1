// What kerb's exchanges share beyond <kerb/internal/sealed.hpp>: session keys from KDC
// replies and tickets, and the credentials a verified reply yields.
#pragma once

#include <kerb/credentials.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/internal/addresses.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/result.hpp>

namespace kerb::detail {

// A session key from a KDC reply or ticket: an enctype policy permits, of the right length.
inline Result<crypto::Key> session_key(const EncryptionKey& key, const crypto::Policy& policy) {
  return crypto::Key::from_bytes(key.keytype, key.keyvalue, policy);
}

// Fills c from a verified KDC reply: the ticket as the KDC sent it and what the encrypted part
// says of it (RFC 4120 §5.4.2); c's other members are left as they are.
inline Result<void> set_from_reply(Credentials& c, const Principal& client, const KdcRep& rep,
                                   const EncKdcRepPart& part, const crypto::Key& session_key) {
  c.client = client;
  c.server = Principal(part.srealm, part.sname);
  c.session_key = KeyBlock::from_key(session_key);
  c.authtime = part.authtime.seconds;
  c.starttime = part.starttime ? part.starttime->seconds : 0;
  c.endtime = part.endtime.seconds;
  c.renew_till = part.renew_till ? part.renew_till->seconds : 0;
  c.ticket_flags = part.flags.bits;
  KERB_TRY_VOID(set_addresses(c, part.caddr));
  c.ticket.assign(rep.ticket.raw.begin(), rep.ticket.raw.end());
  return ok();
}

}  // namespace kerb::detail
