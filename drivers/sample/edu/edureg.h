/*
 * QEMU's "edu" teaching device (1234:11e8), BAR0 registers. See QEMU docs/specs/edu.rst.
 */
#ifndef EDU_REG_H
#define EDU_REG_H

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

#define EDU_REG_IDENT		0x00	/* RO: 0xRRrr00ed, major.minor version in the top bytes */
#define EDU_IDENT_MAGIC		0xed	/* low byte of EDU_REG_IDENT */
#define EDU_REG_LIVENESS	0x04	/* RW: reads back the bitwise inverse of what was written */
#define EDU_REG_FACT		0x08	/* RW: write n, read n! once EDU_STATUS_BUSY clears */
#define EDU_REG_STATUS		0x20	/* RW */
#define EDU_STATUS_BUSY		0x01	/* RO: factorial being computed */
#define EDU_STATUS_IRQ_FACT	0x80	/* raise an interrupt when the factorial is done */
#define EDU_REG_IRQ_STATUS	0x24	/* RO: the values raised and not yet acknowledged */
#define EDU_REG_IRQ_RAISE	0x60	/* WO: OR the value into the interrupt status, interrupt */
#define EDU_REG_IRQ_ACK		0x64	/* WO: clear these bits of the interrupt status */

#define EDU_BAR0_MIN_SIZE	0x80

#endif
