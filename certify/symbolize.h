/* certify: turn panic addresses from the kernel log into function and line names. */
#ifndef CERTIFY_SYMBOLIZE_H
#define CERTIFY_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "modinfo.h"
#include "violation.h"

/*
 * Collects rip and the hex addresses (0x + 8..16 digits) on the log lines from the
 * last one that mentions "panic", runs `addr2line -f -e elf` on them once (5 s limit,
 * scratch output in tmpdir) and returns lines "  0xADDR FUNCTION at FILE:LINE"
 * (malloc'ed), or NULL when there is nothing to show or elf is missing.
 */
char *certify_symbolize(const char *elf, const char *log, uint64_t rip, const char *tmpdir);

/*
 * Fills the `where` of each verifier violation ("FUNCTION at FILE:LINE", addr2line's
 * words): a kernel site from elf, a module's from the module file among mods whose name
 * it names, at its offset in the image as the kernel's loader lays it out (lib/elfmod.c
 * run again on the file: the section holding the offset, then `addr2line -j SECTION`).
 * A violation whose module or file is unknown keeps where "". Scratch files go in a
 * directory of its own under $TMPDIR (or /tmp). Returns how many it symbolized.
 */
size_t certify_symbolize_violations(struct certify_violation *v, size_t n, const char *elf,
				    const struct certify_modinfo *mods, size_t nmods);

#endif
