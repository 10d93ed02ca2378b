/* certify: one verifier violation as the kernel reported it (docs/result-channel.md,
 * `violation`), and where its call site is in the source once the host symbolized it. */
#ifndef CERTIFY_VIOLATION_H
#define CERTIFY_VIOLATION_H

#include <stdint.h>

struct certify_violation {
	char kind[32];		/* use_after_free, double_free, redzone, leak, ... */
	char module[32];	/* the module whose code is the call site, or "kernel" */
	uint64_t site;		/* the call site (a return address) */
	uint64_t off;		/* its offset in the module's image (the kernel: = site) */
	uint64_t addr;		/* the address involved, 0 when none */
	uint64_t size;		/* bytes (of the block, ...), 0 when none */
	char dev[16];		/* the device's slot, "-" when none */
	char test[120];		/* the test that was running, "-" when none */
	char msg[256];
	char where[256];	/* "FUNCTION at FILE:LINE" (symbolize.h), "" when unknown */
};

#endif
