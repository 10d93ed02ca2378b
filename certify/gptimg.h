/*
 * certify: GUID Partition Tables written into scratch disk images, so a kernel test can
 * boot on a partitioned disk (`disks = d0:64M:gpt=8M,16M` in tests.cfg, hvboot --disk).
 * The structures are encoded by the kernel's own lib/gpt.c, and the unit tests parse back
 * what is written here with its parser.
 */
#ifndef CERTIFY_GPTIMG_H
#define CERTIFY_GPTIMG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define GPTIMG_MAX_PARTS	8
#define GPTIMG_ENTRIES		128		/* entry array: 128 entries of 128 bytes */
#define GPTIMG_ALIGN		(1u << 20)	/* every partition starts on a MiB boundary */

/* How the written table is broken on purpose (the kernel must cope). */
enum gptimg_damage {
	GPTIMG_DAMAGE_NONE,
	GPTIMG_DAMAGE_PRIMARY,		/* a byte of the primary header changed: its CRC fails */
	GPTIMG_DAMAGE_ENTRIES,		/* a byte of the primary entry array changed: its CRC fails */
	GPTIMG_DAMAGE_BOTH,		/* both headers garbage behind their signatures */
};

struct gptimg_layout {
	size_t nparts;			/* 0: no partition table */
	uint64_t part_bytes[GPTIMG_MAX_PARTS];
	enum gptimg_damage damage;
};

/* A built table: the blocks to write at the start and at the end of the disk. */
struct gptimg {
	uint32_t block_size;
	uint64_t nblocks;
	uint8_t *head;			/* LBA 0 (protective MBR) .. the end of the primary array */
	size_t head_len;
	uint8_t *tail;			/* the backup array and header, ending at the last LBA */
	size_t tail_len;
	uint64_t tail_lba;
	uint64_t first_lba[GPTIMG_MAX_PARTS], last_lba[GPTIMG_MAX_PARTS];
};

/* Parses one option of a disk spec: "gpt=SIZE,SIZE,..." (sizes with K, M or G, each a
 * multiple of 512) or "damage=primary|entries|both". Returns 0 or -1 with a message. */
int gptimg_parse_option(const char *opt, struct gptimg_layout *l, struct certify_err *err);

/*
 * Lays out l on a disk of disk_bytes: a protective MBR, the primary header at LBA 1 and
 * its array at LBA 2, the backup array and header at the end; partition i starts at the
 * first MiB boundary after partition i-1 (the first at 1 MiB), type "Linux filesystem
 * data", name "hvkit-pN", unique GUIDs derived from seed. Returns 0, or -1 with a message
 * when the partitions do not fit. Free with gptimg_free.
 */
int gptimg_build(const struct gptimg_layout *l, uint64_t disk_bytes, uint32_t block_size,
		 uint64_t seed, struct gptimg *g, struct certify_err *err);

/* Writes g's blocks into the image open on fd (already disk_bytes long). Returns 0 or -1. */
int gptimg_write(const struct gptimg *g, int fd, const char *path, struct certify_err *err);

void gptimg_free(struct gptimg *g);

#endif
