/*
 * Several vCPUs in one guest (tests/guest/gtest.h GTEST_SMP_COUNT, GTEST_SMP_FAULT). The
 * boot vCPU starts the others with the VM_HC_VCPU_START hypercall (32-bit flat protected
 * mode, the entry and stack it names, ESI = the vCPU's index); each adds 1 to one shared
 * counter with LOCK XADD (SDM vol. 2: atomic read-modify-write) a given number of times,
 * while it keeps a private area of its own, and the boot vCPU checks the total. A lost
 * update, a vCPU that never ran, or a private area another vCPU wrote fails the test.
 * GTEST_SMP_APIC also has each vCPU read its local APIC's ID register: its own index.
 * GTEST_SMP_IPI: vCPU 0 sends each other vCPU a fixed IPI (ICR, physical destination) and
 * that vCPU's handler answers with one to APIC ID 0, a given number of rounds, then one
 * "all excluding self" round that is not answered (three answers at once to one APIC
 * would coalesce in its IRR, as on hardware); every IPI must arrive exactly once. An INIT IPI and one with
 * vector 5 are sent first: the hypervisor refuses both (the host test counts them).
 */
#include <stdint.h>
#include "guest.h"

#define HC_VCPU_START	5
#define SMP_MAX		4
#define SMP_PRIV	256		/* words of each vCPU's private area */
#define SMP_STACK	4096
#define SMP_WAIT_MS	60000		/* a vCPU that never gets there fails the test */
#define E_INVAL		22
#define E_BUSY		16

struct smp_cpu {
	volatile uint32_t ready, done;
	uint32_t count, interleaved, bad;
	uint32_t priv[SMP_PRIV];
} __attribute__((aligned(64)));

static struct smp_cpu smp_cpus[SMP_MAX];
static uint8_t smp_stacks[SMP_MAX][SMP_STACK] __attribute__((aligned(16)));
static volatile uint32_t smp_counter, smp_go, smp_fault, smp_apic, smp_ipi;
static uint32_t smp_iters;

void guest_ap_start(void);	/* entry.S: calls guest_ap_main(ESI), then CLI; HLT */
void guest_ap_main(uint32_t me);

static int hc_vcpu_start(uint32_t id, void (*entry)(void), void *stack)
{
	uint32_t a = HC_VCPU_START;

	__asm__ volatile("vmmcall" : "+a"(a) : "b"(id), "c"((uint32_t)entry), "d"((uint32_t)stack) : "memory");
	return (int)a;
}

static inline uint32_t xadd(volatile uint32_t *p, uint32_t v)
{
	__asm__ volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*p) :: "memory");
	return v;
}

/* The value a private word holds at the end: the last n < iters with n % SMP_PRIV == i
 * wrote me << 24 | n there. */
static uint32_t smp_priv_want(uint32_t me, uint32_t i)
{
	if (smp_iters <= i)
		return me << 24 | i | 0x800000u;
	return me << 24 | (((smp_iters - 1 - i) / SMP_PRIV) * SMP_PRIV + i);
}

static void smp_work(uint32_t me)
{
	struct smp_cpu *c = &smp_cpus[me];
	uint32_t prev = ~0u;

	for (uint32_t i = 0; i < SMP_PRIV; i++)
		c->priv[i] = me << 24 | i | 0x800000u;
	if (smp_apic && lapic_read(0x20) >> 24 != me)	/* SDM vol. 3, 10.4.6: ID in 31:24 */
		c->bad++;
	__atomic_store_n(&c->ready, 1, __ATOMIC_RELEASE);
	while (!smp_go)
		__asm__ volatile("pause");
	for (uint32_t n = 0; n < smp_iters; n++) {
		uint32_t old = xadd(&smp_counter, 1);
		if (prev != ~0u && old != prev + 1)
			c->interleaved++;	/* another vCPU added in between */
		prev = old;
		c->priv[n % SMP_PRIV] = me << 24 | n;
		c->count++;
	}
	for (uint32_t i = 0; i < SMP_PRIV; i++)
		if (c->priv[i] != smp_priv_want(me, i))
			c->bad++;
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
}

