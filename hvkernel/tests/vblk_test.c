/*
 * A guest's virtual disk end to end: the guest test OS (tests/guest/os.c) drives a
 * virtio-mmio block device the hypervisor serves from a window of one of its block
 * devices. The guest writes and verifies; then we check that the data landed in the window
 * of the backing device and nowhere else.
 */
#include <hv/errno.h>
#include <hv/mem.h>
#include <kern/blkdev.h>
#include <kern/ktest.h>
#include <kern/string.h>
#include <vmm/virtio_mmio.h>
#include <vmm/vm.h>

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
 * The same guest on a window of a real disk (vmm.vblk_dev=NAME, a block device a storage
 * driver module registered): after the guest, the window is read back through that driver
 * from the device, and sectors just outside it, filled with a sentinel first, are unchanged.
 */
static enum ktest_status vblkt_real(struct ktest_ctx *t, const char *name)
{
	struct hv_blkdev *bd = blkdev_find(name);
	const uint64_t first = 2048, count = 256;	/* sectors: 1 MiB into the disk */
	uint64_t bus;

	KT_CHECK(t, bd, "no block device %s", name);
	KT_CHECK(t, bd->block_size == 512 && bd->nblocks >= first + count + 16, "%s: needs 512-byte "
		 "blocks and at least %llu of them", name, (unsigned long long)(first + count + 16));
	uint8_t *buf = hv_dma_alloc(64 * 512, &bus);
	KT_CHECK(t, buf, "no memory");
	enum ktest_status st = KTEST_PASS;
	struct hv_blkreq rq;
	memset(buf, 0xee, 8 * 512);
	memset(&rq, 0, sizeof(rq));
	rq.op = HV_BLK_WRITE, rq.lba = first - 8, rq.nblocks = 8, rq.buf = buf, rq.buf_bus = bus;
	int r1 = blkdev_submit_wait(bd, &rq, 10000000);
	rq.lba = first + 64;
	int r2 = blkdev_submit_wait(bd, &rq, 10000000);
	struct vm *vm = 0;
	if (r1 || r2) {
		ktest_msg(t, "%s: cannot write the sentinels (%d, %d)", name, r1, r2);
		st = KTEST_FAIL;
		goto out;
	}
	vm = vm_create("vm-disk", 1 << 20, guest_os_start, (uint64_t)(guest_os_end - guest_os_start),
		       0x1000, 0x1000, 0);
	if (!vm || vio_blk_attach(vm, 0xfeb00000, bd, first, count) < 0) {
		ktest_msg(t, "cannot create the VM or its disk");
		st = KTEST_ERROR;
		goto out;
	}
	enum vm_state s = vm_run(vm, 30000000);
	if (s != VM_EXITED || vm->exit_code != 0) {
		ktest_msg(t, "guest ended in state %d with code %d: %s (console: %s)", s, vm->exit_code,
			  vm->stop_reason, vm->last_line);
		st = KTEST_FAIL;
		goto out;
	}
	/* What the guest wrote, read back from the device. */
	memset(&rq, 0, sizeof(rq));
	rq.op = HV_BLK_READ, rq.lba = first, rq.nblocks = 64, rq.buf = buf, rq.buf_bus = bus;
	KT_CHECK(t, blkdev_submit_wait(bd, &rq, 10000000) == 0, "%s: read-back failed", name);
	for (uint32_t i = 0; i < 64 * 512 && st == KTEST_PASS; i++)
		if (buf[i] != (uint8_t)(i * 7 + 3)) {
			ktest_msg(t, "%s: byte %u of the guest's window is wrong on the device", name, i);
			st = KTEST_FAIL;
		}
	for (int side = 0; side < 2 && st == KTEST_PASS; side++) {
		rq.lba = side ? first + 64 : first - 8, rq.nblocks = 8;
		KT_CHECK(t, blkdev_submit_wait(bd, &rq, 10000000) == 0, "%s: read of the sentinel failed", name);
		for (int i = 0; i < 8 * 512 && st == KTEST_PASS; i++)
			if (buf[i] != 0xee) {
				ktest_msg(t, "%s: a sentinel sector %s the window changed", name, side ? "after" : "before");
				st = KTEST_FAIL;
			}
	}
out:
	vm_destroy(vm);
	hv_dma_free(buf, 64 * 512);
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
	uint8_t *disk = hv_dma_alloc(VBLK_SECTORS * 512, &bus);
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
				  0x1000, 0x1000, 0);
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
	hv_dma_free(disk, VBLK_SECTORS * 512);
	return st;
}
