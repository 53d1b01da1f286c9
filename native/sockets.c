/*
 * vigil's whole kernel edge in C: generic socket primitives for raw IP (VRRP), AF_PACKET
 * (gratuitous ARP / unsolicited NA) and AF_NETLINK (rtnetlink, generic netlink), libuv
 * readiness polling, and the two process edges Node lacks: flock(2) and signals by number;
 * stream-exchange.c adds the health checks' batched TCP exchanges, unix-datagram.c systemd's
 * notify datagrams.
 * It knows no protocol: every message is built and parsed in TypeScript (src/net/). Sockets
 * are always non-blocking and close-on-exec.
 *
 * Addresses cross the boundary as plain objects, ports and protocols in host byte order:
 *   AF_INET / AF_INET6  { family, address: string, port?, scopeId? }
 *   AF_PACKET           { family, ifindex, protocol?, mac?: Buffer, hatype?, pkttype? }
 *   AF_NETLINK          { family, pid?, groups? }
 * Failed system calls throw an Error shaped like Node's own: code 'EPERM', errno -1, syscall.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addon.h"

/* Large enough for any IPv4 or IPv6 packet without jumbograms and for the biggest netlink
 * dump datagram the kernel builds (32 KiB); anything longer is reported as truncated. */
#define RECEIVE_BUFFER_SIZE 65536

/* Room for the control messages recvmsg decodes: IPv4 TTL + IP_PKTINFO, or IPv6 hop limit +
 * IPV6_PKTINFO. Any others are cut off (MSG_CTRUNC) and ignored. */
#define CONTROL_BUFFER_SIZE                                                                    \
  (CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo)) +             \
   2 * CMSG_SPACE(sizeof(int)))

/* Room for the control messages sendto attaches: IP_PKTINFO (or the larger IPV6_PKTINFO), then
 * perhaps IP_TTL / IPV6_HOPLIMIT. */
#define SEND_CONTROL_BUFFER_SIZE (CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int)))

struct addon_state {
  unsigned char receive_buffer[RECEIVE_BUFFER_SIZE];
};

/* ---- errors -------------------------------------------------------------------------- */

napi_value errno_error(napi_env env, const char *syscall, int err, const char *detail) {
  char code[32];
  char message[256];
  /* libuv's error codes are negated errno values on Unix, so it names them for us. */
  uv_err_name_r(-err, code, sizeof code);
  if (detail != NULL)
    snprintf(message, sizeof message, "%s: %s, %s '%s'", code, uv_strerror(-err), syscall, detail);
  else
    snprintf(message, sizeof message, "%s: %s, %s", code, uv_strerror(-err), syscall);

  napi_value code_value, message_value, syscall_value, errno_value, error;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &message_value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  /* Node's system errors carry the negated errno (err.errno === -1 for EPERM). */
  napi_create_int32(env, -err, &errno_value);
  napi_create_error(env, code_value, message_value, &error);
  napi_set_named_property(env, error, "syscall", syscall_value);
  napi_set_named_property(env, error, "errno", errno_value);
  return error;
}

void throw_errno(napi_env env, const char *syscall, int err, const char *detail) {
  napi_throw(env, errno_error(env, syscall, err, detail));
}

void throw_type_error(napi_env env, const char *format, const char *what) {
  char message[160];
  snprintf(message, sizeof message, format, what);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
}

/* ---- argument helpers ---------------------------------------------------------------- */

bool get_args(napi_env env, napi_callback_info info, size_t expected, napi_value *argv) {
  size_t argc = expected;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  for (size_t i = argc; i < expected; i++) napi_get_undefined(env, &argv[i]);
  return true;
}

bool is_type(napi_env env, napi_value value, napi_valuetype expected) {
  napi_valuetype type;
  return napi_typeof(env, value, &type) == napi_ok && type == expected;
}

bool get_int(napi_env env, napi_value value, const char *what, int32_t *out) {
  if (!is_type(env, value, napi_number)) {
    throw_type_error(env, "%s must be a number", what);
    return false;
  }
  napi_get_value_int32(env, value, out);
  return true;
}

static bool get_uint(napi_env env, napi_value value, const char *what, uint32_t *out) {
  if (!is_type(env, value, napi_number)) {
    throw_type_error(env, "%s must be a number", what);
    return false;
  }
  napi_get_value_uint32(env, value, out);
  return true;
}

/* Reads object[name] as a uint32, or `fallback` when the property is absent. */
static bool get_optional_uint(napi_env env, napi_value object, const char *name, uint32_t fallback,
                              uint32_t *out) {
  napi_value value;
  if (napi_get_named_property(env, object, name, &value) != napi_ok) return false;
  if (is_type(env, value, napi_undefined)) {
    *out = fallback;
    return true;
  }
  return get_uint(env, value, name, out);
}

