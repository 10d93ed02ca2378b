/*
 * certify: the one serial line of a bare-metal target, split into the kernel log and the
 * result channel. With hvr.port=com1 the kernel writes every record on a line of its own as
 *
 *     @hvr CCCCCCCC HVR1 <record> key=value ...
 *
 * CCCCCCCC the CRC-32 (lib/crc32.h) of the record "HVR1 ..." in 8 lower-case hex digits;
 * every other line is the log (docs/result-channel.md, "One serial line"). A frame whose
 * CRC or head is wrong is a garbled record, never believed.
 */
#ifndef CERTIFY_SERIALMUX_H
#define CERTIFY_SERIALMUX_H

#include <stddef.h>

#define SERIALMUX_LINE_MAX	8192	/* longer log lines are passed on in pieces */

/* A byte a text console does not send: outside 0x20..0x7e, and not tab, CR, LF, backspace
 * or ESC (terminal control sequences of the firmware and GRUB). */
int certify_serialmux_garbage(unsigned char c);

struct certify_serialmux_ops {
	/* A log line with its newline; nbad of its bytes are garbage. */
	void (*log)(void *ctx, const char *line, size_t len, size_t nbad);
	/* A frame's record ("HVR1 ...", no newline), or bad != NULL: why the frame is garbled. */
	void (*record)(void *ctx, const char *rec, size_t len, const char *bad);
	void *ctx;
};

struct certify_serialmux {
	char buf[SERIALMUX_LINE_MAX];
	size_t len;
	size_t bytes, garbage;		/* totals seen */
};

/* Feeds what the line delivered; calls ops for every complete line. */
void certify_serialmux_feed(struct certify_serialmux *m, const char *data, size_t n,
			    const struct certify_serialmux_ops *ops);

/* Passes an unfinished last line on as log. */
void certify_serialmux_flush(struct certify_serialmux *m, const struct certify_serialmux_ops *ops);

#endif
