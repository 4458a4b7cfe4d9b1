/* kerb.h: the C ABI of kerb, for app bindings (JNI, Swift, plain C).
 *
 * Conventions, for every function here:
 *  - Each fallible call returns a kerb_status: KERB_OK (0), or a negative KERB_ERR_* naming
 *    kerb's error category. When `error` is not NULL it receives the status, the Kerberos error
 *    code (RFC 4120 §7.5.9) or GSS major status (RFC 2744 §3.9.1) where there is one, and a
 *    short message an app may show; it never holds a key or password.
 *  - Handles are opaque. A NULL handle or a required pointer left NULL gives
 *    KERB_ERR_INVALID_ARGUMENT. *_free functions accept NULL and wipe what they free.
 *  - Buffers come back in one of two ways, named per call:
 *      [allocates]  a kerb_buffer the caller releases with kerb_buffer_free (which wipes it);
 *      [caller memory] the caller passes `out` and `*inout_len` (its capacity); on success
 *                   *inout_len is the length written, on KERB_ERR_BUFFER_TOO_SMALL the length
 *                   needed (out may then be NULL with *inout_len 0, to ask the size).
 *  - Heap, named per call: "Heap: allocates" (handles, kerb_buffers, and the working memory of
 *    the exchanges), or "Heap: none", which means no malloc and no operator new, on success and
 *    on failure alike (tests/c counts them). kerb never keeps a global allocator hook.
 *  - Threads, named per call; the rule under them: calls on one handle are not serialised, so a
 *    handle that a call changes is that call's alone while it runs. What each handle allows:
 *      kerb_ctx: the configuring calls (kerb_ctx_add_kdc, kerb_ctx_set_*) need it to
 *        themselves; the calls that only use it (logins, kerb_get_service_ticket,
 *        kerb_gss_init_start) read it, so any number of threads may run them with one context
 *        at once, each exchange with its own state and sockets. With a work buffer
 *        (kerb_ctx_set_work_buffer) the logins and kerb_get_service_ticket share it: one at a
 *        time (another is refused); give each thread a context of its own.
 *      kerb_creds: never changed once made; any number of threads may read one at once.
 *      kerb_gss_ctx: one thread at a time while it is being established. Once established the
 *        two directions share only read-only keys: one thread may send (kerb_gss_wrap,
 *        kerb_gss_wrap_into, kerb_gss_get_mic) while another receives (kerb_gss_unwrap,
 *        kerb_gss_unwrap_into, kerb_gss_verify_mic). Two senders at once, or two receivers,
 *        race on the sequence number or the replay window: serialise each direction.
 *        kerb_gss_export reads both directions, kerb_gss_set_clock changes the context: each
 *        needs the context to itself.
 *    Functions taking no handle are thread-safe (ccache calls on one FILE cache: see there).
 *    The free functions need the handle to themselves, and end it.
 *  - Strings are NUL-terminated UTF-8; lengths never count the NUL.
 */
#ifndef KERB_KERB_H
#define KERB_KERB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define KERB_API __attribute__((visibility("default")))
#else
#define KERB_API
#endif

/* C++ callers see the functions as noexcept: no exception ever crosses this boundary. */
#if defined(__cplusplus)
#define KERB_NOEXCEPT noexcept
#else
#define KERB_NOEXCEPT
#endif

/* --- version ------------------------------------------------------------------------------ */

#define KERB_VERSION_MAJOR 0
#define KERB_VERSION_MINOR 1
#define KERB_VERSION_PATCH 0
/* (major << 16) | (minor << 8) | patch, comparable as a number. */
#define KERB_VERSION ((KERB_VERSION_MAJOR << 16) | (KERB_VERSION_MINOR << 8) | KERB_VERSION_PATCH)

/* The library's version, as KERB_VERSION encodes it: compare with the header's at startup.
 * Heap: none. */
KERB_API uint32_t kerb_version(void) KERB_NOEXCEPT;
/* "0.1.0"; static storage. Heap: none. */
KERB_API const char* kerb_version_string(void) KERB_NOEXCEPT;

/* --- status and errors -------------------------------------------------------------------- */

typedef int32_t kerb_status;

