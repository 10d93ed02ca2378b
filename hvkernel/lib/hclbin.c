/*
 * hcl.bin reader (and the encoders the host compiler shares). Layout in include/lib/hclbin.h
 * and docs/hcl.md. The kernel trusts nothing in the image: every field is checked on open.
 */
#include <lib/hclbin.h>
#include <lib/sha256.h>
#include <hv/errno.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* Header field offsets. */
#define HB_OFF_VERSION	8
#define HB_OFF_COUNT	12
#define HB_OFF_NREL	16
#define HB_OFF_ESIZE	20
#define HB_OFF_GEN	24
#define HB_OFF_FLAGS	32
#define HB_OFF_DIGEST	40

/* Entry field offsets. */
#define HE_OFF_FLAGS	8
#define HE_OFF_DRIVER	12
#define HE_OFF_VERSION	(HE_OFF_DRIVER + HCLBIN_STR_SIZE)
/* Version 2 only. */
#define HE_OFF_FWMATCH	60
#define HE_OFF_HASSHA	61
#define HE_OFF_SHA	64
#define HE_OFF_FW	96

static uint16_t hclbin_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t hclbin_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void hclbin_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void hclbin_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* True when field[0..n) holds a NUL and only NULs after it. */
static bool hclbin_str_ok(const uint8_t *field, size_t n)
{
	size_t i = 0;

	while (i < n && field[i])
		i++;
	if (i == 0 || i == n)
		return false;
	for (; i < n; i++)
		if (field[i])
			return false;
	return true;
}

static bool hclbin_entry_ok(const struct hclbin *hb, const uint8_t *p, const struct hclbin_entry *e)
{
	if (e->flags & ~(HCLBIN_SVID_ANY | HCLBIN_SSID_ANY))
		return false;
	/* A subdevice number means something only within one subvendor's numbering. */
	if ((e->flags & HCLBIN_SVID_ANY) && !(e->flags & HCLBIN_SSID_ANY))
		return false;
	if ((e->flags & HCLBIN_SVID_ANY) ? e->svid != 0 : e->svid == 0)
		return false;
	if ((e->flags & HCLBIN_SSID_ANY) && e->ssid != 0)
		return false;
	if (e->vid == 0 || e->vid == 0xffff)
		return false;
	if (e->type != HCLBIN_NIC && e->type != HCLBIN_STORAGE)
		return false;
	if (e->status < HCLBIN_CERTIFIED || e->status > HCLBIN_REVOKED || e->release >= hb->nrel)
		return false;
	if (hb->version == HCLBIN_VERSION_1) {
		if (hclbin_le32(p + HCLBIN_ENTRY_SIZE_1 - 4) != 0)
			return false;
	} else {
		if (e->fw_match > HCLBIN_FW_MINIMUM || e->has_sha > 1 || p[62] || p[63])
			return false;
		/* A named rule needs a revision; "any" names none. */
		if (e->fw_match == HCLBIN_FW_ANY ? p[HE_OFF_FW] != 0
						 : !hclbin_str_ok(p + HE_OFF_FW, HCLBIN_FW_SIZE))
			return false;
		if (e->fw_match == HCLBIN_FW_ANY)
			for (size_t i = 0; i < HCLBIN_FW_SIZE; i++)
				if (p[HE_OFF_FW + i])
					return false;
		if (!e->has_sha)
			for (size_t i = 0; i < 32; i++)
				if (p[HE_OFF_SHA + i])
					return false;
	}
	return hclbin_str_ok(p + HE_OFF_DRIVER, HCLBIN_STR_SIZE) &&
	       hclbin_str_ok(p + HE_OFF_VERSION, HCLBIN_STR_SIZE);
}

