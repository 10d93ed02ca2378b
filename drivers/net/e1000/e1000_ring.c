/*
 * e1000 descriptor rings with legacy descriptors (SDM 3.2, 3.3). Each descriptor owns a
 * fixed 2 KiB buffer: transmit copies the frame in, receive hands the buffer to the netdev
 * layer (which copies what it keeps) and gives the descriptor straight back. A frame larger
 * than one buffer (jumbo MTU) spans consecutive descriptors, EOP on the last.
 *
 * The hot paths read no device register: transmit completion is the DD bit the device
 * writes back (RS on every descriptor), receive completion is DD in the receive descriptor,
 * and each batch ends with one tail (doorbell) write.
 */
#include "e1000var.h"

#define E1000_TX_RING_BYTES	(E1000_NTXD * sizeof(struct e1000_tx_desc))
#define E1000_RX_RING_BYTES	(E1000_NRXD * sizeof(struct e1000_rx_desc))
#define E1000_TX_BUF_BYTES	((size_t)E1000_NTXD * E1000_BUFSZ)
#define E1000_RX_CHUNK_BYTES	((size_t)E1000_RX_CHUNK_BUFS * E1000_BUFSZ)

_Static_assert(E1000_TX_RING_BYTES % 128 == 0 && E1000_RX_RING_BYTES % 128 == 0,
	       "TDLEN/RDLEN must be multiples of 128 bytes (SDM 13.4.30, 13.4.39)");
_Static_assert(E1000_NRXD % E1000_RX_CHUNK_BUFS == 0, "whole receive buffer chunks");
_Static_assert((E1000_NTXD & (E1000_NTXD - 1)) == 0 && (E1000_NRXD & (E1000_NRXD - 1)) == 0,
	       "ring sizes are powers of two: indices wrap with a mask");

#define E1000_TX_NEXT(i)	(((i) + 1) & (E1000_NTXD - 1))
#define E1000_RX_NEXT(i)	(((i) + 1) & (E1000_NRXD - 1))

/* The upper quadword of a transmit descriptor is written with one store. */
typedef uint64_t __attribute__((may_alias)) e1000_qword_t;

static void e1000_tx_timeout(void *arg);

static void e1000_rx_buf_free(struct e1000_softc *sc)
{
	for (unsigned c = 0; c < E1000_RX_NCHUNKS; c++) {
		if (sc->rx_buf[c])
			hv_dma_free_coherent(sc->pci, sc->rx_buf[c], E1000_RX_CHUNK_BYTES);
		sc->rx_buf[c] = NULL;
	}
}

int e1000_ring_alloc(struct e1000_softc *sc)
{
	sc->tx_ring = hv_dma_alloc_coherent(sc->pci, E1000_TX_RING_BYTES, &sc->tx_ring_bus);
	if (!sc->tx_ring)
		goto fail;
	sc->rx_ring = hv_dma_alloc_coherent(sc->pci, E1000_RX_RING_BYTES, &sc->rx_ring_bus);
	if (!sc->rx_ring)
		goto free_tx_ring;
	sc->tx_buf = hv_dma_alloc_coherent(sc->pci, E1000_TX_BUF_BYTES, &sc->tx_buf_bus);
	if (!sc->tx_buf)
		goto free_rx_ring;
	for (unsigned c = 0; c < E1000_RX_NCHUNKS; c++) {
		sc->rx_buf[c] = hv_dma_alloc_coherent(sc->pci, E1000_RX_CHUNK_BYTES, &sc->rx_buf_bus[c]);
		if (!sc->rx_buf[c])
			goto free_rx_buf;
	}
	sc->rx_asm = hv_malloc(E1000_RX_ASM_SIZE);
	if (!sc->rx_asm)
		goto free_rx_buf;
	return 0;

free_rx_buf:
	e1000_rx_buf_free(sc);
	hv_dma_free_coherent(sc->pci, sc->tx_buf, E1000_TX_BUF_BYTES);
	sc->tx_buf = NULL;
free_rx_ring:
	hv_dma_free_coherent(sc->pci, sc->rx_ring, E1000_RX_RING_BYTES);
	sc->rx_ring = NULL;
free_tx_ring:
	hv_dma_free_coherent(sc->pci, sc->tx_ring, E1000_TX_RING_BYTES);
	sc->tx_ring = NULL;
fail:
	hv_log("e1000: %s: out of memory for the descriptor rings", sc->slot);
	return -HV_ENOMEM;
}

