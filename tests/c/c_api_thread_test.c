/* kerb.h's thread rules. A work buffer refuses a second call while one runs. For an established GSS
 * context: one thread sending (wrap, get_mic) while another receives (unwrap, verify_mic) on the
 * same context. Two contexts sharing a key (the C++ harness), and two threads, each the sender of
 * one context and the receiver of the other: at every moment each context has one sender and one
 * receiver at work. Every token is checked by the peer, in order (no supplementary bits). Built
 * under ThreadSanitizer too. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "harness.h"

#define ITERATIONS 20000

struct direction {
  kerb_gss_ctx* from; /* this thread is its only sender */
  kerb_gss_ctx* to;   /* and this one's only receiver */
  uint8_t seed;
  int failures;
};

static int delivered(struct direction* d, const uint8_t* msg, size_t n, int i) {
  kerb_error err;
  uint32_t bits = 99;
  int conf = -1;
  switch (i % 3) {
    case 0: { /* caller memory, sealed */
      uint8_t token[512], plain[512];
      size_t token_len = sizeof token, plain_len = sizeof plain;
      if (kerb_gss_wrap_into(d->from, 1, msg, n, token, &token_len, &err) != KERB_OK) return 0;
      if (kerb_gss_unwrap_into(d->to, token, token_len, plain, &plain_len, &conf, &bits, &err) !=
          KERB_OK)
        return 0;
      return conf == 1 && bits == 0 && plain_len == n && memcmp(plain, msg, n) == 0;
    }
    case 1: { /* allocated, integrity only */
      kerb_buffer token = {NULL, 0}, plain = {NULL, 0};
      int ok =
          kerb_gss_wrap(d->from, 0, msg, n, &token, &err) == KERB_OK &&
          kerb_gss_unwrap(d->to, token.data, token.length, &plain, &conf, &bits, &err) == KERB_OK &&
          conf == 0 && bits == 0 && plain.length == n && memcmp(plain.data, msg, n) == 0;
      kerb_buffer_free(&token);
      kerb_buffer_free(&plain);
      return ok;
    }
    default: { /* MIC */
      uint8_t mic[64];
      size_t mic_len = sizeof mic;
      if (kerb_gss_get_mic(d->from, msg, n, mic, &mic_len, &err) != KERB_OK) return 0;
      return kerb_gss_verify_mic(d->to, msg, n, mic, mic_len, &bits, &err) == KERB_OK && bits == 0;
    }
  }
}

static void* run(void* arg) {
  struct direction* d = arg;
  uint8_t msg[200];
  for (int i = 0; i < ITERATIONS; ++i) {
    const size_t n = 1 + (size_t)(i % (int)sizeof msg);
    for (size_t k = 0; k < n; ++k)
      msg[k] = (uint8_t)(d->seed + i + k);
    if (!delivered(d, msg, n, i)) {
      if (d->failures++ == 0) fprintf(stderr, "iteration %d failed (seed %u)\n", i, d->seed);
    }
  }
  return NULL;
}

/* A work buffer serves one call at a time. The login below builds its AS-REQ in the buffer
 * and reads the clock meanwhile: from there a second thread tries a login on the same context,
 * and must be refused rather than let into the buffer. Nothing listens at port 1, so no KDC is
 * needed. */
static kerb_ctx* shared_ctx;
static kerb_status second_status = KERB_OK;
static char second_message[KERB_ERROR_MESSAGE_SIZE];
static int clock_calls;

static void* second_login(void* arg) {
  (void)arg;
  kerb_error err;
  kerb_creds* creds = NULL;
  second_status = kerb_login_password(shared_ctx, "bob", "pw", &creds, &err);
  memcpy(second_message, err.message, sizeof second_message);
  kerb_creds_free(creds);
  return NULL;
}

static int64_t clock_with_rival(void* user) {
  (void)user;
  if (clock_calls++ == 0) {
    pthread_t rival;
    if (pthread_create(&rival, NULL, second_login, NULL) == 0) pthread_join(rival, NULL);
  }
  return (int64_t)1700000000 * 1000000;
}

static void test_work_buffer_busy(void) {
  kerb_error err;
  static uint8_t work[4096];
  CHECK_OK(kerb_ctx_new("KERB.TEST", &shared_ctx, &err));
  if (shared_ctx == NULL) return;
  CHECK_OK(kerb_ctx_add_kdc(shared_ctx, NULL, "127.0.0.1:1", &err));
  CHECK_OK(kerb_ctx_set_work_buffer(shared_ctx, work, sizeof work, &err));
  CHECK_OK(kerb_ctx_set_clock(shared_ctx, clock_with_rival, NULL, &err));
  kerb_creds* creds = NULL;
  CHECK_STATUS(KERB_ERR_IO, kerb_login_password(shared_ctx, "alice", "pw", &creds, &err));
  CHECK(clock_calls > 0);
  CHECK(second_status == KERB_ERR_INVALID_ARGUMENT);
  CHECK(strstr(second_message, "work buffer") != NULL);
  /* Released when the first login returned. */
  CHECK_STATUS(KERB_ERR_IO, kerb_login_password(shared_ctx, "alice", "pw", &creds, &err));
  kerb_ctx_free(shared_ctx);
}

int main(void) {
  test_work_buffer_busy();
  kerb_gss_ctx* init = NULL;
  kerb_gss_ctx* acc = NULL;
  if (!imported_pair(&init, &acc)) return 1;

  struct direction d[2] = {{init, acc, 1, 0}, {acc, init, 101, 0}};
  pthread_t threads[2];
  for (int t = 0; t < 2; ++t)
    CHECK(pthread_create(&threads[t], NULL, run, &d[t]) == 0);
  for (int t = 0; t < 2; ++t)
    CHECK(pthread_join(threads[t], NULL) == 0);
  CHECK(d[0].failures == 0);
  CHECK(d[1].failures == 0);

  /* Both directions went on in step: each side's next token is still the one expected. */
  const uint8_t last[] = "after";
  struct direction after[2] = {{init, acc, 0, 0}, {acc, init, 0, 0}};
  CHECK(delivered(&after[0], last, sizeof last, 0));
  CHECK(delivered(&after[1], last, sizeof last, 2));

  kerb_gss_free(init);
  kerb_gss_free(acc);
  if (check_failures != 0) fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures == 0 ? 0 : 1;
}
