/* kerb.h's initiator against MIT's GSS acceptor (libgssapi_krb5, the oracle, DESIGN.md) over the
 * MIT KDC fixture (kdc-fixtures/; its env file gives KRB5_CONFIG, KRB5_KTNAME: the bank keytab
 * MIT's acceptor uses, KRB5RCACHEDIR and KERB_TEST_*). Run with one area as argument:
 *   mit    context establishment with mutual authentication, wrap/unwrap (allocating and into
 *          caller memory) and MICs both ways, a tampered token refused each way, then kerb's
 *          context exported, imported and continued with MIT.
 *   clock  the app's clock (kerb_ctx_set_clock) in the AS and TGS exchanges and the GSS
 *          initiator: far off the KDC's, the KDC and MIT refuse with KRB_AP_ERR_SKEW (37); right,
 *          they accept; with kdc_timesync the learnt offset carries the login, the service
 *          ticket and the GSS context. */
#define _POSIX_C_SOURCE 200809L /* gettimeofday, with strict C11 */

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "check.h"

static void mit_fail(const char* what, OM_uint32 major, OM_uint32 minor) {
  OM_uint32 m = 0, context = 0;
  gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
  fprintf(stderr, "%s: MIT major 0x%x minor %d", what, (unsigned)major, (int)minor);
  if (gss_display_status(&m, minor, GSS_C_MECH_CODE, GSS_C_NO_OID, &context, &text) ==
      GSS_S_COMPLETE) {
    fprintf(stderr, " (%.*s)", (int)text.length, (const char*)text.value);
    gss_release_buffer(&m, &text);
  }
  fprintf(stderr, "\n");
}

