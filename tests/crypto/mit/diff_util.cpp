#include "diff_util.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>

namespace kerb_test {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) noexcept {
  return (x << k) | (x >> (64 - k));
}

std::uint64_t fnv1a(std::string_view s) noexcept {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (char c : s) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001B3ull;
  }
  return h;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

// ---- Rng ----

Rng::Rng(std::uint64_t seed) noexcept {
  for (auto& s : s_)
    s = splitmix64(seed);
}

std::uint64_t Rng::next() noexcept {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::size_t Rng::below(std::size_t n) noexcept {
  // Modulo bias is irrelevant for test inputs.
  return static_cast<std::size_t>(next() % n);
}

std::size_t Rng::between(std::size_t lo, std::size_t hi) noexcept {
  return lo + below(hi - lo + 1);
}

void Rng::fill(std::span<std::uint8_t> out) noexcept {
  std::size_t i = 0;
  while (i < out.size()) {
    std::uint64_t v = next();
    for (int k = 0; k < 8 && i < out.size(); ++k, ++i) {
      out[i] = static_cast<std::uint8_t>(v);
      v >>= 8;
    }
  }
}

Bytes Rng::bytes(std::size_t n) {
  Bytes b(n);
  fill(b);
  return b;
}

kerb::Result<void> RngRandom::fill(std::span<std::uint8_t> out) {
  rng_.fill(out);
  return kerb::ok();
}

// ---- enctypes and keys ----

const crypto::Policy& weak_policy() {
  static const crypto::Policy policy = [] {
    crypto::Policy p = crypto::Policy::defaults();
    p.allow_rc4_hmac();
    return p;
  }();
  return policy;
}

const crypto::Policy& weak_s2k_policy() {
  static const crypto::Policy policy = [] {
    crypto::Policy p = weak_policy();
    p.allow_weak_s2kparams();
    return p;
  }();
  return policy;
}

const crypto::EncTypeInfo& info_of(crypto::EncType e) {
  const crypto::EncTypeInfo* info = crypto::find_enctype(e);
  if (info == nullptr) FAIL("kerb has no profile for enctype " << num(e));
  return *info;
}

crypto::Key key_of(crypto::EncType e, View bytes) {
  auto key = crypto::Key::from_bytes(e, bytes, weak_policy());
  if (!key) FAIL("Key::from_bytes(" << num(e) << ") failed: " << describe(key.error()));
  return std::move(key).value();
}

std::string quoted(std::string_view text) {
  std::string s = "\"";
  char buf[8];
  for (char c : text) {
    const auto b = static_cast<std::uint8_t>(c);
    if (b == '"' || b == '\\') {
      s += '\\';
      s += c;
    } else if (b >= 0x20 && b < 0x7F) {
      s += c;
    } else {
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      s += buf;
    }
  }
  return s + "\"";
}

// ---- random inputs ----

std::uint32_t random_usage(Rng& rng) {
  static constexpr std::uint32_t kEdges[] = {
      0,    1,          2,          3,          7,          8,          9,         11,
      12,   13,         22,         23,         24,         25,         255,       256,
      1024, 0x7FFFFFFE, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE, 0xFFFFFFFF};
  switch (rng.below(4)) {
    case 0:
      return static_cast<std::uint32_t>(rng.between(0, 64));  // RFC 4120/4121/6113 range
    case 1:
      return kEdges[rng.below(std::size(kEdges))];
    case 2:
      return static_cast<std::uint32_t>(rng.between(0, 1100));
    default:
      return rng.u32();
  }
}

std::size_t random_length(Rng& rng, std::size_t max) {
  switch (rng.below(4)) {
    case 0:
      return rng.between(0, max < 48 ? max : 48);
    case 1: {
      const std::size_t blocks = rng.between(0, max / 16);
      const std::size_t n = blocks * 16 + rng.between(0, 2);
      return n == 0 ? 0 : (n - 1 > max ? max : n - 1);  // 16n-1, 16n, 16n+1
    }
    default:
      return rng.between(0, max);
  }
}

std::string random_utf8(Rng& rng, std::size_t max_chars, bool allow_nul) {
  const std::size_t chars = rng.between(0, max_chars);
  std::string s;
  for (std::size_t i = 0; i < chars; ++i) {
    std::uint32_t cp = 0;
    switch (rng.below(8)) {
      case 0:
        cp = static_cast<std::uint32_t>(rng.between(0x80, 0x7FF));
        break;  // 2-byte
      case 1:
        cp = static_cast<std::uint32_t>(rng.between(0x800, 0xD7FF));
        break;  // 3-byte
      case 2:
        cp = static_cast<std::uint32_t>(rng.between(0xE000, 0xFFFD));
        break;  // 3-byte
      case 3:
        cp = static_cast<std::uint32_t>(rng.between(0x10000, 0x10FFFF));
        break;  // 4-byte
      default:
        cp = static_cast<std::uint32_t>(rng.between(0x20, 0x7E));
        break;  // ASCII
    }
    if (allow_nul && rng.percent(2)) cp = 0;
    append_utf8(s, cp);
  }
  return s;
}

// ---- seeds and failure log ----

std::uint64_t run_seed() {
  static const std::uint64_t seed = [] {
    if (const char* env = std::getenv("KERB_MIT_DIFF_SEED"); env != nullptr && *env != '\0') {
      return static_cast<std::uint64_t>(std::strtoull(env, nullptr, 0));
    }
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }();
  return seed;
}

CaseLog::CaseLog(std::string_view what, crypto::EncType enctype) : what_(what), enctype_(enctype) {
  std::uint64_t x = run_seed() ^ fnv1a(what) ^ (static_cast<std::uint64_t>(num(enctype)) << 48);
  seed_ = splitmix64(x);
}

CaseLog::~CaseLog() {
  std::printf("[mit-diff] %-28s %-28s %6zu cases, %zu failed (KERB_MIT_DIFF_SEED=%llu)\n",
              what_.c_str(), crypto::enctype_name(enctype_).data(), cases_, failures_,
              static_cast<unsigned long long>(run_seed()));
}

void CaseLog::fail(const std::string& description) {
  ++failures_;
  if (failures_ > kMaxReported) return;
  std::ostringstream msg;
  msg << what_ << ", " << crypto::enctype_name(enctype_) << " (" << num(enctype_) << "), case #"
      << cases_ << " -- replay with KERB_MIT_DIFF_SEED=" << run_seed() << "\n"
      << description;
  FAIL_CHECK(msg.str());
}

std::string describe(const mit::Outcome& o) {
  if (o.ok()) return "ok";
  return "code " + std::to_string(o.code) + " (" + o.message + ")";
}

std::string describe(const kerb::Error& e) {
  return std::string(kerb::to_string(e.category())) + ": " + std::string(e.detail());
}

}  // namespace kerb_test
