// Shared helpers for the RFC 4121 per-message token tests: a context pair from one key, a
// deterministic Random, and raw token builders that let a test shape tokens the way other
// implementations do (EC filler, RRC rotation) or the way an attacker would.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/clock.hpp>
#include <kerb/constants.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/principal.hpp>

#include "hex_bytes.hpp"

namespace kerb::gss::test {

using ::kerb::test::Bytes;
using ::kerb::test::ByteView;
using Role = SecurityContext::Role;

inline constexpr crypto::EncType kAllEnctypes[] = {
    crypto::EncType::kAes128CtsHmacSha1_96,    crypto::EncType::kAes256CtsHmacSha1_96,
    crypto::EncType::kAes128CtsHmacSha256_128, crypto::EncType::kAes256CtsHmacSha384_192,
#if KERB_WITH_CAMELLIA
    crypto::EncType::kCamellia128CtsCmac,      crypto::EncType::kCamellia256CtsCmac,
#endif
};

inline constexpr std::int64_t kEndtime = 2'000'000'000;  // 2033-05-18
inline constexpr Timestamp kNow{1'900'000'000, 0};

// Deterministic confounders: tests must be reproducible.
class CounterRandom final : public crypto::Random {
 public:
  Result<void> fill(std::span<std::uint8_t> out) override {
    for (auto& b : out)
      b = static_cast<std::uint8_t>(0x5b * ++n_ + 7);
    return ok();
  }

 private:
  unsigned n_ = 0;
};

class FailingRandom final : public crypto::Random {
 public:
  Result<void> fill(std::span<std::uint8_t>) override {
    return Error(ErrorCategory::kIo, "no entropy");
  }
};

inline crypto::Key test_key(crypto::EncType e, std::uint8_t salt = 0) {
  const crypto::EncTypeInfo* info = crypto::find_enctype(e);
  REQUIRE(info != nullptr);
  Bytes bytes(info->key_size);
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<std::uint8_t>(i * 29 + 3 + salt);
  auto key = crypto::Key::from_bytes(e, bytes);
  REQUIRE(key);
  return std::move(*key);
}

inline Principal principal(std::string_view text) {
  auto p = Principal::parse(text);
  REQUIRE(p);
  return std::move(*p);
}

struct PairOptions {
  std::uint32_t flags = context_flags::kMutual | context_flags::kReplay | context_flags::kSequence |
                        context_flags::kConf | context_flags::kInteg;
  bool acceptor_subkey = false;
  std::uint64_t initiator_seq = 0x1122334455667788u;
  std::uint64_t acceptor_seq = 0x0000000012345678u;
  std::int64_t endtime = kEndtime;
};

inline SecurityContext make_context(Role role, const crypto::Key& key, const PairOptions& o) {
  SecurityContext::Params p;
  p.role = role;
  p.key = key;
  p.acceptor_subkey = o.acceptor_subkey;
  const bool init = role == Role::kInitiator;
  p.send_seq = init ? o.initiator_seq : o.acceptor_seq;
  p.recv_seq = init ? o.acceptor_seq : o.initiator_seq;
  p.flags = o.flags;
  p.endtime = o.endtime;
  p.initiator = principal("alice@EXAMPLE.COM");
  p.acceptor = principal("HTTP/www.example.com@EXAMPLE.COM");
  auto ctx = SecurityContext::make(std::move(p));
  REQUIRE(ctx);
  return std::move(*ctx);
}

// An initiator and an acceptor sharing one key, with a fixed clock and deterministic Random.
struct Pair {
  crypto::Key key;
  FixedClock clock{kNow};
  CounterRandom random;
  SecurityContext initiator;
  SecurityContext acceptor;

  explicit Pair(crypto::EncType e, PairOptions o = {}) : key(test_key(e)) {
    initiator = make_context(Role::kInitiator, key, o);
    acceptor = make_context(Role::kAcceptor, key, o);
    attach(initiator);
    attach(acceptor);
  }
  void attach(SecurityContext& c) {
    c.set_clock(clock);
    c.set_random(random);
  }
  std::size_t checksum_size() const { return key.info()->checksum_size; }
};

inline Bytes bytes_of(std::size_t n, std::uint8_t seed = 1) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i)
    b[i] = static_cast<std::uint8_t>(i * 7 + seed);
  return b;
}

