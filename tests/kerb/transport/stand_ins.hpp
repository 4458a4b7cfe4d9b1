// Stand-in messages for the transport tests: the transport never looks inside a request, and
// inside a reply only for a KRB-ERROR's code (RFC 4120 §7.2.1).
#pragma once

#include <cstdint>
#include <string_view>

#include <catch2/catch.hpp>

#include <kerb/constants.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/messages/krb_error.hpp>

#include "hex_bytes.hpp"

namespace kerb::test {

inline constexpr std::string_view kRealm = "KERB.TEST";
inline const Bytes kRequest = {0x6A, 0x03, 0x02, 0x01, 0x05};  // [APPLICATION 10] "AS-REQ"

// A KRB-ERROR from the realm's krbtgt with `code`.
inline Bytes krb_error(std::int32_t code) {
  kerb::KrbError e;
  e.stime.seconds = 1700000000;
  e.error_code = code;
  e.realm = kRealm;
  e.sname = kerb::PrincipalName(kerb::NameType::kSrvInst, {"krbtgt", kRealm});
  kerb::der::Writer w;
  kerb::encode(w, e);
  REQUIRE(w.ok());
  return w.take();
}

}  // namespace kerb::test
