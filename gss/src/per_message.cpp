// RFC 4121 per-message tokens (§4.2): Wrap, Unwrap, GetMIC, VerifyMIC.
//
// Token header (16 octets), §4.2.6:
//   MIC:  04 04 | flags | FF FF FF FF FF        | SND_SEQ(8)
//   Wrap: 05 04 | flags | FF | EC(2) | RRC(2)   | SND_SEQ(8)
//
// Sending: Wrap with confidentiality uses EC = 0 and RRC = 0 (every implemented enctype is
// padding-free, so no filler is needed), as MIT does outside DCE style. Wrap without
// confidentiality carries EC = checksum length, RRC = 0.
//
// Receiving accepts any RRC (rotation modulo the data length, §4.2.5) and, with
// confidentiality, any EC that fits the decrypted data. Every length is checked before use
// (CVE-2024-37371), and the encrypted header copy must equal the outer header apart from RRC
// (CVE-2024-37370: otherwise the EC in the clear could truncate the message).
#include <kerb/gss/context.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <kerb/crypto/secret.hpp>
#include <kerb/internal/endian.hpp>

#include "context_state.hpp"
#include "scratch.hpp"

namespace kerb::gss {

namespace {

using detail::DirectionKeys;
using detail::kMaxChecksum;
using detail::kMaxMessage;
using detail::kSealed;
using detail::no_context;
using detail::recode;
using detail::Scratch;
using kerb::detail::load_be16;
using kerb::detail::load_be64;
using kerb::detail::store_be16;
using kerb::detail::store_be64;

constexpr std::size_t kHeaderSize = 16;

Error buffer_too_small(std::size_t need, std::size_t have) {
  return Error::format(ErrorCategory::kBufferTooSmall, major_status::kFailure,
                       "buffer of %zu octets; %zu needed", have, need);
}
// True when the two buffers share an octet (compared as addresses: they may be unrelated).
bool overlap(Bytes a, std::span<const std::uint8_t> b) noexcept {
  if (a.empty() || b.empty()) return false;
  const auto a0 = reinterpret_cast<std::uintptr_t>(a.data());
  const auto b0 = reinterpret_cast<std::uintptr_t>(b.data());
  return a0 < b0 + b.size() && b0 < a0 + a.size();
}
Error overlapping() {
  return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
               "token and message buffers overlap");
}

// Copies `from` rotated left by `count` (< from.size()) into `to`: undoes the sender's right
// rotation by RRC (§4.2.5).
void unrotate(Bytes from, std::size_t count, std::uint8_t* to) noexcept {
  const std::size_t n = from.size();
  if (n == 0) return;
  std::memcpy(to, from.data() + count, n - count);
  if (count > 0) std::memcpy(to + (n - count), from.data(), count);
}

}  // namespace

// --- Unwrap: the checks ---------------------------------------------------------------------