inline Bytes concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

inline void put16(Bytes& token, std::size_t at, std::uint16_t v) {
  token[at] = static_cast<std::uint8_t>(v >> 8);
  token[at + 1] = static_cast<std::uint8_t>(v);
}
inline std::uint16_t get16(ByteView token, std::size_t at) {
  return static_cast<std::uint16_t>((token[at] << 8) | token[at + 1]);
}
inline std::uint64_t get64(ByteView token, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i)
    v = (v << 8) | token[at + i];
  return v;
}

// Rotates everything after the 16-octet header right by `rrc` (RFC 4121 §4.2.5) and puts rrc
// in the RRC field.
inline Bytes rotate_right(ByteView token, std::uint16_t rrc) {
  Bytes out(token.begin(), token.end());
  const std::size_t n = out.size() - 16;
  if (n > 0) {
    std::rotate(out.begin() + 16, out.begin() + 16 + static_cast<std::ptrdiff_t>(n - rrc % n),
                out.end());
  }
  put16(out, 6, rrc);
  return out;
}

// Builds a sealed Wrap token the way the sender `role` would with any EC filler and RRC:
//   header(EC=ec, RRC=rrc) | rotate_rrc(E(plaintext | filler | copy))
// where copy is the header with RRC = copy_rrc (0 per RFC 4121 §4.2.4), optionally altered
// by `edit_copy` to model tampering.
template <class EditCopy>
Bytes seal_raw(const crypto::Key& key, Role sender, ByteView plaintext, std::uint64_t seq,
               std::uint8_t flags, std::uint16_t ec, std::uint16_t rrc, std::uint16_t copy_rrc,
               EditCopy edit_copy, std::uint8_t filler = 0xFF) {
  Bytes header = {0x05, 0x04, flags, 0xFF, 0, 0, 0, 0};
  put16(header, 4, ec);
  for (int i = 7; i >= 0; --i)
    header.push_back(static_cast<std::uint8_t>(seq >> (8 * i)));
  Bytes copy = header;
  put16(copy, 6, copy_rrc);
  edit_copy(copy);
  Bytes inner(plaintext.begin(), plaintext.end());
  inner.insert(inner.end(), ec, filler);
  inner.insert(inner.end(), copy.begin(), copy.end());
  const std::uint32_t usage =
      sender == Role::kInitiator ? key_usage::kInitiatorSeal : key_usage::kAcceptorSeal;
  CounterRandom random;
  Bytes ct(crypto::ciphertext_size(key.enctype(), inner.size()));
  auto n = crypto::encrypt(key, usage, inner, ct, random);
  REQUIRE(n);
  Bytes token = concat(header, ct);
  return rotate_right(token, rrc);
}

inline Bytes seal_raw(const crypto::Key& key, Role sender, ByteView plaintext, std::uint64_t seq,
                      std::uint8_t flags, std::uint16_t ec, std::uint16_t rrc,
                      std::uint16_t copy_rrc = 0) {
  return seal_raw(key, sender, plaintext, seq, flags, ec, rrc, copy_rrc, [](Bytes&) {});
}

// Every operation's failure must carry a GSS major status; these are the ones a token can
// earn.
inline bool is_token_rejection(std::int32_t code) {
  return code == major_status::kDefectiveToken || code == major_status::kBadMic;
}

inline bool all_zero(ByteView s) {
  return std::all_of(s.begin(), s.end(), [](std::uint8_t b) { return b == 0; });
}

// Unwraps into a buffer of exactly token.size() prefilled with 0xA5 and checks the
// wipe-on-failure rule: after a failure every byte is zero.
inline Result<Unwrapped> unwrap_checked(SecurityContext& ctx, ByteView token,
                                        Bytes* plaintext = nullptr) {
  Bytes out(token.size(), 0xA5);
  Result<Unwrapped> r = ctx.unwrap(token, out);
  if (!r) {
    CHECK(all_zero(out));
  } else if (plaintext != nullptr) {
    plaintext->assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(r->length));
  }
  return r;
}

}  // namespace kerb::gss::test