static int hclbin_check_tables(const struct hclbin *hb, long *bad_entry)
{
	struct hclbin_entry prev, cur;

	for (uint32_t i = 0; i < hb->nrel; i++)
		if (!hclbin_str_ok(hb->rel + i * HCLBIN_REL_SIZE, HCLBIN_REL_SIZE))
			return -HV_EINVAL;
	for (uint32_t i = 0; i < hb->count; i++) {
		hclbin_get(hb, i, &cur);
		/* Strictly increasing: sorted, and no key appears twice. */
		if (!hclbin_entry_ok(hb, hb->ent + (size_t)i * hb->esize, &cur) ||
		    (i > 0 && hclbin_cmp(&prev, &cur) >= 0)) {
			*bad_entry = (long)i;
			return -HV_EINVAL;
		}
		prev = cur;
	}
	return 0;
}

int hclbin_open(struct hclbin *hb, const void *buf, size_t len, uint32_t open_flags,
		long *bad_entry)
{
	const uint8_t *p = buf;
	uint8_t digest[SHA256_DIGEST_SIZE];
	size_t body;
	long dummy;

	if (!bad_entry)
		bad_entry = &dummy;
	*bad_entry = -1;
	if (len < HCLBIN_HDR_SIZE || memcmp(p, HCLBIN_MAGIC, 8) != 0)
		return -HV_ENOEXEC;
	hb->version = hclbin_le32(p + HB_OFF_VERSION);
	if (hb->version != HCLBIN_VERSION && hb->version != HCLBIN_VERSION_1)
		return -HV_ENOTSUP;
	hb->esize = hb->version == HCLBIN_VERSION_1 ? HCLBIN_ENTRY_SIZE_1 : HCLBIN_ENTRY_SIZE;
	hb->base = p;
	hb->len = len;
	hb->count = hclbin_le32(p + HB_OFF_COUNT);
	hb->nrel = hclbin_le32(p + HB_OFF_NREL);
	hb->flags = hclbin_le32(p + HB_OFF_FLAGS);
	hb->generated = (uint64_t)hclbin_le32(p + HB_OFF_GEN) |
			(uint64_t)hclbin_le32(p + HB_OFF_GEN + 4) << 32;
	if (hclbin_le32(p + HB_OFF_ESIZE) != hb->esize || hb->nrel == 0 ||
	    hb->nrel > HCLBIN_MAX_RELEASES || hb->count > HCLBIN_MAX_ENTRIES ||
	    (hb->flags & ~HCLBIN_F_SIGNED))
		return -HV_EINVAL;
	for (size_t i = HB_OFF_DIGEST + SHA256_DIGEST_SIZE; i < HCLBIN_HDR_SIZE; i++)
		if (p[i])
			return -HV_EINVAL;
	body = (size_t)hb->nrel * HCLBIN_REL_SIZE + (size_t)hb->count * hb->esize;
	if (len != HCLBIN_HDR_SIZE + body +
		   ((hb->flags & HCLBIN_F_SIGNED) ? HCLBIN_TRAILER_SIZE : 0))
		return -HV_EINVAL;
	if (!(open_flags & HCLBIN_OPEN_NO_DIGEST)) {
		sha256_digest(p + HCLBIN_HDR_SIZE, body, digest);
		if (memcmp(digest, p + HB_OFF_DIGEST, SHA256_DIGEST_SIZE) != 0)
			return -HV_EINVAL;
	}
	hb->rel = p + HCLBIN_HDR_SIZE;
	hb->ent = hb->rel + (size_t)hb->nrel * HCLBIN_REL_SIZE;
	return hclbin_check_tables(hb, bad_entry);
}

const char *hclbin_release(const struct hclbin *hb, uint32_t i)
{
	return i < hb->nrel ? (const char *)hb->rel + (size_t)i * HCLBIN_REL_SIZE : NULL;
}

int hclbin_release_index(const struct hclbin *hb, const char *name)
{
	size_t n = strlen(name);

	if (n >= HCLBIN_REL_SIZE)
		return -1;
	for (uint32_t i = 0; i < hb->nrel; i++)
		if (memcmp(hclbin_release(hb, i), name, n + 1) == 0)
			return (int)i;
	return -1;
}

