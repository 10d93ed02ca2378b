/*
 * The driver verifier's reporting for device access and DMA (kern/ddkvrf.h): one COM1 line
 * and one `violation` record per violation (docs/result-channel.md), the first
 * DDKVRF_MAX_RECORDS of them; every one is counted, and the in-kernel test runner fails
 * the test during which the count grew.
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
#include <lib/fmt.h>

static int ddkvrf_state = -1;		/* -1 until the command line was read */
static struct hv_spinlock ddkvrf_lock = HV_SPINLOCK_INIT;
static uint64_t ddkvrf_nviol;
static char ddkvrf_kind[24];
static struct ddkvrf_info ddkvrf_info;
static unsigned ddkvrf_expecting;
static uint64_t ddkvrf_nexpected;

bool ddkvrf_on(void)
{
	if (ddkvrf_state < 0)
		ddkvrf_state = cmdline_get_u64("verifier", 0) != 0;
	return ddkvrf_state;
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
	char where[96], slot[16];
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
	if (nth > DDKVRF_MAX_RECORDS)
		return;
	if (d && d->driver && d->driver->owner)
		module = d->driver->owner->info.name;
	else if (d && d->driver)
		module = d->driver->name;
	ddkvrf_site_name(site, where, sizeof(where));
	strlcpy(slot, "-", sizeof(slot));
	if (d)
		pci_slot_name(d, slot);
	if (expected) {
		klog("verifier (expected by a test): %s at %s, address 0x%llx: %s", kind, where,
		     (unsigned long long)addr, msg);
		return;
	}
	klog("verifier: %s by %s (%s) at %s, address 0x%llx: %s%s", kind, module, slot, where,
	     (unsigned long long)addr, msg,
	     nth == DDKVRF_MAX_RECORDS ? " (further violations are only counted)" : "");
	hvr_begin("violation");
	hvr_str("kind", kind);
	hvr_str("module", module);
	hvr_str("dev", slot);
	hvr_str("site", where);
	hvr_hex("addr", addr, 1);
	hvr_str("msg", msg);
	hvr_end();
}
