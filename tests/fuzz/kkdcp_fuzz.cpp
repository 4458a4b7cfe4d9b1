// kkdcp_fuzz: KDC-PROXY-MESSAGE (MS-KKDCP §2.2.2) as a proxy's reply arrives. Nothing may crash
// or read out of bounds; a refusal is a kDer error; whatever decodes re-encodes to the same
// bytes (strict DER in, canonical DER out), its message is a span inside the input that its
// length prefix describes exactly, and a request built from the decoded parts is the input
// again. Every input, wrapped as a request, decodes back to itself.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <kerb/kkdcp.hpp>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const kerb::Bytes input(data, size);
  auto decoded = kerb::decode_kdc_proxy_message(input);
  auto reply = kerb::decode_kdc_proxy_reply(input);
  FUZZ_CHECK(decoded.ok() == reply.ok());
  if (!decoded) {
    FUZZ_CHECK(decoded.error().category() == kerb::ErrorCategory::kDer);
  } else {
    const kerb::KdcProxyMessage& m = *decoded;
    const kerb::Bytes message = m.message();
    FUZZ_CHECK(!message.empty());
    FUZZ_CHECK(message.data() >= data && message.data() + message.size() <= data + size);
    const kerb::Bytes prefix = m.kerb_message.first(4);  // big-endian (RFC 4120 §7.2.2)
    FUZZ_CHECK((std::size_t{prefix[0]} << 24 | std::size_t{prefix[1]} << 16 |
                std::size_t{prefix[2]} << 8 | prefix[3]) == message.size());
    FUZZ_CHECK(reply->data() == message.data() && reply->size() == message.size());

    kerb::der::Writer w;
    encode(w, m);
    FUZZ_CHECK(w.ok());
    FUZZ_CHECK(std::ranges::equal(w.bytes(), input));

    if (m.target_domain && !m.target_domain->empty() && !m.dclocator_hint) {
      auto again = kerb::encode_kdc_proxy_request(message, *m.target_domain);
      FUZZ_CHECK(again.ok() && std::ranges::equal(*again, input));
      std::vector<std::uint8_t> buffer(size);
      auto fixed = kerb::encode_kdc_proxy_request(message, *m.target_domain, buffer);
      FUZZ_CHECK(fixed.ok() && std::ranges::equal(*fixed, input));
    }
  }

  if (size != 0) {
    auto wrapped = kerb::encode_kdc_proxy_request(input, "KERB.TEST");
    FUZZ_CHECK(wrapped.ok());
    auto unwrapped = kerb::decode_kdc_proxy_reply(*wrapped);
    FUZZ_CHECK(unwrapped.ok() && std::ranges::equal(*unwrapped, input));
  }
  return 0;
}
