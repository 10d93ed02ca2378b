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
/*
 * What a guest wrote to its virtual disk, for the host to check in the image afterwards
 * (vmm/vmboot.c): extents in 512-byte sectors of the window, adjacent writes merged.
 * drop_write (a test hook, vm.debug_drop_write=N) makes the N-th write request (from 1)
 * succeed without reaching the device, so a test can prove the host's check fails.
 */
#define VIO_BLK_LOG_MAX	64

struct vio_blk_log {
	struct { uint64_t sector, count; } ext[VIO_BLK_LOG_MAX];
	int n;
	int overflow;			/* more extents than fit: the log is incomplete */
	uint64_t writes;		/* write requests seen */
	uint64_t drop_write;		/* 0: none */
};

/* Log the writes to the disk at gpa base of vm into log (the caller's; NULL stops).
 * 0, or -HV_ENODEV when no virtio-blk device is there. */
int vio_blk_set_log(struct vm *vm, uint64_t base, struct vio_blk_log *log);
/* Report log as `blkwrite` records (docs/result-channel.md) for the host's image check:
 * dev is the backing device, base the window's first sector, seed the guest's tag seed. */
void vio_blk_log_report(const struct vio_blk_log *log, const char *dev, uint64_t base, uint64_t seed);
/* Make the device at gpa base drive I/O APIC input gsi instead of 16 + its index (a Linux
 * guest's virtio_mmio.device= names an ISA interrupt, 0-15). 0 or -HV_ENODEV. */
int vio_set_gsi(struct vm *vm, uint64_t base, unsigned gsi);
/* What the virtio-blk device at gpa base of vm served: requests, data bytes moved, and
 * the hypervisor's clock (time_us) when the first request arrived and when the last one
 * completed, so a benchmark can time the guest's I/O without its boot (0 before any). */
struct vio_blk_stats {
	uint64_t requests, errors, bytes;
	uint64_t first_us, last_us;
};
/* 0, or -HV_ENODEV when no virtio-blk device is there. */
int vio_blk_get_stats(struct vm *vm, uint64_t base, struct vio_blk_stats *s);
/* Free the devices attached to vm (vm_destroy calls it). */
void vio_detach_all(struct vm *vm);

#endif
