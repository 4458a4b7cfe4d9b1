/* kerb from C: log in with a password and get a service ticket, configured in code (no
 * krb5.conf), on the app's own clock and in the app's own working memory (only what the app
 * keeps goes on the heap); then start a GSS context and protect a first request in a buffer
 * of the app's (no heap per message), ready to travel with the AP-REQ.
 *
 *   kerb-c-sample REALM KDC[:PORT] USER SERVICE      (the password is read from stdin)
 *
 * With no arguments it prints kerb's version. A failed login prints the status and the
 * Kerberos error code, as an app would show them. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <kerb/kerb.h>

/* The app's clock, in microseconds since the epoch. A phone app would add the offset it keeps
 * from its own time source; here it is the system's real-time clock. */
static int64_t app_now(void* user) {
  (void)user;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char** argv) {
  printf("kerb %s (header %d.%d.%d)\n", kerb_version_string(), KERB_VERSION_MAJOR,
         KERB_VERSION_MINOR, KERB_VERSION_PATCH);
  if (kerb_version() >> 8 != (uint32_t)KERB_VERSION >> 8) {
    fprintf(stderr, "library and header differ\n");
    return 1;
  }
  if (argc == 1) return 0;
  if (argc != 5) {
    fprintf(stderr, "usage: %s REALM KDC[:PORT] USER SERVICE < password\n", argv[0]);
    return 2;
  }
  char password[256];
  if (fgets(password, sizeof password, stdin) == NULL) password[0] = '\0';
  password[strcspn(password, "\r\n")] = '\0';

  kerb_error err;
  kerb_ctx* ctx = NULL;
  kerb_creds* tgt = NULL;
  kerb_creds* ticket = NULL;
  kerb_gss_ctx* gss = NULL;
  kerb_buffer ap_req = {NULL, 0};
  int rc = 1;
  /* The requests, the KDC's replies and their decryption: a login with MIT's KDC needs about
   * 1.8 KiB. Static, so that it outlives every login made with the context. */
  static uint8_t work[4096];
  if (kerb_ctx_new(argv[1], &ctx, &err) != KERB_OK ||
      kerb_ctx_add_kdc(ctx, NULL, argv[2], &err) != KERB_OK ||
      kerb_ctx_set_clock(ctx, app_now, NULL, &err) != KERB_OK ||
      kerb_ctx_set_work_buffer(ctx, work, sizeof work, &err) != KERB_OK)
    goto fail;
  kerb_status s = kerb_login_password(ctx, argv[3], password, &tgt, &err);
  memset(password, 0, sizeof password);
  if (s != KERB_OK) goto fail;
  if (kerb_get_service_ticket(ctx, tgt, argv[4], &ticket, &err) != KERB_OK) goto fail;

  char name[256];
  size_t len = sizeof name;
  if (kerb_creds_server(ticket, name, &len, &err) != KERB_OK) goto fail;
  printf("ticket for %s, session key enctype %d, valid until %lld\n", name,
         (int)kerb_creds_enctype(ticket), (long long)kerb_creds_endtime(ticket));

  /* GSS: the AP-REQ to send, and the first request sealed into the app's buffer (the size
   * query spends no sequence number). */
  if (kerb_gss_init_start(ctx, ticket, KERB_GSS_DEFAULT_FLAGS, &gss, &ap_req, &err) != KERB_OK)
    goto fail;
  static const char request[] = "balance?";
  uint8_t sealed[256];
  size_t sealed_len = sizeof sealed;
  if (kerb_gss_wrap_into(gss, 1, (const uint8_t*)request, sizeof request - 1, sealed, &sealed_len,
                         &err) != KERB_OK)
    goto fail;
  printf("AP-REQ of %zu octets, request sealed in %zu octets\n", ap_req.length, sealed_len);
  printf("work buffer: %zu of %zu octets used\n", kerb_ctx_work_needed(ctx), sizeof work);
  rc = 0;
  goto done;
fail:
  fprintf(stderr, "error: %s (code %d): %s\n", kerb_status_name(err.status), (int)err.code,
          err.message);
done:
  kerb_buffer_free(&ap_req);
  kerb_gss_free(gss);
  kerb_creds_free(ticket);
  kerb_creds_free(tgt);
  kerb_ctx_free(ctx);
  return rc;
}
