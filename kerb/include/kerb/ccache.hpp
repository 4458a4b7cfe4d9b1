// Credentials caches: MIT's FILE format (versions 1-4 read, version 4 written), a
// process-local MEMORY cache, and cache names ("FILE:/path", "/path", "MEMORY:name",
// $KRB5CCNAME). Format facts from MIT's "Credential cache file format" document.
//
// CcacheContents is the in-memory image of one cache's contents (what a FILE cache holds on disk
// and a MEMORY cache in the process): a value, read and written whole. CredentialCache is the
// small interface a client uses (store, retrieve, default principal, KDC offset, config);
// FileCredentialCache and MemoryCcache implement it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <kerb/credentials.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

namespace kerb {

// The KDC's clock minus the client's (v4 header field tag 1: seconds and microseconds).
// Adding it to the local time gives the KDC's time, as long as neither clock has drifted.
struct KdcOffset {
  std::int32_t seconds = 0;
  std::int32_t microseconds = 0;
  friend bool operator==(const KdcOffset&, const KdcOffset&) = default;
};

// Configuration entries are stored as credentials whose server is
// krb5_ccache_conf_data/<key>[/<principal>]@X-CACHECONF: with the value in the ticket field.
inline constexpr std::string_view kCcacheConfigRealm = "X-CACHECONF:";
inline constexpr std::string_view kCcacheConfigComponent = "krb5_ccache_conf_data";

// One configuration entry (keys MIT uses: fast_avail, pa_config_data, pa_type,
// proxy_impersonator, refresh_time, start_realm). Never a ticket.
struct ConfigEntry {
  std::string key;
  std::string principal;  // the principal (unparsed text) the key is associated with, or empty
  std::vector<std::uint8_t> value;

  std::string_view value_text() const noexcept {
    return {reinterpret_cast<const char*>(value.data()), value.size()};
  }
  friend bool operator==(const ConfigEntry&, const ConfigEntry&) = default;
};

// The contents of a credentials cache, and their MIT FILE format.
//
// Reading accepts versions 1-4 (0x0501-0x0504). 1 and 2 use the host's byte order, 3 and 4
// big-endian; only 4 has a header (its tag-1 field is kdc_offset, other tags are skipped); in
// version 1 a principal has no name type and its count includes the realm; in version 3 the
// keyblock's enctype appears twice (the first is used). Entries whose server realm is
// X-CACHECONF: go to `config` (one not of the form krb5_ccache_conf_data/key[/principal] is
// dropped), never to `credentials`, and their ticket field is never decoded.
//
// Strictness: every length is checked against the remaining bytes before use; at most
// kMaxEntries entries, PrincipalName::kMaxComponents components per principal, KeyBlock::kMaxSize
// key bytes, kMaxAddresses addresses and kMaxAuthData authdata per credential and
// kMaxFileElements of the two together per file (each takes some 32 bytes of memory for its 6
// bytes of file, so these caps, not the file size, bound what a crafted file costs to read);
// counts must also fit in the bytes left; is_skey must be 0 or 1;
// the file must end exactly after its last credential. Errors are kIo and say where, e.g.
// "ccache: ticket length 4000000 exceeds the remaining 12 bytes at offset 57".
//
// Writing always produces version 4 (big-endian, header with kdc_offset when set): the default
// principal, then `config` (client: the default principal, other fields zero; first, as MIT's
// kinit does), then `credentials`. Unknown header fields are not carried over. Times must fit the
// format's unsigned 32 bits and enctype/addrtype/ad-type its 16.
class CcacheContents {
 public:
  static constexpr std::size_t kMaxEntries = 4096;
  // Real caches hold none (MIT's noaddresses is on by default; authdata in a ccache entry is
  // rare) or a handful; MIT itself has no limit.
  static constexpr std::size_t kMaxAddresses = Credentials::kMaxAddresses;
  static constexpr std::size_t kMaxAuthData = Credentials::kMaxAuthData;
  static constexpr std::size_t kMaxFileElements = 16384;  // addresses and authdata together
  static constexpr std::size_t kMaxFileSize = std::size_t{16} << 20;  // open() refuses larger
  static constexpr std::uint16_t kVersion4 = 0x0504;

  // Reads the file at `path` ("FILE:" prefix optional) under a shared lock.
  static Result<CcacheContents> open(std::string_view path);
  static Result<CcacheContents> read(std::span<const std::uint8_t> bytes);

  Principal default_principal;
  std::optional<KdcOffset> kdc_offset;
  std::vector<Credentials> credentials;  // tickets, in file order
  std::vector<ConfigEntry> config;       // X-CACHECONF: entries, in file order
  std::uint16_t version = kVersion4;     // the version read; serialize() writes 4 regardless

  // Version 4 bytes. kInvalidArgument when a value does not fit the format (or no default
  // principal is set). The result holds session keys: wipe it when done.
  Result<std::vector<std::uint8_t>> serialize() const;
  // serialize(), then an atomic replace of `path` ("FILE:" prefix optional): a temporary file
  // in the same directory, mode 0600, fsync, rename.
  Result<void> write(std::string_view path) const;

  // The credentials for `server` (realm and components; name type ignored), the one with the
  // latest endtime if there are several; nullptr if none.
  const Credentials* find(const Principal& server) const;
  // Replaces the credentials with the same client and server, or appends.
  void store(Credentials creds);

