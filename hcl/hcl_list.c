/*
 * Reading the HCL JSON format (docs/hcl.md, hcl/schema/hcl.schema.json) in one pass with the
 * strict reader (hcl_json.c): unknown, repeated or missing keys, wrong types and bad values
 * are errors naming the file, the line and the path. Top-level members may come in any
 * order (a list re-serialised with sorted keys has "entries" first), so what depends on
 * the top-level releases is checked when the object closes. Each entry is validated, handed
 * to the caller's callback, written into the canonical digest (hcl_canon.c) and, for the
 * full form, kept; a 100 000-entry list costs no more memory than its duplicate-key table.
 */
#include <stdlib.h>
#include <string.h>
#include "hcl_json.h"

/* Entry strings live in blocks that are reused for the next entry. */
struct hcl_arena {
	char **blocks;
	size_t nblocks, used;		/* used: bytes of the current (last) block */
};

#define HCL_ARENA_BLOCK 65536

static void *hcl_arena_alloc(struct hcl_arena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (!a->nblocks || a->used + n > HCL_ARENA_BLOCK) {
		char **nb = realloc(a->blocks, (a->nblocks + 1) * sizeof(*nb));

		if (!nb)
			return NULL;
		a->blocks = nb;
		a->blocks[a->nblocks] = malloc(n > HCL_ARENA_BLOCK ? n : HCL_ARENA_BLOCK);
		if (!a->blocks[a->nblocks])
			return NULL;
		a->nblocks++;
		a->used = 0;
	}
	void *p = a->blocks[a->nblocks - 1] + a->used;

	a->used += n;
	return p;
}

/* Room for one more element in an array in the arena (4, then doubled): the array, moved
 * (copied) or not, or NULL out of memory. */
static void *hcl_arena_grow(struct hcl_arena *a, void *arr, size_t *cap, size_t n, size_t elem)
{
	size_t nc = *cap ? *cap * 2 : 4;
	void *g;

	if (n < *cap)
		return arr;
	if (nc > SIZE_MAX / elem || !(g = hcl_arena_alloc(a, nc * elem)))
		return NULL;
	if (n)
		memcpy(g, arr, n * elem);
	*cap = nc;
	return g;
}

/* Keeps the first block. */
static void hcl_arena_reset(struct hcl_arena *a)
{
	for (size_t i = 1; i < a->nblocks; i++)
		free(a->blocks[i]);
	a->nblocks = a->nblocks ? 1 : 0;
	a->used = 0;
}

static void hcl_arena_free(struct hcl_arena *a)
{
	for (size_t i = 0; i < a->nblocks; i++)
		free(a->blocks[i]);
	free(a->blocks);
	memset(a, 0, sizeof(*a));
}

