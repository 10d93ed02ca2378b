/* certify: parser for the result channel, version 1 (docs/result-channel.md). */
#ifndef CERTIFY_HVR_H
#define CERTIFY_HVR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define HVR_MAX_LINE	4096	/* longer lines are a protocol error */
#define HVR_MAX_FIELDS	32

struct hvr_field {
	const char *key;
	const char *value;	/* unescaped */
};

/* One parsed line; the strings point into buf. */
struct hvr_record {
	const char *type;	/* "pci", "test", ... */
	struct hvr_field field[HVR_MAX_FIELDS];
	int nfields;
	char buf[HVR_MAX_LINE + 1];
};

/*
 * Splits a byte stream into lines. Feed it what arrives; it calls `line` for every
 * complete line (without the newline, a trailing \r removed). A line longer than
 * HVR_MAX_LINE is passed once as its first HVR_MAX_LINE bytes with toolong=1, and
 * the rest of it is dropped.
 */
struct hvr_splitter {
	char buf[HVR_MAX_LINE + 1];
	size_t len;
	int dropping;		/* inside the tail of an overly long line */
};

typedef void (*hvr_line_fn)(void *ctx, const char *line, size_t len, int toolong);

void hvr_splitter_feed(struct hvr_splitter *sp, const char *data, size_t n,
		       hvr_line_fn line, void *ctx);

/* Returns the bytes of an unfinished last line (0 when none) and clears them. */
size_t hvr_splitter_flush(struct hvr_splitter *sp, hvr_line_fn line, void *ctx);

/* Unescapes %XX in place. Returns 0, or -1 on a malformed escape. */
int hvr_unescape(char *s);

/*
 * Parses one line ("HVR1 <record> key=value ..."). Returns 0, or -1 with a message
 * when the line is not HVR1 or is malformed.
 */
int hvr_parse(const char *line, size_t len, struct hvr_record *rec, struct certify_err *err);

/* The unescaped value of key, or NULL. */
const char *hvr_get(const struct hvr_record *rec, const char *key);

/* Decimal and hexadecimal getters. Return 0, or -1 when missing or malformed. */
int hvr_get_u64(const struct hvr_record *rec, const char *key, uint64_t *out);
int hvr_get_hex(const struct hvr_record *rec, const char *key, uint64_t *out);

#endif