#define IPI_TO_AP	0x41
#define IPI_TO_BSP	0x42
#define LAPIC_ID	0x20
#define LAPIC_SVR	0xf0
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define ICR_ASSERT	(1u << 14)
#define ICR_OTHERS	(3u << 18)

static volatile uint32_t ipi_ap_got[SMP_MAX], ipi_ap_stopped[SMP_MAX], ipi_bsp_got, ipi_stop;

/* Fixed delivery, edge, assert (SDM vol. 3, 10.6.1). */
static void ipi_send(uint32_t dest, uint32_t icr)
{
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, icr | ICR_ASSERT);
}

/*
 * vCPU 0 sets ipi_stop only after the last ping's answer, so the handler of the stop round
 * (and only that one) sees it set. It is not answered: the answers would coalesce.
 */
static void ipi_ap_handler(void)
{
	uint32_t me = lapic_read(LAPIC_ID) >> 24 & (SMP_MAX - 1);

	ipi_ap_got[me]++;
	if (ipi_stop)
		ipi_ap_stopped[me] = 1;
	else
		ipi_send(0, IPI_TO_BSP);
	lapic_eoi();
}

static void ipi_bsp_handler(void)
{
	ipi_bsp_got++;
	lapic_eoi();
}

/* A secondary vCPU of the IPI test: its own LAPIC on, then sleep until its handler has
 * taken the stop round. Waiting for ipi_stop itself would lose that IPI when the vCPU sees
 * the flag while the IPI still waits in its IRR behind CLI. */
static void ipi_ap_main(uint32_t me)
{
	irq_load();
	lapic_write(LAPIC_SVR, 0x1ff);
	__atomic_store_n(&smp_cpus[me].ready, 1, __ATOMIC_RELEASE);
	cli();
	while (!ipi_ap_stopped[me])
		sti_hlt_cli();
	__atomic_store_n(&smp_cpus[me].done, 1, __ATOMIC_RELEASE);
}

void guest_ap_main(uint32_t me)
{
	if (smp_fault)
		__asm__ volatile("ud2");	/* no IDT: #UD, #GP, #DF, shutdown */
	if (me < SMP_MAX && smp_ipi)
		ipi_ap_main(me);
	else if (me < SMP_MAX)
		smp_work(me);
}

/* Wait until every vCPU 1..n-1 is ready (done = 0) or done (done = 1). */
static int smp_wait_all(uint32_t n, int done)
{
	uint64_t ms = tsc_per_ms(), t0 = rdtsc();

	for (uint32_t i = 1; i < n; i++)
		while (!(done ? smp_cpus[i].done : smp_cpus[i].ready)) {
			if (ms && rdtsc() - t0 > SMP_WAIT_MS * ms)
				return -1;
			__asm__ volatile("pause");
		}
	return 0;
}

/* Start vCPUs 1, 2, ... until the hypervisor says there is no such vCPU. */
static int smp_start_all(void)
{
	uint32_t n = 1;

	for (uint32_t id = 1; id < SMP_MAX; id++) {
		int r = hc_vcpu_start(id, guest_ap_start, smp_stacks[id] + SMP_STACK);
		if (r == -E_INVAL)
			break;
		if (r != 0) {
			con_puts("smp: starting vCPU ");
			con_putu(id);
			con_puts(" failed\n");
			return -1;
		}
		n++;
	}
	if (n > 1 && hc_vcpu_start(1, guest_ap_start, smp_stacks[1] + SMP_STACK) != -E_BUSY) {
		con_puts("smp: vCPU 1 started twice\n");
		return -1;
	}
	return (int)n;
}

