/* certify: devices onto QEMU's command line by their model's recipe (attach.h). */
#include <stdio.h>
#include <string.h>

#include "attach.h"

void certify_netdev_id(char *out, size_t len, size_t dev, enum certify_port port)
{
	static const char tag[] = { [CERTIFY_PORT_A] = 'a', [CERTIFY_PORT_B] = 'b',
				    [CERTIFY_PORT_SPARE] = 'z', [CERTIFY_PORT_WIRE] = 'w' };

	snprintf(out, len, "n%zu%c", dev, tag[port]);
}

void certify_nic_mac(char *out, size_t len, size_t dev, enum certify_port port)
{
	snprintf(out, len, "52:54:00:12:%02zx:%02x", dev & 0xff, (unsigned)port + 1);
}

void certify_drive_id(char *out, size_t len, size_t dev)
{
	snprintf(out, len, "d%zu", dev);
}

static int attach_nic(const struct certify_model *m, const struct certify_attach *at,
		      struct certify_strv *a)
{
	char net[96] = "", mac[40] = "";

	if (at->netdev)
		snprintf(net, sizeof(net), ",netdev=%s%s%s", at->netdev, at->id ? ",id=" : "",
			 at->id ? at->id : "");
	if (at->mac)
		snprintf(mac, sizeof(mac), ",mac=%s", at->mac);
	/* romfile= drops the PXE option ROM: SeaBIOS runs it, ~1 s under KVM. */
	return certify_strv_push(a, "-device") |
	       certify_strv_pushf(a, "%s%s%s,romfile=%s", m->model, net, mac, at->props);
}

/* A controller with id ctrl + index, and the disk on its first port or target. */
static int attach_ctrl(const struct certify_model *m, const struct certify_attach *at,
		       const char *disk, struct certify_strv *a)
{
	int r = certify_strv_push(a, "-device");

	r |= certify_strv_pushf(a, "%s,id=%s%zu%s", m->model, m->ctrl, at->index, at->props);
	r |= certify_strv_push(a, "-device");
	/* ver= is the disk's firmware revision (ATA IDENTIFY words 23-26, SCSI INQUIRY bytes
	 * 32-35): the host check dev.firmware knows what the driver must report. */
	if (m->attach == CERTIFY_ATTACH_AHCI)
		r |= certify_strv_pushf(a, "%s,drive=%s,bus=%s%zu.0,ver=" CERTIFY_DISK_FW_FMT, disk,
					at->drive, m->ctrl, at->index, at->index);
	else
		r |= certify_strv_pushf(a, "%s,drive=%s,bus=%s%zu.0,scsi-id=0,ver=" CERTIFY_DISK_FW_FMT,
					disk, at->drive, m->ctrl, at->index, at->index);
	return r;
}

int certify_attach_device(const struct certify_model *m, const struct certify_attach *at,
			  struct certify_strv *a)
{
	switch (m->attach) {
	case CERTIFY_ATTACH_NETDEV:
		return attach_nic(m, at, a);
	case CERTIFY_ATTACH_DRIVE:
		return certify_strv_push(a, "-device") |
		       certify_strv_pushf(a, "%s,drive=%s%s", m->model, at->drive, at->props);
	case CERTIFY_ATTACH_NVME:
		return certify_strv_push(a, "-device") |
		       certify_strv_pushf(a, "%s,serial=%s,drive=%s%s", m->model, at->serial, at->drive,
					  at->props);
	case CERTIFY_ATTACH_AHCI:
		return attach_ctrl(m, at, "ide-hd", a);
	case CERTIFY_ATTACH_SCSI:
		return attach_ctrl(m, at, "scsi-hd", a);
	case CERTIFY_ATTACH_PLAIN:
	case CERTIFY_ATTACH_VFIO:
		break;
	}
	return certify_strv_push(a, "-device") | certify_strv_pushf(a, "%s%s", m->model, at->props);
}

