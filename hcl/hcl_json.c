/* The strict JSON pull reader (hcl_json.h). RFC 8259 section numbers in the comments. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "hcl_json.h"

/* The reader hands consumed input back in steps of this size (mapped files). */
#define HCL_JR_RELEASE_STEP (4u << 20)

void hcl_jr_init(struct hcl_jr *r, const char *name, const char *buf, size_t len,
		 struct hcl_err *err)
{
	memset(r, 0, sizeof(*r));
	r->base = r->p = r->released = buf;
	r->end = buf + len;
	r->name = name;
	r->err = err;
}

void hcl_jr_free(struct hcl_jr *r)
{
	free(r->sbuf);
	r->sbuf = NULL;
	r->scap = 0;
}

size_t hcl_jr_line_at(const struct hcl_jr *r, const char *at)
{
	size_t line = 1;

	for (const char *q = r->base; q < at && (q = memchr(q, '\n', (size_t)(at - q))); q++)
		line++;
	return line;
}

void hcl_jpath_str(const struct hcl_jpath *p, char *buf, size_t len)
{
	size_t n;

	if (!len)
		return;
	buf[0] = 0;
	if (!p)
		return;
	hcl_jpath_str(p->up, buf, len);
	n = strlen(buf);
	char k[48];

	if (!p->key)
		snprintf(buf + n, len - n, "[%zu]", p->index);
	else if (p->quoted)
		snprintf(buf + n, len - n, "[\"%s\"]", hcl_printable(k, sizeof(k), p->key, 40));
	else
		snprintf(buf + n, len - n, "%s%s", n ? "." : "", hcl_printable(k, sizeof(k), p->key, 40));
}

