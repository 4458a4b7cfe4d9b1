// The working memory of an exchange (DESIGN.md convention 6's fixed-buffer path): with a caller
// buffer (AsContext/ApContext::work_buffer), the request is encoded at its front and every
// temporary -- PA-ENC-TIMESTAMP, authenticator, ciphertexts, the decrypted enc-part -- is taken
// from its back and wiped when released, so nothing reaches the heap. Without one, the same code
// takes each block from the heap, sized exactly by a counting pass.
//
//   front: [request .......]            free              [... temporaries]  :back
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/error.hpp>
#include <kerb/internal/sealed.hpp>
#include <kerb/result.hpp>

namespace kerb::detail {

class WorkArena {
 public:
  // `keep_front`: bytes at the front still in use (the request sent, which a reply is checked
  // against). `needed`: the exchange's record of the most memory any call needed. `reply`: the
  // reply being consumed; when the caller received it into the buffer (Client does, at the
  // back), everything from its start on is kept too.
  WorkArena(std::span<std::uint8_t> buffer, std::size_t keep_front, std::size_t& needed,
            std::span<const std::uint8_t> reply = {}) noexcept
      : buffer_(buffer), front_(keep_front), needed_(needed) {
    const std::less<const std::uint8_t*> before;
    const std::uint8_t* end = buffer_.data() + buffer_.size();
    if (!reply.empty() && !before(reply.data(), buffer_.data()) && before(reply.data(), end)) {
      back_ = static_cast<std::size_t>(end - reply.data());
    }
    note(front_ + back_);
  }
  WorkArena(const WorkArena&) = delete;
  WorkArena& operator=(const WorkArena&) = delete;

  bool fixed() const noexcept { return !buffer_.empty(); }

  // A temporary block: at the back of the buffer, or on the heap without one; wiped when it
  // goes. Blocks of one arena are released in the reverse order of taking (they are locals).
  class Block {
   public:
    explicit Block(WorkArena& arena) noexcept : arena_(arena) {}
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;
    ~Block() {
      crypto::secure_wipe(fixed_);
      if (!fixed_.empty()) arena_.back_ -= fixed_.size();
    }
    // Called once per block.
    Result<std::span<std::uint8_t>> take(std::size_t n) {
      if (!arena_.fixed()) {
        heap_.resize(n);
        return heap_.mutable_view();
      }
      KERB_TRY_VOID(arena_.fits(n));
      arena_.back_ += n;
      fixed_ = arena_.buffer_.subspan(arena_.buffer_.size() - arena_.back_, n);
      return fixed_;
    }
    std::span<const std::uint8_t> bytes() const noexcept {
      return arena_.fixed() ? std::span<const std::uint8_t>(fixed_).first(used_) : heap_.view();
    }
    void set_used(std::size_t n) noexcept {
      used_ = n;
      if (!arena_.fixed()) heap_.resize(n);
    }

   private:
    WorkArena& arena_;
    std::span<std::uint8_t> fixed_;
    std::size_t used_ = 0;
    crypto::SecretBuffer heap_;
  };

  // `value`'s DER encoding in `block`: counted first, so exactly one block of exactly its size.
  template <class T>
  Result<std::span<const std::uint8_t>> encoded(Block& block, const T& value,
                                                std::string_view what) {
    der::Writer counter = der::Writer::counting();
    encode_value(counter, value);
    KERB_TRY(std::span<std::uint8_t> out, block.take(counter.size()));
    der::Writer w(out);
    encode_value(w, value);
    if (!counter.ok() || !w.ok() || w.size() != out.size()) return encode_error(what);
    block.set_used(out.size());
    return block.bytes();
  }

  // The request to send, at the front of the buffer (over what was there), or in `heap`.
  template <class T>
  Result<std::span<const std::uint8_t>> encode_request(const T& value,
                                                       std::vector<std::uint8_t>& heap,
                                                       std::string_view what) {
    der::Writer counter = der::Writer::counting();
    encode_value(counter, value);
    if (!counter.ok()) return encode_error(what);
    std::span<std::uint8_t> out;
    if (fixed()) {
      front_ = 0;
      KERB_TRY_VOID(fits(counter.size()));
      out = buffer_.first(counter.size());
      front_ = out.size();
    } else {
      heap.resize(counter.size());
      out = heap;
    }
    der::Writer w(out);
    encode_value(w, value);
    if (!w.ok() || w.size() != out.size()) return encode_error(what);
    return std::span<const std::uint8_t>(out);
  }

  // `plain` sealed under (key, usage): the EncryptedData's cipher, in `block`.
  Result<std::span<const std::uint8_t>> seal(Block& block, const crypto::Key& key,
                                             std::uint32_t usage,
                                             std::span<const std::uint8_t> plain,
                                             crypto::Random& random) {
    KERB_TRY(crypto::UsageKey k, crypto::UsageKey::derive(key, usage));
    KERB_TRY(std::span<std::uint8_t> out, block.take(k.ciphertext_size(plain.size())));
    KERB_TRY(std::size_t n, k.encrypt(plain, out, random));
    block.set_used(n);
    return block.bytes();
  }

  // `cipher` decrypted under (key, usage) into `block`, with detail::open's checks and errors.
  Result<std::span<const std::uint8_t>> open(Block& block, const crypto::Key& key,
                                             std::uint32_t usage, crypto::EncType etype,
                                             std::span<const std::uint8_t> cipher,
                                             std::string_view what) {
    KERB_TRY(crypto::UsageKey k, opening_key(key, usage, etype, what));
    KERB_TRY(std::size_t size, k.plaintext_size(cipher.size()));
    KERB_TRY(std::span<std::uint8_t> out, block.take(size));
    KERB_TRY(std::size_t n, decrypt_into(k, cipher, out, what, 0));
    block.set_used(n);
    return block.bytes();
  }

  // The front in use: the request's length.
  std::size_t front() const noexcept { return front_; }

 private:
  template <class T>
  static void encode_value(der::Writer& w, const T& value) {
    encode(w, value);
  }
  static Error encode_error(std::string_view what) {
    return Error::format(ErrorCategory::kInvalidArgument, 0, "%.*s could not be encoded",
                         static_cast<int>(what.size()), what.data());
  }
  // kBufferTooSmall when n more bytes do not fit; needed() then counts them.
  Result<void> fits(std::size_t n) noexcept {
    const std::size_t used = front_ + back_ + n;
    note(used);
    if (used <= buffer_.size()) return ok();
    return Error::format(ErrorCategory::kBufferTooSmall, 0,
                         "the work buffer holds %zu bytes; this step needs at least %zu",
                         buffer_.size(), used);
  }
  void note(std::size_t used) noexcept {
    if (used > needed_) needed_ = used;
  }

  std::span<std::uint8_t> buffer_;
  std::size_t front_ = 0;
  std::size_t back_ = 0;
  std::size_t& needed_;
};

// An exchange's record of the reply its on_reply call is consuming, for that call only.
class ReplyInUse {
 public:
  ReplyInUse(std::span<const std::uint8_t>& slot, std::span<const std::uint8_t> reply) noexcept
      : slot_(slot) {
    slot_ = reply;
  }
  ReplyInUse(const ReplyInUse&) = delete;
  ReplyInUse& operator=(const ReplyInUse&) = delete;
  ~ReplyInUse() { slot_ = {}; }

 private:
  std::span<const std::uint8_t>& slot_;
};

}  // namespace kerb::detail
