// RFC 4120 §5.2 building blocks shared by every message family, and the decode/encode
// conventions the families follow.
//
// Decoded values are views into the bytes they came from (zero-copy; the caller keeps those
// bytes alive). Values built for encoding are views into the caller's data. Each type T has
//   [[nodiscard]] bool decode(der::Reader& in, T& out);   // reads exactly one element
//   void encode(der::Writer& out, const T& value);
// and decode_der<T>() decodes a whole buffer with a kerb::Error that names the type and the
// byte offset of the fault.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>

#include <kerb/crypto/enctype.hpp>
#include <kerb/der/reader.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/error.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

namespace kerb {

using Bytes = std::span<const std::uint8_t>;

// KerberosTime (RFC 4120 §5.2.3): whole seconds since the epoch, UTC.
struct KerberosTime {
  std::int64_t seconds = 0;
  friend auto operator<=>(const KerberosTime&, const KerberosTime&) = default;
};

// Microseconds ::= INTEGER (0..999999) (RFC 4120 §5.2.4): cusec, susec, usec, pausec. decode
// rejects values outside the range; encode writes what it is given.
struct Microseconds {
  std::int32_t value = 0;
  friend auto operator<=>(const Microseconds&, const Microseconds&) = default;
};

// KerberosFlags (RFC 4120 §5.2.8): TicketFlags, KDCOptions, APOptions. Flag n is bit n from the
// most significant end; constants.hpp names them.
struct KerberosFlags {
  std::uint32_t bits = 0;
  bool has(std::uint32_t flag) const noexcept { return (bits & flag) == flag; }
  friend bool operator==(const KerberosFlags&, const KerberosFlags&) = default;
};

// HostAddress (RFC 4120 §5.2.5).
struct HostAddress {
  std::int32_t addr_type = 0;
  Bytes address;
};

// One AuthorizationData element (RFC 4120 §5.2.6).
struct AuthorizationDataEntry {
  std::int32_t ad_type = 0;
  Bytes ad_data;
};

// PA-DATA (RFC 4120 §5.2.7).
struct PaData {
  std::int32_t padata_type = 0;
  Bytes padata_value;
};

// EncryptedData (RFC 4120 §5.2.9).
struct EncryptedData {
  crypto::EncType etype = crypto::EncType::kNone;
  std::optional<std::uint32_t> kvno;
  Bytes cipher;
};

// EncryptionKey (RFC 4120 §5.2.9). keyvalue is secret: it points into decrypted plaintext that
// the caller wipes.
struct EncryptionKey {
  crypto::EncType keytype = crypto::EncType::kNone;
  Bytes keyvalue;
};

// Checksum (RFC 4120 §5.2.9).
struct Checksum {
  std::int32_t cksumtype = 0;
  Bytes checksum;
};

// One LastReq element (RFC 4120 §5.4.2).
struct LastReqEntry {
  std::int32_t lr_type = 0;
  KerberosTime lr_value;
};

// TransitedEncoding (RFC 4120 §5.3).
struct TransitedEncoding {
  std::int32_t tr_type = 0;
  Bytes contents;
};

// An enctype as an element of a SEQUENCE OF Int32 (the etype list of KDC-REQ-BODY): declared
// before SequenceOf, whose iterator finds it by ordinary lookup (EncType's associated namespace
// is kerb::crypto). Any Int32 decodes, including numbers kerb has no profile for.
[[nodiscard]] bool decode(der::Reader& in, crypto::EncType& out);
void encode(der::Writer& out, crypto::EncType value);

// SEQUENCE OF T, without a heap: built from the caller's elements for encoding, or from the
// DER contents of a decoded SEQUENCE OF, which decode validated in full and iteration decodes
// again one element at a time. Either way iteration yields T by value.
template <class T>
class SequenceOf {
 public:
  SequenceOf() = default;
  SequenceOf(std::span<const T> items) noexcept : items_(items), size_(items.size()) {}
  static SequenceOf decoded(Bytes contents, std::size_t count) noexcept {
    SequenceOf s;
    s.encoded_ = contents;
    s.size_ = count;
    s.from_der_ = true;
    return s;
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    const T& operator*() const noexcept { return current_; }
    const T* operator->() const noexcept { return &current_; }
    iterator& operator++() noexcept {
      ++index_;
      load();
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.index_ == b.index_;
    }

   private:
    friend class SequenceOf;
    iterator(const SequenceOf* seq, std::size_t index) noexcept
        : seq_(seq), index_(index), rest_(seq->encoded_) {
      load();
    }
    void load() noexcept {
      if (index_ >= seq_->size_) return;
      if (!seq_->from_der_) {
        current_ = seq_->items_[index_];
        return;
      }
      der::Error error;
      der::Reader in(rest_, error);
      (void)decode(in, current_);  // cannot fail: decode validated these bytes
      rest_ = in.unread();
    }

    const SequenceOf* seq_ = nullptr;
    std::size_t index_ = 0;
    Bytes rest_;
    T current_{};
  };

