// RFC 4121 per-message tokens (§4.2), sequence state and context export/import.
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
#include <string>
#include <string_view>
#include <utility>

#include <kerb/constants.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/secret.hpp>

#include "context_access.hpp"
#include "context_seq.hpp"

namespace kerb::gss {

namespace {

constexpr std::size_t kHeaderSize = 16;
constexpr std::size_t kMaxChecksum = 32;  // hmac-sha384-192 is the longest (24)

// RFC 4121 §4.2.2.
constexpr std::uint8_t kSentByAcceptor = 0x01;
constexpr std::uint8_t kSealed = 0x02;
constexpr std::uint8_t kAcceptorSubkey = 0x04;

// Messages no larger than this are staged on the stack (see Scratch).
constexpr std::size_t kInlineScratch = 512;
// Larger messages would overflow the size arithmetic below.
constexpr std::size_t kMaxMessage = std::size_t{1} << (sizeof(std::size_t) * 8 - 2);

void put_be16(std::uint16_t v, std::uint8_t* out) noexcept {
  out[0] = static_cast<std::uint8_t>(v >> 8);
  out[1] = static_cast<std::uint8_t>(v);
}
void put_be32(std::uint32_t v, std::uint8_t* out) noexcept {
  for (int i = 3; i >= 0; --i, v >>= 8)
    out[i] = static_cast<std::uint8_t>(v);
}
void put_be64(std::uint64_t v, std::uint8_t* out) noexcept {
  for (int i = 7; i >= 0; --i, v >>= 8)
    out[i] = static_cast<std::uint8_t>(v);
}
std::uint16_t be16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint64_t be64(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | p[i];
  return v;
}

Error no_context() {
  return Error(ErrorCategory::kInvalidArgument, major_status::kNoContext, "no security context");
}
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
// A crypto error re-coded as a GSS status, keeping its category and detail.
Error recode(const Error& e, std::int32_t code) {
  return Error(e.category(), code, e.detail());
}

// The plaintext a Wrap or MIC checksum covers is one contiguous span in the crypto API
// (message | header); this holds it: on the stack for small messages, else on the heap.
// Wiped on destruction, since it holds the caller's plaintext.
class Scratch {
 public:
  explicit Scratch(std::size_t size) {
    if (size <= kInlineScratch) {
      buf_ = std::span<std::uint8_t>(inline_, size);
    } else {
      heap_.resize(size);
      buf_ = heap_;
    }
  }
  ~Scratch() { crypto::secure_wipe(buf_); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  std::span<std::uint8_t> span() noexcept { return buf_; }
  std::uint8_t* data() noexcept { return buf_.data(); }

 private:
  std::uint8_t inline_[kInlineScratch];
  std::vector<std::uint8_t> heap_;
  std::span<std::uint8_t> buf_;
};

// Copies `from` rotated left by `count` (< from.size()) into `to`: undoes the sender's right
// rotation by RRC (§4.2.5).
void unrotate(Bytes from, std::size_t count, std::uint8_t* to) noexcept {
  const std::size_t n = from.size();
  if (n == 0) return;
  std::memcpy(to, from.data() + count, n - count);
  if (count > 0) std::memcpy(to + (n - count), from.data(), count);
}

bool supported_enctype(crypto::EncType e) noexcept {
  switch (e) {
    case crypto::EncType::kAes128CtsHmacSha1_96:
    case crypto::EncType::kAes256CtsHmacSha1_96:
    case crypto::EncType::kAes128CtsHmacSha256_128:
    case crypto::EncType::kAes256CtsHmacSha384_192:
#if KERB_WITH_CAMELLIA
    case crypto::EncType::kCamellia128CtsCmac:
    case crypto::EncType::kCamellia256CtsCmac:
#endif
      return true;
    default:
      return false;  // rc4-hmac uses RFC 4757's token formats, which are not implemented
  }
}

// --- export blob ---------------------------------------------------------------------------
//
// Version 2, integers big-endian:
//   "KERBGSS" | version(1) = 2 | role(1) | acceptor_subkey(1) | flags(4) | endtime(8) |
//   enctype(4) | key length(1) | key | send_seq(8) | recv next(8) | recv seen bitmap(8) |
//   initiator: name type(4) | text length(2) | text | acceptor: the same |
//   initiator subkey: enctype(4) | key length(1) | key
// An empty Principal has text length 0; no initiator subkey is enctype 0 and length 0 (there
// is one only with acceptor_subkey). Nothing may follow. Version 1 is version 2 without the
// initiator subkey, and is still read.
constexpr char kMagic[7] = {'K', 'E', 'R', 'B', 'G', 'S', 'S'};
constexpr std::uint8_t kBlobVersion = 2;

struct BlobWriter {
  std::vector<std::uint8_t>& out;
  void u8(std::uint8_t v) { out.push_back(v); }
  void be(std::uint64_t v, int octets) {
    for (int i = octets - 1; i >= 0; --i)
      out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void bytes(Bytes b) { out.insert(out.end(), b.begin(), b.end()); }
};

class BlobReader {
 public:
  explicit BlobReader(Bytes in) noexcept : in_(in) {}
  std::size_t offset() const noexcept { return pos_; }
  bool done() const noexcept { return pos_ == in_.size(); }
  bool take(std::size_t n, Bytes& out) noexcept {
    if (in_.size() - pos_ < n) return false;
    out = in_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool be(int octets, std::uint64_t& v) noexcept {
    Bytes b;
    if (!take(static_cast<std::size_t>(octets), b)) return false;
    v = 0;
    for (std::uint8_t x : b)
      v = (v << 8) | x;
    return true;
  }

 private:
  Bytes in_;
  std::size_t pos_ = 0;
};

Error bad_blob(const char* what, std::size_t offset) {
  return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                       "exported context: %s at offset %zu", what, offset);
}

bool empty_principal(const Principal& p) noexcept {
  return p.realm().empty() && p.components().empty();
}

// The keys derived from one base key for one direction (RFC 4121 §2): Wrap tokens use the
// SEAL usage with or without confidentiality, MIC tokens the SIGN usage.
struct DirectionKeys {
  crypto::UsageKey seal;
  crypto::ChecksumKey wrap_mic;  // Wrap without confidentiality
  crypto::ChecksumKey sign;      // MIC tokens
  std::size_t checksum_size = 0;
};

Result<void> derive_direction(const crypto::Key& key, bool acceptor, DirectionKeys& out) {
  const std::uint32_t seal = acceptor ? key_usage::kAcceptorSeal : key_usage::kInitiatorSeal;
  const std::uint32_t sign = acceptor ? key_usage::kAcceptorSign : key_usage::kInitiatorSign;
  {
    auto k = crypto::UsageKey::derive(key, seal);
    if (!k) return recode(k.error(), major_status::kFailure);
    out.seal = *k;
  }
  {
    auto k = crypto::ChecksumKey::derive(key, seal);
    if (!k) return recode(k.error(), major_status::kFailure);
    out.wrap_mic = *k;
  }
  {
    auto k = crypto::ChecksumKey::derive(key, sign);
    if (!k) return recode(k.error(), major_status::kFailure);
    out.sign = *k;
  }
  out.checksum_size = out.sign.size();
  if (out.checksum_size == 0 || out.checksum_size > kMaxChecksum) {
    return Error(ErrorCategory::kCrypto, major_status::kFailure, "unexpected checksum size");
  }
  return ok();
}

Error unsupported_enctype(crypto::EncType e) {
  return Error::format(ErrorCategory::kPolicy, major_status::kFailure,
                       "no RFC 4121 tokens for enctype %d", static_cast<int>(e));
}

}  // namespace

struct SecurityContext::State {
  Role role = Role::kInitiator;
  std::uint32_t flags = 0;
  bool acceptor_subkey = false;
  std::int64_t endtime = 0;
  crypto::Key key;  // the base key: kept for export_context() and pseudo_random()
  // With acceptor_subkey: the initiator's subkey (or the session key), see Params.
  std::optional<crypto::Key> initiator_subkey;
  // Derived once from `key`.
  DirectionKeys sending;    // our tokens
  DirectionKeys receiving;  // the peer's
  // An acceptor's keys for the initiator's tokens under initiator_subkey, derived at the first
  // such token (only a prot_ready initiator sends them).
  std::unique_ptr<DirectionKeys> recv_early;
  std::uint64_t send_seq = 0;
  detail::SeqWindow recv;
  Principal initiator;
  Principal acceptor;
  crypto::Random* random = &crypto::os_random();
  const Clock* clock = &system_clock();

