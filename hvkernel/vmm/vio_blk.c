/*
 * A virtio-blk device over virtio-mmio for guests (VIRTIO 1.1: 4.2.2 "MMIO device register
 * layout", 2.6 "Split virtqueues", 5.2 "Block device"), backed by a window of one of the
 * hypervisor's block devices. Requests are served when the guest notifies: each buffer the
 * guest names is checked to lie in its own RAM, and each sector to lie in its window, so a
 * guest can only ever read and write its own memory and its own disk.
 */
#include <hv/errno.h>
#include <kern/blkdev.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/string.h>
#include <vmm/virtio_mmio.h>
#include <vmm/vm.h>

#define VIO_MAGIC		0x74726976u	/* "virt" */
#define VIO_VENDOR		0x4b564856u	/* "HVHK" */
#define VIO_DEV_BLK		2
#define VIO_QUEUE_MAX		64

/* Registers (4.2.2). */
enum {
	VIO_R_MAGIC = 0x000, VIO_R_VERSION = 0x004, VIO_R_DEVICE = 0x008, VIO_R_VENDOR = 0x00c,
	VIO_R_DEV_FEAT = 0x010, VIO_R_DEV_FEAT_SEL = 0x014, VIO_R_DRV_FEAT = 0x020,
	VIO_R_DRV_FEAT_SEL = 0x024, VIO_R_QUEUE_SEL = 0x030, VIO_R_QUEUE_NUM_MAX = 0x034,
	VIO_R_QUEUE_NUM = 0x038, VIO_R_QUEUE_READY = 0x044, VIO_R_QUEUE_NOTIFY = 0x050,
	VIO_R_INT_STATUS = 0x060, VIO_R_INT_ACK = 0x064, VIO_R_STATUS = 0x070,
	VIO_R_DESC_LO = 0x080, VIO_R_DESC_HI = 0x084, VIO_R_AVAIL_LO = 0x090, VIO_R_AVAIL_HI = 0x094,
	VIO_R_USED_LO = 0x0a0, VIO_R_USED_HI = 0x0a4, VIO_R_CONFIG_GEN = 0x0fc, VIO_R_CONFIG = 0x100,
};

#define VIO_STATUS_NEEDS_RESET	0x40
#define VIO_DESC_F_NEXT		1
#define VIO_DESC_F_WRITE	2
#define VIO_BLK_T_IN		0
#define VIO_BLK_T_OUT		1
#define VIO_BLK_T_FLUSH		4
#define VIO_BLK_S_OK		0
#define VIO_BLK_S_IOERR		1
#define VIO_BLK_S_UNSUPP	2

struct vio_desc { uint64_t addr; uint32_t len; uint16_t flags, next; } __attribute__((packed));

struct vio_blk {
	uint32_t status, dev_feat_sel, drv_feat_sel, drv_feat[2], queue_num, queue_ready, isr;
	uint64_t desc, avail, used;
	uint16_t last_avail;
	struct hv_blkdev *bd;
	uint64_t first, count;	/* the window, in 512-byte sectors of the guest's disk */
	uint64_t requests, errors;
};

static void vio_blk_reset(struct vio_blk *d)
{
	d->status = d->dev_feat_sel = d->drv_feat_sel = d->queue_num = d->queue_ready = d->isr = 0;
	d->drv_feat[0] = d->drv_feat[1] = 0;
	d->desc = d->avail = d->used = 0;
	d->last_avail = 0;
}

