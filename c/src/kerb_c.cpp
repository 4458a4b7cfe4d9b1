// kerb.h over kerb and kerb::gss. Every entry point is noexcept and turns a kerb::Error into a
// kerb_status plus an optional kerb_error; no C++ type or exception crosses the boundary (the
// libraries build without exceptions, so an allocation failure inside them terminates, as it
// would in the C++ API; only the handles here are allocated with nothrow new).
#include <kerb/kerb.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kerb/ap_exchange.hpp>
#include <kerb/ccache.hpp>
#include <kerb/client.hpp>
#include <kerb/config.hpp>
#include <kerb/credentials.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/error.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/keytab.hpp>
#include <kerb/principal.hpp>
#include <kerb/transport.hpp>

// The status values are the categories, negated: one table, checked here.
static_assert(KERB_ERR_DER == -static_cast<int>(kerb::ErrorCategory::kDer));
static_assert(KERB_ERR_CRYPTO == -static_cast<int>(kerb::ErrorCategory::kCrypto));
static_assert(KERB_ERR_PROTOCOL == -static_cast<int>(kerb::ErrorCategory::kProtocol));
static_assert(KERB_ERR_KDC == -static_cast<int>(kerb::ErrorCategory::kKdc));
static_assert(KERB_ERR_POLICY == -static_cast<int>(kerb::ErrorCategory::kPolicy));
static_assert(KERB_ERR_CONFIG == -static_cast<int>(kerb::ErrorCategory::kConfig));
static_assert(KERB_ERR_IO == -static_cast<int>(kerb::ErrorCategory::kIo));
static_assert(KERB_ERR_INVALID_ARGUMENT ==
              -static_cast<int>(kerb::ErrorCategory::kInvalidArgument));
static_assert(KERB_ERR_BUFFER_TOO_SMALL == -static_cast<int>(kerb::ErrorCategory::kBufferTooSmall));
static_assert(KERB_GSS_MUTUAL == kerb::gss::context_flags::kMutual);
static_assert(KERB_GSS_DELEG == kerb::gss::context_flags::kDeleg);
static_assert(KERB_GSS_INTEG == kerb::gss::context_flags::kInteg);
static_assert(KERB_GSS_GAP_TOKEN == kerb::gss::supplementary::kGapToken);
static_assert(kerb::Error::kDetailCapacity <= KERB_ERROR_MESSAGE_SIZE);

namespace {

// The app's clock (kerb_ctx_set_clock), or the system's while it has given none. A handle
// keeps its own copy, so a GSS context outlives the kerb_ctx it was started with.
class AppClock final : public kerb::Clock {
 public:
  void set(kerb_clock_fn now, void* user) noexcept {
    now_ = now;
    user_ = user;
  }
  kerb::Timestamp now() const noexcept override {
    if (now_ == nullptr) return kerb::system_clock().now();
    const int64_t usec = now_(user_);
    // Floor division: a time before the epoch still has usec in 0..999999.
    int64_t seconds = usec / 1000000;
    int64_t rest = usec % 1000000;
    if (rest < 0) {
      rest += 1000000;
      --seconds;
    }
    return {seconds, static_cast<std::int32_t>(rest)};
  }

 private:
  kerb_clock_fn now_ = nullptr;
  void* user_ = nullptr;
};

}  // namespace

struct kerb_ctx {
  explicit kerb_ctx(std::string realm_name) : realm(std::move(realm_name)) {
    options.clock = &clock;
  }
  kerb_ctx(const kerb_ctx&) = delete;
  kerb_ctx& operator=(const kerb_ctx&) = delete;

  std::string realm;
  kerb::PosixKdcTransport transport;
  AppClock clock;
  kerb::ClientOptions options;  // options.work_buffer: kerb_ctx_set_work_buffer's memory
  // The work buffer serves one call at a time: a second caller is refused, not let in to
  // overwrite the first one's keys and replies.
  std::atomic<bool> work_busy{false};
  std::atomic<std::size_t> work_needed{0};  // the most any call with the buffer needed
};

struct kerb_creds {
  kerb::Credentials creds;
  // KDC time minus local time, learnt at login with kdc_timesync (RFC 4120 §5.9.1 stime):
  // the TGS exchange and the GSS initiator stamp their authenticators with it.
  std::int64_t clock_offset = 0;
};