bool get_buffer(napi_env env, napi_value value, const char *what, void **data, size_t *length) {
  bool is_buffer = false;
  napi_is_buffer(env, value, &is_buffer);
  if (!is_buffer) {
    throw_type_error(env, "%s must be a Buffer", what);
    return false;
  }
  return napi_get_buffer_info(env, value, data, length) == napi_ok;
}

/* ---- addresses ----------------------------------------------------------------------- */

/* Parses the string `value` into `out` (an in_addr or in6_addr of `family`). `what` names the
 * value in errors, and `whose` the thing whose family it must have. */
static bool read_ip(napi_env env, napi_value value, const char *what, const char *whose, int family, void *out) {
  char text[INET6_ADDRSTRLEN];
  char message[160];
  size_t length;
  if (!is_type(env, value, napi_string)) {
    throw_type_error(env, "%s must be a string", what);
    return false;
  }
  napi_get_value_string_utf8(env, value, text, sizeof text, &length);
  if (inet_pton(family, text, out) != 1) {
    snprintf(message, sizeof message, "%s '%s' is not an IP address of the %s family", what, text, whose);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return false;
  }
  return true;
}

static bool read_ip_text(napi_env env, napi_value object, int family, void *out) {
  napi_value value;
  if (napi_get_named_property(env, object, "address", &value) != napi_ok) return false;
  return read_ip(env, value, "address.address", "address's", family, out);
}

bool read_address(napi_env env, napi_value object, struct sockaddr_storage *storage,
                         socklen_t *length) {
  uint32_t family;
  if (!is_type(env, object, napi_object)) {
    throw_type_error(env, "%s must be an object", "address");
    return false;
  }
  if (!get_optional_uint(env, object, "family", AF_UNSPEC, &family)) return false;
  memset(storage, 0, sizeof *storage);

  switch (family) {
    case AF_INET: {
      struct sockaddr_in *in = (struct sockaddr_in *)storage;
      uint32_t port;
      in->sin_family = AF_INET;
      if (!get_optional_uint(env, object, "port", 0, &port)) return false;
      in->sin_port = htons((uint16_t)port);
      if (!read_ip_text(env, object, AF_INET, &in->sin_addr)) return false;
      *length = sizeof *in;
      return true;
    }
    case AF_INET6: {
      struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)storage;
      uint32_t port;
      in6->sin6_family = AF_INET6;
      if (!get_optional_uint(env, object, "port", 0, &port)) return false;
      in6->sin6_port = htons((uint16_t)port);
      if (!get_optional_uint(env, object, "scopeId", 0, &in6->sin6_scope_id)) return false;
      if (!read_ip_text(env, object, AF_INET6, &in6->sin6_addr)) return false;
      *length = sizeof *in6;
      return true;
    }
    case AF_PACKET: {
      struct sockaddr_ll *ll = (struct sockaddr_ll *)storage;
      uint32_t ifindex, protocol;
      napi_value mac;
      ll->sll_family = AF_PACKET;
      if (!get_optional_uint(env, object, "ifindex", 0, &ifindex)) return false;
      if (!get_optional_uint(env, object, "protocol", 0, &protocol)) return false;
      ll->sll_ifindex = (int)ifindex;
      ll->sll_protocol = htons((uint16_t)protocol);
      if (napi_get_named_property(env, object, "mac", &mac) != napi_ok) return false;
      if (!is_type(env, mac, napi_undefined)) {
        void *bytes;
        size_t count;
        if (!get_buffer(env, mac, "address.mac", &bytes, &count)) return false;
        if (count > sizeof ll->sll_addr) {
          throw_type_error(env, "%s is longer than 8 bytes", "address.mac");
          return false;
        }
        memcpy(ll->sll_addr, bytes, count);
        ll->sll_halen = (unsigned char)count;
      }
      *length = sizeof *ll;
      return true;
    }
    case AF_NETLINK: {
      struct sockaddr_nl *nl = (struct sockaddr_nl *)storage;
      nl->nl_family = AF_NETLINK;
      if (!get_optional_uint(env, object, "pid", 0, &nl->nl_pid)) return false;
      if (!get_optional_uint(env, object, "groups", 0, &nl->nl_groups)) return false;
      *length = sizeof *nl;
      return true;
    }
    default:
      throw_type_error(env, "%s: only AF_INET, AF_INET6, AF_PACKET and AF_NETLINK are supported",
                       "address.family");
      return false;
  }
}

