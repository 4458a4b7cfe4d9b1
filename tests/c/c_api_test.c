/* kerb.h from C, with no KDC: version, status names, argument and configuration errors, the
 * caller-memory size protocol, GSS per-message calls between two imported contexts (into
 * allocated and caller memory, and the context's clock), and the calls that promise no heap.
 * Run with one area as argument: version, errors, config, gss, heap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"

static void test_version(void) {
  CHECK(kerb_version() == (uint32_t)KERB_VERSION);
  /* The header's macros and the library's string against the project version CMake gave. */
  CHECK(strcmp(kerb_version_string(), KERB_TEST_PROJECT_VERSION) == 0);
  CHECK(KERB_VERSION ==
        ((KERB_VERSION_MAJOR << 16) | (KERB_VERSION_MINOR << 8) | KERB_VERSION_PATCH));
  CHECK(strcmp(kerb_status_name(KERB_OK), "ok") == 0);
  CHECK(strcmp(kerb_status_name(KERB_ERR_KDC), "kdc") == 0);
  CHECK(strcmp(kerb_status_name(KERB_ERR_BUFFER_TOO_SMALL), "buffer too small") == 0);
  CHECK(strcmp(kerb_status_name(-99), "unknown") == 0);
  CHECK(strcmp(kerb_status_name(1), "unknown") == 0);
}

static void test_errors(void) {
  kerb_error err;
  kerb_ctx* ctx = (kerb_ctx*)&err; /* must be overwritten with NULL on failure */
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_ctx_new(NULL, &ctx, &err));
  CHECK(ctx == NULL);
  CHECK(err.message[0] != '\0');
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_ctx_new("", &ctx, &err));
  /* The error out-parameter is optional. */
  CHECK(kerb_ctx_new(NULL, &ctx, NULL) == KERB_ERR_INVALID_ARGUMENT);

  CHECK_OK(kerb_ctx_new("KERB.TEST", &ctx, &err));
  CHECK(ctx != NULL);
  CHECK(err.message[0] == '\0' && err.code == 0);

  kerb_creds* creds = (kerb_creds*)&err;
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_login_password(ctx, "alice", NULL, &creds, &err));
  CHECK(creds == NULL);
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_login_password(NULL, "alice", "pw", &creds, &err));
  /* No KDC configured for the realm: a configuration error, found before any traffic. */
  CHECK_STATUS(KERB_ERR_CONFIG, kerb_login_password(ctx, "alice", "pw", &creds, &err));
  CHECK(creds == NULL);
  CHECK(strstr(err.message, "KERB.TEST") != NULL);
  CHECK_STATUS(KERB_ERR_IO,
               kerb_login_keytab(ctx, "alice", "/nonexistent/kerb-c-test.keytab", &creds, &err));
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_get_service_ticket(ctx, NULL, "bank", &creds, &err));

  CHECK_STATUS(KERB_ERR_IO,
               kerb_ccache_load("FILE:/nonexistent/kerb-c-test.ccache", NULL, &creds, &err));
  CHECK(creds == NULL);
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_ccache_save("MEMORY:x", NULL, 1, &err));

  kerb_gss_ctx* gss = (kerb_gss_ctx*)&err;
  const uint8_t junk[] = {0x05, 0x04, 0x00, 0xff};
  CHECK(kerb_gss_import(junk, sizeof junk, &gss, &err) != KERB_OK);
  CHECK(gss == NULL);
  CHECK(err.status != KERB_OK && err.message[0] != '\0');
  kerb_buffer token = {(uint8_t*)junk, 1};
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT,
               kerb_gss_init_start(ctx, NULL, KERB_GSS_DEFAULT_FLAGS, &gss, &token, &err));
  CHECK(gss == NULL && token.data == NULL && token.length == 0);
  CHECK(kerb_gss_is_established(NULL) == 0);
  CHECK(kerb_gss_flags(NULL) == 0);
  CHECK(kerb_creds_endtime(NULL) == 0);

  /* Free functions take NULL. */
  kerb_buffer_free(NULL);
  kerb_buffer empty = {NULL, 0};
  kerb_buffer_free(&empty);
  kerb_creds_free(NULL);
  kerb_gss_free(NULL);
  kerb_ctx_free(NULL);
  kerb_ctx_free(ctx);
}

