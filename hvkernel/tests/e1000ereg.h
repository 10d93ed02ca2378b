/* Intel 82574 (e1000e) registers the MSI-X test uses (82574 datasheet, 10.2). */
#ifndef TESTS_E1000EREG_H
#define TESTS_E1000EREG_H

#define E1000E_DEVICE_82574	0x10d3
#define E1000E_ICR		0x000c0	/* interrupt cause read (clear on read) */
#define E1000E_ICS		0x000c8	/* interrupt cause set */
#define E1000E_IMS		0x000d0	/* interrupt mask set */
#define E1000E_IMC		0x000d8	/* interrupt mask clear */
#define E1000E_IVAR		0x000e4	/* MSI-X vector allocation (10.2.4.9) */
#define E1000E_EITR(n)		(0x000e8 + 4 * (n))	/* MSI-X interrupt throttling, 5 vectors */
#define E1000E_ICR_LSC		(1u << 2)
#define E1000E_ICR_OTHER	(1u << 24)
#define E1000E_IVAR_OTHER(v)	(((v) | 0x8u) << 16)	/* "other" causes -> MSI-X vector v, valid */

#endif
