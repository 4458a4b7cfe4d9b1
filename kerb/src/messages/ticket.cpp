#include <kerb/messages/ticket.hpp>

#include <kerb/message_types.hpp>

#include "fields.hpp"

namespace kerb {

using fields::field;
using fields::put;

bool decode(der::Reader& in, Ticket& out) {
  der::Reader whole = in;
  der::Reader seq;
  if (!in.read_raw(der::app(application_tag::kTicket), out.raw) ||
      !fields::application_sequence(whole, application_tag::kTicket, seq)) {
    return false;
  }
  return fields::expect_int(seq, 0, kPvno, "tkt-vno must be 5") && field(seq, 1, out.realm) &&
         field(seq, 2, out.sname) && field(seq, 3, out.enc_part) && seq.finish();
}

void encode(der::Writer& out, const Ticket& value) {
  if (!value.raw.empty()) return out.write_raw(value.raw);
  out.application(application_tag::kTicket, [&] {
    out.sequence([&] {
      put(out, 0, kPvno);
      put(out, 1, value.realm);
      put(out, 2, value.sname);
      put(out, 3, value.enc_part);
    });
  });
}

bool decode(der::Reader& in, EncTicketPart& out) {
  der::Reader seq;
  out = EncTicketPart();
  return fields::application_sequence(in, application_tag::kEncTicketPart, seq) &&
         field(seq, 0, out.flags) && field(seq, 1, out.key) && field(seq, 2, out.crealm) &&
         field(seq, 3, out.cname) && field(seq, 4, out.transited) && field(seq, 5, out.authtime) &&
         field(seq, 6, out.starttime) && field(seq, 7, out.endtime) &&
         field(seq, 8, out.renew_till) && field(seq, 9, out.caddr) &&
         field(seq, 10, out.authorization_data) && seq.finish();
}

void encode(der::Writer& out, const EncTicketPart& value) {
  out.application(application_tag::kEncTicketPart, [&] {
    out.sequence([&] {
      put(out, 0, value.flags);
      put(out, 1, value.key);
      put(out, 2, value.crealm);
      put(out, 3, value.cname);
      put(out, 4, value.transited);
      put(out, 5, value.authtime);
      put(out, 6, value.starttime);
      put(out, 7, value.endtime);
      put(out, 8, value.renew_till);
      put(out, 9, value.caddr);
      put(out, 10, value.authorization_data);
    });
  });
}

}  // namespace kerb