Result<Unwrapped> SecurityContext::State::unwrap(Bytes token, std::span<std::uint8_t> message) {
  State& s = *this;
  KERB_TRY_VOID(s.check_time());
  if (message.size() < token.size()) return buffer_too_small(token.size(), message.size());
  if (token.size() < kHeaderSize) {
    return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                         "Wrap token of %zu octets is shorter than its header", token.size());
  }
  if (token[0] != 0x05 || token[1] != 0x04) {
    return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                         "TOK_ID %02x%02x at offset 0 is not a Wrap token", token[0], token[1]);
  }
  if (token[3] != 0xFF) {
    return Error(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                 "Wrap token filler at offset 3 is not FF");
  }
  const std::uint8_t flags = token[2];
  KERB_TRY(const DirectionKeys* keys, s.recv_keys(flags));
  const std::size_t ec = load_be16(token.data() + 4);
  const std::size_t rrc = load_be16(token.data() + 6);
  const std::uint64_t seq = load_be64(token.data() + 8);
  const Bytes body = token.subspan(kHeaderSize);
  const std::size_t body_size = body.size();

  Unwrapped out;
  if ((flags & kSealed) != 0) {
    out.conf = true;
    // The ciphertext must at least hold the encrypted header copy.
    const std::size_t min_body = keys->seal.ciphertext_size(kHeaderSize);
    if (body_size < min_body) {
      return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                           "sealed Wrap token data of %zu octets; at least %zu needed", body_size,
                           min_body);
    }
    const std::size_t rotation = rrc % body_size;
    Result<std::size_t> decrypted = std::size_t{0};
    if (rotation == 0) {
      decrypted = keys->seal.decrypt(body, message);
    } else {
      Scratch ciphertext(body_size);
      unrotate(body, rotation, ciphertext.data());
      decrypted = keys->seal.decrypt(ciphertext.span(), message);
    }
    if (!decrypted) return recode(decrypted.error(), major_status::kBadMic);
    const std::size_t d = *decrypted;
    if (d < kHeaderSize || ec > d - kHeaderSize) {
      return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                           "EC %zu at offset 4 exceeds the %zu octets of decrypted data", ec,
                           d < kHeaderSize ? std::size_t{0} : d - kHeaderSize);
    }
    // The encrypted header copy authenticates the outer one; RRC alone may differ (the
    // sender puts 0 there, some put the real rotation).
    const std::uint8_t* copy = message.data() + (d - kHeaderSize);
    if (std::memcmp(copy, token.data(), 6) != 0 ||
        std::memcmp(copy + 8, token.data() + 8, 8) != 0) {
      return Error(ErrorCategory::kCrypto, major_status::kBadMic,
                   "Wrap token header differs from its encrypted copy");
    }
    out.length = d - kHeaderSize - ec;
    crypto::secure_wipe(message.subspan(out.length, d - out.length));
  } else {
    // plaintext | checksum, EC = the checksum length.
    const std::size_t ck = keys->checksum_size;
    if (ec != ck) {
      return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                           "EC %zu at offset 4 is not the checksum length %zu", ec, ck);
    }
    if (body_size < ck) {
      return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                           "Wrap token data of %zu octets is shorter than its checksum", body_size);
    }
    unrotate(body, rrc % body_size, message.data());
    const std::size_t n = body_size - ck;
    std::uint8_t checksum[kMaxChecksum];
    std::memcpy(checksum, message.data() + n, ck);
    // Checksummed: plaintext | header with EC = RRC = 0. It fits: message holds 16 + n + ck.
    std::uint8_t* header = message.data() + n;
    std::memcpy(header, token.data(), kHeaderSize);
    std::memset(header + 4, 0, 4);
    auto verified = keys->wrap_mic.verify(message.first(n + kHeaderSize), Bytes(checksum, ck));
    crypto::secure_wipe(message.subspan(n, std::max(kHeaderSize, ck)));
    if (!verified) return recode(verified.error(), major_status::kBadMic);
    out.length = n;
  }
  KERB_TRY(out.supplementary, s.accept_seq(seq));
  return out;
}
// --- Wrap ------------------------------------------------------------------------------------

std::size_t SecurityContext::wrap_size(std::size_t message_size, bool conf) const noexcept {
  if (!state_ || message_size > kMaxMessage) return 0;
  const DirectionKeys& k = state_->sending;
  if (conf) return kHeaderSize + k.seal.ciphertext_size(message_size + kHeaderSize);
  return kHeaderSize + message_size + k.checksum_size;
}

Result<std::size_t> SecurityContext::wrap(Bytes message, bool conf, std::span<std::uint8_t> token) {
  if (!state_) return no_context();
  State& s = *state_;
  KERB_TRY_VOID(s.check_time());
  if (message.size() > kMaxMessage) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, "message too large");
  }
  const std::size_t need = wrap_size(message.size(), conf);
  if (token.size() < need) return buffer_too_small(need, token.size());
  if (overlap(message, token)) return overlapping();
  const std::size_t n = message.size();

  std::uint8_t header[kHeaderSize] = {0x05, 0x04, s.our_flags(), 0xFF};
  store_be64(s.send_seq, header + 8);
  if (conf) {
    header[2] = static_cast<std::uint8_t>(header[2] | kSealed);
    // EC = 0, RRC = 0: encrypt(plaintext | header), the header copy identical to the outer.
    Scratch in(n + kHeaderSize);
    if (n > 0) std::memcpy(in.data(), message.data(), n);
    std::memcpy(in.data() + n, header, kHeaderSize);
    auto written = s.sending.seal.encrypt(in.span(), token.subspan(kHeaderSize), *s.random);
    if (!written) {
      crypto::secure_wipe(token.first(need));
      return recode(written.error(), major_status::kFailure);
    }
  } else {
    // checksum(plaintext | header with EC = RRC = 0), staged in the token buffer itself:
    // plaintext | header fits in front of where the token ends (n + 16 <= need).
    const std::size_t ck = s.sending.checksum_size;
    std::uint8_t checksum[kMaxChecksum];
    if (n > 0) std::memmove(token.data(), message.data(), n);
    std::memcpy(token.data() + n, header, kHeaderSize);
    auto made = s.sending.wrap_mic.make(token.first(n + kHeaderSize), checksum);
    if (!made) {
      crypto::secure_wipe(token.first(need));
      return recode(made.error(), major_status::kFailure);
    }
    if (n > 0) std::memmove(token.data() + kHeaderSize, token.data(), n);
    store_be16(static_cast<std::uint16_t>(ck), header + 4);
    std::memcpy(token.data() + kHeaderSize + n, checksum, ck);
  }
  std::memcpy(token.data(), header, kHeaderSize);
  ++s.send_seq;
  return need;
}