int test_smp_count(uint32_t iters, int apic)
{
	smp_iters = iters ? iters : 100000;
	smp_counter = smp_go = smp_fault = 0;
	smp_apic = (uint32_t)apic;
	for (uint32_t i = 0; i < SMP_MAX; i++)
		smp_cpus[i].ready = smp_cpus[i].done = smp_cpus[i].count = smp_cpus[i].interleaved =
			smp_cpus[i].bad = 0;
	int n = smp_start_all();
	if (n < 0)
		return 1;
	if (smp_wait_all((uint32_t)n, 0) < 0) {
		con_puts("smp: a vCPU never started\n");
		return 2;
	}
	uint64_t t0 = rdtsc();
	smp_go = 1;
	smp_work(0);
	if (smp_wait_all((uint32_t)n, 1) < 0) {
		con_puts("smp: a vCPU never finished\n");
		return 3;
	}
	uint64_t cycles = rdtsc() - t0;
	uint32_t inter = 0, bad = 0;
	con_puts("smp: ");
	con_putu((uint32_t)n);
	con_puts(" vcpus, counts");
	for (int i = 0; i < n; i++) {
		con_putc(' ');
		con_putu(smp_cpus[i].count);
		inter += smp_cpus[i].interleaved;
		bad += smp_cpus[i].bad;
	}
	con_puts(", interleaved");
	for (int i = 0; i < n; i++) {
		con_putc(' ');
		con_putu(smp_cpus[i].interleaved);
	}
	con_puts(", total ");
	con_putu(smp_counter);
	con_putc('\n');
	hc_report(0, (uint32_t)n);
	hc_report(1, smp_counter);
	hc_report(2, inter);
	hc_report(3, (uint32_t)(cycles >> 10));
	if (bad) {
		con_puts(smp_apic ? "smp: a private area was overwritten or an APIC ID was wrong\n" :
			 "smp: a private area was overwritten\n");
		return 4;
	}
	return smp_counter == (uint32_t)n * smp_iters ? 0 : 5;
}

int test_smp_fault(void)
{
	smp_fault = 1;
	int r = hc_vcpu_start(1, guest_ap_start, smp_stacks[1] + SMP_STACK);
	if (r != 0) {
		con_puts("smp: no vCPU 1 to fault\n");
		return 1;
	}
	/* vCPU 1 triple-faults: the hypervisor stops the whole VM, this vCPU too. */
	uint64_t ms = tsc_per_ms(), t0 = rdtsc();
	while (!ms || rdtsc() - t0 < SMP_WAIT_MS * ms)
		__asm__ volatile("pause");
	con_puts("smp: still running after vCPU 1 faulted\n");
	return 2;
}

/* Sleep until vCPU 0 has had `want` answers. */
static void ipi_wait_bsp(uint32_t want)
{
	cli();
	while (ipi_bsp_got < want)
		sti_hlt_cli();
	sti();
}

int test_smp_ipi(uint32_t rounds)
{
	smp_ipi = 1;
	irq_init();
	irq_set_handler(IPI_TO_AP, ipi_ap_handler);
	irq_set_handler(IPI_TO_BSP, ipi_bsp_handler);
	lapic_write(LAPIC_SVR, 0x1ff);
	/* Two the hypervisor must refuse (and count): INIT, and fixed vector 5. */
	ipi_send(1, 5u << 8);
	ipi_send(1, 5);
	int n = smp_start_all();
	if (n < 2) {
		con_puts("smp: the IPI test needs two vCPUs or more\n");
		return 1;
	}
	if (smp_wait_all((uint32_t)n, 0) < 0) {
		con_puts("smp: a vCPU never started\n");
		return 2;
	}
	uint32_t want = 0;
	uint64_t t0 = rdtsc();
	for (uint32_t r = 0; r < rounds; r++)
		for (int i = 1; i < n; i++) {
			ipi_send((uint32_t)i, IPI_TO_AP);
			ipi_wait_bsp(++want);
		}
	uint64_t cycles = rdtsc() - t0;
	ipi_stop = 1;
	ipi_send(0, IPI_TO_AP | ICR_OTHERS);	/* the last round wakes them to stop */
	if (smp_wait_all((uint32_t)n, 1) < 0) {
		con_puts("smp: a vCPU never stopped\n");
		return 3;
	}
	con_puts("smp: ipis to vcpus");
	int bad = 0;
	for (int i = 1; i < n; i++) {
		con_putc(' ');
		con_putu(ipi_ap_got[i]);
		bad |= ipi_ap_got[i] != rounds + 1;
	}
	con_puts(", answers ");
	con_putu(ipi_bsp_got);
	con_putc('\n');
	hc_report(0, (uint32_t)n);
	hc_report(1, ipi_bsp_got);
	hc_report(3, (uint32_t)(cycles >> 10));
	return bad || ipi_bsp_got != want ? 4 : 0;
}
