/*
 * A virtio-blk device for guests (VIRTIO 1.1, 5.2), backed by a window of one of the
 * hypervisor's block devices. Every buffer the guest names is checked to lie in its own
 * RAM (vio_pop) and every sector to lie in its window, so a guest can only ever read and
 * write its own memory and its own disk.
 */
#include <hv/errno.h>
#include <kern/blkdev.h>
#include <kern/hvr.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/string.h>
#include <kern/time.h>
#include <vmm/vio.h>
#include <vmm/virtio_mmio.h>
#include <vmm/vm.h>

#define VIO_BLK_T_IN		0
#define VIO_BLK_T_OUT		1
#define VIO_BLK_T_FLUSH		4
#define VIO_BLK_S_OK		0
#define VIO_BLK_S_IOERR		1
#define VIO_BLK_S_UNSUPP	2
#define VIO_BLK_F_FLUSH		(1ull << 9)

struct vio_blk {
	struct hv_blkdev *bd;
	uint64_t first, count;	/* the window, in 512-byte sectors */
	uint64_t requests, errors, bytes;
	uint64_t first_us, last_us;	/* vio_blk_get_stats */
	struct vio_blk_log *log;	/* vio_blk_set_log, or NULL */
};

static const struct vio_class vio_blk_class;

/* A write of count sectors at sector (of the window) completed for the guest. */
static void vio_blk_log_write(struct vio_blk_log *log, uint64_t sector, uint64_t count)
{
	if (log->n && log->ext[log->n - 1].sector + log->ext[log->n - 1].count == sector) {
		log->ext[log->n - 1].count += count;
		return;
	}
	if (log->n == VIO_BLK_LOG_MAX) {
		log->overflow = 1;
		return;
	}
	log->ext[log->n].sector = sector;
	log->ext[log->n].count = count;
	log->n++;
}

static int vio_blk_rw(struct vm *vm, struct vio_blk *b, const struct vio_desc *c, int n,
		      uint32_t type, uint64_t sector, uint32_t *written)
{
	uint32_t bs = b->bd->block_size, spb = bs / 512;
	bool to_guest = type == VIO_BLK_T_IN;

	for (int k = 1; k + 1 < n; k++) {
		uint32_t len = c[k].len;
		if (len % bs || sector % spb || to_guest != !!(c[k].flags & VIO_DESC_F_WRITE) ||
		    sector + len / 512 > b->count || sector + len / 512 < sector)
			return VIO_BLK_S_IOERR;
		void *buf = vm_gpa(vm, c[k].addr, len);
		struct hv_blkreq rq = {
			.op = to_guest ? HV_BLK_READ : HV_BLK_WRITE,
			.lba = (b->first + sector) / spb, .nblocks = len / bs,
			.buf = buf, .buf_bus = (uint64_t)buf,
		};
		bool drop = !to_guest && b->log && ++b->log->writes == b->log->drop_write;
		if (!drop && blkdev_submit_wait(b->bd, &rq, 10000000) < 0)
			return VIO_BLK_S_IOERR;
		if (!to_guest && b->log)
			vio_blk_log_write(b->log, sector, len / 512);
		sector += len / 512;
		b->bytes += len;
		if (to_guest)
			*written += len;
	}
	return VIO_BLK_S_OK;
}

