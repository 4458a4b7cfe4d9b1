/* kerb_ctx_set_work_buffer against the MIT KDC fixture, counted by heap_count.cpp: a password
 * login and a service ticket with a work buffer allocate what kerb.h says they keep, fewer than
 * the same calls on the heap; a buffer too small is KERB_ERR_BUFFER_TOO_SMALL, and the size
 * kerb_ctx_work_needed reports is enough. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"

/* libstdc++ keeps a string of up to 15 octets inside the std::string itself. */
#define INLINE_STRING 15

/* The heap blocks a principal holds (kerb::Principal): its list of components, and each
 * component or realm too long to be kept inline. `name` is "a/b@REALM", no escapes. */
static long name_blocks(const char* name) {
  long blocks = 1;
  size_t run = 0;
  for (const char* p = name;; ++p) {
    if (*p == '/' || *p == '@' || *p == '\0') {
      if (run > INLINE_STRING) ++blocks;
      run = 0;
      if (*p == '\0') break;
    } else {
      ++run;
    }
  }
  return blocks;
}

/* The same principal as Principal::parse makes it, component by component: its list grows
 * (1, 2, 4, 8 places), each growth a new block. */
static long parsed_blocks(const char* name) {
  long components = 1;
  for (const char* p = name; *p != '\0' && *p != '@'; ++p)
    components += *p == '/';
  long growths = 0;
  for (long places = 1; places < components; places *= 2)
    ++growths;
  return name_blocks(name) + growths;
}

/* The heap blocks of a kerb_creds handle: the handle, its two principals and the ticket's
 * bytes (MIT's KDC issues tickets with no addresses and the credentials carry no
 * authorization data, so those lists stay empty). */
static long creds_blocks(const kerb_creds* creds) {
  char client[256], server[256];
  size_t client_len = sizeof client, server_len = sizeof server;
  kerb_error err;
  CHECK_OK(kerb_creds_client(creds, client, &client_len, &err));
  CHECK_OK(kerb_creds_server(creds, server, &server_len, &err));
  return 1 + name_blocks(client) + name_blocks(server) + 1;
}

/* The octets a step needs, from a KERB_ERR_BUFFER_TOO_SMALL message ("... needs at least N");
 * 0 when the message does not say. */
static size_t step_needs(const char* message) {
  const char* at = strstr(message, "needs at least ");
  return at == NULL ? 0 : (size_t)strtoul(at + strlen("needs at least "), NULL, 10);
}

static long counted;
#define COUNT(call)                                  \
  do {                                               \
    const long before_ = harness_heap_allocations(); \
    (void)(call);                                    \
    counted = harness_heap_allocations() - before_;  \
  } while (0)