static void test_config(void) {
  kerb_error err;
  kerb_ctx* ctx = NULL;
  CHECK_OK(kerb_ctx_new("KERB.TEST", &ctx, &err));
  CHECK_OK(kerb_ctx_add_kdc(ctx, NULL, "kdc1.kerb.test", &err));
  CHECK_OK(kerb_ctx_add_kdc(ctx, NULL, "127.0.0.1:8888", &err));
  CHECK_OK(kerb_ctx_add_kdc(ctx, "OTHER.TEST", "[::1]:750", &err));
  CHECK_STATUS(KERB_ERR_CONFIG, kerb_ctx_add_kdc(ctx, NULL, "host:99999", &err));
  CHECK_STATUS(KERB_ERR_CONFIG, kerb_ctx_add_kdc(ctx, NULL, "", &err));
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_ctx_add_kdc(ctx, NULL, NULL, &err));

  const int32_t aes[] = {18, 17};
  CHECK_OK(kerb_ctx_set_enctypes(ctx, aes, 2, &err));
  /* des-cbc-crc (1) and des3 (16) are weak (RFC 6649, RFC 8429): refused by policy. */
  const int32_t des[] = {18, 1};
  CHECK_STATUS(KERB_ERR_POLICY, kerb_ctx_set_enctypes(ctx, des, 2, &err));
  const int32_t des3[] = {16};
  CHECK_STATUS(KERB_ERR_POLICY, kerb_ctx_set_enctypes(ctx, des3, 1, &err));
  CHECK(kerb_ctx_set_enctypes(ctx, aes, 0, &err) != KERB_OK);
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_ctx_set_enctypes(ctx, NULL, 2, &err));
  const int32_t many[9] = {18, 17, 20, 19, 26, 25, 23, 18, 17};
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_ctx_set_enctypes(ctx, many, 9, &err));

  CHECK_OK(kerb_ctx_set_clockskew(ctx, 60, &err));
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_ctx_set_clockskew(ctx, -1, &err));
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_ctx_set_clockskew(ctx, 86401, &err));
  kerb_ctx_free(ctx);
}

static int same(const kerb_buffer* b, const void* data, size_t length) {
  return b->length == length && (length == 0 || memcmp(b->data, data, length) == 0);
}

static int contains(const kerb_buffer* b, const void* data, size_t length) {
  for (size_t i = 0; i + length <= b->length; ++i)
    if (memcmp(b->data + i, data, length) == 0) return 1;
  return 0;
}

static void test_gss_into(kerb_gss_ctx* init, kerb_gss_ctx* acc);

static void test_gss(void) {
  kerb_error err;
  kerb_gss_ctx* init = NULL;
  kerb_gss_ctx* acc = NULL;
  if (!imported_pair(&init, &acc)) return;
  CHECK(kerb_gss_is_established(init) == 1);
  CHECK(kerb_gss_flags(init) == KERB_GSS_DEFAULT_FLAGS);

  static const char hello[] = "transfer 100 EUR to bob";
  const size_t n = sizeof hello - 1;
  for (int conf = 0; conf <= 1; ++conf) {
    kerb_buffer token = {NULL, 0}, plain = {NULL, 0};
    int conf_state = -1;
    uint32_t bits = 99;
    CHECK_OK(kerb_gss_wrap(init, conf, (const uint8_t*)hello, n, &token, &err));
    /* RFC 4121 §4.2.6.2: TOK_ID 05 04, Flags bit 1 Sealed. */
    CHECK(token.length > 16 && token.data[0] == 0x05 && token.data[1] == 0x04);
    CHECK(((token.data[2] & 2) != 0) == (conf != 0));
    CHECK(conf == 0 || !contains(&token, hello, n));
    CHECK_OK(kerb_gss_unwrap(acc, token.data, token.length, &plain, &conf_state, &bits, &err));
    CHECK(same(&plain, hello, n));
    CHECK(conf_state == conf && bits == 0);
    kerb_buffer_free(&plain);
    /* The same token again is a replay. */
    CHECK(kerb_gss_unwrap(acc, token.data, token.length, &plain, NULL, NULL, &err) != KERB_OK);
    CHECK(plain.data == NULL);
    /* A flipped bit fails integrity: GSS_S_BAD_SIG (RFC 2744 §3.9.1: 6 << 16). */
    token.data[token.length - 1] ^= 1;
    CHECK_STATUS(KERB_ERR_CRYPTO,
                 kerb_gss_unwrap(acc, token.data, token.length, &plain, NULL, NULL, &err));
    CHECK(err.code == (6 << 16));
    kerb_buffer_free(&token);
  }

  /* Caller memory: ask the size, then a buffer one short, then exactly the size. A MIC for
   * aes256-cts-hmac-sha1-96 is the 16-octet header (RFC 4121 §4.2.6.1) and a 12-octet
   * HMAC-SHA1-96 (RFC 3962 §6). */
  size_t len = 0;
  CHECK_STATUS(KERB_ERR_BUFFER_TOO_SMALL,
               kerb_gss_get_mic(acc, (const uint8_t*)hello, n, NULL, &len, &err));
  CHECK(len == 28);
  uint8_t mic[28];
  len = 27;
  CHECK_STATUS(KERB_ERR_BUFFER_TOO_SMALL,
               kerb_gss_get_mic(acc, (const uint8_t*)hello, n, mic, &len, &err));
  CHECK(len == sizeof mic);
  CHECK_OK(kerb_gss_get_mic(acc, (const uint8_t*)hello, n, mic, &len, &err));
  CHECK(len == sizeof mic && mic[0] == 0x04 && mic[1] == 0x04);
  /* The size queries made no token: the peer sees the next sequence number, no gap. */
  uint32_t bits = 99;
  CHECK_OK(kerb_gss_verify_mic(init, (const uint8_t*)hello, n, mic, len, &bits, &err));
  CHECK(bits == 0);
  CHECK_STATUS(KERB_ERR_CRYPTO,
               kerb_gss_verify_mic(init, (const uint8_t*)"other", 5, mic, len, NULL, &err));
  CHECK(err.code == (6 << 16));

  /* Export and import: the imported context goes on with the sequence numbers. */
  init = reimported(init);
  kerb_buffer token = {NULL, 0}, plain = {NULL, 0};
  CHECK_OK(kerb_gss_wrap(init, 1, (const uint8_t*)hello, n, &token, &err));
  bits = 99;
  CHECK_OK(kerb_gss_unwrap(acc, token.data, token.length, &plain, NULL, &bits, &err));
  CHECK(same(&plain, hello, n) && bits == 0);
  kerb_buffer_free(&plain);
  kerb_buffer_free(&token);

  /* An empty message wraps and unwraps to an empty message. */
  CHECK_OK(kerb_gss_wrap(init, 1, NULL, 0, &token, &err));
  CHECK_OK(kerb_gss_unwrap(acc, token.data, token.length, &plain, NULL, NULL, &err));
  CHECK(plain.length == 0);
  kerb_buffer_free(&plain);
  kerb_buffer_free(&token);

  test_gss_into(init, acc);
  kerb_gss_free(init);
  kerb_gss_free(acc);
}

/* 2101-01-01 (4133980800 s), in microseconds. */
static int64_t after_2100(void* user) {
  (void)user;
  return (int64_t)4133980800 * 1000000;
}

