/*
 * Start the application processors with INIT-SIPI-SIPI (APM vol. 2, 16.5; Intel MP spec
 * B.4) and park each in a loop that runs work handed to it through its mailbox. APs share
 * the IDT and page tables, and get their own GDT, TSS, stacks and LAPIC setup.
 */
#include <arch/bootdefs.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/trap.h>
#include <hv/errno.h>
#include <kern/acpi.h>
#include <kern/bootinfo.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/smp.h>
#include <kern/string.h>
#include <kern/time.h>
#include <kern/vcpu.h>

#define SMP_TRAMPOLINE		0x8000	/* the SIPI vector names this page; ap_boot.S is linked for it */
#define SMP_STACK_PAGES		4
#define ICR_INIT		0x00004500u	/* INIT, level assert */
#define ICR_STARTUP		0x00004600u	/* start-up IPI; vector = page number */

struct smp_tramp_params {
	uint64_t cr3, stack, entry;
	uint32_t cpu, efer;
};

struct smp_cpu {
	uint32_t apic_id;
	volatile int online;
	void (*volatile fn)(void *arg);
	void *volatile arg;
};

extern const char ap_tramp_start[], ap_tramp_end[], ap_tramp_params[];
void idt_load(void);

static struct smp_cpu smp_cpus[SMP_MAX_CPUS];
static int smp_ncpus = 1;

int smp_cpu_count(void)
{
	return smp_ncpus;
}

uint32_t smp_apic_id(unsigned cpu)
{
	return cpu < SMP_MAX_CPUS ? smp_cpus[cpu].apic_id : 0;
}

unsigned smp_cpu_index(void)
{
	uint32_t id = lapic_id();

	for (int i = 0; i < smp_ncpus; i++)
		if (smp_cpus[i].apic_id == id)
			return (unsigned)i;
	return 0;
}

static void smp_ap_main(unsigned cpu)
{
	gdt_init(cpu);
	idt_load();
	lapic_enable_local();
	vcpu_init_local(cpu);
	smp_cpus[cpu].online = 1;
	cpu_sti();
	for (;;) {
		void (*fn)(void *) = smp_cpus[cpu].fn;
		if (!fn) {
			cpu_pause();
			continue;
		}
		fn(smp_cpus[cpu].arg);
		__atomic_store_n(&smp_cpus[cpu].fn, 0, __ATOMIC_RELEASE);
	}
}

static int smp_start_ap(unsigned cpu, uint32_t apic_id)
{
	struct smp_tramp_params *p = (struct smp_tramp_params *)(SMP_TRAMPOLINE +
				     (ap_tramp_params - ap_tramp_start));
	uint8_t *stack = page_alloc(SMP_STACK_PAGES);

	if (!stack)
		return -HV_ENOMEM;
	p->cr3 = read_cr3();
	p->stack = (uint64_t)stack + SMP_STACK_PAGES * PAGE_SIZE;
	p->entry = (uint64_t)smp_ap_main;
	p->cpu = cpu;
	p->efer = EFER_LME | (uint32_t)(rdmsr(MSR_EFER) & EFER_NXE);
	smp_cpus[cpu].apic_id = apic_id;
	cpu_mfence();
	lapic_send_ipi(apic_id, ICR_INIT);
	/* The MP spec's 10 ms after INIT is for 486-era parts; processors since the P6 and
	 * every virtual CPU are ready at once, and 10 ms per CPU is most of a boot budget. */
	udelay(200);
	for (int i = 0; i < 2 && !smp_cpus[cpu].online; i++) {
		lapic_send_ipi(apic_id, ICR_STARTUP | (SMP_TRAMPOLINE >> 12));
		uint64_t t0 = time_us();
		while (!smp_cpus[cpu].online && time_us() - t0 < 100000)
			cpu_pause();
	}
	return smp_cpus[cpu].online ? 0 : -HV_ETIMEDOUT;
}

int smp_init(void)
{
	uint32_t bsp = lapic_id();

	smp_cpus[0].apic_id = bsp;
	smp_cpus[0].online = 1;
	if (acpi.ncpus < 2)
		return smp_ncpus;
	/* The trampoline page must not hold a boot module: GRUB may load small modules into
	 * low memory. */
	for (int i = 0; i < bootinfo.nmods; i++) {
		if (bootinfo.mods[i].start < SMP_TRAMPOLINE + 0x1000 && bootinfo.mods[i].end > SMP_TRAMPOLINE) {
			klog("smp: boot module %s occupies the start-up page 0x%x; application processors stay off",
			     bootinfo.mods[i].cmdline, SMP_TRAMPOLINE);
			return smp_ncpus;
		}
	}
	memcpy((void *)SMP_TRAMPOLINE, ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));
	for (int i = 0; i < acpi.ncpus && smp_ncpus < SMP_MAX_CPUS; i++) {
		uint32_t id = acpi.cpu_apic_ids[i];
		if (id == bsp)
			continue;
		/* Count the CPU before it runs, so smp_cpu_index() finds it. */
		int idx = smp_ncpus++;
		if (smp_start_ap((unsigned)idx, id) < 0) {
			klog("smp: CPU with APIC ID %u did not start", id);
			smp_ncpus--;
			continue;
		}
	}
	if (smp_ncpus > 1)
		klog("smp: %d CPUs online", smp_ncpus);
	return smp_ncpus;
}

int smp_call(unsigned cpu, void (*fn)(void *arg), void *arg)
{
	if (cpu == 0 || cpu >= (unsigned)smp_ncpus || !smp_cpus[cpu].online)
		return -HV_EINVAL;
	if (smp_cpus[cpu].fn)
		return -HV_EBUSY;
	smp_cpus[cpu].arg = arg;
	__atomic_store_n(&smp_cpus[cpu].fn, fn, __ATOMIC_RELEASE);
	return 0;
}

int smp_wait(unsigned cpu, uint64_t timeout_us)
{
	uint64_t t0 = time_us();

	while (smp_cpus[cpu].fn)
		if (time_us() - t0 > timeout_us)
			return -HV_ETIMEDOUT;
	return 0;
}
