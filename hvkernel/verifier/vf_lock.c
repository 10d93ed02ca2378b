/*
 * The verifier's lock checks: a small lockdep for driver spinlocks (hv/lock.h).
 *
 * A lock's class is the call site of hv_spin_init on it, or, for a lock that was only
 * zeroed, the site of its first acquisition. Every time a CPU takes a lock of class B
 * while holding one of class A, the edge A -> B joins a graph of classes; an acquisition
 * that adds A -> B when B -> ... -> A is already known is an order inversion (two CPUs
 * taking them in the two orders deadlock), reported once per pair of classes before the
 * lock is taken. Taking a lock this CPU already holds is a deadlock, reported as well.
 * Each CPU keeps the driver locks it holds, so an entry point that returns to the kernel
 * with one still held is caught (vf_core.c, vf_entry_exit).
 */
#include <hv/lock.h>
#include <kern/smp.h>
#include <kern/verifier.h>

#define VF_MAX_CLASSES	128
#define VF_MAX_HELD	16
#define VF_WORDS	(VF_MAX_CLASSES / 64)

struct vf_held {
	struct hv_spinlock *l;
	unsigned cls;
	uintptr_t site;
};

static struct {
	unsigned n;
	struct vf_held h[VF_MAX_HELD];
} vf_held[SMP_MAX_CPUS];

static struct hv_spinlock vf_graph_lock;
static uintptr_t vf_class_key[VF_MAX_CLASSES + 1];	/* [1..vf_nclasses] */
static unsigned vf_nclasses;
static uint64_t vf_after[VF_MAX_CLASSES + 1][VF_WORDS + 1];	/* bit b of [a]: a -> b */
static uint64_t vf_said[VF_MAX_CLASSES + 1][VF_WORDS + 1];	/* inversion a/b reported */

static bool vf_bit(uint64_t (*m)[VF_WORDS + 1], unsigned a, unsigned b)
{
	return m[a][b / 64] >> (b % 64) & 1;
}

static void vf_set(uint64_t (*m)[VF_WORDS + 1], unsigned a, unsigned b)
{
	m[a][b / 64] |= 1ull << (b % 64);
}

/* The class keyed by site, made when new; 0 when the table is full. Graph lock held. */
static unsigned vf_class_for(uintptr_t site)
{
	for (unsigned c = 1; c <= vf_nclasses; c++)
		if (vf_class_key[c] == site)
			return c;
	if (vf_nclasses == VF_MAX_CLASSES)
		return 0;
	vf_class_key[++vf_nclasses] = site;
	return vf_nclasses;
}

static unsigned vf_class_of(struct hv_spinlock *l, uintptr_t site)
{
	if (l->vf_class == 0 || l->vf_class > vf_nclasses)
		l->vf_class = vf_class_for(site);
	return l->vf_class;
}

/* Is to reachable from from in the graph? Graph lock held. */
static bool vf_reaches(unsigned from, unsigned to)
{
	uint64_t seen[VF_WORDS + 1] = { 0 };
	unsigned stack[VF_MAX_CLASSES + 1], sp = 0;

	stack[sp++] = from;
	seen[from / 64] |= 1ull << (from % 64);
	while (sp) {
		unsigned a = stack[--sp];
		if (a == to)
			return true;
		for (unsigned b = 1; b <= vf_nclasses; b++) {
			if (!vf_bit(vf_after, a, b) || (seen[b / 64] >> (b % 64) & 1))
				continue;
			seen[b / 64] |= 1ull << (b % 64);
			stack[sp++] = b;
		}
	}
	return false;
}

void vf_lock_init(struct hv_spinlock *l, uintptr_t site)
{
	unsigned long f = hv_spin_lock_irqsave(&vf_graph_lock);

	l->vf_class = vf_class_for(site);
	hv_spin_unlock_irqrestore(&vf_graph_lock, f);
}

/* Called with interrupts off, before the lock is taken. */
void vf_lock_acquired(struct hv_spinlock *l, uintptr_t site)
{
	unsigned cpu = vf_cpu();
	uintptr_t inv_key = 0, inv_site = 0;
	bool self = false;

	hv_spin_lock_irqsave(&vf_graph_lock);
	unsigned cls = vf_class_of(l, site);
	for (unsigned i = 0; cls && i < vf_held[cpu].n; i++) {
		struct vf_held *h = &vf_held[cpu].h[i];
		if (h->l == l) {
			self = true;
			inv_site = h->site;
			continue;
		}
		if (!h->cls || h->cls == cls || vf_bit(vf_after, h->cls, cls))
			continue;
		if (vf_reaches(cls, h->cls)) {
			if (!vf_bit(vf_said, h->cls, cls) && !inv_key) {
				vf_set(vf_said, h->cls, cls);
				vf_set(vf_said, cls, h->cls);
				inv_key = vf_class_key[h->cls];
				inv_site = h->site;
			}
			continue;
		}
		vf_set(vf_after, h->cls, cls);
	}
	uintptr_t key = cls ? vf_class_key[cls] : site;
	if (vf_held[cpu].n < VF_MAX_HELD)
		vf_held[cpu].h[vf_held[cpu].n++] = (struct vf_held){ l, cls, site };
	hv_spin_unlock_irqrestore(&vf_graph_lock, 0);
	if (self)
		vf_report("lock_recursion", site, (uintptr_t)l, 0, vf_current_dev(),
			  "lock taken again by the CPU that holds it (since %p): a deadlock",
			  (void *)inv_site);
	else if (inv_key)
		vf_report("lock_order", site, (uintptr_t)l, 0, vf_current_dev(),
			  "lock of class %p taken while holding class %p (taken at %p), but "
			  "elsewhere class %p was taken while holding class %p: inversion",
			  (void *)key, (void *)inv_key, (void *)inv_site, (void *)inv_key,
			  (void *)key);
}

void vf_lock_released(struct hv_spinlock *l, uintptr_t site)
{
	unsigned cpu = vf_cpu();

	(void)site;
	for (unsigned i = vf_held[cpu].n; i-- > 0;) {
		if (vf_held[cpu].h[i].l != l)
			continue;
		for (unsigned j = i; j + 1 < vf_held[cpu].n; j++)
			vf_held[cpu].h[j] = vf_held[cpu].h[j + 1];
		vf_held[cpu].n--;
		return;
	}
}

unsigned vf_locks_held(uintptr_t *site)
{
	unsigned cpu = vf_cpu();
	unsigned n = vf_held[cpu].n;

	if (site)
		*site = n ? vf_held[cpu].h[n - 1].site : 0;
	return n;
}
