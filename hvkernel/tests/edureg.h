/* QEMU "edu" test device (QEMU docs/specs/edu.rst): BAR0 registers used by the IRQ tests. */
#ifndef TESTS_EDUREG_H
#define TESTS_EDUREG_H

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_REG_IDENT		0x00	/* 0xRRrr00edu: major, minor, 0xed */
#define EDU_REG_LIVENESS	0x04	/* reads back the bitwise inverse of what was written */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_RAISE	0x60	/* write: OR into status and raise the interrupt */
#define EDU_REG_IRQ_ACK		0x64	/* write: clear status bits, lower INTx when 0 */

#endif
