/*
 * Containment of remove (kern/contain.c): unbind every function a module driver drives,
 * then bind everything again. Each must come back with its driver, except the one slot
 * the command line names (driver.contained=BB:DD.F), whose remove must have been abandoned:
 * that function is failed and unbound and exactly one call was contained. Manual: it
 * needs the remove-spin defect build (tests/kernel/tests.cfg, contain-remove-*).
 */
#include <kern/contain.h>
#include <kern/driver.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/string.h>

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
