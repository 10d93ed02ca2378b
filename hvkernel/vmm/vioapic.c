/*
 * The emulated I/O APIC of a VM (82093AA datasheet, 3.2: IOREGSEL/IOWIN, ID, version,
 * arbitration, redirection table). Its inputs are lines the VMM's devices drive; an entry
 * sends its vector to the VM's local APIC on a rising edge, or for level-triggered entries
 * while the line is high and no earlier delivery awaits its EOI (remote IRR).
 */
#include <arch/ioapicreg.h>
#include <hv/lock.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <vmm/virq.h>
#include <vmm/vlapic.h>
#include <vmm/vm.h>

#define VIOAPIC_SIZE		0x20
#define VIOAPIC_VERSION		(0x11u | (VIOAPIC_PINS - 1) << 16)
#define RTE_RW_LO		(IOAPIC_RTE_VECTOR | 7u << IOAPIC_RTE_DELMODE_SHIFT | IOAPIC_RTE_DESTMODE | \
				 IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED)

struct vioapic {
	struct vm *vm;
	struct hv_spinlock lock;	/* lines change from interrupt context and other VMs */
	uint32_t regsel, id;
	uint32_t lo[VIOAPIC_PINS], hi[VIOAPIC_PINS];
	uint32_t lines;			/* input levels, bit per pin */
};

/* Deliver pin's vector if its entry lets it. Called with the lock held. */
static void vioapic_service(struct vioapic *io, unsigned pin)
{
	uint32_t rte = io->lo[pin];

	if (rte & IOAPIC_RTE_MASKED || !(io->lines >> pin & 1))
		return;
	if (rte & IOAPIC_RTE_LEVEL) {
		if (rte & IOAPIC_RTE_REMOTE_IRR)
			return;
		io->lo[pin] |= IOAPIC_RTE_REMOTE_IRR;
	}
	vlapic_raise(io->vm->lapic, (uint8_t)(rte & IOAPIC_RTE_VECTOR));
}

void vioapic_set_line(struct vm *vm, unsigned gsi, bool level)
{
	struct vioapic *io = vm->ioapic;

	if (!io || gsi >= VIOAPIC_PINS)
		return;
	unsigned long f = hv_spin_lock_irqsave(&io->lock);
	bool was = io->lines >> gsi & 1;
	io->lines = level ? io->lines | 1u << gsi : io->lines & ~(1u << gsi);
	if (level && (!was || io->lo[gsi] & IOAPIC_RTE_LEVEL))
		vioapic_service(io, gsi);
	hv_spin_unlock_irqrestore(&io->lock, f);
}

