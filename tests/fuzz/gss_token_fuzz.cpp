// gss_token_fuzz: GSS token framing and RFC 4121 per-message tokens on arbitrary bytes.
// Nothing may crash or touch memory it should not; a refused token leaves the caller's output
// zeroed, and nothing past the plaintext is left behind (DESIGN.md convention 10).
//
// Input layout:
//   byte 0   bits 0-2: enctype kEnctypes[b % 6] (a Camellia one in a build without Camellia:
//            framing only)
//            bit 3:    the receiver is the initiator (else the acceptor)
//            bit 4:    the context uses an acceptor subkey (AcceptorSubkey flag)
//            bit 5:    kReplay | kSequence negotiated
//            bits 6-7: 0 unwrap, 1 verify_mic, 2 framing, 3 all three
//   byte 1   verify_mic: the message is the first min(b, rest) bytes of the rest, the token
//            what follows; unwrap and framing take the whole rest
//   rest     the token (and message)
//
// Every context is made afresh from a fixed key, so an input always means the same thing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include <kerb/clock.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/token.hpp>

#include "fuzz_check.hpp"
#include "hex_bytes.hpp"

namespace crypto = kerb::crypto;
namespace gss = kerb::gss;

namespace {

using kerb::test::Bytes;
using kerb::test::ByteView;

constexpr std::uint8_t kUntouched = 0xA5;
constexpr std::size_t kSlack = 16;  // output bytes past token.size() that must stay untouched

constexpr crypto::EncType kEnctypes[] = {
    crypto::EncType::kAes128CtsHmacSha1_96,    crypto::EncType::kAes256CtsHmacSha1_96,
    crypto::EncType::kAes128CtsHmacSha256_128, crypto::EncType::kAes256CtsHmacSha384_192,
    crypto::EncType::kCamellia128CtsCmac,      crypto::EncType::kCamellia256CtsCmac,
};

// The seeds in corpus/gss_token are tokens a peer context made with these parameters (its
// first sequence number kInitiatorSeq or kAcceptorSeq), named after what they hold.
constexpr std::uint8_t kFixedKey[32] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
constexpr std::int64_t kEndtime = 2'000'000'000;
constexpr std::uint64_t kInitiatorSeq = 0;
constexpr std::uint64_t kAcceptorSeq = 1000;

gss::SecurityContext make_receiver(std::uint8_t selector, const kerb::Clock& clock) {
  const crypto::EncType e = kEnctypes[(selector & 7) % 6];
  auto key =
      crypto::Key::from_bytes(e, ByteView(kFixedKey).first(crypto::find_enctype(e)->key_size));
  FUZZ_CHECK(key);
  gss::SecurityContext::Params p;
  const bool initiator = (selector & 8) != 0;
  p.role =
      initiator ? gss::SecurityContext::Role::kInitiator : gss::SecurityContext::Role::kAcceptor;
  p.key = std::move(*key);
  p.acceptor_subkey = (selector & 16) != 0;
  p.send_seq = initiator ? kInitiatorSeq : kAcceptorSeq;
  p.recv_seq = initiator ? kAcceptorSeq : kInitiatorSeq;
  p.flags = (selector & 32) != 0 ? gss::context_flags::kReplay | gss::context_flags::kSequence : 0;
  p.endtime = kEndtime;
  auto ctx = gss::SecurityContext::make(std::move(p));
  FUZZ_CHECK(ctx);
  ctx->set_clock(clock);
  return std::move(*ctx);
}

bool all_in(ByteView bytes, std::uint8_t a, std::uint8_t b) {
  return std::all_of(bytes.begin(), bytes.end(), [&](std::uint8_t x) { return x == a || x == b; });
}

bool is_rejection(const kerb::Error& e) {
  return e.code() == gss::major_status::kDefectiveToken || e.code() == gss::major_status::kBadMic;
}

void fuzz_unwrap(std::uint8_t selector, const kerb::Clock& clock, ByteView token) {
  gss::SecurityContext ctx = make_receiver(selector, clock);
  Bytes out(token.size() + kSlack, kUntouched);
  auto r = ctx.unwrap(token, out);
  const ByteView tail = ByteView(out).subspan(token.size());
  FUZZ_CHECK(all_in(tail, kUntouched, kUntouched));
  if (!r) {
    FUZZ_CHECK(is_rejection(r.error()));
    FUZZ_CHECK(all_in(ByteView(out).first(token.size()), 0, 0));
    // The vector form agrees.
    FUZZ_CHECK(!ctx.unwrap(token));
    return;
  }
  // Authentic: only someone with the key made it (the seeds). Nothing but the plaintext is
  // left in the buffer: every other byte is zero or was never written.
  FUZZ_CHECK(token.size() >= 16 && r->length <= token.size() - 16);
  FUZZ_CHECK(all_in(ByteView(out).subspan(r->length), 0, kUntouched));
  FUZZ_CHECK((r->supplementary & ~std::uint32_t{15}) == 0);
  const Bytes plain(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(r->length));

  // Again: a duplicate, an error under kReplay, else reported; too old to tell stays that.
  std::uint32_t sup = 0;
  auto again = ctx.unwrap(token, &sup);
  if (r->supplementary == gss::supplementary::kOldToken) {
    FUZZ_CHECK(again && *again == plain && sup == gss::supplementary::kOldToken);
  } else if ((selector & 32) != 0) {
    FUZZ_CHECK(!again && again.error().code() == gss::major_status::kFailure);
  } else {
    FUZZ_CHECK(again && *again == plain && sup == gss::supplementary::kDuplicateToken);
  }
  // A fresh context reads the same plaintext through the vector form.
  gss::SecurityContext fresh = make_receiver(selector, clock);
  auto v = fresh.unwrap(token);
  FUZZ_CHECK(v && *v == plain);
}

void fuzz_verify_mic(std::uint8_t selector, const kerb::Clock& clock, std::uint8_t split,
                     ByteView rest) {
  const std::size_t m = std::min<std::size_t>(split, rest.size());
  const ByteView message = rest.first(m);
  const ByteView token = rest.subspan(m);
  gss::SecurityContext ctx = make_receiver(selector, clock);
  auto r = ctx.verify_mic(message, token);
  if (!r) {
    FUZZ_CHECK(is_rejection(r.error()));
    return;
  }
  FUZZ_CHECK(token.size() == ctx.mic_size());
  FUZZ_CHECK((*r & ~std::uint32_t{15}) == 0);
  auto again = ctx.verify_mic(message, token);
  if (*r == gss::supplementary::kOldToken) {
    FUZZ_CHECK(again && *again == gss::supplementary::kOldToken);
  } else if ((selector & 32) != 0) {
    FUZZ_CHECK(!again && again.error().code() == gss::major_status::kFailure);
  } else {
    FUZZ_CHECK(again && *again == gss::supplementary::kDuplicateToken);
  }
}

void fuzz_framing(ByteView data) {
  // Strict DER in, canonical out: whatever parses frames back to the very same bytes.
  auto generic = gss::parse_generic_token(data);
  auto framed = gss::parse_framed_token(data);
  if (!generic) {
    FUZZ_CHECK(generic.error().code() == gss::major_status::kDefectiveToken);
    FUZZ_CHECK(!framed);
  } else {
    auto again = gss::frame_generic_token(generic->mech_oid, generic->inner);
    FUZZ_CHECK(again && std::equal(again->begin(), again->end(), data.begin(), data.end()));
  }
  if (!framed) {
    FUZZ_CHECK(framed.error().code() == gss::major_status::kDefectiveToken);
    return;
  }
  FUZZ_CHECK(generic && generic->inner.size() >= 2);
  auto again = gss::frame_token(framed->mech_oid, framed->tok_id, framed->body);
  FUZZ_CHECK(again && std::equal(again->begin(), again->end(), data.begin(), data.end()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t selector = data[0];
  const std::uint8_t split = data[1];
  const ByteView rest(data + 2, size - 2);
  const kerb::FixedClock clock(kerb::Timestamp{kEndtime - 1, 0});
  const unsigned op = selector >> 6;
#if !KERB_WITH_CAMELLIA
  // A Camellia context cannot exist in a build without it (crypto_fuzz checks the refusal);
  // the framing knows no enctype and still runs.
  if (crypto::find_enctype(kEnctypes[(selector & 7) % 6]) == nullptr) {
    if (op == 2 || op == 3) fuzz_framing(rest);
    return 0;
  }
#endif
  if (op == 0 || op == 3) fuzz_unwrap(selector, clock, rest);
  if (op == 1 || op == 3) fuzz_verify_mic(selector, clock, split, rest);
  if (op == 2 || op == 3) fuzz_framing(rest);
  return 0;
}
