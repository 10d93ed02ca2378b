/*
 * AMD SVM: VMCB layout, intercept bits, exit codes and MSRs (AMD64 Architecture
 * Programmer's Manual vol. 2, 15.5 and appendix B "Layout of VMCB", appendix C "SVM
 * intercept exit codes").
 */
#ifndef ARCH_SVMREG_H
#define ARCH_SVMREG_H

#define MSR_VM_CR		0xc0010114
#define MSR_VM_HSAVE_PA		0xc0010117
#define EFER_SVME		(1ull << 12)
#define EFER_LMA		(1ull << 10)
#define VM_CR_SVMDIS		(1ull << 4)

/* CPUID 8000_0001h ECX bit 2 (SVM); 8000_000Ah: EBX = ASIDs, EDX feature bits. */
#define CPUID_SVM_ECX		(1u << 2)
#define SVM_FEAT_NP		(1u << 0)
#define SVM_FEAT_NRIPS		(1u << 3)

/* VMCB control area offsets (appendix B, table B-1). */
#define VMCB_INTERCEPT_CR	0x000
#define VMCB_INTERCEPT_DR	0x004
#define VMCB_INTERCEPT_EXC	0x008
#define VMCB_INTERCEPT_MISC1	0x00c
#define VMCB_INTERCEPT_MISC2	0x010
#define VMCB_IOPM_BASE		0x040
#define VMCB_MSRPM_BASE		0x048
#define VMCB_TSC_OFFSET		0x050
#define VMCB_GUEST_ASID		0x058
#define VMCB_TLB_CONTROL	0x05c
#define VMCB_VINTR		0x060
#define VMCB_INT_SHADOW		0x068
#define VMCB_EXITCODE		0x070
#define VMCB_EXITINFO1		0x078
#define VMCB_EXITINFO2		0x080
#define VMCB_EXITINTINFO	0x088
#define VMCB_NP_ENABLE		0x090
#define VMCB_EVENTINJ		0x0a8
#define VMCB_N_CR3		0x0b0
#define VMCB_CLEAN		0x0c0
#define VMCB_NRIP		0x0c8

/* Save area (table B-2): segments are 16 bytes: selector, attrib, limit, base. */
#define VMCB_ES			0x400
#define VMCB_CS			0x410
#define VMCB_SS			0x420
#define VMCB_DS			0x430
#define VMCB_FS			0x440
#define VMCB_GS			0x450
#define VMCB_GDTR		0x460
#define VMCB_LDTR		0x470
#define VMCB_IDTR		0x480
#define VMCB_TR			0x490
#define VMCB_CPL		0x4cb
#define VMCB_EFER		0x4d0
#define VMCB_CR4		0x548
#define VMCB_CR3		0x550
#define VMCB_CR0		0x558
#define VMCB_DR7		0x560
#define VMCB_DR6		0x568
#define VMCB_RFLAGS		0x570
#define VMCB_RIP		0x578
#define VMCB_RSP		0x5d8
#define VMCB_RAX		0x5f8
#define VMCB_CR2		0x640
#define VMCB_G_PAT		0x668

/* Intercept bits in MISC1 / MISC2. */
#define SVM_INTERCEPT_INTR	(1u << 0)
#define SVM_INTERCEPT_NMI	(1u << 1)
#define SVM_INTERCEPT_VINTR	(1u << 4)
#define SVM_INTERCEPT_CPUID	(1u << 18)
#define SVM_INTERCEPT_HLT	(1u << 24)
#define SVM_INTERCEPT_IOIO	(1u << 27)
#define SVM_INTERCEPT_MSR	(1u << 28)
#define SVM_INTERCEPT_SHUTDOWN	(1u << 31)
#define SVM_INTERCEPT_VMRUN	(1u << 0)
#define SVM_INTERCEPT_VMMCALL	(1u << 1)
#define SVM_INTERCEPT_VMLOAD	(1u << 2)
#define SVM_INTERCEPT_VMSAVE	(1u << 3)
#define SVM_INTERCEPT_STGI	(1u << 4)
#define SVM_INTERCEPT_CLGI	(1u << 5)
#define SVM_INTERCEPT_SKINIT	(1u << 6)

/* Exit codes (appendix C). */
#define SVM_EXIT_EXCP_BASE	0x040
#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_IOIO		0x07b
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	0xffffffffffffffffull

/* IOIO EXITINFO1 (15.10.2). */
#define SVM_IOIO_IN		(1u << 0)
#define SVM_IOIO_STR		(1u << 2)
#define SVM_IOIO_REP		(1u << 3)
#define SVM_IOIO_SZ8		(1u << 4)
#define SVM_IOIO_SZ16		(1u << 5)
#define SVM_IOIO_SZ32		(1u << 6)
#define SVM_IOIO_PORT_SHIFT	16

/* EVENTINJ and EXITINTINFO share one format (15.20, 15.7.2). */
#define SVM_EVTINJ_VALID	(1u << 31)
#define SVM_EVTINJ_TYPE_INTR	(0u << 8)
#define SVM_EVTINJ_TYPE_EXC	(3u << 8)
#define SVM_EVTINJ_EV		(1u << 11)	/* push the error code in bits 63:32 */

/* VMCB 060h virtual interrupt control (15.21.1, appendix B). */
#define SVM_VINTR_V_IRQ		(1ull << 8)
#define SVM_VINTR_PRIO_SHIFT	16
#define SVM_VINTR_IGN_TPR	(1ull << 20)
#define SVM_VINTR_MASKING	(1ull << 24)
#define SVM_VINTR_VECTOR_SHIFT	32
/* VMCB 068h: the guest is in an interrupt shadow (15.21.5). */
#define SVM_INT_SHADOW		(1ull << 0)

/* Segment attributes in the VMCB's compressed format (type, S, DPL, P, AVL, L, D/B, G). */
#define SVM_ATTR_CODE32		0xc9b
#define SVM_ATTR_DATA32		0xc93
#define SVM_ATTR_CODE64		0xa9b	/* L=1, D=0, G */
#define SVM_ATTR_TSS32		0x08b
#define SVM_ATTR_TSS64		0x08b	/* busy 64-bit TSS: the same type code */
#define SVM_ATTR_LDT		0x082

#define SVM_IOPM_PAGES		3
#define SVM_MSRPM_PAGES		2

#endif
