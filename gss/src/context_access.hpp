// What the initiator needs of a SecurityContext that the public API does not offer: finishing
// a context it protected messages with before the AP-REP (RFC 2743 §1.2.7 prot_ready).
// Private to kerb::gss.
#pragma once

#include <cstdint>
#include <optional>

#include <kerb/crypto/key.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/result.hpp>

namespace kerb::gss::detail {

struct ContextAccess {
  // The AP-REP arrived: the peer's tokens start at `peer_seq`; with `acceptor_subkey` every
  // later token uses it (RFC 4121 §2), the initiator's subkey kept for PrfKey::kPartial. The
  // send sequence goes on where the early tokens left it.
  static Result<void> complete(SecurityContext& context, std::optional<crypto::Key> acceptor_subkey,
                               std::uint64_t peer_seq);
};

}  // namespace kerb::gss::detail
