/* DDK network devices (hv/netdev.h) on the kernel's registry (kern/netdev.c). */
#include <hv/errno.h>
#include <hv/netdev.h>
#include <kern/netdev.h>
#include <kern/verifier.h>

#define DDK_CALLER	((uintptr_t)__builtin_return_address(0))

int hv_netdev_register(struct hv_netdev *nd)
{
	if (vf_on && vf_may_sleep("hv_netdev_register", DDK_CALLER) < 0)
		return -HV_EINVAL;
	if (!nd->ops || !nd->ops->open || !nd->ops->stop || !nd->ops->xmit || nd->kernel_private)
		return -HV_EINVAL;
	if (nd->mtu == 0)
		nd->mtu = HV_ETH_MTU;
	if (nd->max_mtu < nd->mtu)
		nd->max_mtu = nd->mtu;
	return netdev_add(nd);
}

void hv_netdev_unregister(struct hv_netdev *nd)
{
	if (vf_on && vf_may_sleep("hv_netdev_unregister", DDK_CALLER) < 0)
		return;
	netdev_remove(nd);
}

void hv_netdev_rx(struct hv_netdev *nd, const void *frame, size_t len)
{
	netdev_input(nd, frame, len);
}

void hv_netdev_link_change(struct hv_netdev *nd, bool up)
{
	netdev_link_change(nd, up);
}

void hv_netdev_set_rings(struct hv_netdev *nd, unsigned tx_slots, unsigned rx_slots)
{
	netdev_set_rings(nd, tx_slots, rx_slots);
}

void hv_netdev_set_queue_stats(struct hv_netdev *nd, unsigned n,
			       const struct hv_netdev_queue_stats *qs)
{
	netdev_set_queue_stats(nd, n, qs);
}
