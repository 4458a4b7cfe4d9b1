/* kerb.h from C against the MIT KDC fixture (kdc-fixtures/; its env file gives KERB_TEST_*):
 * password and keytab logins, a wrong password, a service ticket, a FILE ccache that MIT's
 * klist reads, then a GSS context with kerb's acceptor (the C++ harness) over the bank keytab,
 * wrap/unwrap and MICs both ways, and an exported and imported initiator context. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "harness.h"

static int name_is(const kerb_creds* creds, int server, const char* expected) {
  kerb_error err;
  char name[256];
  size_t len = 0;
  /* Size first, as a binding would, then the name. */
  kerb_status s = server ? kerb_creds_server(creds, NULL, &len, &err)
                         : kerb_creds_client(creds, NULL, &len, &err);
  if (s != KERB_ERR_BUFFER_TOO_SMALL || len != strlen(expected)) {
    fprintf(stderr, "size query: %s, len %zu for %s\n", kerb_status_name(s), len, expected);
    return 0;
  }
  len = sizeof name;
  s = server ? kerb_creds_server(creds, name, &len, &err)
             : kerb_creds_client(creds, name, &len, &err);
  if (s != KERB_OK || strcmp(name, expected) != 0) {
    fprintf(stderr, "name: %s, got %s, expected %s\n", kerb_status_name(s), name, expected);
    return 0;
  }
  return 1;
}

static void exchange(kerb_gss_ctx* from, kerb_gss_ctx* to, const char* text) {
  kerb_error err;
  const size_t n = strlen(text);
  for (int conf = 0; conf <= 1; ++conf) {
    kerb_buffer token = {NULL, 0}, plain = {NULL, 0};
    int conf_state = -1;
    uint32_t bits = 99;
    CHECK_OK(kerb_gss_wrap(from, conf, (const uint8_t*)text, n, &token, &err));
    CHECK_OK(kerb_gss_unwrap(to, token.data, token.length, &plain, &conf_state, &bits, &err));
    CHECK(plain.length == n && memcmp(plain.data, text, n) == 0);
    CHECK(conf_state == conf && bits == 0);
    kerb_buffer_free(&plain);
    kerb_buffer_free(&token);
  }
  /* Ask the size, then use a buffer of exactly that size: the query spends no sequence
   * number, so the peer sees no gap. */
  size_t len = 0;
  CHECK_STATUS(KERB_ERR_BUFFER_TOO_SMALL,
               kerb_gss_get_mic(from, (const uint8_t*)text, n, NULL, &len, &err));
  CHECK(len > 16 && len <= 64);
  uint8_t* mic = malloc(len);
  CHECK(mic != NULL);
  uint32_t bits = 99;
  CHECK_OK(kerb_gss_get_mic(from, (const uint8_t*)text, n, mic, &len, &err));
  CHECK_OK(kerb_gss_verify_mic(to, (const uint8_t*)text, n, mic, len, &bits, &err));
  CHECK(bits == 0);
  free(mic);
}

