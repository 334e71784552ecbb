#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H

#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/* MHD_start_daemon and MHD_get_connection_info are variadic, which Swift cannot call: these
   helpers pass fixed arguments through. Nothing else lives here. */

/* Leaves every %XX escape in the path and query as it came, so that the Swift side decodes them
   itself and sees an encoded NUL or "%2e%2e" instead of a silently cut or rewritten string. */
static size_t CMicroHTTPD_keep_escapes(void *cls, struct MHD_Connection *c, char *s) {
    (void) cls; (void) c;
    return strlen(s);
}

typedef void (*CMicroHTTPD_LogSink)(void *cls, const char *message);
static CMicroHTTPD_LogSink CMicroHTTPD_log_sink = NULL;

static void CMicroHTTPD_logger(void *cls, const char *fmt, va_list ap) {
    char buffer[512];
    vsnprintf(buffer, sizeof buffer, fmt, ap);
    if (CMicroHTTPD_log_sink != NULL) CMicroHTTPD_log_sink(cls, buffer);
}

/* Starts a daemon on an already listening socket (MHD closes it on stop). */
static inline struct MHD_Daemon *CMicroHTTPD_start(
    unsigned int flags, int listen_fd, unsigned int threads, unsigned int connection_limit,
    unsigned int per_ip_limit, unsigned int timeout_seconds, size_t memory_limit,
    MHD_AccessHandlerCallback handler, void *handler_cls,
    MHD_RequestCompletedCallback completed, void *completed_cls,
    CMicroHTTPD_LogSink log_sink, void *log_cls)
{
    CMicroHTTPD_log_sink = log_sink;
    struct MHD_OptionItem options[] = {
        { MHD_OPTION_EXTERNAL_LOGGER, (intptr_t) CMicroHTTPD_logger, log_cls },
        { MHD_OPTION_LISTEN_SOCKET, listen_fd, NULL },
        { MHD_OPTION_THREAD_POOL_SIZE, threads, NULL },
        { MHD_OPTION_CONNECTION_LIMIT, connection_limit, NULL },
        { MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_limit, NULL },
        { MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds, NULL },
        { MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t) memory_limit, NULL },
        { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t) completed, completed_cls },
        { MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t) CMicroHTTPD_keep_escapes, NULL },
        { MHD_OPTION_END, 0, NULL },
    };
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls, MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/* The peer's address of a connection, or NULL. */
static inline const struct sockaddr *CMicroHTTPD_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

#endif