  // `principal` empty: the entry not associated with a principal.
  const ConfigEntry* find_config(std::string_view key, std::string_view principal = {}) const;
  void set_config(std::string_view key, std::string_view principal,
                  std::span<const std::uint8_t> value);
  void set_config(std::string_view key, std::string_view principal, std::string_view value);
  bool remove_config(std::string_view key, std::string_view principal = {});

  // True for krb5_ccache_conf_data/...@X-CACHECONF: style servers (realm X-CACHECONF:).
  static bool is_config_principal(const Principal& server) noexcept;
};

// A non-owning, typed reference to a callable `Result<void>(Contents&)`: how a cache hands its
// contents to an operation without copying them. No allocation; the callable must outlive the
// call it is passed to (a lambda written in the argument list does).
template <class Contents>
class ContentsCallback {
 public:
  template <class F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, ContentsCallback> &&
           std::is_invocable_r_v<Result<void>, F&, Contents&>) ContentsCallback(F&& f)
  noexcept  // NOLINT(google-explicit-constructor): used like a lambda
      : callable_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* callable, Contents& contents) -> Result<void> {
          return (*static_cast<std::remove_reference_t<F>*>(callable))(contents);
        }) {}

  Result<void> operator()(Contents& contents) const { return call_(callable_, contents); }

 private:
  void* callable_;
  Result<void> (*call_)(void* callable, Contents& contents);
};

// What a client needs from a credentials cache. Operations on a FILE cache read the file each
// time and write it back whole (atomically), so they see what other processes (MIT's kinit,
// kvno) stored in between; concurrent writers in other processes are not serialised.
class CredentialCache {
 public:
  virtual ~CredentialCache() = default;

  // "FILE:/path" or "MEMORY:name".
  virtual std::string name() const = 0;

  // Empties the cache (creating it if needed) and sets its default principal.
  Result<void> initialize(const Principal& default_principal);
  // kIo when the cache does not exist (not initialised) or is malformed.
  Result<Principal> default_principal() const;
  Result<void> store(const Credentials& creds);
  // See CcacheContents::find.
  Result<std::optional<Credentials>> retrieve(const Principal& server) const;
  Result<std::vector<Credentials>> list() const;
  Result<std::optional<KdcOffset>> kdc_offset() const;
  Result<void> set_kdc_offset(std::optional<KdcOffset> offset);
  Result<std::optional<std::vector<std::uint8_t>>> get_config(std::string_view key,
                                                              std::string_view principal) const;
  Result<void> set_config(std::string_view key, std::string_view principal,
                          std::span<const std::uint8_t> value);
  // Everything in one go (a copy).
  Result<CcacheContents> snapshot() const;
  // Removes the cache (a FILE cache is overwritten with zeros, then unlinked).
  virtual Result<void> destroy() = 0;

 protected:
  using Reader = ContentsCallback<const CcacheContents>;
  using Updater = ContentsCallback<CcacheContents>;
  // Calls `reader` with the current contents (kIo if there are none).
  virtual Result<void> read_contents(Reader reader) const = 0;
  // Calls `updater` with the current contents and saves them if it succeeds. With
  // `create`, missing or unreadable contents start out empty instead of failing.
  virtual Result<void> update_contents(Updater updater, bool create) = 0;
};

// A FILE cache at a path.
class FileCredentialCache final : public CredentialCache {
 public:
  explicit FileCredentialCache(std::string path) : path_(std::move(path)) {}
  std::string name() const override { return "FILE:" + path_; }
  const std::string& path() const noexcept { return path_; }
  Result<void> destroy() override;

 protected:
  Result<void> read_contents(Reader reader) const override;
  Result<void> update_contents(Updater updater, bool create) override;

 private:
  std::string path_;
};

// A process-local cache: "MEMORY:name" names one shared by every handle in the process until
// destroy(). Thread-safe. Never touches the disk.
class MemoryCcache final : public CredentialCache {
 public:
  // The cache called `name`, created (uninitialised) on first use.
  static std::shared_ptr<MemoryCcache> resolve(std::string_view name);

  std::string name() const override { return "MEMORY:" + name_; }
  // Empties the cache and forgets the name; existing handles then see an uninitialised cache.
  Result<void> destroy() override;

  struct State;  // shared by the handles of one name

 protected:
  Result<void> read_contents(Reader reader) const override;
  Result<void> update_contents(Updater updater, bool create) override;

 private:
  MemoryCcache(std::string name, std::shared_ptr<State> state)
      : name_(std::move(name)), state_(std::move(state)) {}
  std::string name_;
  std::shared_ptr<State> state_;
};

// A parsed cache name. "FILE:/path" and anything without a "TYPE:" prefix (e.g. "/tmp/cc")
// are FILE; "MEMORY:name" is MEMORY; other types (DIR, KEYRING, KCM, API, ...) are refused
// with kConfig.
struct CcacheName {
  enum class Type : std::uint8_t { kFile, kMemory };
  Type type = Type::kFile;
  std::string residual;  // the path or memory name

  static Result<CcacheName> parse(std::string_view name);
  std::string to_string() const;
};

// $KRB5CCNAME if set and non-empty (ignored in setuid/setgid programs, like MIT), else
// "FILE:/tmp/krb5cc_<uid>" (MIT's default).
std::string default_ccache_name();
Result<std::shared_ptr<CredentialCache>> resolve_ccache(std::string_view name);
Result<std::shared_ptr<CredentialCache>> default_ccache();

}  // namespace kerb