Result<std::vector<std::uint8_t>> SecurityContext::wrap(Bytes message, bool conf) {
  if (!state_) return no_context();
  std::vector<std::uint8_t> token(wrap_size(message.size(), conf));
  KERB_TRY(std::size_t written, wrap(message, conf, token));
  token.resize(written);
  return token;
}

// --- Unwrap ----------------------------------------------------------------------------------

Result<Unwrapped> SecurityContext::unwrap(Bytes token, std::span<std::uint8_t> message) {
  if (overlap(token, message)) return overlapping();  // nothing written, nothing wiped
  Result<Unwrapped> result =
      state_ ? state_->unwrap(token, message) : Result<Unwrapped>(no_context());
  if (!result) {
    // Whatever this call may have written (at most token.size() octets) is wiped.
    crypto::secure_wipe(message.first(std::min(message.size(), token.size())));
  }
  return result;
}

Result<std::vector<std::uint8_t>> SecurityContext::unwrap(Bytes token,
                                                          std::uint32_t* supplementary) {
  if (!state_) return no_context();
  std::vector<std::uint8_t> message(token.size());
  KERB_TRY(Unwrapped u, unwrap(token, message));
  message.resize(u.length);
  if (supplementary != nullptr) *supplementary = u.supplementary;
  return message;
}

// --- MIC -------------------------------------------------------------------------------------

std::size_t SecurityContext::mic_size() const noexcept {
  return state_ ? kHeaderSize + state_->sending.checksum_size : 0;
}

Result<std::size_t> SecurityContext::get_mic(Bytes message, std::span<std::uint8_t> token) {
  if (!state_) return no_context();
  State& s = *state_;
  KERB_TRY_VOID(s.check_time());
  if (message.size() > kMaxMessage) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, "message too large");
  }
  const std::size_t need = kHeaderSize + s.sending.checksum_size;
  if (token.size() < need) return buffer_too_small(need, token.size());
  const std::size_t n = message.size();
  std::uint8_t header[kHeaderSize] = {0x04, 0x04, s.our_flags(), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  store_be64(s.send_seq, header + 8);
  Scratch in(n + kHeaderSize);  // message | header
  if (n > 0) std::memcpy(in.data(), message.data(), n);
  std::memcpy(in.data() + n, header, kHeaderSize);
  auto made = s.sending.sign.make(in.span(), token.subspan(kHeaderSize, need - kHeaderSize));
  if (!made) {
    crypto::secure_wipe(token.first(need));
    return recode(made.error(), major_status::kFailure);
  }
  std::memcpy(token.data(), header, kHeaderSize);
  ++s.send_seq;
  return need;
}

Result<std::vector<std::uint8_t>> SecurityContext::get_mic(Bytes message) {
  if (!state_) return no_context();
  std::vector<std::uint8_t> token(mic_size());
  KERB_TRY(std::size_t written, get_mic(message, token));
  token.resize(written);
  return token;
}

Result<std::uint32_t> SecurityContext::verify_mic(Bytes message, Bytes token) {
  if (!state_) return no_context();
  State& s = *state_;
  KERB_TRY_VOID(s.check_time());
  if (message.size() > kMaxMessage) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, "message too large");
  }
  if (token.size() < kHeaderSize) {
    return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                         "MIC token of %zu octets is shorter than its header", token.size());
  }
  if (token[0] != 0x04 || token[1] != 0x04) {
    return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                         "TOK_ID %02x%02x at offset 0 is not a MIC token", token[0], token[1]);
  }
  for (std::size_t i = 3; i < 8; ++i) {
    if (token[i] != 0xFF) {
      return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                           "MIC token filler at offset %zu is not FF", i);
    }
  }
  const std::uint8_t flags = token[2];
  if ((flags & kSealed) != 0) {
    return Error(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                 "MIC token has the Sealed flag set");
  }
  KERB_TRY(const DirectionKeys* keys, s.recv_keys(flags));
  const std::size_t want = kHeaderSize + keys->checksum_size;
  if (token.size() != want) {
    return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                         "MIC token of %zu octets; %zu expected", token.size(), want);
  }
  const std::size_t n = message.size();
  Scratch in(n + kHeaderSize);  // message | header
  if (n > 0) std::memcpy(in.data(), message.data(), n);
  std::memcpy(in.data() + n, token.data(), kHeaderSize);
  auto verified = keys->sign.verify(in.span(), token.subspan(kHeaderSize));
  if (!verified) return recode(verified.error(), major_status::kBadMic);
  return s.accept_seq(load_be64(token.data() + 8));
}

}  // namespace kerb::gss