struct kerb_gss_ctx {
  AppClock clock;                                 // the context's expiry checks read it
  std::optional<kerb::gss::Initiator> initiator;  // until established
  kerb::gss::SecurityContext context;             // once established
  bool established = false;
};

namespace {

void clear(kerb_error* error) noexcept {
  if (error == nullptr) return;
  error->status = KERB_OK;
  error->code = 0;
  error->message[0] = '\0';
}

kerb_status fail(kerb_error* error, const kerb::Error& e) noexcept {
  const auto category = static_cast<int32_t>(e.category());
  const kerb_status status = category == 0 ? KERB_ERR_PROTOCOL : -category;
  if (error != nullptr) {
    error->status = status;
    error->code = e.code();
    const std::string_view detail = e.detail();
    const std::size_t n =
        detail.size() < KERB_ERROR_MESSAGE_SIZE - 1 ? detail.size() : KERB_ERROR_MESSAGE_SIZE - 1;
    std::memcpy(error->message, detail.data(), n);
    error->message[n] = '\0';
  }
  return status;
}

kerb_status invalid(kerb_error* error, std::string_view what) noexcept {
  return fail(error, kerb::Error(kerb::ErrorCategory::kInvalidArgument, what));
}

kerb_status no_memory(kerb_error* error) noexcept {
  if (error != nullptr) {
    error->status = KERB_ERR_NO_MEMORY;
    error->code = 0;
    std::strcpy(error->message, "out of memory");
  }
  return KERB_ERR_NO_MEMORY;
}

// The bytes of a vector into a malloc'd kerb_buffer; the vector is wiped either way, since what
// travels through here (tokens, context blobs, plaintext) may be secret.
kerb_status to_buffer(std::vector<std::uint8_t>& bytes, kerb_buffer* out,
                      kerb_error* error) noexcept {
  out->data = nullptr;
  out->length = 0;
  if (!bytes.empty()) {
    out->data = static_cast<std::uint8_t*>(std::malloc(bytes.size()));
    if (out->data == nullptr) {
      kerb::crypto::secure_wipe(bytes.data(), bytes.size());
      return no_memory(error);
    }
    std::memcpy(out->data, bytes.data(), bytes.size());
    out->length = bytes.size();
    kerb::crypto::secure_wipe(bytes.data(), bytes.size());
  }
  clear(error);
  return KERB_OK;
}

std::span<const std::uint8_t> view(const std::uint8_t* data, std::size_t length) noexcept {
  return data == nullptr ? std::span<const std::uint8_t>{} : std::span(data, length);
}

kerb_status new_creds(kerb::Credentials creds, std::int64_t clock_offset, kerb_creds** out,
                      kerb_error* error) noexcept {
  auto* handle = new (std::nothrow) kerb_creds{std::move(creds), clock_offset};
  if (handle == nullptr) return no_memory(error);
  *out = handle;
  clear(error);
  return KERB_OK;
}

// Formatted straight into the caller's buffer: no allocation.
kerb_status name_out(const kerb::Principal& principal, char* out, size_t* inout_len,
                     kerb_error* error) noexcept {
  if (inout_len == nullptr) return invalid(error, "inout_len is NULL");
  const std::size_t capacity = *inout_len;
  const std::size_t length = principal.to_chars({});
  *inout_len = length;
  if (out == nullptr || capacity < length + 1)
    return fail(error, kerb::Error::format(kerb::ErrorCategory::kBufferTooSmall, 0,
                                           "the name needs %zu octets and a NUL", length));
  (void)principal.to_chars(std::span(out, length));
  out[length] = '\0';
  clear(error);
  return KERB_OK;
}

// The GSS initiator's exchange context: the GSS handle's own clock, the credentials' offset.
kerb::ApContext ap_context(const kerb_ctx& ctx, const kerb_creds& creds, kerb_gss_ctx& gss) {
  kerb::ApContext ap;
  ap.policy = ctx.options.policy;
  ap.clock = &gss.clock;
  ap.random = ctx.options.random;
  ap.clockskew = ctx.options.clockskew;
  ap.clock_offset = creds.clock_offset;
  return ap;
}

// The offset the AS exchange learnt for `client` (0 without kdc_timesync).
std::int64_t learnt_offset(const kerb::Client& client, const kerb::Principal& name) noexcept {
  const kerb::ClientHints* hints = client.hints(name);
  return hints != nullptr ? hints->clock_offset : 0;
}

// A login's or TGS exchange's hold on the context's work buffer, if it has one.
class WorkLease {
 public:
  explicit WorkLease(kerb_ctx& ctx) noexcept
      : ctx_(ctx),
        uses_(!ctx.options.work_buffer.empty()),
        held_(uses_ && !ctx.work_busy.exchange(true, std::memory_order_acquire)) {}
  WorkLease(const WorkLease&) = delete;
  WorkLease& operator=(const WorkLease&) = delete;
  ~WorkLease() {
    if (held_) ctx_.work_busy.store(false, std::memory_order_release);
  }
  // False when another call holds the buffer.
  bool ok() const noexcept { return !uses_ || held_; }
  // What `client` needed, kept for kerb_ctx_work_needed when the call succeeded (a failed
  // step's need is in its error's message: kerb::Client does not see a failed constructor's).
  void note(const kerb::Client& client) noexcept {
    if (!held_) return;
    const std::size_t n = client.work_needed();
    std::size_t seen = ctx_.work_needed.load(std::memory_order_relaxed);
    while (n > seen &&
           !ctx_.work_needed.compare_exchange_weak(seen, n, std::memory_order_relaxed)) {
    }
  }

