/*
 * Virtual machines: guest memory behind nested paging, one vCPU for now, and the exit
 * handlers of the VMM: a 16550 console per VM, hypercalls, CPUID/MSR filtering. A guest
 * that misbehaves is stopped alone with a log line; the hypervisor and other VMs go on.
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
#define VM_NREPORT	8

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
	struct vcpu *vcpu;
	uint64_t exits[VCPU_EXIT_NREASONS];
	uint64_t cpu_us;		/* time spent running this VM */
	uint64_t slices;		/* times the scheduler ran it */
	int yielded;			/* VM_HC_YIELD ends its slice */
	char con[128];			/* console line being assembled */
	unsigned con_len;
	char last_line[128];		/* the last complete console line (tests read it) */
	uint64_t lines;
	struct { uint64_t base, size; const struct vm_mmio_ops *ops; void *dev; } mmio[VM_MAX_MMIO];
	int nmmio;
	uint64_t mmio_accesses;
	char con_prefix[16];		/* console lines' prefix in the log ("": the name) */
	/* Interrupts (vmm/virq.c): NULL when the VM has no interrupt controller. */
	struct vlapic *lapic;
	struct vioapic *ioapic;
	struct virq_stats irq;
	int halted;			/* HLT with IF=1: blocked until an interrupt is pending */
	uint32_t report[VM_NREPORT];
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
/* Run until the VM exits or stops, or for at most budget_us. Returns its state. */
enum vm_state vm_run(struct vm *vm, uint64_t budget_us);
/* Run until the VM exits or stops or *stop becomes non-zero (set from a timer). */
enum vm_state vm_run_until(struct vm *vm, volatile int *stop);
void vm_destroy(struct vm *vm);
/* One log line: the VM's exits per reason and its interrupt counters. */
void vm_log_exits(const struct vm *vm);
/* Is the vCPU halted with no interrupt to wake it? (Clears the halt when one is pending.) */
bool vm_blocked(struct vm *vm);
/* Sleep the CPU while every runnable VM of vms[n] is blocked, for at most max_us. */
void vm_idle(struct vm **vms, int n, uint64_t max_us);
/* The nested page table root for the backend. */
uint64_t vm_npt_root(const struct vm *vm);

#endif
