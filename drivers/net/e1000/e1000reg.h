/*
 * Intel 8254x (82540EM, 82544GC, 82545EM) and 82574L registers and legacy descriptors.
 * Sources: "PCI/PCI-X Family of Gigabit Ethernet Controllers Software Developer's Manual"
 * (8254x SDM, rev. 4.0), chapter 13 registers, 3.2/3.3 descriptors; "Intel 82574 GbE
 * Controller Family Datasheet" (82574 DS, rev. 3.4), chapter 10 registers.
 */
#ifndef E1000REG_H
#define E1000REG_H

#include <stdint.h>

#define E1000_BAR0_MIN_SIZE	0x20000		/* 128 KiB register window (SDM 4.1) */

/* General (SDM 13.3, 82574 DS 10.2.2) */
#define E1000_CTRL		0x00000		/* device control */
#define E1000_STATUS		0x00008		/* device status */
#define E1000_EECD		0x00010		/* EEPROM/flash control */
#define E1000_EERD		0x00014		/* EEPROM read (not on the 82544) */
#define E1000_CTRL_EXT		0x00018		/* extended device control */

#define E1000_CTRL_FD		(1u << 0)	/* full duplex */
#define E1000_CTRL_ASDE		(1u << 5)	/* auto-speed detection */
#define E1000_CTRL_SLU		(1u << 6)	/* set link up */
#define E1000_CTRL_RST		(1u << 26)	/* device reset, self-clearing */
#define E1000_CTRL_VME		(1u << 30)	/* VLAN mode */
#define E1000_CTRL_PHY_RST	(1u << 31)

#define E1000_STATUS_FD		(1u << 0)
#define E1000_STATUS_LU		(1u << 1)	/* link up */
#define E1000_STATUS_SPEED(s)	(((s) >> 6) & 3)	/* 0 = 10, 1 = 100, 2/3 = 1000 Mb/s */

/* EERD layouts differ: 8254x SDM 13.4.4 vs 82574 DS 10.2.2.6. */
#define E1000_EERD_START	(1u << 0)
#define E1000_EERD_DONE_8254X	(1u << 4)
#define E1000_EERD_ADDR_8254X	8
#define E1000_EERD_DONE_82574	(1u << 1)
#define E1000_EERD_ADDR_82574	2
#define E1000_EERD_DATA_SHIFT	16
#define E1000_EEPROM_MAC	0x00		/* words 0..2: Ethernet address (SDM 5.6.1) */
#define E1000_EEPROM_VERSION	0x05		/* image version: major 15:12, minor 11:4, build 3:0 */

/* Interrupts (SDM 13.4.17-13.4.21, 82574 DS 10.2.4) */
#define E1000_ICR		0x000c0		/* cause read: clear on read (not in MSI-X) */
#define E1000_ITR		0x000c4		/* throttling */
#define E1000_ICS		0x000c8		/* cause set */
#define E1000_IMS		0x000d0		/* mask set/read */
#define E1000_IMC		0x000d8		/* mask clear */
#define E1000_IVAR		0x000e4		/* 82574: MSI-X vector allocation (DS 10.2.4.9) */

#define E1000_ICR_TXDW		(1u << 0)	/* transmit descriptor written back */
#define E1000_ICR_TXQE		(1u << 1)	/* transmit queue empty */
#define E1000_ICR_LSC		(1u << 2)	/* link status change */
#define E1000_ICR_RXSEQ		(1u << 3)
#define E1000_ICR_RXDMT0	(1u << 4)	/* receive descriptors below threshold */
#define E1000_ICR_RXO		(1u << 6)	/* receiver overrun */
#define E1000_ICR_RXT0		(1u << 7)	/* receiver timer: frames arrived */
#define E1000_ICR_RXQ0		(1u << 20)	/* 82574, MSI-X: receive queue 0 */
#define E1000_ICR_TXQ0		(1u << 22)	/* 82574, MSI-X: transmit queue 0 */
#define E1000_ICR_OTHER		(1u << 24)	/* 82574, MSI-X: any other cause (LSC, RXO) */
#define E1000_ICR_RX_ANY	(E1000_ICR_RXT0 | E1000_ICR_RXO | E1000_ICR_RXDMT0 | E1000_ICR_RXQ0)
#define E1000_ICR_ASSERTED	(1u << 31)	/* 82574: interrupt asserted */

#define E1000_IMS_ALL		0xffffffffu

/* IVAR (82574 DS 10.2.4.9): 3-bit vector plus a valid bit per cause. */
#define E1000_IVAR_RXQ0(v)	(((v) | 0x8u) << 0)
#define E1000_IVAR_TXQ0(v)	(((v) | 0x8u) << 8)
#define E1000_IVAR_OTHER(v)	(((v) | 0x8u) << 16)

