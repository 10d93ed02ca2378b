/* Address-to-name lookup over the sorted table the build appends to the kernel. */
#include <kern/ksym.h>

extern const struct ksym _ksyms_start[], _ksyms_end[];
extern const char _text_end[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	const struct ksym *lo = _ksyms_start, *hi = _ksyms_end;

	if (lo == hi || addr < lo->addr || addr >= (uint64_t)_text_end)
		return 0;
	/* Find the last entry with entry->addr <= addr. */
	while (hi - lo > 1) {
		const struct ksym *mid = lo + (hi - lo) / 2;
		if (mid->addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - lo->addr;
	return lo->name;
}