/* Caller memory for Wrap and Unwrap, and the context's clock. */
static void test_gss_into(kerb_gss_ctx* init, kerb_gss_ctx* acc) {
  kerb_error err;
  static const char hello[] = "transfer 100 EUR to bob";
  const size_t n = sizeof hello - 1;
  uint8_t token[256], plain[256];
  for (int conf = 0; conf <= 1; ++conf) {
    /* RFC 4121 §4.2.6.2 with aes256-cts-hmac-sha1-96 (RFC 3962): sealed, the 16-octet header and
     * the encryption of confounder (16) | message | header copy (16) plus a 12-octet HMAC;
     * integrity only, header | message | 12-octet checksum. */
    const size_t expected = conf ? 16 + 16 + n + 16 + 12 : 16 + n + 12;
    size_t len = 0;
    CHECK_STATUS(KERB_ERR_BUFFER_TOO_SMALL,
                 kerb_gss_wrap_into(init, conf, (const uint8_t*)hello, n, NULL, &len, &err));
    CHECK(len == expected);
    len = expected - 1;
    CHECK_STATUS(KERB_ERR_BUFFER_TOO_SMALL,
                 kerb_gss_wrap_into(init, conf, (const uint8_t*)hello, n, token, &len, &err));
    CHECK(len == expected);
    CHECK_OK(kerb_gss_wrap_into(init, conf, (const uint8_t*)hello, n, token, &len, &err));
    CHECK(len == expected && token[0] == 0x05 && token[1] == 0x04);
    CHECK(((token[2] & 2) != 0) == (conf != 0));
    const size_t token_len = len;

    /* A flipped bit: GSS_S_BAD_SIG, and what the call wrote is wiped. A refused token does not
     * move the receiver's sequence window. */
    uint8_t bad[256];
    memcpy(bad, token, token_len);
    bad[token_len - 1] ^= 1;
    memset(plain, 0xAA, sizeof plain);
    size_t plain_len = sizeof plain;
    CHECK_STATUS(KERB_ERR_CRYPTO,
                 kerb_gss_unwrap_into(acc, bad, token_len, plain, &plain_len, NULL, NULL, &err));
    CHECK(err.code == (6 << 16));
    int wiped = 1;
    for (size_t i = 0; i < token_len; ++i)
      wiped &= plain[i] == 0;
    CHECK(wiped);

    /* Unwrap needs room for the whole token; asking leaves the buffer alone. */
    memset(plain, 0xAA, sizeof plain);
    len = token_len - 1;
    CHECK_STATUS(KERB_ERR_BUFFER_TOO_SMALL,
                 kerb_gss_unwrap_into(acc, token, token_len, plain, &len, NULL, NULL, &err));
    CHECK(len == token_len && plain[0] == 0xAA);
    int conf_state = -1;
    uint32_t bits = 99;
    len = sizeof plain;
    /* The size queries spent no sequence number: no gap (bits 0). */
    CHECK_OK(kerb_gss_unwrap_into(acc, token, token_len, plain, &len, &conf_state, &bits, &err));
    CHECK(len == n && memcmp(plain, hello, n) == 0 && conf_state == conf && bits == 0);
  }
  /* Overlapping buffers are refused. */
  size_t len = sizeof token;
  memcpy(token, hello, n);
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_gss_wrap_into(init, 1, token, n, token, &len, &err));

  /* The context's clock: past the endtime (2100-01-01, 4102444800) the context has expired,
   * GSS_S_CONTEXT_EXPIRED (RFC 2744 §3.9.1: 12 << 16); back on the system clock it works. */
  CHECK_OK(kerb_gss_set_clock(init, after_2100, NULL, &err));
  len = sizeof token;
  CHECK_STATUS(KERB_ERR_PROTOCOL,
               kerb_gss_wrap_into(init, 1, (const uint8_t*)hello, n, token, &len, &err));
  CHECK(err.code == (12 << 16));
  CHECK_OK(kerb_gss_set_clock(init, NULL, NULL, &err));
  len = sizeof token;
  CHECK_OK(kerb_gss_wrap_into(init, 1, (const uint8_t*)hello, n, token, &len, &err));
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_gss_set_clock(NULL, NULL, NULL, &err));
}

