// GSS-API tokens: RFC 2743 §3.1 InitialContextTokens (Kerberos, RFC 4121 §4.1; SPNEGO,
// RFC 4178 §4.2), RFC 4121 §4.2 per-message tokens, and SPNEGO negotiation tokens.
#include <kerb/gss/spnego.hpp>
#include <kerb/gss/token.hpp>

#include "dump_internal.hpp"

namespace krbdump::detail {
namespace {

std::uint64_t be64(Bytes b) {
  std::uint64_t v = 0;
  for (std::uint8_t x : b)
    v = (v << 8) | x;
  return v;
}

// RFC 4121 §4.2.6: MIC (04 04) and Wrap (05 04) tokens.
void dump_per_message(Walk& walk, Bytes token, Node& parent) {
  const bool wrap = token[0] == 0x05;
  Node& node = parent.add(wrap ? "Wrap token (RFC 4121 §4.2.6.2)" : "MIC token (RFC 4121 §4.2.6.1)",
                          {}, "object");
  if (token.size() < 16) {
    walk.malformed(node, "token", token,
                   "per-message token: " + std::to_string(token.size()) +
                       " bytes, shorter than its 16-byte header at offset 0");
    return;
  }
  add_bytes(node, "TOK_ID", token.subspan(0, 2));
  const std::uint8_t flags = token[2];
  std::string f = "0x" + hex(token.subspan(2, 1));
  std::string names;
  if (flags & 1) names += "SentByAcceptor";
  if (flags & 2) names += std::string(names.empty() ? "" : ", ") + "Sealed";
  if (flags & 4) names += std::string(names.empty() ? "" : ", ") + "AcceptorSubkey";
  if (!names.empty()) f += " (" + names + ")";
  node.add("Flags", f, "flags");
  if (wrap) {
    add_bytes(node, "Filler", token.subspan(3, 1));
    add_int(node, "EC", (token[4] << 8) | token[5]);
    add_int(node, "RRC", (token[6] << 8) | token[7]);
  } else {
    add_bytes(node, "Filler", token.subspan(3, 5));
  }
  node.add("SND_SEQ", std::to_string(be64(token.subspan(8, 8))), "int");
  Node& body = add_bytes(node, wrap ? "Data" : "SGN_CKSUM", token.subspan(16));
  // A MIC in these exchanges covers the message the last Wrap token carried (gss-sample).
  GssTokenOutcome out =
      open_gss_token(walk.keys, token, wrap ? Bytes{} : Bytes(walk.last_unwrapped));
  if (out.ok) {
    body.note =
        (wrap ? (out.sealed ? "decrypted with " : "checksum verified with ") : "verified with ") +
        out.key_source;
    if (!wrap) body.note += ", over the message of the last Wrap token";
    if (wrap) {
      walk.last_unwrapped.assign(out.message.data(), out.message.data() + out.message.size());
      Node& m = add_bytes(body, "message", Bytes(out.message.data(), out.message.size()));
      if (printable(Bytes(out.message.data(), out.message.size())) && out.message.size() > 0)
        m.note = std::string(out.message.data(), out.message.data() + out.message.size());
    }
  } else {
    std::string why = out.error;
    for (const DecryptAttempt& a : out.tried)
      why += "; tried " + a.key_source + ": " + a.why_not;
    body.note = (wrap ? "not decrypted: " : "not verified: ") + why;
    if (wrap && (flags & 2)) walk.not_decrypted();
  }
}

void dump_krb5_inner(Walk& walk, Bytes inner, Node& node) {
  if (inner.size() < 2) {
    walk.malformed(node, "token", inner, "GSS token: no TOK_ID at offset 0");
    return;
  }
  const std::uint16_t id = static_cast<std::uint16_t>((inner[0] << 8) | inner[1]);
  const Bytes body = inner.subspan(2);
  switch (id) {
    case 0x0100:
      node.add("TOK_ID", "KRB_AP_REQ (0x0100)", "string");
      dump_ap_req(walk, body, node, "AP-REQ", 11);
      return;
    case 0x0200:
      node.add("TOK_ID", "KRB_AP_REP (0x0200)", "string");
      dump_kerberos(walk, body, node);
      return;
    case 0x0300:
      node.add("TOK_ID", "KRB_ERROR (0x0300)", "string");
      dump_kerberos(walk, body, node);
      return;
    default:
      node.add("TOK_ID", "0x" + hex(inner.subspan(0, 2)), "string");
      add_bytes(node, "innerToken", body);
      return;
  }
}

void dump_spnego(Walk& walk, Bytes token, Node& parent);

void dump_context_token(Walk& walk, Bytes token, Node& parent) {
  auto g = kerb::gss::parse_generic_token(token);
  Node& node = parent.add("InitialContextToken", {}, "object");
  if (!g) return walk.malformed(node, "GSS token", token, g.error().detail());
  node.add("thisMech", oid_text(g->mech_oid), "string");
  if (kerb::gss::is_krb5_mech(g->mech_oid)) return dump_krb5_inner(walk, g->inner, node);
  const Bytes spnego(kerb::gss::kSpnegoMechOid);
  if (std::equal(g->mech_oid.begin(), g->mech_oid.end(), spnego.begin(), spnego.end()))
    return dump_spnego(walk, token, node);
  add_bytes(node, "innerContextToken", g->inner);
}

const char* neg_state_name(kerb::gss::NegState s) {
  switch (s) {
    case kerb::gss::NegState::kAcceptCompleted:
      return "accept-completed";
    case kerb::gss::NegState::kAcceptIncomplete:
      return "accept-incomplete";
    case kerb::gss::NegState::kReject:
      return "reject";
    case kerb::gss::NegState::kRequestMic:
      return "request-mic";
  }
  return "";
}

void dump_mech_token(Walk& walk, Bytes t, Node& parent, std::string name) {
  Node& node = add_bytes(parent, std::move(name), t);
  if (walk.depth >= kMaxNesting) return;
  ++walk.depth;
  if (!t.empty() && t[0] == 0x60) {
    dump_context_token(walk, t, node);
  } else if (t.size() >= 2 && (t[0] == 0x04 || t[0] == 0x05) && t[1] == 0x04) {
    dump_per_message(walk, t, node);
  } else if (!dump_kerberos(walk, t, node)) {
    node.note = "not a Kerberos token";
  }
  --walk.depth;
}

void dump_spnego(Walk& walk, Bytes token, Node& parent) {
  auto n = kerb::gss::decode_negotiation_token(token);
  if (!n) {
    Node& node = parent.add("NegotiationToken", {}, "object");
    return walk.malformed(node, "SPNEGO token", token, n.error().detail());
  }
  if (n->init) {
    Node& node = parent.add("negTokenInit", {}, "object");
    Node& mechs = node.add("mechTypes", {}, "array");
    for (Bytes m : n->init->mech_types)
      mechs.add("MechType", oid_text(m), "string");
    if (n->init->req_flags) add_bytes(node, "reqFlags", n->init->req_flags->bytes);
    if (n->init->mech_token) dump_mech_token(walk, *n->init->mech_token, node, "mechToken");
    if (n->init->mech_list_mic) add_bytes(node, "mechListMIC", *n->init->mech_list_mic);
    return;
  }
  Node& node = parent.add("negTokenResp", {}, "object");
  const kerb::gss::NegTokenResp& r = *n->resp;
  if (r.neg_state)
    add_enum(node, "negState", neg_state_name(*r.neg_state), static_cast<int>(*r.neg_state));
  if (r.supported_mech) node.add("supportedMech", oid_text(*r.supported_mech), "string");
  if (r.response_token) dump_mech_token(walk, *r.response_token, node, "responseToken");
  if (r.mech_list_mic) {
    Node& mic = add_bytes(node, "mechListMIC", *r.mech_list_mic);
    if (r.mech_list_mic->size() >= 16 && (*r.mech_list_mic)[0] == 0x04 &&
        (*r.mech_list_mic)[1] == 0x04)
      dump_per_message(walk, *r.mech_list_mic, mic);
  }
}

}  // namespace

bool looks_like_gss(Bytes b) {
  if (b.empty()) return false;
  if (b[0] == 0x60 || b[0] == 0xa1) return true;
  return b.size() >= 16 && (b[0] == 0x04 || b[0] == 0x05) && b[1] == 0x04;
}

bool dump_gss(Walk& walk, Bytes token, Node& parent) {
  if (token.empty()) return false;
  if (token[0] == 0x60) {
    dump_context_token(walk, token, parent);
    return true;
  }
  if (token[0] == 0xa1) {
    dump_spnego(walk, token, parent);
    return true;
  }
  if (token.size() >= 2 && (token[0] == 0x04 || token[0] == 0x05) && token[1] == 0x04) {
    dump_per_message(walk, token, parent);
    return true;
  }
  return false;
}

}  // namespace krbdump::detail
