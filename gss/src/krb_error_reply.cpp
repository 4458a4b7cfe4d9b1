// The KRB-ERROR token that answers a refused AP-REQ (RFC 4121 §4.1), addressed from the service
// the AP-REQ's ticket names, as MIT's acceptor sends it.
#include "krb_error_reply.hpp"

#include <utility>

#include <kerb/gss/acceptor.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/principal.hpp>

namespace kerb::gss::detail {

std::vector<std::uint8_t> krb_error_reply(Bytes framed_ap_req, const Error& why,
                                          const Clock& clock) {
  auto token = parse_framed_token(framed_ap_req);
  if (!token || token->tok_id != TokenId::kApReq) return {};
  auto ap_req = decode_ap_req(token->body);
  if (!ap_req) return {};
  const Principal service(ap_req->ticket.realm, ap_req->ticket.sname);
  auto krb_error = error_token(why, service, clock);
  return krb_error ? std::move(krb_error).value() : std::vector<std::uint8_t>{};
}

}  // namespace kerb::gss::detail
