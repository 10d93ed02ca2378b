/*
 * PCI tests: the enumeration as a whole (the host compares it with QEMU's own view at the
 * "pci" sync point), capability lists and BARs, and the driver core's matching rules
 * applied to the functions that are really present.
 */
#include <hv/errno.h>
#include <kern/cmdline.h>
#include <kern/driver.h>
#include <kern/hvr.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <lib/pcicap.h>
#include <lib/pcireg.h>

KTEST(pci, enum)
{
	int n = 0, bridges = 0, behind = 0;

	for (struct pci_dev *d = pci_first(); d; d = d->next) {
		n++;
		KT_CHECK(t, d->vendor != 0xffff && d->vendor != 0, "bogus vendor at %02x:%02x.%x",
			 d->bus, d->dev, d->fn);
		if (d->hdr_type == PCI_HEADER_TYPE_BRIDGE) {
			bridges++;
			KT_CHECK(t, d->sec_bus > d->bus, "bridge %02x:%02x.%x: secondary bus %u",
				 d->bus, d->dev, d->fn, d->sec_bus);
		}
		if (d->parent) {
			behind++;
			KT_CHECK(t, d->bus == d->parent->sec_bus, "%02x:%02x.%x is not on its bridge's bus",
				 d->bus, d->dev, d->fn);
		}
	}
	KT_CHECK(t, n == pci_count(), "list has %d functions, count says %d", n, pci_count());
	ktest_metric(t, "functions", (uint64_t)n, "count");
	ktest_metric(t, "bridges", (uint64_t)bridges, "count");
	ktest_metric(t, "behind_bridges", (uint64_t)behind, "count");
	/* When the host asked for it, stop here so it can compare its view with ours. */
	if (cmdline_has("hvr.sync") && strcmp(cmdline_get("hvr.sync"), "pci") == 0) {
		if (hvr_sync("pci") < 0) {
			ktest_msg(t, "the host never answered the pci sync point");
			return KTEST_ERROR;
		}
	}
	return KTEST_PASS;
}

static uint32_t pcit_read32(void *ctx, uint16_t off)
{
	return pci_cfg_read32(ctx, off);
}

static int pcit_count_cap(void *arg, uint8_t id, uint16_t off)
{
	(void)arg;
	(void)id;
	(void)off;
	return 0;
}

/* Every capability list is well formed, MSI/MSI-X tables point inside a memory BAR, and
 * every function on an ECAM segment that is PCI Express says so. */
KTEST(pci, caps)
{
	int msix = 0, msi = 0, pcie = 0;

	for (struct pci_dev *d = pci_first(); d; d = d->next) {
		struct pcicap_cfg cfg = { pcit_read32, d, d->cfg_size };
		struct pcicap_msix mx;
		KT_CHECK(t, pcicap_foreach(&cfg, pcit_count_cap, 0) >= 0,
			 "%02x:%02x.%x: malformed capability list", d->bus, d->dev, d->fn);
		if (d->cap_msix) {
			msix++;
			KT_CHECK(t, pcicap_msix_info(&cfg, &mx) == 0, "%02x:%02x.%x: bad MSI-X capability",
				 d->bus, d->dev, d->fn);
			const struct pcibar *b = &d->bar[mx.table_bir];
			KT_CHECK(t, !b->io && b->size >= mx.table_off + mx.table_size * 16u,
				 "%02x:%02x.%x: MSI-X table outside BAR%u", d->bus, d->dev, d->fn, mx.table_bir);
		}
		msi += d->cap_msi != 0;
		pcie += d->cap_pcie != 0;
		for (int i = 0; i < 6; i++) {
			const struct pcibar *b = &d->bar[i];
			if (b->size)
				KT_CHECK(t, (b->size & (b->size - 1)) == 0 && (b->base & (b->size - 1)) == 0,
					 "%02x:%02x.%x BAR%d: base %llx size %llx", d->bus, d->dev, d->fn, i,
					 (unsigned long long)b->base, (unsigned long long)b->size);
		}
	}
	ktest_metric(t, "msix_functions", (uint64_t)msix, "count");
	ktest_metric(t, "msi_functions", (uint64_t)msi, "count");
	ktest_metric(t, "pcie_functions", (uint64_t)pcie, "count");
	return KTEST_PASS;
}

/* Driver-core precedence on live functions: for the first unbound function we register
 * a class-only, a vendor:device and a subsystem-exact driver (in the weakest-first order)
 * and require the most specific one to win, then that probe failure leaves it unbound. */
static int pcit_probes;
static int pcit_probe_ok(struct pci_dev *d, const struct hv_pci_id *id) { (void)d; (void)id; pcit_probes++; return 0; }
static int pcit_probe_fail(struct pci_dev *d, const struct hv_pci_id *id) { (void)d; (void)id; pcit_probes++; return -HV_EIO; }
static void pcit_remove(struct pci_dev *d) { (void)d; }