 private:
  kerb_ctx& ctx_;
  bool uses_;
  bool held_;
};

kerb_status work_busy(kerb_error* error) noexcept {
  return invalid(error, "the context's work buffer is in use by another call");
}

// Hands the initiator's context over once established, so that wrap/unwrap use one context.
kerb_status settle(kerb_gss_ctx& gss, kerb_error* error) noexcept {
  auto context = gss.initiator->take_context();
  if (!context) return fail(error, context.error());
  gss.context = std::move(*context);
  gss.initiator.reset();
  gss.established = true;
  clear(error);
  return KERB_OK;
}

}  // namespace

extern "C" {

// --- version, status, buffers ----------------------------------------------------------------

uint32_t kerb_version(void) noexcept {
  return KERB_VERSION;
}

const char* kerb_version_string(void) noexcept {
#define KERB_STR2(x) #x
#define KERB_STR(x) KERB_STR2(x)
  return KERB_STR(KERB_VERSION_MAJOR) "." KERB_STR(KERB_VERSION_MINOR) "." KERB_STR(
      KERB_VERSION_PATCH);
#undef KERB_STR
#undef KERB_STR2
}

const char* kerb_status_name(kerb_status status) noexcept {
  switch (status) {
    case KERB_OK:
      return "ok";
    case KERB_ERR_DER:
      return "der";
    case KERB_ERR_CRYPTO:
      return "crypto";
    case KERB_ERR_PROTOCOL:
      return "protocol";
    case KERB_ERR_KDC:
      return "kdc";
    case KERB_ERR_POLICY:
      return "policy";
    case KERB_ERR_CONFIG:
      return "config";
    case KERB_ERR_IO:
      return "io";
    case KERB_ERR_INVALID_ARGUMENT:
      return "invalid argument";
    case KERB_ERR_BUFFER_TOO_SMALL:
      return "buffer too small";
    case KERB_ERR_NO_MEMORY:
      return "no memory";
    default:
      return "unknown";
  }
}

void kerb_buffer_free(kerb_buffer* buffer) noexcept {
  if (buffer == nullptr) return;
  if (buffer->data != nullptr) {
    kerb::crypto::secure_wipe(buffer->data, buffer->length);
    std::free(buffer->data);
  }
  buffer->data = nullptr;
  buffer->length = 0;
}

// --- context ---------------------------------------------------------------------------------

kerb_status kerb_ctx_new(const char* realm, kerb_ctx** out, kerb_error* error) noexcept {
  if (out == nullptr) return invalid(error, "out is NULL");
  *out = nullptr;
  if (realm == nullptr || realm[0] == '\0') return invalid(error, "a realm is needed");
  auto* ctx = new (std::nothrow) kerb_ctx(std::string(realm));
  if (ctx == nullptr) return no_memory(error);
  *out = ctx;
  clear(error);
  return KERB_OK;
}

kerb_status kerb_ctx_add_kdc(kerb_ctx* ctx, const char* realm, const char* address,
                             kerb_error* error) noexcept {
  if (ctx == nullptr || address == nullptr) return invalid(error, "ctx or address is NULL");
  auto kdc = kerb::KdcAddress::parse(address);
  if (!kdc)
    return fail(
        error, kerb::Error(kerb::ErrorCategory::kConfig, kdc.error().code(), kdc.error().detail()));
  const std::string_view which = realm != nullptr ? std::string_view(realm) : ctx->realm;
  const auto current = ctx->transport.kdcs(which);
  std::vector<kerb::KdcAddress> kdcs(current.begin(), current.end());
  kdcs.push_back(std::move(*kdc));
  ctx->transport.set_kdcs(which, std::move(kdcs));
  clear(error);
  return KERB_OK;
}

kerb_status kerb_ctx_set_enctypes(kerb_ctx* ctx, const int32_t* enctypes, size_t count,
                                  kerb_error* error) noexcept {
  if (ctx == nullptr || (enctypes == nullptr && count > 0))
    return invalid(error, "ctx or enctypes is NULL");
  if (count > kerb::crypto::Policy::kMaxEnctypes) return invalid(error, "too many enctypes");
  kerb::crypto::EncType list[kerb::crypto::Policy::kMaxEnctypes];
  for (std::size_t i = 0; i < count; ++i)
    list[i] = static_cast<kerb::crypto::EncType>(enctypes[i]);
  auto policy = kerb::crypto::Policy::from_list(std::span(list, count));
  if (!policy) return fail(error, policy.error());
  ctx->options.policy = *policy;
  clear(error);
  return KERB_OK;
}

kerb_status kerb_ctx_set_clockskew(kerb_ctx* ctx, int64_t seconds, kerb_error* error) noexcept {
  if (ctx == nullptr) return invalid(error, "ctx is NULL");
  if (seconds < 0 || seconds > 86400) return invalid(error, "clock skew must be 0..86400 s");
  ctx->options.clockskew = seconds;
  clear(error);
  return KERB_OK;
}

kerb_status kerb_ctx_set_clock(kerb_ctx* ctx, kerb_clock_fn now, void* user,
                               kerb_error* error) noexcept {
  if (ctx == nullptr) return invalid(error, "ctx is NULL");
  ctx->clock.set(now, user);
  clear(error);
  return KERB_OK;
}

kerb_status kerb_ctx_set_kdc_timesync(kerb_ctx* ctx, int on, kerb_error* error) noexcept {
  if (ctx == nullptr) return invalid(error, "ctx is NULL");
  ctx->options.kdc_timesync = on != 0;
  clear(error);
  return KERB_OK;
}

kerb_status kerb_ctx_set_work_buffer(kerb_ctx* ctx, void* memory, size_t size,
                                     kerb_error* error) noexcept {
  if (ctx == nullptr || (memory == nullptr && size > 0))
    return invalid(error, "ctx or memory is NULL");
  ctx->options.work_buffer =
      memory == nullptr ? std::span<std::uint8_t>{}
                        : std::span<std::uint8_t>(static_cast<std::uint8_t*>(memory), size);
  ctx->work_needed.store(0, std::memory_order_relaxed);
  clear(error);
  return KERB_OK;
}

size_t kerb_ctx_work_needed(const kerb_ctx* ctx) noexcept {
  return ctx == nullptr ? 0 : ctx->work_needed.load(std::memory_order_relaxed);
}

void kerb_ctx_free(kerb_ctx* ctx) noexcept {
  delete ctx;
}

// --- credentials -----------------------------------------------------------------------------

kerb_status kerb_login_password(kerb_ctx* ctx, const char* principal, const char* password,
                                kerb_creds** out, kerb_error* error) noexcept {
  if (out != nullptr) *out = nullptr;
  if (ctx == nullptr || principal == nullptr || password == nullptr || out == nullptr)
    return invalid(error, "ctx, principal, password or out is NULL");
  auto client_name = kerb::Principal::parse(principal, ctx->realm);
  if (!client_name) return fail(error, client_name.error());
  WorkLease lease(*ctx);
  if (!lease.ok()) return work_busy(error);
  kerb::Client client(ctx->transport, ctx->options);
  kerb::AsOptions as;
  as.lifetime = ctx->options.ticket_lifetime;
  auto tgt = client.login_password(*client_name, password, as);
  if (!tgt) return fail(error, tgt.error());
  lease.note(client);
  return new_creds(std::move(*tgt), learnt_offset(client, *client_name), out, error);
}

kerb_status kerb_login_keytab(kerb_ctx* ctx, const char* principal, const char* keytab_path,
                              kerb_creds** out, kerb_error* error) noexcept {
  if (out != nullptr) *out = nullptr;
  if (ctx == nullptr || principal == nullptr || keytab_path == nullptr || out == nullptr)
    return invalid(error, "ctx, principal, keytab_path or out is NULL");
  auto client_name = kerb::Principal::parse(principal, ctx->realm);
  if (!client_name) return fail(error, client_name.error());
  auto keytab = kerb::Keytab::open(keytab_path);
  if (!keytab) return fail(error, keytab.error());
  WorkLease lease(*ctx);
  if (!lease.ok()) return work_busy(error);
  kerb::Client client(ctx->transport, ctx->options);
  kerb::AsOptions as;
  as.lifetime = ctx->options.ticket_lifetime;
  auto tgt = client.login_keytab(*client_name, *keytab, as);
  if (!tgt) return fail(error, tgt.error());
  lease.note(client);
  return new_creds(std::move(*tgt), learnt_offset(client, *client_name), out, error);
}

kerb_status kerb_get_service_ticket(kerb_ctx* ctx, const kerb_creds* tgt, const char* service,
                                    kerb_creds** out, kerb_error* error) noexcept {
  if (out != nullptr) *out = nullptr;
  if (ctx == nullptr || tgt == nullptr || service == nullptr || out == nullptr)
    return invalid(error, "ctx, tgt, service or out is NULL");
  auto service_name = kerb::Principal::parse(service, tgt->creds.client.realm());
  if (!service_name) return fail(error, service_name.error());
  WorkLease lease(*ctx);
  if (!lease.ok()) return work_busy(error);
  kerb::Client client(ctx->transport, ctx->options);
  kerb::ClientHints hints;
  hints.clock_offset = tgt->clock_offset;
  client.set_hints(tgt->creds.client, std::move(hints));
  auto ticket = client.service_ticket(tgt->creds, *service_name);
  if (!ticket) return fail(error, ticket.error());
  lease.note(client);
  return new_creds(std::move(*ticket), tgt->clock_offset, out, error);
}

kerb_status kerb_creds_client(const kerb_creds* creds, char* out, size_t* inout_len,
                              kerb_error* error) noexcept {
  if (creds == nullptr) return invalid(error, "creds is NULL");
  return name_out(creds->creds.client, out, inout_len, error);
}

kerb_status kerb_creds_server(const kerb_creds* creds, char* out, size_t* inout_len,
                              kerb_error* error) noexcept {
  if (creds == nullptr) return invalid(error, "creds is NULL");
  return name_out(creds->creds.server, out, inout_len, error);
}

int64_t kerb_creds_endtime(const kerb_creds* creds) noexcept {
  return creds == nullptr ? 0 : creds->creds.endtime;
}

int32_t kerb_creds_enctype(const kerb_creds* creds) noexcept {
  return creds == nullptr ? 0 : static_cast<int32_t>(creds->creds.session_key.enctype);
}

// The KeyBlock's SecretBytes wipes the session key on destruction.
void kerb_creds_free(kerb_creds* creds) noexcept {
  delete creds;
}

// --- credentials caches ----------------------------------------------------------------------

kerb_status kerb_ccache_save(const char* name, const kerb_creds* creds, int initialize,
                             kerb_error* error) noexcept {
  if (name == nullptr || creds == nullptr) return invalid(error, "name or creds is NULL");
  auto cache = kerb::resolve_ccache(name);
  if (!cache) return fail(error, cache.error());
  if (initialize != 0) {
    if (auto r = (*cache)->initialize(creds->creds.client); !r) return fail(error, r.error());
  }
  if (auto r = (*cache)->store(creds->creds); !r) return fail(error, r.error());
  clear(error);
  return KERB_OK;
}

kerb_status kerb_ccache_load(const char* name, const char* server, kerb_creds** out,
                             kerb_error* error) noexcept {
  if (out != nullptr) *out = nullptr;
  if (name == nullptr || out == nullptr) return invalid(error, "name or out is NULL");
  auto cache = kerb::resolve_ccache(name);
  if (!cache) return fail(error, cache.error());
  auto owner = (*cache)->default_principal();
  if (!owner) return fail(error, owner.error());
  const std::string realm(owner->realm());
  const std::string text = server != nullptr ? std::string(server) : "krbtgt/" + realm;
  auto server_name = kerb::Principal::parse(text, realm);
  if (!server_name) return fail(error, server_name.error());
  auto found = (*cache)->retrieve(*server_name);
  if (!found) return fail(error, found.error());
  if (!*found)
    return fail(error, kerb::Error::format(kerb::ErrorCategory::kIo, 0, "no ticket for %s in %s",
                                           text.c_str(), name));
  return new_creds(std::move(**found), 0, out, error);
}

kerb_status kerb_ccache_destroy(const char* name, kerb_error* error) noexcept {
  if (name == nullptr) return invalid(error, "name is NULL");
  auto cache = kerb::resolve_ccache(name);
  if (!cache) return fail(error, cache.error());
  if (auto r = (*cache)->destroy(); !r) return fail(error, r.error());
  clear(error);
  return KERB_OK;
}

// --- GSS initiator ---------------------------------------------------------------------------

kerb_status kerb_gss_init_start(kerb_ctx* ctx, const kerb_creds* service_ticket, uint32_t flags,
                                kerb_gss_ctx** ctx_out, kerb_buffer* token_out,
                                kerb_error* error) noexcept {
  if (ctx_out != nullptr) *ctx_out = nullptr;
  if (token_out != nullptr) *token_out = {nullptr, 0};
  if (ctx == nullptr || service_ticket == nullptr || ctx_out == nullptr || token_out == nullptr)
    return invalid(error, "ctx, service_ticket, ctx_out or token_out is NULL");
  std::unique_ptr<kerb_gss_ctx> gss(new (std::nothrow) kerb_gss_ctx);
  if (!gss) return no_memory(error);
  gss->clock = ctx->clock;
  kerb::gss::InitiatorOptions options;
  options.flags = flags;
  auto initiator = kerb::gss::Initiator::start(service_ticket->creds, options,
                                               ap_context(*ctx, *service_ticket, *gss));
  if (!initiator) return fail(error, initiator.error());
  gss->initiator.emplace(std::move(*initiator));
  const auto token = gss->initiator->token();
  std::vector<std::uint8_t> bytes(token.begin(), token.end());
  if (gss->initiator->established()) {
    if (const kerb_status s = settle(*gss, error); s != KERB_OK) return s;
  }
  if (const kerb_status s = to_buffer(bytes, token_out, error); s != KERB_OK) return s;
  *ctx_out = gss.release();
  return KERB_OK;
}

kerb_status kerb_gss_init_step(kerb_gss_ctx* gss, const uint8_t* token, size_t length,
                               kerb_error* error) noexcept {
  if (gss == nullptr || (token == nullptr && length > 0))
    return invalid(error, "gss or token is NULL");
  if (!gss->initiator)
    return fail(
        error, kerb::Error(kerb::ErrorCategory::kInvalidArgument, kerb::gss::major_status::kFailure,
                           "the context is already established"));
  auto step = gss->initiator->step(view(token, length));
  if (!step) return fail(error, step.error());
  if (*step != kerb::gss::Initiator::Step::kDone)
    return fail(error, kerb::Error(kerb::ErrorCategory::kProtocol, "context not established"));
  return settle(*gss, error);
}

int kerb_gss_is_established(const kerb_gss_ctx* gss) noexcept {
  return gss != nullptr && gss->established ? 1 : 0;
}

uint32_t kerb_gss_flags(const kerb_gss_ctx* gss) noexcept {
  return gss != nullptr && gss->established ? gss->context.flags() : 0;
}

kerb_status kerb_gss_wrap(kerb_gss_ctx* gss, int conf, const uint8_t* message, size_t length,
                          kerb_buffer* token_out, kerb_error* error) noexcept {
  if (token_out != nullptr) *token_out = {nullptr, 0};
  if (gss == nullptr || token_out == nullptr || (message == nullptr && length > 0))
    return invalid(error, "gss, message or token_out is NULL");
  auto token = gss->established ? gss->context.wrap(view(message, length), conf != 0)
                                : gss->initiator->wrap(view(message, length), conf != 0);
  if (!token) return fail(error, token.error());
  return to_buffer(*token, token_out, error);
}

kerb_status kerb_gss_unwrap(kerb_gss_ctx* gss, const uint8_t* token, size_t length,
                            kerb_buffer* message_out, int* conf_out, uint32_t* supplementary_out,
                            kerb_error* error) noexcept {
  if (message_out != nullptr) *message_out = {nullptr, 0};
  if (gss == nullptr || message_out == nullptr || (token == nullptr && length > 0))
    return invalid(error, "gss, token or message_out is NULL");
  if (!gss->established)
    return fail(error, kerb::Error(kerb::ErrorCategory::kInvalidArgument,
                                   kerb::gss::major_status::kNoContext,
                                   "unwrap needs an established context"));
  std::vector<std::uint8_t> message(length);
  auto unwrapped = gss->context.unwrap(view(token, length), message);
  if (!unwrapped) return fail(error, unwrapped.error());
  message.resize(unwrapped->length);
  if (conf_out != nullptr) *conf_out = unwrapped->conf ? 1 : 0;
  if (supplementary_out != nullptr) *supplementary_out = unwrapped->supplementary;
  return to_buffer(message, message_out, error);
}

kerb_status kerb_gss_wrap_into(kerb_gss_ctx* gss, int conf, const uint8_t* message, size_t length,
                               uint8_t* token, size_t* inout_len, kerb_error* error) noexcept {
  if (gss == nullptr || inout_len == nullptr || (message == nullptr && length > 0))
    return invalid(error, "gss, message or inout_len is NULL");
  // RFC 4121 §4.2.6.2: the token's length follows from the message's, so the size is known
  // without making a token.
  std::size_t needed = 0;
  if (gss->established) {
    needed = gss->context.wrap_size(length, conf != 0);
  } else {
    auto size = gss->initiator->wrap_size(length, conf != 0);
    if (!size) return fail(error, size.error());
    needed = *size;
  }
  if (needed == 0) return invalid(error, "message too large");
  const std::size_t capacity = *inout_len;
  *inout_len = needed;
  if (token == nullptr || capacity < needed)
    return fail(error, kerb::Error::format(kerb::ErrorCategory::kBufferTooSmall, 0,
                                           "the Wrap token needs %zu octets", needed));
  const std::span<std::uint8_t> out(token, capacity);
  auto written = gss->established ? gss->context.wrap(view(message, length), conf != 0, out)
                                  : gss->initiator->wrap(view(message, length), conf != 0, out);
  if (!written) return fail(error, written.error());
  *inout_len = *written;
  clear(error);
  return KERB_OK;
}

kerb_status kerb_gss_unwrap_into(kerb_gss_ctx* gss, const uint8_t* token, size_t length,
                                 uint8_t* message, size_t* inout_len, int* conf_out,
                                 uint32_t* supplementary_out, kerb_error* error) noexcept {
  if (gss == nullptr || inout_len == nullptr || (token == nullptr && length > 0))
    return invalid(error, "gss, token or inout_len is NULL");
  if (!gss->established)
    return fail(error, kerb::Error(kerb::ErrorCategory::kInvalidArgument,
                                   kerb::gss::major_status::kNoContext,
                                   "unwrap needs an established context"));
  // The plaintext is decrypted in place, so the buffer holds the whole token; checked here,
  // before the context could wipe a buffer the caller only meant to size.
  const std::size_t capacity = *inout_len;
  *inout_len = length;
  if (message == nullptr || capacity < length)
    return fail(error, kerb::Error::format(kerb::ErrorCategory::kBufferTooSmall, 0,
                                           "unwrapping needs %zu octets", length));
  auto unwrapped = gss->context.unwrap(view(token, length), std::span(message, capacity));
  if (!unwrapped) return fail(error, unwrapped.error());
  *inout_len = unwrapped->length;
  if (conf_out != nullptr) *conf_out = unwrapped->conf ? 1 : 0;
  if (supplementary_out != nullptr) *supplementary_out = unwrapped->supplementary;
  clear(error);
  return KERB_OK;
}

kerb_status kerb_gss_get_mic(kerb_gss_ctx* gss, const uint8_t* message, size_t length, uint8_t* mic,
                             size_t* inout_len, kerb_error* error) noexcept {
  if (gss == nullptr || inout_len == nullptr || (message == nullptr && length > 0))
    return invalid(error, "gss, message or inout_len is NULL");
  // RFC 4121 §4.2.6.1: 16 header octets and the enctype's checksum, known without making a
  // token, so a size query spends no sequence number.
  std::size_t needed = 0;
  if (gss->established) {
    needed = gss->context.mic_size();
  } else {
    auto size = gss->initiator->mic_size();
    if (!size) return fail(error, size.error());
    needed = *size;
  }
  const std::size_t capacity = *inout_len;
  *inout_len = needed;
  if (mic == nullptr || capacity < needed)
    return fail(error, kerb::Error::format(kerb::ErrorCategory::kBufferTooSmall, 0,
                                           "the MIC needs %zu octets", needed));
  const std::span<std::uint8_t> out(mic, capacity);
  auto written = gss->established ? gss->context.get_mic(view(message, length), out)
                                  : gss->initiator->get_mic(view(message, length), out);
  if (!written) return fail(error, written.error());
  *inout_len = *written;
  clear(error);
  return KERB_OK;
}

kerb_status kerb_gss_verify_mic(kerb_gss_ctx* gss, const uint8_t* message, size_t length,
                                const uint8_t* mic, size_t mic_length, uint32_t* supplementary_out,
                                kerb_error* error) noexcept {
  if (gss == nullptr || (message == nullptr && length > 0) || mic == nullptr)
    return invalid(error, "gss, message or mic is NULL");
  if (!gss->established)
    return fail(error, kerb::Error(kerb::ErrorCategory::kInvalidArgument,
                                   kerb::gss::major_status::kNoContext,
                                   "verify_mic needs an established context"));
  auto bits = gss->context.verify_mic(view(message, length), view(mic, mic_length));
  if (!bits) return fail(error, bits.error());
  if (supplementary_out != nullptr) *supplementary_out = *bits;
  clear(error);
  return KERB_OK;
}

kerb_status kerb_gss_export(const kerb_gss_ctx* gss, kerb_buffer* blob_out,
                            kerb_error* error) noexcept {
  if (blob_out != nullptr) *blob_out = {nullptr, 0};
  if (gss == nullptr || blob_out == nullptr) return invalid(error, "gss or blob_out is NULL");
  if (!gss->established)
    return fail(error, kerb::Error(kerb::ErrorCategory::kInvalidArgument,
                                   kerb::gss::major_status::kNoContext,
                                   "export needs an established context"));
  auto blob = gss->context.export_context();
  if (!blob) return fail(error, blob.error());
  return to_buffer(*blob, blob_out, error);
}

kerb_status kerb_gss_import(const uint8_t* blob, size_t length, kerb_gss_ctx** ctx_out,
                            kerb_error* error) noexcept {
  if (ctx_out != nullptr) *ctx_out = nullptr;
  if (blob == nullptr || ctx_out == nullptr) return invalid(error, "blob or ctx_out is NULL");
  auto context = kerb::gss::SecurityContext::import_context(view(blob, length));
  if (!context) return fail(error, context.error());
  auto* gss = new (std::nothrow) kerb_gss_ctx;
  if (gss == nullptr) return no_memory(error);
  gss->context = std::move(*context);
  gss->context.set_clock(gss->clock);
  gss->established = true;
  *ctx_out = gss;
  clear(error);
  return KERB_OK;
}

kerb_status kerb_gss_set_clock(kerb_gss_ctx* gss, kerb_clock_fn now, void* user,
                               kerb_error* error) noexcept {
  if (gss == nullptr) return invalid(error, "gss is NULL");
  gss->clock.set(now, user);
  clear(error);
  return KERB_OK;
}

// SecurityContext's destructor wipes its keys; an Initiator's state does the same.
void kerb_gss_free(kerb_gss_ctx* gss) noexcept {
  delete gss;
}

}  // extern "C"
