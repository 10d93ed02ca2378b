/* certify: one-line error messages carried as values. */
#ifndef CERTIFY_ERR_H
#define CERTIFY_ERR_H

#include <stddef.h>

/* An error message: one line that names the input and the problem. */
struct certify_err {
	char msg[512];
};

/* Formats the message into err (when err is not NULL) and returns -1. */
int certify_errf(struct certify_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Monotonic clock in seconds (CLOCK_MONOTONIC). */
double certify_now(void);

#endif