int main(void) {
  const char* realm = env("KERB_TEST_REALM");
  const char* password = env("KERB_TEST_PASSWORD_ALICE");
  char kdc[128], alice[128], bank[128];
  snprintf(kdc, sizeof kdc, "%s:%s", env("KERB_TEST_KDC_HOST"), env("KERB_TEST_KDC_PORT"));
  snprintf(alice, sizeof alice, "alice@%s", realm);
  snprintf(bank, sizeof bank, "bank/bank.test@%s", realm);
  CHECK(harness_heap_selftest() == 2);

  kerb_error err;
  kerb_ctx* ctx = NULL;
  CHECK_OK(kerb_ctx_new(realm, &ctx, &err));
  CHECK_OK(kerb_ctx_add_kdc(ctx, NULL, kdc, &err));
  const int32_t enctypes[] = {18, 17};
  CHECK_OK(kerb_ctx_set_enctypes(ctx, enctypes, 2, &err));
  if (ctx == NULL) return 1;

  /* The first exchange with a realm makes the transport's KDC names and resolver storage,
   * which the context keeps: a first login on the heap does that before anything is counted. */
  kerb_creds* tgt = NULL;
  kerb_creds* ticket = NULL;
  CHECK_OK(kerb_login_password(ctx, "alice", password, &tgt, &err));
  kerb_creds_free(tgt);
  tgt = NULL;

  /* On the heap. */
  COUNT(kerb_login_password(ctx, "alice", password, &tgt, &err));
  const long heap_login = counted;
  CHECK(err.status == KERB_OK && tgt != NULL);
  COUNT(kerb_get_service_ticket(ctx, tgt, "bank/bank.test", &ticket, &err));
  const long heap_tgs = counted;
  CHECK(err.status == KERB_OK && ticket != NULL);
  CHECK(kerb_ctx_work_needed(ctx) == 0);
  kerb_creds_free(ticket);
  kerb_creds_free(tgt);
  tgt = ticket = NULL;

  /* In a work buffer, at an odd address: kerb.h asks for no alignment. */
  static uint8_t memory[4097];
  uint8_t* work = memory + 1;
  const size_t work_size = sizeof memory - 1;
  CHECK_OK(kerb_ctx_set_work_buffer(ctx, work, work_size, &err));
  COUNT(kerb_login_password(ctx, "alice", password, &tgt, &err));
  const long work_login = counted;
  CHECK(err.status == KERB_OK && tgt != NULL);
  if (tgt == NULL) return 1;
  COUNT(kerb_get_service_ticket(ctx, tgt, "bank/bank.test", &ticket, &err));
  const long work_tgs = counted;
  CHECK(err.status == KERB_OK && ticket != NULL);
  if (ticket == NULL) return 1;
  const size_t needed = kerb_ctx_work_needed(ctx);
  fprintf(stderr,
          "heap path: login %ld, service ticket %ld allocations; work buffer: login %ld, service "
          "ticket %ld, %zu octets needed\n",
          heap_login, heap_tgs, work_login, work_tgs, needed);

  /* What kerb.h lists, block by block. The login: the credentials, the principal parsed from
   * the argument and the exchange's copy of it. */
  CHECK(work_login == creds_blocks(tgt) + parsed_blocks(alice) + name_blocks(alice));
  /* The service ticket: the credentials, the service's name parsed, kerb::Client's by-value
   * copy of it and the exchange's two (the name asked for, and as its KDC names it), and the
   * exchange's copy of the TGT (all of the TGT's handle but the handle). */
  CHECK(work_tgs == creds_blocks(ticket) + parsed_blocks(bank) + 3 * name_blocks(bank) +
                        (creds_blocks(tgt) - 1));
  CHECK(heap_login > work_login);
  CHECK(heap_tgs > work_tgs);
  CHECK(needed > 0 && needed <= work_size);

  /* A keytab login in the buffer works too. */
  kerb_creds* service_tgt = NULL;
  CHECK_OK(kerb_login_keytab(ctx, "bank/bank.test", env("KERB_TEST_KEYTAB"), &service_tgt, &err));
  kerb_creds_free(service_tgt);

  /* Too small: refused with the size the step needs, which kerb_ctx_work_needed keeps. */
  kerb_creds* none = NULL;
  CHECK_OK(kerb_ctx_set_work_buffer(ctx, work, 64, &err));
  CHECK(kerb_ctx_work_needed(ctx) == 0);
  CHECK_STATUS(KERB_ERR_BUFFER_TOO_SMALL, kerb_login_password(ctx, "alice", password, &none, &err));
  CHECK(none == NULL);
  CHECK(step_needs(err.message) > 64);
  /* Room for the login but not the TGS step (which needs the most). */
  CHECK_OK(kerb_ctx_set_work_buffer(ctx, work, needed / 2, &err));
  CHECK_STATUS(KERB_ERR_BUFFER_TOO_SMALL,
               kerb_get_service_ticket(ctx, tgt, "bank/bank.test", &none, &err));
  CHECK(none == NULL);
  CHECK(step_needs(err.message) > needed / 2 && step_needs(err.message) <= needed);
  CHECK(kerb_ctx_work_needed(ctx) == 0); /* only successful calls count */
  /* What kerb_ctx_work_needed reported is enough, with room for the requests' random nonces,
   * whose DER length varies. */
  kerb_creds* again = NULL;
  CHECK_OK(kerb_ctx_set_work_buffer(ctx, work, needed + 16, &err));
  CHECK_OK(kerb_login_password(ctx, "alice", password, &again, &err));
  if (again != NULL) {
    kerb_creds* ticket_again = NULL;
    CHECK_OK(kerb_get_service_ticket(ctx, again, "bank/bank.test", &ticket_again, &err));
    kerb_creds_free(ticket_again);
  }
  kerb_creds_free(again);

  /* Back to the heap. */
  CHECK_OK(kerb_ctx_set_work_buffer(ctx, NULL, 0, &err));
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_ctx_set_work_buffer(ctx, NULL, 16, &err));
  CHECK_OK(kerb_get_service_ticket(ctx, tgt, "bank/bank.test", &again, &err));
  kerb_creds_free(again);

  kerb_creds_free(ticket);
  kerb_creds_free(tgt);
  kerb_ctx_free(ctx);
  if (check_failures != 0) fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures == 0 ? 0 : 1;
}
