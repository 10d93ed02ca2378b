/* certify: growable, NULL-terminated string vectors (argv lists). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

static int strv_take(struct certify_strv *sv, char *s)
{
	if (!s)
		return -1;
	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 16;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v) {
			free(s);
			return -1;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int certify_strv_push(struct certify_strv *sv, const char *s)
{
	return strv_take(sv, strdup(s));
}

int certify_strv_pushf(struct certify_strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	return strv_take(sv, s);
}

int certify_strv_split(struct certify_strv *sv, const char *s)
{
	while (*s) {
		size_t len;

		s += strspn(s, " \t");
		len = strcspn(s, " \t");
		if (len == 0)
			break;
		if (strv_take(sv, strndup(s, len)) < 0)
			return -1;
		s += len;
	}
	return 0;
}

void certify_strv_free(struct certify_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

/* Words made only of these characters need no quotes. */
static int strv_plain(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			       "0123456789-_=,./:+@%") == strlen(s);
}

char *certify_strv_join_shell(const struct certify_strv *sv)
{
	size_t cap = 1;
	char *out, *p;

	for (size_t i = 0; i < sv->n; i++)
		cap += strlen(sv->v[i]) * 4 + 3;
	out = p = malloc(cap);
	if (!out)
		return NULL;
	for (size_t i = 0; i < sv->n; i++) {
		const char *s = sv->v[i];

		if (i)
			*p++ = ' ';
		if (strv_plain(s)) {
			p = stpcpy(p, s);
			continue;
		}
		*p++ = '\'';
		for (; *s; s++) {
			if (*s == '\'')
				p = stpcpy(p, "'\\''");
			else
				*p++ = *s;
		}
		*p++ = '\'';
	}
	*p = '\0';
	return out;
}