#define KERB_OK 0
#define KERB_ERR_DER (-1)              /* malformed DER */
#define KERB_ERR_CRYPTO (-2)           /* integrity failure, bad key, unsupported enctype */
#define KERB_ERR_PROTOCOL (-3)         /* a message that violates RFC 4120/4121 */
#define KERB_ERR_KDC (-4)              /* the KDC answered KRB-ERROR: see kerb_error.code */
#define KERB_ERR_POLICY (-5)           /* refused by local policy (weak crypto, skew, ...) */
#define KERB_ERR_CONFIG (-6)           /* configuration (no KDC for the realm, bad address) */
#define KERB_ERR_IO (-7)               /* network, files */
#define KERB_ERR_INVALID_ARGUMENT (-8) /* NULL handle or pointer, bad name, bad value */
#define KERB_ERR_BUFFER_TOO_SMALL (-9) /* caller memory too short: *inout_len says how long */
#define KERB_ERR_NO_MEMORY (-10)       /* a handle could not be allocated */

#define KERB_ERROR_MESSAGE_SIZE 192

typedef struct kerb_error {
  kerb_status status;
  /* The Kerberos error code for KERB_ERR_KDC and KERB_ERR_PROTOCOL; for GSS calls the GSS
   * major status (e.g. 6 << 16, GSS_S_BAD_SIG) where one applies; 0 otherwise. */
  int32_t code;
  char message[KERB_ERROR_MESSAGE_SIZE]; /* NUL-terminated, "" on success */
} kerb_error;

/* "ok", "kdc", "buffer too small", ...; "unknown" for other values. Static storage. Heap: none. */
KERB_API const char* kerb_status_name(kerb_status status) KERB_NOEXCEPT;

/* --- buffers ------------------------------------------------------------------------------ */

typedef struct kerb_buffer {
  uint8_t* data;
  size_t length;
} kerb_buffer;

/* Wipes and frees a buffer kerb allocated, then sets it to {NULL, 0}. NULL is fine. A buffer is
 * plain memory: free it on any thread, once. */
KERB_API void kerb_buffer_free(kerb_buffer* buffer) KERB_NOEXCEPT;

/* --- context: configuration in code, no krb5.conf ------------------------------------------ */

typedef struct kerb_ctx kerb_ctx;

/* A context for `realm` (the default realm of the names it parses), with no KDC yet, the
 * default enctypes (aes256/aes128-sha1, aes256/aes128-sha2, camellia), 300 s clock skew, the
 * system clock and kdc_timesync on. Heap: allocates the handle; release with kerb_ctx_free. */
KERB_API kerb_status kerb_ctx_new(const char* realm, kerb_ctx** out,
                                  kerb_error* error) KERB_NOEXCEPT;
/* Adds a KDC of `realm` (NULL: the context's realm), tried in the order added:
 * "host", "host:port", "[v6]" or "[v6]:port"; port 88 by default. Heap: allocates. Threads:
 * configuring (the context to itself). */
KERB_API kerb_status kerb_ctx_add_kdc(kerb_ctx* ctx, const char* realm, const char* address,
                                      kerb_error* error) KERB_NOEXCEPT;
/* The permitted enctypes (RFC 3961 §8 numbers, e.g. 18, 17), most preferred first; weak ones
 * are refused. Heap: none. Threads: configuring. */
KERB_API kerb_status kerb_ctx_set_enctypes(kerb_ctx* ctx, const int32_t* enctypes, size_t count,
                                           kerb_error* error) KERB_NOEXCEPT;
/* Maximum clock difference accepted, in seconds (0..86400). Heap: none. Threads: configuring. */
KERB_API kerb_status kerb_ctx_set_clockskew(kerb_ctx* ctx, int64_t seconds,
                                            kerb_error* error) KERB_NOEXCEPT;

/* The time as the app knows it, in microseconds since 1970-01-01 00:00:00 UTC; `user` is what
 * was given with the function. kerb calls it from the thread of the call that needs the time
 * (several at once when several threads use one kerb_ctx), never after the handle holding it is
 * freed; it must not call back into kerb with that handle. */
typedef int64_t (*kerb_clock_fn)(void* user);

