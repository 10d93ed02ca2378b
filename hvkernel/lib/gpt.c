/* GUID Partition Table parsing and validation (lib/gpt.h, UEFI 2.10 section 5.3). */
#include <hv/errno.h>
#include <lib/fmt.h>
#include <lib/gpt.h>

/* Header fields, 5.3.2 Table 5.5. */
#define GPT_H_SIGNATURE		0
#define GPT_H_REVISION		8
#define GPT_H_SIZE		12
#define GPT_H_CRC		16
#define GPT_H_RESERVED		20
#define GPT_H_MY_LBA		24
#define GPT_H_ALT_LBA		32
#define GPT_H_FIRST_USABLE	40
#define GPT_H_LAST_USABLE	48
#define GPT_H_DISK_GUID		56
#define GPT_H_ENTRIES_LBA	72
#define GPT_H_NUM_ENTRIES	80
#define GPT_H_ENTRY_SIZE	84
#define GPT_H_ENTRIES_CRC	88

/* Entry fields, 5.3.3 Table 5.6. */
#define GPT_E_TYPE		0
#define GPT_E_UNIQUE		16
#define GPT_E_FIRST		32
#define GPT_E_LAST		40
#define GPT_E_ATTR		48
#define GPT_E_NAME		56

/* MBR, 5.2.1 Table 5.1 and 5.2.3 Table 5.4. */
#define GPT_MBR_RECORDS		446
#define GPT_MBR_RECORD_SIZE	16
#define GPT_MBR_OSTYPE		4
#define GPT_MBR_SIG		510
#define GPT_MBR_OSTYPE_GPT	0xee

uint32_t gpt_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t gpt_le64(const uint8_t *p)
{
	return (uint64_t)gpt_le32(p) | (uint64_t)gpt_le32(p + 4) << 32;
}

void gpt_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void gpt_put_le64(uint8_t *p, uint64_t v)
{
	gpt_put_le32(p, (uint32_t)v);
	gpt_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* Nibble-at-a-time table of the reflected polynomial 0xEDB88320: small and fast enough
 * for a 16 KiB entry array. */
static const uint32_t gpt_crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
	0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t gpt_crc32(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ gpt_crc_nibble[crc & 15];
		crc = (crc >> 4) ^ gpt_crc_nibble[crc & 15];
	}
	return ~crc;
}

