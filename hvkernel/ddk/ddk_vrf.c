/*
 * The device-access and DMA checks' side of the verifier (kern/ddkvrf.h): their violations
 * go to the verifier's one report (vf_report: a COM1 line and a `violation` record), except
 * those a kernel test provokes on purpose and announced with ddkvrf_expect.
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
static struct ddkvrf_info ddkvrf_info;
static unsigned ddkvrf_expecting;
static uint64_t ddkvrf_nexpected;

bool ddkvrf_on(void)
{
	return vf_on;
}

uint64_t ddkvrf_count(void)
{
	return vf_violations();
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
	struct module *m = vf_module_at((uintptr_t)site);

	if (!site)
		strlcpy(buf, "-", n);
	else if (m)
		fmt_snprintf(buf, n, "%s+0x%llx", m->file, (unsigned long long)(a - (uintptr_t)m->base));
	else if (ksym_lookup(a, &off))
		fmt_snprintf(buf, n, "%s+0x%llx", ksym_lookup(a, &off), (unsigned long long)off);
	else
		fmt_snprintf(buf, n, "0x%llx", (unsigned long long)a);
}

void ddkvrf_violation(const char *kind, const struct pci_dev *d, const void *site,
		      uint64_t addr, uint64_t size, const char *msg)
{
	char where[96];

	unsigned long fl = hv_spin_lock_irqsave(&ddkvrf_lock);
	bool expected = ddkvrf_expecting > 0;
	if (expected) {
		ddkvrf_expecting--;
		ddkvrf_nexpected++;
	}
	strlcpy(ddkvrf_info.kind, kind, sizeof(ddkvrf_info.kind));
	ddkvrf_info.dev = d;
	ddkvrf_info.site = site;
	ddkvrf_info.addr = addr;
	hv_spin_unlock_irqrestore(&ddkvrf_lock, fl);
	if (!expected) {
		vf_report(kind, (uintptr_t)site, (uintptr_t)addr, size, d, "%s", msg);
		return;
	}
	ddkvrf_site_name(site, where, sizeof(where));
	klog("verifier (expected by a test): %s at %s, address 0x%llx: %s", kind, where,
	     (unsigned long long)addr, msg);
}