  std::uint8_t our_flags() const noexcept {
    return static_cast<std::uint8_t>((role == Role::kAcceptor ? kSentByAcceptor : 0) |
                                     (acceptor_subkey ? kAcceptorSubkey : 0));
  }

  Result<void> check_time() const {
    const std::int64_t now = clock->now().seconds;
    if (now > endtime) {
      return Error::format(ErrorCategory::kProtocol, major_status::kContextExpired,
                           "security context expired at %lld (now %lld)",
                           static_cast<long long>(endtime), static_cast<long long>(now));
    }
    return ok();
  }

  // Derives sending and receiving from `base` for this context's role.
  Result<void> derive_keys(const crypto::Key& base) {
    if (!supported_enctype(base.enctype())) return unsupported_enctype(base.enctype());
    const bool acceptor = role == Role::kAcceptor;
    KERB_TRY_VOID(derive_direction(base, acceptor, sending));
    return derive_direction(base, !acceptor, receiving);
  }

  // Checks a received token's flags (§4.2.2) and picks the keys that verify it: the direction
  // must be the peer's, and the AcceptorSubkey flag says which subkey protected the token.
  // Unknown flags are ignored.
  Result<const DirectionKeys*> recv_keys(std::uint8_t flags) {
    const bool from_acceptor = (flags & kSentByAcceptor) != 0;
    if (from_acceptor == (role == Role::kAcceptor)) {
      return Error(ErrorCategory::kProtocol, major_status::kBadMic,
                   "token was sent in this context's own direction (reflected)");
    }
    const bool flagged = (flags & kAcceptorSubkey) != 0;
    if (flagged == acceptor_subkey) return &receiving;
    if (flagged) {
      return Error(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                   "AcceptorSubkey flag set; the context has no acceptor subkey");
    }
    // Flag clear although we asserted a subkey: the initiator protected it with its own
    // before our AP-REP reached it (RFC 2743 §1.2.7). MIT's acceptor picks the key by the flag
    // the same way. An acceptor's tokens always carry the flag once it asserted a subkey.
    if (role != Role::kAcceptor || !initiator_subkey) {
      return Error(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                   "AcceptorSubkey flag missing; the context uses the acceptor's subkey");
    }
    if (!recv_early) {
      if (!supported_enctype(initiator_subkey->enctype())) {
        return unsupported_enctype(initiator_subkey->enctype());
      }
      auto keys = std::make_unique<DirectionKeys>();
      KERB_TRY_VOID(derive_direction(*initiator_subkey, false, *keys));
      recv_early = std::move(keys);
    }
    return recv_early.get();
  }

