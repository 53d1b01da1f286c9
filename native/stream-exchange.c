/*
 * Many short TCP exchanges at once, for the health checks: connect (TCP_CHECK), or connect,
 * send a request and read the reply to its end (HTTP_GET). Node's net.Socket costs tens of
 * microseconds of JavaScript per connection, which at thousands of checks a second is most of
 * a core; here every exchange of a thread lives in one epoll set, which libuv watches as one
 * descriptor (pollStart on exchangeEngine's fd), and each wake-up hands JavaScript one batch
 * of events for all of them. Like the rest of the addon it knows no protocol: the bytes go
 * both ways untouched, and TypeScript decides when a reply is complete.
 *
 * Each exchange carries a tag of the caller's choosing, which its events name: a slot is reused
 * as soon as its exchange ends, perhaps within the batch that reported the end.
 *
 * Events, four int32 each in the batch's event array: [tag, kind, a, b]
 *   CONNECTED  the connection is up (for a connect-only exchange, also its end: slot freed)
 *   DATA       bytes a .. a+b of the batch's data buffer arrived
 *   END        the peer closed its side (slot freed)
 *   FAILED     errno a in step b (EXCHANGE_STEP_*) (slot freed)
 * A slot is free again after its last event or after exchangeCancel, which names both slot and
 * tag so that it never closes a later exchange in a reused slot.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "addon.h"

enum exchange_event { EXCHANGE_CONNECTED = 1, EXCHANGE_DATA = 2, EXCHANGE_END = 3, EXCHANGE_FAILED = 4 };
enum exchange_step { EXCHANGE_STEP_CONNECT = 1, EXCHANGE_STEP_WRITE = 2, EXCHANGE_STEP_READ = 3 };

/* epoll events taken per batch; at most two batch events come of each (CONNECTED, FAILED). */
#define BATCH_READINESS 512
#define BATCH_EVENT_INTS (BATCH_READINESS * 2 * 4)
/* The bytes one batch carries, and one socket's share of them per read. A socket whose bytes
 * do not fit stays readable and is read in the next batch. */
#define BATCH_DATA_SIZE (256 * 1024)
#define READ_SIZE (16 * 1024)

struct exchange {
  int fd; /* -1: the slot is free */
  int32_t tag;
  bool connected;
  unsigned char *request; /* NULL: connect only, or all of it sent */
  size_t request_length;
  size_t request_sent;
};

struct exchange_engine {
  int epoll_fd; /* -1 once closed */
  struct exchange *slots;
  uint32_t capacity;
  uint32_t *free_slots;
  uint32_t free_count;
  int32_t events[BATCH_EVENT_INTS];
  size_t event_ints;
  unsigned char data[BATCH_DATA_SIZE];
  size_t data_used;
};

static void release_slot(struct exchange_engine *engine, uint32_t slot) {
  struct exchange *exchange = &engine->slots[slot];
  if (exchange->fd < 0) return;
  close(exchange->fd); /* also takes it out of the epoll set */
  exchange->fd = -1;
  free(exchange->request);
  exchange->request = NULL;
  engine->free_slots[engine->free_count++] = slot;
}

static void close_engine(struct exchange_engine *engine) {
  if (engine->epoll_fd < 0) return;
  for (uint32_t slot = 0; slot < engine->capacity; slot++) release_slot(engine, slot);
  close(engine->epoll_fd);
  engine->epoll_fd = -1;
}

static void finalize_engine(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  struct exchange_engine *engine = data;
  close_engine(engine);
  free(engine->slots);
  free(engine->free_slots);
  free(engine);
}

/* Doubles the slot table when every slot is taken; false when memory is short. */
static bool grow_slots(struct exchange_engine *engine) {
  if (engine->free_count > 0) return true;
  uint32_t capacity = engine->capacity == 0 ? 64 : engine->capacity * 2;
  struct exchange *slots = realloc(engine->slots, capacity * sizeof *slots);
  if (slots == NULL) return false;
  engine->slots = slots;
  uint32_t *free_slots = realloc(engine->free_slots, capacity * sizeof *free_slots);
  if (free_slots == NULL) return false;
  engine->free_slots = free_slots;
  /* Pushed in reverse so that the lowest new slot is taken first. */
  for (uint32_t slot = capacity; slot-- > engine->capacity;) {
    slots[slot].fd = -1;
    slots[slot].request = NULL;
    free_slots[engine->free_count++] = slot;
  }
  engine->capacity = capacity;
  return true;
}

