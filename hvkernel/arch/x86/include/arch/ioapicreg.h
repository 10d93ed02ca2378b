/* I/O APIC registers (Intel 82093AA datasheet, 3.0). */
#ifndef ARCH_IOAPICREG_H
#define ARCH_IOAPICREG_H

#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDTBL	0x10	/* two 32-bit registers per entry */

#define IOAPIC_RTE_VECTOR	0xffu
#define IOAPIC_RTE_DELMODE_SHIFT 8	/* 3 bits: 0 fixed, 1 lowest priority, ... 7 ExtINT */
#define IOAPIC_RTE_DELMODE_NMI	(4u << 8)
#define IOAPIC_RTE_DESTMODE	(1u << 11)
#define IOAPIC_RTE_MASKED	(1u << 16)
#define IOAPIC_RTE_LEVEL	(1u << 15)
#define IOAPIC_RTE_REMOTE_IRR	(1u << 14)
#define IOAPIC_RTE_ACTIVE_LOW	(1u << 13)

#endif