  // Classifies an authentic token's sequence number and records it. With kReplay or
  // kSequence a duplicate is an error; every other case is reported as supplementary bits.
  Result<std::uint32_t> accept_seq(std::uint64_t seq) {
    const std::uint32_t bits = recv.classify(seq);
    if (bits == supplementary::kDuplicateToken &&
        (flags & (context_flags::kReplay | context_flags::kSequence)) != 0) {
      return Error(ErrorCategory::kProtocol, major_status::kFailure, "duplicate token (replay)");
    }
    recv.record(seq);
    return bits;
  }

  // Unwrap without the wipe-on-failure of the public form.
  Result<Unwrapped> unwrap(Bytes token, std::span<std::uint8_t> message);
};

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
  const std::size_t ec = be16(token.data() + 4);
  const std::size_t rrc = be16(token.data() + 6);
  const std::uint64_t seq = be64(token.data() + 8);
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

// --- construction ----------------------------------------------------------------------------

Result<SecurityContext> SecurityContext::make(Params params) {
  if (params.key.empty()) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "security context needs a key");
  }
  if (params.role != Role::kInitiator && params.role != Role::kAcceptor) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, "bad context role");
  }
  if (params.initiator_subkey && (!params.acceptor_subkey || params.initiator_subkey->empty())) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "an initiator subkey goes with an acceptor subkey only");
  }
  auto state = std::make_unique<State>();
  state->role = params.role;
  KERB_TRY_VOID(state->derive_keys(params.key));
  state->flags = params.flags;
  state->acceptor_subkey = params.acceptor_subkey;
  state->endtime = params.endtime;
  state->key = std::move(params.key);
  state->initiator_subkey = std::move(params.initiator_subkey);
  state->send_seq = params.send_seq;
  state->recv = detail::SeqWindow(params.recv_seq);
  state->initiator = std::move(params.initiator);
  state->acceptor = std::move(params.acceptor);
  SecurityContext ctx;
  ctx.state_ = std::move(state);
  return ctx;
}

