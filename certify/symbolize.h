/* certify: turn panic addresses from the kernel log into function and line names. */
#ifndef CERTIFY_SYMBOLIZE_H
#define CERTIFY_SYMBOLIZE_H

#include <stdint.h>

/*
 * Collects rip and the hex addresses (0x + 8..16 digits) on the log lines from the
 * last one that mentions "panic", runs `addr2line -f -e elf` on them once (5 s limit,
 * scratch output in tmpdir) and returns lines "  0xADDR FUNCTION at FILE:LINE"
 * (malloc'ed), or NULL when there is nothing to show or elf is missing.
 */
char *certify_symbolize(const char *elf, const char *log, uint64_t rip, const char *tmpdir);

#endif
