/*
 * libFuzzer target for lib/elfmod: any input must be refused cleanly or load into a
 * bounded buffer without a memory error or undefined behaviour (ASan, UBSan).
 * Built and run by `make fuzz` (mk/fuzz.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hv/errno.h>
#include <lib/elfmod.h>

#define FUZZ_MAX_IMAGE	(4u << 20)	/* larger layouts are parsed but not loaded */

static int fuzz_resolve(void *ctx, const char *name, uint64_t *addr)
{
	static const char *const known[] = { "kernel_log", "kernel_counter", "kernel_table" };

	(void)ctx;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(name, known[i]) == 0) {
			*addr = 0x100000 + 0x1000 * i;
			return 0;
		}
	}
	return -HV_ENOENT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elfmod_layout lo;
	struct elfmod_resolver r = { fuzz_resolve, NULL };
	struct elfmod_error err;
	struct elfmod m;
	struct hv_pci_id id;
	uint64_t addr;
	void *dest;

	if (elfmod_parse(&m, data, size, &err) < 0)
		return 0;
	elfmod_check_abi(&m, 1, 0, &err);
	for (uint32_t i = 0; i < m.info.nids; i++)
		elfmod_id(&m, i, &id);
	if (elfmod_layout(&m, &lo) < 0 || lo.total > FUZZ_MAX_IMAGE)
		return 0;
	dest = malloc(lo.total ? lo.total : 1);
	if (!dest)
		return 0;
	if (elfmod_load(&m, &lo, dest, 0x40000000, &r, &err) == 0) {
		elfmod_find_symbol(&m, &lo, 0x40000000, "hv_module_init", &addr);
		elfmod_find_symbol(&m, &lo, 0x40000000, "hv_module_exit", &addr);
	}
	free(dest);
	return 0;
}