// Out of line: State is incomplete in the header (a constructor may invoke ~unique_ptr).
SecurityContext::SecurityContext() noexcept = default;
SecurityContext::SecurityContext(SecurityContext&&) noexcept = default;
SecurityContext& SecurityContext::operator=(SecurityContext&&) noexcept = default;
SecurityContext::~SecurityContext() = default;  // State's keys wipe themselves

void SecurityContext::destroy() noexcept {
  state_.reset();
}

bool SecurityContext::established() const noexcept {
  return state_ != nullptr;
}
SecurityContext::Role SecurityContext::role() const noexcept {
  return state_ ? state_->role : Role::kInitiator;
}
std::uint32_t SecurityContext::flags() const noexcept {
  return state_ ? state_->flags : 0;
}
std::int64_t SecurityContext::endtime() const noexcept {
  return state_ ? state_->endtime : 0;
}
const Principal& SecurityContext::initiator() const noexcept {
  static const Principal kNone;
  return state_ ? state_->initiator : kNone;
}
const Principal& SecurityContext::acceptor() const noexcept {
  static const Principal kNone;
  return state_ ? state_->acceptor : kNone;
}
void SecurityContext::set_random(crypto::Random& random) noexcept {
  if (state_) state_->random = &random;
}
void SecurityContext::set_clock(const Clock& clock) noexcept {
  if (state_) state_->clock = &clock;
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
  put_be64(s.send_seq, header + 8);
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
    put_be16(static_cast<std::uint16_t>(ck), header + 4);
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

Result<std::vector<std::uint8_t>> SecurityContext::get_mic(Bytes message) {
  if (!state_) return no_context();
  State& s = *state_;
  KERB_TRY_VOID(s.check_time());
  if (message.size() > kMaxMessage) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, "message too large");
  }
  const std::size_t n = message.size();
  std::vector<std::uint8_t> token(kHeaderSize + s.sending.checksum_size);
  std::uint8_t* header = token.data();
  header[0] = 0x04;
  header[1] = 0x04;
  header[2] = s.our_flags();
  std::memset(header + 3, 0xFF, 5);
  put_be64(s.send_seq, header + 8);
  Scratch in(n + kHeaderSize);  // message | header
  if (n > 0) std::memcpy(in.data(), message.data(), n);
  std::memcpy(in.data() + n, header, kHeaderSize);
  auto made = s.sending.sign.make(in.span(), std::span<std::uint8_t>(token).subspan(kHeaderSize));
  if (!made) return recode(made.error(), major_status::kFailure);
  ++s.send_seq;
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
  return s.accept_seq(be64(token.data() + 8));
}

// --- GSS_Pseudo_random ------------------------------------------------------------------------

Result<void> SecurityContext::pseudo_random(PrfKey which, Bytes input,
                                            std::span<std::uint8_t> out) {
  if (!state_) return no_context();
  const State& s = *state_;
  if (which != PrfKey::kPartial && which != PrfKey::kFull) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, "unknown PRF key");
  }
  if (out.size() > kMaxPrfOutput) {
    return Error::format(ErrorCategory::kInvalidArgument, major_status::kFailure,
                         "PRF output of %zu octets exceeds %zu", out.size(), kMaxPrfOutput);
  }
  if (input.size() > kMaxMessage) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, "PRF input too large");
  }
  // RFC 7802 §2: the full key is the base key of the per-message tokens; the partial one the
  // key the context had before the acceptor's subkey arrived.
  const crypto::Key* key = &s.key;
  if (which == PrfKey::kPartial && s.acceptor_subkey) {
    if (!s.initiator_subkey) {
      return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                   "this context does not know the initiator's subkey (imported from a "
                   "version 1 blob)");
    }
    key = &*s.initiator_subkey;
  }
  const std::size_t block = key->info()->prf_size;
  std::uint8_t t[64];
  if (block == 0 || block > sizeof t) {
    return Error(ErrorCategory::kCrypto, major_status::kFailure, "unexpected PRF size");
  }
  Scratch ns(4 + input.size());  // counter | input
  if (!input.empty()) std::memcpy(ns.data() + 4, input.data(), input.size());
  std::uint32_t counter = 0;  // RFC 7802 §2: from 0, as deployed (RFC 4402 said 1)
  for (std::size_t off = 0; off < out.size(); off += block, ++counter) {
    put_be32(counter, ns.data());
    auto made = crypto::prf(*key, ns.span(), t);
    if (!made) {
      crypto::secure_wipe(t, sizeof t);
      crypto::secure_wipe(out);
      return recode(made.error(), major_status::kFailure);
    }
    std::memcpy(out.data() + off, t, std::min(block, out.size() - off));
  }
  crypto::secure_wipe(t, sizeof t);
  return ok();
}

