/*
 * Containment of remove (kern/contain.c): unbind every function a module driver drives,
 * then bind everything again. Each must come back with its driver, except the one slot
 * the command line names (driver.contained=BB:DD.F), whose remove must have been abandoned:
 * that function is failed and unbound and exactly one call was contained. Manual: it
 * needs the remove-spin defect build (tests/kernel/tests.cfg, contain-remove-*).
 */
#include <kern/blkdev.h>
#include <kern/contain.h>
#include <kern/driver.h>
#include <kern/ktest.h>
#include <kern/mem.h>
#include <kern/module.h>
#include <kern/netdev.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/timer.h>

#define CT_MAX	32

KTEST_MANUAL(driver, rebind)
{
	struct pci_dev *devs[CT_MAX];
	struct pci_driver *drvs[CT_MAX];
	const char *want = ktest_param(t, "contained", "");
	unsigned n = 0, before = contain_count(), contained;
	char slot[16];

	for (struct pci_dev *d = pci_first(); d && n < CT_MAX; d = d->next) {
		if (d->driver && d->driver->owner) {
			devs[n] = d;
			drvs[n++] = d->driver;
		}
	}
	KT_CHECK(t, n > 0, "no function is bound to a module driver");
	for (unsigned i = 0; i < n; i++)
		driver_unbind(devs[i]);
	driver_bind_all();
	contained = contain_count() - before;
	/* What an abandoned remove keeps on purpose: the driver stack it ran on, and the
	 * allocations the driver never freed (its softc: driver.kept_allocs). */
	ktest_allow_leak(t, contained * CONTAIN_STACK_PAGES,
			 contained * ktest_param_u64(t, "kept_allocs", 0));
	ktest_metric(t, "contained", contained, "calls");
	for (unsigned i = 0; i < n; i++) {
		const char *s = pci_slot_name(devs[i], slot);
		if (want[0] && strcmp(s, want) == 0) {
			KT_CHECK(t, devs[i]->failed && !devs[i]->driver,
				 "%s: remove of %s not contained (failed %d, driver %s)", s, drvs[i]->name,
				 devs[i]->failed, devs[i]->driver ? devs[i]->driver->name : "-");
			continue;
		}
		KT_CHECK(t, devs[i]->driver == drvs[i] && !devs[i]->failed, "%s: %s did not bind again",
			 s, drvs[i]->name);
	}
	KT_CHECK(t, contained == (want[0] ? 1u : 0u), "%u calls contained, expected %u", contained,
		 want[0] ? 1u : 0u);
	return KTEST_PASS;
}

/* Unbind every function a module driver drives and leave it unbound, after every other
 * selected test (certify's *-unbind-quick plans), so the verifier's checks at remove (docs/ddk.md,
 * "Verifier") see what each driver's remove leaves with no probe after it to trip on it. */
KTEST_MANUAL_LAST(driver, unbind)
{
	struct pci_dev *devs[CT_MAX];
	unsigned n = 0, before = contain_count();
	char slot[16];

	for (struct pci_dev *d = pci_first(); d && n < CT_MAX; d = d->next)
		if (d->driver && d->driver->owner)
			devs[n++] = d;
	KT_CHECK(t, n > 0, "no function is bound to a module driver");
	for (unsigned i = 0; i < n; i++) {
		driver_unbind(devs[i]);
		KT_CHECK(t, !devs[i]->driver, "%s: still bound after unbind",
			 pci_slot_name(devs[i], slot));
	}
	KT_CHECK(t, contain_count() == before, "%u removes contained", contain_count() - before);
	ktest_metric(t, "unbound", n, "functions");
	return KTEST_PASS;
}

/* What containment leaves of a failed function (kern/contain.c, contain_fail_device): no
 * interrupt vectors, no netdev or disk of it, bus mastering and decode off, no armed timer
 * in the withdrawn driver's module, and the driver out of the registry. Exactly
 * driver.failed=N functions are failed (default 1). */
KTEST_MANUAL(driver, failed_clean)
{
	uint64_t want = ktest_param_u64(t, "failed", 1);
	unsigned n = 0;
	char slot[16];

	for (struct pci_dev *d = pci_first(); d; d = d->next) {
		if (!d->failed)
			continue;
		const char *s = pci_slot_name(d, slot);
		n++;
		KT_CHECK(t, !d->driver && d->irq_mode == PCI_IRQ_NONE && d->nvec == 0,
			 "%s: still bound or has interrupts (mode %d, %u vectors)", s, d->irq_mode, d->nvec);
		KT_CHECK(t, !(pci_cfg_read16(d, 0x04) & 0x0007), "%s: command register 0x%x: not off", s,
			 pci_cfg_read16(d, 0x04));
		for (struct hv_netdev *nd = netdev_first(); nd; nd = netdev_next(nd))
			KT_CHECK(t, nd->pci != (struct hv_pci_dev *)d, "%s: netdev %s still registered", s,
				 nd->name);
		for (struct hv_blkdev *bd = blkdev_first(); bd; bd = blkdev_next(bd))
			KT_CHECK(t, bd->pci != (struct hv_pci_dev *)d, "%s: blkdev %s still registered", s,
				 bd->name);
		for (struct pci_driver *drv = driver_first(); drv; drv = drv->next)
			KT_CHECK(t, strcmp(drv->name, d->failed_driver) != 0,
				 "%s: driver %s is still registered", s, drv->name);
	}
	for (struct module *m = module_first(); m; m = m->next)
		KT_CHECK(t, !m->failed || timer_count_in(m->base, m->npages * PAGE_SIZE) == 0,
			 "module %s: %u timers still armed", m->info.name,
			 timer_count_in(m->base, m->npages * PAGE_SIZE));
	KT_CHECK(t, n == want, "%u functions failed, expected %llu", n, (unsigned long long)want);
	return KTEST_PASS;
}
