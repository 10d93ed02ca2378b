/*
 * Network device registry: the kernel side of the DDK's netdev interface
 * (hvkernel/ddk/ddk_netdev.c). Drivers register through the DDK; the network stack opens,
 * transmits through netdev_xmit and receives.
 */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <kern/hvr.h>
#include <kern/log.h>
#include <kern/verifier.h>
#include <kern/mem.h>
#include <kern/netdev.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <lib/fmt.h>

struct netdev_state {
	struct hv_netdev *nd;
	/* The kernel's copies, for the verifier's check at remove: a driver that never
	 * unregistered has usually freed the hv_netdev that holds them. */
	const struct hv_pci_dev *pci;
	char name[16];
	netdev_rx_fn rx;
	void *rx_arg;
	int open;
	uint64_t rx_frames, rx_dropped, link_changes, tx_refused;
	unsigned nqueues;
	const struct hv_netdev_queue_stats *queues;
	unsigned tx_slots, rx_slots;	/* hv_netdev_set_rings; 0: not declared */
	struct netdev_state *next;
};

static struct netdev_state *netdev_list;
static unsigned netdev_next_index;

#define NETDEV_STATE(nd)	((struct netdev_state *)(nd)->kernel_private)

/*
 * The `netdev` record: the Ethernet address the driver read, and the PCI function it read
 * it from, so the host can compare it with the mac= it gave QEMU (certify's host check
 * nic.mac). Every registration reports, also each rebind of an attach/detach loop.
 */
static void netdev_report(const struct hv_netdev *nd)
{
	char slot[16], mac[18];

	fmt_snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", nd->mac[0], nd->mac[1],
		     nd->mac[2], nd->mac[3], nd->mac[4], nd->mac[5]);
	hvr_begin("netdev");
	hvr_str("name", nd->name);
	slot[0] = '-';
	slot[1] = '\0';
	if (nd->pci)
		pci_slot_name((const struct pci_dev *)nd->pci, slot);	/* buf holds SSSS:BB:DD.F */
	hvr_str("slot", slot);
	hvr_str("mac", mac);
	hvr_end();
}

int netdev_add(struct hv_netdev *nd)
{
	struct netdev_state *s = kzalloc(sizeof(*s));
	if (!s)
		return -HV_ENOMEM;
	s->nd = nd;
	fmt_snprintf(nd->name, sizeof(nd->name), "vmnic%u", netdev_next_index++);
	nd->kernel_private = s;
	s->pci = nd->pci;
	memcpy(s->name, nd->name, sizeof(s->name));
	int on = cpu_irq_save();
	struct netdev_state **pp = &netdev_list;
	while (*pp)
		pp = &(*pp)->next;
	*pp = s;
	cpu_irq_restore(on);
	klog("netdev: %s registered, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u (max %u), link %s",
	     nd->name, nd->mac[0], nd->mac[1], nd->mac[2], nd->mac[3], nd->mac[4], nd->mac[5],
	     nd->mtu, nd->max_mtu, nd->link_up ? "up" : "down");
	netdev_report(nd);
	return 0;
}

void netdev_remove(struct hv_netdev *nd)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	if (!s)
		return;
	if (s->open)
		netdev_stop(nd);
	int on = cpu_irq_save();
	for (struct netdev_state **pp = &netdev_list; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	cpu_irq_restore(on);
	klog("netdev: %s unregistered", nd->name);
	nd->kernel_private = 0;
	kfree(s);
}

void netdev_input(struct hv_netdev *nd, const void *frame, size_t len)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	if (!s)
		return;
	if (s->rx) {
		s->rx_frames++;
		s->rx(nd, frame, len, s->rx_arg);
	} else {
		s->rx_dropped++;
	}
}

void netdev_link_change(struct hv_netdev *nd, bool up)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	if (nd->link_up == up)
		return;
	nd->link_up = up;
	if (s)
		s->link_changes++;
	klog("netdev: %s link %s", nd->name, up ? "up" : "down");
}

void netdev_set_queue_stats(struct hv_netdev *nd, unsigned n, const struct hv_netdev_queue_stats *qs)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	if (!s)
		return;
	int on = cpu_irq_save();
	s->nqueues = qs ? n : 0;
	s->queues = s->nqueues ? qs : 0;
	cpu_irq_restore(on);
}

