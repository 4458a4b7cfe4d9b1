// fast_fuzz: the RFC 6113 FAST structures a client decodes or a tool inspects. The first byte
// picks the parser (PA-FX-FAST-REQUEST, KrbFastReq, PA-FX-FAST-REPLY, KrbFastResponse,
// KrbFastFinished); the rest is its input. Nothing may crash or read out of bounds, a failure
// is a kDer error, and whatever decodes re-encodes to exactly the bytes it came from (strict
// DER in, canonical DER out).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <kerb/messages/fast.hpp>

#include "fuzz_check.hpp"

namespace {

template <class T>
void round_trip(const kerb::Result<T>& decoded, std::span<const std::uint8_t> input) {
  if (!decoded) {
    FUZZ_CHECK(decoded.error().category() == kerb::ErrorCategory::kDer);
    return;
  }
  kerb::der::Writer counter = kerb::der::Writer::counting();
  encode(counter, *decoded);
  std::vector<std::uint8_t> out(counter.size());
  kerb::der::Writer w(out);
  encode(w, *decoded);
  FUZZ_CHECK(w.ok());
  FUZZ_CHECK(std::span<const std::uint8_t>(out).size() == input.size());
  for (std::size_t i = 0; i < out.size(); ++i)
    FUZZ_CHECK(out[i] == input[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::span<const std::uint8_t> input(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      round_trip(kerb::decode_pa_fx_fast_request(input), input);
      break;
    case 1:
      round_trip(kerb::decode_krb_fast_req(input), input);
      break;
    case 2:
      round_trip(kerb::decode_pa_fx_fast_reply(input), input);
      break;
    case 3:
      round_trip(kerb::decode_krb_fast_response(input), input);
      break;
    default:
      round_trip(kerb::decode_krb_fast_finished(input), input);
      break;
  }
  return 0;
}
