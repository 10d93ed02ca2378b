/*
 * libFuzzer target for lib/gpt: the input is a whole disk of 512-byte blocks (a partial last
 * block is dropped). Whatever it holds, the scan must end without a memory error or
 * undefined behaviour (ASan, UBSan), and every partition it accepts must lie inside the
 * usable range and the disk. Built and run by `make fuzz-gpt` (mk/fuzz.mk).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hv/errno.h>
#include <lib/gpt.h>

struct fuzz_disk {
	const uint8_t *data;
	uint64_t nblocks;
};

static int fuzz_read(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
	const struct fuzz_disk *d = ctx;

	if (lba >= d->nblocks || n > d->nblocks - lba)
		return -HV_EIO;
	memcpy(buf, d->data + lba * 512, (size_t)n * 512);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[GPT_SCRATCH_BYTES(512)];
	struct fuzz_disk fd = { data, size / 512 };
	struct gpt_disk d = { 512, fd.nblocks, fuzz_read, &fd, scratch, sizeof(scratch) };
	struct gpt_table t;
	struct gpt_part p;
	char guid[GPT_GUID_STR];

	if (gpt_scan(&d, &t) != 0)
		return 0;
	gpt_guid_str(t.hdr.disk_guid, guid);
	for (uint32_t i = 0; i < t.hdr.num_entries; i++) {
		if (gpt_part_get(&t, i, &p) != 1)
			continue;
		if (p.first_lba < t.hdr.first_usable || p.last_lba > t.hdr.last_usable ||
		    p.last_lba >= fd.nblocks || p.first_lba > p.last_lba || strlen(p.name) >= GPT_NAME_MAX)
			abort();
		gpt_guid_str(p.unique_guid, guid);
	}
	return 0;
}
