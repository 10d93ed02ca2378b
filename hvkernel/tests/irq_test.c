/*
 * Interrupt delivery tests on devices that can raise an interrupt on request:
 * QEMU's edu device for MSI and INTx, the 82574 (e1000e) for MSI-X. Each test binds a
 * small test driver through the driver core, so probe/remove and leak checks are
 * exercised too. Without the device on the command line of QEMU the test is skipped.
 */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <kern/driver.h>
#include <kern/ktest.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/pci.h>
#include <kern/time.h>
#include <lib/pcireg.h>
#include "e1000ereg.h"
#include "edureg.h"

struct irqt_state {
	uintptr_t regs;
	volatile uint64_t hits;
	uint32_t ack_reg;	/* edu: write status here to acknowledge */
	int is_edu;
};

static struct irqt_state irqt;
static enum pci_irq_mode irqt_mode;

static void irqt_isr(struct trapframe *tf, void *arg)
{
	struct irqt_state *s = arg;

	(void)tf;
	if (s->is_edu) {
		uint32_t st = mmio_read32(s->regs + EDU_REG_IRQ_STATUS);
		if (!st)
			return;		/* shared line, not ours */
		mmio_write32(s->regs + EDU_REG_IRQ_ACK, st);
	} else {
		/* In MSI-X mode a read of ICR does not clear it unless INT_ASSERTED is set,
		 * so clear the causes by writing them back (write 1 to clear); the 82574 also
		 * auto-masks the "other" cause after it fires (datasheet 7.4.3): re-arm it. */
		mmio_write32(s->regs + E1000E_ICR, mmio_read32(s->regs + E1000E_ICR));
		mmio_write32(s->regs + E1000E_IMS, E1000E_ICR_LSC | E1000E_ICR_OTHER);
	}
	s->hits++;
}

static int irqt_probe(struct pci_dev *d, const struct hv_pci_id *id)
{
	(void)id;
	irqt.regs = pci_bar_map(d, 0);
	if (!irqt.regs)
		return -HV_ENODEV;
	irqt.hits = 0;
	irqt.is_edu = d->vendor == EDU_VENDOR;
	pci_enable(d, PCI_COMMAND_MEM);
	int n = pci_irq_setup(d, irqt_mode, true, 1, irqt_isr, &irqt);
	if (n < 0)
		return n;
	d->drvdata = &irqt;
	return 0;
}

static void irqt_remove(struct pci_dev *d)
{
	if (!irqt.is_edu) {
		/* QEMU 7.2's e1000e throttles MSI-X with at least EITR = 500 (128 us) whatever we
		 * write, and asserts if that timer fires after MSI-X is off: mask, then let any
		 * pending throttle timer run out before the teardown. */
		mmio_write32(irqt.regs + E1000E_IMC, 0xffffffffu);
		udelay(2000);
	}
	pci_irq_teardown(d);
}

static const struct hv_pci_id irqt_edu_ids[] = { HV_PCI_DEVICE(EDU_VENDOR, EDU_DEVICE), HV_PCI_ID_END };
static const struct hv_pci_id irqt_e1000e_ids[] = { HV_PCI_DEVICE(0x8086, E1000E_DEVICE_82574), HV_PCI_ID_END };

static struct pci_driver irqt_driver = {
	.name = "irq-test", .version = "1", .probe = irqt_probe, .remove = irqt_remove,
};

static void irqt_raise(void)
{
	if (irqt.is_edu) {
		mmio_write32(irqt.regs + EDU_REG_IRQ_RAISE, 1);
	} else {
		mmio_write32(irqt.regs + E1000E_ICS, E1000E_ICR_LSC);
	}
}

/* Bind the test driver in `mode`, raise `rounds` interrupts one at a time and require each
 * to arrive within 100 ms. */
static enum ktest_status irqt_run(struct ktest_ctx *t, const struct hv_pci_id *ids, enum pci_irq_mode mode)
{
	const unsigned rounds = (unsigned)ktest_param_u64(t, "rounds", 200);
	struct pci_dev *dev = 0;

	for (struct pci_dev *d = pci_first(); d; d = d->next)
		if (d->vendor == ids[0].vendor && d->device == ids[0].device && !d->driver)
			dev = d;
	if (!dev) {
		ktest_msg(t, "no unbound %04x:%04x device", ids[0].vendor, ids[0].device);
		return KTEST_SKIP;
	}
	irqt_mode = mode;
	irqt_driver.ids = ids;
	int bound = driver_register(&irqt_driver);
	if (bound <= 0 || dev->driver != &irqt_driver) {
		driver_unregister(&irqt_driver);
		ktest_msg(t, "the test driver did not bind in %s mode (%d)", pci_irq_mode_name(mode), bound);
		return KTEST_FAIL;
	}
	if (!irqt.is_edu) {
		/* Ask for no throttling (QEMU still enforces its minimum; see irqt_remove). */
		for (int i = 0; i < 5; i++)
			mmio_write32(irqt.regs + E1000E_EITR(i), 0);
		mmio_write32(irqt.regs + E1000E_IVAR, E1000E_IVAR_OTHER(0));
		mmio_write32(irqt.regs + E1000E_IMS, E1000E_ICR_LSC | E1000E_ICR_OTHER);
	}
	enum ktest_status st = KTEST_PASS;
	uint64_t worst = 0, total = 0;
	for (unsigned i = 0; i < rounds && st == KTEST_PASS; i++) {
		uint64_t want = irqt.hits + 1, t0 = rdtsc();
		irqt_raise();
		while (irqt.hits < want && time_tsc_to_us(rdtsc() - t0) < 100000)
			cpu_pause();
		uint64_t us = time_tsc_to_ns(rdtsc() - t0);
		if (irqt.hits < want) {
			ktest_msg(t, "interrupt %u of %u never arrived in %s mode", i + 1, rounds,
				  pci_irq_mode_name(mode));
			st = KTEST_FAIL;
		}
		total += us;
		if (us > worst)
			worst = us;
	}
	driver_unregister(&irqt_driver);
	if (dev->irq_mode != PCI_IRQ_NONE) {
		ktest_msg(t, "remove left the interrupt set up");
		st = KTEST_FAIL;
	}
	ktest_metric(t, "latency_avg", total / rounds, "ns");
	ktest_metric(t, "latency_max", worst, "ns");
	return st;
}

KTEST(irq, msi)
{
	return irqt_run(t, irqt_edu_ids, PCI_IRQ_MSI);
}

KTEST(irq, intx)
{
	return irqt_run(t, irqt_edu_ids, PCI_IRQ_INTX);
}

KTEST(irq, msix)
{
	return irqt_run(t, irqt_e1000e_ids, PCI_IRQ_MSIX);
}