// --- completing a prot_ready initiator's context ----------------------------------------------

Result<void> detail::ContextAccess::complete(SecurityContext& context,
                                             std::optional<crypto::Key> acceptor_subkey,
                                             std::uint64_t peer_seq) {
  if (!context.state_) return no_context();
  SecurityContext::State& s = *context.state_;
  if (s.role != SecurityContext::Role::kInitiator || s.acceptor_subkey) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "the context is already complete");
  }
  if (acceptor_subkey) {
    // Derived first, so that a failure leaves the context as it was.
    DirectionKeys sending, receiving;
    if (!supported_enctype(acceptor_subkey->enctype())) {
      return unsupported_enctype(acceptor_subkey->enctype());
    }
    KERB_TRY_VOID(derive_direction(*acceptor_subkey, false, sending));
    KERB_TRY_VOID(derive_direction(*acceptor_subkey, true, receiving));
    s.sending = sending;
    s.receiving = receiving;
    s.initiator_subkey = std::move(s.key);
    s.key = std::move(*acceptor_subkey);
    s.acceptor_subkey = true;
  }
  s.recv = detail::SeqWindow(peer_seq);
  return ok();
}

// --- export / import -------------------------------------------------------------------------

Result<std::vector<std::uint8_t>> SecurityContext::export_context() const {
  if (!state_) return no_context();
  const State& s = *state_;
  std::string names[2];
  const Principal* principals[2] = {&s.initiator, &s.acceptor};
  for (int i = 0; i < 2; ++i) {
    const Principal& p = *principals[i];
    if (empty_principal(p)) continue;
    names[i] = p.to_string();
    // The text form must bring back the same principal on import.
    auto back = Principal::parse(names[i]);
    if (!back || !(*back == p) || names[i].size() > 0xFFFF) {
      return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                   "exported context: a principal has no faithful text form");
    }
  }
  const Bytes key = s.key.expose_secret();
  const Bytes subkey = s.initiator_subkey ? s.initiator_subkey->expose_secret() : Bytes();
  const std::size_t size = sizeof(kMagic) + 3 + 4 + 8 + 4 + 1 + key.size() + 24 +
                           (4 + 2 + names[0].size()) + (4 + 2 + names[1].size()) + 4 + 1 +
                           subkey.size();
  std::vector<std::uint8_t> blob;
  blob.reserve(size);  // exactly: no reallocation leaves a copy of the key behind
  BlobWriter w{blob};
  w.bytes(Bytes(reinterpret_cast<const std::uint8_t*>(kMagic), sizeof(kMagic)));
  w.u8(kBlobVersion);
  w.u8(s.role == Role::kAcceptor ? 1 : 0);
  w.u8(s.acceptor_subkey ? 1 : 0);
  w.be(s.flags, 4);
  w.be(static_cast<std::uint64_t>(s.endtime), 8);
  w.be(static_cast<std::uint32_t>(s.key.enctype()), 4);
  w.u8(static_cast<std::uint8_t>(key.size()));
  w.bytes(key);
  w.be(s.send_seq, 8);
  w.be(s.recv.next(), 8);
  w.be(s.recv.seen(), 8);
  for (int i = 0; i < 2; ++i) {
    w.be(static_cast<std::uint32_t>(principals[i]->raw_name_type()), 4);
    w.be(names[i].size(), 2);
    w.bytes(Bytes(reinterpret_cast<const std::uint8_t*>(names[i].data()), names[i].size()));
  }
  w.be(s.initiator_subkey ? static_cast<std::uint32_t>(s.initiator_subkey->enctype()) : 0, 4);
  w.u8(static_cast<std::uint8_t>(subkey.size()));
  w.bytes(subkey);
  return blob;
}

