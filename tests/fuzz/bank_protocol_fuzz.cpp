// bank_protocol_fuzz: every decoder of the banking sample's wire protocol
// (samples/banking/bank_protocol.asn1) on arbitrary bytes. Nothing may crash or read out of
// bounds; a failure is a kDer error naming the type; and whatever decodes re-encodes to exactly
// the input (DER is canonical) and decodes again to the same value.
//
// Input layout:
//   byte 0   decoder: kDecoders[b % kDecoderCount] (the table below; the seeds in
//            corpus/bank_protocol start with the index of their decoder)
//   rest     the encoding
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "../../samples/banking/protocol.hpp"

#include "fuzz_check.hpp"

namespace {

using Input = std::span<const std::uint8_t>;

bool same(const bank::Bytes& a, Input b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

template <class T, class Decode>
void check(Input in, Decode decode, std::string_view what) {
  const kerb::Result<T> r = decode(in);
  if (!r) {
    FUZZ_CHECK(r.error().category() == kerb::ErrorCategory::kDer);
    FUZZ_CHECK(r.error().detail().substr(0, what.size()) == what);
    return;
  }
  const bank::Bytes again = bank::encode(*r);
  FUZZ_CHECK(same(again, in));
  const kerb::Result<T> back = decode(again);
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(*back == *r);
}

void client_frame(Input in) {
  check<bank::ClientFrame>(in, bank::decode_client_frame, "ClientFrame");
}
void server_frame(Input in) {
  check<bank::ServerFrame>(in, bank::decode_server_frame, "ServerFrame");
}
void request(Input in) {
  check<bank::Request>(in, bank::decode_request, "Request");
}
void reply(Input in) {
  check<bank::Reply>(in, bank::decode_reply, "Reply");
  // A receipt's MIC covers encode_transaction() of what it decoded: the bytes it came in.
  if (auto r = bank::decode_reply(in)) {
    if (const auto* receipt = std::get_if<bank::Receipt>(&r->body)) {
      FUZZ_CHECK(bank::encode_transaction(receipt->transaction) ==
                 bank::encode(receipt->transaction));
    }
  }
}
void transaction(Input in) {
  check<bank::Transaction>(in, bank::decode_transaction, "Transaction");
}
void receipt(Input in) {
  check<bank::Receipt>(in, bank::decode_receipt, "Receipt");
}

using Decoder = void (*)(Input);
constexpr Decoder kDecoders[] = {client_frame, server_frame, request, reply, transaction, receipt};
constexpr std::size_t kDecoderCount = sizeof kDecoders / sizeof kDecoders[0];

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  kDecoders[data[0] % kDecoderCount](Input(data + 1, size - 1));
  return 0;
}