/* The clock of the AS and TGS exchanges (request times, the reply's checks against the clock
 * skew) and of the GSS contexts kerb_gss_init_start makes with this context, which copy it.
 * For an app that keeps its own corrected time on a device whose system clock is off. `now`
 * NULL: the system clock again. Heap: none. Threads: configuring. */
KERB_API kerb_status kerb_ctx_set_clock(kerb_ctx* ctx, kerb_clock_fn now, void* user,
                                        kerb_error* error) KERB_NOEXCEPT;
/* krb5.conf's kdc_timesync (on by default, as MIT's): when the KDC answers KRB_AP_ERR_SKEW (37),
 * the login adopts the KDC's time (its error's stime, RFC 4120 §5.9.1) and retries once; the
 * credentials keep that offset, and the service tickets and GSS contexts made from them stamp
 * their authenticators with it. The KRB-ERROR is not authenticated: an app with a clock it
 * trusts turns this off (`on` 0), and a clock off by more than the skew then fails the login
 * with KERB_ERR_KDC, code 37. Heap: none. Threads: configuring. */
KERB_API kerb_status kerb_ctx_set_kdc_timesync(kerb_ctx* ctx, int on,
                                               kerb_error* error) KERB_NOEXCEPT;
/* The working memory of kerb_login_password, kerb_login_keytab and kerb_get_service_ticket:
 * their requests, the KDC's replies and the exchanges' temporaries (decrypted parts, keys'
 * inputs, authenticators) go into `memory`, which is wiped as each is released, so that what
 * they allocate is only what the caller keeps (see each call). `memory` is the caller's: any
 * alignment, and it must stay valid until it is replaced or the context is freed. NULL with
 * `size` 0: the heap again. One call at a time uses it: a call that finds it in use by another
 * thread fails with KERB_ERR_INVALID_ARGUMENT. A login with MIT's KDC (aes256-cts, a TGS for a
 * host service) needs about 1.8 KiB, most of it in the TGS step; kerb_ctx_work_needed tells.
 * Too small fails the call with KERB_ERR_BUFFER_TOO_SMALL, its message giving the octets that
 * step needs (or the KDC reply's length, which must fit after the request). The ccache calls
 * and kerb_gss_init_start do not use it: they allocate as before. Resets kerb_ctx_work_needed.
 * Heap: none. Threads: configuring. */
KERB_API kerb_status kerb_ctx_set_work_buffer(kerb_ctx* ctx, void* memory, size_t size,
                                              kerb_error* error) KERB_NOEXCEPT;
/* The most of the work buffer any successful call since kerb_ctx_set_work_buffer needed,
 * request and reply included; 0 for NULL, without a work buffer, or before such a call. To
 * size a device's buffer: log in and get a service ticket once with a generous one, read
 * this, and add a few octets (the requests' random nonces vary their DER length). Heap: none.
 * Threads: any. */
KERB_API size_t kerb_ctx_work_needed(const kerb_ctx* ctx) KERB_NOEXCEPT;
/* Frees the context. Credentials and GSS contexts made with it stay valid. */
KERB_API void kerb_ctx_free(kerb_ctx* ctx) KERB_NOEXCEPT;

/* --- credentials: AS and TGS exchanges ----------------------------------------------------- */

typedef struct kerb_creds kerb_creds;

/* What a kerb_creds holds on the heap: the handle, and for each of its two names one block
 * for the list of components plus one per component or realm longer than 15 octets (shorter
 * ones are kept inline), and the ticket's bytes: 4 blocks for alice@KERB.TEST's TGT.
 *
 * AS exchange with a password (RFC 4120 §3.1) through the context's KDCs; blocks until done.
 * `principal` without "@REALM" is in the context's realm. The TGT goes to *out (allocates;
 * release with kerb_creds_free). The context's copy of the password is wiped. Heap: allocates.
 * With a work buffer (kerb_ctx_set_work_buffer) only the credentials, the principal parsed from
 * `principal` and the exchange's copy of it: 6 blocks for "alice" in KERB.TEST, against 14 on
 * the heap (tests/c counts them). A name over 15 octets costs a few more (kerb::Client keeps
 * what it learnt keyed by the name's text), and the first exchange with a realm makes the
 * context's KDC names and resolver storage, kept for later calls. Threads: uses ctx (read
 * only). */