/* Only after the device stopped its DMA (e1000_hw_stop and a reset). */
void e1000_ring_free(struct e1000_softc *sc)
{
	hv_free(sc->rx_asm);
	sc->rx_asm = NULL;
	e1000_rx_buf_free(sc);
	if (sc->tx_buf)
		hv_dma_free_coherent(sc->pci, sc->tx_buf, E1000_TX_BUF_BYTES);
	if (sc->rx_ring)
		hv_dma_free_coherent(sc->pci, sc->rx_ring, E1000_RX_RING_BYTES);
	if (sc->tx_ring)
		hv_dma_free_coherent(sc->pci, sc->tx_ring, E1000_TX_RING_BYTES);
	sc->tx_buf = NULL;
	sc->rx_ring = NULL;
	sc->tx_ring = NULL;
}

/* Receive buffer i: chunk i / E1000_RX_CHUNK_BUFS, slot i % E1000_RX_CHUNK_BUFS. */
static inline uint8_t *e1000_rx_buf(struct e1000_softc *sc, unsigned i)
{
	return sc->rx_buf[i / E1000_RX_CHUNK_BUFS] + (size_t)(i % E1000_RX_CHUNK_BUFS) * E1000_BUFSZ;
}

static inline uint64_t e1000_rx_bus(struct e1000_softc *sc, unsigned i)
{
	return sc->rx_buf_bus[i / E1000_RX_CHUNK_BUFS] + (uint64_t)(i % E1000_RX_CHUNK_BUFS) * E1000_BUFSZ;
}

/*
 * Program both rings and enable transmit and receive (SDM 14.5 receive, 14.6 transmit
 * initialization). Every receive descriptor but one goes to the device: RDH == RDT means
 * "no free buffer", so one slot always stays with the driver.
 */
void e1000_ring_start(struct e1000_softc *sc)
{
	for (unsigned i = 0; i < E1000_NTXD; i++) {
		sc->tx_ring[i] = (struct e1000_tx_desc){ .addr = hv_dma_addr(sc->pci, sc->tx_buf_bus +
									     (uint64_t)i * E1000_BUFSZ, E1000_BUFSZ),
							 .status = E1000_TXD_STAT_DD };
		sc->tx_len[i] = 0;
	}
	for (unsigned i = 0; i < E1000_NRXD; i++)
		sc->rx_ring[i] = (struct e1000_rx_desc){ .addr = hv_dma_addr(sc->pci, e1000_rx_bus(sc, i),
									     E1000_BUFSZ) };
	sc->tx_head = sc->tx_tail = sc->tx_doorbell = 0;
	sc->tx_free = E1000_NTXD - 1;
	sc->tx_last_us = 0;
	sc->rx_next = 0;
	sc->rx_asm_len = 0;
	sc->rx_asm_bad = false;
	hv_wmb();

	uint64_t tx_ring = hv_dma_addr(sc->pci, sc->tx_ring_bus, E1000_TX_RING_BYTES);
	e1000_write(sc, E1000_TDBAL, (uint32_t)tx_ring);
	e1000_write(sc, E1000_TDBAH, (uint32_t)(tx_ring >> 32));
	e1000_write(sc, E1000_TDLEN, E1000_TX_RING_BYTES);
	e1000_write(sc, E1000_TDH, 0);
	e1000_write(sc, E1000_TDT, 0);
	if (sc->chip->flags & E1000_F_82574)
		e1000_write(sc, E1000_TXDCTL, e1000_read(sc, E1000_TXDCTL) | E1000_TXDCTL_82574_ONE);
	e1000_write(sc, E1000_TIPG, E1000_TIPG_DEFAULT);
	e1000_write(sc, E1000_TCTL, E1000_TCTL_DEFAULT);

	uint64_t rx_ring = hv_dma_addr(sc->pci, sc->rx_ring_bus, E1000_RX_RING_BYTES);
	e1000_write(sc, E1000_RDBAL, (uint32_t)rx_ring);
	e1000_write(sc, E1000_RDBAH, (uint32_t)(rx_ring >> 32));
	e1000_write(sc, E1000_RDLEN, E1000_RX_RING_BYTES);
	e1000_write(sc, E1000_RDH, 0);
	e1000_write(sc, E1000_RDT, E1000_NRXD - 1);
	sc->rctl = e1000_hw_rctl(sc);
	e1000_write(sc, E1000_RCTL, sc->rctl);
}

