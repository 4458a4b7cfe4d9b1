/* kerb from C: log in with a password and get a service ticket, configured in code (no
 * krb5.conf).
 *
 *   kerb-c-sample REALM KDC[:PORT] USER SERVICE      (the password is read from stdin)
 *
 * With no arguments it prints kerb's version. A failed login prints the status and the
 * Kerberos error code, as an app would show them. */
#include <stdio.h>
#include <string.h>

#include <kerb/kerb.h>

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
  int rc = 1;
  if (kerb_ctx_new(argv[1], &ctx, &err) != KERB_OK ||
      kerb_ctx_add_kdc(ctx, NULL, argv[2], &err) != KERB_OK)
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
  rc = 0;
  goto done;
fail:
  fprintf(stderr, "error: %s (code %d): %s\n", kerb_status_name(err.status), (int)err.code,
          err.message);
done:
  kerb_creds_free(ticket);
  kerb_creds_free(tgt);
  kerb_ctx_free(ctx);
  return rc;
}
