/*
 * A sample out-of-tree driver module for QEMU's edu device: it maps BAR0, checks the
 * identification and liveness registers, has the device compute 5!, and proves one
 * interrupt round trip (raise, handler sees it, acknowledge). Uses only <hv/ddk.h>.
 */
#include <hv/ddk.h>

#include "edureg.h"

#define EDU_FACT_N		5
#define EDU_FACT_EXPECT		120
#define EDU_LIVENESS_PATTERN	0x5a5aa5a5u
#define EDU_IRQ_PATTERN		0x00c0ffeeu
#define EDU_TIMEOUT_US		1000000	/* the device answers in microseconds, but QEMU computes the
					 * factorial in a thread of its own that a loaded host may not
					 * run for a tenth of a second (seen: 100 ms was too short) */

HV_MODULE("edu", "1.0", "hvkit sample", "BSD-2-Clause",
	  HV_PCI_DEVICE(EDU_VENDOR, EDU_DEVICE));

struct edu_softc {
	struct hv_pci_dev *dev;
	struct hv_bar *regs;	/* BAR0 */
	volatile uint32_t irq_seen;	/* values the handler acknowledged */
	volatile uint32_t nirq;
	int irq_mode;
};

static int edu_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void edu_remove(struct hv_pci_dev *d);

static struct hv_pci_driver edu_driver = {
	.name = "edu",
	.ids = NULL,		/* the HV_MODULE table */
	.probe = edu_probe,
	.remove = edu_remove,
};

static uint32_t edu_read(struct edu_softc *sc, unsigned reg)
{
	return hv_bar_read32(sc->regs, reg);
}

static void edu_write(struct edu_softc *sc, unsigned reg, uint32_t v)
{
	hv_bar_write32(sc->regs, reg, v);
}

/* The edu interrupt may share an INTx line: act only on a nonzero interrupt status. */
static void edu_intr(void *arg, unsigned index)
{
	struct edu_softc *sc = arg;
	uint32_t st = edu_read(sc, EDU_REG_IRQ_STATUS);

	(void)index;
	if (st == 0)
		return;
#ifdef HV_DEFECT_SLEEP_IRQ	/* verifier defect: a delay in the interrupt handler */
	hv_udelay(10);
#endif
#ifdef HV_DEFECT_LOCK_HELD	/* verifier defect: the handler returns holding a lock */
	static struct hv_spinlock held;
	(void)hv_spin_lock_irqsave(&held);
#endif
	edu_write(sc, EDU_REG_IRQ_ACK, st);
	sc->irq_seen |= st;
	sc->nirq++;
}

/* Waits until (reg & mask) == 0. 0, or -HV_ETIMEDOUT. */
static int edu_wait_clear(struct edu_softc *sc, unsigned reg, uint32_t mask)
{
	uint64_t t0 = hv_time_us();

	while (edu_read(sc, reg) & mask) {
		if (hv_time_us() - t0 > EDU_TIMEOUT_US)
			return -HV_ETIMEDOUT;
		hv_udelay(10);
	}
	return 0;
}

static int edu_check_regs(struct edu_softc *sc, const char *slot, uint32_t *ident)
{
	uint32_t v;

	*ident = edu_read(sc, EDU_REG_IDENT);
	if ((*ident & 0xff) != EDU_IDENT_MAGIC) {
		hv_log("edu: %s: ident 0x%x, expected low byte 0x%x", slot, *ident, EDU_IDENT_MAGIC);
		return -HV_EIO;
	}
	edu_write(sc, EDU_REG_LIVENESS, EDU_LIVENESS_PATTERN);
	v = edu_read(sc, EDU_REG_LIVENESS);
	if (v != ~EDU_LIVENESS_PATTERN) {
		hv_log("edu: %s: liveness read 0x%x, expected 0x%x", slot, v, ~EDU_LIVENESS_PATTERN);
		return -HV_EIO;
	}
	return 0;
}

static int edu_check_factorial(struct edu_softc *sc, const char *slot)
{
	uint32_t v;

	edu_write(sc, EDU_REG_STATUS, 0);	/* no interrupt for this one: it is polled */
	edu_write(sc, EDU_REG_FACT, EDU_FACT_N);
	if (edu_wait_clear(sc, EDU_REG_STATUS, EDU_STATUS_BUSY) < 0) {
		hv_log("edu: %s: factorial still busy after %u us", slot, EDU_TIMEOUT_US);
		return -HV_EIO;
	}
	v = edu_read(sc, EDU_REG_FACT);
	if (v != EDU_FACT_EXPECT) {
		hv_log("edu: %s: %d! = %u, expected %u", slot, EDU_FACT_N, v, EDU_FACT_EXPECT);
		return -HV_EIO;
	}
	return 0;
}

