/* Local APIC registers, xAPIC MMIO mode (APM vol. 2, 16.3 table 16-2). */
#ifndef ARCH_LAPICREG_H
#define ARCH_LAPICREG_H

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_ENABLE	(1ull << 11)
#define APIC_BASE_ADDR_MASK	0xffffff000ull

#define LAPIC_ID		0x020
#define LAPIC_VERSION		0x030
#define LAPIC_TPR		0x080
#define LAPIC_APR		0x090
#define LAPIC_PPR		0x0a0
#define LAPIC_EOI		0x0b0
#define LAPIC_LDR		0x0d0
#define LAPIC_DFR		0x0e0
#define LAPIC_SVR		0x0f0
#define LAPIC_ISR		0x100	/* 8 registers, 16 bytes apart */
#define LAPIC_TMR		0x180
#define LAPIC_IRR		0x200
#define LAPIC_ESR		0x280
#define LAPIC_ICR_LO		0x300
#define LAPIC_ICR_HI		0x310
#define LAPIC_LVT_TIMER		0x320
#define LAPIC_LVT_THERMAL	0x330
#define LAPIC_LVT_PERF		0x340
#define LAPIC_LVT_LINT0		0x350
#define LAPIC_LVT_LINT1		0x360
#define LAPIC_LVT_ERROR		0x370
#define LAPIC_TIMER_INIT	0x380
#define LAPIC_TIMER_CUR		0x390
#define LAPIC_TIMER_DIV		0x3e0

#define LAPIC_SVR_ENABLE	(1u << 8)
#define LAPIC_LVT_MASKED	(1u << 16)
#define LAPIC_TIMER_PERIODIC	(1u << 17)
#define LAPIC_TIMER_MODE_MASK	(3u << 17)
#define LAPIC_TIMER_TSC_DEADLINE (2u << 17)
#define LAPIC_ESR_RX_ILLEGAL	(1u << 6)	/* received illegal vector */
#define LAPIC_ESR_TX_ILLEGAL	(1u << 5)	/* send illegal vector */
/* ICR low (SDM vol. 3, 10.6.1 figure 10-12): vector 7:0, delivery mode 10:8 (0 fixed),
 * destination mode 11 (1 logical), delivery status 12, shorthand 19:18; high: 31:24 the
 * destination. */
#define LAPIC_ICR_DELMODE_SHIFT	8
#define LAPIC_ICR_LOGICAL	(1u << 11)
#define LAPIC_ICR_PENDING	(1u << 12)
#define LAPIC_ICR_SHORTHAND_SHIFT 18
#define LAPIC_ICR_SELF		1u
#define LAPIC_ICR_ALL		2u
#define LAPIC_ICR_OTHERS	3u
#define LAPIC_TIMER_DIV_16	0x3

#endif
