#include <kerb/messages/types.hpp>

#include "fields.hpp"

namespace kerb {

using fields::field;
using fields::put;

// PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }
bool decode(der::Reader& in, PrincipalName& out) {
  der::Reader seq, names;
  std::int32_t name_type = 0;
  if (!in.read_sequence(seq) || !field(seq, 0, name_type)) return false;
  der::Reader wrapper;
  if (!seq.read_element(der::ctx(1), wrapper) || !wrapper.read_sequence(names) ||
      !wrapper.finish()) {
    return false;
  }
  out = PrincipalName();
  out.set_name_type(name_type);
  while (!names.empty()) {
    const std::size_t at = names.offset();
    std::string_view component;
    if (!names.read_general_string(component)) return false;
    if (!out.push_back(component)) return names.fault(at, "principal name has too many components");
  }
  return seq.finish();
}

void encode(der::Writer& out, const PrincipalName& value) {
  out.sequence([&] {
    put(out, 0, value.raw_name_type());
    out.context(1, [&] {
      out.sequence([&] {
        for (std::string_view c : value.components())
          out.write_general_string(c);
      });
    });
  });
}

bool decode(der::Reader& in, KerberosTime& out) {
  return in.read_kerberos_time(out.seconds);
}
void encode(der::Writer& out, KerberosTime value) {
  out.write_kerberos_time(value.seconds);
}

bool decode(der::Reader& in, crypto::EncType& out) {
  return fields::read_value(in, out);
}
void encode(der::Writer& out, crypto::EncType value) {
  fields::write_value(out, value);
}

bool decode(der::Reader& in, Microseconds& out) {
  const std::size_t at = in.offset();
  std::int32_t value = 0;
  if (!in.read_integer(value)) return false;
  // At the content octets, as the reader reports value faults (an Int32 INTEGER's header is
  // always two octets).
  if (value < 0 || value > 999999) return in.fault(at + 2, "Microseconds out of range (0..999999)");
  out.value = value;
  return true;
}
void encode(der::Writer& out, Microseconds value) {
  out.write_integer(value.value);
}

// Exactly 32 bits: every implementation sends 32, Writer writes 32, and a longer string could
// not re-encode to the bytes it came from (DESIGN.md convention 7).
bool decode(der::Reader& in, KerberosFlags& out) {
  der::Reader probe = in;
  der::BitString bits;
  if (probe.read_bit_string(bits) && bits.bit_count() > 32) {
    // At the content octets, like the reader's "shorter than 32 bits".
    return in.fault(probe.offset() - bits.bytes.size() - 1, "KerberosFlags longer than 32 bits");
  }
  return in.read_kerberos_flags(out.bits);
}
void encode(der::Writer& out, KerberosFlags value) {
  out.write_kerberos_flags(value.bits);
}

// HostAddress ::= SEQUENCE { addr-type [0] Int32, address [1] OCTET STRING }
bool decode(der::Reader& in, HostAddress& out) {
  der::Reader seq;
  return in.read_sequence(seq) && field(seq, 0, out.addr_type) && field(seq, 1, out.address) &&
         seq.finish();
}
void encode(der::Writer& out, const HostAddress& value) {
  out.sequence([&] {
    put(out, 0, value.addr_type);
    put(out, 1, value.address);
  });
}

// AuthorizationData ::= SEQUENCE OF SEQUENCE { ad-type [0] Int32, ad-data [1] OCTET STRING }
bool decode(der::Reader& in, AuthorizationDataEntry& out) {
  der::Reader seq;
  return in.read_sequence(seq) && field(seq, 0, out.ad_type) && field(seq, 1, out.ad_data) &&
         seq.finish();
}
void encode(der::Writer& out, const AuthorizationDataEntry& value) {
  out.sequence([&] {
    put(out, 0, value.ad_type);
    put(out, 1, value.ad_data);
  });
}

// PA-DATA ::= SEQUENCE { padata-type [1] Int32, padata-value [2] OCTET STRING } -- no [0]
bool decode(der::Reader& in, PaData& out) {
  der::Reader seq;
  return in.read_sequence(seq) && field(seq, 1, out.padata_type) &&
         field(seq, 2, out.padata_value) && seq.finish();
}
void encode(der::Writer& out, const PaData& value) {
  out.sequence([&] {
    put(out, 1, value.padata_type);
    put(out, 2, value.padata_value);
  });
}

// EncryptedData ::= SEQUENCE { etype [0] Int32, kvno [1] UInt32 OPTIONAL, cipher [2] OCTET STRING }
bool decode(der::Reader& in, EncryptedData& out) {
  der::Reader seq;
  out.kvno.reset();
  return in.read_sequence(seq) && field(seq, 0, out.etype) && field(seq, 1, out.kvno) &&
         field(seq, 2, out.cipher) && seq.finish();
}
void encode(der::Writer& out, const EncryptedData& value) {
  out.sequence([&] {
    put(out, 0, value.etype);
    put(out, 1, value.kvno);
    put(out, 2, value.cipher);
  });
}

// EncryptionKey ::= SEQUENCE { keytype [0] Int32, keyvalue [1] OCTET STRING }
bool decode(der::Reader& in, EncryptionKey& out) {
  der::Reader seq;
  return in.read_sequence(seq) && field(seq, 0, out.keytype) && field(seq, 1, out.keyvalue) &&
         seq.finish();
}
void encode(der::Writer& out, const EncryptionKey& value) {
  out.sequence([&] {
    put(out, 0, value.keytype);
    put(out, 1, value.keyvalue);
  });
}

// Checksum ::= SEQUENCE { cksumtype [0] Int32, checksum [1] OCTET STRING }
bool decode(der::Reader& in, Checksum& out) {
  der::Reader seq;
  return in.read_sequence(seq) && field(seq, 0, out.cksumtype) && field(seq, 1, out.checksum) &&
         seq.finish();
}
void encode(der::Writer& out, const Checksum& value) {
  out.sequence([&] {
    put(out, 0, value.cksumtype);
    put(out, 1, value.checksum);
  });
}

// LastReq ::= SEQUENCE OF SEQUENCE { lr-type [0] Int32, lr-value [1] KerberosTime }
bool decode(der::Reader& in, LastReqEntry& out) {
  der::Reader seq;
  return in.read_sequence(seq) && field(seq, 0, out.lr_type) && field(seq, 1, out.lr_value) &&
         seq.finish();
}
void encode(der::Writer& out, const LastReqEntry& value) {
  out.sequence([&] {
    put(out, 0, value.lr_type);
    put(out, 1, value.lr_value);
  });
}

// TransitedEncoding ::= SEQUENCE { tr-type [0] Int32, contents [1] OCTET STRING }
bool decode(der::Reader& in, TransitedEncoding& out) {
  der::Reader seq;
  return in.read_sequence(seq) && field(seq, 0, out.tr_type) && field(seq, 1, out.contents) &&
         seq.finish();
}
void encode(der::Writer& out, const TransitedEncoding& value) {
  out.sequence([&] {
    put(out, 0, value.tr_type);
    put(out, 1, value.contents);
  });
}

}  // namespace kerb