KERB_API kerb_status kerb_login_password(kerb_ctx* ctx, const char* principal, const char* password,
                                         kerb_creds** out, kerb_error* error) KERB_NOEXCEPT;
/* The same with the principal's long-term keys from the keytab file at `keytab_path`. Heap:
 * allocates; a work buffer takes the exchange's working memory as for kerb_login_password, but
 * reading the keytab (its entries, the keys found) stays on the heap. Threads: uses ctx (read
 * only). */
KERB_API kerb_status kerb_login_keytab(kerb_ctx* ctx, const char* principal,
                                       const char* keytab_path, kerb_creds** out,
                                       kerb_error* error) KERB_NOEXCEPT;
/* TGS exchange (RFC 4120 §3.3) for `service` (e.g. "bank/bank.test") with a TGT, following
 * referrals, with the clock offset `tgt` learnt at login. Heap: allocates *out. With a work
 * buffer only the credentials, the service's name parsed, three copies of it (kerb::Client's
 * and the exchange's) and the exchange's copy of the TGT: 12 blocks for bank/bank.test with
 * alice's TGT, against 19 on the heap; each referral followed costs a TGT and names more.
 * Threads: uses ctx and tgt (read only). */
KERB_API kerb_status kerb_get_service_ticket(kerb_ctx* ctx, const kerb_creds* tgt,
                                             const char* service, kerb_creds** out,
                                             kerb_error* error) KERB_NOEXCEPT;

/* The client or server principal's name, "name/instance@REALM". [caller memory]: *inout_len
 * excludes the NUL, which is written too (so `out` needs *inout_len + 1 octets). Heap: none.
 * Threads: reads creds. */
KERB_API kerb_status kerb_creds_client(const kerb_creds* creds, char* out, size_t* inout_len,
                                       kerb_error* error) KERB_NOEXCEPT;
KERB_API kerb_status kerb_creds_server(const kerb_creds* creds, char* out, size_t* inout_len,
                                       kerb_error* error) KERB_NOEXCEPT;
/* The ticket's endtime, seconds since the epoch; 0 for NULL. Heap: none. */
KERB_API int64_t kerb_creds_endtime(const kerb_creds* creds) KERB_NOEXCEPT;
/* The session key's enctype (RFC 3961 §8 number); 0 for NULL. Heap: none. */
KERB_API int32_t kerb_creds_enctype(const kerb_creds* creds) KERB_NOEXCEPT;
/* Wipes the session key and frees. */
KERB_API void kerb_creds_free(kerb_creds* creds) KERB_NOEXCEPT;

/* --- credentials caches (MIT's FILE format, or MEMORY:) ------------------------------------ */

/* Stores `creds` in the cache `name` ("FILE:/path", "/path" or "MEMORY:name"). With
 * `initialize` nonzero the cache is emptied first and its default principal becomes the
 * credentials' client (as kinit does). A FILE cache is replaced atomically, mode 0600. Heap:
 * allocates. Threads: reads creds; calls on different caches run at once, and MEMORY caches are
 * locked, but two saves to one FILE cache at once may keep only one of the two tickets (each
 * reads the file, adds its own and replaces the file). */
KERB_API kerb_status kerb_ccache_save(const char* name, const kerb_creds* creds, int initialize,
                                      kerb_error* error) KERB_NOEXCEPT;
/* The credentials for `server` from the cache `name`; `server` NULL: the TGT of the cache's
 * default principal's realm. `server` without "@REALM" is in that realm too. Allocates *out.
 * KERB_ERR_IO when the cache is missing or holds no such ticket. The credentials carry no clock
 * offset. Heap: allocates. */
KERB_API kerb_status kerb_ccache_load(const char* name, const char* server, kerb_creds** out,
                                      kerb_error* error) KERB_NOEXCEPT;
/* Overwrites the cache's tickets with zeros and removes it. Heap: allocates. */
KERB_API kerb_status kerb_ccache_destroy(const char* name, kerb_error* error) KERB_NOEXCEPT;