/* Receive (SDM 13.4.22-13.4.34) */
#define E1000_RCTL		0x00100
#define E1000_RCTL_EN		(1u << 1)
#define E1000_RCTL_SBP		(1u << 2)	/* store bad packets */
#define E1000_RCTL_UPE		(1u << 3)	/* unicast promiscuous */
#define E1000_RCTL_MPE		(1u << 4)	/* multicast promiscuous */
#define E1000_RCTL_LPE		(1u << 5)	/* long packets (> 1522 bytes) */
#define E1000_RCTL_RDMTS_HALF	(0u << 8)	/* RXDMT0 at 1/2 of the ring free */
#define E1000_RCTL_BAM		(1u << 15)	/* accept broadcast */
#define E1000_RCTL_BSIZE_2048	(0u << 16)	/* with BSEX = 0 */
#define E1000_RCTL_SECRC	(1u << 26)	/* strip the Ethernet CRC */

#define E1000_RDBAL		0x02800
#define E1000_RDBAH		0x02804
#define E1000_RDLEN		0x02808
#define E1000_RDH		0x02810
#define E1000_RDT		0x02818
#define E1000_RDTR		0x02820		/* receive delay timer */
#define E1000_RXDCTL		0x02828
#define E1000_RADV		0x0282c

/* Transmit (SDM 13.4.33-13.4.45) */
#define E1000_TCTL		0x00400
#define E1000_TCTL_EN		(1u << 1)
#define E1000_TCTL_PSP		(1u << 3)	/* pad short packets */
#define E1000_TCTL_CT(n)	((uint32_t)(n) << 4)	/* collision threshold */
#define E1000_TCTL_COLD(n)	((uint32_t)(n) << 12)	/* collision distance */
#define E1000_TCTL_RTLC		(1u << 24)	/* retransmit on late collision */
#define E1000_TCTL_DEFAULT	(E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT(0x0f) | \
				 E1000_TCTL_COLD(0x40) | E1000_TCTL_RTLC)

#define E1000_TIPG		0x00410
/* IPGT 10, IPGR1 8, IPGR2 6: the copper values of SDM table 13-77. */
#define E1000_TIPG_DEFAULT	(10u | (8u << 10) | (6u << 20))

#define E1000_TDBAL		0x03800
#define E1000_TDBAH		0x03804
#define E1000_TDLEN		0x03808
#define E1000_TDH		0x03810
#define E1000_TDT		0x03818
#define E1000_TIDV		0x03820
#define E1000_TXDCTL		0x03828
#define E1000_TXDCTL_82574_ONE	(1u << 22)	/* 82574 DS 10.2.6.8: must be written 1 */

/* Receive address filters (SDM 13.4.26-13.4.28) */
#define E1000_MTA		0x05200		/* 128 x 32-bit multicast table */
#define E1000_MTA_WORDS		128
#define E1000_RAL(n)		(0x05400 + 8 * (n))
#define E1000_RAH(n)		(0x05404 + 8 * (n))
#define E1000_RAH_AV		(1u << 31)	/* address valid */
#define E1000_RA_ENTRIES	16

/* Statistics, clear on read (SDM 13.7) */
#define E1000_CRCERRS		0x04000		/* CRC errors */
#define E1000_ALGNERRC		0x04004		/* alignment errors */
#define E1000_RXERRC		0x0400c		/* receive errors */
#define E1000_MPC		0x04010		/* missed packets (no descriptors) */
#define E1000_ECOL		0x04018		/* excessive collisions */
#define E1000_LATECOL		0x04020		/* late collisions */
#define E1000_RLEC		0x04040		/* receive length errors */
#define E1000_GPRC		0x04074		/* good packets received */
#define E1000_GPTC		0x04080		/* good packets transmitted */
#define E1000_RNBC		0x040a0		/* receive no buffers */
#define E1000_ROC		0x040ac		/* receive oversize */
#define E1000_STATS_FIRST	0x04000
#define E1000_STATS_LAST	0x040fc

/* Legacy receive descriptor (SDM 3.2.3) */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};

#define E1000_RXD_STAT_DD	(1u << 0)	/* descriptor done */
#define E1000_RXD_STAT_EOP	(1u << 1)	/* end of packet */
/* CE, SE, SEQ, CXE, RXE: the frame is bad (SDM 3.2.3.2); TCPE/IPE are checksum hints. */
#define E1000_RXD_ERR_FRAME	0x97u

/* Legacy transmit descriptor (SDM 3.3.3) */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};

#define E1000_TXD_CMD_EOP	(1u << 0)	/* end of packet */
#define E1000_TXD_CMD_IFCS	(1u << 1)	/* insert FCS */
#define E1000_TXD_CMD_RS	(1u << 3)	/* report status: write DD back */
#define E1000_TXD_STAT_DD	(1u << 0)

_Static_assert(sizeof(struct e1000_rx_desc) == 16, "legacy RX descriptor is 16 bytes");
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "legacy TX descriptor is 16 bytes");

#endif
