/* C++ helpers for the C tests, for what kerb.h has no call for (an acceptor, a context pair
 * made from a fixed key). Not part of the API. */
#ifndef KERB_TESTS_C_HARNESS_H
#define KERB_TESTS_C_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include <kerb/kerb.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exported blobs of an initiator and an acceptor context sharing an aes256-cts-hmac-sha1-96
 * key (no acceptor subkey), with the flags given. 0 on success. */
int harness_context_pair(uint32_t flags, kerb_buffer* initiator_blob, kerb_buffer* acceptor_blob);

/* kerb::gss::accept with the keytab file at `keytab`: the AP-REP token and the exported
 * acceptor context. 0 on success; otherwise the error is printed. */
int harness_accept(const char* keytab, const uint8_t* token, size_t length, kerb_buffer* reply,
                   kerb_buffer* acceptor_blob);

/* Heap allocations (operator new, malloc, calloc, realloc) made so far by the program; only
 * kerb_c_api_test links the counter (heap_count.cpp). */
long harness_heap_allocations(void);
/* What the counter sees of one operator new and one malloc: 2 when it counts both. */
long harness_heap_selftest(void);

#ifdef __cplusplus
}
#endif

#endif
