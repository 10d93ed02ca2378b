/*
 * What the verifier checks when a driver's remove has returned for a device: nothing of
 * the device may be left for the kernel to call or the device to reach. Still armed
 * timers the driver started for it, its interrupt handler, its netdev and blkdev
 * registrations and the memory it still holds are each a violation. The timer and the
 * interrupt are then taken down by the kernel (they would call into freed memory); a
 * registration and the memory are left as they are (the stack or the device may still
 * use them) and only reported.
 */
#include <hv/blkdev.h>
#include <hv/irq.h>
#include <hv/lock.h>
#include <hv/netdev.h>
#include <kern/blkdev.h>
#include <kern/driver.h>
#include <kern/module.h>
#include <kern/netdev.h>
#include <kern/pci.h>
#include <kern/timer.h>
#include <kern/verifier.h>

#define VF_MAX_TIMERS	256

/* The timers modules started: which device's entry point started each, and where. */
static struct vf_timer {
	struct hv_timer *t;
	const struct pci_dev *dev;
	const struct module *mod;
	uintptr_t site;
} vf_timers[VF_MAX_TIMERS];
static struct hv_spinlock vf_timer_lock;

void vf_timer_started(struct hv_timer *t, uintptr_t site)
{
	const struct module *m = vf_module_at(site);
	struct vf_timer *slot = 0;

	if (!m)
		return;		/* the kernel's own timers */
	/* Open addressing from the timer's hash: a driver re-arms its timer on every
	 * transmit (e1000), so the usual case is the first probe. */
	unsigned h = (unsigned)(((uintptr_t)t >> 4) ^ ((uintptr_t)t >> 12)) % VF_MAX_TIMERS;
	unsigned long f = hv_spin_lock_irqsave(&vf_timer_lock);
	for (unsigned k = 0; k < VF_MAX_TIMERS; k++) {
		struct vf_timer *x = &vf_timers[(h + k) % VF_MAX_TIMERS];
		if (x->t == t) {
			slot = x;
			break;
		}
		if (!slot && !x->t)
			slot = x;
		if (!x->t && !x->dev)
			break;		/* never used: t is not further on */
	}
	/* A full table forgets the timer: the check at remove is then incomplete, never wrong. */
	if (slot)
		*slot = (struct vf_timer){ t, vf_current_dev(), m, site };
	hv_spin_unlock_irqrestore(&vf_timer_lock, f);
}

static void vf_timers_gone(struct pci_dev *d, const struct module *m, bool last)
{
	for (unsigned i = 0; i < VF_MAX_TIMERS; i++) {
		unsigned long f = hv_spin_lock_irqsave(&vf_timer_lock);
		struct vf_timer x = vf_timers[i];
		bool mine = x.t && x.mod == m && (x.dev == d || (last && !x.dev));
		if (mine)
			vf_timers[i].t = 0;	/* dev stays set: a tombstone for the probing */
		hv_spin_unlock_irqrestore(&vf_timer_lock, f);
		if (!mine || !timer_listed(x.t))
			continue;
		vf_report("timer_after_remove", x.site, (uintptr_t)x.t, 0, d,
			  "timer still armed after remove: cancelled by the kernel");
		timer_cancel(x.t);
	}
}

/* From the registries' own copies: the driver has usually freed the hv_netdev or
 * hv_blkdev it forgot (reading it would give the verifier's poison, or fault). */
static void vf_classes_gone(struct pci_dev *d, uintptr_t site)
{
	const struct hv_pci_dev *p = (const struct hv_pci_dev *)d;
	const char *name;
	uintptr_t at;

	for (unsigned i = 0; (name = netdev_left_by(p, i, &at)); i++)
		vf_report("netdev_after_remove", site, at, 0, d,
			  "%s still registered after remove", name);
	for (unsigned i = 0; (name = blkdev_disk_left_by(p, i, &at)); i++)
		vf_report("blkdev_after_remove", site, at, 0, d,
			  "%s still registered after remove", name);
}

void vf_device_removed(struct pci_dev *d)
{
	const struct module *m = d->driver ? d->driver->owner : 0;
	uintptr_t site = (uintptr_t)(d->driver && d->driver->ctx ?
		((struct hv_pci_driver *)d->driver->ctx)->remove : 0);
	bool last = true;

	if (!vf_on || !m)
		return;
	for (struct pci_dev *o = pci_first(); o; o = o->next)
		if (o != d && o->driver == d->driver)
			last = false;
	if (d->irq_ctx) {
		vf_report("irq_after_remove", site, 0, d->nvec, d,
			  "interrupt handler still installed after remove: freed by the kernel");
		hv_pci_irq_free((struct hv_pci_dev *)d);
	}
	vf_timers_gone(d, m, last);
	vf_classes_gone(d, site);
	vf_mem_device_gone(d, m, last);
}
