/* certify: parser for the result channel, version 1. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvr.h"
#include <lib/fmt.h>

void hvr_splitter_feed(struct hvr_splitter *sp, const char *data, size_t n,
		       hvr_line_fn line, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		char c = data[i];

		if (c == '\n') {
			if (!sp->dropping) {
				size_t len = sp->len;

				if (len && sp->buf[len - 1] == '\r')
					len--;
				sp->buf[len] = '\0';
				line(ctx, sp->buf, len, 0);
			}
			sp->len = 0;
			sp->dropping = 0;
			continue;
		}
		if (sp->dropping)
			continue;
		if (sp->len == HVR_MAX_LINE) {
			sp->buf[sp->len] = '\0';
			line(ctx, sp->buf, sp->len, 1);
			sp->len = 0;
			sp->dropping = 1;
			continue;
		}
		sp->buf[sp->len++] = c;
	}
}

size_t hvr_splitter_flush(struct hvr_splitter *sp, hvr_line_fn line, void *ctx)
{
	size_t len = sp->len;

	if (len && !sp->dropping) {
		sp->buf[len] = '\0';
		line(ctx, sp->buf, len, 0);
	}
	sp->len = 0;
	sp->dropping = 0;
	return len;
}

int hvr_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		int hi, lo;

		if (*s != '%') {
			*out++ = *s;
			continue;
		}
		hi = fmt_hex_digit(s[1]);
		lo = hi < 0 ? -1 : fmt_hex_digit(s[2]);
		if (lo < 0)
			return -1;
		*out++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*out = '\0';
	return 0;
}

static int hvr_is_word(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

/* Splits "key=value" at rec->buf position p into the next field. */
static int hvr_field_add(struct hvr_record *rec, char *tok, struct certify_err *err)
{
	char *eq = strchr(tok, '=');

	if (!eq)
		return certify_errf(err, "field '%.40s' has no '='", tok);
	*eq = '\0';
	if (!hvr_is_word(tok, "abcdefghijklmnopqrstuvwxyz0123456789_."))
		return certify_errf(err, "bad key '%.40s'", tok);
	if (hvr_unescape(eq + 1) < 0)
		return certify_errf(err, "key '%s': bad %%XX escape", tok);
	if (rec->nfields == HVR_MAX_FIELDS)
		return certify_errf(err, "more than %d fields", HVR_MAX_FIELDS);
	rec->field[rec->nfields].key = tok;
	rec->field[rec->nfields].value = eq + 1;
	rec->nfields++;
	return 0;
}

int hvr_parse(const char *line, size_t len, struct hvr_record *rec, struct certify_err *err)
{
	char *p, *tok;

	rec->nfields = 0;
	rec->type = NULL;
	if (len > HVR_MAX_LINE)
		return certify_errf(err, "line longer than %d bytes", HVR_MAX_LINE);
	if (len < 5 || memcmp(line, "HVR1 ", 5) != 0)
		return certify_errf(err, "not an HVR1 line: '%.60s'", line);
	if (memchr(line, '\0', len))
		return certify_errf(err, "NUL byte in line");
	memcpy(rec->buf, line + 5, len - 5);
	rec->buf[len - 5] = '\0';
	p = rec->buf;
	tok = strsep(&p, " ");
	if (!hvr_is_word(tok, "abcdefghijklmnopqrstuvwxyz_"))
		return certify_errf(err, "bad record name '%.40s'", tok);
	rec->type = tok;
	while ((tok = strsep(&p, " ")) != NULL) {
		if (*tok == '\0')
			continue;	/* tolerate doubled or trailing blanks */
		if (hvr_field_add(rec, tok, err) < 0)
			return -1;
	}
	return 0;
}

const char *hvr_get(const struct hvr_record *rec, const char *key)
{
	for (int i = 0; i < rec->nfields; i++) {
		if (strcmp(rec->field[i].key, key) == 0)
			return rec->field[i].value;
	}
	return NULL;
}

static int hvr_get_base(const struct hvr_record *rec, const char *key, int base, uint64_t *out)
{
	const char *v = hvr_get(rec, key);
	char *end;
	unsigned long long n;

	if (!v || !*v || *v == '-' || *v == '+' || *v == ' ')
		return -1;
	errno = 0;
	n = strtoull(v, &end, base);
	if (errno || *end)
		return -1;
	*out = n;
	return 0;
}

int hvr_get_u64(const struct hvr_record *rec, const char *key, uint64_t *out)
{
	return hvr_get_base(rec, key, 10, out);
}

int hvr_get_hex(const struct hvr_record *rec, const char *key, uint64_t *out)
{
	const char *v = hvr_get(rec, key);

	if (v && (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')))
		return -1;	/* hex values are written without 0x */
	return hvr_get_base(rec, key, 16, out);
}
