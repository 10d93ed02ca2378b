/*
 * vmxnet3 driver state. One softc and one interrupt vector per PCI function from probe to
 * remove; the driver-shared area, the rings and their buffers exist while the netdev is
 * open.
 *
 * Three locks. tx_lock covers the transmit ring, its completion ring and the tx_ counters
 * (xmit, get_stats, the interrupt handler's reclaim); rx_lock the receive rings, the
 * receive completion ring, the rx_ counters, the event causes and the interrupt mask
 * (interrupt handler, poll). tx_lock and rx_lock are never held together. cmd_lock covers
 * one write-then-read of the command register and is taken inside either of them, never
 * around anything else. Received frames are delivered under rx_lock only, so a receiver may
 * transmit on the same NIC from its callback.
 */
#ifndef VMXNET3_VAR_H
#define VMXNET3_VAR_H

#include <hv/ddk.h>

#include "vmxnet3reg.h"

/*
 * Ring sizes. QEMU's vmxnet3 never holds a frame back: one that finds no receive buffer is
 * dropped at once (pktsRxOutOfBuf), and a polled NIC is served only when its user polls.
 * Receive ring 0 takes a burst of 2048 one-buffer frames unserved (nic.integrity's 1455
 * frames, sent unpolled in polling mode, lost 431 with 1024 buffers). Ring 1 holds body
 * buffers for the rest of frames larger than one buffer (jumbo MTU). Every filled buffer
 * takes one completion, so the completion ring has room for all of them and never
 * overflows.
 */
#define VMXNET3_NTXD		512
#define VMXNET3_NRXD0		2048
#define VMXNET3_NRXD1		256
#define VMXNET3_NRXCD		(VMXNET3_NRXD0 + VMXNET3_NRXD1)
#define VMXNET3_BUFSZ		2048		/* per descriptor, transmit and receive */
#define VMXNET3_CHUNK_BUFS	64		/* buffers per DMA allocation (128 KiB) */
#define VMXNET3_POOL_CHUNKS	(VMXNET3_NRXD0 / VMXNET3_CHUNK_BUFS)	/* the largest pool */
#define VMXNET3_RX_FRAME_MAX	HV_ETH_RX_FRAME_MAX(VMXNET3_MAX_MTU)
/* Buffers the largest frame takes: the device gets this as maxNumRxSG whatever the MTU,
 * so a larger MTU set while open needs no new activation. */
#define VMXNET3_RX_MAX_SG	((VMXNET3_RX_FRAME_MAX + VMXNET3_BUFSZ - 1) / VMXNET3_BUFSZ)
#define VMXNET3_RX_ASM_SIZE	(VMXNET3_RX_MAX_SG * VMXNET3_BUFSZ)
/*
 * Transmit doorbell batching. hv_netdev_ops.xmit carries one frame and no "more follow"
 * hint, so the driver infers a burst: a frame that arrives within VMXNET3_TX_BURST_US of
 * the previous one is queued without a TXPROD write until VMXNET3_TX_BATCH frames wait (or
 * the device's txThreshold, if larger); the flush timer, the interrupt handler, poll and
 * get_stats push out the rest. An isolated frame rings at once when txThreshold allows.
 * Each TXPROD write costs a trap into the device model and, through the shared vector, an
 * interrupt for the completions it produces.
 */
#define VMXNET3_TX_BATCH	32
#define VMXNET3_TX_BURST_US	20
#define VMXNET3_TX_FLUSH_US	1000
#define VMXNET3_DRV_VERSION	0x01000000u	/* 1.0, reported in driverInfo */

/* The page holding the driver-shared area, then the queue descriptors (128-aligned). */
#define VMXNET3_SHARED_PAGE	4096
#define VMXNET3_TX_RING_BYTES	(VMXNET3_NTXD * sizeof(struct vmxnet3_tx_desc))
#define VMXNET3_TX_COMP_BYTES	(VMXNET3_NTXD * sizeof(struct vmxnet3_tx_comp))
#define VMXNET3_RX_COMP_BYTES	(VMXNET3_NRXCD * sizeof(struct vmxnet3_rx_comp))
#define VMXNET3_QD_OFF		1024

_Static_assert(VMXNET3_NTXD % VMXNET3_RING_SIZE_ALIGN == 0 && VMXNET3_NRXD0 % VMXNET3_RING_SIZE_ALIGN == 0 &&
	       VMXNET3_NRXD1 % VMXNET3_RING_SIZE_ALIGN == 0 && VMXNET3_NRXCD % VMXNET3_RING_SIZE_ALIGN == 0,
	       "ring sizes are multiples of 32");
_Static_assert(VMXNET3_NTXD <= VMXNET3_RING_MAX && VMXNET3_NRXD0 <= VMXNET3_RING_MAX &&
	       VMXNET3_NRXCD <= VMXNET3_RXCOMP_MAX, "ring sizes within the 12-bit index fields");
_Static_assert(VMXNET3_NTXD % VMXNET3_CHUNK_BUFS == 0 && VMXNET3_NRXD0 % VMXNET3_CHUNK_BUFS == 0 &&
	       VMXNET3_NRXD1 % VMXNET3_CHUNK_BUFS == 0 && VMXNET3_NTXD <= VMXNET3_NRXD0 &&
	       VMXNET3_NRXD1 <= VMXNET3_NRXD0, "buffer pools are whole chunks, at most the largest");
_Static_assert(VMXNET3_QD_OFF >= sizeof(struct vmxnet3_shared) && VMXNET3_QD_OFF % VMXNET3_QUEUE_DESC_ALIGN == 0 &&
	       VMXNET3_QD_OFF + 2 * 256 <= VMXNET3_SHARED_PAGE, "shared page layout");