void netdev_set_rings(struct hv_netdev *nd, unsigned tx_slots, unsigned rx_slots)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	if (!s)
		return;
	s->tx_slots = tx_slots;
	s->rx_slots = rx_slots;
	klog("netdev: %s rings: %u transmit, %u receive slots", nd->name, tx_slots, rx_slots);
}

unsigned netdev_largest_ring(struct hv_netdev *nd)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	return s->tx_slots > s->rx_slots ? s->tx_slots : s->rx_slots;
}

unsigned netdev_queue_stats(struct hv_netdev *nd, const struct hv_netdev_queue_stats **qs)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	*qs = s->queues;
	return s->nqueues;
}

struct hv_netdev *netdev_first(void)
{
	return netdev_list ? netdev_list->nd : 0;
}

const char *netdev_left_by(const struct hv_pci_dev *pci, unsigned idx, uintptr_t *nd)
{
	for (struct netdev_state *s = netdev_list; s; s = s->next) {
		if (s->pci != pci || idx-- > 0)
			continue;
		*nd = (uintptr_t)s->nd;
		return s->name;
	}
	return 0;
}

struct hv_netdev *netdev_next(struct hv_netdev *nd)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	return s && s->next ? s->next->nd : 0;
}

struct hv_netdev *netdev_find(const char *name)
{
	for (struct netdev_state *s = netdev_list; s; s = s->next)
		if (strcmp(s->nd->name, name) == 0)
			return s->nd;
	return 0;
}

void netdev_set_rx(struct hv_netdev *nd, netdev_rx_fn fn, void *arg)
{
	struct netdev_state *s = NETDEV_STATE(nd);
	int on = cpu_irq_save();

	s->rx = fn;
	s->rx_arg = arg;
	cpu_irq_restore(on);
}

int netdev_open(struct hv_netdev *nd)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	struct vf_entry e;

	if (s->open)
		return -HV_EBUSY;
	vf_entry_enter(&e, (struct pci_dev *)nd->pci);
	int ret = nd->ops->open(nd);
	vf_entry_exit(&e, "open");
	if (ret == 0)
		s->open = 1;
	return ret;
}

void netdev_stop(struct hv_netdev *nd)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	struct vf_entry e;

	if (!s->open)
		return;
	vf_entry_enter(&e, (struct pci_dev *)nd->pci);
	nd->ops->stop(nd);
	vf_entry_exit(&e, "stop");
	s->open = 0;
}

/*
 * The one length check of the DDK's xmit contract (hv/netdev.h): a whole frame without the
 * FCS, at least the Ethernet header, at most the MTU plus the header. Drivers rely on it
 * and do not check again. A refused frame is counted here, not by the driver.
 */
int netdev_xmit(struct hv_netdev *nd, const void *frame, size_t len)
{
	if (len < HV_ETH_HLEN || len > HV_ETH_FRAME_MAX(nd->mtu)) {
		struct netdev_state *s = NETDEV_STATE(nd);

		if (s)
			__atomic_fetch_add(&s->tx_refused, 1, __ATOMIC_RELAXED);
		return -HV_EINVAL;
	}
	if (!vf_on)
		return nd->ops->xmit(nd, frame, len);
	struct vf_entry e;
	vf_entry_enter(&e, (struct pci_dev *)nd->pci);
	int ret = nd->ops->xmit(nd, frame, len);
	vf_entry_exit(&e, "xmit");
	return ret;
}

void netdev_counts(struct hv_netdev *nd, uint64_t *rx, uint64_t *dropped, uint64_t *link_changes)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	*rx = s->rx_frames;
	*dropped = s->rx_dropped;
	*link_changes = s->link_changes;
}

void netdev_get_stats(struct hv_netdev *nd, struct hv_netdev_stats *st)
{
	struct netdev_state *s = NETDEV_STATE(nd);

	memset(st, 0, sizeof(*st));
	if (nd->ops->get_stats)
		nd->ops->get_stats(nd, st);
	if (s)
		st->tx_errors += __atomic_load_n(&s->tx_refused, __ATOMIC_RELAXED);
}
