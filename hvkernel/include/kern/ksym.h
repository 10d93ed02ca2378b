/* Kernel symbol table for backtraces, generated at link time (mk/kernel.mk, scripts/ksyms.sh). */
#ifndef KERN_KSYM_H
#define KERN_KSYM_H

#include <stdint.h>

struct ksym {
	uint64_t addr;
	const char *name;
};

/* Name of the function containing addr and the offset into it, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif
