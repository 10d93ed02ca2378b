/*
 * The kernel's exported symbol table: the only symbols a driver module can link against.
 * HV_EXPORT(sym) in the file that defines a DDK function puts {name, address} in the
 * .kexports section; the module loader resolves undefined module symbols there and nowhere
 * else.
 */
#ifndef KERN_EXPORT_H
#define KERN_EXPORT_H

#include <stdint.h>

struct kexport {
	const char *name;
	const void *addr;
};

#define HV_EXPORT(sym)								\
	static const struct kexport kexport_##sym				\
		__attribute__((used, section(".kexports"), aligned(8))) =	\
		{ #sym, (const void *)&sym }

/* Address of exported symbol name, or NULL. */
const void *export_lookup(const char *name);
/* Number of exported symbols. */
int export_count(void);

#endif