/* An MIT call that must return exactly GSS_S_COMPLETE (no supplementary bits either). */
#define CHECK_GSS(call)                                    \
  do {                                                     \
    OM_uint32 major_ = (call);                             \
    if (major_ != GSS_S_COMPLETE) {                        \
      mit_fail(#call, major_, minor);                      \
      fprintf(stderr, "  at %s:%d\n", __FILE__, __LINE__); \
      ++check_failures;                                    \
    }                                                      \
  } while (0)

static kerb_ctx* new_ctx(void) {
  kerb_error err;
  kerb_ctx* ctx = NULL;
  char kdc[128];
  snprintf(kdc, sizeof kdc, "%s:%s", env("KERB_TEST_KDC_HOST"), env("KERB_TEST_KDC_PORT"));
  CHECK_OK(kerb_ctx_new(env("KERB_TEST_REALM"), &ctx, &err));
  CHECK_OK(kerb_ctx_add_kdc(ctx, NULL, kdc, &err));
  return ctx;
}

/* --- MIT's acceptor -------------------------------------------------------------------------- */

typedef struct accepted {
  OM_uint32 major, minor, flags;
  gss_buffer_desc output; /* MIT's token: the AP-REP, or a KRB-ERROR */
  char initiator[256];
} accepted;

/* One gss_accept_sec_context step with the default credentials (KRB5_KTNAME). */
static accepted mit_accept(gss_ctx_id_t* mit, const uint8_t* token, size_t length) {
  accepted a;
  memset(&a, 0, sizeof a);
  gss_buffer_desc in = {length, (void*)token};
  gss_name_t src = GSS_C_NO_NAME;
  a.major =
      gss_accept_sec_context(&a.minor, mit, GSS_C_NO_CREDENTIAL, &in, GSS_C_NO_CHANNEL_BINDINGS,
                             &src, NULL, &a.output, &a.flags, NULL, NULL);
  if (a.major == GSS_S_COMPLETE) {
    OM_uint32 minor = 0;
    gss_buffer_desc name = GSS_C_EMPTY_BUFFER;
    if (gss_display_name(&minor, src, &name, NULL) == GSS_S_COMPLETE) {
      snprintf(a.initiator, sizeof a.initiator, "%.*s", (int)name.length, (const char*)name.value);
      gss_release_buffer(&minor, &name);
    }
  }
  if (src != GSS_C_NO_NAME) {
    OM_uint32 minor = 0;
    gss_release_name(&minor, &src);
  }
  return a;
}

/* --- per-message tokens both ways ------------------------------------------------------------ */

static void fill(uint8_t* m, size_t n, uint8_t seed) {
  for (size_t i = 0; i < n; ++i)
    m[i] = (uint8_t)(seed + i * 31 + (i >> 8));
}

/* kerb wraps (both calls, conf off and on), MIT unwraps; MIT wraps, kerb unwraps (both calls). */
static void wrap_both_ways(kerb_gss_ctx* gss, gss_ctx_id_t mit, size_t n) {
  kerb_error err;
  OM_uint32 minor = 0;
  uint8_t* msg = malloc(n + 1);
  uint8_t* buf = malloc(n + 256);
  CHECK(msg != NULL && buf != NULL);
  fill(msg, n, (uint8_t)n);
  for (int conf = 0; conf <= 1; ++conf) {
    for (int into = 0; into <= 1; ++into) {
      /* kerb -> MIT */
      kerb_buffer token = {NULL, 0};
      size_t len = n + 256;
      if (into) {
        CHECK_OK(kerb_gss_wrap_into(gss, conf, msg, n, buf, &len, &err));
        token.data = buf;
        token.length = len;
      } else {
        CHECK_OK(kerb_gss_wrap(gss, conf, msg, n, &token, &err));
      }
      gss_buffer_desc in = {token.length, token.data}, out = GSS_C_EMPTY_BUFFER;
      int conf_state = -1;
      CHECK_GSS(gss_unwrap(&minor, mit, &in, &out, &conf_state, NULL));
      CHECK(out.length == n && (n == 0 || memcmp(out.value, msg, n) == 0));
      CHECK(conf_state == conf);
      gss_release_buffer(&minor, &out);
      if (!into) kerb_buffer_free(&token);

      /* MIT -> kerb */
      gss_buffer_desc plain = {n, msg}, wrapped = GSS_C_EMPTY_BUFFER;
      CHECK_GSS(gss_wrap(&minor, mit, conf, GSS_C_QOP_DEFAULT, &plain, &conf_state, &wrapped));
      uint32_t bits = 99;
      conf_state = -1;
      if (into) {
        len = n + 256;
        CHECK(wrapped.length <= len);
        CHECK_OK(kerb_gss_unwrap_into(gss, wrapped.value, wrapped.length, buf, &len, &conf_state,
                                      &bits, &err));
        CHECK(len == n && (n == 0 || memcmp(buf, msg, n) == 0));
      } else {
        kerb_buffer back = {NULL, 0};
        CHECK_OK(
            kerb_gss_unwrap(gss, wrapped.value, wrapped.length, &back, &conf_state, &bits, &err));
        CHECK(back.length == n && (n == 0 || memcmp(back.data, msg, n) == 0));
        kerb_buffer_free(&back);
      }
      CHECK(conf_state == conf && bits == 0);
      gss_release_buffer(&minor, &wrapped);
    }
  }
  free(buf);
  free(msg);
}

static void mic_both_ways(kerb_gss_ctx* gss, gss_ctx_id_t mit, const char* text) {
  kerb_error err;
  OM_uint32 minor = 0;
  const size_t n = strlen(text);
  uint8_t mic[64];
  size_t len = sizeof mic;
  CHECK_OK(kerb_gss_get_mic(gss, (const uint8_t*)text, n, mic, &len, &err));
  gss_buffer_desc message = {n, (void*)text}, token = {len, mic};
  CHECK_GSS(gss_verify_mic(&minor, mit, &message, &token, NULL));

  gss_buffer_desc theirs = GSS_C_EMPTY_BUFFER;
  CHECK_GSS(gss_get_mic(&minor, mit, GSS_C_QOP_DEFAULT, &message, &theirs));
  uint32_t bits = 99;
  CHECK_OK(
      kerb_gss_verify_mic(gss, (const uint8_t*)text, n, theirs.value, theirs.length, &bits, &err));
  CHECK(bits == 0);
  gss_release_buffer(&minor, &theirs);
}

/* A flipped octet in each direction's Wrap and MIC token is refused: MIT answers
 * GSS_S_BAD_SIG, kerb KERB_ERR_CRYPTO with GSS_S_BAD_SIG as code. */
static void tampered_both_ways(kerb_gss_ctx* gss, gss_ctx_id_t mit) {
  kerb_error err;
  OM_uint32 minor = 0;
  static const char text[] = "pay 100 EUR to bob";
  const size_t n = sizeof text - 1;
  for (int conf = 0; conf <= 1; ++conf) {
    kerb_buffer token = {NULL, 0};
    CHECK_OK(kerb_gss_wrap(gss, conf, (const uint8_t*)text, n, &token, &err));
    token.data[token.length - 1] ^= 1;
    gss_buffer_desc in = {token.length, token.data}, out = GSS_C_EMPTY_BUFFER;
    CHECK(gss_unwrap(&minor, mit, &in, &out, NULL, NULL) == GSS_S_BAD_SIG);
    gss_release_buffer(&minor, &out);
    kerb_buffer_free(&token);

    gss_buffer_desc plain = {n, (void*)text}, wrapped = GSS_C_EMPTY_BUFFER;
    CHECK_GSS(gss_wrap(&minor, mit, conf, GSS_C_QOP_DEFAULT, &plain, NULL, &wrapped));
    ((uint8_t*)wrapped.value)[wrapped.length - 1] ^= 1;
    uint8_t buf[256];
    size_t len = sizeof buf;
    CHECK_STATUS(KERB_ERR_CRYPTO, kerb_gss_unwrap_into(gss, wrapped.value, wrapped.length, buf,
                                                       &len, NULL, NULL, &err));
    CHECK(err.code == (6 << 16));
    gss_release_buffer(&minor, &wrapped);
  }
  uint8_t mic[64];
  size_t len = sizeof mic;
  CHECK_OK(kerb_gss_get_mic(gss, (const uint8_t*)text, n, mic, &len, &err));
  mic[len - 1] ^= 1;
  gss_buffer_desc message = {n, (void*)text}, token = {len, mic};
  CHECK(gss_verify_mic(&minor, mit, &message, &token, NULL) == GSS_S_BAD_SIG);
  gss_buffer_desc theirs = GSS_C_EMPTY_BUFFER;
  CHECK_GSS(gss_get_mic(&minor, mit, GSS_C_QOP_DEFAULT, &message, &theirs));
  ((uint8_t*)theirs.value)[theirs.length - 1] ^= 1;
  CHECK_STATUS(KERB_ERR_CRYPTO, kerb_gss_verify_mic(gss, (const uint8_t*)text, n, theirs.value,
                                                    theirs.length, NULL, &err));
  CHECK(err.code == (6 << 16));
  gss_release_buffer(&minor, &theirs);
}

static void test_mit(void) {
  kerb_error err;
  OM_uint32 minor = 0;
  char alice[128];
  snprintf(alice, sizeof alice, "alice@%s", env("KERB_TEST_REALM"));
  kerb_ctx* ctx = new_ctx();
  kerb_creds *tgt = NULL, *ticket = NULL;
  CHECK_OK(kerb_login_password(ctx, "alice", env("KERB_TEST_PASSWORD_ALICE"), &tgt, &err));
  CHECK_OK(kerb_get_service_ticket(ctx, tgt, "host/bank.test", &ticket, &err));
  if (ticket == NULL) return;

  /* A corrupted InitialContextToken: MIT's acceptor refuses it. */
  {
    kerb_gss_ctx* gss = NULL;
    kerb_buffer token = {NULL, 0};
    gss_ctx_id_t mit = GSS_C_NO_CONTEXT;
    CHECK_OK(kerb_gss_init_start(ctx, ticket, KERB_GSS_DEFAULT_FLAGS, &gss, &token, &err));
    token.data[token.length - 1] ^= 1;
    accepted a = mit_accept(&mit, token.data, token.length);
    CHECK(GSS_ERROR(a.major));
    gss_release_buffer(&minor, &a.output);
    gss_delete_sec_context(&minor, &mit, GSS_C_NO_BUFFER);
    kerb_buffer_free(&token);
    kerb_gss_free(gss);
  }
  /* A corrupted AP-REP from MIT: kerb's initiator refuses it and is not established. */
  {
    kerb_gss_ctx* gss = NULL;
    kerb_buffer token = {NULL, 0};
    gss_ctx_id_t mit = GSS_C_NO_CONTEXT;
    CHECK_OK(kerb_gss_init_start(ctx, ticket, KERB_GSS_DEFAULT_FLAGS, &gss, &token, &err));
    accepted a = mit_accept(&mit, token.data, token.length);
    CHECK(a.major == GSS_S_COMPLETE && a.output.length > 0);
    if (a.output.length > 0) {
      ((uint8_t*)a.output.value)[a.output.length - 1] ^= 1;
      CHECK(kerb_gss_init_step(gss, a.output.value, a.output.length, &err) != KERB_OK);
      CHECK(kerb_gss_is_established(gss) == 0);
    }
    gss_release_buffer(&minor, &a.output);
    gss_delete_sec_context(&minor, &mit, GSS_C_NO_BUFFER);
    kerb_buffer_free(&token);
    kerb_gss_free(gss);
  }

  /* Mutual authentication: MIT accepts alice and answers with an AP-REP kerb verifies. */
  kerb_gss_ctx* gss = NULL;
  kerb_buffer token = {NULL, 0};
  gss_ctx_id_t mit = GSS_C_NO_CONTEXT;
  CHECK_OK(kerb_gss_init_start(ctx, ticket, KERB_GSS_DEFAULT_FLAGS, &gss, &token, &err));
  if (gss == NULL) return;
  accepted a = mit_accept(&mit, token.data, token.length);
  kerb_buffer_free(&token);
  if (a.major != GSS_S_COMPLETE) mit_fail("gss_accept_sec_context", a.major, a.minor);
  CHECK(a.major == GSS_S_COMPLETE);
  CHECK(strcmp(a.initiator, alice) == 0);
  CHECK((a.flags & GSS_C_MUTUAL_FLAG) != 0 && (a.flags & GSS_C_CONF_FLAG) != 0);
  CHECK(a.output.length > 0);
  CHECK_OK(kerb_gss_init_step(gss, a.output.value, a.output.length, &err));
  gss_release_buffer(&minor, &a.output);
  CHECK(kerb_gss_is_established(gss) == 1);
  CHECK((kerb_gss_flags(gss) & KERB_GSS_MUTUAL) != 0);
  if (a.major != GSS_S_COMPLETE || !kerb_gss_is_established(gss)) return;

  static const size_t sizes[] = {0, 1, 100, 496, 497, 4096};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i)
    wrap_both_ways(gss, mit, sizes[i]);
  mic_both_ways(gss, mit, "balance?");

  /* Exported, freed, imported (as across an app restart): MIT goes on with it, every token the
   * next one expected both ways (the checks above take no supplementary bit either). */
  gss = reimported(gss);
  if (gss == NULL) return;
  wrap_both_ways(gss, mit, 100);
  mic_both_ways(gss, mit, "transfer 10 EUR to bob");
  tampered_both_ways(gss, mit);

  gss_delete_sec_context(&minor, &mit, GSS_C_NO_BUFFER);
  kerb_gss_free(gss);
  kerb_creds_free(ticket);
  kerb_creds_free(tgt);
  kerb_ctx_free(ctx);
}

/* --- the app's clock ------------------------------------------------------------------------- */

/* The system time plus `offset_seconds`, as an app with its own idea of the time would give. */
typedef struct app_clock {
  int64_t offset_seconds;
  int calls;
} app_clock;

static int64_t app_now(void* user) {
  app_clock* c = (app_clock*)user;
  struct timeval tv;
  gettimeofday(&tv, NULL);
  ++c->calls;
  return ((int64_t)tv.tv_sec + c->offset_seconds) * 1000000 + tv.tv_usec;
}

enum { kFarOff = -2 * 3600 }; /* far outside the fixture's 300 s skew */

/* kerb's initiator to MIT's acceptor with `ticket`: MIT's verdict, and kerb's on MIT's reply. */
static OM_uint32 gss_login(kerb_ctx* ctx, const kerb_creds* ticket, OM_uint32* minor_out,
                           kerb_status* step_out, int32_t* step_code) {
  kerb_error err;
  OM_uint32 minor = 0;
  kerb_gss_ctx* gss = NULL;
  kerb_buffer token = {NULL, 0};
  gss_ctx_id_t mit = GSS_C_NO_CONTEXT;
  *step_out = KERB_ERR_PROTOCOL;
  *step_code = 0;
  CHECK_OK(kerb_gss_init_start(ctx, ticket, KERB_GSS_DEFAULT_FLAGS, &gss, &token, &err));
  if (gss == NULL) return GSS_S_FAILURE;
  accepted a = mit_accept(&mit, token.data, token.length);
  *minor_out = a.minor;
  if (a.output.length > 0) {
    *step_out = kerb_gss_init_step(gss, a.output.value, a.output.length, &err);
    *step_code = err.code;
  }
  gss_release_buffer(&minor, &a.output);
  gss_delete_sec_context(&minor, &mit, GSS_C_NO_BUFFER);
  kerb_buffer_free(&token);
  kerb_gss_free(gss);
  return a.major;
}