/* Hand every queued descriptor to the device with one TDT write (SDM 3.3.1). tx_lock held. */
void e1000_tx_flush(struct e1000_softc *sc)
{
	if (sc->tx_doorbell == sc->tx_tail)
		return;
#ifdef HV_DEFECT_TX_STALL	/* certify self-test defect: the doorbell stops after 300 tail wraps */
	static uint64_t e1000_defect_tx_wraps;
	if (sc->tx_tail < sc->tx_doorbell)
		e1000_defect_tx_wraps++;
	if (e1000_defect_tx_wraps >= 300)
		return;
#endif
	hv_wmb();	/* descriptors and buffers before the doorbell */
	e1000_write(sc, E1000_TDT, sc->tx_tail);
	sc->tx_doorbell = sc->tx_tail;
}

/* Free up to budget transmitted descriptors, oldest first, by their DD bits. tx_lock held. */
unsigned e1000_tx_reclaim(struct e1000_softc *sc, unsigned budget)
{
	unsigned i = sc->tx_head, n = 0;

	while (i != sc->tx_doorbell && n < budget) {
		if (!(((volatile struct e1000_tx_desc *)sc->tx_ring)[i].status & E1000_TXD_STAT_DD))
			break;
		if (sc->tx_len[i]) {
			sc->cnt.tx_packets++;
			sc->cnt.tx_bytes += sc->tx_len[i];
			n++;
		}
		i = E1000_TX_NEXT(i);
		sc->tx_free++;
	}
	sc->tx_head = i;
	return n;
}

/* The upper quadword of a legacy transmit descriptor (SDM 3.3.3), written in one store. */
static inline uint64_t e1000_tx_upper(size_t len, bool eop)
{
	uint64_t cmd = E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS | (eop ? E1000_TXD_CMD_EOP : 0);

	return (uint64_t)len | cmd << 24;	/* length, cso 0, cmd, status 0, css 0 */
}

/* Hold the doorbell back? Only inside a burst, and only until E1000_TX_BATCH frames wait. */
static bool e1000_tx_defer(struct e1000_softc *sc, uint64_t now)
{
	bool burst = now - sc->tx_last_us < E1000_TX_BURST_US;

	sc->tx_last_us = now;
	if (!burst)
		return false;
	return ((sc->tx_tail - sc->tx_doorbell) & (E1000_NTXD - 1)) < E1000_TX_BATCH;
}

/* Queue one frame; 0 or -HV_EAGAIN when the ring is full. tx_lock held. */
int e1000_tx_enqueue(struct e1000_softc *sc, const void *frame, size_t len)
{
	unsigned need = (unsigned)((len + E1000_BUFSZ - 1) / E1000_BUFSZ), t;
	const uint8_t *p = frame;

#ifdef HV_DEFECT_TX_LIE	/* certify self-test defect: every 3000th frame counted sent, never sent */
	static unsigned e1000_defect_tx;
	if (++e1000_defect_tx % 3000 == 0) {
		sc->cnt.tx_packets++;
		sc->cnt.tx_bytes += len;
		return 0;
	}
#endif

	if (sc->tx_free < E1000_TX_RECLAIM_LOW || sc->tx_free < need) {
		e1000_tx_flush(sc);
		e1000_tx_reclaim(sc, E1000_NTXD);
		if (sc->tx_free < need)
			return -HV_EAGAIN;	/* the caller retries or drops */
	}
	t = sc->tx_tail;
	for (size_t off = 0; off < len; off += E1000_BUFSZ) {
		size_t c = len - off < E1000_BUFSZ ? len - off : E1000_BUFSZ;
		bool eop = off + c == len;

		e1000_memcpy(sc->tx_buf + (size_t)t * E1000_BUFSZ, p + off, c);
		*(volatile e1000_qword_t *)&sc->tx_ring[t].length = e1000_tx_upper(c, eop);
		sc->tx_len[t] = eop ? (uint16_t)len : 0;
		t = E1000_TX_NEXT(t);
	}
	sc->tx_tail = t;
	sc->tx_free -= need;
	if (!e1000_tx_defer(sc, hv_time_us())) {
		e1000_tx_flush(sc);
	} else if (!sc->tx_timer_armed) {
		sc->tx_timer_armed = true;
		hv_timer_start(&sc->tx_timer, E1000_TX_FLUSH_US, e1000_tx_timeout, sc);
	}
	return 0;
}

