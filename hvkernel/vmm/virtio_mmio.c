/* The virtio-mmio transport (include/vmm/vio.h). */
#include <hv/errno.h>
#include <kern/mem.h>
#include <kern/string.h>
#include <vmm/vio.h>
#include <vmm/virtio_mmio.h>
#include <vmm/vm.h>

#define VIO_MAGIC		0x74726976u	/* "virt" */
#define VIO_VENDOR		0x4b564856u	/* "HVHK" */
#define VIO_STATUS_NEEDS_RESET	0x40

enum {
	VIO_R_MAGIC = 0x000, VIO_R_VERSION = 0x004, VIO_R_DEVICE = 0x008, VIO_R_VENDOR = 0x00c,
	VIO_R_DEV_FEAT = 0x010, VIO_R_DEV_FEAT_SEL = 0x014, VIO_R_DRV_FEAT = 0x020,
	VIO_R_DRV_FEAT_SEL = 0x024, VIO_R_QUEUE_SEL = 0x030, VIO_R_QUEUE_NUM_MAX = 0x034,
	VIO_R_QUEUE_NUM = 0x038, VIO_R_QUEUE_READY = 0x044, VIO_R_QUEUE_NOTIFY = 0x050,
	VIO_R_INT_STATUS = 0x060, VIO_R_INT_ACK = 0x064, VIO_R_STATUS = 0x070,
	VIO_R_DESC_LO = 0x080, VIO_R_DESC_HI = 0x084, VIO_R_AVAIL_LO = 0x090, VIO_R_AVAIL_HI = 0x094,
	VIO_R_USED_LO = 0x0a0, VIO_R_USED_HI = 0x0a4, VIO_R_CONFIG_GEN = 0x0fc, VIO_R_CONFIG = 0x100,
};

/* InterruptStatus is the device's interrupt line (4.2.2, 4.2.3.4): asserted while any bit
 * is set, into the VM's I/O APIC when it has one. */
static void vio_irq_update(struct vm *vm, struct vio_dev *d)
{
	vioapic_set_line(vm, d->gsi, d->isr != 0);
}

static void vio_reset(struct vio_dev *d)
{
	d->status = d->dev_feat_sel = d->drv_feat_sel = d->queue_sel = d->isr = 0;
	d->drv_feat[0] = d->drv_feat[1] = 0;
	memset(d->q, 0, sizeof(d->q));
}

static uint64_t vio_features(const struct vio_dev *d)
{
	return d->cls->features | (1ull << 32);	/* VIRTIO_F_VERSION_1 */
}

static uint32_t vio_read(struct vm *vm, void *dev, uint64_t off, unsigned size)
{
	struct vio_dev *d = dev;
	struct vio_queue *q = &d->q[d->queue_sel];

	(void)vm;
	if (off >= VIO_R_CONFIG) {
		uint32_t v = 0;
		for (unsigned i = 0; i < size; i++)
			v |= (uint32_t)(d->cls->config ? d->cls->config(d, (unsigned)(off - VIO_R_CONFIG) + i) : 0) << (8 * i);
		return v;
	}
	switch (off) {
	case VIO_R_MAGIC: return VIO_MAGIC;
	case VIO_R_VERSION: return 2;
	case VIO_R_DEVICE: return d->cls->device_id;
	case VIO_R_VENDOR: return VIO_VENDOR;
	case VIO_R_DEV_FEAT: return d->dev_feat_sel < 2 ? (uint32_t)(vio_features(d) >> (32 * d->dev_feat_sel)) : 0;
	case VIO_R_QUEUE_NUM_MAX: return VIO_QUEUE_MAX;
	case VIO_R_QUEUE_READY: return q->ready;
	case VIO_R_INT_STATUS: return d->isr;
	case VIO_R_STATUS: return d->status;
	default: return 0;	/* CONFIG_GEN stays 0: our configuration never changes */
	}
}

static void vio_set64(uint64_t *x, int hi, uint32_t v)
{
	*x = hi ? (*x & 0xffffffffull) | (uint64_t)v << 32 : (*x & ~0xffffffffull) | v;
}

