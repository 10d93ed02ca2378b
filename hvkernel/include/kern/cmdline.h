/*
 * The kernel command line: blank-separated "key=value" and bare "flag" words; a value may
 * be double-quoted to hold blanks. Documented keys are listed in docs/kernel-cmdline.md.
 */
#ifndef KERN_CMDLINE_H
#define KERN_CMDLINE_H

#include <stdint.h>
#include <stdbool.h>

/* Parse s (copied). Returns 0 or -HV_E2BIG when it has too many words or is too long. */
int cmdline_init(const char *s);
const char *cmdline_raw(void);
/* The value of the first "key=value" ("" for a bare "key"), or NULL when absent. */
const char *cmdline_get(const char *key);
/* The value of the n-th occurrence (0-based) of key, or NULL. */
const char *cmdline_get_nth(const char *key, int n);
/* A numeric value; def when absent. A malformed number logs an error and returns def. */
uint64_t cmdline_get_u64(const char *key, uint64_t def);
bool cmdline_has(const char *key);

#endif
