/*
 * hcl.bin: the hardware compatibility list compiled to a compact sorted table, read by the
 * kernel (boot policy, as a boot module) and by the host `hcl check`, so both answer with the
 * same code. The format is documented in docs/hcl.md; all integers are little-endian.
 *
 *   header   96 bytes: magic "HVHCLBIN", version, count, nrel, entry size, generated,
 *            flags, sha256 of everything after the header up to the trailer
 *   releases nrel x 16 bytes, NUL-padded release names ("0.1.0")
 *   entries  count x 128 bytes (version 2; 64 in version 1, still read), sorted by (vid,
 *            did, svid, ssid, release), wildcards last
 *   trailer  128 bytes when HCLBIN_F_SIGNED: magic "HVHCLSIG", key id, signing date,
 *            Ed25519 signature (checked by the host tool; the kernel may ignore it)
 *
 * Freestanding: only the compiler's headers and memcpy/memset/memcmp/strlen.
 */
#ifndef LIB_HCLBIN_H
#define LIB_HCLBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hv/pciid.h>
#include <lib/pcimatch.h>

#define HCLBIN_MAGIC		"HVHCLBIN"
#define HCLBIN_SIG_MAGIC	"HVHCLSIG"
#define HCLBIN_VERSION		2	/* what hclbin_put_header writes */
#define HCLBIN_VERSION_1	1	/* 64-byte entries without firmware or build: still read */
#define HCLBIN_HDR_SIZE		96
#define HCLBIN_REL_SIZE		16	/* one release name, NUL-padded, NUL required */
#define HCLBIN_ENTRY_SIZE	128
#define HCLBIN_ENTRY_SIZE_1	64
#define HCLBIN_FW_SIZE		32	/* firmware revision field, NUL required */
#define HCLBIN_TRAILER_SIZE	128
#define HCLBIN_STR_SIZE		24	/* driver name / version field, NUL required */
#define HCLBIN_MAX_RELEASES	64
#define HCLBIN_MAX_ENTRIES	(1u << 24)

#define HCLBIN_F_SIGNED		0x1u	/* header flag: a signature trailer follows */

#define HCLBIN_SVID_ANY		0x1u	/* entry flag: subvendor is a wildcard */
#define HCLBIN_SSID_ANY		0x2u	/* entry flag: subdevice is a wildcard */

enum hclbin_type { HCLBIN_NIC = 1, HCLBIN_STORAGE = 2 };
/* What firmware the entry certifies: any (none named), exactly one, or one at least as new
 * (hclbin_fw_cmp's order). */
enum hclbin_fw_match { HCLBIN_FW_ANY = 0, HCLBIN_FW_EXACT = 1, HCLBIN_FW_MINIMUM = 2 };
enum hclbin_status { HCLBIN_CERTIFIED = 1, HCLBIN_DEPRECATED = 2, HCLBIN_REVOKED = 3 };

/* One decoded entry: one (vid, did, svid, ssid) for one release. */
struct hclbin_entry {
	uint16_t vid, did, svid, ssid;	/* svid/ssid are 0 when the flag says wildcard */
	uint8_t flags, type, status, release;
	char driver[HCLBIN_STR_SIZE];
	char version[HCLBIN_STR_SIZE];
	/* version 2 (zero in a version 1 image): the firmware rule and the exact build */
	uint8_t fw_match;		/* enum hclbin_fw_match */
	uint8_t has_sha;		/* module_sha256 is set */
	uint8_t module_sha256[32];	/* the sha256 of the certified module file */
	char firmware[HCLBIN_FW_SIZE];	/* "" with HCLBIN_FW_ANY */
};

/* A validated view of an hcl.bin image; points into the caller's buffer. */
struct hclbin {
	const uint8_t *base;
	size_t len;
	uint32_t count, nrel, flags;
	uint64_t generated;		/* seconds since 1970 (UTC) */
	const uint8_t *rel;		/* release table */
	const uint8_t *ent;		/* entry table */
	uint32_t version;		/* 1 or 2 */
	uint32_t esize;			/* HCLBIN_ENTRY_SIZE_1 or HCLBIN_ENTRY_SIZE */
};

#define HCLBIN_OPEN_NO_DIGEST	0x1u	/* skip the sha256 (caller verified a signature) */

/* Validates buf[0..len) (layout, digest, order, fields) and fills hb: 0, -HV_ENOEXEC (not an
 * hcl.bin), -HV_ENOTSUP (other version) or -HV_EINVAL (damaged; *bad_entry = index or -1). */
int hclbin_open(struct hclbin *hb, const void *buf, size_t len, uint32_t open_flags,
		long *bad_entry);

/* Release name i (NUL-terminated inside the image), or NULL when out of range. */
const char *hclbin_release(const struct hclbin *hb, uint32_t i);

/* Index of release name, or -1 when the list does not know it. */
int hclbin_release_index(const struct hclbin *hb, const char *name);

/* Decodes entry i into e (i < hb->count). */
void hclbin_get(const struct hclbin *hb, uint32_t i, struct hclbin_entry *e);

/* The matching-table form of an entry: exact vid:did, wildcards as HV_PCI_ANY, class
 * 02xxxx (NIC) or 01xxxx (storage) with mask 0xff0000 so a type never matches another class. */
void hclbin_entry_id(const struct hclbin_entry *e, struct hv_pci_id *id);

/* The best entry for dev in release rel (pcimatch precedence, any status), decoded into *e:
 * its index, or -1 when no entry of that release matches. */
long hclbin_lookup(const struct hclbin *hb, uint32_t rel, const struct pcimatch_dev *dev,
		   struct hclbin_entry *e);

/* Index of the first entry whose (vid, did) is not below the given one (count if none). */
uint32_t hclbin_lower_bound(const struct hclbin *hb, uint16_t vid, uint16_t did);

/* Firmware revisions in version order: runs of digits compare as numbers, everything else
 * byte by byte ("1.10" > "1.9", "2.1-0" < "2.1-1", "GPJ99E5Q" > "GPJ99E4Q"): <0, 0, >0. */
int hclbin_fw_cmp(const char *a, const char *b);

/* Does the firmware rev (NULL: unknown) meet entry e's rule? 1 yes (also any rev for
 * HCLBIN_FW_ANY), 0 no, -1 unknown (the entry names one and rev is NULL). */
int hclbin_fw_ok(const struct hclbin_entry *e, const char *rev);

/* Encodes e into the 128-byte version 2 on-disk form (the host compiler uses it). */
void hclbin_put(uint8_t out[HCLBIN_ENTRY_SIZE], const struct hclbin_entry *e);

/* Sort key order of two entries: <0, 0, >0 (wildcards after every exact value). */
int hclbin_cmp(const struct hclbin_entry *a, const struct hclbin_entry *b);

/* Writes the header for an image whose release table and entries are already in place
 * (buf holds HCLBIN_HDR_SIZE + nrel*16 + count*128 bytes), including the digest: version 2. */
void hclbin_put_header(uint8_t *buf, uint32_t count, uint32_t nrel, uint64_t generated,
		       uint32_t flags);

#endif
