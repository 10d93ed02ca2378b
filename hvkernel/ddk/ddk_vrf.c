/*
 * The driver verifier's reporting for device access and DMA (kern/ddkvrf.h): each
 * violation goes to the verifier's one reporter (verifier/vf_core.c: a COM1 line and a
 * `violation` record, docs/result-channel.md); every one is also counted here, and the
 * in-kernel test runner fails the test during which the count grew. One switch for all
 * the verifier's checks: verifier=1 (vf_on).
 */
#include <hv/lock.h>
#include <kern/cmdline.h>
#include <kern/ddkvrf.h>
#include <kern/driver.h>
#include <kern/hvr.h>
#include <kern/ksym.h>
#include <kern/log.h>
#include <kern/module.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/verifier.h>
#include <lib/fmt.h>

static struct hv_spinlock ddkvrf_lock = HV_SPINLOCK_INIT;
static uint64_t ddkvrf_nviol;
static char ddkvrf_kind[24];
static struct ddkvrf_info ddkvrf_info;
static unsigned ddkvrf_expecting;
static uint64_t ddkvrf_nexpected;

bool ddkvrf_on(void)
{
	return vf_on;
}

uint64_t ddkvrf_count(void)
{
	return __atomic_load_n(&ddkvrf_nviol, __ATOMIC_RELAXED);
}

const char *ddkvrf_last_kind(void)
{
	return ddkvrf_kind;
}

void ddkvrf_last(struct ddkvrf_info *out)
{
	unsigned long fl = hv_spin_lock_irqsave(&ddkvrf_lock);
	*out = ddkvrf_info;
	hv_spin_unlock_irqrestore(&ddkvrf_lock, fl);
}

void ddkvrf_expect(unsigned n)
{
	unsigned long fl = hv_spin_lock_irqsave(&ddkvrf_lock);
	ddkvrf_expecting = n;
	ddkvrf_nexpected = 0;
	hv_spin_unlock_irqrestore(&ddkvrf_lock, fl);
}

uint64_t ddkvrf_expected_seen(void)
{
	return __atomic_load_n(&ddkvrf_nexpected, __ATOMIC_RELAXED);
}

void ddkvrf_site_name(const void *site, char *buf, unsigned n)
{
	uint64_t a = (uint64_t)(uintptr_t)site, off;

	if (!site) {
		strlcpy(buf, "-", n);
		return;
	}
	for (struct module *m = module_first(); m; m = m->next) {
		uint64_t base = (uint64_t)(uintptr_t)m->base;

		if (a >= base && a < base + m->npages * 4096) {
			fmt_snprintf(buf, n, "%s+0x%llx", m->file, (unsigned long long)(a - base));
			return;
		}
	}
	const char *sym = ksym_lookup(a, &off);
	if (sym)
		fmt_snprintf(buf, n, "%s+0x%llx", sym, (unsigned long long)off);
	else
		fmt_snprintf(buf, n, "0x%llx", (unsigned long long)a);
}

void ddkvrf_violation(const char *kind, const struct pci_dev *d, const void *site,
		      uint64_t addr, const char *msg)
{
	char where[96];
	const char *module = "-";

	unsigned long fl = hv_spin_lock_irqsave(&ddkvrf_lock);
	bool expected = ddkvrf_expecting > 0;
	uint64_t nth = 0;
	if (expected) {
		ddkvrf_expecting--;
		ddkvrf_nexpected++;
	} else {
		nth = ++ddkvrf_nviol;
		strlcpy(ddkvrf_kind, kind, sizeof(ddkvrf_kind));
	}
	strlcpy(ddkvrf_info.kind, kind, sizeof(ddkvrf_info.kind));
	ddkvrf_info.dev = d;
	ddkvrf_info.site = site;
	ddkvrf_info.addr = addr;
	hv_spin_unlock_irqrestore(&ddkvrf_lock, fl);
	(void)nth;	/* the reporter caps the records (vf_core.c) */
	if (d && d->driver && d->driver->owner)
		module = d->driver->owner->info.name;
	else if (d && d->driver)
		module = d->driver->name;
	ddkvrf_site_name(site, where, sizeof(where));
	if (expected) {
		klog("verifier (expected by a test): %s at %s, address 0x%llx: %s", kind, where,
		     (unsigned long long)addr, msg);
		return;
	}
	char line[200];
	fmt_snprintf(line, sizeof(line), "%s (at %s)", msg, where);
	vf_report_for(kind, module, (uintptr_t)site, addr, 0, d, line);
}
