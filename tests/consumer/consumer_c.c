/* The installed kerb.h and kerb::c from C: the library's version is the header's. */
#include <stdio.h>

#include <kerb/kerb.h>

int main(void) {
  if (kerb_version() != (uint32_t)KERB_VERSION) {
    puts("consumer_c: kerb.h and libkerb_c disagree on the version");
    return 1;
  }
  printf("consumer_c: kerb %s through kerb.h\n", kerb_version_string());
  return 0;
}