void hclbin_get(const struct hclbin *hb, uint32_t i, struct hclbin_entry *e)
{
	const uint8_t *p = hb->ent + (size_t)i * hb->esize;

	memset(e, 0, sizeof(*e));
	e->vid = hclbin_le16(p);
	e->did = hclbin_le16(p + 2);
	e->svid = hclbin_le16(p + 4);
	e->ssid = hclbin_le16(p + 6);
	e->flags = p[HE_OFF_FLAGS];
	e->type = p[HE_OFF_FLAGS + 1];
	e->status = p[HE_OFF_FLAGS + 2];
	e->release = p[HE_OFF_FLAGS + 3];
	memcpy(e->driver, p + HE_OFF_DRIVER, HCLBIN_STR_SIZE);
	memcpy(e->version, p + HE_OFF_VERSION, HCLBIN_STR_SIZE);
	e->driver[HCLBIN_STR_SIZE - 1] = 0;
	e->version[HCLBIN_STR_SIZE - 1] = 0;
	if (hb->version == HCLBIN_VERSION_1)
		return;
	e->fw_match = p[HE_OFF_FWMATCH];
	e->has_sha = p[HE_OFF_HASSHA];
	memcpy(e->module_sha256, p + HE_OFF_SHA, 32);
	memcpy(e->firmware, p + HE_OFF_FW, HCLBIN_FW_SIZE);
	e->firmware[HCLBIN_FW_SIZE - 1] = 0;
}

void hclbin_put(uint8_t out[HCLBIN_ENTRY_SIZE], const struct hclbin_entry *e)
{
	size_t n;

	memset(out, 0, HCLBIN_ENTRY_SIZE);
	hclbin_put16(out, e->vid);
	hclbin_put16(out + 2, e->did);
	hclbin_put16(out + 4, (e->flags & HCLBIN_SVID_ANY) ? 0 : e->svid);
	hclbin_put16(out + 6, (e->flags & HCLBIN_SSID_ANY) ? 0 : e->ssid);
	out[HE_OFF_FLAGS] = e->flags;
	out[HE_OFF_FLAGS + 1] = e->type;
	out[HE_OFF_FLAGS + 2] = e->status;
	out[HE_OFF_FLAGS + 3] = e->release;
	n = strlen(e->driver);
	memcpy(out + HE_OFF_DRIVER, e->driver, n < HCLBIN_STR_SIZE ? n : HCLBIN_STR_SIZE - 1);
	n = strlen(e->version);
	memcpy(out + HE_OFF_VERSION, e->version, n < HCLBIN_STR_SIZE ? n : HCLBIN_STR_SIZE - 1);
	out[HE_OFF_FWMATCH] = e->fw_match;
	out[HE_OFF_HASSHA] = e->has_sha ? 1 : 0;
	if (e->has_sha)
		memcpy(out + HE_OFF_SHA, e->module_sha256, 32);
	if (e->fw_match != HCLBIN_FW_ANY) {
		n = strlen(e->firmware);
		memcpy(out + HE_OFF_FW, e->firmware, n < HCLBIN_FW_SIZE ? n : HCLBIN_FW_SIZE - 1);
	}
}

static bool hclbin_digit(char c)
{
	return c >= '0' && c <= '9';
}