static char *hcl_arena_str(struct hcl_arena *a, const char *s, size_t n)
{
	char *d = hcl_arena_alloc(a, n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

/* One (vid, did, svid, ssid) with where it was, for the duplicate check. */
struct hcl_keyrec {
	uint32_t hi, lo;		/* vid:did, svid:ssid (0 for "*") */
	uint32_t wild, index;
	const char *at;
};

/* The state of one list read. */
struct hcl_lr {
	struct hcl_jr *r;
	struct hcl_list *l;
	const struct hcl_list_opts *o;
	struct hcl_arena arena;
	struct hcl_canon canon;
	int canon_on;
	struct hcl_keyrec *keys;
	size_t nkeys, capkeys;
	int keys_sorted;
	/* Release names used by entries, in order of first use. */
	char used[HCLBIN_MAX_RELEASES][HCLBIN_REL_SIZE];
	const char *used_at[HCLBIN_MAX_RELEASES];
	size_t used_line_entry[HCLBIN_MAX_RELEASES];
	int nused;
};

static int hcl_keyrec_cmp(const struct hcl_keyrec *a, const struct hcl_keyrec *b)
{
	/* hcl.bin order: wildcards after every exact value. */
	uint64_t x = (uint64_t)a->hi << 32 | ((a->wild & 1) ? 0xffffffffu : a->lo);
	uint64_t y = (uint64_t)b->hi << 32 | ((b->wild & 1) ? 0xffffffffu : b->lo);

	if (x == y && (a->wild & 2) != (b->wild & 2))
		return (a->wild & 2) ? 1 : -1;
	return x < y ? -1 : x > y;
}

static int hcl_keyrec_qcmp(const void *a, const void *b)
{
	int c = hcl_keyrec_cmp(a, b);

	if (c)
		return c;
	return ((const struct hcl_keyrec *)a)->index < ((const struct hcl_keyrec *)b)->index ? -1 : 1;
}

static int hcl_lr_key(struct hcl_lr *s, const struct hcl_entry *e, size_t idx, const char *at)
{
	struct hcl_keyrec k = {
		(uint32_t)e->vid << 16 | e->did,
		(e->svid == HV_PCI_ANY ? 0 : e->svid << 16) | (e->ssid == HV_PCI_ANY ? 0 : e->ssid),
		(e->svid == HV_PCI_ANY ? 1u : 0u) | (e->ssid == HV_PCI_ANY ? 2u : 0u),
		(uint32_t)idx, at,
	};
	struct hcl_keyrec *keys = hcl_grow(s->keys, &s->capkeys, s->nkeys, sizeof(*keys));

	if (!keys)
		return hcl_errf(s->r->err, "%s: out of memory", s->r->name);
	s->keys = keys;
	if (s->nkeys && s->keys_sorted && hcl_keyrec_cmp(&s->keys[s->nkeys - 1], &k) >= 0)
		s->keys_sorted = 0;
	s->keys[s->nkeys++] = k;
	return 0;
}

static int hcl_lr_dups(struct hcl_lr *s)
{
	if (!s->keys_sorted)
		qsort(s->keys, s->nkeys, sizeof(*s->keys), hcl_keyrec_qcmp);
	for (size_t i = 1; i < s->nkeys; i++)
		if (hcl_keyrec_cmp(&s->keys[i - 1], &s->keys[i]) == 0) {
			const struct hcl_keyrec *a = &s->keys[i - 1], *b = &s->keys[i];
			const struct hcl_keyrec *later = a->index > b->index ? a : b;

			return hcl_jr_fail(s->r, later->at, HCL_JP_IDX(HCL_JP("entries"), later->index),
					   "same vid/did/svid/ssid as entries[%u]",
					   later == a ? b->index : a->index);
		}
	return 0;
}

/* A 4-digit lower-case ID, or "*" when wild. */
static int hcl_lr_id(struct hcl_lr *s, const struct hcl_jpath *path, int wild, uint32_t *out)
{
	struct hcl_jr *r = s->r;
	const char *at;

	if (hcl_jr_peek(r) < 0)
		return -1;
	at = r->p;
	if (hcl_jr_string_view(r, path) < 0)
		return -1;
	if (wild && r->vn == 1 && r->vs[0] == '*') {
		*out = HV_PCI_ANY;
		return 0;
	}
	*out = 0;
	for (int i = 0; i < 4 && r->vn == 4; i++) {
		char c = r->vs[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			break;
		*out = *out << 4 | (uint32_t)(c <= '9' ? c - '0' : c - 'a' + 10);
		if (i == 3)
			return 0;
	}
	return hcl_jr_fail(r, at, path, wild ? "expected 4 lower-case hex digits or \"*\"" :
					      "expected 4 lower-case hex digits");
}

/* A non-empty string copied into the arena (max: longest length allowed, 0 = any). */
static int hcl_lr_str(struct hcl_lr *s, const struct hcl_jpath *path, size_t max, char **out)
{
	struct hcl_jr *r = s->r;
	const char *at;

	if (hcl_jr_peek(r) < 0)
		return -1;
	at = r->p;
	if (hcl_jr_string_view(r, path) < 0)
		return -1;
	if (r->vn == 0)
		return hcl_jr_fail(r, at, path, "empty string");
	if (max && r->vn > max)
		return hcl_jr_fail(r, at, path, "longer than %zu characters", max);
	*out = hcl_arena_str(&s->arena, r->vs, r->vn);
	return *out ? 0 : hcl_errf(r->err, "%s: out of memory", r->name);
}

static int hcl_lr_strarr(struct hcl_lr *s, const struct hcl_jpath *path, char ***out, size_t *n)
{
	struct hcl_jr *r = s->r;
	size_t cap = 0;
	int more;

	*n = 0;
	*out = hcl_arena_grow(&s->arena, NULL, &cap, 0, sizeof(char *));
	if (!*out || hcl_jr_arr_begin(r, path) < 0)
		return *out ? -1 : hcl_errf(r->err, "%s: out of memory", r->name);
	while ((more = hcl_jr_arr_next(r, path)) == 1) {
		char **g = hcl_arena_grow(&s->arena, *out, &cap, *n, sizeof(char *));

		if (!g)
			return hcl_errf(r->err, "%s: out of memory", r->name);
		*out = g;
		if (hcl_lr_str(s, HCL_JP_IDX(path, *n), 0, &(*out)[*n]) < 0)
			return -1;
		(*n)++;
	}
	return more;
}

static int hcl_parse_status(const char *s, enum hcl_status *st)
{
	if (strcmp(s, "certified") == 0)
		*st = HCL_CERTIFIED;
	else if (strcmp(s, "deprecated") == 0)
		*st = HCL_DEPRECATED;
	else if (strcmp(s, "revoked") == 0)
		*st = HCL_REVOKED;
	else
		return -1;
	return 0;
}

int hcl_parse_fw_match(const char *s, int *m)
{
	if (strcmp(s, "exact") == 0)
		*m = HCLBIN_FW_EXACT;
	else if (strcmp(s, "minimum") == 0)
		*m = HCLBIN_FW_MINIMUM;
	else if (strcmp(s, "any") == 0)
		*m = HCLBIN_FW_ANY;
	else
		return -1;
	return 0;
}

const char *hcl_fw_match_name(int m)
{
	return m == HCLBIN_FW_EXACT ? "exact" : m == HCLBIN_FW_MINIMUM ? "minimum" : "any";
}

/* In the order hcl export writes them; coverage (index 6) is optional. */
static const char *const hcl_cert_keys[] = { "driver", "driver_version", "firmware", "features",
					     "certified", "runs", "coverage", "status",
					     "firmware_match", "module_sha256", "waivers", NULL };
#define HCL_CERT_OPTIONAL ((1ull << 6) | (1ull << 8) | (1ull << 9) | (1ull << 10))

static const char *const hcl_cover_keys[] = { "passed", "not_run", "not_applicable", NULL };
static const char *const hcl_note_keys[] = { "name", "reason", NULL };

/* coverage.not_run / not_applicable: [{"name": ..., "reason": ...}] */
static int hcl_lr_notes(struct hcl_lr *s, const struct hcl_jpath *path, struct hcl_cfgnote **out,
			size_t *n)
{
	struct hcl_jr *r = s->r;
	size_t cap = 0;
	int more, k;

	*n = 0;
	*out = NULL;
	if (hcl_jr_arr_begin(r, path) < 0)
		return -1;
	while ((more = hcl_jr_arr_next(r, path)) == 1) {
		const struct hcl_jpath *p = HCL_JP_IDX(path, *n);
		struct hcl_cfgnote *v = hcl_arena_grow(&s->arena, *out, &cap, *n, sizeof(**out));
		uint64_t seen = 0;
		const char *obj;

		if (!v)
			return hcl_errf(r->err, "%s: out of memory", r->name);
		*out = v;
		v += (*n)++;
		if (hcl_jr_peek(r) < 0)
			return -1;
		obj = r->p;
		if (hcl_jr_obj_begin(r, p) < 0)
			return -1;
		while ((k = hcl_jr_member(r, hcl_note_keys, &seen, p)) >= 0)
			if (hcl_lr_str(s, HCL_JP_KEY(p, hcl_note_keys[k]), 0, k ? &v->reason : &v->name) < 0)
				return -1;
		if (k == -1)
			return -1;
		if (seen != 3)
			return hcl_jr_fail(r, obj, p, "missing \"%s\"", seen & 1 ? "reason" : "name");
	}
	return more;
}

/* A configuration named twice in the three lists of a coverage, or NULL. */
static const char *hcl_coverage_dup(const struct hcl_coverage *cv)
{
	size_t n = cv->npassed + cv->nnot_run + cv->nnot_applicable;
	const char **names = malloc((n ? n : 1) * sizeof(*names)), *dup = NULL;
	size_t k = 0;

	if (!names)
		return NULL;
	for (size_t i = 0; i < cv->npassed; i++)
		names[k++] = cv->passed[i];
	for (size_t i = 0; i < cv->nnot_run; i++)
		names[k++] = cv->not_run[i].name;
	for (size_t i = 0; i < cv->nnot_applicable; i++)
		names[k++] = cv->not_applicable[i].name;
	for (size_t i = 0; i < n && !dup; i++)
		for (size_t j = i + 1; j < n && !dup; j++)
			if (strcmp(names[i], names[j]) == 0)
				dup = names[i];
	free(names);
	return dup;
}

/* What the runs behind a certification covered (docs/hcl.md, "coverage"). */
static int hcl_lr_coverage(struct hcl_lr *s, const struct hcl_jpath *path, struct hcl_coverage **out)
{
	struct hcl_jr *r = s->r;
	struct hcl_coverage *cv = hcl_arena_alloc(&s->arena, sizeof(*cv));
	uint64_t seen = 0;
	const char *obj, *dup;
	char q[136];
	int k, rc;

	if (!cv)
		return hcl_errf(r->err, "%s: out of memory", r->name);
	memset(cv, 0, sizeof(*cv));
	*out = cv;
	if (hcl_jr_peek(r) < 0)
		return -1;
	obj = r->p;
	if (hcl_jr_obj_begin(r, path) < 0)
		return -1;
	while ((k = hcl_jr_member(r, hcl_cover_keys, &seen, path)) >= 0) {
		const struct hcl_jpath *p = HCL_JP_KEY(path, hcl_cover_keys[k]);
		const char *at = hcl_jr_here(r);

		if (k == 0) {
			rc = hcl_lr_strarr(s, p, &cv->passed, &cv->npassed);
			if (rc == 0 && cv->npassed == 0)
				return hcl_jr_fail(r, at, p, "empty: a certification passed at least "
						   "one configuration");
		} else {
			rc = k == 1 ? hcl_lr_notes(s, p, &cv->not_run, &cv->nnot_run) :
				      hcl_lr_notes(s, p, &cv->not_applicable, &cv->nnot_applicable);
		}
		if (rc < 0)
			return -1;
	}
	if (k == -1)
		return -1;
	for (int i = 0; hcl_cover_keys[i]; i++)
		if (!(seen & (1ull << i)))
			return hcl_jr_fail(r, obj, path, "missing \"%s\"", hcl_cover_keys[i]);
	if ((dup = hcl_coverage_dup(cv)) != NULL)
		return hcl_jr_fail(r, obj, path, "configuration \"%s\" listed twice",
				   hcl_printable(q, sizeof(q), dup, 120));
	return 0;
}

static int hcl_lr_cert(struct hcl_lr *s, const struct hcl_jpath *path, struct hcl_cert *ce)
{
	struct hcl_jr *r = s->r;
	uint64_t seen = 0;
	const char *obj;
	int k;

	if (hcl_jr_peek(r) < 0)
		return -1;
	obj = r->p;
	if (hcl_jr_obj_begin(r, path) < 0)
		return -1;
	while ((k = hcl_jr_member(r, hcl_cert_keys, &seen, path)) >= 0) {
		const struct hcl_jpath *p = HCL_JP_KEY(path, hcl_cert_keys[k]);
		const char *at;
		int rc = 0;

		if (hcl_jr_peek(r) < 0)
			return -1;
		at = r->p;
		switch (k) {
		case 0: rc = hcl_lr_str(s, p, HCLBIN_STR_SIZE - 1, &ce->driver); break;
		case 1: rc = hcl_lr_str(s, p, HCLBIN_STR_SIZE - 1, &ce->driver_version); break;
		case 2:
			rc = hcl_jr_string_or_null(r, p);
			if (rc == 1 && r->slen == 0)
				return hcl_jr_fail(r, at, p, "empty string");
			ce->firmware = rc == 1 ? hcl_arena_str(&s->arena, r->sbuf, r->slen) : NULL;
			rc = rc < 0 ? -1 : 0;
			break;
		case 3: rc = hcl_lr_strarr(s, p, &ce->features, &ce->nfeatures); break;
		case 4:
			rc = hcl_lr_str(s, p, 0, &ce->certified);
			if (rc == 0 && hcl_parse_date(ce->certified) < 0)
				return hcl_jr_fail(r, at, p, "expected a date YYYY-MM-DD");
			break;
		case 5:
			rc = hcl_lr_strarr(s, p, &ce->runs, &ce->nruns);
			if (rc == 0 && ce->nruns == 0)
				return hcl_jr_fail(r, at, p, "empty: every certification links to its runs");
			break;
		case 6: rc = hcl_lr_coverage(s, p, &ce->coverage); break;
		case 7:
			if (hcl_jr_string(r, p) < 0)
				return -1;
			if (hcl_parse_status(r->sbuf, &ce->status) < 0)
				return hcl_jr_fail(r, at, p, "expected certified, deprecated or revoked");
			break;
		case 8:
			if (hcl_jr_string(r, p) < 0)
				return -1;
			if (hcl_parse_fw_match(r->sbuf, &ce->fw_match) < 0)
				return hcl_jr_fail(r, at, p, "expected exact, minimum or any");
			ce->fw_match_given = 1;
			break;
		case 9:
			if (hcl_jr_string(r, p) < 0)
				return -1;
			if (r->slen != 64 || strspn(r->sbuf, "0123456789abcdef") != 64)
				return hcl_jr_fail(r, at, p, "expected the module's sha256: 64 lower-case hex digits");
			memcpy(ce->module_sha256, r->sbuf, 65);
			break;
		case 10: rc = hcl_lr_strarr(s, p, &ce->waivers, &ce->nwaivers); break;
		}
		if (rc < 0)
			return -1;
	}
	if (k == -1)
		return -1;
	for (int i = 0; hcl_cert_keys[i]; i++)
		if (!(seen & (1ull << i)) && !(HCL_CERT_OPTIONAL & (1ull << i)))
			return hcl_jr_fail(r, obj, path, "missing \"%s\"", hcl_cert_keys[i]);
	if (!ce->fw_match_given)
		ce->fw_match = ce->firmware ? HCLBIN_FW_EXACT : HCLBIN_FW_ANY;
	if (ce->fw_match != HCLBIN_FW_ANY && !ce->firmware)
		return hcl_jr_fail(r, obj, path, "firmware_match \"%s\" names no firmware (firmware is null)",
				   hcl_fw_match_name(ce->fw_match));
	if (ce->fw_match != HCLBIN_FW_ANY && strlen(ce->firmware) >= HCLBIN_FW_SIZE)
		return hcl_jr_fail(r, obj, path, "firmware \"%.40s\" is longer than %d bytes (hcl.bin's field)",
				   ce->firmware, HCLBIN_FW_SIZE - 1);
	return 0;
}

/* The interned index of a release name used by an entry. */
static int hcl_lr_used(struct hcl_lr *s, const char *name, const char *at, size_t entry)
{
	for (int i = 0; i < s->nused; i++)
		if (strcmp(s->used[i], name) == 0)
			return i;
	if (s->nused == HCLBIN_MAX_RELEASES || strlen(name) >= HCLBIN_REL_SIZE)
		return -1;
	snprintf(s->used[s->nused], HCLBIN_REL_SIZE, "%s", name);
	s->used_at[s->nused] = at;
	s->used_line_entry[s->nused] = entry;
	return s->nused++;
}

static int hcl_lr_releases(struct hcl_lr *s, const struct hcl_jpath *path, size_t idx,
			   struct hcl_entry *e)
{
	struct hcl_jr *r = s->r;
	size_t cap = 0;
	const char *obj;
	int more;

	if (hcl_jr_peek(r) < 0)
		return -1;
	obj = r->p;
	e->certs = hcl_arena_grow(&s->arena, NULL, &cap, 0, sizeof(*e->certs));
	if (!e->certs)
		return hcl_errf(r->err, "%s: out of memory", r->name);
	if (hcl_jr_obj_begin(r, path) < 0)
		return -1;
	for (;;) {
		const char *at = hcl_jr_here(r);
		char k[40];

		if ((more = hcl_jr_key(r, path)) <= 0)
			break;
		for (size_t i = 0; i < e->ncerts; i++)
			if (strcmp(e->certs[i].release, r->sbuf) == 0)
				return hcl_jr_fail(r, at, path, "duplicate key \"%s\"",
						   hcl_printable(k, sizeof(k), r->sbuf, 32));
		int id = hcl_lr_used(s, r->sbuf, at, idx);

		if (id < 0)
			return hcl_jr_fail(r, at, HCL_JP_Q(path, r->sbuf), "release not listed in the "
					   "top-level releases");
		struct hcl_cert *ce = hcl_arena_grow(&s->arena, e->certs, &cap, e->ncerts,
						     sizeof(*ce));

		if (!ce)
			return hcl_errf(r->err, "%s: out of memory", r->name);
		e->certs = ce;
		ce += e->ncerts++;

		memset(ce, 0, sizeof(*ce));
		ce->release = s->used[id];
		ce->rel_id = id;
		if (hcl_lr_cert(s, HCL_JP_Q(path, s->used[id]), ce) < 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (e->ncerts == 0)
		return hcl_jr_fail(r, obj, path, "empty");
	return 0;
}

static const char *const hcl_entry_keys[] = { "vid", "did", "svid", "ssid", "vendor", "model",
					      "type", "releases", NULL };

static int hcl_lr_entry(struct hcl_lr *s, size_t idx, struct hcl_entry *e, const char **start)
{
	struct hcl_jr *r = s->r;
	const struct hcl_jpath *path = HCL_JP_IDX(HCL_JP("entries"), idx);
	uint64_t seen = 0;
	int k;

	memset(e, 0, sizeof(*e));
	if (hcl_jr_peek(r) < 0)
		return -1;
	*start = r->p;
	if (hcl_jr_obj_begin(r, path) < 0)
		return -1;
	while ((k = hcl_jr_member(r, hcl_entry_keys, &seen, path)) >= 0) {
		const struct hcl_jpath *p = HCL_JP_KEY(path, hcl_entry_keys[k]);
		const char *at;
		int rc;

		if (hcl_jr_peek(r) < 0)
			return -1;
		at = r->p;
		switch (k) {
		case 0:
			rc = hcl_lr_id(s, p, 0, &e->vid);
			if (rc == 0 && (e->vid == 0 || e->vid == 0xffff))
				return hcl_jr_fail(r, at, p, "0000 and ffff are not vendor IDs");
			break;
		case 1: rc = hcl_lr_id(s, p, 0, &e->did); break;
		case 2:
			rc = hcl_lr_id(s, p, 1, &e->svid);
			/* pcimatch: subvendor 0000 never matches (it means "no subsystem"). */
			if (rc == 0 && e->svid == 0)
				return hcl_jr_fail(r, at, p, "0000 means \"no subsystem\" and never "
						   "matches; use \"*\"");
			break;
		case 3: rc = hcl_lr_id(s, p, 1, &e->ssid); break;
		case 4: rc = hcl_lr_str(s, p, 0, &e->vendor); break;
		case 5: rc = hcl_lr_str(s, p, 0, &e->model); break;
		case 6:
			rc = hcl_jr_string(r, p);
			if (rc == 0 && strcmp(r->sbuf, "nic") == 0)
				e->type = HCL_NIC;
			else if (rc == 0 && strcmp(r->sbuf, "storage") == 0)
				e->type = HCL_STORAGE;
			else if (rc == 0)
				return hcl_jr_fail(r, at, p, "expected nic or storage");
			break;
		default: rc = hcl_lr_releases(s, p, idx, e); break;
		}
		if (rc < 0)
			return -1;
	}
	if (k == -1)
		return -1;
	for (int i = 0; hcl_entry_keys[i]; i++)
		if (!(seen & (1ull << i)))
			return hcl_jr_fail(r, *start, path, "missing \"%s\"", hcl_entry_keys[i]);
	if (e->svid == HV_PCI_ANY && e->ssid != HV_PCI_ANY)
		return hcl_jr_fail(r, *start, path, "ssid: a subsystem ID needs a subsystem vendor "
				   "(svid is \"*\")");
	return 0;
}

/* Deep copy of an arena entry into the kept list. */
static char *hcl_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static char **hcl_dupv(char *const *v, size_t n)
{
	char **d = calloc(n ? n : 1, sizeof(char *));

	for (size_t i = 0; d && i < n; i++)
		d[i] = strdup(v[i]);
	return d;
}

static int hcl_lr_keep(struct hcl_lr *s, const struct hcl_entry *e)
{
	struct hcl_list *l = s->l;
	struct hcl_entry *ents = hcl_grow(l->entries, &l->capentries, l->nentries, sizeof(*ents));
	struct hcl_entry *d;

	if (!ents)
		return hcl_errf(s->r->err, "%s: out of memory", s->r->name);
	l->entries = ents;
	d = &l->entries[l->nentries++];
	*d = *e;
	d->vendor = hcl_dup(e->vendor);
	d->model = hcl_dup(e->model);
	d->certs = calloc(e->ncerts, sizeof(*d->certs));
	for (size_t j = 0; d->certs && j < e->ncerts; j++) {
		const struct hcl_cert *c = &e->certs[j];
		struct hcl_cert *dc = &d->certs[j];

		*dc = *c;
		dc->release = hcl_dup(c->release);
		dc->driver = hcl_dup(c->driver);
		dc->driver_version = hcl_dup(c->driver_version);
		dc->firmware = hcl_dup(c->firmware);
		dc->certified = hcl_dup(c->certified);
		dc->features = hcl_dupv(c->features, c->nfeatures);
		dc->runs = hcl_dupv(c->runs, c->nruns);
		dc->waivers = hcl_dupv(c->waivers, c->nwaivers);
		dc->coverage = NULL;
		if (c->coverage) {
			dc->coverage = malloc(sizeof(*dc->coverage));
			if (!dc->coverage || hcl_coverage_copy(dc->coverage, c->coverage) < 0) {
				free(dc->coverage);
				dc->coverage = NULL;
				return hcl_errf(s->r->err, "%s: out of memory", s->r->name);
			}
		}
	}
	if (!d->certs)
		d->ncerts = 0;
	return d->certs ? 0 : hcl_errf(s->r->err, "%s: out of memory", s->r->name);
}

static int hcl_lr_entries(struct hcl_lr *s)
{
	struct hcl_jr *r = s->r;
	size_t idx = 0;
	int more;

	if (hcl_jr_arr_begin(r, HCL_JP("entries")) < 0)
		return -1;
	while ((more = hcl_jr_arr_next(r, NULL)) == 1) {
		struct hcl_entry e;
		const char *start;

		hcl_arena_reset(&s->arena);
		if (hcl_lr_entry(s, idx, &e, &start) < 0 || hcl_lr_key(s, &e, idx, start) < 0)
			return -1;
		if (s->canon_on)
			hcl_canon_entry(&s->canon, &e);
		if (s->o->entry && s->o->entry(s->o->ctx, &e, r->err) < 0)
			return -1;
		if (s->o->keep_entries && hcl_lr_keep(s, &e) < 0)
			return -1;
		idx++;
	}
	s->l->nentries_read = idx;
	return more;
}

/* Printable ASCII: release names sort the same in bytes and in UTF-16 (RFC 8785). */
static int hcl_release_name_ok(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

static int hcl_lr_top_releases(struct hcl_lr *s)
{
	struct hcl_jr *r = s->r;
	struct hcl_list *l = s->l;
	const char *at = r->p;
	int more;

	l->releases = calloc(HCLBIN_MAX_RELEASES, sizeof(char *));
	if (!l->releases)
		return hcl_errf(r->err, "%s: out of memory", r->name);
	if (hcl_jr_arr_begin(r, HCL_JP("releases")) < 0)
		return -1;
	while ((more = hcl_jr_arr_next(r, NULL)) == 1) {
		const struct hcl_jpath *p = HCL_JP_IDX(HCL_JP("releases"), l->nreleases);
		const char *sat;

		if (l->nreleases == HCLBIN_MAX_RELEASES)
			return hcl_jr_fail(r, at, HCL_JP("releases"), "expected 1 to 64 releases");
		sat = hcl_jr_here(r);
		if (hcl_jr_string(r, p) < 0)
			return -1;
		if (r->slen == 0 || r->slen >= HCLBIN_REL_SIZE)
			return hcl_jr_fail(r, sat, p, r->slen ? "longer than 15 characters" :
						      "empty string");
		if (!hcl_release_name_ok(r->sbuf))
			return hcl_jr_fail(r, sat, p, "not printable ASCII");
		for (size_t i = 0; i < l->nreleases; i++)
			if (strcmp(l->releases[i], r->sbuf) == 0)
				return hcl_jr_fail(r, sat, p, "\"%s\" is listed twice", r->sbuf);
		l->releases[l->nreleases++] = strdup(r->sbuf);
	}
	if (more < 0)
		return -1;
	if (l->nreleases == 0)
		return hcl_jr_fail(r, at, HCL_JP("releases"), "expected 1 to 64 releases");
	return 0;
}

static const char *const hcl_top_keys[] = { "schema_version", "generated", "releases", "entries",
					    NULL };

/* Called with the reader at a list object. */
int hcl_list_read(struct hcl_jr *r, struct hcl_list *l, const struct hcl_list_opts *o)
{
	struct hcl_lr s;
	uint64_t seen = 0;
	const char *obj;
	int64_t v;
	int k, rc = -1;

	memset(l, 0, sizeof(*l));
	memset(&s, 0, sizeof(s));
	s.r = r;
	s.l = l;
	s.o = o;
	s.keys_sorted = 1;
	if (o->digest) {
		if (hcl_canon_begin(&s.canon, 1, NULL) < 0) {
			hcl_errf(r->err, "%s: cannot start SHA-256 (OpenSSL)", r->name);
			goto out;
		}
		s.canon_on = 1;
	}
	if (hcl_jr_peek(r) < 0)
		goto out;
	obj = r->p;
	if (*obj != '{') {
		hcl_jr_fail(r, obj, HCL_JP("(top)"), "expected an object");
		goto out;
	}
	hcl_jr_obj_begin(r, NULL);
	while ((k = hcl_jr_member(r, hcl_top_keys, &seen, NULL)) >= 0) {
		const char *at;

		if (hcl_jr_peek(r) < 0)
			goto out;
		at = r->p;
		if (k == 0) {
			if (hcl_jr_int(r, HCL_JP("schema_version"), INT32_MIN, INT32_MAX, &v) < 0)
				goto out;
			l->schema_version = (int)v;
			if (v != HCL_SCHEMA_VERSION) {
				hcl_jr_fail(r, at, HCL_JP("schema_version"), "unsupported (this tool reads 1)");
				goto out;
			}
		} else if (k == 1) {
			if (hcl_jr_string(r, HCL_JP("generated")) < 0)
				goto out;
			if (hcl_parse_time(r->sbuf, &l->generated) < 0) {
				hcl_jr_fail(r, at, HCL_JP("generated"), "expected RFC 3339 UTC, e.g. "
					    "2026-11-25T21:00:00Z");
				goto out;
			}
		} else if (k == 2) {
			if (hcl_lr_top_releases(&s) < 0)
				goto out;
		} else if (hcl_lr_entries(&s) < 0) {
			goto out;
		}
	}
	if (k == -1)
		goto out;
	for (int i = 0; hcl_top_keys[i]; i++)
		if (!(seen & (1ull << i))) {
			hcl_jr_fail(r, obj, NULL, "missing \"%s\"", hcl_top_keys[i]);
			goto out;
		}
	/* Every release an entry names must be listed; o->rel_map gets the listed index. */
	for (int i = 0; i < s.nused; i++) {
		size_t j = 0;

		while (j < l->nreleases && strcmp(l->releases[j], s.used[i]) != 0)
			j++;
		if (j == l->nreleases) {
			hcl_jr_fail(r, s.used_at[i], HCL_JP_Q(HCL_JP_KEY(HCL_JP_IDX(HCL_JP("entries"),
				    s.used_line_entry[i]), "releases"), s.used[i]),
				    "release not listed in the top-level releases");
			goto out;
		}
		if (o->rel_map)
			o->rel_map[i] = (int)j;
	}
	if (hcl_lr_dups(&s) < 0)
		goto out;
	if (s.canon_on) {
		s.canon_on = 0;
		if (hcl_canon_end(&s.canon, l, o->digest) < 0) {
			hcl_errf(r->err, "%s: SHA-256 failed (OpenSSL)", r->name);
			goto out;
		}
	}
	rc = 0;
out:
	if (s.canon_on)
		hcl_canon_abort(&s.canon);
	hcl_arena_free(&s.arena);
	free(s.keys);
	if (rc < 0)
		hcl_list_free(l);
	return rc;
}

int hcl_list_parse(struct hcl_list *l, const char *text, size_t len, const char *name,
		   struct hcl_err *err)
{
	struct hcl_list_opts o = { .keep_entries = 1 };
	struct hcl_jr r;
	int rc;

	hcl_jr_init(&r, name, text, len, err);
	rc = hcl_list_read(&r, l, &o);
	if (rc == 0 && hcl_jr_finish(&r) < 0) {
		hcl_list_free(l);
		rc = -1;
	}
	hcl_jr_free(&r);
	return rc;
}

static void hcl_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void hcl_list_free(struct hcl_list *l)
{
	for (size_t i = 0; i < l->nentries; i++) {
		struct hcl_entry *e = &l->entries[i];

		for (size_t j = 0; j < e->ncerts && e->certs; j++) {
			struct hcl_cert *ce = &e->certs[j];

			free(ce->release);
			free(ce->driver);
			free(ce->driver_version);
			free(ce->firmware);
			free(ce->certified);
			hcl_strv_free(ce->features, ce->nfeatures);
			hcl_strv_free(ce->runs, ce->nruns);
			hcl_strv_free(ce->waivers, ce->nwaivers);
			hcl_coverage_free(ce->coverage);
			free(ce->coverage);
		}
		free(e->certs);
		free(e->vendor);
		free(e->model);
	}
	free(l->entries);
	hcl_strv_free(l->releases, l->nreleases);
	memset(l, 0, sizeof(*l));
}

const char *hcl_type_name(enum hcl_type t)
{
	return t == HCL_NIC ? "nic" : "storage";
}

const char *hcl_status_name(enum hcl_status s)
{
	return s == HCL_CERTIFIED ? "certified" : s == HCL_DEPRECATED ? "deprecated" : "revoked";
}

const char *hcl_id_str(uint32_t v, char *buf)
{
	static const char hex[] = "0123456789abcdef";

	if (v == HV_PCI_ANY)
		return "*";
	for (int i = 0; i < 4; i++)
		buf[i] = hex[v >> (12 - 4 * i) & 0xf];
	buf[4] = 0;
	return buf;
}
