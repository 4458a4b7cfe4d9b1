// Principal names (RFC 4120 §5.2.2, §6.2) and their text form (MIT's "comp/comp@REALM").
//
// PrincipalName is a view: decoded messages point into the bytes they came from, and requests
// point into the caller's strings, so neither copies. Principal owns its strings, for what
// outlives a message (credentials caches, keytabs, an app's configured identity).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/name_types.hpp>
#include <kerb/result.hpp>

namespace kerb {

// A name without its realm, as PrincipalName carries it on the wire.
class PrincipalName {
 public:
  // More components than any deployed principal has; a decoder rejects the rest rather than
  // allocating for an attacker-chosen count.
  static constexpr std::size_t kMaxComponents = 8;

  PrincipalName() = default;
  PrincipalName(NameType type, std::initializer_list<std::string_view> components) noexcept;

  NameType name_type() const noexcept { return static_cast<NameType>(name_type_); }
  std::int32_t raw_name_type() const noexcept { return name_type_; }
  void set_name_type(std::int32_t type) noexcept { name_type_ = type; }
  std::span<const std::string_view> components() const noexcept { return {parts_.data(), count_}; }
  std::size_t size() const noexcept { return count_; }
  std::string_view operator[](std::size_t i) const noexcept { return parts_[i]; }
  // False when already at kMaxComponents.
  [[nodiscard]] bool push_back(std::string_view component) noexcept;

  // RFC 4120 §6.2: names compare by their components; the name type is advisory.
  friend bool operator==(const PrincipalName& a, const PrincipalName& b) noexcept;

 private:
  std::int32_t name_type_ = 0;
  std::uint8_t count_ = 0;
  std::array<std::string_view, kMaxComponents> parts_{};
};

// An owned principal: realm plus name.
class Principal {
 public:
  Principal() = default;
  Principal(std::string_view realm, const PrincipalName& name);

  // Parses "comp/comp@REALM" with MIT's escapes (\/ \@ \\ \n \t \b \0). Without a realm the
  // default_realm is used; if that is empty too, it is an error. The name type is
  // kPrincipal, or kSrvInst for krbtgt/... (as MIT's krb5_parse_name does).
  static Result<Principal> parse(std::string_view text, std::string_view default_realm = {});

  std::string_view realm() const noexcept { return realm_; }
  // A view valid as long as this Principal is alive and unchanged.
  PrincipalName name() const noexcept;
  std::int32_t raw_name_type() const noexcept { return name_type_; }
  std::span<const std::string> components() const noexcept { return components_; }

  // "comp/comp@REALM", escaping '/', '@', '\\' and control characters like MIT.
  std::string to_string() const;
  // The same text into `out` with no allocation: returns its length and writes as much of it
  // as fits (no NUL).
  std::size_t to_chars(std::span<char> out) const noexcept;

  friend bool operator==(const Principal& a, const Principal& b) noexcept {
    return a.realm_ == b.realm_ && a.components_ == b.components_;
  }

 private:
  std::int32_t name_type_ = 0;
  std::string realm_;
  std::vector<std::string> components_;
};

// krbtgt/REALM@REALM, the ticket-granting service of a realm (RFC 4120 §7.3).
inline constexpr std::string_view kTgsName = "krbtgt";

}  // namespace kerb
