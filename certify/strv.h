/* certify: growable, NULL-terminated string vectors (argv lists). */
#ifndef CERTIFY_STRV_H
#define CERTIFY_STRV_H

#include <stddef.h>

/* v[n] is always NULL once anything was pushed, so v can be passed to execv(). */
struct certify_strv {
	char **v;
	size_t n, cap;
};

/* Appends a copy of s. Returns 0, or -1 when out of memory. */
int certify_strv_push(struct certify_strv *sv, const char *s);

/* Appends a formatted string. Returns 0, or -1 when out of memory. */
int certify_strv_pushf(struct certify_strv *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends every blank-separated word of s. Returns 0, or -1 when out of memory. */
int certify_strv_split(struct certify_strv *sv, const char *s);

/* Frees every string and the vector; sv is empty afterwards. */
void certify_strv_free(struct certify_strv *sv);

/* Returns the vector as one shell-quoted line (malloc'ed), or NULL when out of memory. */
char *certify_strv_join_shell(const struct certify_strv *sv);

#endif
