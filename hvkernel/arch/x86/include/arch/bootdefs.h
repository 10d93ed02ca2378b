/* Constants shared by boot.S and C: boot protocols, control registers, page-table bits. */
#ifndef ARCH_BOOTDEFS_H
#define ARCH_BOOTDEFS_H

#define MB1_HEADER_MAGIC	0x1badb002
#define MB1_HEADER_FLAGS	((1 << 0) | (1 << 1) | (1 << 16))	/* page-align mods, mem info, a.out kludge */
#define MB1_BOOT_MAGIC		0x2badb002
#define MB2_HEADER_MAGIC	0xe85250d6
#define MB2_BOOT_MAGIC		0x36d76289

#define BOOT_CS			0x08
#define BOOT_DS			0x10
#define BOOT_STACK_SIZE		(32 * 1024)

#define CR0_PE			(1 << 0)
#define CR0_WP			(1 << 16)
#define CR0_PG			(1 << 31)
#define CR4_PAE			(1 << 5)
#define CR4_PGE			(1 << 7)
#define MSR_EFER		0xc0000080
#define EFER_LME		(1 << 8)
#define EFER_NXE		(1 << 11)

/* Page-table entry bits (APM vol. 2, 5.4 "Page-translation-table entry fields"). */
#define PTE_P			0x001
#define PTE_W			0x002
#define PTE_U			0x004
#define PTE_PWT			0x008
#define PTE_PCD			0x010
#define PTE_PS			0x080
#define PTE_G			0x100

#endif
