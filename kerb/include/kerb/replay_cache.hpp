// The replay cache of the AP exchange (RFC 4120 §3.2.3): a service remembers the authenticators
// it accepted while they are within the clock skew, so a replayed AP-REQ is refused
// (KRB_AP_ERR_REPEAT). verify_ap_req takes one in ApVerifyContext::replay_cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kerb/result.hpp>

namespace kerb {

// Remembers authenticators seen within the clock skew (RFC 4120 §3.2.3) so a replayed
// AP-REQ is refused.
class ReplayCache {
 public:
  virtual ~ReplayCache() = default;
  // True when (client, authenticator ciphertext) is new; records it until `expires`.
  virtual Result<bool> check_and_store(std::string_view client,
                                       std::span<const std::uint8_t> authenticator_cipher,
                                       std::int64_t now, std::int64_t expires) = 0;
};

// In memory, for one process; safe to share between threads. At most 16384 live entries:
// beyond that new authenticators are refused (kIo) rather than the cache growing.
class MemoryReplayCache final : public ReplayCache {
 public:
  MemoryReplayCache();
  ~MemoryReplayCache() override;
  Result<bool> check_and_store(std::string_view client,
                               std::span<const std::uint8_t> authenticator_cipher, std::int64_t now,
                               std::int64_t expires) override;

 private:
  struct Entry;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::size_t occupied_ = 0;
};

// A file that survives a restart of the service (entries are hashes, never authenticators).
// Processes may share it (flock). Bounded (16384 live entries; full means refusal), and a
// corrupt file fails closed: authenticators that may predate the damage are refused (kIo)
// until they would have expired, then it recovers by itself.
class FileReplayCache final : public ReplayCache {
 public:
  explicit FileReplayCache(std::string path) : path_(std::move(path)) {}
  Result<bool> check_and_store(std::string_view client,
                               std::span<const std::uint8_t> authenticator_cipher, std::int64_t now,
                               std::int64_t expires) override;

 private:
  std::string path_;
};

// A process-wide MemoryReplayCache: it lives until the process ends, so services that build
// their options afresh for every connection still share one (the GSS acceptor's default).
ReplayCache& default_replay_cache();

}  // namespace kerb