int certify_attach_drive(struct qemu_config *q, const char *id, uint64_t bytes,
			 const struct certify_inject *inj, struct certify_strv *a)
{
	char rules[512] = "";
	size_t len = 0;
	int n = 0;

	struct qemu_disk *disk;

	if (q->ndisks == QEMU_MAX_DISKS)
		return -1;
	disk = &q->disks[q->ndisks++];
	memset(disk, 0, sizeof(*disk));
	snprintf(disk->name, sizeof(disk->name), "%s", id);
	disk->size = bytes;
	if (certify_strv_push(a, "-drive") < 0)
		return -1;
	/* blkdebug (docs/qemu block drivers): read_aio and write_aio fire per request at its
	 * sectors; flush_to_os fires on every flush, once=on disarms the rule after one. */
	if (inj && inj->rlba[0])
		len += (size_t)snprintf(rules + len, sizeof(rules) - len, ",file.inject-error.%d.event="
					"read_aio,file.inject-error.%d.errno=5,file.inject-error.%d."
					"sector=%s", n, n, n, inj->rlba), n++;
	if (inj && inj->wlba[0] && len < sizeof(rules))
		len += (size_t)snprintf(rules + len, sizeof(rules) - len, ",file.inject-error.%d.event="
					"write_aio,file.inject-error.%d.iotype=write,file.inject-error.%d."
					"errno=5,file.inject-error.%d.sector=%s", n, n, n, n, inj->wlba), n++;
	if (inj && inj->flush && len < sizeof(rules))
		len += (size_t)snprintf(rules + len, sizeof(rules) - len, ",file.inject-error.%d.event="
					"flush_to_os,file.inject-error.%d.iotype=flush,file.inject-error.%d."
					"errno=5,file.inject-error.%d.once=on", n, n, n, n), n++;
	if (len >= sizeof(rules))
		return -1;
	if (n)
		return certify_strv_pushf(a, "if=none,id=%s,format=raw,file.driver=blkdebug,"
					  "file.image.driver=file,file.image.filename=${disk:%s}%s", id, id,
					  rules);
	return certify_strv_pushf(a, "if=none,id=%s,format=raw,file=${disk:%s}", id, id);
}

/* Two instances on one hub: every frame one sends reaches the other. */
static int attach_nic_pair(const struct certify_dut *d, size_t i, struct certify_strv *a)
{
	char id[32], mac[48];
	int r = 0;

	for (int k = CERTIFY_PORT_A; k <= CERTIFY_PORT_B; k++) {
		struct certify_attach at = { .index = i, .props = d->props, .netdev = id, .id = id, .mac = mac };

		certify_netdev_id(id, sizeof(id), i, (enum certify_port)k);
		certify_nic_mac(mac, sizeof(mac), i, (enum certify_port)k);
		r |= certify_strv_push(a, "-netdev");
		r |= certify_strv_pushf(a, "hubport,id=%s,hubid=%zu", id, i + 1);
		r |= certify_attach_device(d->m, &at, a);
	}
	/* A third port, as in the Linux baseline: it takes the frames when the other NIC is
	 * stopped (nic.txonly), so a NIC whose QEMU model sends asynchronously (virtio-net) is
	 * not held back by a hub with nobody left to deliver to. On the first device it is
	 * certify's wire tap (wire.h): the socket netdev n0w, which the executor puts on the
	 * command line before the topology, so the host sees every frame on the wire. */
	char wire[32];

	certify_netdev_id(id, sizeof(id), i, CERTIFY_PORT_SPARE);
	certify_netdev_id(wire, sizeof(wire), i, CERTIFY_PORT_WIRE);
	r |= certify_strv_push(a, "-netdev");
	r |= certify_strv_pushf(a, "hubport,id=%s,hubid=%zu%s%s", id, i + 1, i ? "" : ",netdev=",
				i ? "" : wire);
	return r;
}

