// SecurityContext export and import: the context's keys, flags, names and sequence state as a
// versioned blob an app keeps in secure storage, read back strictly.
//
// Version 2, integers big-endian:
//   "KERBGSS" | version(1) = 2 | role(1) | acceptor_subkey(1) | flags(4) | endtime(8) |
//   enctype(4) | key length(1) | key | send_seq(8) | recv next(8) | recv seen bitmap(8) |
//   initiator: name type(4) | text length(2) | text | acceptor: the same |
//   initiator subkey: enctype(4) | key length(1) | key
// An empty Principal has text length 0; no initiator subkey is enctype 0 and length 0 (there
// is one only with acceptor_subkey). Nothing may follow. Version 1 is version 2 without the
// initiator subkey, and is still read.
#include <kerb/gss/context.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/internal/bytes.hpp>
#include <kerb/principal.hpp>

#include "context_seq.hpp"
#include "context_state.hpp"

namespace kerb::gss {

namespace {

constexpr char kMagic[7] = {'K', 'E', 'R', 'B', 'G', 'S', 'S'};
constexpr std::uint8_t kBlobVersion = 2;

Error bad_blob(const char* what, std::size_t offset) {
  return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                       "exported context: %s at offset %zu", what, offset);
}

bool empty_principal(const Principal& p) noexcept {
  return p.realm().empty() && p.components().empty();
}

}  // namespace

Result<std::vector<std::uint8_t>> SecurityContext::export_context() const {
  if (!state_) return detail::no_context();
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
  // Counted, then written into a buffer reserved to that size: no reallocation leaves a copy
  // of the key behind.
  return kerb::detail::serialize_exact([&](kerb::detail::ByteWriter& w) -> Result<void> {
    w.bytes(Bytes(reinterpret_cast<const std::uint8_t*>(kMagic), sizeof(kMagic)));
    w.u8(kBlobVersion);
    w.u8(s.role == Role::kAcceptor ? 1 : 0);
    w.u8(s.acceptor_subkey ? 1 : 0);
    w.u32(s.flags);
    w.u64(static_cast<std::uint64_t>(s.endtime));
    w.u32(static_cast<std::uint32_t>(s.key.enctype()));
    w.u8(static_cast<std::uint8_t>(key.size()));
    w.bytes(key);
    w.u64(s.send_seq);
    w.u64(s.recv.next());
    w.u64(s.recv.seen());
    for (int i = 0; i < 2; ++i) {
      w.u32(static_cast<std::uint32_t>(principals[i]->raw_name_type()));
      w.u16(static_cast<std::uint16_t>(names[i].size()));
      w.bytes(names[i]);
    }
    w.u32(s.initiator_subkey ? static_cast<std::uint32_t>(s.initiator_subkey->enctype()) : 0);
    w.u8(static_cast<std::uint8_t>(subkey.size()));
    w.bytes(subkey);
    return ok();
  });
}

Result<SecurityContext> SecurityContext::import_context(Bytes blob) {
  // A failed read does not advance, so r.offset() is where the missing field starts; the
  // reader's own error is not used: import failures are GSS defective-token errors.
  kerb::detail::BinaryReader r(blob, /*big_endian=*/true, "exported context");
  Bytes magic;
  if (!r.read_bytes(sizeof(kMagic), magic, "magic") ||
      std::memcmp(magic.data(), kMagic, sizeof(kMagic)) != 0) {
    return bad_blob("no KERBGSS magic", 0);
  }
  std::uint8_t version = 0;
  if (!r.read_u8(version, "version")) return bad_blob("truncated", r.offset());
  if (version != 1 && version != kBlobVersion) return bad_blob("unknown version", r.offset() - 1);
  Params p;
  std::uint8_t b = 0;
  if (!r.read_u8(b, "role")) return bad_blob("truncated", r.offset());
  if (b > 1) return bad_blob("bad role", r.offset() - 1);
  p.role = b == 1 ? Role::kAcceptor : Role::kInitiator;
  if (!r.read_u8(b, "acceptor_subkey")) return bad_blob("truncated", r.offset());
  if (b > 1) return bad_blob("bad acceptor_subkey", r.offset() - 1);
  p.acceptor_subkey = b == 1;
  std::uint64_t endtime = 0;
  if (!r.read_u32(p.flags, "flags")) return bad_blob("truncated", r.offset());
  if (!r.read_u64(endtime, "endtime")) return bad_blob("truncated", r.offset());
  p.endtime = static_cast<std::int64_t>(endtime);
  std::int32_t etype = 0;
  if (!r.read_i32(etype, "enctype")) return bad_blob("truncated", r.offset());
  const auto enctype = static_cast<crypto::EncType>(etype);
  const std::size_t enctype_at = r.offset() - 4;
  Bytes key_bytes;
  if (!r.read_u8(b, "key length")) return bad_blob("truncated", r.offset());
  if (!r.read_bytes(b, key_bytes, "key")) return bad_blob("truncated key", r.offset());
  {
    auto key = crypto::Key::from_bytes(enctype, key_bytes);
    if (!key) return bad_blob("bad key or enctype", enctype_at);
    p.key = std::move(*key);
  }
  std::uint64_t next = 0, seen = 0;
  if (!r.read_u64(p.send_seq, "send_seq") || !r.read_u64(next, "recv next") ||
      !r.read_u64(seen, "recv seen")) {
    return bad_blob("truncated", r.offset());
  }
  p.recv_seq = next;
  Principal* principals[2] = {&p.initiator, &p.acceptor};
  for (Principal* out : principals) {
    std::uint32_t type = 0;
    std::uint16_t length = 0;
    if (!r.read_u32(type, "name type") || !r.read_u16(length, "name length")) {
      return bad_blob("truncated", r.offset());
    }
    const std::size_t text_at = r.offset();
    Bytes text;
    if (!r.read_bytes(length, text, "name")) return bad_blob("truncated", text_at);
    if (length == 0) {
      if (type != 0) return bad_blob("name type without a name", text_at - 6);
      continue;
    }
    auto parsed = Principal::parse(kerb::detail::as_text(text));
    if (!parsed) return bad_blob("bad principal", text_at);
    PrincipalName name = parsed->name();
    if (name.size() != parsed->components().size()) return bad_blob("bad principal", text_at);
    name.set_name_type(static_cast<std::int32_t>(type));
    *out = Principal(parsed->realm(), name);
  }
  if (version >= 2) {
    if (!r.read_i32(etype, "initiator subkey enctype")) return bad_blob("truncated", r.offset());
    const auto subkey_type = static_cast<crypto::EncType>(etype);
    const std::size_t subkey_at = r.offset() - 4;
    if (!r.read_u8(b, "initiator subkey length")) return bad_blob("truncated", r.offset());
    Bytes subkey_bytes;
    if (!r.read_bytes(b, subkey_bytes, "initiator subkey")) {
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
  if (!r.empty()) return bad_blob("trailing bytes", r.offset());
  KERB_TRY(SecurityContext ctx, make(std::move(p)));
  ctx.state_->recv = detail::SeqWindow(next, seen);
  return ctx;
}

}  // namespace kerb::gss
