/* Emulated device memory for guests: instruction decoding and the device hook. */
#ifndef VMM_MMIO_H
#define VMM_MMIO_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/vcpu.h>
#include <vmm/vm.h>

struct mmio_insn {
	bool write, has_imm, zero_extend;
	uint8_t size;		/* 1, 2 or 4 bytes */
	uint8_t len;		/* instruction length */
	uint64_t *reg;		/* the register loaded or stored */
	uint64_t imm;
};

/* Decode the instruction at the guest's RIP. 0, -HV_ENOTSUP for forms we do not emulate,
 * -HV_EFAULT when RIP is outside guest RAM. */
int mmio_decode(const struct vm *vm, const struct vcpu_paging *pg, struct vcpu_regs *r, struct mmio_insn *in);
/* Translate a guest-virtual address under the guest's paging (pg): 0 with *gpa,
 * -HV_EFAULT (not mapped) or -HV_ENOTSUP (a paging mode we do not walk). */
int mmio_gva_to_gpa(const struct vm *vm, const struct vcpu_paging *pg, uint64_t va, uint64_t *gpa);
/* The value a decoded store writes. */
uint32_t mmio_store_value(const struct mmio_insn *in);
/* Finish: put a load's value into its register and step over the instruction. */
void mmio_complete(struct vcpu_regs *r, const struct mmio_insn *in, uint32_t value);

#endif
