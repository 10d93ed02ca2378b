/*
 * Decoding the guest instruction behind a nested page fault on device memory. QEMU's SVM
 * provides neither decode assists nor NRIP, so we fetch the instruction from guest memory
 * and decode the MOV forms a driver uses for device registers (Intel SDM vol. 2, MOV;
 * AMD APM vol. 3, 1.4 "ModRM and SIB"): 89/8B (register), C7 /0 (immediate), A1/A3
 * (absolute), with an optional 66h operand-size prefix. A paging guest's RIP is virtual:
 * the fetch walks its page tables (APM vol. 2, 5.3 "Long-Mode Page Translation"; 4 levels,
 * 2 MiB and 1 GiB pages; 32-bit paging and PAE without long mode are refused), and in
 * 64-bit mode a REX prefix extends the register numbers (APM vol. 3, 1.2.7). 8-byte
 * accesses (REX.W) are refused: our devices' registers are 32-bit.
 */
#include <hv/errno.h>
#include <kern/string.h>
#include <vmm/mmio.h>

static uint64_t *mmio_reg(struct vcpu_regs *r, unsigned n)
{
	uint64_t *regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
			       &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };

	return regs[n & 15];
}

#define MMIO_PTE_P	0x1ull
#define MMIO_PTE_PS	0x80ull
#define MMIO_PTE_ADDR	0x000ffffffffff000ull

/* Guest-virtual va to guest-physical under the guest's paging; -HV_EFAULT when it is not
 * mapped or the tables are not in its RAM, -HV_ENOTSUP for paging modes we do not walk. */
int mmio_gva_to_gpa(const struct vm *vm, const struct vcpu_paging *pg, uint64_t va, uint64_t *gpa)
{
	if (!(pg->cr0 & 0x80000000u)) {		/* paging off: virtual is physical */
		*gpa = va;
		return 0;
	}
	if (!(pg->efer & (1u << 10)))		/* EFER.LMA: long mode's 4-level tables only */
		return -HV_ENOTSUP;
	uint64_t table = pg->cr3 & MMIO_PTE_ADDR;
	for (int level = 3; level >= 0; level--) {
		unsigned idx = (unsigned)(va >> (12 + 9 * level)) & 511;
		const uint64_t *e = vm_gpa(vm, table + 8ull * idx, 8);
		if (!e || !(*e & MMIO_PTE_P))
			return -HV_EFAULT;
		if (level == 0 || ((level == 1 || level == 2) && (*e & MMIO_PTE_PS))) {
			uint64_t span = 1ull << (12 + 9 * level);
			*gpa = (*e & MMIO_PTE_ADDR & ~(span - 1)) | (va & (span - 1));
			return 0;
		}
		table = *e & MMIO_PTE_ADDR;
	}
	return -HV_EFAULT;
}

/* Fetch up to 15 instruction bytes at the guest's rip, page by page (an instruction may
 * straddle two pages that are not adjacent in guest-physical memory). */
static int mmio_fetch(const struct vm *vm, const struct vcpu_paging *pg, uint64_t rip, uint8_t *buf)
{
	memset(buf, 0x90, 15);
	for (unsigned got = 0; got < 15;) {
		uint64_t gpa;
		int ret = mmio_gva_to_gpa(vm, pg, rip + got, &gpa);
		if (ret < 0)
			return got ? 0 : ret;
		unsigned n = 4096 - (unsigned)(gpa & 4095);
		if (n > 15 - got)
			n = 15 - got;
		const uint8_t *src = vm_gpa(vm, gpa, n);
		if (!src)
			return got ? 0 : -HV_EFAULT;
		memcpy(buf + got, src, n);
		got += n;
	}
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

int mmio_decode(const struct vm *vm, const struct vcpu_paging *pg, struct vcpu_regs *r, struct mmio_insn *in)
{
	uint8_t b[15];
	int i = 0, opsize = 4;
	unsigned rex = 0;

	int ret = mmio_fetch(vm, pg, r->rip, b);
	if (ret < 0)
		return ret;
	if (b[i] == 0x66) {
		opsize = 2;
		i++;
	}
	if (pg->code64 && (b[i] & 0xf0) == 0x40) {
		rex = b[i++];
		if (rex & 8)
			return -HV_ENOTSUP;	/* REX.W: an 8-byte access */
	}
	unsigned rexr = rex & 4 ? 8 : 0;
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
		unsigned reg = ((b[i + 1] >> 3) & 7) | rexr;
		in->write = b[i] == 0x88 || b[i] == 0x89;
		if (b[i] == 0x88 || b[i] == 0x8a) {
			if (reg >= 4 && reg < 8 && !rex)
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
		in->reg = mmio_reg(r, ((b[i + 2] >> 3) & 7) | rexr);
		in->len = (uint8_t)(i + 2 + ml);
		break;
	}
	case 0xa1:	/* mov eax, moffs32 */
	case 0xa3:	/* mov moffs32, eax */
		in->write = b[i] == 0xa3;
		in->reg = &r->rax;
		in->len = (uint8_t)(i + 1 + (pg->code64 ? 8 : 4));	/* moffs: the address size */
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
