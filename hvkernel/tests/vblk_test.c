/*
 * A guest's virtual disk end to end: the guest test OS (tests/guest/os.c) drives a
 * virtio-mmio block device the hypervisor serves from a window of one of its block
 * devices. The guest writes and verifies; then we check that the data landed in the window
 * of the backing device and nowhere else.
 */
#include <hv/errno.h>
#include <hv/mem.h>
#include <kern/blkdev.h>
#include <kern/mem.h>
#include <kern/hvr.h>
#include <kern/ktest.h>
#include <kern/string.h>
#include <kern/time.h>
#include <lib/blkpat.h>
#include <vmm/virtio_mmio.h>
#include <vmm/vm.h>
#include "../../tests/guest/gtest.h"

extern const char guest_os_start[], guest_os_end[];

#define VBLK_SECTORS	1024	/* the backing RAM disk */
#define VBLK_FIRST	128	/* the guest's window */
#define VBLK_COUNT	256

static int vblkt_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
{
	uint8_t *disk = bd->priv;

	if (rq->op != HV_BLK_FLUSH) {
		uint8_t *p = disk + rq->lba * 512;
		if (rq->op == HV_BLK_WRITE)
			memcpy(p, rq->buf, rq->nblocks * 512u);
		else
			memcpy(rq->buf, p, rq->nblocks * 512u);
	}
	hv_blkreq_complete(rq, 0);
	return 0;
}

static const struct hv_blkdev_ops vblkt_ops = { .submit = vblkt_submit };

/*
 * The guest on a window of a real disk (vmm.vblk_dev=NAME, a block device a storage driver
 * module registered): it writes 256 sectors with the block test pattern (lib/blkpat.h) of
 * their LBA and vmm.seed (guest test 5). Afterwards the window is read back through that
 * driver from the device, and sectors just outside it, filled with a sentinel first, are
 * unchanged. With vmm.host_verify=1 the written extents are reported (blkwrite, base = the
 * window) and the host checks them in the image file at sync point blkverify.
 */
#define VBLKT_TAGGED	256	/* sectors the guest writes (tests/guest/os.c TAG_SECTORS) */

static enum ktest_status vblkt_real(struct ktest_ctx *t, const char *name)
{
	struct hv_blkdev *bd = blkdev_find(name);
	const uint64_t first = 2048, count = VBLKT_TAGGED;	/* sectors: 1 MiB into the disk */
	/* The guest's pattern key: its seed is a 32-bit register (tests/guest/entry.S). */
	const struct blkpat_key key = { .seed = ktest_param_u64(t, "seed", 0x5eed) & 0xffffffffu };
	struct vio_blk_log log;
	uint64_t bus;

