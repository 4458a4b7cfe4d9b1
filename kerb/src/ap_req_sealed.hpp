// The client side of an AP-REQ up to its encoding, shared by build_ap_req and PA-TGS-REQ so
// that each encodes it where its memory is (the heap, or an exchange's work buffer).
#pragma once

#include <kerb/ap_exchange.hpp>
#include <kerb/messages/ap.hpp>

#include "work_arena.hpp"

namespace kerb::detail {

// Fills `req` and everything of `out` but its bytes: the authenticator is encoded in `plain`
// (wiped when it goes) and sealed into `cipher`, which req.authenticator then points into.
Result<void> seal_ap_req(WorkArena& arena, WorkArena::Block& plain, WorkArena::Block& cipher,
                         const Credentials& credentials, const ApReqOptions& options,
                         const ApContext& context, ApReq& req, ApReqBuilt& out);

}  // namespace kerb::detail
