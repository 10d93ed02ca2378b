/*
 * A strict JSON pull reader (RFC 8259) for the list, the signed envelope and JSON
 * inventories: one pass over a buffer, no tree. Strings are validated UTF-8 and decoded;
 * numbers follow the RFC grammar; nesting is limited. Objects are read member by member
 * against a table of known keys, so an unknown or a repeated key is an error that names the
 * input, the line and the key (two parsers taking different copies of a repeated key is how
 * a list could say two things at once).
 *
 * Every function returns 0 (or a documented count/index) on success and -1 with the one-line
 * message in the reader's error on failure; after a failure the reader is spent.
 */
#ifndef HCL_JSON_H
#define HCL_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "hcl.h"

#define HCL_JR_MAX_DEPTH 32

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "hcl_json_plain_run reads eight bytes as a little-endian word"
#endif

/* The first byte at or after s that is not printable ASCII or is '"' or '\\' (end if none):
 * the run a string's bytes stand for themselves, tested eight bytes at a time (a byte below
 * 0x20 or equal to one of the two is found by the borrow of a subtraction; the lowest
 * flagged byte is always a true one). */
static inline const unsigned char *hcl_json_plain_run(const unsigned char *s,
						      const unsigned char *end)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

	while (end - s >= 8) {
		uint64_t x, q, b, m;

		memcpy(&x, s, 8);
		q = x ^ (ones * '"');
		b = x ^ (ones * '\\');
		m = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x;
		m &= highs;
		if (m)
			return s + (__builtin_ctzll(m) >> 3);
		s += 8;
	}
	while (s < end && *s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\')
		s++;
	return s;
}

/* Where a value is, for messages: a chain of segments built on the stack and only turned
 * into text when something is wrong ("entries[3].releases[\"0.1.0\"].driver"). */
struct hcl_jpath {
	const struct hcl_jpath *up;
	const char *key;		/* NULL: an array index */
	size_t index;
	int quoted;			/* ["key"] rather than .key */
};
#define HCL_JP(k)		(&(struct hcl_jpath){ NULL, (k), 0, 0 })
#define HCL_JP_KEY(u, k)	(&(struct hcl_jpath){ (u), (k), 0, 0 })
#define HCL_JP_IDX(u, i)	(&(struct hcl_jpath){ (u), NULL, (i), 0 })
#define HCL_JP_Q(u, k)		(&(struct hcl_jpath){ (u), (k), 0, 1 })

struct hcl_jr {
	const char *base, *p, *end;
	const char *name;		/* the input, for messages */
	struct hcl_err *err;
	int depth, first;
	char *sbuf;			/* the last decoded string (NUL-terminated) */
	size_t slen, scap;
	const char *vs;			/* the last string: in the input or sbuf, not terminated */
	size_t vn;
	/* Called with the bytes consumed so far (before p) whenever the reader moves on by
	 * at least release_step bytes; a mapped file drops the pages behind the reader. */
	void (*release)(void *ctx, const char *upto);
	void *release_ctx;
	const char *released;
};

void hcl_jr_init(struct hcl_jr *r, const char *name, const char *buf, size_t len,
		 struct hcl_err *err);
void hcl_jr_free(struct hcl_jr *r);

/* The 1-based line of position at (for messages). */
size_t hcl_jr_line_at(const struct hcl_jr *r, const char *at);
/* The text of a path into buf. */
void hcl_jpath_str(const struct hcl_jpath *p, char *buf, size_t len);
/* "NAME:LINE: PATH: what" at position at; returns -1. */
int hcl_jr_fail(struct hcl_jr *r, const char *at, const struct hcl_jpath *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Skips whitespace; the position of what follows. */
const char *hcl_jr_here(struct hcl_jr *r);
/* The type of the next value: '{', '[', '"', 'n' (null), 't'/'f' (boolean), '0' (number),
 * or -1 at the end of the input (with an error). Skips whitespace. */
int hcl_jr_peek(struct hcl_jr *r);

int hcl_jr_obj_begin(struct hcl_jr *r, const struct hcl_jpath *path);
/*
 * The next member of the current object: its index in keys (NULL-terminated), -2 after the
 * closing brace, -1 on an error (unknown key, repeated key: *seen keeps one bit per index,
 * so at most 64 keys). The value follows; the caller reads it.
 */
int hcl_jr_member(struct hcl_jr *r, const char *const *keys, uint64_t *seen, const struct hcl_jpath *path);
/* The next member of an object with free keys: 1 with the key in r->sbuf, 0 after the
 * closing brace, -1 on an error. Repeats are the caller's to find. */
int hcl_jr_key(struct hcl_jr *r, const struct hcl_jpath *path);

int hcl_jr_arr_begin(struct hcl_jr *r, const struct hcl_jpath *path);
/* 1 when another element follows, 0 after the closing bracket, -1 on an error. */
int hcl_jr_arr_next(struct hcl_jr *r, const struct hcl_jpath *path);

/* A string into r->sbuf/r->slen (valid until the next string). */
int hcl_jr_string(struct hcl_jr *r, const struct hcl_jpath *path);
/* A string as r->vs/r->vn only (no copy when it has no escapes). */
int hcl_jr_string_view(struct hcl_jr *r, const struct hcl_jpath *path);
/* A string or null: 1 string (in r->sbuf), 0 null. */
int hcl_jr_string_or_null(struct hcl_jr *r, const struct hcl_jpath *path);
/* An integer in [lo, hi]. */
int hcl_jr_int(struct hcl_jr *r, const struct hcl_jpath *path, int64_t lo, int64_t hi, int64_t *v);
/* Only whitespace may follow the top-level value. */
int hcl_jr_finish(struct hcl_jr *r);

#endif