static void set_uint(napi_env env, napi_value object, const char *name, uint32_t number) {
  napi_value value;
  napi_create_uint32(env, number, &value);
  napi_set_named_property(env, object, name, value);
}

static void set_ip_text(napi_env env, napi_value object, const char *name, int family, const void *ip) {
  char text[INET6_ADDRSTRLEN];
  napi_value value;
  inet_ntop(family, ip, text, sizeof text);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, object, name, value);
}

static napi_value address_object(napi_env env, const struct sockaddr_storage *storage) {
  napi_value object;
  napi_create_object(env, &object);
  set_uint(env, object, "family", storage->ss_family);
  switch (storage->ss_family) {
    case AF_INET: {
      const struct sockaddr_in *in = (const struct sockaddr_in *)storage;
      set_ip_text(env, object, "address", AF_INET, &in->sin_addr);
      set_uint(env, object, "port", ntohs(in->sin_port));
      break;
    }
    case AF_INET6: {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)storage;
      set_ip_text(env, object, "address", AF_INET6, &in6->sin6_addr);
      set_uint(env, object, "port", ntohs(in6->sin6_port));
      set_uint(env, object, "scopeId", in6->sin6_scope_id);
      break;
    }
    case AF_PACKET: {
      const struct sockaddr_ll *ll = (const struct sockaddr_ll *)storage;
      napi_value mac;
      size_t halen = ll->sll_halen > sizeof ll->sll_addr ? sizeof ll->sll_addr : ll->sll_halen;
      set_uint(env, object, "ifindex", (uint32_t)ll->sll_ifindex);
      set_uint(env, object, "protocol", ntohs(ll->sll_protocol));
      set_uint(env, object, "hatype", ll->sll_hatype);
      set_uint(env, object, "pkttype", ll->sll_pkttype);
      napi_create_buffer_copy(env, halen, ll->sll_addr, NULL, &mac);
      napi_set_named_property(env, object, "mac", mac);
      break;
    }
    case AF_NETLINK: {
      const struct sockaddr_nl *nl = (const struct sockaddr_nl *)storage;
      set_uint(env, object, "pid", nl->nl_pid);
      set_uint(env, object, "groups", nl->nl_groups);
      break;
    }
  }
  return object;
}

/* ---- socket calls -------------------------------------------------------------------- */

/* socket(domain, type, protocol) -> fd. `protocol` is passed through untouched, so an
 * AF_PACKET caller gives it in network byte order as socket(7) requires. */
static napi_value Socket(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  int32_t domain, type, protocol;
  if (!get_args(env, info, 3, argv)) return NULL;
  if (!get_int(env, argv[0], "domain", &domain) || !get_int(env, argv[1], "type", &type) ||
      !get_int(env, argv[2], "protocol", &protocol))
    return NULL;
  int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    throw_errno(env, "socket", errno, NULL);
    return NULL;
  }
  NAPI_OK(napi_create_int32(env, fd, &result));
  return result;
}

/* The calls that take a socket and one address: bind, and connect. */
typedef int (*address_call)(int, const struct sockaddr *, socklen_t);

static napi_value call_with_address(napi_env env, napi_callback_info info, address_call call, const char *name) {
  napi_value argv[2];
  int32_t fd;
  struct sockaddr_storage address;
  socklen_t length;
  if (!get_args(env, info, 2, argv)) return NULL;
  if (!get_int(env, argv[0], "fd", &fd) || !read_address(env, argv[1], &address, &length)) return NULL;
  if (call(fd, (struct sockaddr *)&address, length) < 0) throw_errno(env, name, errno, NULL);
  return NULL;
}

/* bind(fd, address) */
static napi_value Bind(napi_env env, napi_callback_info info) { return call_with_address(env, info, bind, "bind"); }

/* connect(fd, address): for datagram sockets, which connect at once and then hear the ICMP
 * errors their peer's host sends back (as recvmsg errors). */
static napi_value Connect(napi_env env, napi_callback_info info) {
  return call_with_address(env, info, connect, "connect");
}

/* setsockopt(fd, level, name, value): a number is passed as a C int, a Buffer as its bytes
 * (for structs such as ip_mreqn, built by the caller in host byte order). */
static napi_value SetSockOpt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, level, name, number;
  void *data;
  size_t length;
  if (!get_args(env, info, 4, argv)) return NULL;
  if (!get_int(env, argv[0], "fd", &fd) || !get_int(env, argv[1], "level", &level) ||
      !get_int(env, argv[2], "name", &name))
    return NULL;
  if (is_type(env, argv[3], napi_number)) {
    napi_get_value_int32(env, argv[3], &number);
    data = &number;
    length = sizeof number;
  } else if (!get_buffer(env, argv[3], "value", &data, &length)) {
    return NULL;
  }
  if (setsockopt(fd, level, name, data, (socklen_t)length) < 0) throw_errno(env, "setsockopt", errno, NULL);
  return NULL;
}

/* Adds an int control message after the first one (a TTL or hop limit for this datagram alone). */
static void append_int_control(struct msghdr *message, int level, int type, int value) {
  struct cmsghdr *cmsg = CMSG_NXTHDR(message, CMSG_FIRSTHDR(message));
  cmsg->cmsg_level = level;
  cmsg->cmsg_type = type;
  cmsg->cmsg_len = CMSG_LEN(sizeof value);
  memcpy(CMSG_DATA(cmsg), &value, sizeof value);
}

/* Puts the packet info of `options` ({ sourceAddress?, ifindex?, ttl? }) into `message`'s control
 * buffer: IP_PKTINFO or IPV6_PKTINFO, as the socket's family (SO_DOMAIN) requires, and with a
 * ttl (1..255) IP_TTL or IPV6_HOPLIMIT, which win over the socket's for this datagram. */
static bool write_packet_info(napi_env env, int fd, napi_value options, struct msghdr *message) {
  int family;
  socklen_t family_length = sizeof family;
  uint32_t ifindex, ttl;
  napi_value source;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(message);

  if (!is_type(env, options, napi_object)) {
    throw_type_error(env, "%s must be an object", "options");
    return false;
  }
  if (!get_optional_uint(env, options, "ifindex", 0, &ifindex)) return false;
  if (!get_optional_uint(env, options, "ttl", 0, &ttl)) return false;
  if (ttl > 255) {
    throw_type_error(env, "%s must be from 1 to 255", "options.ttl");
    return false;
  }
  if (napi_get_named_property(env, options, "sourceAddress", &source) != napi_ok) return false;
  bool has_source = !is_type(env, source, napi_undefined);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &family_length) < 0) {
    throw_errno(env, "getsockopt", errno, "SO_DOMAIN");
    return false;
  }

  if (family == AF_INET) {
    /* ipi_spec_dst is the source address; ipi_addr is ignored on send. */
    struct in_pktinfo info;
    memset(&info, 0, sizeof info);
    info.ipi_ifindex = (int)ifindex;
    if (has_source && !read_ip(env, source, "options.sourceAddress", "socket's", AF_INET, &info.ipi_spec_dst))
      return false;
    cmsg->cmsg_level = IPPROTO_IP;
    cmsg->cmsg_type = IP_PKTINFO;
    cmsg->cmsg_len = CMSG_LEN(sizeof info);
    memcpy(CMSG_DATA(cmsg), &info, sizeof info);
    if (ttl) append_int_control(message, IPPROTO_IP, IP_TTL, (int)ttl);
    message->msg_controllen = CMSG_SPACE(sizeof info) + (ttl ? CMSG_SPACE(sizeof(int)) : 0);
    return true;
  }
  if (family == AF_INET6) {
    struct in6_pktinfo info;
    memset(&info, 0, sizeof info);
    info.ipi6_ifindex = ifindex;
    if (has_source && !read_ip(env, source, "options.sourceAddress", "socket's", AF_INET6, &info.ipi6_addr))
      return false;
    cmsg->cmsg_level = IPPROTO_IPV6;
    cmsg->cmsg_type = IPV6_PKTINFO;
    cmsg->cmsg_len = CMSG_LEN(sizeof info);
    memcpy(CMSG_DATA(cmsg), &info, sizeof info);
    if (ttl) append_int_control(message, IPPROTO_IPV6, IPV6_HOPLIMIT, (int)ttl);
    message->msg_controllen = CMSG_SPACE(sizeof info) + (ttl ? CMSG_SPACE(sizeof(int)) : 0);
    return true;
  }
  throw_type_error(env, "%s: a source address or interface applies to AF_INET and AF_INET6 sockets only",
                   "options");
  return false;
}

/* sendto(fd, data, address?, options?) -> bytes sent. options { sourceAddress?, ifindex?, ttl? } send
 * this datagram from that local address and out of that interface instead of the kernel's
 * choice; the kernel refuses an address the host does not have (IPv6 EINVAL, IPv4 ENETUNREACH). */
