/*
 * e1000 driver state. One softc and one interrupt vector per PCI function from probe to
 * remove; the rings and their buffers exist while the netdev is open.
 *
 * Two locks, never held together: tx_lock covers the transmit ring and the tx_ counters
 * (xmit, the flush timer), rx_lock the receive ring, the rx_ counters and the interrupt
 * causes (interrupt handler, poll). Received frames are delivered under rx_lock only, so a
 * receiver may transmit on the same NIC from its callback.
 */
#ifndef E1000_VAR_H
#define E1000_VAR_H

#include <hv/ddk.h>

#include "e1000reg.h"

#define E1000_NTXD		256		/* descriptors per ring: multiple of 8 (SDM 3.3.2) */
/*
 * Receive ring: QEMU's e1000 and e1000e raise at most one interrupt per 128 us whatever
 * ITR says (a floor of 500 x 256 ns, QEMU's reading of the SDM's "7813 interrupts/s at
 * most"), the timer behind it runs on QEMU's main loop, which a busy vCPU delays further,
 * and the e1000 drops (MPC) what finds the ring full. A sender in the same QEMU reaches
 * ~2 Mpps. Measured with nic.rate on pc, 20000 frames: 256 descriptors lose thousands, 2048
 * lost frames in 1 run of 6, 4096 in none of 6. The buffers come in chunks so no
 * allocation is larger than 256 KiB.
 */
#define E1000_NRXD		4096
#define E1000_RX_CHUNK_BUFS	128		/* 2 KiB buffers per DMA allocation */
#define E1000_RX_NCHUNKS	(E1000_NRXD / E1000_RX_CHUNK_BUFS)
#define E1000_INTR_ROUNDS	4		/* receive passes per interrupt */
#define E1000_BUFSZ		2048		/* per descriptor; RCTL.BSIZE_2048 */
#define E1000_RX_ASM_SIZE	16384		/* largest frame QEMU or a jumbo MTU can give */
#define E1000_RESET_TIMEOUT_US	10000
#define E1000_EERD_TIMEOUT_US	10000
#define E1000_MSIX_QUIESCE_US	10000		/* see e1000_irq_release */

/*
 * Transmit doorbell batching. hv_netdev_ops.xmit carries one frame and no "more follow"
 * hint, so the driver infers a burst: a frame that arrives within E1000_TX_BURST_US of the
 * previous one is queued without a TDT write until E1000_TX_BATCH frames wait; the flush
 * timer, the interrupt handler, poll and get_stats push out the rest. An isolated frame
 * (request/response traffic) rings the doorbell at once.
 */
#define E1000_TX_BATCH		32
#define E1000_TX_BURST_US	20
#define E1000_TX_FLUSH_US	1000
#define E1000_TX_RECLAIM_LOW	64		/* reclaim when fewer descriptors are free */

/* Chip families; the ID table's driver_data indexes e1000_chips[]. */
enum e1000_chip_id {
	E1000_CHIP_82540,
	E1000_CHIP_82544,
	E1000_CHIP_82545,
	E1000_CHIP_82574,
};

#define E1000_F_EERD		0x1		/* has the EERD register */
#define E1000_F_82574		0x2		/* 82574 EERD layout, IVAR/MSI-X, TXDCTL */

struct e1000_chip {
	uint16_t device;
	const char *name;
	unsigned flags;
	unsigned max_mtu;
};

struct e1000_softc {
	struct hv_netdev nd;
	struct hv_pci_dev *pci;
	struct hv_bar *regs;		/* BAR0 */
#ifdef HV_DEFECT_BAR_OVERRUN
	uint32_t defect_status_mirror;
#endif
	const struct e1000_chip *chip;
	char slot[16];
	struct hv_spinlock tx_lock;
	struct hv_spinlock rx_lock;

	bool running;			/* open and not stopped; changed under both locks */
	bool polling;			/* poll() took over: device interrupts stay masked */
	bool irq_on;
	bool msix_used;		/* opened with MSI-X: QEMU may have a throttle timer */
	int irq_mode;
	uint32_t ims;			/* causes enabled while running */
	uint32_t rctl;			/* last RCTL written */

	/* Transmit: slots [tx_head, tx_tail) are in use, [tx_doorbell, tx_tail) not yet
	 * handed to the device. */
	struct e1000_tx_desc *tx_ring;
	uint64_t tx_ring_bus;
	uint8_t *tx_buf;
	uint64_t tx_buf_bus;
	unsigned tx_head, tx_tail, tx_doorbell, tx_free;
	uint16_t tx_len[E1000_NTXD];	/* frame length on the EOP slot, else 0 */
	uint64_t tx_last_us;		/* time of the previous xmit */
	struct hv_timer tx_timer;
	bool tx_timer_armed;

	/* Receive: rx_next is the next descriptor the device completes. */
	struct e1000_rx_desc *rx_ring;
	uint64_t rx_ring_bus;
	uint8_t *rx_buf[E1000_RX_NCHUNKS];
	uint64_t rx_buf_bus[E1000_RX_NCHUNKS];
	unsigned rx_next;
	uint8_t *rx_asm;		/* reassembly of frames spanning descriptors */
	size_t rx_asm_len;
	bool rx_asm_bad;

	struct hv_netdev_stats cnt;
	uint64_t hw_tx_errors;		/* device counters, folded in under rx_lock */
};

/* The kernel exports memcpy, but no DDK header declares it. */
#define e1000_memcpy(d, s, n)	__builtin_memcpy((d), (s), (n))

static inline uint32_t e1000_read(struct e1000_softc *sc, unsigned reg)
{
	return hv_bar_read32(sc->regs, reg);
}

static inline void e1000_write(struct e1000_softc *sc, unsigned reg, uint32_t v)
{
	hv_bar_write32(sc->regs, reg, v);
}

/* e1000_hw.c: reset, identification, MAC address, link, filters, counters */
int e1000_hw_reset(struct e1000_softc *sc);
int e1000_hw_read_mac(struct e1000_softc *sc, uint8_t mac[6]);
void e1000_hw_report_nvm_version(struct e1000_softc *sc);
void e1000_hw_init(struct e1000_softc *sc);
void e1000_hw_link_update(struct e1000_softc *sc);
uint32_t e1000_hw_rctl(struct e1000_softc *sc);
void e1000_hw_read_counters(struct e1000_softc *sc);
void e1000_hw_stop(struct e1000_softc *sc);

/* e1000_ring.c: descriptor rings, transmit, receive */
int e1000_ring_alloc(struct e1000_softc *sc);
void e1000_ring_free(struct e1000_softc *sc);
void e1000_ring_start(struct e1000_softc *sc);
int e1000_tx_enqueue(struct e1000_softc *sc, const void *frame, size_t len);
void e1000_tx_flush(struct e1000_softc *sc);
unsigned e1000_tx_reclaim(struct e1000_softc *sc, unsigned budget);
unsigned e1000_rx_process(struct e1000_softc *sc, unsigned budget);

#endif
