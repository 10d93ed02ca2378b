/*
 * PCI Express native hot-plug (PCIe Base 4.0, 6.7): removal by attention button. When the
 * operator (QEMU's device_del) presses a slot's button, the port interrupts; the next
 * pci_hotplug_poll() unbinds the drivers below the port, forgets those functions, and
 * turns the slot's power off, which is the signal that removal is complete (QEMU then
 * unplugs the device and reports DEVICE_DELETED). Removal runs from poll, not from the
 * interrupt, because drivers' remove may wait for hardware.
 */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <kern/driver.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/pci.h>
#include <kern/pci_hotplug.h>
#include "pcie_hpreg.h"

#define HP_MAX_SLOTS	16

struct hp_slot {
	struct pci_dev *port;
	volatile uint16_t pending;	/* slot status events seen by the interrupt */
	uint64_t removed;
};

static struct hp_slot hp_slots[HP_MAX_SLOTS];
static int hp_nslots;

static void hp_isr(struct trapframe *tf, void *arg)
{
	struct hp_slot *s = arg;
	uint16_t cap = s->port->cap_pcie;

	(void)tf;
	uint16_t sta = pci_cfg_read16(s->port, cap + PCIE_SLOT_STA);
	if (sta & PCIE_SLTSTA_RW1C) {
		s->pending |= sta & PCIE_SLTSTA_RW1C;
		pci_cfg_write16(s->port, cap + PCIE_SLOT_STA, sta & PCIE_SLTSTA_RW1C);
	}
}

int pci_hotplug_init(void)
{
	for (struct pci_dev *d = pci_first(); d && hp_nslots < HP_MAX_SLOTS; d = d->next) {
		if (!d->cap_pcie || d->hdr_type != 1)
			continue;
		if (!(pci_cfg_read16(d, d->cap_pcie + PCIE_CAP_FLAGS) & PCIE_CAP_FLAGS_SLOT))
			continue;
		uint32_t scap = pci_cfg_read32(d, d->cap_pcie + PCIE_SLOT_CAP);
		if (!(scap & PCIE_SLTCAP_HPC) || !(scap & PCIE_SLTCAP_ABP))
			continue;
		struct hp_slot *s = &hp_slots[hp_nslots];
		s->port = d;
		if (pci_irq_setup(d, PCI_IRQ_MSIX, false, 1, hp_isr, s) < 0) {
			char slot[16];
			klog("pci: hot-plug slot below %s has no usable interrupt", pci_slot_name(d, slot));
			continue;
		}
		uint16_t cap = d->cap_pcie;
		pci_cfg_write16(d, cap + PCIE_SLOT_STA, PCIE_SLTSTA_RW1C);
		uint16_t ctl = pci_cfg_read16(d, cap + PCIE_SLOT_CTL);
		pci_cfg_write16(d, cap + PCIE_SLOT_CTL, ctl | PCIE_SLTCTL_ABPE | PCIE_SLTCTL_HPIE);
		hp_nslots++;
	}
	return hp_nslots;
}

/* Forget every function on bus (and below): unbind, unlink, free. */
static int hp_remove_bus(struct pci_dev *port)
{
	int n = 0;

	for (;;) {
		struct pci_dev *victim = 0, *prev = 0;
		for (struct pci_dev *d = pci_first(), *p = 0; d; p = d, d = d->next) {
			if (d->bus >= port->sec_bus && d->bus <= port->sub_bus && d->seg == port->seg) {
				victim = d;
				prev = p;
				break;
			}
		}
		if (!victim)
			return n;
		driver_unbind(victim);
		pci_irq_teardown(victim);
		pci_unlink(victim, prev);
		kfree(victim);
		n++;
	}
}

int pci_hotplug_poll(void)
{
	int removed = 0;
	char slot[16];

	for (int i = 0; i < hp_nslots; i++) {
		struct hp_slot *s = &hp_slots[i];
		int on = cpu_irq_save();
		uint16_t ev = s->pending;
		s->pending = 0;
		cpu_irq_restore(on);
		if (!(ev & PCIE_SLTSTA_ABP))
			continue;
		int n = hp_remove_bus(s->port);
		uint16_t cap = s->port->cap_pcie;
		uint16_t ctl = pci_cfg_read16(s->port, cap + PCIE_SLOT_CTL);
		ctl = (uint16_t)((ctl & ~PCIE_SLTCTL_PIC_MASK) | PCIE_SLTCTL_PIC_OFF | PCIE_SLTCTL_AIC_OFF |
				 PCIE_SLTCTL_PCC);
		pci_cfg_write16(s->port, cap + PCIE_SLOT_CTL, ctl);
		s->removed += (uint64_t)n;
		removed += n;
		klog("pci: slot below %s: attention button; %d function%s removed, slot powered off",
		     pci_slot_name(s->port, slot), n, n == 1 ? "" : "s");
	}
	return removed;
}

int pci_hotplug_slots(void)
{
	return hp_nslots;
}
