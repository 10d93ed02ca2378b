/*
 * Virtual machines: guest memory behind nested paging, up to VM_MAX_VCPUS vCPUs sharing it,
 * and the exit handlers of the VMM: a 16550 console per VM, hypercalls, CPUID/MSR
 * filtering. A guest that misbehaves is stopped alone (all its vCPUs) with a log line; the
 * hypervisor and other VMs go on.
 *
 * Locking: the vCPUs of one VM may run at once on different physical CPUs. What belongs to
 * one vCPU (its registers, VMCB, local APIC's ISR/TPR, its counters) is touched only by the
 * CPU running it. What the VM shares (console, virtio-mmio queues, the I/O APIC's MMIO
 * window, reports, the VM's state and stop reason) is emulated under vm->lock, a spinlock
 * taken by exits only (never from interrupt context, never with interrupts off: a disk
 * request under it may sleep on its completion interrupt). Per-VM sums (exits, cpu_us,
 * slices) are atomic adds. IRR bits and the I/O APIC have their own locks/atomics, as
 * before, since timers and devices raise them from interrupt context and other VMs.
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/vcpu.h>
#include <vmm/virq.h>

enum vm_state { VM_READY, VM_RUNNING, VM_EXITED, VM_STOPPED };

struct vm;

/* An emulated device in guest-physical address space (outside RAM). */
struct vm_mmio_ops {
	uint32_t (*read)(struct vm *vm, void *dev, uint64_t off, unsigned size);
	void (*write)(struct vm *vm, void *dev, uint64_t off, unsigned size, uint32_t value);
};

#define VM_MAX_MMIO	8

/* Hypercalls (VMMCALL with the function in EAX). */
#define VM_HC_NOP	0	/* returns at once: the round-trip benchmark */
#define VM_HC_EXIT	1	/* EBX = exit code; the VM ends */
#define VM_HC_PUTC	2	/* BL = character for the console */
#define VM_HC_YIELD	3	/* nothing to do now: give the CPU to another VM */
#define VM_HC_REPORT	4	/* report[EBX] = ECX: a guest's measurement for the host's test */
#define VM_HC_VCPU_START 5	/* EBX = vCPU, ECX = entry EIP, EDX = ESP: start a parked vCPU */
#define VM_HC_PEER_SYNC	6	/* EBX = VM_PEER_*, ECX = N for VM_PEER_RX: the host peer's sync point */
/* VM_HC_PEER_SYNC's points (certify/peer.c acts on them; only for a VM with peer_sync set). */
#define VM_PEER_TX	0	/* peer-tx: the host starts counting the guest's frames */
#define VM_PEER_TX_DONE	1	/* peer-tx-done: the host checks the 1455 frames it got */
#define VM_PEER_PROBE	2	/* peer-probe: the host sends one probe frame */
#define VM_PEER_RX	3	/* peer-rx-N: the host sends its next N frames (N 1..1024) */
#define VM_NREPORT	8

#define VM_MAX_VCPUS	4

/* A spinlock that leaves interrupts alone (vm->lock: see the top of this file). */
struct vm_lock {
	volatile uint32_t locked;
};

struct vlapic;

/* The VM's COM1, a 16550 without FIFOs (vmm/vm_io.c): what a driver reads back. */
struct vm_uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool thre_pending;		/* the THR-empty interrupt, until IIR is read or THR written */
};

/* One virtual CPU of a VM. */
struct vm_vcpu {
	struct vm *vm;
	struct vcpu *hw;		/* the backend's vCPU (one VMCB) */
	int index;			/* 0 is the boot vCPU; also its APIC ID */
	volatile int started;		/* 0: parked until VM_HC_VCPU_START */
	volatile int done;		/* a secondary vCPU halted with nothing to wake it */
	volatile int claimed;		/* a physical CPU runs it now (the scheduler's) */
	int halted;			/* HLT with IF=1: blocked until an interrupt is pending */
	int yielded;			/* VM_HC_YIELD ends its slice */
	struct vlapic *lapic;		/* its local APIC, NULL without an interrupt controller */
	uint64_t exits[VCPU_EXIT_NREASONS];
	uint64_t cpu_us;		/* time spent running this vCPU */
	uint64_t slices;		/* times the scheduler ran it */
	uint32_t cpus;			/* bit n: physical CPU n ran it */
};

