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
#include <kerb/principal.hpp>

#include "context_seq.hpp"
#include "context_state.hpp"

namespace kerb::gss {

namespace {

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

// An enctype in the blob: its Int32 as 32 bits, two's complement.
std::uint32_t enctype_to_blob(crypto::EncType enctype) noexcept {
  return static_cast<std::uint32_t>(enctype);
}
crypto::EncType enctype_from_blob(std::uint64_t v) noexcept {
  return static_cast<crypto::EncType>(static_cast<std::int32_t>(static_cast<std::uint32_t>(v)));
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
  w.be(enctype_to_blob(s.key.enctype()), 4);
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
  w.be(s.initiator_subkey ? enctype_to_blob(s.initiator_subkey->enctype()) : 0, 4);
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
  const crypto::EncType enctype = enctype_from_blob(v);
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
    const crypto::EncType subkey_type = enctype_from_blob(v);
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
