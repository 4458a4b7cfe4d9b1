/* kerb.h as a C11 binding sees it: compiled with -std=c11 -Wall -Wextra -Wpedantic -Werror
 * (tests/c/CMakeLists.txt); the layout a binding mirrors is checked here. */
#include <kerb/kerb.h>

#include <stddef.h>

_Static_assert(sizeof(kerb_status) == 4, "kerb_status is an int32");
_Static_assert(offsetof(kerb_buffer, data) == 0, "kerb_buffer starts with data");
_Static_assert(offsetof(kerb_error, message) == 8, "kerb_error: status, code, message");
_Static_assert(sizeof(((kerb_error*)0)->message) == KERB_ERROR_MESSAGE_SIZE, "message size");
_Static_assert(KERB_VERSION_MAJOR >= 0 && KERB_VERSION_MINOR >= 0 && KERB_VERSION_PATCH >= 0,
               "version macros are integers");

/* Function pointer types a binding would declare, so a signature change breaks this build. */
typedef kerb_status (*kerb_login_password_fn)(kerb_ctx*, const char*, const char*, kerb_creds**,
                                              kerb_error*);
const kerb_login_password_fn header_c_login = kerb_login_password;
typedef kerb_status (*kerb_gss_unwrap_fn)(kerb_gss_ctx*, const uint8_t*, size_t, kerb_buffer*, int*,
                                          uint32_t*, kerb_error*);
const kerb_gss_unwrap_fn header_c_unwrap = kerb_gss_unwrap;
typedef kerb_status (*kerb_ctx_set_clock_fn)(kerb_ctx*, kerb_clock_fn, void*, kerb_error*);
const kerb_ctx_set_clock_fn header_c_set_clock = kerb_ctx_set_clock;
typedef kerb_status (*kerb_gss_unwrap_into_fn)(kerb_gss_ctx*, const uint8_t*, size_t, uint8_t*,
                                               size_t*, int*, uint32_t*, kerb_error*);
const kerb_gss_unwrap_into_fn header_c_unwrap_into = kerb_gss_unwrap_into;
