/*
 * GUID Partition Table parsing and validation (UEFI 2.10, 5.3), freestanding: the kernel's
 * block layer registers a blkdev per partition from it, and the host's image writer
 * (certify/gptimg.c) and unit tests parse back what they write with the same code.
 * No I/O here: the caller supplies a block reader and a scratch buffer. Read-only: a bad
 * primary is reported, not restored from the backup; reserved fields are not checked.
 */
#ifndef LIB_GPT_H
#define LIB_GPT_H

#include <stddef.h>
#include <stdint.h>

#define GPT_SIGNATURE		"EFI PART"
#define GPT_REVISION		0x00010000u	/* 5.3.2 Table 5.5: revision 1.0 */
#define GPT_HEADER_SIZE		92		/* bytes defined by 5.3.2; HeaderSize may be larger */
#define GPT_ENTRY_SIZE		128		/* 5.3.3: SizeOfPartitionEntry is 128 * 2^n */
#define GPT_NAME_UNITS		36		/* UTF-16LE code units of PartitionName */
#define GPT_NAME_MAX		(GPT_NAME_UNITS * 3 + 1)	/* as UTF-8, NUL-terminated */
#define GPT_GUID_STR		37		/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and NUL */
#define GPT_REASON_MAX		96

/* Sanity bounds of our own (the spec sets none): larger tables are refused. */
#define GPT_MAX_ENTRIES		1024
#define GPT_MAX_ENTRY_SIZE	4096
#define GPT_MAX_ARRAY_BYTES	(128u * 1024)

/* Scratch a scan needs: one block for headers plus the largest entry array, rounded up. */
#define GPT_SCRATCH_BYTES(bs)	((size_t)(bs) * 2 + GPT_MAX_ARRAY_BYTES)

/* The header (5.3.2 Table 5.5), decoded to host order. */
struct gpt_header {
	uint32_t revision;
	uint32_t header_size;
	uint32_t header_crc;
	uint64_t my_lba;
	uint64_t alternate_lba;
	uint64_t first_usable;
	uint64_t last_usable;
	uint8_t disk_guid[16];
	uint64_t entries_lba;
	uint32_t num_entries;
	uint32_t entry_size;
	uint32_t entries_crc;
};

/* One used partition entry (5.3.3 Table 5.6), decoded. */
struct gpt_part {
	uint32_t index;			/* 1-based entry number: partition N is entry N */
	uint8_t type_guid[16];
	uint8_t unique_guid[16];
	uint64_t first_lba;
	uint64_t last_lba;		/* inclusive */
	uint64_t attributes;
	char name[GPT_NAME_MAX];	/* UTF-8; invalid UTF-16 and control characters as '?' */
};

/* Reads nblocks blocks from lba into buf. Returns 0 or a negative error. */
typedef int (*gpt_read_fn)(void *ctx, uint64_t lba, uint32_t nblocks, void *buf);

struct gpt_disk {
	uint32_t block_size;		/* 512 .. 4096, a power of two */
	uint64_t nblocks;
	gpt_read_fn read;
	void *ctx;
	uint8_t *scratch;		/* at least GPT_SCRATCH_BYTES(block_size) */
	size_t scratch_len;
};

enum gpt_source { GPT_NONE, GPT_PRIMARY, GPT_BACKUP };

/* What LBA 0 holds (5.2.1 legacy MBR, 5.2.3 protective MBR). */
enum gpt_mbr {
	GPT_MBR_NONE,		/* no 0xAA55 signature */
	GPT_MBR_PROTECTIVE,	/* a partition record of type 0xEE */
	GPT_MBR_LEGACY,		/* a classic MBR with partitions, no 0xEE record */
	GPT_MBR_EMPTY,		/* the signature, no partition records */
};

struct gpt_table {
	enum gpt_source source;		/* the header in use; GPT_NONE when none is valid */
	enum gpt_mbr mbr;
	struct gpt_header hdr;		/* of the header in use */
	const uint8_t *entries;		/* its entry array, inside the scratch buffer */
	uint32_t nused;			/* entries with a non-zero type GUID */
	char primary_err[GPT_REASON_MAX];	/* why the primary was refused, or "" */
	char backup_err[GPT_REASON_MAX];	/* why the backup was refused, or "" (not read) */
};

/*
 * Finds the partition table of a disk: the primary header at LBA 1 and its entries, else
 * the backup header at the last LBA and its entries (5.3.2: software must check the backup
 * when the primary is corrupt). Returns 0 with t->source set, -HV_ENOENT when neither is
 * valid (the reasons in t->primary_err and t->backup_err), -HV_EINVAL for an unusable disk
 * description, or the reader's error when LBA 0 cannot be read.
 */
int gpt_scan(const struct gpt_disk *d, struct gpt_table *t);

/*
 * Entry i (0-based) of a scanned table: 1 with *p filled when it is used, 0 when unused,
 * -HV_ERANGE past the last entry.
 */
int gpt_part_get(const struct gpt_table *t, uint32_t i, struct gpt_part *p);

/*
 * Checks one header block read from lba of a disk of nblocks blocks (everything in 5.3.2
 * but the entry array CRC). Returns 0 with *h filled, or -HV_EBADMSG with the reason.
 */
int gpt_header_check(const uint8_t *blk, uint32_t block_size, uint64_t lba, uint64_t nblocks,
		     struct gpt_header *h, char *why, size_t whylen);

/*
 * Checks an entry array against its header: the CRC, then every used entry inside the
 * usable range and no two overlapping. Returns the number of used entries, or -HV_EBADMSG
 * with the reason.
 */
int gpt_entries_check(const struct gpt_header *h, const uint8_t *entries, char *why, size_t whylen);

/* Classifies LBA 0 (at least 512 bytes). */
enum gpt_mbr gpt_mbr_kind(const uint8_t *blk0);
const char *gpt_mbr_name(enum gpt_mbr m);

/* CRC-32 as the spec uses it (ISO 3309, reflected 0x04C11DB7; 0 to start, then chain). */
uint32_t gpt_crc32(uint32_t crc, const void *data, size_t n);

/* A GUID in its canonical text form: the first three fields are stored little-endian. */
void gpt_guid_str(const uint8_t g[16], char out[GPT_GUID_STR]);

/*
 * Encoders for writers (the host's image builder, tests): the header block with its CRC
 * computed over header_size bytes (h->header_crc is ignored), and one entry (the name is
 * taken as ASCII). blk must hold header_size bytes, entry GPT_ENTRY_SIZE.
 */
void gpt_header_encode(const struct gpt_header *h, uint8_t *blk);
void gpt_part_encode(const struct gpt_part *p, uint8_t *entry);

/* Little-endian field access. */
uint32_t gpt_le32(const uint8_t *p);
uint64_t gpt_le64(const uint8_t *p);
void gpt_put_le32(uint8_t *p, uint32_t v);
void gpt_put_le64(uint8_t *p, uint64_t v);

#endif
