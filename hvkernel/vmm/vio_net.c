/*
 * A virtio-net device for guests (VIRTIO 1.1, 5.1) whose other end is a port on the
 * virtual switch: frames the guest transmits enter the switch, frames the switch delivers
 * fill the guest's receive buffers (dropped and counted when it has posted none).
 */
#include <hv/errno.h>
#include <hv/netdev.h>
#include <kern/mem.h>
#include <kern/string.h>
#include <kern/vswitch.h>
#include <vmm/vio.h>
#include <vmm/virtio_mmio.h>
#include <vmm/vm.h>

#define VIO_NET_F_MAC	(1ull << 5)
#define VIO_NET_HDR	12		/* struct virtio_net_hdr with VIRTIO_F_VERSION_1 (5.1.6) */
#define VIO_NET_MAXF	(VIO_NET_HDR + HV_ETH_FRAME_MAX(HV_ETH_MTU))
#define VIO_NET_RXQ	0
#define VIO_NET_TXQ	1

struct vio_net {
	struct vm *vm;
	struct vio_dev *dev;
	struct vsw_port *port;
	uint8_t mac[6];
	uint8_t buf[VIO_NET_MAXF];
	uint64_t tx_frames, rx_frames, rx_dropped, bad;
};

static void vio_net_tx(struct vm *vm, struct vio_dev *d, unsigned qi)
{
	struct vio_net *n = d->priv;
	struct vio_desc c[VIO_QUEUE_MAX];
	uint16_t head;
	int cnt;

	if (qi != VIO_NET_TXQ)
		return;		/* the guest posted receive buffers: nothing to do now */
	while ((cnt = vio_pop(vm, d, qi, &head, c, VIO_QUEUE_MAX)) != 0) {
		uint32_t len = 0;
		for (int k = 0; k < cnt; k++) {
			if (c[k].flags & VIO_DESC_F_WRITE || c[k].len > VIO_NET_MAXF - len) {
				cnt = -1;
				break;
			}
			memcpy(n->buf + len, vm_gpa(vm, c[k].addr, c[k].len), c[k].len);
			len += c[k].len;
		}
		vio_push(vm, d, qi, head, 0);
		if (cnt < 0 || len < VIO_NET_HDR + 14) {
			n->bad++;
			continue;
		}
		n->tx_frames++;
		vsw_input(n->port, n->buf + VIO_NET_HDR, len - VIO_NET_HDR);
	}
}

/* The switch delivers a frame to this VM. */
static void vio_net_deliver(struct vsw_port *p, const void *frame, size_t len)
{
	struct vio_net *n = p->priv;
	struct vio_desc c[VIO_QUEUE_MAX];
	uint16_t head;
	uint8_t hdr[VIO_NET_HDR] = { 0 };

	hdr[10] = 1;	/* num_buffers */
	int cnt = n->dev->q[VIO_NET_RXQ].ready ? vio_pop(n->vm, n->dev, VIO_NET_RXQ, &head, c, VIO_QUEUE_MAX) : 0;
	if (cnt <= 0) {
		n->rx_dropped++;
		if (cnt < 0)
			vio_push(n->vm, n->dev, VIO_NET_RXQ, head, 0);
		return;
	}
	size_t off = 0, total = VIO_NET_HDR + len;
	for (int k = 0; k < cnt && off < total; k++) {
		if (!(c[k].flags & VIO_DESC_F_WRITE))
			break;
		uint8_t *dst = vm_gpa(n->vm, c[k].addr, c[k].len);
		for (uint32_t i = 0; i < c[k].len && off < total; i++, off++)
			dst[i] = off < VIO_NET_HDR ? hdr[off] : ((const uint8_t *)frame)[off - VIO_NET_HDR];
	}
	if (off < total) {
		n->rx_dropped++;	/* buffers too small: the frame is not delivered in part */
		vio_push(n->vm, n->dev, VIO_NET_RXQ, head, 0);
		return;
	}
	n->rx_frames++;
	vio_push(n->vm, n->dev, VIO_NET_RXQ, head, (uint32_t)total);
}

static uint8_t vio_net_config(struct vio_dev *d, unsigned i)
{
	struct vio_net *n = d->priv;

	return i < 6 ? n->mac[i] : 0;	/* virtio_net_config.mac (5.1.4) */
}

static void vio_net_release(struct vio_dev *d)
{
	struct vio_net *n = d->priv;

	vsw_remove_port(n->port);
	kfree(n);
}

static const struct vio_class vio_net_class = {
	.device_id = 1, .features = VIO_NET_F_MAC, .nqueues = 2,
	.config = vio_net_config, .notify = vio_net_tx, .release = vio_net_release,
};

int vio_net_attach(struct vm *vm, uint64_t base, const uint8_t mac[6])
{
	struct vio_net *n = kzalloc(sizeof(*n));

	if (!n)
		return -HV_ENOMEM;
	n->vm = vm;
	memcpy(n->mac, mac, 6);
	n->port = vsw_add_port(vm->name, vio_net_deliver, n);
	if (!n->port) {
		kfree(n);
		return -HV_ENOSPC;
	}
	n->dev = vio_attach(vm, base, &vio_net_class, n);
	if (!n->dev) {
		vsw_remove_port(n->port);
		kfree(n);
		return -HV_ENOSPC;
	}
	return 0;
}