/* "Heap: none" as kerb.h promises it, counted by heap_count.cpp. */
static long heap_before;
#define NO_HEAP(call)                                                                          \
  do {                                                                                         \
    heap_before = harness_heap_allocations();                                                  \
    (void)(call);                                                                              \
    const long made_ = harness_heap_allocations() - heap_before;                               \
    if (made_ != 0) {                                                                          \
      fprintf(stderr, "%s:%d: %s made %ld allocation(s)\n", __FILE__, __LINE__, #call, made_); \
      ++check_failures;                                                                        \
    }                                                                                          \
  } while (0)

static int64_t fixed_now(void* user) {
  return *(const int64_t*)user;
}

static void test_heap(void) {
  kerb_error err;
  /* The counter sees operator new and malloc, once each. */
  CHECK(harness_heap_selftest() == 2);

  kerb_ctx* ctx = NULL;
  kerb_creds* creds = NULL;
  CHECK_OK(kerb_ctx_new("KERB.TEST", &ctx, &err));
  /* MIT's kinit and kvno wrote this cache (tests/data/krbdump/README.md). */
  CHECK_OK(kerb_ccache_load("FILE:" KERB_TEST_DATA_DIR "/krbdump/mit.ccache", "host/bank.test",
                            &creds, &err));
  kerb_gss_ctx* init = NULL;
  kerb_gss_ctx* acc = NULL;
  const int pair = imported_pair(&init, &acc);
  if (ctx == NULL || creds == NULL || !pair) return;

  NO_HEAP(kerb_version());
  NO_HEAP(kerb_version_string());
  NO_HEAP(kerb_status_name(KERB_ERR_KDC));
  kerb_buffer empty = {NULL, 0};
  NO_HEAP((kerb_buffer_free(&empty), 0));

  const int32_t aes[] = {18, 17};
  int64_t now = 1700000000000000;
  NO_HEAP(kerb_ctx_set_enctypes(ctx, aes, 2, &err));
  NO_HEAP(kerb_ctx_set_clockskew(ctx, 120, &err));
  NO_HEAP(kerb_ctx_set_clock(ctx, fixed_now, &now, &err));
  NO_HEAP(kerb_ctx_set_kdc_timesync(ctx, 0, &err));
  NO_HEAP(kerb_ctx_set_clockskew(ctx, -1, &err)); /* a failure too */

  /* Names longer than any small-string buffer: host/bank.test@KERB.TEST. */
  char name[64];
  size_t len = 0;
  NO_HEAP(kerb_creds_server(creds, NULL, &len, &err));
  CHECK(len == strlen("host/bank.test@KERB.TEST"));
  len = sizeof name;
  NO_HEAP(kerb_creds_server(creds, name, &len, &err));
  CHECK(strcmp(name, "host/bank.test@KERB.TEST") == 0);
  len = sizeof name;
  NO_HEAP(kerb_creds_client(creds, name, &len, &err));
  CHECK(strcmp(name, "alice@KERB.TEST") == 0);
  NO_HEAP(kerb_creds_endtime(creds));
  NO_HEAP(kerb_creds_enctype(creds));
  CHECK(kerb_creds_enctype(creds) == 18);

  NO_HEAP(kerb_gss_is_established(init));
  NO_HEAP(kerb_gss_flags(init));
  NO_HEAP(kerb_gss_set_clock(init, NULL, NULL, &err));

  /* A payment-sized message: up to 496 octets nothing is staged on the heap. */
  uint8_t msg[496], token[640], plain[640], mic[64];
  for (size_t i = 0; i < sizeof msg; ++i)
    msg[i] = (uint8_t)(i * 7);
  for (int conf = 0; conf <= 1; ++conf) {
    size_t token_len = 0, plain_len = sizeof plain;
    NO_HEAP(kerb_gss_wrap_into(init, conf, msg, sizeof msg, NULL, &token_len, &err));
    NO_HEAP(kerb_gss_wrap_into(init, conf, msg, sizeof msg, token, &token_len, &err));
    CHECK(err.status == KERB_OK);
    NO_HEAP(kerb_gss_unwrap_into(acc, token, token_len, plain, &plain_len, NULL, NULL, &err));
    CHECK(err.status == KERB_OK && plain_len == sizeof msg && memcmp(plain, msg, sizeof msg) == 0);
    /* Refused tokens: a replay, and a flipped bit. */
    plain_len = sizeof plain;
    NO_HEAP(kerb_gss_unwrap_into(acc, token, token_len, plain, &plain_len, NULL, NULL, &err));
    CHECK(err.status != KERB_OK);
    token[token_len - 1] ^= 1;
    plain_len = sizeof plain;
    NO_HEAP(kerb_gss_unwrap_into(acc, token, token_len, plain, &plain_len, NULL, NULL, &err));
    CHECK(err.status == KERB_ERR_CRYPTO);
  }
  size_t mic_len = 0;
  NO_HEAP(kerb_gss_get_mic(init, msg, sizeof msg, NULL, &mic_len, &err));
  NO_HEAP(kerb_gss_get_mic(init, msg, sizeof msg, mic, &mic_len, &err));
  CHECK(err.status == KERB_OK);
  uint32_t bits = 99;
  NO_HEAP(kerb_gss_verify_mic(acc, msg, sizeof msg, mic, mic_len, &bits, &err));
  CHECK(err.status == KERB_OK && bits == 0);
  mic[mic_len - 1] ^= 1;
  NO_HEAP(kerb_gss_verify_mic(acc, msg, sizeof msg, mic, mic_len, &bits, &err));
  CHECK(err.status == KERB_ERR_CRYPTO);

  /* The allocating form is seen allocating: the counter is live around these calls. */
  kerb_buffer wrapped = {NULL, 0};
  heap_before = harness_heap_allocations();
  CHECK_OK(kerb_gss_wrap(init, 1, msg, sizeof msg, &wrapped, &err));
  CHECK(harness_heap_allocations() > heap_before);
  kerb_buffer_free(&wrapped);

  kerb_gss_free(init);
  kerb_gss_free(acc);
  kerb_creds_free(creds);
  kerb_ctx_free(ctx);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s version|errors|config|gss|heap\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "version") == 0)
    test_version();
  else if (strcmp(argv[1], "errors") == 0)
    test_errors();
  else if (strcmp(argv[1], "config") == 0)
    test_config();
  else if (strcmp(argv[1], "gss") == 0)
    test_gss();
  else if (strcmp(argv[1], "heap") == 0)
    test_heap();
  else {
    fprintf(stderr, "unknown area %s\n", argv[1]);
    return 2;
  }
  if (check_failures != 0) fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures == 0 ? 0 : 1;
}
