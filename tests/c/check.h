/* A tiny check vocabulary for the C test programs: a failed check prints where and what, and
 * the program exits nonzero at the end. */
#ifndef KERB_TESTS_C_CHECK_H
#define KERB_TESTS_C_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include <kerb/kerb.h>

#include "harness.h"

static int check_failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++check_failures;                                                        \
    }                                                                          \
  } while (0)

/* `call` (which takes &err) must return `expected`; otherwise the status and message show. */
#define CHECK_STATUS(expected, call)                                                               \
  do {                                                                                             \
    const kerb_status got_ = (call);                                                               \
    if (got_ != (expected)) {                                                                      \
      fprintf(stderr, "%s:%d: %s returned %d (%s): %s, expected %d (%s)\n", __FILE__, __LINE__,    \
              #call, (int)got_, kerb_status_name(got_), err.message, (int)(expected),              \
              kerb_status_name(expected));                                                         \
      ++check_failures;                                                                            \
    } else if (err.status != got_) {                                                               \
      fprintf(stderr, "%s:%d: %s: kerb_error.status %d, returned %d\n", __FILE__, __LINE__, #call, \
              (int)err.status, (int)got_);                                                         \
      ++check_failures;                                                                            \
    }                                                                                              \
  } while (0)

#define CHECK_OK(call) CHECK_STATUS(KERB_OK, call)

/* The environment variable `name`, which the kdc fixture's env file sets; without it the
 * program stops with 2. */
static inline const char* env(const char* name) {
  const char* v = getenv(name);
  if (v == NULL) {
    fprintf(stderr, "%s is not set: run through the kdc fixture\n", name);
    exit(2);
  }
  return v;
}

/* An initiator and an acceptor context sharing a key (harness_context_pair, default flags),
 * imported from their blobs as an app does; 1 when both came back (a failed check says why
 * otherwise). The blobs are freed, and kerb_buffer_free empties them. */
static inline int imported_pair(kerb_gss_ctx** init, kerb_gss_ctx** acc) {
  kerb_error err;
  kerb_buffer blob[2] = {{NULL, 0}, {NULL, 0}};
  *init = NULL;
  *acc = NULL;
  CHECK(harness_context_pair(KERB_GSS_DEFAULT_FLAGS, &blob[0], &blob[1]) == 0);
  CHECK_OK(kerb_gss_import(blob[0].data, blob[0].length, init, &err));
  CHECK_OK(kerb_gss_import(blob[1].data, blob[1].length, acc, &err));
  for (int i = 0; i < 2; ++i) {
    kerb_buffer_free(&blob[i]);
    CHECK(blob[i].data == NULL && blob[i].length == 0);
  }
  return *init != NULL && *acc != NULL;
}

/* Exports `ctx`, frees it and imports the blob back, as an app does across a restart; NULL
 * when that failed (the failed check says why). */
static inline kerb_gss_ctx* reimported(kerb_gss_ctx* ctx) {
  kerb_error err;
  kerb_buffer saved = {NULL, 0};
  kerb_gss_ctx* back = NULL;
  CHECK_OK(kerb_gss_export(ctx, &saved, &err));
  kerb_gss_free(ctx);
  CHECK_OK(kerb_gss_import(saved.data, saved.length, &back, &err));
  kerb_buffer_free(&saved);
  return back;
}

#endif
