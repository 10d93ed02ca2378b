/*
 * The virtio-mmio transport for devices the hypervisor serves to guests (VIRTIO 1.1,
 * 4.2.2 register layout version 2; 2.6 split virtqueues). A device class supplies its ID,
 * features, configuration space and what to do when a queue is notified; the transport
 * keeps the registers and gives safe access to the queues in guest memory.
 */
#ifndef VMM_VIO_H
#define VMM_VIO_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vio_dev;

#define VIO_MAX_QUEUES	2
#define VIO_QUEUE_MAX	64
#define VIO_DESC_F_NEXT	1
#define VIO_DESC_F_WRITE 2

struct vio_desc { uint64_t addr; uint32_t len; uint16_t flags, next; } __attribute__((packed));

struct vio_class {
	uint32_t device_id;
	uint64_t features;		/* VIRTIO_F_VERSION_1 is added by the transport */
	unsigned nqueues;
	/* Byte i of the device configuration space, or 0. */
	uint8_t (*config)(struct vio_dev *d, unsigned i);
	void (*notify)(struct vm *vm, struct vio_dev *d, unsigned queue);
	void (*release)(struct vio_dev *d);
};

struct vio_queue {
	uint32_t num, ready;
	uint64_t desc, avail, used;
	uint16_t last_avail;
};

struct vio_dev {
	const struct vio_class *cls;
	uint32_t status, dev_feat_sel, drv_feat_sel, drv_feat[2], queue_sel, isr;
	struct vio_queue q[VIO_MAX_QUEUES];
	void *priv;
	unsigned gsi;			/* its I/O APIC input (include/vmm/virq.h) */
};

/* Put a device of class cls at gpa base of vm. Returns it, or NULL. */
struct vio_dev *vio_attach(struct vm *vm, uint64_t base, const struct vio_class *cls, void *priv);
/* The virtio-mmio device at gpa base of vm, or NULL. */
struct vio_dev *vio_find(struct vm *vm, uint64_t base);
/*
 * The next chain the guest made available on queue qi: its descriptors (at most max) are
 * copied into chain[], each checked to lie in guest RAM. Returns the count, 0 when the
 * queue is empty, -1 for a malformed chain (the head is still consumed and reported in *head).
 */
int vio_pop(struct vm *vm, struct vio_dev *d, unsigned qi, uint16_t *head, struct vio_desc *chain, unsigned max);
/* Return chain head to the guest with len bytes written. */
void vio_push(struct vm *vm, struct vio_dev *d, unsigned qi, uint16_t head, uint32_t len);

#endif