/* One raise/ack round trip: the handler must see the pattern and clear it. */
static int edu_check_irq(struct edu_softc *sc, const char *slot)
{
	uint64_t t0 = hv_time_us();

	edu_write(sc, EDU_REG_IRQ_RAISE, EDU_IRQ_PATTERN);
	while (sc->nirq == 0 && hv_time_us() - t0 <= EDU_TIMEOUT_US)
		hv_udelay(10);
	if (sc->nirq == 0 || sc->irq_seen != EDU_IRQ_PATTERN) {
		hv_log("edu: %s: interrupt (%s) not seen: %u interrupts, status 0x%x", slot,
		       hv_pci_irq_mode_name(sc->irq_mode), sc->nirq, edu_read(sc, EDU_REG_IRQ_STATUS));
		return -HV_EIO;
	}
	if (edu_read(sc, EDU_REG_IRQ_STATUS) != 0) {
		hv_log("edu: %s: interrupt status not cleared by the acknowledge", slot);
		return -HV_EIO;
	}
	return 0;
}

/*
 * Deliberate defects for the verifier's own tests (tests/certify/defects/verifier.tab):
 * each is invisible to the device and to every functional test, and each breaks one rule
 * the verifier checks (docs/ddk.md, "Verifier"). Built only with -DHV_DEFECT_*.
 */
static void edu_defects(void)
{
#ifdef HV_DEFECT_USE_AFTER_FREE
	uint32_t *uaf = hv_malloc(64);
	if (uaf) {
		hv_free(uaf);
		uaf[3] = 1;		/* written after free */
	}
#endif
#ifdef HV_DEFECT_DOUBLE_FREE
	void *twice = hv_malloc(32);
	hv_free(twice);
	hv_free(twice);
#endif
#ifdef HV_DEFECT_FOREIGN_FREE
	uint8_t *whole = hv_malloc(64);
	if (whole) {
		hv_free(whole + 16);	/* not the start of an allocation */
		hv_free(whole);
	}
#endif
#ifdef HV_DEFECT_REDZONE
	uint8_t *rz = hv_malloc(40);
	if (rz) {
		rz[40] = 1;		/* one past the end */
		hv_free(rz);
	}
#endif
#ifdef HV_DEFECT_LOCK_ORDER
	static struct hv_spinlock a, b;
	unsigned long fa, fb;

	hv_spin_init(&a);
	hv_spin_init(&b);
	fa = hv_spin_lock_irqsave(&a);	/* a, then b */
	fb = hv_spin_lock_irqsave(&b);
	hv_spin_unlock_irqrestore(&b, fb);
	hv_spin_unlock_irqrestore(&a, fa);
	fb = hv_spin_lock_irqsave(&b);	/* b, then a: two CPUs doing both deadlock */
	fa = hv_spin_lock_irqsave(&a);
	hv_spin_unlock_irqrestore(&a, fa);
	hv_spin_unlock_irqrestore(&b, fb);
#endif
#ifdef HV_DEFECT_LOCK_RECURSION
	/* A lock taken again by the CPU that holds it: a reset path that re-initialises a
	 * held lock hides the deadlock from this run, never the second acquisition. */
	static struct hv_spinlock r;
	unsigned long f1, f2;

	hv_spin_init(&r);
	f1 = hv_spin_lock_irqsave(&r);
	hv_spin_init(&r);
	f2 = hv_spin_lock_irqsave(&r);
	hv_spin_unlock_irqrestore(&r, f2);
	hv_spin_unlock_irqrestore(&r, f1);
#endif
}

#ifdef HV_DEFECT_TIMER_AFTER_REMOVE
/* A watchdog armed at probe (60 s, longer than the run) that remove never cancels. */
static struct hv_timer edu_watchdog;

static void edu_watchdog_tick(void *arg)
{
	(void)arg;
}
#endif

#if defined(HV_DEFECT_PROBE_SPIN) || \
    defined(HV_DEFECT_REMOVE_SPIN)
/* Defect builds (tests/certify/defects/contain.tab): poll a register for a value the
 * device never shows, without a timeout. A 1 ms timer of the driver runs meanwhile; once the
 * kernel has turned the device off (memory decode off: the driver never does that) the
 * timer's next run executes an invalid opcode, so a kernel that contains the call but
 * forgets to cancel the module's timers panics. */
static struct hv_timer edu_defect_timer;

