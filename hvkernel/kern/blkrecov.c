/*
 * Recoveries storage drivers perform (DDK hv_blkdev_recovery, kern/blkrecov.h): counted in
 * any context (a driver recovers from its timer or interrupt), reported as `recovery`
 * records from the test runner's context, where a record cannot cut into another one.
 */
#include <arch/cpu.h>
#include <kern/blkrecov.h>
#include <kern/driver.h>
#include <kern/hvr.h>
#include <kern/log.h>
#include <kern/string.h>

#define BLKRECOV_PENDING	16

static struct {
	char slot[16], driver[24], action[16];
	unsigned requests;
} blkrecov_pending[BLKRECOV_PENDING];
static unsigned blkrecov_npending;
static struct blkrecov_counts blkrecov_total, blkrecov_unlisted;

static void blkrecov_copy(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	for (; src && src[i] && i + 1 < n; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

void blkrecov_note(struct pci_dev *d, const char *action, unsigned requests)
{
	int on = cpu_irq_save();
	char slot[16];

	blkrecov_total.events++;
	blkrecov_total.requests += requests;
	if (blkrecov_npending < BLKRECOV_PENDING) {
		unsigned i = blkrecov_npending++;

		blkrecov_copy(blkrecov_pending[i].slot, sizeof(blkrecov_pending[i].slot),
			      d ? pci_slot_name(d, slot) : "-");
		blkrecov_copy(blkrecov_pending[i].driver, sizeof(blkrecov_pending[i].driver),
			      d && d->driver ? d->driver->name : "-");
		blkrecov_copy(blkrecov_pending[i].action, sizeof(blkrecov_pending[i].action), action);
		blkrecov_pending[i].requests = requests;
	} else {
		blkrecov_unlisted.events++;
		blkrecov_unlisted.requests += requests;
	}
	cpu_irq_restore(on);
	klog("blkdev: %s: recovery '%s' completed %u requests", d ? pci_slot_name(d, slot) : "-",
	     action ? action : "?", requests);
}

void blkrecov_get(struct blkrecov_counts *c)
{
	int on = cpu_irq_save();

	*c = blkrecov_total;
	cpu_irq_restore(on);
}

void blkrecov_report(const char *test)
{
	for (;;) {
		int on = cpu_irq_save();
		unsigned n = blkrecov_npending;
		struct blkrecov_counts more = blkrecov_unlisted;
		char slot[16], driver[24], action[16];
		unsigned requests = 0;

		if (n) {
			memcpy(slot, blkrecov_pending[0].slot, sizeof(slot));
			memcpy(driver, blkrecov_pending[0].driver, sizeof(driver));
			memcpy(action, blkrecov_pending[0].action, sizeof(action));
			requests = blkrecov_pending[0].requests;
			memmove(&blkrecov_pending[0], &blkrecov_pending[1], (n - 1) * sizeof(blkrecov_pending[0]));
			blkrecov_npending--;
		} else {
			blkrecov_unlisted = (struct blkrecov_counts){ 0, 0 };
		}
		cpu_irq_restore(on);
		if (!n) {
			if (more.events) {	/* more than the list held: summed in one record */
				hvr_begin("recovery");
				hvr_str("dev", "-");
				hvr_str("driver", "-");
				hvr_str("action", "unlisted");
				hvr_u64("events", more.events);
				hvr_u64("requests", more.requests);
				hvr_str("test", test ? test : "-");
				hvr_end();
			}
			return;
		}
		hvr_begin("recovery");
		hvr_str("dev", slot);
		hvr_str("driver", driver);
		hvr_str("action", action);
		hvr_u64("events", 1);
		hvr_u64("requests", requests);
		hvr_str("test", test ? test : "-");
		hvr_end();
	}
}