static napi_value SendTo(napi_env env, napi_callback_info info) {
  napi_value argv[4], result;
  int32_t fd;
  struct iovec iov;
  struct sockaddr_storage address;
  union {
    struct cmsghdr align;
    char bytes[SEND_CONTROL_BUFFER_SIZE];
  } control;
  struct msghdr message;
  ssize_t sent;
  if (!get_args(env, info, 4, argv)) return NULL;
  if (!get_int(env, argv[0], "fd", &fd) || !get_buffer(env, argv[1], "data", &iov.iov_base, &iov.iov_len))
    return NULL;
  memset(&message, 0, sizeof message);
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  if (!is_type(env, argv[2], napi_undefined)) {
    socklen_t address_length;
    if (!read_address(env, argv[2], &address, &address_length)) return NULL;
    message.msg_name = &address;
    message.msg_namelen = address_length;
  }
  if (!is_type(env, argv[3], napi_undefined)) {
    memset(&control, 0, sizeof control);
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof control.bytes;
    if (!write_packet_info(env, fd, argv[3], &message)) return NULL;
  }
  /* sendmsg without control messages is sendto. */
  do {
    sent = sendmsg(fd, &message, MSG_DONTWAIT);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    throw_errno(env, "sendmsg", errno, NULL);
    return NULL;
  }
  NAPI_OK(napi_create_int64(env, sent, &result));
  return result;
}

static napi_value ancillary_object(napi_env env, struct msghdr *message) {
  napi_value object;
  napi_create_object(env, &object);
  for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(message); cmsg != NULL; cmsg = CMSG_NXTHDR(message, cmsg)) {
    if (cmsg->cmsg_level == IPPROTO_IP && cmsg->cmsg_type == IP_TTL) {
      int ttl;
      memcpy(&ttl, CMSG_DATA(cmsg), sizeof ttl);
      set_uint(env, object, "ttl", (uint32_t)ttl);
    } else if (cmsg->cmsg_level == IPPROTO_IP && cmsg->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo info;
      memcpy(&info, CMSG_DATA(cmsg), sizeof info);
      set_ip_text(env, object, "destination", AF_INET, &info.ipi_addr);
      set_uint(env, object, "ifindex", (uint32_t)info.ipi_ifindex);
    } else if (cmsg->cmsg_level == IPPROTO_IPV6 && cmsg->cmsg_type == IPV6_HOPLIMIT) {
      int hop_limit;
      memcpy(&hop_limit, CMSG_DATA(cmsg), sizeof hop_limit);
      set_uint(env, object, "hopLimit", (uint32_t)hop_limit);
    } else if (cmsg->cmsg_level == IPPROTO_IPV6 && cmsg->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo info;
      memcpy(&info, CMSG_DATA(cmsg), sizeof info);
      set_ip_text(env, object, "destination", AF_INET6, &info.ipi6_addr);
      set_uint(env, object, "ifindex", info.ipi6_ifindex);
    }
  }
  return object;
}

/* recvmsg(fd) -> { data, address, ancillary, truncated } or null when nothing is queued. */
static napi_value RecvMsg(napi_env env, napi_callback_info info) {
  napi_value argv[1], result, data, truncated;
  int32_t fd;
  struct addon_state *state;
  struct sockaddr_storage from;
  union {
    struct cmsghdr align;
    char bytes[CONTROL_BUFFER_SIZE];
  } control;
  struct iovec iov;
  struct msghdr message;
  ssize_t received;

  if (!get_args(env, info, 1, argv) || !get_int(env, argv[0], "fd", &fd)) return NULL;
  NAPI_OK(napi_get_instance_data(env, (void **)&state));

  memset(&from, 0, sizeof from);
  iov.iov_base = state->receive_buffer;
  iov.iov_len = sizeof state->receive_buffer;
  memset(&message, 0, sizeof message);
  message.msg_name = &from;
  message.msg_namelen = sizeof from;
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control.bytes;
  message.msg_controllen = sizeof control.bytes;

  /* MSG_TRUNC makes raw, packet and netlink sockets return the datagram's real length. */
  do {
    received = recvmsg(fd, &message, MSG_DONTWAIT | MSG_TRUNC);
  } while (received < 0 && errno == EINTR);
  if (received < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      NAPI_OK(napi_get_null(env, &result));
      return result;
    }
    throw_errno(env, "recvmsg", errno, NULL);
    return NULL;
  }

  size_t length = (size_t)received < sizeof state->receive_buffer ? (size_t)received : sizeof state->receive_buffer;
  NAPI_OK(napi_create_object(env, &result));
  NAPI_OK(napi_create_buffer_copy(env, length, state->receive_buffer, NULL, &data));
  NAPI_OK(napi_set_named_property(env, result, "data", data));
  NAPI_OK(napi_set_named_property(env, result, "address", address_object(env, &from)));
  NAPI_OK(napi_set_named_property(env, result, "ancillary", ancillary_object(env, &message)));
  NAPI_OK(napi_get_boolean(env, (message.msg_flags & MSG_TRUNC) != 0, &truncated));
  NAPI_OK(napi_set_named_property(env, result, "truncated", truncated));
  return result;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!get_args(env, info, 1, argv) || !get_int(env, argv[0], "fd", &fd)) return NULL;
  /* Linux releases the descriptor even when close reports EINTR, so that is not a failure. */
  if (close(fd) < 0 && errno != EINTR) throw_errno(env, "close", errno, NULL);
  return NULL;
}

