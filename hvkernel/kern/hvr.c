/* Result-channel writer and the host handshake (docs/result-channel.md). */
#include <arch/cpu.h>
#include <arch/uartreg.h>
#include <hv/errno.h>
#include <kern/cmdline.h>
#include <kern/hvr.h>
#include <kern/log.h>
#include <kern/string.h>
#include <kern/time.h>
#include <kern/uart.h>
#include <lib/crc32.h>
#include <lib/fmt.h>

#define HVR_LINE_MAX	2048
#define HVR_FRAME_HEAD	14	/* "@hvr XXXXXXXX " */

/* The record is built after room for its frame head (hvr.port=com1). */
static char hvr_frame[HVR_FRAME_HEAD + HVR_LINE_MAX];
static char *const hvr_line = hvr_frame + HVR_FRAME_HEAD;
static size_t hvr_len;
static int hvr_irq_on;
static uint16_t hvr_port = UART_COM2;

void hvr_init(void)
{
	uart_init(UART_COM2);
}

/*
 * hvr.port=com1: a machine with one serial line (a physical machine on a console server)
 * gets its records on COM1 among the log lines, each on a line of its own as
 * "@hvr CRC HVR1 ...", CRC the CRC-32 of the record in 8 hex digits, and the host's
 * answers ("go P") on COM1 too (docs/result-channel.md, "One serial line").
 */
void hvr_configure(void)
{
	const char *port = cmdline_get("hvr.port");

	if (port && strcmp(port, "com1") == 0)
		hvr_port = UART_COM1;
	else if (port && strcmp(port, "com2") != 0)
		klog("hvr: hvr.port=%s is neither com1 nor com2; the result channel stays on COM2", port);
}

static void hvr_append(const char *s, size_t n)
{
	if (hvr_len + n > HVR_LINE_MAX - 2)
		n = HVR_LINE_MAX - 2 - hvr_len;	/* truncate: the line stays well-formed */
	memcpy(hvr_line + hvr_len, s, n);
	hvr_len += n;
}

void hvr_begin(const char *record)
{
	hvr_irq_on = cpu_irq_save();
	hvr_len = 0;
	hvr_append("HVR1 ", 5);
	hvr_append(record, strlen(record));
}

static void hvr_key(const char *key)
{
	hvr_append(" ", 1);
	hvr_append(key, strlen(key));
	hvr_append("=", 1);
}

void hvr_str(const char *key, const char *value)
{
	char esc[HVR_LINE_MAX];

	hvr_key(key);
	int n = fmt_escape(esc, sizeof(esc), value ? value : "");
	if (n >= (int)sizeof(esc))
		n = sizeof(esc) - 1;
	hvr_append(esc, (size_t)n);
}

void hvr_u64(const char *key, uint64_t value)
{
	char buf[24];
	int n = fmt_snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);

	hvr_key(key);
	hvr_append(buf, (size_t)n);
}

void hvr_hex(const char *key, uint64_t value, int digits)
{
	char buf[24];
	int n = fmt_snprintf(buf, sizeof(buf), "%0*llx", digits, (unsigned long long)value);

	hvr_key(key);
	hvr_append(buf, (size_t)n);
}

void hvr_end(void)
{
	if (hvr_port == UART_COM1) {
		char head[HVR_FRAME_HEAD + 1];

		fmt_snprintf(head, sizeof(head), "@hvr %08x ", crc32_buf(hvr_line, hvr_len));
		memcpy(hvr_frame, head, HVR_FRAME_HEAD);
		hvr_line[hvr_len++] = '\n';
		log_frame(hvr_frame, HVR_FRAME_HEAD + hvr_len);
	} else {
		hvr_line[hvr_len++] = '\n';
		uart_write(UART_COM2, hvr_line, hvr_len);
	}
	cpu_irq_restore(hvr_irq_on);
}

int hvr_sync(const char *point)
{
	char want[80], got[80];
	size_t have = 0;
	uint64_t timeout_s = cmdline_get_u64("hvr.sync_timeout", 30);

	fmt_snprintf(want, sizeof(want), "go %s", point);
	/* Drop anything the host sent earlier: only an answer to this point counts. */
	while (uart_getc(hvr_port) >= 0)
		;
	hvr_begin("sync");
	hvr_str("point", point);
	hvr_end();

	uint64_t deadline = time_us() + timeout_s * 1000000;
	while (time_us() < deadline) {
		int c = uart_getc(hvr_port);
		if (c < 0) {
			cpu_pause();
			continue;
		}
		if (c == '\r')
			continue;
		if (c != '\n') {
			if (have < sizeof(got) - 1)
				got[have++] = (char)c;
			continue;
		}
		got[have] = 0;
		if (strcmp(got, want) == 0)
			return 0;
		klog("hvr: ignoring unexpected host line '%s' while waiting for '%s'", got, want);
		have = 0;
	}
	klog("hvr: no '%s' from the host within %llu s", want, (unsigned long long)timeout_s);
	return -HV_ETIMEDOUT;
}
