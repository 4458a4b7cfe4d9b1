// MIT libgssapi_krb5 plumbing for the GSS integration tests (gss/, gss_spnego/), where MIT is
// the oracle: gss_buffer_desc <-> bytes, MIT status text and REQUIRE_GSS, RAII handles, channel
// bindings, kinit into a ccache of the test's own, and MIT's initiator and acceptor one step at
// a time. Header-only; the targets that include it link MIT's krb5-gssapi.
#pragma once

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <kerb/gss/initiator.hpp>

#include "hex_bytes.hpp"
#include "itest_util.hpp"

namespace kerb::itest {

using ::kerb::test::Bytes;
using ::kerb::test::ByteView;

// --- buffers and status -----------------------------------------------------------------------

inline ByteView bytes_of(const gss_buffer_desc& b) {
  return {static_cast<const std::uint8_t*>(b.value), b.length};
}

// A view of `b` for MIT to read.
inline gss_buffer_desc buffer_of(ByteView b) {
  gss_buffer_desc d;
  d.length = b.size();
  d.value = const_cast<std::uint8_t*>(b.data());
  return d;
}

// Copies a buffer MIT allocated and releases it.
inline Bytes take(gss_buffer_desc& b) {
  const ByteView bytes = bytes_of(b);
  Bytes out(bytes.begin(), bytes.end());
  OM_uint32 minor = 0;
  gss_release_buffer(&minor, &b);
  return out;
}

// MIT's text for a status code (GSS_C_GSS_CODE or GSS_C_MECH_CODE; the mechglue knows which
// mechanism a minor code came from).
inline std::string gss_text(OM_uint32 code, int type) {
  std::string out;
  OM_uint32 minor = 0, context = 0;
  do {
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    if (gss_display_status(&minor, code, type, GSS_C_NO_OID, &context, &text) != GSS_S_COMPLETE) {
      break;
    }
    out += std::string(static_cast<const char*>(text.value), text.length) + "; ";
    gss_release_buffer(&minor, &text);
  } while (context != 0);
  return out;
}

inline std::string mit_status(OM_uint32 major, OM_uint32 minor) {
  return "MIT major " + std::to_string(major) + " (" + gss_text(major, GSS_C_GSS_CODE) +
         ") minor " + std::to_string(minor) + " (" + gss_text(minor, GSS_C_MECH_CODE) + ")";
}

// An MIT call that must return GSS_S_COMPLETE; it sets `minor`, a variable of the caller's.
#define REQUIRE_GSS(call)                                            \
  do {                                                               \
    OM_uint32 major_ = (call);                                       \
    INFO(#call << ": " << ::kerb::itest::mit_status(major_, minor)); \
    REQUIRE(major_ == GSS_S_COMPLETE);                               \
  } while (0)

// --- handles ----------------------------------------------------------------------------------

// An MIT handle, released when it goes; movable, not copyable.
template <class Handle, OM_uint32 (*Release)(OM_uint32*, Handle*)>
struct MitHandle {
  Handle handle = nullptr;

  MitHandle() = default;
  MitHandle(MitHandle&& other) noexcept : handle(std::exchange(other.handle, nullptr)) {}
  MitHandle& operator=(MitHandle&& other) noexcept {
    std::swap(handle, other.handle);
    return *this;
  }
  ~MitHandle() {
    OM_uint32 minor = 0;
    if (handle != nullptr) Release(&minor, &handle);
  }
};

inline OM_uint32 delete_sec_context(OM_uint32* minor, gss_ctx_id_t* ctx) {
  return gss_delete_sec_context(minor, ctx, GSS_C_NO_BUFFER);
}

using MitContext = MitHandle<gss_ctx_id_t, delete_sec_context>;
using MitName = MitHandle<gss_name_t, gss_release_name>;
using MitCred = MitHandle<gss_cred_id_t, gss_release_cred>;

inline MitName import_name(const std::string& text, gss_OID type) {
  MitName n;
  OM_uint32 minor = 0;
  gss_buffer_desc b = {text.size(), const_cast<char*>(text.data())};
  REQUIRE_GSS(gss_import_name(&minor, &b, type, &n.handle));
  return n;
}

inline std::string display_name(gss_name_t name) {
  OM_uint32 minor = 0;
  gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
  if (gss_display_name(&minor, name, &b, nullptr) != GSS_S_COMPLETE) return "?";
  std::string s(static_cast<const char*>(b.value), b.length);
  gss_release_buffer(&minor, &b);
  return s;
}

// gss_channel_bindings_struct for the same bindings kerb is given.
struct MitBindings {
  gss_channel_bindings_struct cb{};
  explicit MitBindings(const gss::ChannelBindings& b) {
    cb.initiator_addrtype = b.initiator_addrtype;
    cb.initiator_address = buffer_of(b.initiator_address);
    cb.acceptor_addrtype = b.acceptor_addrtype;
    cb.acceptor_address = buffer_of(b.acceptor_address);
    cb.application_data = buffer_of(b.application_data);
  }
};

// --- MIT's side of a context --------------------------------------------------------------------

// MIT's kinit of `user` (the fixture's password) into `ccache`, selected for MIT's GSS in this
// thread.
inline void mit_kinit(const std::string& user, const std::string& ccache,
                      bool forwardable = false) {
  password(user);  // must be set; the shell passes it on, so no quoting of ours can break it
  run("printf '%s\\n' \"$KERB_TEST_PASSWORD_" + upper(user) + "\" | kinit " +
      (forwardable ? "-f " : "") + "-c " + ccache + " " + user + " >/dev/null");
  OM_uint32 minor = 0;
  REQUIRE_GSS(gss_krb5_ccache_name(&minor, ccache.c_str(), nullptr));
}

// MIT's gss_init_sec_context to `target` with `mech`, one step at a time.
struct MitInitiator {
  MitContext ctx;
  MitName target;
  gss_OID mech;
  OM_uint32 flags;
  OM_uint32 ret_flags = 0;
  std::optional<MitBindings> cb;

  MitInitiator(MitName target_name, gss_OID mechanism, OM_uint32 req_flags)
      : target(std::move(target_name)), mech(mechanism), flags(req_flags) {}

  // Feeds `input` (none on the first step); MIT's next token, if any, lands in `output`.
  OM_uint32 step(ByteView input, Bytes& output, OM_uint32& minor,
                 gss_cred_id_t cred = GSS_C_NO_CREDENTIAL) {
    gss_buffer_desc in = buffer_of(input), out = GSS_C_EMPTY_BUFFER;
    const OM_uint32 major = gss_init_sec_context(&minor, cred, &ctx.handle, target.handle, mech,
                                                 flags, 0, cb ? &cb->cb : GSS_C_NO_CHANNEL_BINDINGS,
                                                 input.empty() ? GSS_C_NO_BUFFER : &in, nullptr,
                                                 &out, &ret_flags, nullptr);
    output = take(out);
    return major;
  }

  // The first step, which must leave MIT waiting for the acceptor's reply; returns MIT's token.
  Bytes start(gss_cred_id_t cred = GSS_C_NO_CREDENTIAL) {
    Bytes token;
    OM_uint32 minor = 0;
    const OM_uint32 major = step({}, token, minor, cred);
    INFO(mit_status(major, minor));
    REQUIRE(major == GSS_S_CONTINUE_NEEDED);
    return token;
  }
};

// What one gss_accept_sec_context step gave.
struct MitAccepted {
  OM_uint32 major = 0;
  OM_uint32 minor = 0;
  Bytes output;
  std::string initiator;  // once complete
  OM_uint32 flags = 0;
  MitCred delegated;
};

// One step of MIT's acceptor (default credentials: KRB5_KTNAME) on `ctx`.
inline MitAccepted mit_accept(MitContext& ctx, ByteView token,
                              const gss::ChannelBindings* bindings = nullptr) {
  MitAccepted out;
  std::optional<MitBindings> cb;
  if (bindings != nullptr) cb.emplace(*bindings);
  gss_buffer_desc in = buffer_of(token), output = GSS_C_EMPTY_BUFFER;
  MitName src;
  out.major = gss_accept_sec_context(&out.minor, &ctx.handle, GSS_C_NO_CREDENTIAL, &in,
                                     cb ? &cb->cb : GSS_C_NO_CHANNEL_BINDINGS, &src.handle, nullptr,
                                     &output, &out.flags, nullptr, &out.delegated.handle);
  out.output = take(output);
  if (out.major == GSS_S_COMPLETE) out.initiator = display_name(src.handle);
  return out;
}

}  // namespace kerb::itest
