/*
 * The verifier's core: the verifier= switch, charging an address to the module whose
 * image holds it, the `violation` record, and the per-CPU context of the driver entry
 * point that is running (interrupt depth, the device, driver locks held at entry).
 */
#include <stdarg.h>
#include <hv/lock.h>
#include <kern/cmdline.h>
#include <kern/hvr.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/module.h>
#include <kern/pci.h>
#include <kern/smp.h>
#include <kern/string.h>
#include <kern/verifier.h>
#include <lib/fmt.h>

/* Records past this many are counted and logged, not written: a driver that trips a
 * check in its data path must not flood the result channel. */
#define VF_MAX_RECORDS	256

bool vf_on;

static struct hv_spinlock vf_report_lock;
static unsigned vf_count;
static char vf_kinds[VF_MAX_RECORDS][24];	/* kind of each reported violation, in order */
static const char *vf_test;

struct vf_cpu {
	unsigned irq_depth;
	struct pci_dev *dev;
};
static struct vf_cpu vf_cpus[SMP_MAX_CPUS];

void vf_init(void)
{
	const char *v = cmdline_get("verifier");

	vf_on = v && strcmp(v, "1") == 0;
	if (v && strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		klog("cmdline: verifier=%s is not 0 or 1; the verifier stays off", v);
	if (vf_on)
		klog("verifier: on (checked allocator, context and lock checks, checks at remove)");
}

struct module *vf_module_at(uintptr_t addr)
{
	for (struct module *m = module_first(); m; m = m->next) {
		uintptr_t b = (uintptr_t)m->base;
		if (b && addr >= b && addr < b + m->npages * PAGE_SIZE)
			return m;
	}
	return 0;
}

void vf_set_test(const char *id)
{
	vf_test = id;
}

void vf_report(const char *kind, uintptr_t site, uintptr_t addr, uint64_t size,
	       const struct pci_dev *dev, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vf_report_for(kind, 0, site, addr, size, dev, msg);
}

void vf_report_for(const char *kind, const char *module, uintptr_t site, uint64_t addr,
		   uint64_t size, const struct pci_dev *dev, const char *msg)
{
	struct module *m = vf_module_at(site);
	const char *name = m ? m->info.name : module ? module : "kernel";
	char slot[16] = "-";

	if (dev)
		pci_slot_name(dev, slot);
	unsigned long f = hv_spin_lock_irqsave(&vf_report_lock);
	unsigned n = vf_count++;
	if (n < VF_MAX_RECORDS)
		strlcpy(vf_kinds[n], kind, sizeof(vf_kinds[n]));
	hv_spin_unlock_irqrestore(&vf_report_lock, f);
	klog("verifier: %s in %s at %p%s%s: %s", kind, name, (void *)site,
	     dev ? " on " : "", dev ? slot : "", msg);
	if (n >= VF_MAX_RECORDS) {
		if (n == VF_MAX_RECORDS)
			klog("verifier: more than %d violations; the rest are only counted", VF_MAX_RECORDS);
		return;
	}
	hvr_begin("violation");
	hvr_str("kind", kind);
	hvr_str("module", name);
	hvr_hex("site", site, 1);
	/* Where the module was loaded is the host's key to its symbols: the offset into
	 * the image, which the host lays out again from the module file. */
	hvr_hex("off", m ? site - (uintptr_t)m->base : site, 1);
	hvr_hex("addr", addr, 1);
	hvr_u64("size", size);
	hvr_str("dev", slot);
	hvr_str("test", vf_test ? vf_test : "-");
	hvr_str("msg", msg);
	hvr_end();
}

unsigned vf_violations(void)
{
	return __atomic_load_n(&vf_count, __ATOMIC_RELAXED);
}

const char *vf_first_kind_since(unsigned n)
{
	return n < vf_violations() && n < VF_MAX_RECORDS ? vf_kinds[n] : "";
}

unsigned vf_cpu(void)
{
	return smp_cpu_count() > 1 ? smp_cpu_index() % SMP_MAX_CPUS : 0;
}

static struct vf_cpu *vf_this_cpu(void)
{
	return &vf_cpus[vf_cpu()];
}

void vf_entry_enter(struct vf_entry *e, struct pci_dev *dev)
{
	e->active = vf_on;
	if (!vf_on)
		return;
	struct vf_cpu *c = vf_this_cpu();
	e->prev_dev = c->dev;
	e->depth = vf_locks_held(0);
	c->dev = dev;
}

void vf_entry_exit(struct vf_entry *e, const char *what)
{
	uintptr_t site;

	if (!e->active)
		return;
	unsigned held = vf_locks_held(&site);
	struct vf_cpu *c = vf_this_cpu();
	if (held > e->depth)
		vf_report("lock_held", site, 0, held - e->depth, c->dev,
			  "%u driver lock(s) still held when %s returned to the kernel (the site "
			  "is where the last was taken)", held - e->depth, what);
	c->dev = e->prev_dev;
}

void vf_irq_enter(struct vf_entry *e)
{
	vf_entry_enter(e, 0);
	if (e->active)
		vf_this_cpu()->irq_depth++;
}

void vf_irq_exit(struct vf_entry *e)
{
	if (e->active)
		vf_this_cpu()->irq_depth--;
	vf_entry_exit(e, "an interrupt or timer handler");
}

bool vf_in_irq(void)
{
	return vf_on && vf_this_cpu()->irq_depth > 0;
}

struct pci_dev *vf_current_dev(void)
{
	return vf_on ? vf_this_cpu()->dev : 0;
}

int vf_may_sleep(const char *what, uintptr_t site)
{
	if (!vf_in_irq())
		return 0;
	vf_report("sleep_in_irq", site, 0, 0, vf_current_dev(),
		  "%s may sleep or wait: refused in interrupt context", what);
	return -1;
}
