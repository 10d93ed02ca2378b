/*
 * VMware VMXNET3 paravirtual NIC (PCI 15ad:07b0), device revision 1 / UPT 1: registers,
 * commands and the structures the driver shares with the device in DMA memory. Layouts as
 * VMware publishes them (vmxnet3_defs.h, "Vmxnet3_DriverShared" and friends) and QEMU
 * emulates them (hw/net/vmxnet3.c); every structure is little-endian. Bit fields are
 * spelled as masks on 32-bit words, so the layout does not depend on the compiler.
 */
#ifndef VMXNET3REG_H
#define VMXNET3REG_H

#include <stdint.h>

#define VMXNET3_VENDOR		0x15ad
#define VMXNET3_DEVICE		0x07b0

/* BAR0, "pass-through" registers (4 KiB): per-vector masks and per-queue doorbells. */
#define VMXNET3_BAR0_SIZE	4096
#define VMXNET3_IMR(v)		(0x000 + 8 * (v))	/* interrupt mask: 1 masked, 0 unmasked */
#define VMXNET3_TXPROD(q)	(0x600 + 8 * (q))	/* transmit producer index */
#define VMXNET3_RXPROD(q)	(0x800 + 8 * (q))	/* receive producer, ring 0 */
#define VMXNET3_RXPROD2(q)	(0xa00 + 8 * (q))	/* receive producer, ring 1 */

/* BAR1, "virtual device" registers (4 KiB). */
#define VMXNET3_BAR1_SIZE	4096
#define VMXNET3_VRRS		0x00	/* read: revisions offered (bit n = rev n+1); write: select */
#define VMXNET3_UVRS		0x08	/* the same for the UPT version */
#define VMXNET3_DSAL		0x10	/* driver-shared area, bus address low 32 bits */
#define VMXNET3_DSAH		0x18	/* ... high 32 bits (written second) */
#define VMXNET3_CMD		0x20	/* write a command; read its result */
#define VMXNET3_MACL		0x28	/* current MAC address bytes 0..3 */
#define VMXNET3_MACH		0x30	/* ... bytes 4..5 */
#define VMXNET3_ICR		0x38	/* INTx cause: non-zero when we raised the line; read clears */
#define VMXNET3_ECR		0x40	/* event cause: write 1s to acknowledge bits of shared->ecr */

#define VMXNET3_REV1		0x1	/* device revision 1 (VRRS bit 0) */
#define VMXNET3_UPT1		0x1	/* UPT version 1 (UVRS bit 0) */

/* Commands written to VMXNET3_CMD. "Set" commands make the device act, "get" commands
 * leave an answer to read back from the same register. */
#define VMXNET3_CMD_ACTIVATE_DEV	0xcafe0000u	/* result 0 when active */
#define VMXNET3_CMD_QUIESCE_DEV		0xcafe0001u	/* stop all DMA and interrupts */
#define VMXNET3_CMD_RESET_DEV		0xcafe0002u	/* forget the shared area */
#define VMXNET3_CMD_UPDATE_RX_MODE	0xcafe0003u
#define VMXNET3_CMD_GET_QUEUE_STATUS	0xf00d0000u	/* fills the queues' status fields */
#define VMXNET3_CMD_GET_STATS		0xf00d0001u	/* fills the queues' stats fields */
#define VMXNET3_CMD_GET_LINK		0xf00d0002u	/* bit 0 up, bits 31:16 speed in Mb/s */
#define VMXNET3_CMD_GET_PERM_MAC_LO	0xf00d0003u	/* permanent MAC bytes 0..3 */
#define VMXNET3_CMD_GET_PERM_MAC_HI	0xf00d0004u	/* ... bytes 4..5 */

#define VMXNET3_LINK_UP		0x1
#define VMXNET3_LINK_SPEED(v)	((v) >> 16)

/* Event causes in shared->ecr (and acknowledged through VMXNET3_ECR). */
#define VMXNET3_ECR_RQERR	0x01	/* a receive queue stopped on an error */
#define VMXNET3_ECR_TQERR	0x02	/* a transmit queue stopped on an error */
#define VMXNET3_ECR_LINK	0x04	/* link state changed: ask GET_LINK */
#define VMXNET3_ECR_DIC		0x08	/* device implementation change */
#define VMXNET3_ECR_DEBUG	0x10

/*
 * Transmit descriptor (16 bytes). The device takes descriptors while their generation bit
 * equals its own, which flips each time it wraps: the driver hands a descriptor over by
 * writing the current generation last.
 */
