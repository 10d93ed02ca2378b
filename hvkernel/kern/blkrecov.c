/*
 * Recoveries storage drivers perform (DDK hv_blkdev_recovery, kern/blkrecov.h): counted in
 * any context (a driver recovers from its timer or interrupt), reported as `recovery`
 * records from the test runner's context, where a record cannot cut into another one.
 */
#include <arch/cpu.h>
#include <hv/blkdev.h>
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

/* Reissues per disk name; a full table drops the newest names (then their check fails:
 * the device did more than the counts say, which is the safe direction). */
#define BLKRECOV_DISKS	64

static struct {
	char disk[16];
	struct blkrecov_reissued n;
} blkrecov_reissues[BLKRECOV_DISKS];

void blkrecov_reissue(const char *disk, int op, uint64_t bytes)
{
	int on = cpu_irq_save();

	for (int i = 0; i < BLKRECOV_DISKS; i++) {
		if (blkrecov_reissues[i].disk[0] && strcmp(blkrecov_reissues[i].disk, disk))
			continue;
		if (!blkrecov_reissues[i].disk[0])
			blkrecov_copy(blkrecov_reissues[i].disk, sizeof(blkrecov_reissues[i].disk), disk);
		struct blkrecov_reissued *n = &blkrecov_reissues[i].n;
		if (op == HV_BLK_READ)
			n->rd++, n->rd_bytes += bytes;
		else if (op == HV_BLK_WRITE)
			n->wr++, n->wr_bytes += bytes;
		else
			n->fl++;
		break;
	}
	cpu_irq_restore(on);
}

int blkrecov_reissued_of(const char *disk, struct blkrecov_reissued *out)
{
	int on = cpu_irq_save(), found = -1;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < BLKRECOV_DISKS && blkrecov_reissues[i].disk[0]; i++) {
		if (!strcmp(blkrecov_reissues[i].disk, disk)) {
			*out = blkrecov_reissues[i].n;
			found = 0;
			break;
		}
	}
	cpu_irq_restore(on);
	return found;
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
