/*
 * DDK: logging. Lines go to the hypervisor log (COM1) with a timestamp and are prefixed
 * with the calling module's name by the caller's format, by convention "e1000: ...".
 */
#ifndef HV_LOG_H
#define HV_LOG_H

/* Print one log line (printf format: %d %u %x %s %p %c with l/ll/z modifiers). */
void hv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
