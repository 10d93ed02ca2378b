/* Lookup in the exported symbol table (kern/export.h); also exports the C library
 * functions gcc may emit calls to in a module (structure copies and clears). */
#include <kern/export.h>
#include <kern/string.h>

extern const struct kexport _kexports_start[], _kexports_end[];

const void *export_lookup(const char *name)
{
	for (const struct kexport *e = _kexports_start; e < _kexports_end; e++)
		if (strcmp(e->name, name) == 0)
			return e->addr;
	return 0;
}

int export_count(void)
{
	return (int)(_kexports_end - _kexports_start);
}

HV_EXPORT(memcpy);
HV_EXPORT(memmove);
HV_EXPORT(memset);
HV_EXPORT(memcmp);
HV_EXPORT(strlen);