static struct exchange_engine *engine_of(napi_env env, napi_value handle) {
  struct exchange_engine *engine = NULL;
  if (!is_type(env, handle, napi_external)) {
    throw_type_error(env, "%s must be a handle from exchangeEngine", "engine");
    return NULL;
  }
  napi_get_value_external(env, handle, (void **)&engine);
  if (engine->epoll_fd < 0) {
    throw_errno(env, "exchange", EBADF, "engine closed");
    return NULL;
  }
  return engine;
}

/* exchangeEngine() -> [engine, fd]: poll fd for readability and call exchangeCollect. */
napi_value ExchangeEngine(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value handle, fd_value, result;
  struct exchange_engine *engine = calloc(1, sizeof *engine);
  if (engine == NULL) {
    throw_errno(env, "exchangeEngine", ENOMEM, NULL);
    return NULL;
  }
  engine->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (engine->epoll_fd < 0) {
    throw_errno(env, "epoll_create1", errno, NULL);
    free(engine);
    return NULL;
  }
  if (napi_create_external(env, engine, finalize_engine, NULL, &handle) != napi_ok) {
    close(engine->epoll_fd);
    free(engine);
    return NULL;
  }
  NAPI_OK(napi_create_int32(env, engine->epoll_fd, &fd_value));
  NAPI_OK(napi_create_array_with_length(env, 2, &result));
  NAPI_OK(napi_set_element(env, result, 0, handle));
  NAPI_OK(napi_set_element(env, result, 1, fd_value));
  return result;
}

/* Reads target.<name> (a string) into `out`; an absent one leaves out[0] = 0. */
static bool read_optional_string(napi_env env, napi_value target, const char *name, char *out, size_t size) {
  napi_value value;
  size_t length;
  out[0] = 0;
  if (napi_get_named_property(env, target, name, &value) != napi_ok) return false;
  if (is_type(env, value, napi_undefined)) return true;
  if (!is_type(env, value, napi_string)) {
    throw_type_error(env, "%s must be a string", name);
    return false;
  }
  return napi_get_value_string_utf8(env, value, out, size, &length) == napi_ok;
}

/* A refused socket option: the error says which (err.option), as the operator set it. */
static void throw_option_error(napi_env env, int err, const char *option) {
  napi_value error = errno_error(env, "setsockopt", err, option), name;
  napi_create_string_utf8(env, option, NAPI_AUTO_LENGTH, &name);
  napi_set_named_property(env, error, "option", name);
  napi_throw(env, error);
}

/* The socket options and source address of target { bindIf?, mark?, source? }, before connect.
 * Throws (and returns false) with the option or call that the kernel refused. */
static bool prepare_socket(napi_env env, int fd, napi_value target) {
  char interface[64];
  napi_value mark, source;
  if (!read_optional_string(env, target, "bindIf", interface, sizeof interface)) return false;
  if (interface[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface, strlen(interface) + 1) < 0) {
    throw_option_error(env, errno, "SO_BINDTODEVICE");
    return false;
  }
  if (napi_get_named_property(env, target, "mark", &mark) != napi_ok) return false;
  if (!is_type(env, mark, napi_undefined)) {
    int32_t value;
    if (!get_int(env, mark, "mark", &value)) return false;
    if (setsockopt(fd, SOL_SOCKET, SO_MARK, &value, sizeof value) < 0) {
      throw_option_error(env, errno, "SO_MARK");
      return false;
    }
  }
  if (napi_get_named_property(env, target, "source", &source) != napi_ok) return false;
  if (!is_type(env, source, napi_undefined)) {
    struct sockaddr_storage address;
    socklen_t length;
    if (!read_address(env, source, &address, &length)) return false;
    if (bind(fd, (struct sockaddr *)&address, length) < 0) {
      throw_errno(env, "bind", errno, NULL);
      return false;
    }
  }
  return true;
}

/* A connecting non-blocking TCP socket to target, or -1 with an exception. */
static int connecting_socket(napi_env env, napi_value target) {
  struct sockaddr_storage address;
  socklen_t length;
  if (!read_address(env, target, &address, &length)) return -1;
  int fd = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) {
    throw_errno(env, "socket", errno, NULL);
    return -1;
  }
  if (!prepare_socket(env, fd, target)) {
    close(fd);
    return -1;
  }
  if (connect(fd, (struct sockaddr *)&address, length) < 0 && errno != EINPROGRESS) {
    throw_errno(env, "connect", errno, NULL);
    close(fd);
    return -1;
  }
  return fd;
}

