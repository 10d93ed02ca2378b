/* virtio-mmio devices the hypervisor serves to guests (vmm/virtio_mmio.c, vmm/vio_blk.c). */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H

#include <stdint.h>
#include <hv/blkdev.h>

struct vm;

#define VIO_MMIO_SIZE	0x200

/* Give vm a virtio-blk device at gpa base whose disk is blocks [first, first + count) of
 * the hypervisor's block device bd (a window: the guest cannot reach beyond it). */
int vio_blk_attach(struct vm *vm, uint64_t base, struct hv_blkdev *bd, uint64_t first, uint64_t count);
/* Give vm a virtio-net device at gpa base with MAC mac, on a new virtual switch port. */
int vio_net_attach(struct vm *vm, uint64_t base, const uint8_t mac[6]);
/* Free the devices attached to vm (vm_destroy calls it). */
void vio_detach_all(struct vm *vm);

#endif