static void vio_blk_notify(struct vm *vm, struct vio_dev *d, unsigned qi)
{
	struct vio_blk *b = d->priv;
	struct vio_desc c[VIO_QUEUE_MAX];
	uint16_t head;
	int n;

	while ((n = vio_pop(vm, d, qi, &head, c, VIO_QUEUE_MAX)) != 0) {
		struct { uint32_t type, reserved; uint64_t sector; } hdr;
		uint8_t *st = n >= 2 ? vm_gpa(vm, c[n - 1].addr, 1) : 0;
		uint32_t written = 1;
		int result = VIO_BLK_S_IOERR;
		if (!b->requests)
			b->first_us = time_us();
		b->requests++;
		if (n < 2 || !st || c[0].len < sizeof(hdr) || !(c[n - 1].flags & VIO_DESC_F_WRITE)) {
			b->errors++;
			vio_push(vm, d, qi, head, 0);	/* malformed: nothing written back */
			continue;
		}
		memcpy(&hdr, vm_gpa(vm, c[0].addr, sizeof(hdr)), sizeof(hdr));
		if (hdr.type == VIO_BLK_T_FLUSH) {
			struct hv_blkreq rq = { .op = HV_BLK_FLUSH };
			result = blkdev_submit_wait(b->bd, &rq, 10000000) < 0 ? VIO_BLK_S_IOERR : VIO_BLK_S_OK;
		} else if (hdr.type == VIO_BLK_T_IN || hdr.type == VIO_BLK_T_OUT) {
			result = vio_blk_rw(vm, b, c, n, hdr.type, hdr.sector, &written);
		} else {
			result = VIO_BLK_S_UNSUPP;
		}
		b->errors += result != VIO_BLK_S_OK;
		*st = (uint8_t)result;
		vio_push(vm, d, qi, head, written);
		b->last_us = time_us();
	}
}

/* virtio_blk_config (5.2.4): capacity in 512-byte sectors first. */
static uint8_t vio_blk_config(struct vio_dev *d, unsigned i)
{
	struct vio_blk *b = d->priv;

	return i < 8 ? (uint8_t)(b->count >> (8 * i)) : 0;
}

static void vio_blk_release(struct vio_dev *d)
{
	kfree(d->priv);
}

static const struct vio_class vio_blk_class = {
	.device_id = 2, .features = VIO_BLK_F_FLUSH, .nqueues = 1,
	.config = vio_blk_config, .notify = vio_blk_notify, .release = vio_blk_release,
};

int vio_blk_attach(struct vm *vm, uint64_t base, struct hv_blkdev *bd, uint64_t first, uint64_t count)
{
	uint32_t spb = bd->block_size / 512;

	if (!count || first % spb || count % spb || (first + count) / spb > bd->nblocks)
		return -HV_ERANGE;
	struct vio_blk *b = kzalloc(sizeof(*b));
	if (!b)
		return -HV_ENOMEM;
	b->bd = bd;
	b->first = first;
	b->count = count;
	if (!vio_attach(vm, base, &vio_blk_class, b)) {
		kfree(b);
		return -HV_ENOSPC;
	}
	return 0;
}

int vio_blk_set_log(struct vm *vm, uint64_t base, struct vio_blk_log *log)
{
	struct vio_dev *d = vio_find(vm, base);

	if (!d || d->cls != &vio_blk_class)
		return -HV_ENODEV;
	((struct vio_blk *)d->priv)->log = log;
	return 0;
}

int vio_blk_get_stats(struct vm *vm, uint64_t base, struct vio_blk_stats *s)
{
	struct vio_dev *d = vio_find(vm, base);

	if (!d || d->cls != &vio_blk_class)
		return -HV_ENODEV;
	const struct vio_blk *b = d->priv;
	*s = (struct vio_blk_stats){ b->requests, b->errors, b->bytes, b->first_us, b->last_us };
	return 0;
}

void vio_blk_log_report(const struct vio_blk_log *log, const char *dev, uint64_t base, uint64_t seed)
{
	if (log->overflow)
		klog("vio-blk: more than %d write extents on %s: only the first are reported",
		     VIO_BLK_LOG_MAX, dev);
	for (int k = 0; k < log->n; k++) {
		hvr_begin("blkwrite");
		hvr_str("dev", dev);
		hvr_u64("lba", log->ext[k].sector);
		hvr_u64("blocks", log->ext[k].count);
		hvr_u64("block_size", 512);
		hvr_u64("seed", seed);
		hvr_u64("base", base);
		hvr_end();
	}
}
