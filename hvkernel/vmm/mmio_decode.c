/*
 * Decoding the guest instruction behind a nested page fault on device memory. QEMU's SVM
 * provides neither decode assists nor NRIP, so we fetch the instruction from guest memory
 * and decode the MOV forms a driver uses for device registers (Intel SDM vol. 2, MOV;
 * AMD APM vol. 3, 1.4 "ModRM and SIB"): 89/8B (register), C7 /0 (immediate), A1/A3
 * (absolute), with an optional 66h operand-size prefix, 32-bit addressing only (our guests
 * run in 32-bit protected mode).
 */
#include <hv/errno.h>
#include <kern/string.h>
#include <vmm/mmio.h>

static uint64_t *mmio_reg(struct vcpu_regs *r, unsigned n)
{
	uint64_t *regs[8] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi };

	return regs[n & 7];
}

/* Fetch up to 15 bytes at guest-physical rip. */
static int mmio_fetch(const struct vm *vm, uint64_t rip, uint8_t *buf)
{
	if (rip >= vm->mem_size)
		return -HV_EFAULT;
	size_t n = vm->mem_size - rip < 15 ? (size_t)(vm->mem_size - rip) : 15;
	memset(buf, 0x90, 15);
	memcpy(buf, vm->mem + rip, n);
	return 0;
}

/* Skip the ModRM (and SIB and displacement) at p; returns its length. */
static int mmio_modrm_len(const uint8_t *p)
{
	unsigned mod = p[0] >> 6, rm = p[0] & 7;
	int len = 1;

	if (mod == 3)
		return -1;		/* register operand: not a memory access */
	if (rm == 4) {
		len++;			/* SIB */
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4;	/* SIB with no base: disp32 */
	}
	if (mod == 0 && rm == 5)
		len += 4;
	else if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len;
}

int mmio_decode(const struct vm *vm, struct vcpu_regs *r, struct mmio_insn *in)
{
	uint8_t b[15];
	int i = 0, opsize = 4;

	if (mmio_fetch(vm, r->rip, b) < 0)
		return -HV_EFAULT;
	if (b[i] == 0x66) {
		opsize = 2;
		i++;
	}
	memset(in, 0, sizeof(*in));
	in->size = (uint8_t)opsize;
	switch (b[i]) {
	case 0x88:	/* mov r/m8, r8 */
	case 0x89:	/* mov r/m, reg */
	case 0x8a:	/* mov r8, r/m8 */
	case 0x8b: {	/* mov reg, r/m */
		int ml = mmio_modrm_len(&b[i + 1]);
		if (ml < 0)
			return -HV_ENOTSUP;
		unsigned reg = (b[i + 1] >> 3) & 7;
		in->write = b[i] == 0x88 || b[i] == 0x89;
		if (b[i] == 0x88 || b[i] == 0x8a) {
			if (reg >= 4)
				return -HV_ENOTSUP;	/* AH..BH: not used by drivers */
			in->size = 1;
		}
		in->reg = mmio_reg(r, reg);
		in->len = (uint8_t)(i + 1 + ml);
		break;
	}
	case 0xc7: {	/* mov r/m, imm */
		int ml = mmio_modrm_len(&b[i + 1]);
		if (ml < 0 || ((b[i + 1] >> 3) & 7) != 0)
			return -HV_ENOTSUP;
		in->write = true;
		in->imm = 0;
		memcpy(&in->imm, &b[i + 1 + ml], (size_t)opsize);
		in->has_imm = true;
		in->len = (uint8_t)(i + 1 + ml + opsize);
		break;
	}
	case 0x0f: {	/* movzx reg, r/m8 | r/m16 */
		if (b[i + 1] != 0xb6 && b[i + 1] != 0xb7)
			return -HV_ENOTSUP;
		int ml = mmio_modrm_len(&b[i + 2]);
		if (ml < 0)
			return -HV_ENOTSUP;
		in->size = b[i + 1] == 0xb6 ? 1 : 2;
		in->zero_extend = true;
		in->reg = mmio_reg(r, (b[i + 2] >> 3) & 7);
		in->len = (uint8_t)(i + 2 + ml);
		break;
	}
	case 0xa1:	/* mov eax, moffs32 */
	case 0xa3:	/* mov moffs32, eax */
		in->write = b[i] == 0xa3;
		in->reg = &r->rax;
		in->len = (uint8_t)(i + 5);
		break;
	default:
		return -HV_ENOTSUP;
	}
	return 0;
}

void mmio_complete(struct vcpu_regs *r, const struct mmio_insn *in, uint32_t value)
{
	if (!in->write) {
		uint64_t mask = in->size == 4 ? 0xffffffffull : (1ull << (8 * in->size)) - 1;
		/* A 32-bit load or a MOVZX zero-extends into the 64-bit register; narrower
		 * plain MOVs merge into the low bits. */
		*in->reg = in->size == 4 || in->zero_extend ? (value & mask) : (*in->reg & ~mask) | (value & mask);
	}
	r->rip += in->len;
}

uint32_t mmio_store_value(const struct mmio_insn *in)
{
	uint64_t v = in->has_imm ? in->imm : *in->reg;

	return in->size == 4 ? (uint32_t)v : (uint32_t)(v & ((1u << (8 * in->size)) - 1));
}