static int attach_disk(const struct certify_run_spec *spec, const struct certify_dut *d, size_t i,
		       const struct certify_inject *inj, struct qemu_config *q, struct certify_strv *a)
{
	char drive[32], serial[32];
	struct certify_attach at = { .index = i, .props = d->props, .drive = drive, .serial = serial };

	certify_drive_id(drive, sizeof(drive), i);
	snprintf(serial, sizeof(serial), "hvkcert%zu", i);
	if (certify_attach_drive(q, drive, spec->plan->disk_bytes, inj, a) < 0)
		return -1;
	return certify_attach_device(d->m, &at, a);
}

int certify_attach_topology(const struct certify_run_spec *spec, const struct certify_inject *inj,
			    struct qemu_config *q, struct certify_strv *args)
{
	enum certify_topology topo = spec->plan->topology;
	int nic_wired = 0, r = 0;

	for (size_t i = 0; i < spec->ndut; i++) {
		const struct certify_dut *d = &spec->dut[i];
		const struct certify_model *m = d->m;
		struct certify_attach at = { .index = i, .props = d->props };

		if (m && m->attach == CERTIFY_ATTACH_VFIO) {
			/* the host's own function: no QEMU netdev, drive or MAC of certify's */
			r |= certify_strv_push(args, "-device");
			r |= certify_strv_pushf(args, "vfio-pci%s,id=host%zu", d->props, i);
		} else if (m && topo == CERTIFY_TOPO_NIC_PAIR) {
			r |= attach_nic_pair(d, i, args);
		} else if (m && topo == CERTIFY_TOPO_DISK) {
			r |= attach_disk(spec, d, i, i == 0 ? inj : NULL, q, args);
		} else if (m && topo == CERTIFY_TOPO_VM && m->kind == CERTIFY_KIND_STORAGE) {
			r |= attach_disk(spec, d, i, NULL, q, args);
		} else if (m && topo == CERTIFY_TOPO_VM && m->kind == CERTIFY_KIND_NIC && !nic_wired) {
			char mac[24];

			certify_nic_mac(mac, sizeof(mac), i, CERTIFY_PORT_A);
			at.netdev = CERTIFY_NETDEV_PEER;	/* the host peer's -netdev, run.c adds it */
			at.id = CERTIFY_NIC_PEER;
			at.mac = mac;
			r |= certify_attach_device(m, &at, args);
			nic_wired = 1;
		} else {
			r |= certify_strv_push(args, "-device");
			r |= certify_strv_pushf(args, "%s%s", d->model, d->props);
		}
	}
	return r ? -1 : 0;
}

void certify_attach_first_disk(const struct certify_run_spec *spec, char *out, size_t len)
{
	certify_drive_id(out, len, 0);
	for (size_t i = 0; spec->plan->topology == CERTIFY_TOPO_VM && i < spec->ndut; i++)
		if (spec->dut[i].m && spec->dut[i].m->kind == CERTIFY_KIND_STORAGE) {
			certify_drive_id(out, len, i);
			return;
		}
}

void certify_attach_each_nic(const struct certify_run_spec *spec,
			     void (*fn)(const char *id, const char *mac, void *ctx), void *ctx)
{
	enum certify_topology topo = spec->plan->topology;
	char id[32], mac[24];

	for (size_t i = 0; i < spec->ndut; i++) {
		const struct certify_model *m = spec->dut[i].m;

		if (!m || m->kind != CERTIFY_KIND_NIC)
			continue;
		if (topo == CERTIFY_TOPO_NIC_PAIR) {
			for (int k = CERTIFY_PORT_A; k <= CERTIFY_PORT_B; k++) {
				certify_netdev_id(id, sizeof(id), i, (enum certify_port)k);
				certify_nic_mac(mac, sizeof(mac), i, (enum certify_port)k);
				fn(id, mac, ctx);
			}
		} else if (topo == CERTIFY_TOPO_VM) {
			certify_nic_mac(mac, sizeof(mac), i, CERTIFY_PORT_A);
			fn(CERTIFY_NIC_PEER, mac, ctx);
			return;		/* only the first NIC is wired (certify_attach_topology) */
		}
	}
}