	KT_CHECK(t, bd, "no block device %s", name);
	KT_CHECK(t, bd->block_size == 512 && bd->nblocks >= first + count + 16, "%s: needs 512-byte "
		 "blocks and at least %llu of them", name, (unsigned long long)(first + count + 16));
	uint8_t *buf = kdma_alloc(64 * 512, &bus);
	KT_CHECK(t, buf, "no memory");
	enum ktest_status st = KTEST_PASS;
	struct hv_blkreq rq;
	memset(buf, 0xee, 8 * 512);
	memset(&rq, 0, sizeof(rq));
	rq.op = HV_BLK_WRITE, rq.lba = first - 8, rq.nblocks = 8, rq.buf = buf, rq.buf_bus = bus;
	int r1 = blkdev_submit_wait(bd, &rq, 10000000);
	rq.lba = first + count;
	int r2 = blkdev_submit_wait(bd, &rq, 10000000);
	struct vm *vm = 0;
	if (r1 || r2) {
		ktest_msg(t, "%s: cannot write the sentinels (%d, %d)", name, r1, r2);
		st = KTEST_FAIL;
		goto out;
	}
	vm = vm_create("vm-disk", 1 << 20, guest_os_start, (uint64_t)(guest_os_end - guest_os_start),
		       0x1000, 0x1000, GTEST_VBLK_TAGGED);
	memset(&log, 0, sizeof(log));
	if (!vm || vio_blk_attach(vm, 0xfeb00000, bd, first, count) < 0 ||
	    vio_blk_set_log(vm, 0xfeb00000, &log) < 0) {
		ktest_msg(t, "cannot create the VM or its disk");
		st = KTEST_ERROR;
		goto out;
	}
	vcpu_regs(vm->vcpu)->rdi = key.seed;	/* the guest's tag seed (tests/guest/entry.S) */
	enum vm_state s = vm_run(vm, 30000000);
	if (s != VM_EXITED || vm->exit_code != 0) {
		ktest_msg(t, "guest ended in state %d with code %d: %s (console: %s)", s, vm->exit_code,
			  vm->stop_reason, vm->last_line);
		st = KTEST_FAIL;
		goto out;
	}
	/* What the guest wrote, read back from the device. */
	memset(&rq, 0, sizeof(rq));
	rq.op = HV_BLK_READ, rq.nblocks = 64, rq.buf = buf, rq.buf_bus = bus;
	for (uint64_t at = 0; at < count && st == KTEST_PASS; at += 64) {
		rq.lba = first + at;
		KT_CHECK(t, blkdev_submit_wait(bd, &rq, 10000000) == 0, "%s: read-back failed", name);
		long bad = blkpat_first_bad(buf, 512, at, 64, &key);
		if (bad >= 0) {
			ktest_msg(t, "%s: sector %llu of the guest's window is wrong on the device", name,
				  (unsigned long long)(at + (uint64_t)bad));
			st = KTEST_FAIL;
		}
	}
	rq.nblocks = 8;
	for (int side = 0; side < 2 && st == KTEST_PASS; side++) {
		rq.lba = side ? first + count : first - 8;
		KT_CHECK(t, blkdev_submit_wait(bd, &rq, 10000000) == 0, "%s: read of the sentinel failed", name);
		for (int i = 0; i < 8 * 512 && st == KTEST_PASS; i++)
			if (buf[i] != 0xee) {
				ktest_msg(t, "%s: a sentinel sector %s the window changed", name, side ? "after" : "before");
				st = KTEST_FAIL;
			}
	}
	ktest_metric(t, "extents", (uint64_t)log.n, "count");
	if (st == KTEST_PASS && ktest_param_u64(t, "host_verify", 0)) {
		vio_blk_log_report(&log, bd->name, first, key.seed);
		if (hvr_sync("blkverify") < 0) {
			ktest_msg(t, "the host did not answer the blkverify sync point");
			st = KTEST_ERROR;
		}
	}
out:
	vm_destroy(vm);
	kdma_free(buf, 64 * 512);
	return st;
}

KTEST(vmm, vblk)
{
	const char *why;
	uint64_t bus;

	if (!vcpu_hw_available(&why)) {
		ktest_msg(t, "%s", why);
		return KTEST_SKIP;
	}
	if (ktest_param(t, "vblk_dev", 0))
		return vblkt_real(t, ktest_param(t, "vblk_dev", 0));
	uint8_t *disk = kdma_alloc(VBLK_SECTORS * 512, &bus);
	struct hv_blkdev bd;
	memset(&bd, 0, sizeof(bd));
	bd.block_size = 512;
	bd.nblocks = VBLK_SECTORS;
	bd.queue_depth = 1;
	bd.ops = &vblkt_ops;
	bd.priv = disk;
	KT_CHECK(t, disk && hv_blkdev_register(&bd) == 0, "cannot set up the backing disk");
	memset(disk, 0xee, VBLK_SECTORS * 512);
	enum ktest_status st = KTEST_PASS;
	struct vm *vm = vm_create("vm-disk", 1 << 20, guest_os_start, (uint64_t)(guest_os_end - guest_os_start),
				  0x1000, 0x1000, GTEST_VBLK);
	if (!vm || vio_blk_attach(vm, 0xfeb00000, &bd, VBLK_FIRST, VBLK_COUNT) < 0) {
		ktest_msg(t, "cannot create the VM or its disk");
		st = KTEST_ERROR;
		goto out;
	}
	enum vm_state s = vm_run(vm, 30000000);
	ktest_metric(t, "mmio_exits", vm->mmio_accesses, "count");
	if (s != VM_EXITED || vm->exit_code != 0) {
		ktest_msg(t, "guest ended in state %d with code %d: %s (console: %s)", s, vm->exit_code,
			  vm->stop_reason, vm->last_line);
		st = KTEST_FAIL;
		goto out;
	}
	/* What the guest wrote is in the window ... */
	for (uint32_t i = 0; i < 64 * 512 && st == KTEST_PASS; i++)
		if (disk[VBLK_FIRST * 512 + i] != (uint8_t)(i * 7 + 3)) {
			ktest_msg(t, "backing disk byte %u of the window is wrong", i);
			st = KTEST_FAIL;
		}
	/* ... and nothing outside it changed. */
	for (uint32_t i = 0; i < VBLK_SECTORS * 512 && st == KTEST_PASS; i++) {
		uint32_t sec = i / 512;
		if ((sec < VBLK_FIRST || sec >= VBLK_FIRST + 64) && disk[i] != 0xee) {
			ktest_msg(t, "sector %u outside what the guest wrote changed", sec);
			st = KTEST_FAIL;
		}
	}
out:
	vm_destroy(vm);
	hv_blkdev_unregister(&bd);
	kdma_free(disk, VBLK_SECTORS * 512);
	return st;
}

