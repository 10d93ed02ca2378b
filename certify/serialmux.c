/* certify: the serial line split into log and result channel (serialmux.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/crc32.h>

#include "serialmux.h"

#define SERIALMUX_HEAD	14	/* "@hvr CCCCCCCC " */

int certify_serialmux_garbage(unsigned char c)
{
	return !((c >= 0x20 && c <= 0x7e) || c == '\t' || c == '\r' || c == '\n' || c == '\b' ||
		 c == 0x1b);
}

static void serialmux_frame(const char *line, size_t len, const struct certify_serialmux_ops *ops)
{
	char hex[9], *end, bad[160];
	unsigned long want;
	uint32_t got;

	if (len < SERIALMUX_HEAD + 5 || line[SERIALMUX_HEAD - 1] != ' ') {
		snprintf(bad, sizeof(bad), "a garbled frame head '%.40s'", line);
		ops->record(ops->ctx, NULL, 0, bad);
		return;
	}
	memcpy(hex, line + 5, 8);
	hex[8] = '\0';
	want = strtoul(hex, &end, 16);
	got = crc32_buf(line + SERIALMUX_HEAD, len - SERIALMUX_HEAD);
	if (*end || strspn(hex, "0123456789abcdef") != 8) {
		snprintf(bad, sizeof(bad), "a frame with a malformed CRC '%s': '%.40s'", hex, line);
		ops->record(ops->ctx, NULL, 0, bad);
	} else if (want != got) {
		snprintf(bad, sizeof(bad), "a frame whose CRC-32 is %08x, not %s (garbled on the line): "
			 "'%.60s'", got, hex, line + SERIALMUX_HEAD);
		ops->record(ops->ctx, NULL, 0, bad);
	} else {
		ops->record(ops->ctx, line + SERIALMUX_HEAD, len - SERIALMUX_HEAD, NULL);
	}
}

static void serialmux_line(struct certify_serialmux *m, const struct certify_serialmux_ops *ops,
			   int complete)
{
	size_t len = m->len, nbad = 0;

	if (complete && !strncmp(m->buf, "@hvr ", len < 5 ? len : 5) && len >= 5) {
		while (len && m->buf[len - 1] == '\r')
			len--;
		m->buf[len] = '\0';
		serialmux_frame(m->buf, len, ops);
		m->len = 0;
		return;
	}
	for (size_t i = 0; i < m->len; i++)
		nbad += (size_t)certify_serialmux_garbage((unsigned char)m->buf[i]);
	if (complete)
		m->buf[m->len++] = '\n';
	ops->log(ops->ctx, m->buf, m->len, nbad);
	m->len = 0;
}

void certify_serialmux_feed(struct certify_serialmux *m, const char *data, size_t n,
			    const struct certify_serialmux_ops *ops)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)data[i];

		m->bytes++;
		m->garbage += (size_t)certify_serialmux_garbage(c);
		if (c == '\n') {
			serialmux_line(m, ops, 1);
			continue;
		}
		m->buf[m->len++] = (char)c;
		if (m->len == SERIALMUX_LINE_MAX - 2)
			serialmux_line(m, ops, 0);	/* a frame is never this long: log */
	}
}

void certify_serialmux_flush(struct certify_serialmux *m, const struct certify_serialmux_ops *ops)
{
	if (m->len)
		serialmux_line(m, ops, 0);
}