static void test_clock(void) {
  kerb_error err;
  const char* password = env("KERB_TEST_PASSWORD_ALICE");
  app_clock clock = {kFarOff, 0};

  /* The app trusts its clock: no adoption of the KDC's time. */
  kerb_ctx* ctx = new_ctx();
  CHECK_OK(kerb_ctx_set_kdc_timesync(ctx, 0, &err));
  CHECK_OK(kerb_ctx_set_clock(ctx, app_now, &clock, &err));

  /* AS: the KDC checks PA-ENC-TIMESTAMP against its clock (RFC 4120 §5.2.7.2) and answers
   * KRB_AP_ERR_SKEW (37, §7.5.9). */
  kerb_creds *tgt = NULL, *ticket = NULL;
  CHECK_STATUS(KERB_ERR_KDC, kerb_login_password(ctx, "alice", password, &tgt, &err));
  CHECK(err.code == 37);
  CHECK(tgt == NULL && clock.calls > 0);

  clock.offset_seconds = 0;
  CHECK_OK(kerb_login_password(ctx, "alice", password, &tgt, &err));
  if (tgt == NULL) return;

  /* TGS: the authenticator's ctime is the app's clock; the KDC refuses it far off. */
  clock.offset_seconds = kFarOff;
  CHECK_STATUS(KERB_ERR_KDC, kerb_get_service_ticket(ctx, tgt, "host/bank.test", &ticket, &err));
  CHECK(err.code == 37);
  clock.offset_seconds = 0;
  CHECK_OK(kerb_get_service_ticket(ctx, tgt, "host/bank.test", &ticket, &err));
  if (ticket == NULL) return;

  /* GSS: MIT's acceptor refuses an authenticator far off its clock with KRB_AP_ERR_SKEW and
   * answers with a KRB-ERROR token (RFC 4121 §4.1), which kerb's initiator reports. */
  OM_uint32 minor = 0;
  kerb_status step = KERB_OK;
  int32_t code = 0;
  clock.offset_seconds = kFarOff;
  CHECK(gss_login(ctx, ticket, &minor, &step, &code) != GSS_S_COMPLETE);
  CHECK(minor == (OM_uint32)KRB5KRB_AP_ERR_SKEW);
  CHECK(step != KERB_OK && code == 37);
  clock.offset_seconds = 0;
  CHECK(gss_login(ctx, ticket, &minor, &step, &code) == GSS_S_COMPLETE);
  CHECK(step == KERB_OK);
  kerb_creds_free(ticket);
  kerb_creds_free(tgt);
  kerb_ctx_free(ctx);

  /* kdc_timesync on (the default): the login adopts the KDC's time from its KRB_AP_ERR_SKEW,
   * and the credentials carry the offset to the TGS exchange and the GSS initiator. */
  ctx = new_ctx();
  CHECK_OK(kerb_ctx_set_clock(ctx, app_now, &clock, &err));
  clock.offset_seconds = kFarOff;
  tgt = ticket = NULL;
  CHECK_OK(kerb_login_password(ctx, "alice", password, &tgt, &err));
  if (tgt == NULL) return;
  CHECK_OK(kerb_get_service_ticket(ctx, tgt, "host/bank.test", &ticket, &err));
  if (ticket == NULL) return;
  CHECK(gss_login(ctx, ticket, &minor, &step, &code) == GSS_S_COMPLETE);
  CHECK(step == KERB_OK);
  kerb_creds_free(ticket);
  kerb_creds_free(tgt);
  kerb_ctx_free(ctx);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s mit|clock\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "mit") == 0)
    test_mit();
  else if (strcmp(argv[1], "clock") == 0)
    test_clock();
  else {
    fprintf(stderr, "unknown area %s\n", argv[1]);
    return 2;
  }
  if (check_failures != 0) fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures == 0 ? 0 : 1;
}