/* The median of n values (sorted in place). */
static uint64_t vblkb_median(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define VBLKB_MAX_ROUNDS	9
#define VBLKB_BASE		0xfeb00000

/*
 * A guest's sequential read against the hypervisor's own: vmm.bench_mib MiB (default 16) of
 * the disk vmm.vblk_dev, in 1 MiB requests both ways (as the Linux baseline reads). Each of
 * vmm.bench_rounds rounds (default 5) reads directly through the block layer, then boots
 * the guest test OS, which reads the same window through its virtio-blk device; the
 * guest's time runs from its first request's arrival to its last completion on the
 * hypervisor's clock (vio_blk_get_stats), so its boot is not counted. A round's share is
 * direct time over guest time, both taken back to back, so a load change between rounds
 * does not enter it; the metrics are medians over the rounds. The host checks that the
 * device served exactly bench_mib requests and bench_mib MiB without an error.
 * Manual: a benchmark, not a check (make bench runs it).
 */
KTEST_MANUAL(vmm, vblkbench)
{
	const char *why, *name = ktest_param(t, "vblk_dev", "vmhba0");
	const uint64_t mib = ktest_param_u64(t, "bench_mib", 16);
	const uint64_t rounds = ktest_param_u64(t, "bench_rounds", 5);
	struct hv_blkdev *bd = blkdev_find(name);
	uint64_t direct[VBLKB_MAX_ROUNDS], guest[VBLKB_MAX_ROUNDS], share[VBLKB_MAX_ROUNDS];
	uint64_t exits = 0, bus;

	if (!vcpu_hw_available(&why)) {
		ktest_msg(t, "%s", why);
		return KTEST_SKIP;
	}
	KT_CHECK(t, bd && bd->block_size == 512 && bd->nblocks >= mib * 2048, "need %s with 512-byte blocks "
		 "and %llu MiB", name, (unsigned long long)mib);
	KT_CHECK(t, rounds >= 1 && rounds <= VBLKB_MAX_ROUNDS && mib >= 1, "vmm.bench_rounds must be 1..%d, "
		 "vmm.bench_mib at least 1", VBLKB_MAX_ROUNDS);
	uint8_t *buf = kdma_alloc(1024 * 1024, &bus);
	KT_CHECK(t, buf, "no memory");
	enum ktest_status st = KTEST_PASS;
	/* One untimed direct pass first, so every timed read finds the host's caches warm. */
	for (uint64_t r = 0; r <= rounds && st == KTEST_PASS; r++) {
		uint64_t t0 = time_us();
		for (uint64_t s = 0; s < mib * 2048; s += 2048) {
			struct hv_blkreq rq = { .op = HV_BLK_READ, .lba = s, .nblocks = 2048, .buf = buf, .buf_bus = bus };
			if (blkdev_submit_wait(bd, &rq, 10000000) != 0) {
				ktest_msg(t, "%s: direct read failed", name);
				st = KTEST_FAIL;
				break;
			}
		}
		if (r == 0 || st != KTEST_PASS)
			continue;
		direct[r - 1] = time_us() - t0;
		struct vm *vm = vm_create("vm-bench", 4 << 20, guest_os_start,
					  (uint64_t)(guest_os_end - guest_os_start), 0x1000, 0x1000,
					  (uint32_t)(mib << 8) | GTEST_VBLK_READ);
		struct vio_blk_stats vs;
		if (!vm || vio_blk_attach(vm, VBLKB_BASE, bd, 0, mib * 2048) < 0) {
			ktest_msg(t, "cannot create the VM or its disk");
			st = KTEST_ERROR;
		} else if (vm_run(vm, 60000000) != VM_EXITED || vm->exit_code != 0) {
			ktest_msg(t, "guest ended in state %d with code %d: %s", vm->state, vm->exit_code,
				  vm->stop_reason);
			st = KTEST_FAIL;
		} else if (vio_blk_get_stats(vm, VBLKB_BASE, &vs) < 0 || vs.requests != mib || vs.errors ||
			   vs.bytes != mib * 1048576) {
			ktest_msg(t, "the device served %llu requests, %llu bytes, %llu errors; the guest "
				  "should have read %llu MiB in 1 MiB requests", (unsigned long long)vs.requests,
				  (unsigned long long)vs.bytes, (unsigned long long)vs.errors,
				  (unsigned long long)mib);
			st = KTEST_FAIL;
		} else {
			guest[r - 1] = vs.last_us - vs.first_us;
			share[r - 1] = guest[r - 1] ? direct[r - 1] * 100 / guest[r - 1] : 0;
			exits += vm->mmio_accesses;
		}
		if (vm)
			vm_destroy(vm);
	}
	kdma_free(buf, 1024 * 1024);
	if (st != KTEST_PASS)
		return st;
	uint64_t d = vblkb_median(direct, (int)rounds), g = vblkb_median(guest, (int)rounds);
	ktest_metric(t, "direct_MBps", d ? mib * 1048576 / d : 0, "MB/s");
	ktest_metric(t, "guest_MBps", g ? mib * 1048576 / g : 0, "MB/s");
	ktest_metric(t, "guest_share", vblkb_median(share, (int)rounds), "percent");
	ktest_metric(t, "mmio_exits", exits / rounds, "count");
	return KTEST_PASS;
}

struct vm *virqt_create(const char *name, uint32_t test);

/*
 * The guest's disk test again, each request completed by the disk's interrupt (virtio
 * InterruptStatus through I/O APIC input 16, level-triggered) while the guest sleeps in
 * HLT: one interrupt and one halt per request, and the data lands as before.
 */
KTEST(vmm, vblkirq)
{
	const char *why;
	uint64_t bus;

	if (!vcpu_hw_available(&why)) {
		ktest_msg(t, "%s", why);
		return KTEST_SKIP;
	}
	uint8_t *disk = kdma_alloc(VBLK_SECTORS * 512, &bus);
	struct hv_blkdev bd;
	memset(&bd, 0, sizeof(bd));
	bd.block_size = 512;
	bd.nblocks = VBLK_SECTORS;
	bd.queue_depth = 1;
	bd.ops = &vblkt_ops;
	bd.priv = disk;
	KT_CHECK(t, disk && hv_blkdev_register(&bd) == 0, "cannot set up the backing disk");
	memset(disk, 0xee, VBLK_SECTORS * 512);
	enum ktest_status st = KTEST_PASS;
	struct vm *vm = virqt_create("vm-diskirq", GTEST_VBLK_IRQ);
	if (!vm || vio_blk_attach(vm, 0xfeb00000, &bd, VBLK_FIRST, VBLK_COUNT) < 0) {
		ktest_msg(t, "cannot create the VM or its disk");
		st = KTEST_ERROR;
		goto out;
	}
	enum vm_state s = vm_run(vm, 30000000);
	vm_log_exits(vm);
	uint64_t irqs = vm->report[0];
	ktest_metric(t, "guest_irqs", irqs, "count");
	ktest_metric(t, "injected", vm->irq.injected, "count");
	ktest_metric(t, "exits_hlt", vm->exits[VCPU_EXIT_HLT], "count");
	ktest_metric(t, "exits_vintr", vm->exits[VCPU_EXIT_IRQ_WINDOW], "count");
	if (s != VM_EXITED || vm->exit_code != 0) {
		ktest_msg(t, "guest ended in state %d with code %d: %s (console: %s)", s, vm->exit_code,
			  vm->stop_reason, vm->last_line);
		st = KTEST_FAIL;
		goto out;
	}
	/* 64 sectors in chunks of 1..8 (15 writes), 16 reads, one refused read. */
	if (irqs != 32 || vm->irq.injected != 32 || vm->irq.halts < 32) {
		ktest_msg(t, "%llu interrupts seen by the guest, %llu injected, %llu halts (32 requests)",
			  (unsigned long long)irqs, (unsigned long long)vm->irq.injected,
			  (unsigned long long)vm->irq.halts);
		st = KTEST_FAIL;
	}
	for (uint32_t i = 0; i < 64 * 512 && st == KTEST_PASS; i++)
		if (disk[VBLK_FIRST * 512 + i] != (uint8_t)(i * 7 + 3)) {
			ktest_msg(t, "backing disk byte %u of the window is wrong", i);
			st = KTEST_FAIL;
		}
out:
	vm_destroy(vm);
	hv_blkdev_unregister(&bd);
	kdma_free(disk, VBLK_SECTORS * 512);
	return st;
}
