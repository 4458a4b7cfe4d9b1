// The KRB-ERROR token that answers a refused AP-REQ (RFC 4121 §4.1), addressed from the service
// the AP-REQ's ticket names, as MIT's acceptor sends it.
#include "krb_error_reply.hpp"

#include <optional>
#include <utility>
#include <vector>

#include <kerb/gss/acceptor.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/principal.hpp>

namespace kerb::gss::detail {

Result<std::optional<std::vector<std::uint8_t>>> krb_error_reply(Bytes framed_ap_req,
                                                                 const Error& why,
                                                                 const Clock& clock) {
  using Reply = std::optional<std::vector<std::uint8_t>>;
  auto token = parse_framed_token(framed_ap_req);
  if (!token || token->tok_id != TokenId::kApReq) return Reply();
  auto ap_req = decode_ap_req(token->body);
  if (!ap_req) return Reply();
  const Principal service(ap_req->ticket.realm, ap_req->ticket.sname);
  KERB_TRY(std::vector<std::uint8_t> krb_error, error_token(why, service, clock));
  return Reply(std::move(krb_error));
}

}  // namespace kerb::gss::detail
