/*
 * Ceiling probes for the storage models (test=ceil.blk_seq, ceil.blk_rand): the least work
 * that moves a block through a QEMU storage model, with no driver bound and no block layer
 * above: queues set up once, commands written straight into them, the doorbell rung,
 * completions reaped by polling with the device's interrupts off. The rates are the
 * model's ceilings under the flags the probe runs with; `make bench` prints each driver's
 * blk.seqbench read_MBps and blk.randbench iops_qd beside them. One file per model
 * (ceil_<model>.c) fills in the ops; ceil_blk.c drives them the way the driver bench does.
 */
#ifndef CEIL_BLK_H
#define CEIL_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/ktest.h>
#include <kern/pci.h>

#define CEIL_BLK_DEPTH	32	/* blk.randbench's queue depth */

struct ceil_blk_dev;	/* a model's open device */

/* What the model offers, filled in by open. */
struct ceil_blk_geom {
	uint32_t block_size;
	uint64_t nblocks;
	uint32_t max_blocks;	/* per command (the device's transfer limit) */
	unsigned depth;		/* commands in flight at once, tags 0..depth-1 */
};

struct ceil_blk_model {
	const char *name;
	uint16_t vendor, device;
	/* Reset the function, set up one polled queue; 0, or a negative errno with a message
	 * set. */
	int (*open)(struct ktest_ctx *t, struct pci_dev *pd, struct ceil_blk_dev **out,
		    struct ceil_blk_geom *g);
	/* Put one command on the queue under tag (free), without ringing: n <= max_blocks
	 * blocks at lba, to or from the physically contiguous buffer at bus. */
	void (*post)(struct ceil_blk_dev *d, unsigned tag, bool write, uint64_t lba, uint32_t n,
		     uint64_t bus);
	/* Tell the device about everything posted since the last ring. */
	void (*ring)(struct ceil_blk_dev *d);
	/* The commands finished since the last call, at most max: their tags and statuses
	 * (0, or the device's nonzero status). Returns how many. */
	unsigned (*reap)(struct ceil_blk_dev *d, unsigned *tags, uint32_t *status, unsigned max);
	/* Nothing was reaped: halt until the device's next interrupt when it has one and no
	 * completion is waiting; return at once otherwise. Under TCG a vCPU spinning on the
	 * completion queue takes a host CPU from QEMU's I/O threads, which on a loaded host
	 * costs more than the interrupt (ceil.wait=spin never halts). */
	void (*idle)(struct ceil_blk_dev *d);
	/* Stop the device (no DMA after it) and free what open took. */
	void (*close)(struct ceil_blk_dev *d);
};

extern const struct ceil_blk_model ceil_nvme_model;
extern const struct ceil_blk_model ceil_vblk_model;
extern const struct ceil_blk_model ceil_ahci_model;

#endif