/* Serve one request chain starting at descriptor head. Returns bytes written to the guest. */
static uint32_t vio_blk_request(struct vm *vm, struct vio_blk *d, struct vio_desc *tab, uint16_t head,
				uint8_t *status)
{
	struct vio_desc *c[VIO_QUEUE_MAX];
	unsigned n = 0;
	uint16_t i = head;

	*status = VIO_BLK_S_IOERR;
	for (;;) {	/* collect the chain, refusing loops and bad indexes */
		if (i >= d->queue_num || n == VIO_QUEUE_MAX)
			return 0;
		c[n++] = &tab[i];
		if (!(tab[i].flags & VIO_DESC_F_NEXT))
			break;
		i = tab[i].next;
	}
	if (n < 2)
		return 0;
	struct { uint32_t type, reserved; uint64_t sector; } hdr;
	void *hp = vm_gpa(vm, c[0]->addr, sizeof(hdr));
	uint8_t *st = vm_gpa(vm, c[n - 1]->addr, 1);
	if (!hp || !st || c[0]->len < sizeof(hdr) || !(c[n - 1]->flags & VIO_DESC_F_WRITE))
		return 0;
	memcpy(&hdr, hp, sizeof(hdr));
	uint32_t written = 1;
	uint8_t result = VIO_BLK_S_OK;
	if (hdr.type == VIO_BLK_T_FLUSH) {
		struct hv_blkreq rq = { .op = HV_BLK_FLUSH };
		if (blkdev_submit_wait(d->bd, &rq, 10000000) < 0)
			result = VIO_BLK_S_IOERR;
	} else if (hdr.type == VIO_BLK_T_IN || hdr.type == VIO_BLK_T_OUT) {
		uint64_t sector = hdr.sector;
		uint32_t spb = d->bd->block_size / 512;
		for (unsigned k = 1; k + 1 < n && result == VIO_BLK_S_OK; k++) {
			uint32_t len = c[k]->len;
			void *buf = vm_gpa(vm, c[k]->addr, len);
			bool to_guest = hdr.type == VIO_BLK_T_IN;
			if (!buf || len % d->bd->block_size || (to_guest != !!(c[k]->flags & VIO_DESC_F_WRITE)) ||
			    sector % spb || sector + len / 512 > d->count || sector + len / 512 < sector) {
				result = VIO_BLK_S_IOERR;
				break;
			}
			struct hv_blkreq rq = {
				.op = to_guest ? HV_BLK_READ : HV_BLK_WRITE,
				.lba = (d->first + sector) / spb,
				.nblocks = len / d->bd->block_size,
				.buf = buf, .buf_bus = (uint64_t)buf,
			};
			if (blkdev_submit_wait(d->bd, &rq, 10000000) < 0)
				result = VIO_BLK_S_IOERR;
			sector += len / 512;
			if (to_guest)
				written += len;
		}
	} else {
		result = VIO_BLK_S_UNSUPP;
	}
	*status = result;
	*st = result;
	return written;
}

static void vio_blk_notify(struct vm *vm, struct vio_blk *d)
{
	uint32_t num = d->queue_num;
	struct vio_desc *tab = vm_gpa(vm, d->desc, (uint64_t)num * sizeof(struct vio_desc));
	uint16_t *avail = vm_gpa(vm, d->avail, 4 + 2ull * num);
	uint16_t *used = vm_gpa(vm, d->used, 4 + 8ull * num);

	if (!d->queue_ready || !num || !tab || !avail || !used) {
		d->status |= VIO_STATUS_NEEDS_RESET;
		return;
	}
	while (d->last_avail != avail[1]) {
		uint16_t head = avail[2 + d->last_avail % num];
		uint8_t st;
		uint32_t len = vio_blk_request(vm, d, tab, head, &st);
		uint16_t u = used[1];
		uint32_t *elem = (uint32_t *)(used + 2) + 2 * (u % num);
		elem[0] = head;
		elem[1] = len;
		__atomic_store_n(&used[1], (uint16_t)(u + 1), __ATOMIC_RELEASE);
		d->last_avail++;
		d->requests++;
		d->errors += st != VIO_BLK_S_OK;
	}
	d->isr |= 1;
}

