/*
 * One datagram to a unix socket named by path, for sd_notify(3)'s protocol: systemd hands a
 * service $NOTIFY_SOCKET and reads READY=1, STOPPING=1 ... from it, and Node's dgram has no
 * AF_UNIX. A name starting with '@' is in the abstract namespace (the '@' stands for the NUL
 * byte the kernel expects), as systemd writes it.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "addon.h"

/* Fills `address` from `name`; returns the length to pass to sendto, 0 when it does not fit. */
static socklen_t unix_address(const char *name, size_t name_length, struct sockaddr_un *address) {
  memset(address, 0, sizeof *address);
  address->sun_family = AF_UNIX;
  if (name_length == 0 || name_length >= sizeof address->sun_path) return 0;
  memcpy(address->sun_path, name, name_length);
  if (name[0] == '@') address->sun_path[0] = '\0';
  /* An abstract name is exactly its bytes: no terminating NUL counts towards it. */
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + name_length + (name[0] == '@' ? 0 : 1));
}

/* unixDatagramSend(path: string, data: Buffer): sends `data` as one datagram, or throws. */
napi_value UnixDatagramSend(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char name[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
  size_t name_length;
  void *data;
  size_t length;
  if (!get_args(env, info, 2, argv)) return NULL;
  if (!is_type(env, argv[0], napi_string)) {
    throw_type_error(env, "%s must be a string", "path");
    return NULL;
  }
  NAPI_OK(napi_get_value_string_utf8(env, argv[0], name, sizeof name, &name_length));
  if (!get_buffer(env, argv[1], "data", &data, &length)) return NULL;

  struct sockaddr_un address;
  socklen_t address_length = unix_address(name, name_length, &address);
  if (address_length == 0) {
    throw_errno(env, "sendto", ENAMETOOLONG, name);
    return NULL;
  }
  /* Non-blocking: a reader that stopped reading must cost a lost message, not a stalled daemon. */
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    throw_errno(env, "socket", errno, NULL);
    return NULL;
  }
  ssize_t sent;
  do sent = sendto(fd, data, length, MSG_NOSIGNAL, (struct sockaddr *)&address, address_length);
  while (sent < 0 && errno == EINTR);
  int err = errno;
  close(fd);
  if (sent < 0) throw_errno(env, "sendto", err, name);
  return NULL;
}