static napi_value IfNameToIndex(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  char name[IF_NAMESIZE + 1];
  size_t length;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (!is_type(env, argv[0], napi_string)) {
    throw_type_error(env, "%s must be a string", "name");
    return NULL;
  }
  napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length);
  if (length >= IF_NAMESIZE) {
    throw_errno(env, "if_nametoindex", ENODEV, name);
    return NULL;
  }
  unsigned int index = if_nametoindex(name);
  if (index == 0) {
    throw_errno(env, "if_nametoindex", errno, name);
    return NULL;
  }
  NAPI_OK(napi_create_uint32(env, index, &result));
  return result;
}

/* ---- flock --------------------------------------------------------------------------- */

/* flock(fd, operation): LOCK_EX | LOCK_NB on a file vigild keeps open for its whole life, so the
 * kernel releases the lock however the process ends. Held elsewhere: EWOULDBLOCK. */
static napi_value Flock(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd, operation;
  if (!get_args(env, info, 2, argv)) return NULL;
  if (!get_int(env, argv[0], "fd", &fd) || !get_int(env, argv[1], "operation", &operation)) return NULL;
  int status;
  do {
    status = flock(fd, operation);
  } while (status < 0 && errno == EINTR);
  if (status < 0) throw_errno(env, "flock", errno, NULL);
  return NULL;
}

/* ---- watches: readiness and signals ------------------------------------------------- */

/* One libuv handle calling back into JS: a uv_poll_t watching a descriptor for readability, or
 * a uv_signal_t for a signal (delivered on the loop by libuv's self-pipe, never inside the
 * signal handler). Two owners keep it alive: libuv until the close callback, and the JS handle
 * (a napi external) until it is garbage-collected. The memory goes with the last of them, so a
 * stop on a handle that is already closed finds `closing` set and does nothing, and never
 * reaches memory since reused by another watch. */
struct watch {
  union {
    uv_handle_t handle;
    uv_poll_t poll;
    uv_signal_t signal;
  } uv; /* first member: the uv callbacks get this pointer */
  napi_env env;
  napi_ref callback;
  napi_async_context async_context;
  napi_async_cleanup_hook_handle teardown_hook;
  bool closing;         /* uv_close has been called */
  bool closed;          /* libuv is done with the handle */
  bool handle_released; /* the JS handle is gone (or was never made) */
};

static void on_watch_closed(uv_handle_t *handle) {
  struct watch *watch = (struct watch *)handle;
  napi_delete_reference(watch->env, watch->callback);
  napi_async_destroy(watch->env, watch->async_context);
  napi_remove_async_cleanup_hook(watch->teardown_hook);
  watch->closed = true;
  if (watch->handle_released) free(watch);
}

static void on_handle_released(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  struct watch *watch = data;
  watch->handle_released = true;
  if (watch->closed) free(watch);
}

/* Idempotent: after the first call the handle is closing or closed, and later calls return. */
static void stop_watch(struct watch *watch) {
  if (watch->closing) return;
  watch->closing = true;
  uv_close(&watch->uv.handle, on_watch_closed);
}

/* A watch is stopped when the environment (a worker thread) is torn down while it still runs. */
static void on_environment_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  (void)handle;
  stop_watch(arg);
}

/* Calls the watch's callback with `argc` arguments (0 or 1). It runs microtasks and async hooks
 * as for any I/O callback; an exception it throws goes to process 'uncaughtException'. */