static void edu_defect_tick(void *arg)
{
	struct edu_softc *sc = arg;

	if (!(hv_pci_cfg_read16(sc->dev, 0x04) & HV_PCI_ENABLE_MEM))
		__asm__ volatile("ud2");
	hv_timer_start(&edu_defect_timer, 1000, edu_defect_tick, arg);
}

static void edu_defect_spin(struct edu_softc *sc)
{
	hv_timer_start(&edu_defect_timer, 1000, edu_defect_tick, sc);
	while (edu_read(sc, EDU_REG_IDENT) != 0)
		hv_udelay(10);
}
#endif

#if defined(HV_DEFECT_PROBE_SPIN_IRQOFF)
static struct hv_spinlock edu_defect_lock = HV_SPINLOCK_INIT;
#endif

/* Defect builds: the bug is in probe, after the device answered. */
static void edu_defect_probe(struct edu_softc *sc)
{
	(void)sc;
#if defined(HV_DEFECT_PROBE_SPIN)
	edu_defect_spin(sc);
#elif defined(HV_DEFECT_PROBE_SPIN_IRQOFF)
	hv_spin_lock_irqsave(&edu_defect_lock);
	for (;;)
		__asm__ volatile("pause");
#elif defined(HV_DEFECT_PROBE_PF)
	*(volatile uint32_t *)0x0000004000000000ull = 1;	/* 256 GiB: not mapped */
#elif defined(HV_DEFECT_PROBE_GP)
	*(volatile uint32_t *)0x0000800000000000ull = 1;	/* non-canonical */
#elif defined(HV_DEFECT_PROBE_UD)
	__asm__ volatile("ud2");
#elif defined(HV_DEFECT_PROBE_DE)
	volatile uint32_t zero = 0;
	sc->nirq = sc->nirq / zero;
#endif
}

static int edu_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)
{
	struct hv_pci_info info;
	struct edu_softc *sc;
	uint32_t ident;
	int rc;

	(void)id;
	edu_defects();
#if defined(HV_DEFECT_PROBE_SPIN_FIRST)
	/* Defect build: spin in the driver's own code before touching the device (so it
	 * hangs whatever function it was bound to). */
	for (volatile int forever = 1; forever;)
		;
#endif
	hv_pci_get_info(d, &info);
	sc = hv_zalloc(sizeof(*sc));
	if (!sc)
		return -HV_ENOMEM;
	sc->dev = d;
	hv_pci_enable(d, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
	sc->regs = hv_pci_bar(d, 0);
	if (!sc->regs || hv_bar_size(sc->regs) < EDU_BAR0_MIN_SIZE) {
		hv_log("edu: %s: BAR0 is not a usable memory BAR", info.slot);
		rc = -HV_ENODEV;
		goto free_softc;
	}
	rc = edu_check_regs(sc, info.slot, &ident);
	if (rc == 0)
		rc = edu_check_factorial(sc, info.slot);
	if (rc < 0)
		goto free_softc;
	rc = hv_pci_irq_alloc(d, HV_IRQ_AUTO, 1, edu_intr, sc, &sc->irq_mode);
	if (rc < 0) {
		hv_log("edu: %s: no interrupt: %d", info.slot, rc);
		goto free_softc;
	}
	rc = edu_check_irq(sc, info.slot);
	if (rc < 0)
		goto free_irq;
	edu_defect_probe(sc);
#ifdef HV_DEFECT_TIMER_AFTER_REMOVE
	hv_timer_start(&edu_watchdog, 60000000, edu_watchdog_tick, 0);
#endif
	hv_pci_set_drvdata(d, sc);
	hv_log("edu: %s ident 0x%x %d!=%d irq %s ok", info.slot, ident, EDU_FACT_N,
	       EDU_FACT_EXPECT, hv_pci_irq_mode_name(sc->irq_mode));
	return 0;

free_irq:
	hv_pci_irq_free(d);
free_softc:
	hv_free(sc);
	return rc;
}

static void edu_remove(struct hv_pci_dev *d)
{
	struct edu_softc *sc = hv_pci_get_drvdata(d);

	if (!sc)
		return;
#if defined(HV_DEFECT_REMOVE_SPIN)
	edu_defect_spin(sc);
#endif
	edu_write(sc, EDU_REG_STATUS, 0);
#ifndef HV_DEFECT_IRQ_AFTER_REMOVE	/* verifier defect: the handler outlives remove */
	hv_pci_irq_free(d);
#endif
	hv_pci_set_drvdata(d, NULL);
	hv_free(sc);
}

int hv_module_init(void)
{
	return hv_pci_register_driver(&edu_driver);
}

void hv_module_exit(void)
{
	hv_pci_unregister_driver(&edu_driver);
}
