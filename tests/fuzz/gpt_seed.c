/*
 * Writes the seed corpus of fuzz_gpt into DIR: a 64 KiB disk with a valid GPT (16 entries,
 * two partitions), the same with its primary header broken, and with its primary array
 * broken, so the fuzzer starts from inputs that reach every check. Usage: gpt_seed DIR
 */
#include <stdio.h>
#include <string.h>
#include <lib/gpt.h>

#define SEED_BLOCKS	128
#define SEED_ENTRIES	16	/* 2048 bytes: 4 blocks */

static uint8_t seed_disk[SEED_BLOCKS * 512];

static void seed_build(void)
{
	uint8_t *arr = seed_disk + 2 * 512;
	struct gpt_part p;
	struct gpt_header h;

	memset(&p, 0, sizeof(p));
	memset(p.type_guid, 0x11, 16);
	memset(p.unique_guid, 0x22, 16);
	p.first_lba = 8, p.last_lba = 39;
	strcpy(p.name, "seed-p1");
	gpt_part_encode(&p, arr);
	p.unique_guid[0] = 0x33;
	p.first_lba = 40, p.last_lba = 99;
	strcpy(p.name, "seed-p2");
	gpt_part_encode(&p, arr + GPT_ENTRY_SIZE);
	memset(&h, 0, sizeof(h));
	h.revision = GPT_REVISION;
	h.header_size = GPT_HEADER_SIZE;
	h.first_usable = 6, h.last_usable = SEED_BLOCKS - 6;
	h.num_entries = SEED_ENTRIES, h.entry_size = GPT_ENTRY_SIZE;
	h.entries_crc = gpt_crc32(0, arr, SEED_ENTRIES * GPT_ENTRY_SIZE);
	memcpy(seed_disk + (SEED_BLOCKS - 5) * 512, arr, SEED_ENTRIES * GPT_ENTRY_SIZE);
	h.my_lba = 1, h.alternate_lba = SEED_BLOCKS - 1, h.entries_lba = 2;
	gpt_header_encode(&h, seed_disk + 512);
	h.my_lba = SEED_BLOCKS - 1, h.alternate_lba = 1, h.entries_lba = SEED_BLOCKS - 5;
	gpt_header_encode(&h, seed_disk + (SEED_BLOCKS - 1) * 512);
	seed_disk[446 + 4] = 0xee;
	seed_disk[510] = 0x55, seed_disk[511] = 0xaa;
}

static int seed_write(const char *dir, const char *name)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(seed_disk, sizeof(seed_disk), 1, f) != 1 || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: gpt_seed DIR\n");
		return 2;
	}
	seed_build();
	rc = seed_write(argv[1], "valid.img");
	seed_disk[512 + 40] ^= 1;
	rc |= seed_write(argv[1], "bad-primary.img");
	seed_disk[512 + 40] ^= 1;
	seed_disk[2 * 512 + 56] ^= 1;
	rc |= seed_write(argv[1], "bad-array.img");
	return rc;
}
