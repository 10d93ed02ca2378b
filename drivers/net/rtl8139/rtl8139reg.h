/*
 * Realtek RTL8139 (RTL8139C/C+ and the family before it) registers and the receive packet
 * header. Source: Realtek's "RTL8139C(L)+ Single-Chip Fast Ethernet Controller" datasheet
 * (DS), its register descriptions (cited by register name) and its transmit and receive
 * operation chapters; the hardware version codes in TCR are Realtek's. All registers are in
 * one 256-byte window, BAR0 as I/O ports and BAR1 as memory; this driver uses BAR1.
 */
#ifndef RTL8139REG_H
#define RTL8139REG_H

#include <stdint.h>

#define RTL8139_BAR_MMIO	1
#define RTL8139_BAR_MIN_SIZE	0x100		/* the register window */

#define RTL8139_IDR0		0x00		/* 6 bytes: Ethernet address, loaded from EEPROM */
#define RTL8139_MAR0		0x08		/* 8 bytes: multicast hash filter */
#define RTL8139_TSD(n)		(0x10 + 4 * (n))	/* transmit status of descriptor n (32) */
#define RTL8139_TSAD(n)		(0x20 + 4 * (n))	/* transmit start address of descriptor n (32) */
#define RTL8139_RBSTART		0x30		/* receive buffer start address (32) */
#define RTL8139_CR		0x37		/* command (8) */
#define RTL8139_CAPR		0x38		/* current address of packet read (16) */
#define RTL8139_CBR		0x3a		/* current buffer address: where the chip writes (16) */
#define RTL8139_IMR		0x3c		/* interrupt mask (16) */
#define RTL8139_ISR		0x3e		/* interrupt status (16), write 1 to clear */
#define RTL8139_TCR		0x40		/* transmit configuration (32) */
#define RTL8139_RCR		0x44		/* receive configuration (32) */
#define RTL8139_MPC		0x4c		/* missed packet counter (24 bits), any write clears */
#define RTL8139_MSR		0x58		/* media status (8) */
#define RTL8139_TSAD_ALL	0x60		/* transmit status of all descriptors (16) */
#define RTL8139_BMSR		0x64		/* MII basic mode status (16) */

#define RTL8139_NTX		4		/* transmit descriptors (DS: transmit operation) */

/* CR (DS: Command Register) */
#define RTL8139_CR_BUFE		(1u << 0)	/* receive buffer empty */
#define RTL8139_CR_TE		(1u << 2)	/* transmitter enable */
#define RTL8139_CR_RE		(1u << 3)	/* receiver enable */
#define RTL8139_CR_RST		(1u << 4)	/* software reset, self-clearing */

/* ISR and IMR share the layout (DS: IMR, ISR) */
#define RTL8139_INT_ROK		(1u << 0)	/* receive OK */
#define RTL8139_INT_RER		(1u << 1)	/* receive error */
#define RTL8139_INT_TOK		(1u << 2)	/* transmit OK */
#define RTL8139_INT_TER		(1u << 3)	/* transmit error */
#define RTL8139_INT_RXOVW	(1u << 4)	/* receive buffer overflow */
#define RTL8139_INT_LINKCHG	(1u << 5)	/* packet underrun / link change */
#define RTL8139_INT_FOVW	(1u << 6)	/* receive FIFO overflow */
#define RTL8139_INT_LENCHG	(1u << 13)	/* cable length change */
#define RTL8139_INT_TIMEOUT	(1u << 14)	/* TCTR reached TimerInt */
#define RTL8139_INT_SERR	(1u << 15)	/* PCI system error */
#define RTL8139_INT_RX_ANY	(RTL8139_INT_ROK | RTL8139_INT_RER | RTL8139_INT_RXOVW | \
				 RTL8139_INT_FOVW)

/* TSD (DS: TSD, transmit operation) */
#define RTL8139_TSD_SIZE_MASK	0x1fffu		/* bytes to send; at most 1792 */
#define RTL8139_TSD_OWN		(1u << 13)	/* set by the chip: DMA of the buffer done */
#define RTL8139_TSD_TUN		(1u << 14)	/* FIFO underrun */
#define RTL8139_TSD_TOK		(1u << 15)	/* transmitted */
#define RTL8139_TSD_ERTXTH(b)	((uint32_t)((b) / 32) << 16)	/* early TX threshold, 32-byte units */
#define RTL8139_TSD_TABT	(1u << 30)	/* aborted (excessive collisions) */
#define RTL8139_TX_MAX_LEN	1792		/* largest TSD size (DS: TSD) */