int hclbin_fw_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (hclbin_digit(*a) && hclbin_digit(*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t na = 0, nb = 0;
			while (hclbin_digit(a[na]))
				na++;
			while (hclbin_digit(b[nb]))
				nb++;
			if (na != nb)
				return na < nb ? -1 : 1;	/* more digits, bigger number */
			int c = memcmp(a, b, na);
			if (c)
				return c < 0 ? -1 : 1;
			a += na;
			b += nb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

int hclbin_fw_ok(const struct hclbin_entry *e, const char *rev)
{
	if (e->fw_match == HCLBIN_FW_ANY)
		return 1;
	if (!rev)
		return -1;
	if (e->fw_match == HCLBIN_FW_EXACT)
		return strlen(rev) == strlen(e->firmware) && memcmp(rev, e->firmware, strlen(rev)) == 0;
	return hclbin_fw_cmp(rev, e->firmware) >= 0;
}

/* A wildcard sorts after every exact value, so the table reads from specific to general. */
static uint32_t hclbin_key(uint16_t v, uint8_t flags, uint8_t any)
{
	return (flags & any) ? 0x10000u : v;
}

int hclbin_cmp(const struct hclbin_entry *a, const struct hclbin_entry *b)
{
	uint32_t ka[5] = { a->vid, a->did, hclbin_key(a->svid, a->flags, HCLBIN_SVID_ANY),
			   hclbin_key(a->ssid, a->flags, HCLBIN_SSID_ANY), a->release };
	uint32_t kb[5] = { b->vid, b->did, hclbin_key(b->svid, b->flags, HCLBIN_SVID_ANY),
			   hclbin_key(b->ssid, b->flags, HCLBIN_SSID_ANY), b->release };

	for (int i = 0; i < 5; i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return 0;
}

void hclbin_entry_id(const struct hclbin_entry *e, struct hv_pci_id *id)
{
	id->vendor = e->vid;
	id->device = e->did;
	id->subvendor = (e->flags & HCLBIN_SVID_ANY) ? HV_PCI_ANY : e->svid;
	id->subdevice = (e->flags & HCLBIN_SSID_ANY) ? HV_PCI_ANY : e->ssid;
	id->class = e->type == HCLBIN_NIC ? 0x020000u : 0x010000u;
	id->class_mask = 0xff0000u;
	id->driver_data = 0;
}

uint32_t hclbin_lower_bound(const struct hclbin *hb, uint16_t vid, uint16_t did)
{
	uint32_t lo = 0, hi = hb->count, want = (uint32_t)vid << 16 | did;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const uint8_t *p = hb->ent + (size_t)mid * hb->esize;

		if (((uint32_t)hclbin_le16(p) << 16 | hclbin_le16(p + 2)) < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long hclbin_lookup(const struct hclbin *hb, uint32_t rel, const struct pcimatch_dev *dev,
		   struct hclbin_entry *e)
{
	long best = -1;
	int best_score = -1;
	struct hclbin_entry cur;
	struct hv_pci_id id;

	for (uint32_t i = hclbin_lower_bound(hb, dev->vendor, dev->device); i < hb->count; i++) {
		hclbin_get(hb, i, &cur);
		if (cur.vid != dev->vendor || cur.did != dev->device)
			break;
		if (cur.release != rel)
			continue;
		hclbin_entry_id(&cur, &id);
		int s = pcimatch_score(&id, dev);
		/* Strictly greater: ties keep the earlier (more specific-sorted) entry, as pcimatch_best. */
		if (s > best_score) {
			best_score = s;
			best = (long)i;
			*e = cur;
		}
	}
	return best;
}

void hclbin_put_header(uint8_t *buf, uint32_t count, uint32_t nrel, uint64_t generated,
		       uint32_t flags)
{
	memset(buf, 0, HCLBIN_HDR_SIZE);
	memcpy(buf, HCLBIN_MAGIC, 8);
	hclbin_put32(buf + HB_OFF_VERSION, HCLBIN_VERSION);
	hclbin_put32(buf + HB_OFF_COUNT, count);
	hclbin_put32(buf + HB_OFF_NREL, nrel);
	hclbin_put32(buf + HB_OFF_ESIZE, HCLBIN_ENTRY_SIZE);
	hclbin_put32(buf + HB_OFF_GEN, (uint32_t)generated);
	hclbin_put32(buf + HB_OFF_GEN + 4, (uint32_t)(generated >> 32));
	hclbin_put32(buf + HB_OFF_FLAGS, flags);
	sha256_digest(buf + HCLBIN_HDR_SIZE,
		      (size_t)nrel * HCLBIN_REL_SIZE + (size_t)count * HCLBIN_ENTRY_SIZE,
		      buf + HB_OFF_DIGEST);
}