/* The end of a burst: push out what e1000_tx_enqueue held back. Interrupt context. */
static void e1000_tx_timeout(void *arg)
{
	struct e1000_softc *sc = arg;
	unsigned long fl = hv_spin_lock_irqsave(&sc->tx_lock);

	sc->tx_timer_armed = false;
	if (sc->running)
		e1000_tx_flush(sc);
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
}

/* Append a fragment of a multi-descriptor frame to the reassembly buffer. */
static void e1000_rx_append(struct e1000_softc *sc, const uint8_t *buf, size_t len)
{
	if (sc->rx_asm_len + len > E1000_RX_ASM_SIZE) {
		sc->rx_asm_bad = true;
		return;
	}
	e1000_memcpy(sc->rx_asm + sc->rx_asm_len, buf, len);
	sc->rx_asm_len += len;
}

static void e1000_rx_deliver(struct e1000_softc *sc, const uint8_t *frame, size_t len, bool bad)
{
	if (bad) {
		sc->cnt.rx_errors++;
		return;
	}
	if (len > HV_ETH_RX_FRAME_MAX(sc->nd.mtu)) {
		sc->cnt.rx_dropped++;	/* longer than the MTU allows (LPE was on for a while) */
		return;
	}
#ifdef HV_DEFECT_DROP_RARE	/* certify self-test defect: 1 frame in 5000 vanishes, counted nowhere */
	static unsigned e1000_defect_rare;
	if (++e1000_defect_rare % 5000 == 0)
		return;
#endif
	sc->cnt.rx_packets++;
	sc->cnt.rx_bytes += len;
#if defined(HV_DEFECT_DROP_RX) || defined(HV_DEFECT_CORRUPT_RX)
	/* Deliberate defects for certify's self-test (tests/certify/defect-test.sh); never
	 * in a shipped module. */
	static unsigned e1000_defect_frames;
	e1000_defect_frames++;
#ifdef HV_DEFECT_DROP_RX
	if (e1000_defect_frames % 1000 == 0)
		return;		/* counted as received, never delivered */
#else
	if (e1000_defect_frames % 500 == 0 && len > 20)
		((uint8_t *)frame)[20] ^= 0x40;
#endif
#endif
	hv_netdev_rx(&sc->nd, frame, len);
}

/*
 * Deliver up to budget received frames (SDM 3.2.3), then return their descriptors to the
 * device with one RDT write: RDT trails the next descriptor to complete by one. rx_lock
 * held.
 */
unsigned e1000_rx_process(struct e1000_softc *sc, unsigned budget)
{
	volatile struct e1000_rx_desc *ring = sc->rx_ring;
	unsigned i = sc->rx_next, n = 0;

	while (n < budget) {
		uint8_t st = ring[i].status;

		if (!(st & E1000_RXD_STAT_DD))
			break;
		hv_rmb();	/* the status before the length and the data */
#ifdef HV_DEFECT_RING_WRAP	/* certify self-test defect: off by one where the ring wraps */
		static uint64_t e1000_defect_rx;
		const uint8_t *buf = e1000_rx_buf(sc, ++e1000_defect_rx > E1000_NRXD && i == 0 ?
					       E1000_NRXD - 1 : i);
#else
		const uint8_t *buf = e1000_rx_buf(sc, i);
#endif
		size_t len = ring[i].length;
		bool bad = (ring[i].errors & E1000_RXD_ERR_FRAME) != 0;

		ring[i].status = 0;
		i = E1000_RX_NEXT(i);
		if (!(st & E1000_RXD_STAT_EOP)) {
			sc->rx_asm_bad |= bad;
			e1000_rx_append(sc, buf, len);
			continue;
		}
		n++;
		if (sc->rx_asm_len) {
			e1000_rx_append(sc, buf, len);
			e1000_rx_deliver(sc, sc->rx_asm, sc->rx_asm_len, bad || sc->rx_asm_bad);
			sc->rx_asm_len = 0;
			sc->rx_asm_bad = false;
		} else {
			e1000_rx_deliver(sc, buf, len, bad);
		}
	}
	if (i != sc->rx_next) {
		sc->rx_next = i;
		hv_wmb();
		e1000_write(sc, E1000_RDT, (i - 1) & (E1000_NRXD - 1));
	}
	return n;
}