/* TSAD_ALL, the C-family summary of the four TSDs (DS: TSAD): one bit per descriptor each. */
#define RTL8139_TSADS_OWN(n)	(1u << (n))
#define RTL8139_TSADS_TABT(n)	(1u << (4 + (n)))
#define RTL8139_TSADS_TUN(n)	(1u << (8 + (n)))
#define RTL8139_TSADS_TOK(n)	(1u << (12 + (n)))

/* TCR (DS: Transmit Configuration Register) */
#define RTL8139_TCR_CLRABT	(1u << 0)	/* retransmit after an abort */
#define RTL8139_TCR_MXDMA_1024	(6u << 8)	/* DMA burst 1024 bytes */
#define RTL8139_TCR_IFG_96	(3u << 24)	/* IEEE 802.3 interframe gap */
#define RTL8139_TCR_HWVER_MASK	0x7cc00000u	/* hardware version: bits 30-26, 23-22 */
/* Hardware version from its bits 30, 29, 28, 27, 26, 23, 22. */
#define RTL8139_HWVER(a, b, c, d, e, f, g) \
	((uint32_t)(a) << 30 | (uint32_t)(b) << 29 | (uint32_t)(c) << 28 | (uint32_t)(d) << 27 | \
	 (uint32_t)(e) << 26 | (uint32_t)(f) << 23 | (uint32_t)(g) << 22)

/* RCR (DS: Receive Configuration Register) */
#define RTL8139_RCR_AAP		(1u << 0)	/* accept all physical addresses */
#define RTL8139_RCR_APM		(1u << 1)	/* accept our physical address */
#define RTL8139_RCR_AM		(1u << 2)	/* accept multicast */
#define RTL8139_RCR_AB		(1u << 3)	/* accept broadcast */
#define RTL8139_RCR_WRAP	(1u << 7)	/* 0: a packet wraps to the buffer start */
#define RTL8139_RCR_MXDMA_UNL	(7u << 8)	/* unlimited DMA burst */
#define RTL8139_RCR_RBLEN_64K	(3u << 11)	/* 64 KiB + 16 byte ring */
#define RTL8139_RCR_RXFTH_NONE	(7u << 13)	/* whole packet into the FIFO before DMA */

/* MSR (DS: Media Status Register) */
#define RTL8139_MSR_LINKB	(1u << 2)	/* inverse of link status: 0 = link OK */

/* BMSR (DS: BMSR; IEEE 802.3 22.2.4.2) */
#define RTL8139_BMSR_LINK	(1u << 2)

/*
 * The receive ring (DS: receive operation, Rx packet header): each packet is a 32-bit
 * little-endian header (status low 16 bits, length high 16 bits: frame plus 4-byte CRC),
 * the frame, the CRC, then padding to a 4-byte boundary. The chip writes the length 0xfff0
 * while the packet is still in transit.
 */
#define RTL8139_RXH_ROK		(1u << 0)	/* good packet */
#define RTL8139_RXH_FAE		(1u << 1)	/* frame alignment error */
#define RTL8139_RXH_CRC		(1u << 2)	/* CRC error */
#define RTL8139_RXH_LONG	(1u << 3)	/* longer than 4 KiB */
#define RTL8139_RXH_RUNT	(1u << 4)	/* shorter than 64 bytes */
#define RTL8139_RXH_ISE		(1u << 5)	/* invalid symbol */
#define RTL8139_RXH_ERRORS	(RTL8139_RXH_FAE | RTL8139_RXH_CRC | RTL8139_RXH_LONG | \
				 RTL8139_RXH_RUNT | RTL8139_RXH_ISE)
#define RTL8139_RXH_LEN(h)	((h) >> 16)
#define RTL8139_RXH_EARLY	0xfff0u		/* length while the DMA is in progress */
#define RTL8139_RX_HDR		4
#define RTL8139_RX_CRC		4
#define RTL8139_RX_RING		65536		/* RBLEN_64K */
#define RTL8139_RX_PAD		16		/* the "+16 bytes" of every ring size */
/* CAPR is written 16 below the offset of the next packet to read: the chip adds 16 (so does
 * QEMU's model, hw/net/rtl8139.c, RxBufPtr). */
#define RTL8139_CAPR_BIAS	16

#endif
