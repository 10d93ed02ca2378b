/* The virtual switch (kern/vswitch.h): MAC learning and forwarding between ports. */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/netdev.h>
#include <kern/string.h>
#include <kern/vswitch.h>

static struct vsw_port *vsw_ports[VSW_MAX_PORTS];
static struct { uint8_t mac[6]; struct vsw_port *port; } vsw_macs[VSW_MAX_MACS];
static unsigned vsw_next_mac;

struct vsw_port *vsw_add_port(const char *name, vsw_deliver_fn deliver, void *priv)
{
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		if (vsw_ports[i])
			continue;
		struct vsw_port *p = kzalloc(sizeof(*p));
		if (!p)
			return 0;
		strlcpy(p->name, name, sizeof(p->name));
		p->deliver = deliver;
		p->priv = priv;
		vsw_ports[i] = p;
		return p;
	}
	return 0;
}

static void vsw_uplink_deliver(struct vsw_port *p, const void *frame, size_t len)
{
	if (netdev_xmit(p->uplink, frame, len) < 0)
		p->dropped++;
}

static void vsw_uplink_rx(struct hv_netdev *nd, const void *frame, size_t len, void *arg)
{
	(void)nd;
	vsw_input(arg, frame, len);
}

struct vsw_port *vsw_add_uplink(struct hv_netdev *nd)
{
	struct vsw_port *p = vsw_add_port(nd->name, vsw_uplink_deliver, 0);

	if (!p)
		return 0;
	p->uplink = nd;
	int ret = netdev_open(nd);
	if (ret < 0 && ret != -HV_EBUSY) {
		vsw_remove_port(p);
		return 0;
	}
	netdev_set_rx(nd, vsw_uplink_rx, p);
	return p;
}

void vsw_remove_port(struct vsw_port *p)
{
	if (!p)
		return;
	if (p->uplink)
		netdev_set_rx(p->uplink, 0, 0);
	for (int i = 0; i < VSW_MAX_MACS; i++)
		if (vsw_macs[i].port == p)
			vsw_macs[i].port = 0;
	for (int i = 0; i < VSW_MAX_PORTS; i++)
		if (vsw_ports[i] == p)
			vsw_ports[i] = 0;
	kfree(p);
}

struct vsw_port *vsw_find_port(const char *name)
{
	for (int i = 0; i < VSW_MAX_PORTS; i++)
		if (vsw_ports[i] && strcmp(vsw_ports[i]->name, name) == 0)
			return vsw_ports[i];
	return 0;
}

static void vsw_learn(const uint8_t *mac, struct vsw_port *p)
{
	if (mac[0] & 1)
		return;		/* a group address is never a source */
	for (int i = 0; i < VSW_MAX_MACS; i++)
		if (vsw_macs[i].port && memcmp(vsw_macs[i].mac, mac, 6) == 0) {
			vsw_macs[i].port = p;
			return;
		}
	unsigned i = vsw_next_mac++ % VSW_MAX_MACS;	/* table full: replace the oldest */
	memcpy(vsw_macs[i].mac, mac, 6);
	vsw_macs[i].port = p;
}

void vsw_input(struct vsw_port *from, const void *frame, size_t len)
{
	const uint8_t *f = frame;

	if (len < 14)
		return;
	from->rx_frames++;
	vsw_learn(f + 6, from);
	if (!(f[0] & 1)) {
		for (int i = 0; i < VSW_MAX_MACS; i++) {
			struct vsw_port *to = vsw_macs[i].port;
			if (to && memcmp(vsw_macs[i].mac, f, 6) == 0) {
				if (to != from) {
					to->tx_frames++;
					to->deliver(to, frame, len);
				}
				return;
			}
		}
	}
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct vsw_port *to = vsw_ports[i];
		if (to && to != from) {
			to->tx_frames++;
			to->deliver(to, frame, len);
		}
	}
}
