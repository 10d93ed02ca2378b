/*
 * rtl8139 driver state. One softc and one interrupt line (INTx: the chip has no MSI) per
 * PCI function from probe to remove; the receive ring and the transmit buffers exist while
 * the netdev is open.
 *
 * Two locks, never held together, as in the e1000 module: tx_lock covers the transmit
 * descriptors and the tx_ counters (xmit, reclaim), rx_lock the receive ring, the rx_
 * counters, the interrupt status register and the link state (interrupt handler, poll).
 * Frames are delivered under rx_lock only, so a receiver may transmit from its callback.
 */
#ifndef RTL8139_VAR_H
#define RTL8139_VAR_H

#include <hv/ddk.h>

#include "rtl8139reg.h"

#define RTL8139_TX_BUFSZ	2048		/* one per descriptor, in one page-aligned area */
#define RTL8139_RX_RING_BYTES	(RTL8139_RX_RING + RTL8139_RX_PAD)
/* No jumbo frames: TSD sizes stop at 1792. The chip sends TSD's size unpadded, so a frame
 * shorter than HV_ETH_ZLEN is padded by the driver. */
#define RTL8139_MTU		HV_ETH_MTU
#define RTL8139_RX_MAX_FRAME	HV_ETH_RX_FRAME_MAX(RTL8139_MTU)
#define RTL8139_RESET_TIMEOUT_US 10000
/*
 * CAPR is written once this many bytes were read since the last write, not after every
 * packet: each register access is an exit under virtualization, and QEMU's model stops
 * receiving only when less than a frame's room is left. A quarter of the ring keeps three
 * quarters free for the chip.
 */
#define RTL8139_CAPR_BATCH	(RTL8139_RX_RING / 4)

struct rtl8139_softc {
	struct hv_netdev nd;
	struct hv_pci_dev *pci;
	struct hv_bar *regs;		/* the memory BAR */
	const char *chip;		/* "RTL-8139C+", ... from TCR's hardware version */
	char slot[16];
	struct hv_spinlock tx_lock;
	struct hv_spinlock rx_lock;

	bool running;			/* open and not stopped; changed under both locks */
	bool polling;			/* poll() took over: IMR stays 0 until the next open */
	bool irq_on;
	int irq_mode;
	uint16_t imr;			/* causes enabled while running */
	uint32_t tcr;			/* TCR as written at open */

	/* Transmit: descriptors tx_head .. tx_head + tx_count - 1 (mod 4) are the chip's. The
	 * chip sends them strictly in turn, so the next free one is always tx_head + tx_count. */
	uint8_t *tx_buf;		/* RTL8139_NTX buffers of RTL8139_TX_BUFSZ */
	uint64_t tx_buf_bus;
	unsigned tx_head, tx_count;
	uint16_t tx_len[RTL8139_NTX];

	/* Receive: rx_off is the offset of the next packet header in the ring. */
	uint8_t *rx_ring;
	uint64_t rx_ring_bus;
	unsigned rx_off;
	unsigned capr_off;		/* the rx_off CAPR was last written for */
	uint8_t *rx_bounce;		/* a frame that wraps around the ring end, made whole */

	struct hv_netdev_stats cnt;
};

static inline uint8_t rtl8139_read8(struct rtl8139_softc *sc, unsigned reg)
{
	return hv_bar_read8(sc->regs, reg);
}

static inline uint16_t rtl8139_read16(struct rtl8139_softc *sc, unsigned reg)
{
	return hv_bar_read16(sc->regs, reg);
}

static inline uint32_t rtl8139_read32(struct rtl8139_softc *sc, unsigned reg)
{
	return hv_bar_read32(sc->regs, reg);
}

static inline void rtl8139_write8(struct rtl8139_softc *sc, unsigned reg, uint8_t v)
{
	hv_bar_write8(sc->regs, reg, v);
}

static inline void rtl8139_write16(struct rtl8139_softc *sc, unsigned reg, uint16_t v)
{
	hv_bar_write16(sc->regs, reg, v);
}

static inline void rtl8139_write32(struct rtl8139_softc *sc, unsigned reg, uint32_t v)
{
	hv_bar_write32(sc->regs, reg, v);
}

/* rtl8139_hw.c: reset, identification, MAC address, link, start and stop, counters */
int rtl8139_hw_reset(struct rtl8139_softc *sc);
int rtl8139_hw_identify(struct rtl8139_softc *sc);
int rtl8139_hw_read_mac(struct rtl8139_softc *sc, uint8_t mac[6]);
void rtl8139_hw_start(struct rtl8139_softc *sc);
void rtl8139_hw_stop(struct rtl8139_softc *sc);
bool rtl8139_hw_link_up(struct rtl8139_softc *sc);
void rtl8139_hw_link_update(struct rtl8139_softc *sc);
void rtl8139_hw_read_counters(struct rtl8139_softc *sc);

/* rtl8139_ring.c: the four transmit descriptors */
int rtl8139_tx_alloc(struct rtl8139_softc *sc);
void rtl8139_tx_free(struct rtl8139_softc *sc);
void rtl8139_tx_start(struct rtl8139_softc *sc);
int rtl8139_tx_enqueue(struct rtl8139_softc *sc, const void *frame, size_t len);
unsigned rtl8139_tx_reclaim(struct rtl8139_softc *sc);

/* rtl8139_ring.c: the receive ring */
int rtl8139_rx_alloc(struct rtl8139_softc *sc);
void rtl8139_rx_free(struct rtl8139_softc *sc);
void rtl8139_rx_start(struct rtl8139_softc *sc);
unsigned rtl8139_rx_process(struct rtl8139_softc *sc, unsigned budget);

#endif