static void vio_write(struct vm *vm, void *dev, uint64_t off, unsigned size, uint32_t v)
{
	struct vio_dev *d = dev;
	struct vio_queue *q = &d->q[d->queue_sel];

	(void)size;
	switch (off) {
	case VIO_R_DEV_FEAT_SEL: d->dev_feat_sel = v; break;
	case VIO_R_DRV_FEAT_SEL: d->drv_feat_sel = v; break;
	case VIO_R_DRV_FEAT: if (d->drv_feat_sel < 2) d->drv_feat[d->drv_feat_sel] = v; break;
	case VIO_R_QUEUE_SEL: if (v < d->cls->nqueues) d->queue_sel = v; break;
	case VIO_R_QUEUE_NUM: q->num = v <= VIO_QUEUE_MAX ? v : 0; break;
	case VIO_R_QUEUE_READY: q->ready = v & 1; break;
	case VIO_R_QUEUE_NOTIFY:
		if (v < d->cls->nqueues && d->q[v].ready)
			d->cls->notify(vm, d, v);
		break;
	case VIO_R_INT_ACK: d->isr &= ~v; vio_irq_update(vm, d); break;
	case VIO_R_STATUS:
		if (v == 0) {
			vio_reset(d);
			vio_irq_update(vm, d);
		} else {
			d->status = v;
		}
		break;
	case VIO_R_DESC_LO: case VIO_R_DESC_HI: vio_set64(&q->desc, off == VIO_R_DESC_HI, v); break;
	case VIO_R_AVAIL_LO: case VIO_R_AVAIL_HI: vio_set64(&q->avail, off == VIO_R_AVAIL_HI, v); break;
	case VIO_R_USED_LO: case VIO_R_USED_HI: vio_set64(&q->used, off == VIO_R_USED_HI, v); break;
	default: break;	/* writes to read-only registers are ignored (4.2.2.2) */
	}
}

static const struct vm_mmio_ops vio_ops = { vio_read, vio_write };

struct vio_dev *vio_attach(struct vm *vm, uint64_t base, const struct vio_class *cls, void *priv)
{
	struct vio_dev *d = kzalloc(sizeof(*d));

	if (!d)
		return 0;
	d->cls = cls;
	d->priv = priv;
	d->gsi = VIRQ_VIO_GSI_BASE;
	for (int i = 0; i < vm->nmmio; i++)	/* the n-th virtio device drives input 16 + n */
		d->gsi += vm->mmio[i].ops == &vio_ops;
	if (vm_add_mmio(vm, base, VIO_MMIO_SIZE, &vio_ops, d) < 0) {
		kfree(d);
		return 0;
	}
	return d;
}

struct vio_dev *vio_find(struct vm *vm, uint64_t base)
{
	for (int i = 0; i < vm->nmmio; i++)
		if (vm->mmio[i].base == base && vm->mmio[i].ops == &vio_ops)
			return vm->mmio[i].dev;
	return 0;
}

void vio_detach_all(struct vm *vm)
{
	for (int i = 0; i < vm->nmmio; i++) {
		struct vio_dev *d = vm->mmio[i].dev;
		if (vm->mmio[i].ops != &vio_ops)
			continue;	/* not ours: the interrupt controllers (virq_detach) */
		if (d->cls->release)
			d->cls->release(d);
		kfree(d);
	}
	vm->nmmio = 0;
}

int vio_pop(struct vm *vm, struct vio_dev *d, unsigned qi, uint16_t *head, struct vio_desc *chain, unsigned max)
{
	struct vio_queue *q = &d->q[qi];
	uint32_t num = q->num;
	struct vio_desc *tab = vm_gpa(vm, q->desc, (uint64_t)num * sizeof(struct vio_desc));
	uint16_t *avail = vm_gpa(vm, q->avail, 4 + 2ull * num);

	if (!num || !tab || !avail) {
		d->status |= VIO_STATUS_NEEDS_RESET;
		return 0;
	}
	if (q->last_avail == __atomic_load_n(&avail[1], __ATOMIC_ACQUIRE))
		return 0;
	uint16_t i = avail[2 + q->last_avail % num];
	unsigned n = 0;
	q->last_avail++;
	*head = i;
	for (;;) {	/* copy the chain, refusing loops, bad indexes and foreign memory */
		if (i >= num || n == max)
			return -1;
		chain[n] = tab[i];
		if (!vm_gpa(vm, chain[n].addr, chain[n].len))
			return -1;
		if (!(chain[n++].flags & VIO_DESC_F_NEXT))
			return (int)n;
		i = tab[i].next;
	}
}

void vio_push(struct vm *vm, struct vio_dev *d, unsigned qi, uint16_t head, uint32_t len)
{
	struct vio_queue *q = &d->q[qi];
	uint16_t *used = vm_gpa(vm, q->used, 4 + 8ull * q->num);

	if (!used || !q->num)
		return;
	uint16_t u = used[1];
	uint32_t *elem = (uint32_t *)(used + 2) + 2 * (u % q->num);
	elem[0] = head;
	elem[1] = len;
	__atomic_store_n(&used[1], (uint16_t)(u + 1), __ATOMIC_RELEASE);
	d->isr |= 1;		/* used buffer notification (4.2.2 InterruptStatus bit 0) */
	vio_irq_update(vm, d);
}

int vio_set_gsi(struct vm *vm, uint64_t base, unsigned gsi)
{
	struct vio_dev *d = vio_find(vm, base);

	if (!d)
		return -HV_ENODEV;
	d->gsi = gsi;
	return 0;
}