/* --- GSS-API krb5 mechanism, initiator side (RFC 4121) -------------------------------------- */

typedef struct kerb_gss_ctx kerb_gss_ctx;

/* Context flags (RFC 2744 §5.19 values). */
#define KERB_GSS_DELEG 1u
#define KERB_GSS_MUTUAL 2u
#define KERB_GSS_REPLAY 4u
#define KERB_GSS_SEQUENCE 8u
#define KERB_GSS_CONF 16u
#define KERB_GSS_INTEG 32u
#define KERB_GSS_DEFAULT_FLAGS \
  (KERB_GSS_MUTUAL | KERB_GSS_REPLAY | KERB_GSS_SEQUENCE | KERB_GSS_CONF | KERB_GSS_INTEG)

/* Supplementary bits of kerb_gss_unwrap / kerb_gss_verify_mic (RFC 2743 §1.2.1.1): the token
 * is authentic but not the next one expected. An app relying on replay or sequence detection
 * must refuse a token with any of them set. */
#define KERB_GSS_DUPLICATE_TOKEN 1u
#define KERB_GSS_OLD_TOKEN 2u
#define KERB_GSS_UNSEQ_TOKEN 4u
#define KERB_GSS_GAP_TOKEN 8u

/* Starts a context with a service ticket: *ctx_out (allocates; kerb_gss_free) and the
 * InitialContextToken to send (allocates; kerb_buffer_free). Without KERB_GSS_MUTUAL the
 * context is established at once; with it, pass the acceptor's answer to kerb_gss_init_step.
 * kerb_gss_wrap and kerb_gss_get_mic work right away (RFC 2743 §1.2.7 prot_ready). `ctx` gives
 * the enctypes and clock skew, and its clock, which the GSS context copies (set it again with
 * kerb_gss_set_clock); the authenticator's time is that clock plus the offset the credentials
 * learnt at login. Heap: allocates. Threads: uses ctx and service_ticket (read only). */
KERB_API kerb_status kerb_gss_init_start(kerb_ctx* ctx, const kerb_creds* service_ticket,
                                         uint32_t flags, kerb_gss_ctx** ctx_out,
                                         kerb_buffer* token_out, kerb_error* error) KERB_NOEXCEPT;
/* Consumes the acceptor's token: an AP-REP completes mutual authentication (the acceptor has
 * proved it holds the service key); a KRB-ERROR token fails with its Kerberos error code. A
 * failed step ends the context (RFC 2743 §2.2.1): every later call on it fails; free it.
 * Heap: allocates (working memory, released before it returns). */
KERB_API kerb_status kerb_gss_init_step(kerb_gss_ctx* gss, const uint8_t* token, size_t length,
                                        kerb_error* error) KERB_NOEXCEPT;
/* 1 when established (mutual authentication done if it was asked for), else 0. Heap: none. */
KERB_API int kerb_gss_is_established(const kerb_gss_ctx* gss) KERB_NOEXCEPT;
/* The flags in effect (KERB_GSS_*): KERB_GSS_MUTUAL is set only once the acceptor's AP-REP has
 * been verified. 0 for NULL or before establishment. Heap: none. */
KERB_API uint32_t kerb_gss_flags(const kerb_gss_ctx* gss) KERB_NOEXCEPT;

/* Wrap (RFC 4121 §4.2.6.2), sealed when `conf` is nonzero. [allocates] *token_out. Threads:
 * a sender. */
KERB_API kerb_status kerb_gss_wrap(kerb_gss_ctx* gss, int conf, const uint8_t* message,
                                   size_t length, kerb_buffer* token_out,
                                   kerb_error* error) KERB_NOEXCEPT;
/* Unwrap: [allocates] *message_out. *conf_out (may be NULL) says whether it was sealed;
 * *supplementary_out (may be NULL) gets KERB_GSS_*_TOKEN bits. Needs an established context.
 * Integrity failures are KERB_ERR_CRYPTO with code GSS_S_BAD_SIG (6 << 16). Threads: a
 * receiver. */
KERB_API kerb_status kerb_gss_unwrap(kerb_gss_ctx* gss, const uint8_t* token, size_t length,
                                     kerb_buffer* message_out, int* conf_out,
                                     uint32_t* supplementary_out, kerb_error* error) KERB_NOEXCEPT;