KTEST(pci, drvcore)
{
	struct pci_dev *d = 0;

	for (struct pci_dev *x = pci_first(); x && !d; x = x->next)
		if (!x->driver && x->hdr_type == PCI_HEADER_TYPE_NORMAL && x->subvendor)
			d = x;
	if (!d) {
		ktest_msg(t, "no unbound function with a subsystem ID");
		return KTEST_SKIP;
	}
	struct hv_pci_id cls[] = { HV_PCI_CLASS(d->class & 0xffff00, 0xffff00), HV_PCI_ID_END };
	struct hv_pci_id vd[] = { HV_PCI_DEVICE(d->vendor, d->device), HV_PCI_ID_END };
	struct hv_pci_id sub[] = { HV_PCI_DEVICE_SUB(d->vendor, d->device, d->subvendor, d->subdevice), HV_PCI_ID_END };
	struct pci_driver dc = { .name = "t-class", .ids = cls, .probe = pcit_probe_ok, .remove = pcit_remove };
	struct pci_driver dv = { .name = "t-vendev", .ids = vd, .probe = pcit_probe_ok, .remove = pcit_remove };
	struct pci_driver ds = { .name = "t-subsys", .ids = sub, .probe = pcit_probe_ok, .remove = pcit_remove };
	const struct hv_pci_id *id;
	int score;
	enum ktest_status st = KTEST_PASS;

	KT_CHECK(t, driver_register(&dc) >= 0, "cannot register the class driver");
	driver_unbind(d);
	KT_CHECK(t, driver_register(&dv) >= 0, "cannot register the vendor:device driver");
	KT_CHECK(t, driver_register(&ds) >= 0, "cannot register the subsystem driver");
	if (driver_choose(d, &id, &score) != &ds) {
		ktest_msg(t, "the subsystem-exact driver did not win");
		st = KTEST_FAIL;
	}
	driver_unbind(d);
	pcit_probes = 0;
	if (st == KTEST_PASS && (driver_bind_all() < 1 || d->driver != &ds)) {
		ktest_msg(t, "bind_all did not bind the subsystem-exact driver");
		st = KTEST_FAIL;
	}
	driver_unregister(&ds);
	driver_unregister(&dv);
	driver_unregister(&dc);
	if (st == KTEST_PASS && d->driver) {
		ktest_msg(t, "unregister left the function bound");
		st = KTEST_FAIL;
	}
	/* A failing probe leaves the function unbound. */
	struct pci_driver df = { .name = "t-fail", .ids = sub, .probe = pcit_probe_fail, .remove = pcit_remove };
	pcit_probes = 0;
	driver_register(&df);
	if (st == KTEST_PASS && (d->driver || pcit_probes == 0)) {
		ktest_msg(t, "a failing probe left the function bound (%d probes)", pcit_probes);
		st = KTEST_FAIL;
	}
	driver_unregister(&df);
	/* A malformed table is refused. */
	struct hv_pci_id bad[] = { { 0x12345, 0, HV_PCI_ANY, HV_PCI_ANY, 0, 0, 0 }, HV_PCI_ID_END };
	struct pci_driver db = { .name = "t-bad", .ids = bad, .probe = pcit_probe_ok, .remove = pcit_remove };
	if (st == KTEST_PASS && driver_register(&db) != -HV_EINVAL) {
		driver_unregister(&db);
		ktest_msg(t, "a malformed ID table was accepted");
		st = KTEST_FAIL;
	}
	return st;
}

/* Command-line overrides: every slot in pci.nobind stays unbound even for a driver that
 * matches its class, and pci.bind=SLOT=t-forced binds a driver whose table matches nothing. */
KTEST(pci, override)
{
	const char *nb = cmdline_get("pci.nobind"), *fb = cmdline_get("pci.bind");
	uint16_t seg;
	uint8_t bus, dev, fn;
	enum ktest_status st = KTEST_PASS;

	if (!nb && !fb) {
		ktest_msg(t, "neither pci.bind= nor pci.nobind= on the command line");
		return KTEST_SKIP;
	}
	if (nb) {
		KT_CHECK(t, pci_parse_slot(nb, &seg, &bus, &dev, &fn) == 0, "pci.nobind=%s is not a slot", nb);
		struct pci_dev *d = pci_find_slot(seg, bus, dev, fn);
		KT_CHECK(t, d, "pci.nobind=%s: no such function", nb);
		struct hv_pci_id any[] = { HV_PCI_CLASS(d->class, 0xffffff), HV_PCI_ID_END };
		struct pci_driver dc = { .name = "t-any", .ids = any, .probe = pcit_probe_ok, .remove = pcit_remove };
		driver_register(&dc);
		if (d->driver) {
			ktest_msg(t, "%s was bound despite pci.nobind", nb);
			st = KTEST_FAIL;
		}
		driver_unregister(&dc);
	}
	if (fb && st == KTEST_PASS) {
		char slot[16];
		const char *eq = strchr(fb, '=');
		KT_CHECK(t, eq && (size_t)(eq - fb) < sizeof(slot), "pci.bind=%s is not SLOT=NAME", fb);
		memcpy(slot, fb, (size_t)(eq - fb));
		slot[eq - fb] = 0;
		KT_CHECK(t, pci_parse_slot(slot, &seg, &bus, &dev, &fn) == 0, "pci.bind=%s: bad slot", fb);
		struct pci_dev *d = pci_find_slot(seg, bus, dev, fn);
		KT_CHECK(t, d && !d->driver, "pci.bind=%s: no such unbound function", fb);
		struct hv_pci_id none[] = { HV_PCI_DEVICE(0x1, 0x1), HV_PCI_ID_END };
		struct pci_driver df = { .name = "t-forced", .ids = none, .probe = pcit_probe_ok, .remove = pcit_remove };
		driver_register(&df);
		if (d->driver != &df) {
			ktest_msg(t, "pci.bind did not force t-forced onto %s", slot);
			st = KTEST_FAIL;
		}
		driver_unregister(&df);
	}
	return st;
}