static void call_back(struct watch *watch, size_t argc, napi_value *argv) {
  napi_env env = watch->env;
  napi_value callback, receiver, ignored;
  napi_get_reference_value(env, watch->callback, &callback);
  /* napi_make_callback insists on an object for `this`. */
  napi_get_global(env, &receiver);
  if (napi_make_callback(env, watch->async_context, receiver, callback, argc, argv, &ignored) ==
      napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  struct watch *watch = (struct watch *)handle;
  napi_handle_scope scope;
  napi_value argument;
  if (napi_open_handle_scope(watch->env, &scope) != napi_ok) return;
  if (status < 0)
    argument = errno_error(watch->env, "poll", -status, NULL);
  else
    napi_get_null(watch->env, &argument);
  call_back(watch, 1, &argument);
  napi_close_handle_scope(watch->env, scope);
}

static void on_signal(uv_signal_t *handle, int signum) {
  (void)signum;
  struct watch *watch = (struct watch *)handle;
  napi_handle_scope scope;
  if (napi_open_handle_scope(watch->env, &scope) != napi_ok) return;
  call_back(watch, 0, NULL);
  napi_close_handle_scope(watch->env, scope);
}

/* A watch for `callback`, its uv handle not yet initialised; NULL (with an exception) if none. */
static struct watch *new_watch(napi_env env, napi_value callback, const char *name) {
  napi_value resource, resource_name;
  if (!is_type(env, callback, napi_function)) {
    throw_type_error(env, "%s must be a function", "callback");
    return NULL;
  }
  struct watch *watch = calloc(1, sizeof *watch);
  if (watch == NULL) {
    throw_errno(env, name, ENOMEM, NULL);
    return NULL;
  }
  watch->env = env;
  watch->handle_released = true; /* until start_watch hands out the JS handle */
  napi_create_reference(env, callback, 1, &watch->callback);
  napi_create_object(env, &resource);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, resource, resource_name, &watch->async_context);
  return watch;
}

/* After uv_*_init succeeded (`init_status` 0) and uv_*_start returned `status`: the JS handle,
 * or NULL with an exception (the watch then closes and frees itself). */
static napi_value start_watch(napi_env env, struct watch *watch, int status, const char *syscall) {
  napi_value result;
  napi_add_async_cleanup_hook(env, on_environment_teardown, watch, &watch->teardown_hook);
  if (status < 0 || napi_create_external(env, watch, on_handle_released, NULL, &result) != napi_ok) {
    stop_watch(watch);
    if (status < 0) throw_errno(env, syscall, -status, NULL);
    return NULL;
  }
  watch->handle_released = false;
  return result;
}

/* A watch whose uv_*_init failed: libuv never saw it. */
static void discard_watch(napi_env env, struct watch *watch, int status, const char *syscall) {
  napi_delete_reference(env, watch->callback);
  napi_async_destroy(env, watch->async_context);
  free(watch);
  throw_errno(env, syscall, -status, NULL);
}

/* pollStart(fd, callback(error | null)) -> handle: calls back whenever fd is readable, until
 * pollStop(handle). Stop before closing the fd: libuv must not watch a closed descriptor. */
static napi_value PollStart(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  uv_loop_t *loop;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], "fd", &fd)) return NULL;
  NAPI_OK(napi_get_uv_event_loop(env, &loop));
  struct watch *watch = new_watch(env, argv[1], "vigil.RawSocket");
  if (watch == NULL) return NULL;
  int status = uv_poll_init(loop, &watch->uv.poll, fd);
  if (status < 0) {
    discard_watch(env, watch, status, "uv_poll_init");
    return NULL;
  }
  return start_watch(env, watch, uv_poll_start(&watch->uv.poll, UV_READABLE, on_readable), "uv_poll_start");
}

/* signalStart(signum, callback()) -> handle: calls back on the event loop each time signum
 * arrives, until signalStop(handle); for the real-time signals Node cannot name. The handle
 * does not keep the event loop alive, like Node's own signal listeners. */
static napi_value SignalStart(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t signum;
  uv_loop_t *loop;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], "signum", &signum)) return NULL;
  NAPI_OK(napi_get_uv_event_loop(env, &loop));
  struct watch *watch = new_watch(env, argv[1], "vigil.Signal");
  if (watch == NULL) return NULL;
  int status = uv_signal_init(loop, &watch->uv.signal);
  if (status < 0) {
    discard_watch(env, watch, status, "uv_signal_init");
    return NULL;
  }
  uv_unref(&watch->uv.handle);
  return start_watch(env, watch, uv_signal_start(&watch->uv.signal, on_signal, signum), "uv_signal_start");
}

/* pollStop(handle) / signalStop(handle): no callback runs after this returns. Calling it again,
 * even long after, is harmless. */
static napi_value StopWatch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct watch *watch;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (!is_type(env, argv[0], napi_external)) {
    throw_type_error(env, "%s must be a handle from pollStart or signalStart", "handle");
    return NULL;
  }
  NAPI_OK(napi_get_value_external(env, argv[0], (void **)&watch));
  stop_watch(watch);
  return NULL;
}

/* ---- module -------------------------------------------------------------------------- */

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

