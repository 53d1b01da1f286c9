/*
 * What the addon's C files share: the napi argument and error helpers of sockets.c, and the
 * functions stream-exchange.c and unix-datagram.c add to the module.
 */
#ifndef VIGIL_ADDON_H
#define VIGIL_ADDON_H

#define NAPI_VERSION 8

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <node_api.h>
#include <uv.h>

/* Returns NULL from the calling function when a napi call fails; napi has already set a
 * pending exception or the failure is a programming error that the next call will surface. */
#define NAPI_OK(call)                                                                          \
  do {                                                                                         \
    if ((call) != napi_ok) return NULL;                                                        \
  } while (0)

/* An Error shaped like Node's system errors: code 'EPERM', errno -1, syscall. */
napi_value errno_error(napi_env env, const char *syscall, int err, const char *detail);
void throw_errno(napi_env env, const char *syscall, int err, const char *detail);
void throw_type_error(napi_env env, const char *format, const char *what);

bool get_args(napi_env env, napi_callback_info info, size_t expected, napi_value *argv);
bool is_type(napi_env env, napi_value value, napi_valuetype expected);
bool get_int(napi_env env, napi_value value, const char *what, int32_t *out);
bool get_buffer(napi_env env, napi_value value, const char *what, void **data, size_t *length);
/* An address object ({ family, address, port?, ... }) as a sockaddr. */
bool read_address(napi_env env, napi_value object, struct sockaddr_storage *storage, socklen_t *length);

napi_value ExchangeEngine(napi_env env, napi_callback_info info);
napi_value ExchangeOpen(napi_env env, napi_callback_info info);
napi_value ExchangeCancel(napi_env env, napi_callback_info info);
napi_value ExchangeCollect(napi_env env, napi_callback_info info);
napi_value ExchangeClose(napi_env env, napi_callback_info info);
napi_value UnixDatagramSend(napi_env env, napi_callback_info info);

#endif