  iterator begin() const noexcept { return iterator(this, 0); }
  iterator end() const noexcept { return iterator(this, size_); }

 private:
  std::span<const T> items_;
  Bytes encoded_;
  std::size_t size_ = 0;
  bool from_der_ = false;
};

using HostAddresses = SequenceOf<HostAddress>;
using AuthorizationData = SequenceOf<AuthorizationDataEntry>;
using MethodData = SequenceOf<PaData>;  // also the padata of KDC-REQ and KDC-REP
using LastReq = SequenceOf<LastReqEntry>;

[[nodiscard]] bool decode(der::Reader& in, PrincipalName& out);
void encode(der::Writer& out, const PrincipalName& value);
[[nodiscard]] bool decode(der::Reader& in, KerberosTime& out);
void encode(der::Writer& out, KerberosTime value);
[[nodiscard]] bool decode(der::Reader& in, Microseconds& out);
void encode(der::Writer& out, Microseconds value);
[[nodiscard]] bool decode(der::Reader& in, KerberosFlags& out);
void encode(der::Writer& out, KerberosFlags value);
[[nodiscard]] bool decode(der::Reader& in, HostAddress& out);
void encode(der::Writer& out, const HostAddress& value);
[[nodiscard]] bool decode(der::Reader& in, AuthorizationDataEntry& out);
void encode(der::Writer& out, const AuthorizationDataEntry& value);
[[nodiscard]] bool decode(der::Reader& in, PaData& out);
void encode(der::Writer& out, const PaData& value);
[[nodiscard]] bool decode(der::Reader& in, EncryptedData& out);
void encode(der::Writer& out, const EncryptedData& value);
[[nodiscard]] bool decode(der::Reader& in, EncryptionKey& out);
void encode(der::Writer& out, const EncryptionKey& value);
[[nodiscard]] bool decode(der::Reader& in, Checksum& out);
void encode(der::Writer& out, const Checksum& value);
[[nodiscard]] bool decode(der::Reader& in, LastReqEntry& out);
void encode(der::Writer& out, const LastReqEntry& value);
[[nodiscard]] bool decode(der::Reader& in, TransitedEncoding& out);
void encode(der::Writer& out, const TransitedEncoding& value);

// SEQUENCE OF: validates every element, keeps the contents for lazy iteration.
template <class T>
[[nodiscard]] bool decode(der::Reader& in, SequenceOf<T>& out) {
  der::Reader seq;
  if (!in.read_sequence(seq)) return false;
  const Bytes contents = seq.unread();
  std::size_t count = 0;
  while (!seq.empty()) {
    T item{};
    if (!decode(seq, item)) return false;
    ++count;
  }
  out = SequenceOf<T>::decoded(contents, count);
  return true;
}

template <class T>
void encode(der::Writer& out, const SequenceOf<T>& value) {
  out.sequence([&] {
    for (const T& item : value)
      encode(out, item);
  });
}

// A kerb::Error for a DER fault: "<what>: <reason> at offset <n>".
inline Error der_error(const der::Error& fault, std::string_view what) {
  return Error::format(ErrorCategory::kDer, 0, "%.*s: %s at offset %zu",
                       static_cast<int>(what.size()), what.data(),
                       fault.reason != nullptr ? fault.reason : "malformed", fault.offset);
}

// Decodes `bytes` as exactly one T with nothing after it.
template <class T>
Result<T> decode_der(Bytes bytes, std::string_view what) {
  der::Error fault;
  der::Reader in(bytes, fault);
  T out{};
  if (!decode(in, out) || !in.finish()) return der_error(fault, what);
  return out;
}

}  // namespace kerb
