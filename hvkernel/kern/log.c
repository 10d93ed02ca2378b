/* The kernel log on COM1. Lines are formatted into a buffer, then written in one go. */
#include <arch/cpu.h>
#include <arch/uartreg.h>
#include <hv/lock.h>
#include <kern/log.h>
#include <kern/time.h>
#include <kern/uart.h>
#include <lib/fmt.h>

int log_verbose = 1;
static int log_ready;
static char log_last = '\n';	/* the last byte on COM1: a frame starts on a line of its own */
/* Lines from several CPUs must not interleave character by character. */
static struct hv_spinlock log_lock = HV_SPINLOCK_INIT;

void log_init(void)
{
	if (!log_ready)
		uart_init(UART_COM1);
	log_ready = 1;
}

void log_write(const char *s, unsigned long n)
{
	uart_write(UART_COM1, s, n);
	if (n)
		log_last = s[n - 1];
}

void log_frame(const char *s, unsigned long n)
{
	unsigned long on = hv_spin_lock_irqsave(&log_lock);

	if (log_last != '\n')
		log_write("\n", 1);
	log_write(s, n);
	hv_spin_unlock_irqrestore(&log_lock, on);
}

static void log_emit(char *buf, int len, int cap)
{
	if (len >= cap)
		len = cap - 1;	/* truncated: keep what fits */
	if (len == 0 || buf[len - 1] != '\n')
		buf[len++] = '\n';
	unsigned long on = hv_spin_lock_irqsave(&log_lock);
	log_write(buf, (unsigned long)len);
	hv_spin_unlock_irqrestore(&log_lock, on);
}

void kvlog(const char *fmt, va_list ap)
{
	char buf[512];
	uint64_t us = time_us();
	int n = fmt_snprintf(buf, sizeof(buf) - 1, "[%3llu.%06llu] ",
			     (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000));

	n += fmt_vsnprintf(buf + n, sizeof(buf) - 1 - (size_t)n, fmt, ap);
	log_emit(buf, n, (int)sizeof(buf));
}

void klog(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvlog(fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	unsigned long on = hv_spin_lock_irqsave(&log_lock);
	log_write(buf, (unsigned long)n);
	hv_spin_unlock_irqrestore(&log_lock, on);
}