void gpt_guid_str(const uint8_t g[16], char out[GPT_GUID_STR])
{
	/* 5.3.2 / Appendix A: Data1..Data3 are little-endian, Data4 is a byte array. */
	fmt_snprintf(out, GPT_GUID_STR, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		     gpt_le32(g), (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8),
		     g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

static int gpt_guid_zero(const uint8_t g[16])
{
	uint8_t any = 0;

	for (int i = 0; i < 16; i++)
		any |= g[i];
	return !any;
}

enum gpt_mbr gpt_mbr_kind(const uint8_t *blk0)
{
	int used = 0;

	if (blk0[GPT_MBR_SIG] != 0x55 || blk0[GPT_MBR_SIG + 1] != 0xaa)
		return GPT_MBR_NONE;
	for (int i = 0; i < 4; i++) {
		const uint8_t *r = blk0 + GPT_MBR_RECORDS + i * GPT_MBR_RECORD_SIZE;
		if (r[GPT_MBR_OSTYPE] == GPT_MBR_OSTYPE_GPT)
			return GPT_MBR_PROTECTIVE;
		used |= r[GPT_MBR_OSTYPE] != 0;
	}
	return used ? GPT_MBR_LEGACY : GPT_MBR_EMPTY;
}

const char *gpt_mbr_name(enum gpt_mbr m)
{
	switch (m) {
	case GPT_MBR_PROTECTIVE: return "protective MBR";
	case GPT_MBR_LEGACY: return "MBR partition table";
	case GPT_MBR_EMPTY: return "empty MBR";
	default: return "no MBR";
	}
}

/* Blocks the entry array of h occupies. */
static uint64_t gpt_array_blocks(const struct gpt_header *h, uint32_t bs)
{
	return ((uint64_t)h->num_entries * h->entry_size + bs - 1) / bs;
}

static void gpt_header_decode(const uint8_t *b, struct gpt_header *h)
{
	h->revision = gpt_le32(b + GPT_H_REVISION);
	h->header_size = gpt_le32(b + GPT_H_SIZE);
	h->header_crc = gpt_le32(b + GPT_H_CRC);
	h->my_lba = gpt_le64(b + GPT_H_MY_LBA);
	h->alternate_lba = gpt_le64(b + GPT_H_ALT_LBA);
	h->first_usable = gpt_le64(b + GPT_H_FIRST_USABLE);
	h->last_usable = gpt_le64(b + GPT_H_LAST_USABLE);
	for (int i = 0; i < 16; i++)
		h->disk_guid[i] = b[GPT_H_DISK_GUID + i];
	h->entries_lba = gpt_le64(b + GPT_H_ENTRIES_LBA);
	h->num_entries = gpt_le32(b + GPT_H_NUM_ENTRIES);
	h->entry_size = gpt_le32(b + GPT_H_ENTRY_SIZE);
	h->entries_crc = gpt_le32(b + GPT_H_ENTRIES_CRC);
}

/* The header CRC covers HeaderSize bytes with the CRC field itself taken as zero. */
static uint32_t gpt_header_crc(const uint8_t *b, uint32_t size)
{
	static const uint8_t zero[4];
	uint32_t crc = gpt_crc32(0, b, GPT_H_CRC);

	crc = gpt_crc32(crc, zero, 4);
	return gpt_crc32(crc, b + GPT_H_CRC + 4, size - GPT_H_CRC - 4);
}

#define GPT_FAIL(...) do { fmt_snprintf(why, whylen, __VA_ARGS__); return -HV_EBADMSG; } while (0)

/* The layout rules of 5.3.2 once the header's own integrity is established. */
static int gpt_layout_check(const struct gpt_header *h, uint32_t bs, uint64_t nblocks, char *why,
			    size_t whylen)
{
	uint64_t last = nblocks - 1;

	if (h->alternate_lba > last || h->alternate_lba == h->my_lba || h->alternate_lba < 1)
		GPT_FAIL("alternate LBA %llu is not another block of the disk (%llu blocks)",
			 (unsigned long long)h->alternate_lba, (unsigned long long)nblocks);
	/* LBA 0 is the MBR, LBA 1 the primary header, the last LBA the backup header. */
	if (h->first_usable < 2 || h->last_usable >= last || h->first_usable > h->last_usable)
		GPT_FAIL("usable range %llu..%llu does not fit a disk of %llu blocks",
			 (unsigned long long)h->first_usable, (unsigned long long)h->last_usable,
			 (unsigned long long)nblocks);
	if (h->entry_size < GPT_ENTRY_SIZE || h->entry_size > GPT_MAX_ENTRY_SIZE ||
	    (h->entry_size & (h->entry_size - 1)))
		GPT_FAIL("entry size %u is not 128 * 2^n (at most %u)", h->entry_size, GPT_MAX_ENTRY_SIZE);
	if (h->num_entries == 0 || h->num_entries > GPT_MAX_ENTRIES ||
	    (uint64_t)h->num_entries * h->entry_size > GPT_MAX_ARRAY_BYTES)
		GPT_FAIL("%u entries of %u bytes: outside 1..%u entries, %u bytes", h->num_entries,
			 h->entry_size, GPT_MAX_ENTRIES, GPT_MAX_ARRAY_BYTES);
	uint64_t n = gpt_array_blocks(h, bs), e = h->entries_lba;
	if (e < 2 || e > last || n > last - e + 1)
		GPT_FAIL("entry array at LBA %llu (%llu blocks) is not on the disk",
			 (unsigned long long)e, (unsigned long long)n);
	if (h->my_lba >= e && h->my_lba < e + n)
		GPT_FAIL("entry array at LBA %llu covers the header", (unsigned long long)e);
	if (e <= h->last_usable && e + n > h->first_usable)
		GPT_FAIL("entry array at LBA %llu..%llu overlaps the usable range",
			 (unsigned long long)e, (unsigned long long)(e + n - 1));
	return 0;
}

int gpt_header_check(const uint8_t *blk, uint32_t block_size, uint64_t lba, uint64_t nblocks,
		     struct gpt_header *h, char *why, size_t whylen)
{
	static const char sig[8] = GPT_SIGNATURE;

	for (int i = 0; i < 8; i++)
		if (blk[GPT_H_SIGNATURE + i] != (uint8_t)sig[i])
			GPT_FAIL("no \"EFI PART\" signature");
	gpt_header_decode(blk, h);
	/* Revision 1.x: a minor revision must stay compatible. */
	if (h->revision >> 16 != GPT_REVISION >> 16)
		GPT_FAIL("revision 0x%08x is not 1.x", h->revision);
	if (h->header_size < GPT_HEADER_SIZE || h->header_size > block_size)
		GPT_FAIL("header size %u outside %u..%u", h->header_size, GPT_HEADER_SIZE, block_size);
	uint32_t crc = gpt_header_crc(blk, h->header_size);
	if (crc != h->header_crc)
		GPT_FAIL("header CRC 0x%08x, computed 0x%08x", h->header_crc, crc);
	if (h->my_lba != lba)
		GPT_FAIL("MyLBA %llu, read from LBA %llu", (unsigned long long)h->my_lba,
			 (unsigned long long)lba);
	return gpt_layout_check(h, block_size, nblocks, why, whylen);
}

int gpt_entries_check(const struct gpt_header *h, const uint8_t *entries, char *why, size_t whylen)
{
	uint32_t crc = gpt_crc32(0, entries, (size_t)h->num_entries * h->entry_size);
	int used = 0;

	if (crc != h->entries_crc)
		GPT_FAIL("entry array CRC 0x%08x, computed 0x%08x", h->entries_crc, crc);
	for (uint32_t i = 0; i < h->num_entries; i++) {
		const uint8_t *e = entries + (size_t)i * h->entry_size;
		if (gpt_guid_zero(e + GPT_E_TYPE))
			continue;
		uint64_t first = gpt_le64(e + GPT_E_FIRST), last = gpt_le64(e + GPT_E_LAST);
		if (first > last || first < h->first_usable || last > h->last_usable)
			GPT_FAIL("entry %u: LBA %llu..%llu outside the usable range %llu..%llu", i + 1,
				 (unsigned long long)first, (unsigned long long)last,
				 (unsigned long long)h->first_usable, (unsigned long long)h->last_usable);
		/* 5.3.3: partitions must not overlap. Quadratic, but the count is bounded. */
		for (uint32_t j = 0; j < i; j++) {
			const uint8_t *o = entries + (size_t)j * h->entry_size;
			if (gpt_guid_zero(o + GPT_E_TYPE))
				continue;
			if (first <= gpt_le64(o + GPT_E_LAST) && gpt_le64(o + GPT_E_FIRST) <= last)
				GPT_FAIL("entries %u and %u overlap", j + 1, i + 1);
		}
		used++;
	}
	return used;
}

/* Reads and checks the header at lba and its entry array. 0, or -HV_EBADMSG with why. */
static int gpt_try(const struct gpt_disk *d, uint64_t lba, struct gpt_table *t, char *why, size_t whylen)
{
	uint8_t *blk = d->scratch, *arr = d->scratch + d->block_size;
	struct gpt_header h;
	int rc = d->read(d->ctx, lba, 1, blk);

	if (rc < 0)
		GPT_FAIL("read of LBA %llu failed (%d)", (unsigned long long)lba, rc);
	if (gpt_header_check(blk, d->block_size, lba, d->nblocks, &h, why, whylen) < 0)
		return -HV_EBADMSG;
	uint64_t n = gpt_array_blocks(&h, d->block_size);
	rc = d->read(d->ctx, h.entries_lba, (uint32_t)n, arr);
	if (rc < 0)
		GPT_FAIL("read of the entry array at LBA %llu failed (%d)",
			 (unsigned long long)h.entries_lba, rc);
	rc = gpt_entries_check(&h, arr, why, whylen);
	if (rc < 0)
		return rc;
	t->hdr = h;
	t->entries = arr;
	t->nused = (uint32_t)rc;
	return 0;
}

int gpt_scan(const struct gpt_disk *d, struct gpt_table *t)
{
	t->source = GPT_NONE;
	t->mbr = GPT_MBR_NONE;
	t->entries = 0;
	t->nused = 0;
	t->primary_err[0] = t->backup_err[0] = '\0';
	if (d->block_size < 512 || d->block_size > 4096 || (d->block_size & (d->block_size - 1)) ||
	    !d->read || d->scratch_len < GPT_SCRATCH_BYTES(d->block_size))
		return -HV_EINVAL;
	/* MBR, both headers and a usable block: anything smaller holds no GPT. */
	if (d->nblocks < 4) {
		fmt_snprintf(t->primary_err, sizeof(t->primary_err), "disk of %llu blocks is too small",
			     (unsigned long long)d->nblocks);
		return -HV_ENOENT;
	}
	int rc = d->read(d->ctx, 0, 1, d->scratch);
	if (rc < 0)
		return rc;
	t->mbr = gpt_mbr_kind(d->scratch);
	if (gpt_try(d, 1, t, t->primary_err, sizeof(t->primary_err)) == 0) {
		t->source = GPT_PRIMARY;
		return 0;
	}
	/* 5.3.2: with the primary corrupt, the backup is at the last LBA of the device. */
	if (gpt_try(d, d->nblocks - 1, t, t->backup_err, sizeof(t->backup_err)) == 0) {
		t->source = GPT_BACKUP;
		return 0;
	}
	return -HV_ENOENT;
}

/* One UTF-16 code point as UTF-8 into out (room for 3 bytes); '?' for controls. */
static size_t gpt_utf8(uint32_t c, char *out)
{
	if (c < 0x20 || c == 0x7f) {
		out[0] = '?';
		return 1;
	}
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | c >> 12);
	out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[2] = (char)(0x80 | (c & 0x3f));
	return 3;
}

/* PartitionName: 36 UTF-16LE units, NUL-terminated when shorter. A surrogate pair would
 * need 4 UTF-8 bytes; names are for logs, so every surrogate becomes '?'. */
static void gpt_name_decode(const uint8_t *u, char *out)
{
	size_t o = 0;

	for (int i = 0; i < GPT_NAME_UNITS; i++) {
		uint32_t c = (uint32_t)(u[2 * i] | u[2 * i + 1] << 8);
		if (c == 0)
			break;
		if (c >= 0xd800 && c <= 0xdfff)
			c = '?';
		o += gpt_utf8(c, out + o);
	}
	out[o] = '\0';
}

int gpt_part_get(const struct gpt_table *t, uint32_t i, struct gpt_part *p)
{
	if (t->source == GPT_NONE || i >= t->hdr.num_entries)
		return -HV_ERANGE;
	const uint8_t *e = t->entries + (size_t)i * t->hdr.entry_size;
	if (gpt_guid_zero(e + GPT_E_TYPE))
		return 0;
	p->index = i + 1;
	for (int k = 0; k < 16; k++) {
		p->type_guid[k] = e[GPT_E_TYPE + k];
		p->unique_guid[k] = e[GPT_E_UNIQUE + k];
	}
	p->first_lba = gpt_le64(e + GPT_E_FIRST);
	p->last_lba = gpt_le64(e + GPT_E_LAST);
	p->attributes = gpt_le64(e + GPT_E_ATTR);
	gpt_name_decode(e + GPT_E_NAME, p->name);
	return 1;
}

void gpt_header_encode(const struct gpt_header *h, uint8_t *blk)
{
	static const char sig[8] = GPT_SIGNATURE;

	for (uint32_t i = 0; i < h->header_size; i++)
		blk[i] = 0;
	for (int i = 0; i < 8; i++)
		blk[GPT_H_SIGNATURE + i] = (uint8_t)sig[i];
	gpt_put_le32(blk + GPT_H_REVISION, h->revision);
	gpt_put_le32(blk + GPT_H_SIZE, h->header_size);
	gpt_put_le64(blk + GPT_H_MY_LBA, h->my_lba);
	gpt_put_le64(blk + GPT_H_ALT_LBA, h->alternate_lba);
	gpt_put_le64(blk + GPT_H_FIRST_USABLE, h->first_usable);
	gpt_put_le64(blk + GPT_H_LAST_USABLE, h->last_usable);
	for (int i = 0; i < 16; i++)
		blk[GPT_H_DISK_GUID + i] = h->disk_guid[i];
	gpt_put_le64(blk + GPT_H_ENTRIES_LBA, h->entries_lba);
	gpt_put_le32(blk + GPT_H_NUM_ENTRIES, h->num_entries);
	gpt_put_le32(blk + GPT_H_ENTRY_SIZE, h->entry_size);
	gpt_put_le32(blk + GPT_H_ENTRIES_CRC, h->entries_crc);
	gpt_put_le32(blk + GPT_H_CRC, gpt_header_crc(blk, h->header_size));
}

void gpt_part_encode(const struct gpt_part *p, uint8_t *e)
{
	for (int i = 0; i < GPT_ENTRY_SIZE; i++)
		e[i] = 0;
	for (int i = 0; i < 16; i++) {
		e[GPT_E_TYPE + i] = p->type_guid[i];
		e[GPT_E_UNIQUE + i] = p->unique_guid[i];
	}
	gpt_put_le64(e + GPT_E_FIRST, p->first_lba);
	gpt_put_le64(e + GPT_E_LAST, p->last_lba);
	gpt_put_le64(e + GPT_E_ATTR, p->attributes);
	for (int i = 0; i < GPT_NAME_UNITS && p->name[i]; i++)
		e[GPT_E_NAME + 2 * i] = (uint8_t)p->name[i];
}