static uint32_t vio_blk_read(struct vm *vm, void *dev, uint64_t off, unsigned size)
{
	struct vio_blk *d = dev;
	uint64_t cap = d->count;

	(void)vm;
	if (off >= VIO_R_CONFIG) {	/* virtio_blk_config: capacity (u64) first */
		uint8_t cfg[8];
		memcpy(cfg, &cap, 8);
		uint64_t o = off - VIO_R_CONFIG;
		uint32_t v = 0;
		for (unsigned i = 0; i < size && o + i < 8; i++)
			v |= (uint32_t)cfg[o + i] << (8 * i);
		return v;
	}
	switch (off) {
	case VIO_R_MAGIC: return VIO_MAGIC;
	case VIO_R_VERSION: return 2;
	case VIO_R_DEVICE: return VIO_DEV_BLK;
	case VIO_R_VENDOR: return VIO_VENDOR;
	case VIO_R_DEV_FEAT: return d->dev_feat_sel == 1 ? 1 : 0;	/* VIRTIO_F_VERSION_1 */
	case VIO_R_QUEUE_NUM_MAX: return VIO_QUEUE_MAX;
	case VIO_R_QUEUE_READY: return d->queue_ready;
	case VIO_R_INT_STATUS: return d->isr;
	case VIO_R_STATUS: return d->status;
	case VIO_R_CONFIG_GEN: return 0;
	default: return 0;
	}
}

static void vio_blk_write(struct vm *vm, void *dev, uint64_t off, unsigned size, uint32_t v)
{
	struct vio_blk *d = dev;

	(void)size;
	switch (off) {
	case VIO_R_DEV_FEAT_SEL: d->dev_feat_sel = v; break;
	case VIO_R_DRV_FEAT_SEL: d->drv_feat_sel = v; break;
	case VIO_R_DRV_FEAT: if (d->drv_feat_sel < 2) d->drv_feat[d->drv_feat_sel] = v; break;
	case VIO_R_QUEUE_SEL: break;	/* one queue */
	case VIO_R_QUEUE_NUM: d->queue_num = v <= VIO_QUEUE_MAX ? v : 0; break;
	case VIO_R_QUEUE_READY: d->queue_ready = v & 1; break;
	case VIO_R_QUEUE_NOTIFY: vio_blk_notify(vm, d); break;
	case VIO_R_INT_ACK: d->isr &= ~v; break;
	case VIO_R_STATUS: if (v == 0) vio_blk_reset(d); else d->status = v; break;
	case VIO_R_DESC_LO: d->desc = (d->desc & ~0xffffffffull) | v; break;
	case VIO_R_DESC_HI: d->desc = (d->desc & 0xffffffffull) | (uint64_t)v << 32; break;
	case VIO_R_AVAIL_LO: d->avail = (d->avail & ~0xffffffffull) | v; break;
	case VIO_R_AVAIL_HI: d->avail = (d->avail & 0xffffffffull) | (uint64_t)v << 32; break;
	case VIO_R_USED_LO: d->used = (d->used & ~0xffffffffull) | v; break;
	case VIO_R_USED_HI: d->used = (d->used & 0xffffffffull) | (uint64_t)v << 32; break;
	default: break;	/* writes to read-only registers are ignored (4.2.2.2) */
	}
}

static const struct vm_mmio_ops vio_blk_ops = { vio_blk_read, vio_blk_write };

int vio_blk_attach(struct vm *vm, uint64_t base, struct hv_blkdev *bd, uint64_t first, uint64_t count)
{
	uint32_t spb = bd->block_size / 512;

	if (!count || first % spb || count % spb || (first + count) / spb > bd->nblocks)
		return -HV_ERANGE;
	struct vio_blk *d = kzalloc(sizeof(*d));
	if (!d)
		return -HV_ENOMEM;
	d->bd = bd;
	d->first = first;
	d->count = count;
	int ret = vm_add_mmio(vm, base, VIO_MMIO_SIZE, &vio_blk_ops, d);
	if (ret < 0)
		kfree(d);
	return ret;
}

void vio_detach_all(struct vm *vm)
{
	for (int i = 0; i < vm->nmmio; i++)
		kfree(vm->mmio[i].dev);
	vm->nmmio = 0;
}