#define CONSTANT(name)                                                                         \
  do {                                                                                         \
    napi_value value;                                                                          \
    napi_create_int32(env, (name), &value);                                                    \
    napi_set_named_property(env, constants, #name, value);                                     \
  } while (0)

static napi_value constants_object(napi_env env) {
  napi_value constants;
  napi_create_object(env, &constants);
  CONSTANT(AF_UNSPEC);
  CONSTANT(AF_INET);
  CONSTANT(AF_INET6);
  CONSTANT(AF_PACKET);
  CONSTANT(AF_NETLINK);
  CONSTANT(SOCK_RAW);
  CONSTANT(SOCK_DGRAM);
  CONSTANT(SOCK_STREAM);
  CONSTANT(SOL_SOCKET);
  CONSTANT(SOL_NETLINK);
  CONSTANT(IPPROTO_IP);
  CONSTANT(IPPROTO_IPV6);
  CONSTANT(IPPROTO_UDP);
  CONSTANT(IPPROTO_TCP);
  CONSTANT(IPPROTO_ICMP);
  CONSTANT(IPPROTO_ICMPV6);
  CONSTANT(SO_MARK);
  CONSTANT(IP_RECVERR);
  CONSTANT(IPV6_RECVERR);
  CONSTANT(SO_BINDTODEVICE);
  CONSTANT(IP_TTL);
  CONSTANT(IP_TOS);
  CONSTANT(IP_HDRINCL);
  CONSTANT(IP_RECVTTL);
  CONSTANT(IP_PKTINFO);
  CONSTANT(IP_MULTICAST_IF);
  CONSTANT(IP_MULTICAST_TTL);
  CONSTANT(IP_MULTICAST_LOOP);
  CONSTANT(IP_ADD_MEMBERSHIP);
  CONSTANT(IPV6_UNICAST_HOPS);
  CONSTANT(IPV6_TCLASS);
  CONSTANT(IPV6_MULTICAST_IF);
  CONSTANT(IPV6_MULTICAST_HOPS);
  CONSTANT(IPV6_MULTICAST_LOOP);
  CONSTANT(IPV6_ADD_MEMBERSHIP);
  CONSTANT(IPV6_RECVHOPLIMIT);
  CONSTANT(IPV6_RECVPKTINFO);
  CONSTANT(ETH_P_ARP);
  CONSTANT(ETH_P_IPV6);
  CONSTANT(NETLINK_ROUTE);
  CONSTANT(NETLINK_GENERIC);
  CONSTANT(NETLINK_ADD_MEMBERSHIP);
  CONSTANT(NETLINK_CAP_ACK);
  CONSTANT(NETLINK_EXT_ACK);
  CONSTANT(LOCK_EX);
  CONSTANT(LOCK_NB);
  /* glibc's values at run time (it keeps the first few real-time signals for itself). */
  CONSTANT(SIGRTMIN);
  CONSTANT(SIGRTMAX);
  return constants;
}

NAPI_MODULE_INIT() {
  struct addon_state *state = malloc(sizeof *state);
  if (state == NULL || napi_set_instance_data(env, state, free_state, NULL) != napi_ok) {
    free(state);
    napi_throw_error(env, "ENOMEM", "vigil sockets addon: cannot allocate its receive buffer");
    return NULL;
  }
  napi_property_descriptor properties[] = {
      {"socket", NULL, Socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bind", NULL, Bind, NULL, NULL, NULL, napi_enumerable, NULL},
      {"connect", NULL, Connect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setsockopt", NULL, SetSockOpt, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendto", NULL, SendTo, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recvmsg", NULL, RecvMsg, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ifNameToIndex", NULL, IfNameToIndex, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pollStart", NULL, PollStart, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pollStop", NULL, StopWatch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"signalStart", NULL, SignalStart, NULL, NULL, NULL, napi_enumerable, NULL},
      {"signalStop", NULL, StopWatch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flock", NULL, Flock, NULL, NULL, NULL, napi_enumerable, NULL},
      {"exchangeEngine", NULL, ExchangeEngine, NULL, NULL, NULL, napi_enumerable, NULL},
      {"exchangeOpen", NULL, ExchangeOpen, NULL, NULL, NULL, napi_enumerable, NULL},
      {"exchangeCancel", NULL, ExchangeCancel, NULL, NULL, NULL, napi_enumerable, NULL},
      {"exchangeCollect", NULL, ExchangeCollect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"exchangeClose", NULL, ExchangeClose, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unixDatagramSend", NULL, UnixDatagramSend, NULL, NULL, NULL, napi_enumerable, NULL},
      {"constants", NULL, NULL, NULL, NULL, constants_object(env), napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok)
    return NULL;
  return exports;
}