/* Copies the request to send once connected; false (with an exception) when memory is short. */
static bool keep_request(napi_env env, napi_value request, struct exchange *exchange) {
  void *bytes;
  size_t length;
  exchange->request = NULL;
  exchange->request_length = exchange->request_sent = 0;
  if (is_type(env, request, napi_undefined)) return true;
  if (!get_buffer(env, request, "request", &bytes, &length)) return false;
  exchange->request = malloc(length > 0 ? length : 1);
  if (exchange->request == NULL) {
    throw_errno(env, "exchangeOpen", ENOMEM, NULL);
    return false;
  }
  memcpy(exchange->request, bytes, length);
  exchange->request_length = length;
  return true;
}

/* exchangeOpen(engine, tag, target, request?) -> slot. target is an AF_INET/AF_INET6 address
 * object with optional bindIf, mark and source (an address object). Without a request the
 * exchange ends at CONNECTED. Throws for what fails at once (bind, an unroutable address). */
napi_value ExchangeOpen(napi_env env, napi_callback_info info) {
  napi_value argv[4], result;
  int32_t tag;
  if (!get_args(env, info, 4, argv)) return NULL;
  struct exchange_engine *engine = engine_of(env, argv[0]);
  if (engine == NULL || !get_int(env, argv[1], "tag", &tag)) return NULL;
  if (!grow_slots(engine)) {
    throw_errno(env, "exchangeOpen", ENOMEM, NULL);
    return NULL;
  }
  int fd = connecting_socket(env, argv[2]);
  if (fd < 0) return NULL;
  uint32_t slot = engine->free_slots[engine->free_count - 1];
  struct exchange *exchange = &engine->slots[slot];
  if (!keep_request(env, argv[3], exchange)) {
    close(fd);
    return NULL;
  }
  struct epoll_event readiness = {.events = EPOLLOUT, .data.u32 = slot};
  if (epoll_ctl(engine->epoll_fd, EPOLL_CTL_ADD, fd, &readiness) < 0) {
    throw_errno(env, "epoll_ctl", errno, NULL);
    free(exchange->request);
    exchange->request = NULL;
    close(fd);
    return NULL;
  }
  engine->free_count--;
  exchange->fd = fd;
  exchange->tag = tag;
  exchange->connected = false;
  NAPI_OK(napi_create_uint32(env, slot, &result));
  return result;
}

/* exchangeCancel(engine, slot, tag): closes that exchange if it has not ended; no event of it
 * follows, not even one in the batch being delivered (the caller drops those by tag). */
napi_value ExchangeCancel(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t slot, tag;
  if (!get_args(env, info, 3, argv)) return NULL;
  struct exchange_engine *engine = engine_of(env, argv[0]);
  if (engine == NULL || !get_int(env, argv[1], "slot", &slot) || !get_int(env, argv[2], "tag", &tag)) return NULL;
  if (slot >= 0 && (uint32_t)slot < engine->capacity && engine->slots[slot].tag == tag)
    release_slot(engine, (uint32_t)slot);
  return NULL;
}

static void push_event(struct exchange_engine *engine, uint32_t slot, int32_t kind, int32_t a, int32_t b) {
  int32_t *event = &engine->events[engine->event_ints];
  event[0] = engine->slots[slot].tag;
  event[1] = kind;
  event[2] = a;
  event[3] = b;
  engine->event_ints += 4;
}

static void fail(struct exchange_engine *engine, uint32_t slot, int err, int32_t step) {
  push_event(engine, slot, EXCHANGE_FAILED, err, step);
  release_slot(engine, slot);
}

/* Sends what is left of the request; once all is out, the socket is watched for the reply. */
static void send_request(struct exchange_engine *engine, uint32_t slot) {
  struct exchange *exchange = &engine->slots[slot];
  while (exchange->request_sent < exchange->request_length) {
    ssize_t sent = send(exchange->fd, exchange->request + exchange->request_sent,
                        exchange->request_length - exchange->request_sent, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && errno == EAGAIN) return; /* still watched for EPOLLOUT */
    if (sent < 0) {
      fail(engine, slot, errno, EXCHANGE_STEP_WRITE);
      return;
    }
    exchange->request_sent += (size_t)sent;
  }
  free(exchange->request);
  exchange->request = NULL;
  struct epoll_event readiness = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = slot};
  if (epoll_ctl(engine->epoll_fd, EPOLL_CTL_MOD, exchange->fd, &readiness) < 0)
    fail(engine, slot, errno, EXCHANGE_STEP_WRITE);
}