int hcl_jr_fail(struct hcl_jr *r, const char *at, const struct hcl_jpath *path, const char *fmt, ...)
{
	char what[384], ps[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (at > r->end)
		at = r->end;
	hcl_jpath_str(path, ps, sizeof(ps));
	return hcl_errf(r->err, "%s:%zu: %s%s%s", r->name, hcl_jr_line_at(r, at), ps,
			ps[0] ? ": " : "", what);
}

static int hcl_jr_syntax(struct hcl_jr *r, const char *what)
{
	return hcl_jr_fail(r, r->p, NULL, "not valid JSON: %s", what);
}

/* Section 2: insignificant whitespace is space, tab, LF and CR only. */
static inline void hcl_jr_ws(struct hcl_jr *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r'))
		r->p++;
}

/* Hands consumed input back (a mapped file), at most once per release step. */
static inline void hcl_jr_progress(struct hcl_jr *r)
{
	if (r->release && r->p - r->released >= (long)HCL_JR_RELEASE_STEP) {
		r->release(r->release_ctx, r->p);
		r->released = r->p;
	}
}

const char *hcl_jr_here(struct hcl_jr *r)
{
	hcl_jr_ws(r);
	return r->p;
}

int hcl_jr_peek(struct hcl_jr *r)
{
	hcl_jr_ws(r);
	if (r->p >= r->end)
		return hcl_jr_syntax(r, "unexpected end of input");
	switch (*r->p) {
	case '{': case '[': case '"': case 'n': case 't': case 'f':
		return *r->p;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return '0';
	default:
		return hcl_jr_syntax(r, "unexpected character");
	}
}

static int hcl_jr_expect(struct hcl_jr *r, char c, const char *what)
{
	hcl_jr_ws(r);
	if (r->p >= r->end || *r->p != c)
		return hcl_jr_syntax(r, what);
	r->p++;
	return 0;
}

static int hcl_jr_push(struct hcl_jr *r, char open, const struct hcl_jpath *path, const char *what)
{
	if (hcl_jr_peek(r) < 0)
		return -1;
	if (*r->p != open)
		return hcl_jr_fail(r, r->p, path, "expected %s", what);
	if (++r->depth > HCL_JR_MAX_DEPTH)
		return hcl_jr_syntax(r, "nested too deeply");
	r->p++;
	r->first = 1;	/* the next member/element needs no comma */
	return 0;
}

int hcl_jr_obj_begin(struct hcl_jr *r, const struct hcl_jpath *path)
{
	return hcl_jr_push(r, '{', path, "an object");
}

int hcl_jr_arr_begin(struct hcl_jr *r, const struct hcl_jpath *path)
{
	return hcl_jr_push(r, '[', path, "an array");
}

/* After '{' / '[' (first) or after a value: 1 more follows, 0 closed, -1 error. */
static int hcl_jr_more(struct hcl_jr *r, char close)
{
	int first = r->first;

	r->first = 0;
	hcl_jr_progress(r);
	hcl_jr_ws(r);
	if (r->p >= r->end)
		return hcl_jr_syntax(r, "unexpected end of input");
	if (*r->p == close) {
		r->p++;
		r->depth--;
		return 0;
	}
	if (first)
		return 1;
	if (*r->p != ',')
		return hcl_jr_syntax(r, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	r->p++;
	hcl_jr_ws(r);
	if (r->p < r->end && *r->p == close)
		return hcl_jr_syntax(r, "trailing comma");
	return 1;
}

int hcl_jr_arr_next(struct hcl_jr *r, const struct hcl_jpath *path)
{
	(void)path;
	return hcl_jr_more(r, ']');
}

static int hcl_jr_grow(struct hcl_jr *r, size_t need)
{
	if (need <= r->scap)
		return 0;
	size_t cap = r->scap ? r->scap : 256;

	while (cap < need)
		cap *= 2;
	char *n = realloc(r->sbuf, cap);

	if (!n)
		return hcl_errf(r->err, "%s: out of memory", r->name);
	r->sbuf = n;
	r->scap = cap;
	return 0;
}

static int hcl_jr_hex4(const char *s, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			*v |= (unsigned)((c | 0x20) - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

static size_t hcl_jr_utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629 section 4), or 0. */
static size_t hcl_jr_utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0];
	size_t n;
	unsigned min, cp;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if ((size_t)(end - s) < n)
		return 0;
	cp = c & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Section 7: a string, decoded into sbuf; with view, a string without escapes and non-ASCII
 * bytes is left where it is (r->vs, r->vn) instead of copied. */
static int hcl_jr_str(struct hcl_jr *r, int view)
{
	const unsigned char *s, *end = (const unsigned char *)r->end;
	size_t o = 0;

	if (hcl_jr_expect(r, '"', "expected a string") < 0)
		return -1;
	s = (const unsigned char *)r->p;
	if (view) {
		const unsigned char *q = s;

		q = hcl_json_plain_run(q, end);
		if (q < end && *q == '"') {
			r->vs = (const char *)s;
			r->vn = (size_t)(q - s);
			r->p = (const char *)q + 1;
			return 0;
		}
	}
	for (;;) {
		const unsigned char *run = s;

		/* The plain run: printable ASCII without quote or backslash. */
		s = hcl_json_plain_run(s, end);
		if (hcl_jr_grow(r, o + (size_t)(s - run) + 8) < 0)
			return -1;
		memcpy(r->sbuf + o, run, (size_t)(s - run));
		o += (size_t)(s - run);
		if (s >= end) {
			r->p = (const char *)s;
			return hcl_jr_syntax(r, "unterminated string");
		}
		if (*s == '"')
			break;
		if (*s < 0x20) {
			r->p = (const char *)s;
			return hcl_jr_syntax(r, "control character in a string");
		}
		if (*s >= 0x80) {
			size_t n = hcl_jr_utf8_len(s, end);

			if (!n) {
				r->p = (const char *)s;
				return hcl_jr_syntax(r, "invalid UTF-8 in a string");
			}
			memcpy(r->sbuf + o, s, n);
			o += n;
			s += n;
			continue;
		}
		/* A backslash escape. */
		if (end - s < 2) {
			r->p = (const char *)s;
			return hcl_jr_syntax(r, "unterminated string");
		}
		switch (s[1]) {
		case '"': case '\\': case '/':
			r->sbuf[o++] = (char)s[1];
			s += 2;
			continue;
		case 'b': r->sbuf[o++] = '\b'; s += 2; continue;
		case 'f': r->sbuf[o++] = '\f'; s += 2; continue;
		case 'n': r->sbuf[o++] = '\n'; s += 2; continue;
		case 'r': r->sbuf[o++] = '\r'; s += 2; continue;
		case 't': r->sbuf[o++] = '\t'; s += 2; continue;
		case 'u':
			break;
		default:
			r->p = (const char *)s;
			return hcl_jr_syntax(r, "invalid escape in a string");
		}
		unsigned cp, lo;

		if (end - s < 6 || hcl_jr_hex4((const char *)s + 2, &cp) < 0) {
			r->p = (const char *)s;
			return hcl_jr_syntax(r, "invalid \\u escape");
		}
		s += 6;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			/* A high surrogate needs its low half (section 7). */
			if (end - s < 6 || s[0] != '\\' || s[1] != 'u' ||
			    hcl_jr_hex4((const char *)s + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
				r->p = (const char *)s;
				return hcl_jr_syntax(r, "unpaired surrogate in a \\u escape");
			}
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			s += 6;
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			r->p = (const char *)s;
			return hcl_jr_syntax(r, "unpaired surrogate in a \\u escape");
		}
		if (cp == 0) {
			r->p = (const char *)s;
			return hcl_jr_syntax(r, "NUL character in a string");
		}
		o += hcl_jr_utf8_put(r->sbuf + o, cp);
	}
	r->sbuf[o] = 0;
	r->slen = o;
	r->vs = r->sbuf;
	r->vn = o;
	r->p = (const char *)s + 1;
	return 0;
}

int hcl_jr_string(struct hcl_jr *r, const struct hcl_jpath *path)
{
	int t = hcl_jr_peek(r);

	if (t < 0)
		return -1;
	if (t != '"')
		return hcl_jr_fail(r, r->p, path, "expected a string");
	return hcl_jr_str(r, 0);
}

int hcl_jr_string_view(struct hcl_jr *r, const struct hcl_jpath *path)
{
	int t = hcl_jr_peek(r);

	if (t < 0)
		return -1;
	if (t != '"')
		return hcl_jr_fail(r, r->p, path, "expected a string");
	return hcl_jr_str(r, 1);
}

static int hcl_jr_word(struct hcl_jr *r, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return hcl_jr_syntax(r, "invalid literal");
	r->p += n;
	return 0;
}

int hcl_jr_string_or_null(struct hcl_jr *r, const struct hcl_jpath *path)
{
	int t = hcl_jr_peek(r);

	if (t < 0)
		return -1;
	if (t == 'n')
		return hcl_jr_word(r, "null");
	if (t != '"')
		return hcl_jr_fail(r, r->p, path, "expected a string or null");
	return hcl_jr_str(r, 0) < 0 ? -1 : 1;
}

/* Section 6: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int hcl_jr_number(struct hcl_jr *r, const char **start, int *integral)
{
	const char *s = r->p;

	*start = s;
	*integral = 1;
	if (s < r->end && *s == '-')
		s++;
	if (s >= r->end || *s < '0' || *s > '9')
		return hcl_jr_syntax(r, "invalid number");
	if (*s == '0')
		s++;
	else
		while (s < r->end && *s >= '0' && *s <= '9')
			s++;
	if (s < r->end && *s == '.') {
		*integral = 0;
		if (++s >= r->end || *s < '0' || *s > '9')
			return hcl_jr_syntax(r, "invalid number");
		while (s < r->end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < r->end && (*s == 'e' || *s == 'E')) {
		*integral = 0;
		s++;
		if (s < r->end && (*s == '+' || *s == '-'))
			s++;
		if (s >= r->end || *s < '0' || *s > '9')
			return hcl_jr_syntax(r, "invalid number");
		while (s < r->end && *s >= '0' && *s <= '9')
			s++;
	}
	r->p = s;
	return 0;
}

int hcl_jr_int(struct hcl_jr *r, const struct hcl_jpath *path, int64_t lo, int64_t hi, int64_t *v)
{
	const char *start;
	int integral, t = hcl_jr_peek(r);
	int64_t x = 0;

	if (t < 0)
		return -1;
	if (t != '0')
		return hcl_jr_fail(r, r->p, path, "expected an integer");
	if (hcl_jr_number(r, &start, &integral) < 0)
		return -1;
	if (!integral)
		return hcl_jr_fail(r, start, path, "expected an integer");
	for (const char *s = start + (*start == '-'); s < r->p; s++) {
		if (x > (INT64_MAX - 9) / 10)
			return hcl_jr_fail(r, start, path, "integer out of range");
		x = x * 10 + (*s - '0');
	}
	if (*start == '-')
		x = -x;
	if (x < lo || x > hi)
		return hcl_jr_fail(r, start, path, "expected an integer from %lld to %lld",
				   (long long)lo, (long long)hi);
	*v = x;
	return 0;
}

int hcl_jr_key(struct hcl_jr *r, const struct hcl_jpath *path)
{
	int more = hcl_jr_more(r, '}');

	if (more <= 0)
		return more;
	hcl_jr_ws(r);
	if (r->p >= r->end || *r->p != '"')
		return hcl_jr_fail(r, r->p, path, "not valid JSON: expected a member name");
	if (hcl_jr_str(r, 0) < 0 || hcl_jr_expect(r, ':', "expected ':' after a member name") < 0)
		return -1;
	return 1;
}

/* Past the member name at r->p when it is key, written without escapes; else NULL. */
static const char *hcl_jr_name_is(const struct hcl_jr *r, const char *key)
{
	const char *q = r->p + 1;

	while (*key && q < r->end && *q == *key) {
		q++;
		key++;
	}
	return !*key && q < r->end && *q == '"' ? q + 1 : NULL;
}

/* The first key of keys not in seen (the index of the NULL at the end when none). */
static int hcl_jr_unseen(uint64_t seen)
{
	return ~seen ? __builtin_ctzll(~seen) : 64;
}

int hcl_jr_member(struct hcl_jr *r, const char *const *keys, uint64_t *seen, const struct hcl_jpath *path)
{
	const char *at;
	int more, next;

	/* Lists are written in the order of the key table: the next key not seen yet, or the
	 * one after it (an optional key left out), is compared in place before anything is
	 * decoded. */
	next = hcl_jr_unseen(*seen);
	more = hcl_jr_more(r, '}');
	if (more <= 0)
		return more < 0 ? -1 : -2;
	hcl_jr_ws(r);
	at = r->p;
	for (int t = 0; t < 2 && keys[next] && r->p < r->end && *r->p == '"'; t++) {
		const char *q = hcl_jr_name_is(r, keys[next]);

		if (q) {
			r->p = q;
			if (hcl_jr_expect(r, ':', "expected ':' after a member name") < 0)
				return -1;
			*seen |= 1ull << next;
			return next;
		}
		next = hcl_jr_unseen(*seen | 1ull << next);
	}
	if (r->p >= r->end || *r->p != '"')
		return hcl_jr_fail(r, r->p, path, "not valid JSON: expected a member name");
	if (hcl_jr_str(r, 0) < 0 || hcl_jr_expect(r, ':', "expected ':' after a member name") < 0)
		return -1;
	for (int i = 0; keys[i]; i++)
		if (strcmp(keys[i], r->sbuf) == 0) {
			if (*seen & (1ull << i))
				return hcl_jr_fail(r, at, path, "duplicate key \"%s\"", r->sbuf);
			*seen |= 1ull << i;
			return i;
		}
	char k[72];

	return hcl_jr_fail(r, at, path, "unknown key \"%s\"", hcl_printable(k, sizeof(k), r->sbuf, 64));
}

int hcl_jr_finish(struct hcl_jr *r)
{
	hcl_jr_ws(r);
	if (r->p < r->end)
		return hcl_jr_fail(r, r->p, NULL, "text after the end of the JSON value");
	return 0;
}