/* The device's error counters (UPT1 stats of the one queue pair). */
struct vmxnet3_hw_errors {
	uint64_t tx_errors, tx_dropped, rx_errors, rx_dropped;
};

/* Fixed-size DMA buffers in chunks, so no allocation is larger than 128 KiB. */
struct vmxnet3_pool {
	uint8_t *chunk[VMXNET3_POOL_CHUNKS];
	uint64_t bus[VMXNET3_POOL_CHUNKS];
	unsigned nbufs;
};

struct vmxnet3_softc {
	struct hv_netdev nd;
	struct hv_pci_dev *pci;
	struct hv_bar *bar0, *bar1;	/* doorbells and masks; everything else */
	char slot[16];
	struct hv_spinlock tx_lock, rx_lock, cmd_lock;

	bool running;			/* open and not stopped; changed under tx_lock and rx_lock */
	bool polling;			/* poll() took over: the vector stays masked until stop */
	bool irq_on;
	int irq_mode;

	/* Driver-shared area and the queue descriptors after it, one DMA page. */
	uint8_t *shpage;
	uint64_t shpage_bus;
	volatile struct vmxnet3_shared *shared;
	volatile struct vmxnet3_tx_queue_desc *tqd;
	volatile struct vmxnet3_rx_queue_desc *rqd;

	/* Transmit: descriptors [tx_head, tx_next) are the device's until completed. */
	struct vmxnet3_tx_desc *tx_ring;
	uint64_t tx_ring_bus;
	struct vmxnet3_tx_comp *tx_comp;
	uint64_t tx_comp_bus;
	struct vmxnet3_pool tx_pool;
	unsigned tx_head, tx_next, tx_free, tx_comp_next;
	uint32_t tx_gen, tx_comp_gen;	/* VMXNET3_TXD_GEN / VMXNET3_TCD_GEN or 0 */
	uint32_t tx_deferred;		/* frames queued since the last doorbell */
	uint16_t tx_len[VMXNET3_NTXD];	/* frame length on the EOP descriptor, else 0 */
	uint64_t tx_last_us;		/* time of the previous xmit */
	struct hv_timer tx_timer;
	bool tx_timer_armed;

	/* Receive: ring 0 head buffers, ring 1 body buffers. Buffers go straight back, so the
	 * next descriptor to refill is also the next the device completes. */
	struct vmxnet3_rx_desc *rx_ring[2];
	uint64_t rx_ring_bus[2];
	struct vmxnet3_rx_comp *rx_comp;
	uint64_t rx_comp_bus;
	struct vmxnet3_pool rx_pool[2];
	unsigned rx_fill[2], rx_comp_next;
	uint32_t rx_gen[2], rx_comp_gen;	/* VMXNET3_RXD_GEN / VMXNET3_RCD_GEN or 0 */
	uint8_t *rx_asm;		/* reassembly of frames spanning buffers */
	size_t rx_asm_len;
	bool rx_asm_active, rx_asm_bad;
	unsigned bad_device_logs;	/* malformed-completion lines logged (bounded) */

	struct hv_netdev_stats cnt;
	/* Device error counters of earlier activations (each activation starts at zero). */
	struct vmxnet3_hw_errors hw_base;
};

static inline uint32_t vmxnet3_read1(struct vmxnet3_softc *sc, unsigned reg)
{
	return hv_bar_read32(sc->bar1, reg);
}

static inline void vmxnet3_write1(struct vmxnet3_softc *sc, unsigned reg, uint32_t v)
{
	hv_bar_write32(sc->bar1, reg, v);
}

static inline void vmxnet3_write0(struct vmxnet3_softc *sc, unsigned reg, uint32_t v)
{
	hv_bar_write32(sc->bar0, reg, v);
}

/* vmxnet3_hw.c: commands, identification, MAC, link, events, activation, counters */
uint32_t vmxnet3_cmd_get(struct vmxnet3_softc *sc, uint32_t cmd);
/* Bytes of receive ring r (vmxnet3_ring.c). */
size_t vmxnet3_rx_ring_bytes(unsigned r);
void vmxnet3_cmd(struct vmxnet3_softc *sc, uint32_t cmd);
int vmxnet3_hw_identify(struct vmxnet3_softc *sc);
int vmxnet3_hw_read_mac(struct vmxnet3_softc *sc, uint8_t mac[6]);
bool vmxnet3_hw_link_up(struct vmxnet3_softc *sc);
void vmxnet3_hw_link_update(struct vmxnet3_softc *sc);
void vmxnet3_hw_events(struct vmxnet3_softc *sc);
void vmxnet3_hw_init_shared(struct vmxnet3_softc *sc);
int vmxnet3_hw_activate(struct vmxnet3_softc *sc);
void vmxnet3_hw_mask(struct vmxnet3_softc *sc, bool masked);
void vmxnet3_hw_stop(struct vmxnet3_softc *sc);
void vmxnet3_hw_read_errors(struct vmxnet3_softc *sc, struct vmxnet3_hw_errors *e);
void vmxnet3_bad_device(struct vmxnet3_softc *sc, const char *what, unsigned a, unsigned b);

/* vmxnet3_ring.c: DMA memory, descriptor rings, transmit, receive */
int vmxnet3_ring_alloc(struct vmxnet3_softc *sc);
void vmxnet3_ring_free(struct vmxnet3_softc *sc);
void vmxnet3_ring_start(struct vmxnet3_softc *sc);
int vmxnet3_tx_enqueue(struct vmxnet3_softc *sc, const void *frame, size_t len);
void vmxnet3_tx_flush(struct vmxnet3_softc *sc);
unsigned vmxnet3_tx_reclaim(struct vmxnet3_softc *sc, unsigned budget);
unsigned vmxnet3_rx_process(struct vmxnet3_softc *sc, unsigned budget);

#endif