static void on_connect_ready(struct exchange_engine *engine, uint32_t slot) {
  struct exchange *exchange = &engine->slots[slot];
  int err = 0;
  socklen_t length = sizeof err;
  if (getsockopt(exchange->fd, SOL_SOCKET, SO_ERROR, &err, &length) < 0) err = errno;
  if (err != 0) {
    fail(engine, slot, err, EXCHANGE_STEP_CONNECT);
    return;
  }
  exchange->connected = true;
  push_event(engine, slot, EXCHANGE_CONNECTED, 0, 0);
  if (exchange->request == NULL)
    release_slot(engine, slot);
  else
    send_request(engine, slot);
}

/* One read per wake-up and socket, so that one fast sender cannot fill the batch alone. */
static void on_readable(struct exchange_engine *engine, uint32_t slot) {
  struct exchange *exchange = &engine->slots[slot];
  size_t room = BATCH_DATA_SIZE - engine->data_used;
  if (room == 0) return; /* still readable: the next batch reads it */
  ssize_t received = recv(exchange->fd, engine->data + engine->data_used, room < READ_SIZE ? room : READ_SIZE, 0);
  if (received > 0) {
    push_event(engine, slot, EXCHANGE_DATA, (int32_t)engine->data_used, (int32_t)received);
    engine->data_used += (size_t)received;
  } else if (received == 0) {
    push_event(engine, slot, EXCHANGE_END, 0, 0);
    release_slot(engine, slot);
  } else if (errno != EAGAIN && errno != EINTR) {
    fail(engine, slot, errno, EXCHANGE_STEP_READ);
  }
}

static void on_ready(struct exchange_engine *engine, uint32_t slot) {
  if (slot >= engine->capacity || engine->slots[slot].fd < 0) return;
  struct exchange *exchange = &engine->slots[slot];
  if (!exchange->connected)
    on_connect_ready(engine, slot);
  else if (exchange->request != NULL)
    send_request(engine, slot);
  else
    on_readable(engine, slot);
}

/* exchangeCollect(engine) -> [events: Int32Array, data: Buffer] | null: the events of every
 * exchange that is ready now, without waiting. */
napi_value ExchangeCollect(napi_env env, napi_callback_info info) {
  napi_value argv[1], events, event_buffer, data, result;
  struct epoll_event ready[BATCH_READINESS];
  void *event_bytes;
  if (!get_args(env, info, 1, argv)) return NULL;
  struct exchange_engine *engine = engine_of(env, argv[0]);
  if (engine == NULL) return NULL;
  int count;
  do {
    count = epoll_wait(engine->epoll_fd, ready, BATCH_READINESS, 0);
  } while (count < 0 && errno == EINTR);
  if (count < 0) {
    throw_errno(env, "epoll_wait", errno, NULL);
    return NULL;
  }
  engine->event_ints = engine->data_used = 0;
  for (int i = 0; i < count; i++) on_ready(engine, ready[i].data.u32);
  if (engine->event_ints == 0) {
    NAPI_OK(napi_get_null(env, &result));
    return result;
  }
  size_t event_bytes_length = engine->event_ints * sizeof(int32_t);
  NAPI_OK(napi_create_arraybuffer(env, event_bytes_length, &event_bytes, &event_buffer));
  memcpy(event_bytes, engine->events, event_bytes_length);
  NAPI_OK(napi_create_typedarray(env, napi_int32_array, engine->event_ints, event_buffer, 0, &events));
  NAPI_OK(napi_create_buffer_copy(env, engine->data_used, engine->data, NULL, &data));
  NAPI_OK(napi_create_array_with_length(env, 2, &result));
  NAPI_OK(napi_set_element(env, result, 0, events));
  NAPI_OK(napi_set_element(env, result, 1, data));
  return result;
}

/* exchangeClose(engine): closes every exchange and the epoll set (stop polling its fd first). */
napi_value ExchangeClose(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct exchange_engine *engine = NULL;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (!is_type(env, argv[0], napi_external)) {
    throw_type_error(env, "%s must be a handle from exchangeEngine", "engine");
    return NULL;
  }
  NAPI_OK(napi_get_value_external(env, argv[0], (void **)&engine));
  close_engine(engine);
  return NULL;
}
