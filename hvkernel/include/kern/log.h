/*
 * The kernel log: human-readable lines on COM1, each prefixed with the time since kernel
 * entry. Machine-readable results go to the result channel instead (kern/hvr.h).
 */
#ifndef KERN_LOG_H
#define KERN_LOG_H

#include <stdarg.h>

/* Print one log line (a trailing newline is added when missing), prefixed "[s.uuuuuu] ". */
void klog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvlog(const char *fmt, va_list ap);
/* Print without the time prefix (continuations, panic dumps). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write raw bytes to the console. */
void log_write(const char *s, unsigned long n);
/* Write one whole line (a result-channel frame, kern/hvr.c) on a line of its own: a newline
 * first when the log is in the middle of a line, and never interleaved with a log line. */
void log_frame(const char *s, unsigned long n);
/* Initialise the console UART. Safe to call more than once. */
void log_init(void);
/* Verbosity: 0 quiet (problems and results only), 1 normal. Set from "log=quiet". */
extern int log_verbose;
/* A routine line (a phase done, a driver bound, a module loaded): dropped with log=quiet,
 * because under emulation every console byte costs about a microsecond. */
#define klog_info(...)	do { if (log_verbose) klog(__VA_ARGS__); } while (0)

#endif