int main(void) {
  const char* realm = env("KERB_TEST_REALM");
  char kdc[128], alice[128], tgs[128], bank[128], ccache[512], klist[1024];
  snprintf(kdc, sizeof kdc, "%s:%s", env("KERB_TEST_KDC_HOST"), env("KERB_TEST_KDC_PORT"));
  snprintf(alice, sizeof alice, "alice@%s", realm);
  snprintf(tgs, sizeof tgs, "krbtgt/%s@%s", realm, realm);
  snprintf(bank, sizeof bank, "bank/bank.test@%s", realm);
  snprintf(ccache, sizeof ccache, "FILE:%s/c-itest-%ld.ccache", env("KERB_TEST_DIR"),
           (long)getpid());

  kerb_error err;
  kerb_ctx* ctx = NULL;
  CHECK_OK(kerb_ctx_new(realm, &ctx, &err));
  CHECK_OK(kerb_ctx_add_kdc(ctx, NULL, kdc, &err));
  const int32_t enctypes[] = {18, 17};
  CHECK_OK(kerb_ctx_set_enctypes(ctx, enctypes, 2, &err));

  /* A wrong password: KDC_ERR_PREAUTH_FAILED (24, RFC 4120 §7.5.9) from the KDC. */
  kerb_creds* tgt = NULL;
  CHECK_STATUS(KERB_ERR_KDC, kerb_login_password(ctx, "alice", "not-her-password", &tgt, &err));
  CHECK(err.code == 24);
  CHECK(tgt == NULL);

  CHECK_OK(kerb_login_password(ctx, "alice", env("KERB_TEST_PASSWORD_ALICE"), &tgt, &err));
  if (tgt == NULL) return 1;
  CHECK(name_is(tgt, 0, alice));
  CHECK(name_is(tgt, 1, tgs));
  CHECK(kerb_creds_enctype(tgt) == 18);

  kerb_creds* ticket = NULL;
  CHECK_OK(kerb_get_service_ticket(ctx, tgt, "bank/bank.test", &ticket, &err));
  if (ticket == NULL) return 1;
  CHECK(name_is(ticket, 0, alice));
  CHECK(name_is(ticket, 1, bank));
  CHECK(kerb_creds_endtime(ticket) > 0 && kerb_creds_endtime(ticket) <= kerb_creds_endtime(tgt));
  kerb_creds* none = NULL;
  CHECK_STATUS(KERB_ERR_KDC, kerb_get_service_ticket(ctx, tgt, "nosuch/bank.test", &none, &err));
  CHECK(err.code == 7); /* KDC_ERR_S_PRINCIPAL_UNKNOWN */

  /* The bank's own key from the fixture keytab. */
  kerb_creds* service_tgt = NULL;
  CHECK_OK(kerb_login_keytab(ctx, "bank/bank.test", env("KERB_TEST_KEYTAB"), &service_tgt, &err));
  CHECK(service_tgt != NULL && name_is(service_tgt, 0, bank));
  kerb_creds_free(service_tgt);

  /* ccache: save, read back with MIT's klist (the oracle for the file format), load. */
  CHECK_OK(kerb_ccache_save(ccache, tgt, 1, &err));
  CHECK_OK(kerb_ccache_save(ccache, ticket, 0, &err));
  snprintf(klist, sizeof klist, "klist -s -c '%s'", ccache);
  CHECK(system(klist) == 0);
  snprintf(klist, sizeof klist, "klist -c '%s' | grep -q '%s'", ccache, bank);
  CHECK(system(klist) == 0);
  kerb_creds* loaded = NULL;
  CHECK_OK(kerb_ccache_load(ccache, "bank/bank.test", &loaded, &err));
  CHECK(loaded != NULL && name_is(loaded, 1, bank));
  CHECK(kerb_creds_endtime(loaded) == kerb_creds_endtime(ticket));
  kerb_creds_free(loaded);
  CHECK_OK(kerb_ccache_load(ccache, NULL, &loaded, &err));
  CHECK(loaded != NULL && name_is(loaded, 1, tgs));
  kerb_creds_free(loaded);
  CHECK_STATUS(KERB_ERR_IO, kerb_ccache_load(ccache, "host/bank.test", &loaded, &err));

  /* GSS: kerb's acceptor answers with an AP-REP; the initiator verifies it. */
  kerb_gss_ctx* init = NULL;
  kerb_buffer token = {NULL, 0}, reply = {NULL, 0}, acc_blob = {NULL, 0};
  CHECK_OK(kerb_gss_init_start(ctx, ticket, KERB_GSS_DEFAULT_FLAGS, &init, &token, &err));
  if (init == NULL) return 1;
  CHECK(kerb_gss_is_established(init) == 0);
  /* RFC 2743 §3.1: an InitialContextToken starts with [APPLICATION 0] (0x60). */
  CHECK(token.length > 0 && token.data[0] == 0x60);
  CHECK(harness_accept(env("KERB_TEST_KEYTAB"), token.data, token.length, &reply, &acc_blob) == 0);
  kerb_buffer_free(&token);
  /* A corrupted AP-REP (to a second initiator) does not establish it, and ends it. */
  {
    kerb_gss_ctx* other = NULL;
    kerb_buffer other_token = {NULL, 0}, other_reply = {NULL, 0}, other_blob = {NULL, 0};
    CHECK_OK(kerb_gss_init_start(ctx, ticket, KERB_GSS_DEFAULT_FLAGS, &other, &other_token, &err));
    CHECK(harness_accept(env("KERB_TEST_KEYTAB"), other_token.data, other_token.length,
                         &other_reply, &other_blob) == 0);
    kerb_buffer_free(&other_token);
    other_reply.data[other_reply.length - 1] ^= 1;
    CHECK(kerb_gss_init_step(other, other_reply.data, other_reply.length, &err) != KERB_OK);
    CHECK(kerb_gss_is_established(other) == 0);
    other_reply.data[other_reply.length - 1] ^= 1;
    CHECK(kerb_gss_init_step(other, other_reply.data, other_reply.length, &err) != KERB_OK);
    CHECK(kerb_gss_is_established(other) == 0);
    CHECK(kerb_gss_export(other, &other_token, &err) != KERB_OK);
    kerb_buffer_free(&other_token);
    kerb_buffer_free(&other_reply);
    kerb_buffer_free(&other_blob);
    kerb_gss_free(other);
  }
  CHECK_OK(kerb_gss_init_step(init, reply.data, reply.length, &err));
  kerb_buffer_free(&reply);
  CHECK(kerb_gss_is_established(init) == 1);
  CHECK((kerb_gss_flags(init) & KERB_GSS_MUTUAL) != 0);
  CHECK_STATUS(KERB_ERR_INVALID_ARGUMENT, kerb_gss_init_step(init, NULL, 0, &err));

  kerb_gss_ctx* acc = NULL;
  CHECK_OK(kerb_gss_import(acc_blob.data, acc_blob.length, &acc, &err));
  kerb_buffer_free(&acc_blob);
  if (acc == NULL) return 1;
  exchange(init, acc, "balance?");
  exchange(acc, init, "balance: 100 EUR");

  /* Export, free, import: the same keys and sequence numbers go on. */
  init = reimported(init);
  if (init == NULL) return 1;
  exchange(init, acc, "transfer 10 EUR to bob");
  exchange(acc, init, "done");

  kerb_gss_free(init);
  kerb_gss_free(acc);
  CHECK_OK(kerb_ccache_destroy(ccache, &err));
  CHECK(access(ccache + 5, F_OK) != 0);
  kerb_creds_free(ticket);
  kerb_creds_free(tgt);
  kerb_ctx_free(ctx);
  if (check_failures != 0) fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures == 0 ? 0 : 1;
}
