// What the hostile-KDC tests share: the refusal check and the garbage replies sent to kerb both
// straight from a KDC and through a KDC proxy.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <kerb/client.hpp>

#include "hostile_kdc.hpp"
#include "itest_util.hpp"

namespace kerb::hostile {

// r failed with `category` and `code`; with `reason`, its detail says so (the refusal is the
// one under test, not another on the way).
inline void check_error(const Result<Credentials>& r, ErrorCategory category, std::int32_t code,
                        const std::string& reason = "") {
  REQUIRE_FALSE(r.ok());
  INFO(itest::describe(r.error()));
  CHECK(r.error().category() == category);
  CHECK(r.error().code() == code);
  CHECK_THAT(std::string(r.error().detail()), Catch::Contains(reason));
}

inline Bytes bytes_of(std::initializer_list<std::uint8_t> b) {
  return Bytes(b);
}

// A KDC reply that is no reply, and the category kerb reports it with.
struct GarbageReply {
  const char* name;
  Bytes reply;
  ErrorCategory category;
};

inline std::vector<GarbageReply> garbage_replies() {
  return {
      // Neither [APPLICATION 11] nor [APPLICATION 30]: not a reply at all.
      {"no Kerberos message", bytes_of({0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0xFF}),
       ErrorCategory::kProtocol},
      // [APPLICATION 11] (an AS-REP) whose length runs past the end.
      {"an AS-REP cut short", bytes_of({0x6B, 0x82, 0x01, 0x00, 0x30, 0x03}), ErrorCategory::kDer},
      // [APPLICATION 30] (a KRB-ERROR) holding an INTEGER, not a SEQUENCE.
      {"a KRB-ERROR of garbage", bytes_of({0x7E, 0x03, 0x02, 0x01, 0x05}), ErrorCategory::kDer},
  };
}

}  // namespace kerb::hostile