void vioapic_eoi(struct vm *vm, uint8_t vector)
{
	struct vioapic *io = vm->ioapic;

	if (!io)
		return;
	unsigned long f = hv_spin_lock_irqsave(&io->lock);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		if ((io->lo[pin] & IOAPIC_RTE_VECTOR) != vector || !(io->lo[pin] & IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->lo[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		vioapic_service(io, pin);	/* still asserted: deliver again */
	}
	hv_spin_unlock_irqrestore(&io->lock, f);
}

/* A redirection entry's low half: fixed (0) or lowest-priority (1) delivery of a vector
 * from 16 up; anything else is refused and the entry left as it was. */
static void vioapic_write_rte(struct vioapic *io, unsigned pin, uint32_t v)
{
	unsigned mode = (v >> IOAPIC_RTE_DELMODE_SHIFT) & 7;

	if (!(v & IOAPIC_RTE_MASKED) && (mode > 1 || (v & IOAPIC_RTE_VECTOR) < 16)) {
		vlapic_refuse(io->vm->lapic, "ioapic: input %u: vector %u delivery mode %u refused "
			      "(fixed or lowest priority, vectors 16-255)", pin, v & IOAPIC_RTE_VECTOR, mode);
		return;
	}
	io->lo[pin] = (io->lo[pin] & IOAPIC_RTE_REMOTE_IRR) | (v & RTE_RW_LO);
	if (!(v & IOAPIC_RTE_LEVEL))
		io->lo[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
	if (v & IOAPIC_RTE_LEVEL)
		vioapic_service(io, pin);	/* unmasking an asserted level input delivers */
}

static uint32_t vioapic_read(struct vm *vm, void *dev, uint64_t off, unsigned size)
{
	struct vioapic *io = dev;
	uint32_t r = io->regsel, v = 0;

	(void)vm;
	if (size != 4 || (off != IOAPIC_REGSEL && off != IOAPIC_WINDOW)) {
		vlapic_refuse(io->vm->lapic, "ioapic: %u-byte read at 0x%llx refused", size, (unsigned long long)off);
		return 0;
	}
	if (off == IOAPIC_REGSEL)
		return r;
	unsigned long f = hv_spin_lock_irqsave(&io->lock);
	if (r == IOAPIC_REG_ID)
		v = io->id;
	else if (r == IOAPIC_REG_VER)
		v = VIOAPIC_VERSION;
	else if (r == IOAPIC_REG_ARB)
		v = io->id;
	else if (r >= IOAPIC_REG_REDTBL && r < IOAPIC_REG_REDTBL + 2 * VIOAPIC_PINS)
		v = r & 1 ? io->hi[(r - IOAPIC_REG_REDTBL) / 2] : io->lo[(r - IOAPIC_REG_REDTBL) / 2];
	hv_spin_unlock_irqrestore(&io->lock, f);
	return v;
}

static void vioapic_write(struct vm *vm, void *dev, uint64_t off, unsigned size, uint32_t v)
{
	struct vioapic *io = dev;

	(void)vm;
	if (size != 4 || (off != IOAPIC_REGSEL && off != IOAPIC_WINDOW)) {
		vlapic_refuse(io->vm->lapic, "ioapic: %u-byte write at 0x%llx refused", size, (unsigned long long)off);
		return;
	}
	if (off == IOAPIC_REGSEL) {
		io->regsel = v & 0xff;
		return;
	}
	unsigned long f = hv_spin_lock_irqsave(&io->lock);
	uint32_t r = io->regsel;
	if (r == IOAPIC_REG_ID)
		io->id = v & 0x0f000000u;
	else if (r >= IOAPIC_REG_REDTBL && r < IOAPIC_REG_REDTBL + 2 * VIOAPIC_PINS && (r & 1))
		io->hi[(r - IOAPIC_REG_REDTBL) / 2] = v & 0xff000000u;	/* one vCPU: any destination */
	else if (r >= IOAPIC_REG_REDTBL && r < IOAPIC_REG_REDTBL + 2 * VIOAPIC_PINS)
		vioapic_write_rte(io, (r - IOAPIC_REG_REDTBL) / 2, v);
	else
		vlapic_refuse(io->vm->lapic, "ioapic: write to register 0x%x ignored", r);
	hv_spin_unlock_irqrestore(&io->lock, f);
}

void vioapic_log_state(struct vm *vm)
{
	struct vioapic *io = vm->ioapic;

	for (unsigned pin = 0; io && pin < VIOAPIC_PINS; pin++)
		if (!(io->lo[pin] & IOAPIC_RTE_MASKED) || io->lines >> pin & 1)
			klog("vm %s: ioapic input %u: entry 0x%x line %u", vm->name, pin, io->lo[pin],
			     io->lines >> pin & 1);
}

static const struct vm_mmio_ops vioapic_ops = { vioapic_read, vioapic_write };

struct vioapic *vioapic_create(struct vm *vm)
{
	struct vioapic *io = kzalloc(sizeof(*io));

	if (!io)
		return 0;
	io->vm = vm;
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		io->lo[pin] = IOAPIC_RTE_MASKED;
	if (vm_add_mmio(vm, VIOAPIC_BASE, VIOAPIC_SIZE, &vioapic_ops, io) < 0) {
		kfree(io);
		return 0;
	}
	return io;
}

void vioapic_destroy(struct vioapic *io)
{
	kfree(io);
}
