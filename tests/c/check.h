/* A tiny check vocabulary for the C test programs: a failed check prints where and what, and
 * the program exits nonzero at the end. */
#ifndef KERB_TESTS_C_CHECK_H
#define KERB_TESTS_C_CHECK_H

#include <stdio.h>

#include <kerb/kerb.h>

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