/* Wrap into caller memory: `token` of *inout_len octets, not overlapping `message`. The size
 * depends only on `length` and `conf` (a size query makes no token and spends no sequence
 * number), so a device sizes one buffer for its largest message. Heap: none once established,
 * except a sealed message over 496 octets, which costs one wiped scratch copy (the cipher takes
 * message and header as one span). Before establishment (prot_ready) the first protecting call
 * sets up the context's keys: it allocates once. Threads: a sender. */
KERB_API kerb_status kerb_gss_wrap_into(kerb_gss_ctx* gss, int conf, const uint8_t* message,
                                        size_t length, uint8_t* token, size_t* inout_len,
                                        kerb_error* error) KERB_NOEXCEPT;
/* Unwrap into caller memory: `message` of *inout_len octets, at least the token's `length` (it
 * is decrypted in place; the plaintext is shorter), not overlapping `token`; on success
 * *inout_len is the plaintext's length, on KERB_ERR_BUFFER_TOO_SMALL `length`. On failure the
 * first `length` octets of `message` are wiped. *conf_out and *supplementary_out as for
 * kerb_gss_unwrap. Needs an established context. Heap: none, except for a token whose sender
 * rotated it (RRC, RFC 4121 §4.2.5; kerb and MIT send none) and that is over 512 octets: one
 * wiped scratch copy. Threads: a receiver. */
KERB_API kerb_status kerb_gss_unwrap_into(kerb_gss_ctx* gss, const uint8_t* token, size_t length,
                                          uint8_t* message, size_t* inout_len, int* conf_out,
                                          uint32_t* supplementary_out,
                                          kerb_error* error) KERB_NOEXCEPT;

/* MIC (RFC 4121 §4.2.6.1). [caller memory]: `mic` of *inout_len octets; the size is fixed for
 * a context, so one size query serves every call. A size query makes no token and spends no
 * sequence number. Heap: none once established, for a message of at most 496 octets (a longer
 * one costs one wiped scratch copy); before establishment as kerb_gss_wrap_into. Threads: a
 * sender. */
KERB_API kerb_status kerb_gss_get_mic(kerb_gss_ctx* gss, const uint8_t* message, size_t length,
                                      uint8_t* mic, size_t* inout_len,
                                      kerb_error* error) KERB_NOEXCEPT;
/* Verifies a MIC; *supplementary_out as for unwrap (may be NULL). Needs an established
 * context. Heap: none for a message of at most 496 octets (a longer one costs one wiped
 * scratch copy). Threads: a receiver. */
KERB_API kerb_status kerb_gss_verify_mic(kerb_gss_ctx* gss, const uint8_t* message, size_t length,
                                         const uint8_t* mic, size_t mic_length,
                                         uint32_t* supplementary_out,
                                         kerb_error* error) KERB_NOEXCEPT;

/* A versioned blob holding the established context's keys and sequence state: secret, keep it
 * in secure storage. [allocates] *blob_out (kerb_buffer_free wipes it). The context goes on.
 * Threads: the context to itself. */
KERB_API kerb_status kerb_gss_export(const kerb_gss_ctx* gss, kerb_buffer* blob_out,
                                     kerb_error* error) KERB_NOEXCEPT;
/* Restores an exported context, established, with the same keys and sequence numbers, on the
 * system clock (kerb_gss_set_clock to change it). Heap: allocates *ctx_out. */
KERB_API kerb_status kerb_gss_import(const uint8_t* blob, size_t length, kerb_gss_ctx** ctx_out,
                                     kerb_error* error) KERB_NOEXCEPT;
/* The clock the context's expiry checks read (as kerb_ctx_set_clock; NULL: the system's). Heap:
 * none. Threads: the context to itself. */
KERB_API kerb_status kerb_gss_set_clock(kerb_gss_ctx* gss, kerb_clock_fn now, void* user,
                                        kerb_error* error) KERB_NOEXCEPT;
/* Wipes the keys and frees. */
KERB_API void kerb_gss_free(kerb_gss_ctx* gss) KERB_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* KERB_KERB_H */