struct vmxnet3_tx_desc {
	uint64_t addr;
	uint32_t dw2;		/* len 13:0 (0 = 16384), gen 14, dtype 16, ext1 17, msscof 31:18 */
	uint32_t dw3;		/* hlen 9:0, om 11:10, eop 12, cq 13, ti 15, tci 31:16 */
};
#define VMXNET3_TXD_LEN_MASK	0x3fffu
#define VMXNET3_TXD_GEN		(1u << 14)
#define VMXNET3_TXD_EOP		(1u << 12)	/* in dw3: last descriptor of the frame */
#define VMXNET3_TXD_CQ		(1u << 13)	/* in dw3: ask for a completion */
#define VMXNET3_MAX_TX_BUF	16384

/* Transmit completion (16 bytes): the index of a frame's EOP descriptor. */
struct vmxnet3_tx_comp {
	uint32_t dw0;		/* txdIdx 11:0 */
	uint32_t ext2, ext3;
	uint32_t dw3;		/* type 30:24, gen 31 */
};
#define VMXNET3_TCD_IDX_MASK	0xfffu
#define VMXNET3_TCD_GEN		(1u << 31)

/* Receive descriptor (16 bytes): a buffer the driver offers, again owned by generation. */
struct vmxnet3_rx_desc {
	uint64_t addr;
	uint32_t dw2;		/* len 13:0, btype 14, dtype 15, gen 31 */
	uint32_t ext1;
};
#define VMXNET3_RXD_LEN_MASK	0x3fffu
#define VMXNET3_RXD_BTYPE_HEAD	(0u << 14)	/* may start a frame (ring 0) */
#define VMXNET3_RXD_BTYPE_BODY	(1u << 14)	/* only continues a frame (ring 1) */
#define VMXNET3_RXD_GEN		(1u << 31)
#define VMXNET3_MAX_RX_BUF	16383

/* Receive completion (16 bytes): one per buffer the device filled. */
struct vmxnet3_rx_comp {
	uint32_t dw0;		/* rxdIdx 11:0, eop 14, sop 15, rqID 25:16, rssType 29:26, cnc 30 */
	uint32_t rss_hash;
	uint32_t dw2;		/* len 13:0, err 14, ts 15, tci 31:16 */
	uint32_t dw3;		/* csum 15:0, tuc 16, udp 17, tcp 18, ipc 19, v6 20, v4 21,
				 * frg 22, fcs 23, type 30:24, gen 31 */
};
#define VMXNET3_RCD_IDX_MASK	0xfffu
#define VMXNET3_RCD_EOP		(1u << 14)
#define VMXNET3_RCD_SOP		(1u << 15)
#define VMXNET3_RCD_RQID(dw0)	(((dw0) >> 16) & 0x3ffu)	/* queue + ring * nqueues */
#define VMXNET3_RCD_LEN_MASK	0x3fffu
#define VMXNET3_RCD_ERR		(1u << 14)
#define VMXNET3_RCD_GEN		(1u << 31)

/* Ring geometry: base addresses 512-byte aligned, sizes multiples of 32, index fields of
 * 12 bits, so at most 4096 descriptors per ring (8192 for the receive completion ring). */
#define VMXNET3_RING_ALIGN	512
#define VMXNET3_RING_SIZE_ALIGN	32
#define VMXNET3_RING_MAX	4096
#define VMXNET3_RXCOMP_MAX	8192

#define VMXNET3_MAX_INTRS	25
#define VMXNET3_MIN_MTU		60
#define VMXNET3_MAX_MTU		9000

/* Guest OS description in driverInfo.gos: bits 1:0 word size, 5:2 OS type. A type other
 * than Windows (2) lets the device spread one frame over several buffers. */
#define VMXNET3_GOS_BITS_64	2u
#define VMXNET3_GOS_TYPE_UNK	(0u << 2)

#define VMXNET3_REV1_MAGIC	0xbabefee1u

/* rxFilterConf.rxMode */
#define VMXNET3_RXM_UCAST	0x01
#define VMXNET3_RXM_MCAST	0x02
#define VMXNET3_RXM_BCAST	0x04
#define VMXNET3_RXM_ALL_MULTI	0x08
#define VMXNET3_RXM_PROMISC	0x10

#define VMXNET3_IC_DISABLE_ALL	0x1	/* intrConf.intrCtrl */
#define VMXNET3_IML_NONE	0	/* no interrupt moderation */

struct vmxnet3_misc_conf {
	uint32_t drv_version;
	uint32_t gos;		/* VMXNET3_GOS_* */
	uint32_t rev_spt;	/* device revisions the driver supports (bit mask) */
	uint32_t upt_spt;	/* UPT versions the driver supports */
	uint64_t upt_features;
	uint64_t dd_pa;		/* driver data, for the device to keep; unused */
	uint64_t queue_desc_pa;	/* transmit queue descriptors, then receive ones (128-aligned) */
	uint32_t dd_len;
	uint32_t queue_desc_len;
	uint32_t mtu;
	uint16_t max_rx_sg;	/* most buffers one received frame may take */
	uint8_t num_tx_queues;
	uint8_t num_rx_queues;
	uint32_t reserved[4];
};

