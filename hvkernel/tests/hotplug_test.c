/*
 * Hot-unplug during traffic (q35, native PCIe hot-plug): the host presses the slot's
 * attention button with QMP device_del at sync point "unplug" while we keep the device busy
 * (frames for a NIC, reads for a disk, through its last partition when it has a GPT). The
 * function must disappear in an orderly way: its driver removed, its netdev/blkdevs (a disk's
 * partitions too) gone, nothing leaked (the framework checks), no panic.
 */
#include <hv/errno.h>
#include <hv/mem.h>
#include <kern/blkdev.h>
#include <kern/mem.h>
#include <kern/hvr.h>
#include <kern/ktest.h>
#include <kern/netdev.h>
#include <kern/pci.h>
#include <kern/pci_hotplug.h>
#include <kern/string.h>
#include <kern/time.h>

static struct pci_dev *hpt_find(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn)
{
	return pci_find_slot(seg, bus, dev, fn);
}

KTEST_MANUAL(pci, hotunplug)
{
	struct pci_dev *d = 0;
	char netname[16] = "", blkname[16] = "";
	char blknames[8][16];	/* the disk and its partitions: all must go */
	unsigned nblk = 0;

	if (!pci_hotplug_slots()) {
		ktest_msg(t, "no hot-plug slot (q35 with a pcie-root-port)");
		return KTEST_SKIP;
	}
	for (struct pci_dev *x = pci_first(); x && !d; x = x->next)
		if (x->parent && x->driver)
			d = x;
	KT_CHECK(t, d, "no bound function behind a hot-plug slot");
	uint16_t seg = d->seg;
	uint8_t bus = d->bus, dv = d->dev, fn = d->fn;
	for (struct hv_netdev *n = netdev_first(); n; n = netdev_next(n))
		if ((struct pci_dev *)n->pci == d)
			strlcpy(netname, n->name, sizeof(netname));
	for (struct hv_blkdev *b = blkdev_first(); b; b = blkdev_next(b)) {
		if ((struct pci_dev *)b->pci != d)
			continue;
		strlcpy(blkname, b->name, sizeof(blkname));	/* the last: a partition if any */
		if (nblk < 8)
			strlcpy(blknames[nblk++], b->name, sizeof(blknames[0]));
	}
	if (netname[0]) {
		struct hv_netdev *n = netdev_find(netname);
		KT_CHECK(t, netdev_open(n) == 0, "%s: open failed", netname);
	}
	uint64_t bus_addr;
	uint8_t *buf = kdma_alloc(4096, &bus_addr);
	static uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x88, 0xb5 };
	KT_CHECK(t, buf, "no memory");
	if (hvr_sync("unplug") < 0) {
		kdma_free(buf, 4096);
		ktest_msg(t, "the host did not answer the unplug sync point");
		return KTEST_ERROR;
	}
	uint64_t t0 = time_us(), ops = 0;
	while (hpt_find(seg, bus, dv, fn) && time_us() - t0 < 5000000) {
		struct hv_netdev *n = netname[0] ? netdev_find(netname) : 0;
		struct hv_blkdev *b = blkname[0] ? blkdev_find(blkname) : 0;
		if (n && netdev_xmit(n, frame, sizeof(frame)) == 0)
			ops++;
		if (b) {
			struct hv_blkreq rq = { .op = HV_BLK_READ, .lba = ops % b->nblocks, .nblocks = 1,
						.buf = buf, .buf_bus = bus_addr };
			if (blkdev_submit_wait(b, &rq, 1000000) == 0)
				ops++;
		}
		pci_hotplug_poll();
	}
	uint64_t took = time_us() - t0;
	kdma_free(buf, 4096);
	ktest_metric(t, "removal_us", took, "us");
	ktest_metric(t, "ops_during_unplug", ops, "count");
	KT_CHECK(t, !hpt_find(seg, bus, dv, fn), "the function is still there after 5 s");
	/* Let the host confirm QEMU completed the removal (DEVICE_DELETED). */
	if (hvr_sync("unplugged") < 0) {
		ktest_msg(t, "the host did not answer the unplugged sync point");
		return KTEST_ERROR;
	}
	KT_CHECK(t, !netname[0] || !netdev_find(netname), "%s is still registered", netname);
	for (unsigned i = 0; i < nblk; i++)
		KT_CHECK(t, !blkdev_find(blknames[i]), "%s is still registered", blknames[i]);
	ktest_metric(t, "blkdevs_removed", nblk, "count");
	return KTEST_PASS;
}
