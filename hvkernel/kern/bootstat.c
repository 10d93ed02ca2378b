/* The boot breakdown (kern/bootstat.h). */
#include <kern/bootstat.h>
#include <kern/hvr.h>
#include <kern/log.h>
#include <kern/time.h>
#include <kern/uart.h>

struct cpu_exitcount cpu_exits;

/* Where the previous phase ended: zero counters at kernel entry. */
static struct bootstat_mark bootstat_last;

void bootstat_mark(struct bootstat_mark *m)
{
	m->us = time_us();
	m->x = cpu_exits;
	m->con = uart_bytes;
}

/* The counters' growth since START, as record keys. */
static void bootstat_keys(const struct bootstat_mark *start, const struct bootstat_mark *now)
{
	hvr_u64("dus", now->us - start->us);
	hvr_u64("pio", now->x.pio - start->x.pio);
	hvr_u64("mmio", now->x.mmio - start->x.mmio);
	hvr_u64("other", now->x.other - start->x.other);
	hvr_u64("con", now->con - start->con);
}

void bootstat_phase(const char *name)
{
	struct bootstat_mark now, start = bootstat_last;

	bootstat_mark(&now);
	klog_info("boot: %s done at %llu us (+%llu us: %llu port I/O, %llu MMIO, %llu other exits, "
		  "%llu console bytes)", name, (unsigned long long)now.us,
		  (unsigned long long)(now.us - start.us),
		  (unsigned long long)(now.x.pio - start.x.pio),
		  (unsigned long long)(now.x.mmio - start.x.mmio),
		  (unsigned long long)(now.x.other - start.x.other),
		  (unsigned long long)(now.con - start.con));
	hvr_begin("phase");
	hvr_str("name", name);
	hvr_u64("us", now.us);
	bootstat_keys(&start, &now);
	hvr_end();
	/* The lines above count in the next phase: the phases add up to kernel entry -> now. */
	bootstat_last = now;
}

void bootstat_bind(const char *slot, const char *driver, const char *status,
		   const struct bootstat_mark *start, const struct bootstat_mark *end)
{
	hvr_begin("bind");
	hvr_str("slot", slot);
	hvr_str("driver", driver);
	hvr_str("status", status);
	bootstat_keys(start, end);
	hvr_end();
}
