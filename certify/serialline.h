/*
 * certify: the serial line of a bare-metal target (`--target serial:PATH[,baud]`): a serial
 * device or pty (set raw at the baud rate), a Unix socket (a console server's, or a
 * program's that plays the machine) or `tcp:HOST:PORT` (a console server's TCP port, e.g. an
 * IPMI serial-over-LAN proxy). docs/certify.md, "Bare-metal target".
 */
#ifndef CERTIFY_SERIALLINE_H
#define CERTIFY_SERIALLINE_H

#include "err.h"

struct certify_serial_target {
	char path[256];		/* device or socket path, or "tcp:HOST:PORT" */
	unsigned baud;		/* for a device; 115200 by default */
};

/* Parses "serial:PATH[,baud]". Returns 0, or -1 with a message naming the argument. */
int certify_serial_parse(const char *arg, struct certify_serial_target *t, struct certify_err *err);

/* Opens the line once, non-blocking. Returns the descriptor, or -1 with the reason (a socket
 * nobody listens on yet, a device that does not open, ...). */
int certify_serial_open(const struct certify_serial_target *t, struct certify_err *err);

/* Writes all of buf within timeout_s seconds. Returns 0 or -1. */
int certify_serial_write(int fd, const char *buf, size_t len, double timeout_s);

#endif