Result<SecurityContext> SecurityContext::import_context(Bytes blob) {
  BlobReader r(blob);
  Bytes magic;
  if (!r.take(sizeof(kMagic), magic) || std::memcmp(magic.data(), kMagic, sizeof(kMagic)) != 0) {
    return bad_blob("no KERBGSS magic", 0);
  }
  std::uint64_t v = 0;
  if (!r.be(1, v)) return bad_blob("truncated", r.offset());
  if (v != 1 && v != kBlobVersion) return bad_blob("unknown version", r.offset() - 1);
  const std::uint64_t version = v;
  Params p;
  if (!r.be(1, v)) return bad_blob("truncated", r.offset());
  if (v > 1) return bad_blob("bad role", r.offset() - 1);
  p.role = v == 1 ? Role::kAcceptor : Role::kInitiator;
  if (!r.be(1, v)) return bad_blob("truncated", r.offset());
  if (v > 1) return bad_blob("bad acceptor_subkey", r.offset() - 1);
  p.acceptor_subkey = v == 1;
  if (!r.be(4, v)) return bad_blob("truncated", r.offset());
  p.flags = static_cast<std::uint32_t>(v);
  if (!r.be(8, v)) return bad_blob("truncated", r.offset());
  p.endtime = static_cast<std::int64_t>(v);
  if (!r.be(4, v)) return bad_blob("truncated", r.offset());
  const auto enctype = static_cast<crypto::EncType>(static_cast<std::int32_t>(v));
  const std::size_t enctype_at = r.offset() - 4;
  if (!r.be(1, v)) return bad_blob("truncated", r.offset());
  Bytes key_bytes;
  if (!r.take(static_cast<std::size_t>(v), key_bytes)) return bad_blob("truncated key", r.offset());
  {
    auto key = crypto::Key::from_bytes(enctype, key_bytes);
    if (!key) return bad_blob("bad key or enctype", enctype_at);
    p.key = std::move(*key);
  }
  std::uint64_t next = 0, seen = 0;
  if (!r.be(8, p.send_seq) || !r.be(8, next) || !r.be(8, seen)) {
    return bad_blob("truncated", r.offset());
  }
  p.recv_seq = next;
  Principal* principals[2] = {&p.initiator, &p.acceptor};
  for (Principal* out : principals) {
    std::uint64_t type = 0, length = 0;
    if (!r.be(4, type) || !r.be(2, length)) return bad_blob("truncated", r.offset());
    const std::size_t text_at = r.offset();
    Bytes text;
    if (!r.take(static_cast<std::size_t>(length), text)) return bad_blob("truncated", text_at);
    if (length == 0) {
      if (type != 0) return bad_blob("name type without a name", text_at - 6);
      continue;
    }
    auto parsed =
        Principal::parse(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
    if (!parsed) return bad_blob("bad principal", text_at);
    PrincipalName name = parsed->name();
    if (name.size() != parsed->components().size()) return bad_blob("bad principal", text_at);
    name.set_name_type(static_cast<std::int32_t>(static_cast<std::uint32_t>(type)));
    *out = Principal(parsed->realm(), name);
  }
  if (version >= 2) {
    if (!r.be(4, v)) return bad_blob("truncated", r.offset());
    const auto subkey_type = static_cast<crypto::EncType>(static_cast<std::int32_t>(v));
    const std::size_t subkey_at = r.offset() - 4;
    if (!r.be(1, v)) return bad_blob("truncated", r.offset());
    Bytes subkey_bytes;
    if (!r.take(static_cast<std::size_t>(v), subkey_bytes)) {
      return bad_blob("truncated initiator subkey", r.offset());
    }
    if (subkey_type != crypto::EncType::kNone || !subkey_bytes.empty()) {
      if (!p.acceptor_subkey)
        return bad_blob("initiator subkey without acceptor subkey", subkey_at);
      auto key = crypto::Key::from_bytes(subkey_type, subkey_bytes);
      if (!key) return bad_blob("bad initiator subkey or enctype", subkey_at);
      p.initiator_subkey = std::move(*key);
    }
  }
  if (!r.done()) return bad_blob("trailing bytes", r.offset());
  KERB_TRY(SecurityContext ctx, make(std::move(p)));
  ctx.state_->recv = detail::SeqWindow(next, seen);
  return ctx;
}

}  // namespace kerb::gss
