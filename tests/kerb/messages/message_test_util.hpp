// Shared helpers of the message tests: MIT's reference encodings, a table of every
// decoder with its re-encoding, and a small DER tree editor for building malformed inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/der/reader.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_cred.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/krb_priv.hpp>
#include <kerb/messages/krb_safe.hpp>
#include <kerb/messages/padata.hpp>
#include <kerb/messages/ticket.hpp>
#include <kerb/messages/types.hpp>

#include "hex_bytes.hpp"
#include "raw_clear.hpp"

namespace kerb::test {

inline std::string_view text(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

inline ByteView bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// One line of tests/data/mit_reference_encode.txt: "name: hex".
struct Reference {
  std::string name;  // e.g. "encode_krb5_as_req(optionals NULL except server)"
  std::string base;  // e.g. "encode_krb5_as_req"
  Bytes bytes;
};

inline std::vector<Reference> load_references() {
  std::ifstream in(KERB_MIT_REFERENCE_ENCODE);
  if (!in) throw std::runtime_error("cannot open " KERB_MIT_REFERENCE_ENCODE);
  std::vector<Reference> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t colon = line.find(": ");
    if (colon == std::string::npos) throw std::runtime_error("malformed line: " + line);
    Reference r;
    r.name = line.substr(0, colon);
    r.base = r.name.substr(0, r.name.find_first_of(" ("));
    r.bytes = hex(std::string_view(line).substr(colon + 2));
    out.push_back(std::move(r));
  }
  return out;
}

// The reference encoding called `name` (exactly). The bytes live as long as the program, so
// decoded views into them never dangle.
inline const Bytes& reference(std::string_view name) {
  static const std::vector<Reference> refs = load_references();
  for (const Reference& r : refs) {
    if (r.name == name) return r.bytes;
  }
  throw std::runtime_error("no reference encoding " + std::string(name));
}

template <class T>
Bytes encode_to_vector(const T& value) {
  der::Writer w;
  encode(w, value);
  if (!w.ok()) throw std::runtime_error("encode failed");
  return w.take();
}

// A decoder under test: decode the whole input, then re-encode what was decoded.
struct Codec {
  std::string what;  // the type name errors carry, e.g. "AS-REP"
  std::function<Result<Bytes>(ByteView)> roundtrip;
};

// Re-encodes from the decoded fields alone (every kept raw span cleared).
template <class T>
Result<Bytes> reencode(const Result<T>& decoded) {
  if (!decoded) return decoded.error();
  T value = *decoded;
  RawStorage storage;
  clear_raw(value, storage);
  return encode_to_vector(value);
}

template <class T, Result<T> (*Decode)(ByteView)>
Codec codec(std::string what) {
  return Codec{std::move(what), [](ByteView b) { return reencode(Decode(b)); }};
}

template <class T>
Codec der_codec(std::string what) {
  return Codec{what, [what](ByteView b) { return reencode(decode_der<T>(b, what)); }};
}

// Every decoder, by the base name of the MIT reference encodings of its type.
inline const std::map<std::string, Codec>& codecs_by_reference() {
  static const std::map<std::string, Codec> table = {
      {"encode_krb5_authenticator", codec<Authenticator, decode_authenticator>("Authenticator")},
      {"encode_krb5_ticket", der_codec<Ticket>("Ticket")},
      {"encode_krb5_keyblock", der_codec<EncryptionKey>("EncryptionKey")},
      {"encode_krb5_enc_tkt_part", der_codec<EncTicketPart>("EncTicketPart")},
      {"encode_krb5_enc_kdc_rep_part",
       codec<EncKdcRepPart, decode_enc_kdc_rep_part>("EncKDCRepPart")},
      {"encode_krb5_as_rep", codec<KdcRep, decode_as_rep>("AS-REP")},
      {"encode_krb5_tgs_rep", codec<KdcRep, decode_tgs_rep>("TGS-REP")},
      {"encode_krb5_ap_req", codec<ApReq, decode_ap_req>("AP-REQ")},
      {"encode_krb5_ap_rep", codec<ApRep, decode_ap_rep>("AP-REP")},
      {"encode_krb5_ap_rep_enc_part", codec<EncApRepPart, decode_enc_ap_rep_part>("EncAPRepPart")},
      {"encode_krb5_as_req", codec<KdcReq, decode_as_req>("AS-REQ")},
      {"encode_krb5_tgs_req", codec<KdcReq, decode_tgs_req>("TGS-REQ")},
      {"encode_krb5_kdc_req_body", codec<KdcReqBody, decode_kdc_req_body>("KDC-REQ-BODY")},
      {"encode_krb5_safe", codec<KrbSafe, decode_krb_safe>("KRB-SAFE")},
      {"encode_krb5_priv", codec<KrbPriv, decode_krb_priv>("KRB-PRIV")},
      {"encode_krb5_enc_priv_part",
       codec<EncKrbPrivPart, decode_enc_krb_priv_part>("EncKrbPrivPart")},
      {"encode_krb5_cred", codec<KrbCred, decode_krb_cred>("KRB-CRED")},
      {"encode_krb5_enc_cred_part",
       codec<EncKrbCredPart, decode_enc_krb_cred_part>("EncKrbCredPart")},
      {"encode_krb5_error", codec<KrbError, decode_krb_error>("KRB-ERROR")},
      {"encode_krb5_authorization_data", der_codec<AuthorizationData>("AuthorizationData")},
      {"encode_krb5_padata_sequence", codec<MethodData, decode_method_data>("METHOD-DATA")},
      {"encode_krb5_etype_info", codec<EtypeInfo, decode_etype_info>("ETYPE-INFO")},
      {"encode_krb5_etype_info2", codec<EtypeInfo2, decode_etype_info2>("ETYPE-INFO2")},
      {"encode_krb5_pa_enc_ts", codec<PaEncTsEnc, decode_pa_enc_ts_enc>("PA-ENC-TS-ENC")},
      {"encode_krb5_enc_data", der_codec<EncryptedData>("EncryptedData")},
  };
  return table;
}

// "AS-REP: unexpected tag at offset 0" -> 0; npos if the detail names no offset.
inline std::size_t offset_of(std::string_view detail) {
  const std::string_view marker = " at offset ";
  const std::size_t at = detail.rfind(marker);
  if (at == std::string_view::npos) return std::string_view::npos;
  return std::stoul(std::string(detail.substr(at + marker.size())));
}

// --- a DER tree editor ----------------------------------------------------------------------
// Parses well-formed DER into nodes, lets a test edit them (replace, remove, swap, insert),
// and serializes back with correct lengths, recording where each node landed so that a test
// can say exactly at which offset the decoder must report the fault.

struct Node {
  std::uint8_t tag = 0;
  bool constructed = false;
  Bytes content;                   // primitive
  std::vector<Node> children;      // constructed
  std::size_t offset = 0;          // of the identifier octet, after serialize()
  std::size_t content_offset = 0;  // of the first content octet
  std::size_t end = 0;             // one past the last octet

