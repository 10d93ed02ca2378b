/* QEMU "edu" test device (QEMU docs/specs/edu.rst): BAR0 registers used by the IRQ
 * and IOMMU tests. */
#ifndef TESTS_EDUREG_H
#define TESTS_EDUREG_H

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_REG_IDENT		0x00	/* 0xRRrr00edu: major, minor, 0xed */
#define EDU_REG_LIVENESS	0x04	/* reads back the bitwise inverse of what was written */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_RAISE	0x60	/* write: OR into status and raise the interrupt */
#define EDU_REG_IRQ_ACK		0x64	/* write: clear status bits, lower INTx when 0 */
/* DMA between RAM and the device's 4 KiB buffer at EDU_DMA_BUF in its own address space;
 * a RAM address must be below 256 MiB (the device's DMA mask). */
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_START		0x1	/* cleared when the transfer is done */
#define EDU_DMA_TO_RAM		0x2	/* else from RAM to the device */
#define EDU_DMA_BUF		0x40000

#endif
