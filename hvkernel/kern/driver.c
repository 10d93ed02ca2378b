/* The driver core: registry, best-match selection, command-line overrides, probe/remove
 * (module drivers' under containment: kern/contain.c). */
#include <hv/errno.h>
#include <kern/bootstat.h>
#include <kern/cmdline.h>
#include <kern/contain.h>
#include <kern/driver.h>
#include <kern/log.h>
#include <kern/string.h>
#include <lib/pcimatch.h>

static struct pci_driver *driver_list;
static int driver_started;

void driver_core_start(void)
{
	driver_started = 1;
}

/* The cmdline value of pci.bind for this slot ("NAME"), pci.nobind ("" = forbidden), or NULL. */
static const char *driver_override(struct pci_dev *d, int *forbidden)
{
	char buf[16];
	const char *slot = pci_slot_name(d, buf), *v;
	size_t n = strlen(slot);

	*forbidden = 0;
	for (int i = 0; (v = cmdline_get_nth("pci.nobind", i)); i++)
		if (strcmp(v, slot) == 0)
			*forbidden = 1;
	for (int i = 0; (v = cmdline_get_nth("pci.bind", i)); i++)
		if (strncmp(v, slot, n) == 0 && v[n] == '=')
			return v + n + 1;
	return 0;
}

struct pci_driver *driver_choose(struct pci_dev *d, const struct hv_pci_id **id, int *score)
{
	struct pcimatch_dev md = { d->vendor, d->device, d->subvendor, d->subdevice, d->class };
	struct pci_driver *best = 0;
	int forbidden, best_score = -1, ties = 0;
	const char *forced = driver_override(d, &forbidden);

	*id = 0;
	*score = -1;
	if (forbidden || d->policy_blocked)
		return 0;
	for (struct pci_driver *drv = driver_list; drv; drv = drv->next) {
		/* The hardware policy may allow only the certified driver at its version. */
		if (d->policy_driver[0] && (strcmp(drv->name, d->policy_driver) != 0 ||
					    strcmp(drv->version ? drv->version : "", d->policy_version) != 0))
			continue;
		if (forced) {
			if (strcmp(drv->name, forced) == 0) {
				*id = pcimatch_best(drv->ids, PCIMATCH_UNTIL_END, &md, score);
				return drv;
			}
			continue;
		}
		int s;
		const struct hv_pci_id *m = pcimatch_best(drv->ids, PCIMATCH_UNTIL_END, &md, &s);
		if (!m)
			continue;
		if (s > best_score || (s == best_score && drv->priority > best->priority)) {
			best = drv;
			best_score = s;
			*id = m;
			ties = 0;
		} else if (s == best_score && drv->priority == best->priority) {
			ties++;
		}
	}
	if (ties) {
		char slot[16];
		klog("driver: %d drivers match %s equally well (score %d); %s was registered first and wins",
		     ties + 1, pci_slot_name(d, slot), best_score, best->name);
	}
	*score = best_score;
	return best;
}

static int driver_try_bind(struct pci_dev *d)
{
	const struct hv_pci_id *id;
	int score;
	char slot[16];
	struct pci_driver *drv;

	struct contain_report rep;
	struct bootstat_mark t0, t1;

	if (d->driver || d->failed)
		return 0;
	drv = driver_choose(d, &id, &score);
	if (!drv)
		return 0;
	/* d->driver is set during probe so the DDK can find its driver from the device. */
	d->driver = drv;
	bootstat_mark(&t0);
	int ret = contain_probe(drv, d, id, &rep);
	bootstat_mark(&t1);
	pci_slot_name(d, slot);
	bootstat_bind(slot, drv->name, rep.reason || ret < 0 ? "failed" : "bound", &t0, &t1);
	if (rep.reason) {
		contain_fail_device(drv, d, &rep);
		return 0;
	}
	if (ret < 0) {
		klog("driver: %s probe of %s failed: %d", drv->name, slot, ret);
		d->driver = 0;
		d->drvdata = 0;
		return 0;
	}
	klog_info("driver: %s bound to %s (%04x:%04x, match score %d) in %llu us (%llu port I/O, "
		  "%llu MMIO)", drv->name, slot, d->vendor, d->device, score,
		  (unsigned long long)(t1.us - t0.us), (unsigned long long)(t1.x.pio - t0.x.pio),
		  (unsigned long long)(t1.x.mmio - t0.x.mmio));
	return 1;
}

int driver_bind_all(void)
{
	int n = 0;

	for (struct pci_dev *d = pci_first(); d; d = d->next)
		n += driver_try_bind(d);
	return n;
}

int driver_register(struct pci_driver *drv)
{
	long bad = pcimatch_first_invalid(drv->ids, PCIMATCH_UNTIL_END);

	if (!drv->name || !drv->probe || !drv->remove) {
		klog("driver: refusing a driver without name, probe or remove");
		return -HV_EINVAL;
	}
	if (bad >= 0) {
		klog("driver: refusing %s: ID table entry %ld is malformed", drv->name, bad);
		return -HV_EINVAL;
	}
	for (struct pci_driver *o = driver_list; o; o = o->next)
		if (o == drv || strcmp(o->name, drv->name) == 0)
			return -HV_EEXIST;
	/* Append, so that registration order is stable. */
	struct pci_driver **pp = &driver_list;
	while (*pp)
		pp = &(*pp)->next;
	drv->next = 0;
	*pp = drv;

	/* Bind where this driver is now the best choice; a function bound to a weaker match
	 * keeps its driver (rebinding live devices is an explicit act, not a side effect). */
	int n = 0;
	for (struct pci_dev *d = pci_first(); driver_started && d; d = d->next)
		if (!d->driver)
			n += driver_try_bind(d);
	return n;
}

void driver_unbind(struct pci_dev *d)
{
	char slot[16];
	struct pci_driver *drv = d->driver;
	struct contain_report rep;

	if (!drv)
		return;
	contain_remove(drv, d, &rep);
	if (rep.reason) {
		contain_fail_device(drv, d, &rep);
		return;
	}
	klog("driver: %s unbound from %s", drv->name, pci_slot_name(d, slot));
	d->driver = 0;
	d->drvdata = 0;
}

/* Out of the registry first (nothing binds it again, also not from the unbinds below),
 * then off every function it still drives. */
void driver_withdraw(struct pci_driver *drv)
{
	for (struct pci_driver **pp = &driver_list; *pp; pp = &(*pp)->next) {
		if (*pp == drv) {
			*pp = drv->next;
			drv->next = 0;
			break;
		}
	}
	for (struct pci_dev *d = pci_first(); d; d = d->next)
		if (d->driver == drv)
			driver_unbind(d);
}

void driver_unregister(struct pci_driver *drv)
{
	for (struct pci_dev *d = pci_first(); d; d = d->next)
		if (d->driver == drv)
			driver_unbind(d);
	for (struct pci_driver **pp = &driver_list; *pp; pp = &(*pp)->next) {
		if (*pp == drv) {
			*pp = drv->next;
			break;
		}
	}
	drv->next = 0;
}

struct pci_driver *driver_first(void)
{
	return driver_list;
}

int driver_bound_count(void)
{
	int n = 0;

	for (struct pci_dev *d = pci_first(); d; d = d->next)
		n += d->driver != 0;
	return n;
}