  static Node primitive(std::uint8_t tag, Bytes content) {
    Node n;
    n.tag = tag;
    n.content = std::move(content);
    return n;
  }
  static Node cons(std::uint8_t tag, std::vector<Node> children) {
    Node n;
    n.tag = tag;
    n.constructed = true;
    n.children = std::move(children);
    return n;
  }
  static Node integer(std::int64_t v) {
    der::Writer w;
    w.write_integer(v);
    Bytes tlv = w.take();
    return primitive(0x02, Bytes(tlv.begin() + 2, tlv.end()));
  }
  static Node general_string(std::string_view s) {
    return primitive(0x1B, Bytes(s.begin(), s.end()));
  }
  // [n] { inner }
  static Node field(std::uint8_t n, Node inner) {
    return cons(static_cast<std::uint8_t>(0xA0 | n), {std::move(inner)});
  }

  // The [n] child of a SEQUENCE node.
  Node& ctx(std::uint8_t n) {
    for (Node& c : children) {
      if (c.tag == (0xA0 | n)) return c;
    }
    throw std::runtime_error("no such field");
  }
  std::size_t index_of_ctx(std::uint8_t n) const {
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (children[i].tag == (0xA0 | n)) return i;
    }
    throw std::runtime_error("no such field");
  }
};

inline std::uint8_t byte_at(ByteView bytes, std::size_t i) {
  if (i >= bytes.size()) throw std::runtime_error("parse_tree: truncated");
  return bytes[i];
}

inline Node parse_tree(ByteView bytes, std::size_t& pos) {
  Node n;
  n.tag = byte_at(bytes, pos);
  n.constructed = (n.tag & 0x20) != 0;
  std::size_t length = byte_at(bytes, pos + 1);
  std::size_t header = 2;
  if (length & 0x80) {
    const std::size_t count = length & 0x7F;
    length = 0;
    for (std::size_t i = 0; i < count; ++i)
      length = length << 8 | byte_at(bytes, pos + 2 + i);
    header += count;
  }
  const std::size_t start = pos + header;
  const std::size_t end = start + length;
  if (end > bytes.size()) throw std::runtime_error("parse_tree: bad length");
  if (n.constructed) {
    std::size_t p = start;
    while (p < end)
      n.children.push_back(parse_tree(bytes, p));
  } else {
    n.content.assign(bytes.begin() + static_cast<std::ptrdiff_t>(start),
                     bytes.begin() + static_cast<std::ptrdiff_t>(end));
  }
  pos = end;
  return n;
}

inline Node parse_tree(ByteView bytes) {
  std::size_t pos = 0;
  Node n = parse_tree(bytes, pos);
  if (pos != bytes.size()) throw std::runtime_error("parse_tree: trailing bytes");
  return n;
}

inline Bytes serialize_content(Node& n, std::size_t content_offset);

inline std::size_t header_length(std::size_t length) {
  if (length < 0x80) return 2;
  std::size_t count = 0;
  for (std::size_t l = length; l != 0; l >>= 8)
    ++count;
  return 2 + count;
}

// Serializes n at `offset` and records the offsets of n and its descendants.
inline Bytes serialize(Node& n, std::size_t offset = 0) {
  // Content first (with a provisional offset), then fix offsets once the header size is known.
  Bytes content = serialize_content(n, 0);
  const std::size_t header = header_length(content.size());
  content = serialize_content(n, offset + header);
  Bytes out;
  out.push_back(n.tag);
  if (content.size() < 0x80) {
    out.push_back(static_cast<std::uint8_t>(content.size()));
  } else {
    Bytes len;
    for (std::size_t l = content.size(); l != 0; l >>= 8) {
      len.insert(len.begin(), static_cast<std::uint8_t>(l & 0xFF));
    }
    out.push_back(static_cast<std::uint8_t>(0x80 | len.size()));
    out.insert(out.end(), len.begin(), len.end());
  }
  out.insert(out.end(), content.begin(), content.end());
  n.offset = offset;
  n.content_offset = offset + header;
  n.end = offset + out.size();
  return out;
}

inline Bytes serialize_content(Node& n, std::size_t content_offset) {
  if (!n.constructed) return n.content;
  Bytes out;
  for (Node& c : n.children) {
    Bytes child = serialize(c, content_offset + out.size());
    out.insert(out.end(), child.begin(), child.end());
  }
  return out;
}

}  // namespace kerb::test