struct vmxnet3_intr_conf {
	uint8_t auto_mask;	/* the device masks a vector when it fires it (MSI/MSI-X) */
	uint8_t num_intrs;
	uint8_t event_intr_idx;
	uint8_t mod_levels[VMXNET3_MAX_INTRS];
	uint32_t intr_ctrl;	/* VMXNET3_IC_* */
	uint32_t reserved[2];
};

struct vmxnet3_rx_filter_conf {
	uint32_t rx_mode;	/* VMXNET3_RXM_* */
	uint16_t mf_table_len;
	uint16_t pad;
	uint64_t mf_table_pa;
	uint32_t vf_table[4096 / 32];	/* VLAN filter, one bit per VLAN ID */
};

struct vmxnet3_var_conf {
	uint32_t conf_ver;
	uint32_t conf_len;
	uint64_t conf_pa;
};

/* The driver-shared area: the device reads devread at ACTIVATE_DEV and writes ecr. */
struct vmxnet3_shared {
	uint32_t magic;		/* VMXNET3_REV1_MAGIC */
	uint32_t pad;
	struct vmxnet3_misc_conf misc;
	struct vmxnet3_intr_conf intr;
	struct vmxnet3_rx_filter_conf rx_filter;
	struct vmxnet3_var_conf rss, pm, plugin;
	uint32_t ecr;		/* event causes, VMXNET3_ECR_* */
	uint32_t reserved[5];
};

struct vmxnet3_queue_status {
	uint8_t stopped;
	uint8_t pad[3];
	uint32_t error;
};

/* UPT1 per-queue counters, written by GET_STATS. */
struct vmxnet3_tx_stats {
	uint64_t tso_pkts, tso_bytes, ucast_pkts, ucast_bytes, mcast_pkts, mcast_bytes;
	uint64_t bcast_pkts, bcast_bytes, errors, discards;
};

struct vmxnet3_rx_stats {
	uint64_t lro_pkts, lro_bytes, ucast_pkts, ucast_bytes, mcast_pkts, mcast_bytes;
	uint64_t bcast_pkts, bcast_bytes, out_of_buf, errors;
};

struct vmxnet3_tx_queue_desc {
	/* ctrl: txNumDeferred counts frames queued since the last doorbell; the device sets
	 * txThreshold, the count at which it wants the doorbell rung. */
	uint32_t tx_num_deferred;
	uint32_t tx_threshold;
	uint64_t ctrl_reserved;
	/* conf */
	uint64_t tx_ring_pa, data_ring_pa, comp_ring_pa, dd_pa, conf_reserved;
	uint32_t tx_ring_size, data_ring_size, comp_ring_size, dd_len;
	uint8_t intr_idx;
	uint8_t conf_pad[7];
	struct vmxnet3_queue_status status;
	struct vmxnet3_tx_stats stats;
	uint8_t pad[88];
};

struct vmxnet3_rx_queue_desc {
	/* ctrl: when the device sets update_rx_prod it wants RXPROD written after refills. */
	uint8_t update_rx_prod;
	uint8_t ctrl_pad[7];
	uint64_t ctrl_reserved;
	/* conf */
	uint64_t rx_ring_pa[2], comp_ring_pa, dd_pa, conf_reserved;
	uint32_t rx_ring_size[2], comp_ring_size, dd_len;
	uint8_t intr_idx;
	uint8_t conf_pad[7];
	struct vmxnet3_queue_status status;
	struct vmxnet3_rx_stats stats;
	uint8_t pad[88];
};

#define VMXNET3_QUEUE_DESC_ALIGN	128

_Static_assert(sizeof(struct vmxnet3_tx_desc) == 16 && sizeof(struct vmxnet3_tx_comp) == 16 &&
	       sizeof(struct vmxnet3_rx_desc) == 16 && sizeof(struct vmxnet3_rx_comp) == 16,
	       "descriptors are 16 bytes");
_Static_assert(sizeof(struct vmxnet3_misc_conf) == 72 && sizeof(struct vmxnet3_intr_conf) == 40 &&
	       sizeof(struct vmxnet3_rx_filter_conf) == 528, "devRead parts");
_Static_assert(__builtin_offsetof(struct vmxnet3_shared, misc) == 8 &&
	       __builtin_offsetof(struct vmxnet3_shared, ecr) == 696 &&
	       sizeof(struct vmxnet3_shared) == 720, "Vmxnet3_DriverShared layout");
_Static_assert(sizeof(struct vmxnet3_tx_queue_desc) == 256 && sizeof(struct vmxnet3_rx_queue_desc) == 256 &&
	       __builtin_offsetof(struct vmxnet3_tx_queue_desc, intr_idx) == 72 &&
	       __builtin_offsetof(struct vmxnet3_rx_queue_desc, intr_idx) == 72 &&
	       __builtin_offsetof(struct vmxnet3_tx_queue_desc, stats) == 88, "queue descriptor layout");

#endif
