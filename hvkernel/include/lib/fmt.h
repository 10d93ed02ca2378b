/*
 * printf-style formatting without libc, plus the escaping used on the result channel.
 * Conversions: %d %i %u %x %X %o %c %s %p %%; flags - 0 + space #; width and precision,
 * either may be '*'; length modifiers hh h l ll z t j. No floating point (the kernel is
 * built with -mgeneral-regs-only). Output matches glibc for everything supported, including
 * "(null)" for a NULL %s and "(nil)" for a NULL %p; an unknown conversion is copied as is.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* vsnprintf: writes at most n bytes including the NUL; returns the full length it wanted. */
int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

/* snprintf over fmt_vsnprintf. */
int fmt_snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Result-channel escaping: space, '%' and bytes outside 0x21..0x7e become %XX (upper-case
 * hex). Returns the length the whole escaped string needs (without NUL); writes whole
 * escapes only, so a truncated result still unescapes cleanly; NUL-terminates when n > 0.
 */
int fmt_escape(char *buf, size_t n, const char *s);

/* Value of the hex digit c (either case), or -1; shared so nobody writes it again. */
int fmt_hex_digit(char c);

/* Reverses fmt_escape (hex in either case): returns the decoded length, -HV_EINVAL on a bad %XX. */
int fmt_unescape(char *buf, size_t n, const char *s);

#endif