struct vm {
	char name[16];
	int id;
	enum vm_state state;
	int exit_code;
	char stop_reason[96];
	uint64_t mem_size;
	uint8_t *mem;			/* host address of guest-physical 0 */
	uint64_t *npt;			/* nested page table root (PML4) */
	uint64_t npt_pages;		/* pages used by the nested page tables */
	struct vcpu *vcpu;		/* vCPU 0's backend vCPU (vcpus[0].hw) */
	struct vm_vcpu vcpus[VM_MAX_VCPUS];
	int nvcpus;
	struct vm_lock lock;		/* shared device state: see the top of this file */
	int running_now;		/* vCPUs inside a slice right now (atomic) */
	int running_max;		/* the most that ever were at once */
	uint64_t exits[VCPU_EXIT_NREASONS];	/* sums over its vCPUs */
	uint64_t cpu_us;		/* time spent running this VM (all its vCPUs) */
	uint64_t slices;		/* times the scheduler ran one of its vCPUs */
	uint64_t slices_halted;		/* of those, the ones a halt ended (the CPU given back) */
	char con[128];			/* console line being assembled */
	unsigned con_len;
	char last_line[128];		/* the last complete console line (tests read it) */
	uint64_t lines;
	struct { uint64_t base, size; const struct vm_mmio_ops *ops; void *dev; } mmio[VM_MAX_MMIO];
	int nmmio;
	uint64_t mmio_accesses;
	char con_prefix[16];		/* console lines' prefix in the log ("": the name) */
	/* Interrupts (vmm/virq.c): NULL when the VM has no interrupt controller. */
	struct vlapic *lapic;		/* vCPU 0's; the I/O APIC delivers to it */
	struct vioapic *ioapic;
	struct virq_stats irq;
	uint32_t report[VM_NREPORT];
	/* A Linux guest (vmm/linuxboot.c): the hardware a stock kernel expects (vm_io.c,
	 * vm_cpu.c); and console texts it must print to pass (vmcfg `expect`). */
	int linux_guest;
	int peer_sync;			/* VM_HC_PEER_SYNC allowed (vm.uplink=1) */
	char expect[4][64];
	int nexpect;
	uint32_t expect_seen;		/* bit i: expect[i] appeared in a console line */
	char first_line[128];		/* the first console line (a kernel's banner) */
	struct vm_uart uart;
	uint8_t pic_imr[2];		/* 8259 mask registers, read back as written */
	uint8_t pm1[6];			/* ACPI PM1 event and control blocks (vm_io.c) */
	uint32_t msr_logged[16];	/* MSRs already logged as unknown (each once) */
	int nmsr_logged;
};

/* Place a device at [base, base+size) of guest-physical space. 0 or -HV_ENOSPC. */
int vm_add_mmio(struct vm *vm, uint64_t base, uint64_t size, const struct vm_mmio_ops *ops, void *dev);
/* Host address of guest-physical [gpa, gpa+len), or NULL when it is not all guest RAM. */
void *vm_gpa(const struct vm *vm, uint64_t gpa, uint64_t len);

/*
 * Create a VM with mem_size bytes of RAM (a multiple of 4 KiB) holding image at load_gpa,
 * its vCPU starting at entry with ESP at the top of RAM and ESI = arg. NULL on failure
 * (no SVM, no memory, image does not fit).
 */
struct vm *vm_create(const char *name, uint64_t mem_size, const void *image, uint64_t len,
		     uint64_t load_gpa, uint64_t entry, uint32_t arg);
/*
 * Add a parked vCPU (index vm->nvcpus) to a VM that has not run yet: it starts when
 * another vCPU makes the VM_HC_VCPU_START hypercall. With an interrupt controller attached
 * it gets its own local APIC (APIC ID = index). Returns the index, or -HV_ENOSPC (already
 * VM_MAX_VCPUS, or the VM ran) / -HV_ENOMEM.
 */
int vm_add_vcpu(struct vm *vm);
/* Run until the VM exits or stops, or for at most budget_us, on this CPU (a VM with
 * several vCPUs runs them in turn, through the scheduler). Returns its state. */
enum vm_state vm_run(struct vm *vm, uint64_t budget_us);
/* Run vCPU 0 until the VM exits or stops or *stop becomes non-zero (set from a timer). */
enum vm_state vm_run_until(struct vm *vm, volatile int *stop);
/* The same for one vCPU, on this CPU; also until it blocks or yields. */
enum vm_state vm_vcpu_run_until(struct vm_vcpu *vc, volatile int *stop);
void vm_destroy(struct vm *vm);
/* One log line: the VM's exits per reason and its interrupt counters (and one per vCPU
 * for a VM with several). */
void vm_log_exits(const struct vm *vm);
/* Is vCPU 0 halted with no interrupt to wake it? (Clears the halt when one is pending.) */
bool vm_blocked(struct vm *vm);
/* The same for one vCPU. */
bool vm_vcpu_blocked(struct vm_vcpu *vc);
/* Can the VM still run (READY or RUNNING)? */
bool vm_live(const struct vm *vm);
/* Can the scheduler give this vCPU a slice: its VM live, started, not done? */
bool vm_vcpu_live(const struct vm_vcpu *vc);
/* The vCPU this physical CPU is running now (inside vm_vcpu_run_until), or NULL. */
struct vm_vcpu *vm_vcpu_current(void);
/* Sleep the CPU while every runnable VM of vms[n] is blocked, for at most max_us. */
void vm_idle(struct vm **vms, int n, uint64_t max_us);
/* Handle one exit of vc (vmm/vm.c; vmm/vm_run.c enters the guest). */
void vm_handle_exit(struct vm_vcpu *vc, const struct vcpu_exit *e);
/* The sum of a vCPU's exit counters. */
uint64_t vm_vcpu_exit_total(const struct vm_vcpu *vc);
void vm_lock(struct vm *vm);
void vm_unlock(struct vm *vm);
/* The nested page table root for the backend. */
uint64_t vm_npt_root(const struct vm *vm);

#endif
