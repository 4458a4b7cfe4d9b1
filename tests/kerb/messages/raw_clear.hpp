// clear_raw: forgets the bytes a decode kept, so that encoding rebuilds every structure from
// its fields (the decode -> encode checks of the message and exchange tests).
#pragma once

#include <span>
#include <vector>

#include <kerb/messages/ap.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_cred.hpp>
#include <kerb/messages/krb_priv.hpp>
#include <kerb/messages/krb_safe.hpp>
#include <kerb/messages/ticket.hpp>
#include <kerb/messages/types.hpp>

namespace kerb::test {

// Decoders keep the encodings of Ticket, req-body, KRB-SAFE-BODY and every enc-part, and the
// encoders write those back (DESIGN.md convention 8). A decode -> encode check must clear them
// first, or it compares the input with itself; clear_raw does so recursively, rebuilding a
// SEQUENCE OF Ticket into `storage` (which must outlive the encode).
struct RawStorage {
  std::vector<std::vector<Ticket>> tickets;
};

inline void clear_raw(Ticket& t, RawStorage&) {
  t.raw = {};
}

inline SequenceOf<Ticket> without_raw(const SequenceOf<Ticket>& tickets, RawStorage& storage) {
  std::vector<Ticket>& items = storage.tickets.emplace_back();
  for (Ticket t : tickets) {
    t.raw = {};
    items.push_back(t);
  }
  return SequenceOf<Ticket>(std::span<const Ticket>(items));
}

inline void clear_raw(KdcReqBody& b, RawStorage& storage) {
  b.raw = {};
  if (b.additional_tickets) b.additional_tickets = without_raw(*b.additional_tickets, storage);
}
inline void clear_raw(KdcReq& r, RawStorage& storage) {
  clear_raw(r.req_body, storage);
}
inline void clear_raw(KdcRep& r, RawStorage& storage) {
  r.enc_part_raw = {};
  clear_raw(r.ticket, storage);
}
inline void clear_raw(ApReq& r, RawStorage& storage) {
  r.authenticator_raw = {};
  clear_raw(r.ticket, storage);
}
inline void clear_raw(ApRep& r, RawStorage&) {
  r.enc_part_raw = {};
}
inline void clear_raw(KrbSafeBody& b, RawStorage&) {
  b.raw = {};
}
inline void clear_raw(KrbSafe& s, RawStorage& storage) {
  clear_raw(s.safe_body, storage);
}
inline void clear_raw(KrbPriv& p, RawStorage&) {
  p.enc_part_raw = {};
}
inline void clear_raw(KrbCred& c, RawStorage& storage) {
  c.enc_part_raw = {};
  c.tickets = without_raw(c.tickets, storage);
}
// Every other message type keeps no bytes of its input (a new kept span must be cleared above).
template <class T>
void clear_raw(T&, RawStorage&) {
  static_assert(
      !requires(T t) { t.raw; } && !requires(T t) { t.enc_part_raw; } &&
          !requires(T t) { t.authenticator_raw; },
      "clear_raw needs an overload for this type");
}

}  // namespace kerb::test
