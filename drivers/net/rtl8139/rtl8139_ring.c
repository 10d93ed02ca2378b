/*
 * The rtl8139 data path: the transmit descriptors and the receive ring.
 *
 * Transmit (DS: transmit operation). Four descriptors, each a pair of registers:
 * TSADn holds the bus address of a buffer (fixed here: one 2 KiB slot per descriptor, set
 * once at start), TSDn its length. Writing TSDn with OWN clear hands the buffer to the
 * chip, which sends descriptors strictly in the order 0, 1, 2, 3, 0, ... and sets OWN when
 * the buffer is read and TOK (or TUN/TABT) when the frame is out.
 *
 * Completions raise no interrupt (TOK stays out of IMR): an interrupt per frame would cost
 * more than it buys, since the DDK has no "ring has room again" callback. Descriptors are
 * reclaimed when xmit finds all four busy, from poll, from any interrupt and from
 * get_stats, with one read of TSAD_ALL (the four TSDs' status bits at once).
 *
 * Receive (DS: receive operation). The chip writes every packet into one 64 KiB
 * ring at RBSTART: a 4-byte header (status, length including the CRC), the frame, its CRC,
 * padding to 4 bytes. With RCR.WRAP clear a packet that reaches the ring's end continues
 * at its start; such a frame is copied whole into a bounce buffer before it is delivered,
 * every other frame is delivered straight from the ring (the netdev layer copies what it
 * keeps). CBR is where the chip writes next, CAPR (minus 16) tells it how far we have
 * read; everything between is ours to read, nothing else is.
 *
 * QEMU's model (hw/net/rtl8139.c, rtl8139_can_receive) holds frames back while less than
 * 1514 bytes are free, unless RXOVW is enabled in IMR, in which case it drops them. So
 * RXOVW stays out of IMR: a full ring then slows the sender instead of losing frames.
 *
 * But a full ring behind a QEMU hub can reorder frames while the peer keeps sending: the
 * flush that a CAPR write starts (net/net.c, qemu_flush_or_purge_queued_packets) empties
 * the hub's queue, the newer frames, before the NIC's own queue, where older ones wait. So
 * the driver reads the ring on every ROK interrupt rather than moderating them with the
 * chip's timer: tried with TCTR/TimerInt at 100 us, the NIC loop rate doubled but
 * nic.integrity saw frames out of order in every run.
 */
#include "rtl8139var.h"

#define RTL8139_TX_BUF_BYTES	((size_t)RTL8139_NTX * RTL8139_TX_BUFSZ)
#define RTL8139_TX_NEXT(i)	(((i) + 1) & (RTL8139_NTX - 1))
#define RTL8139_TX_ERTXTH	256	/* early transmit threshold in bytes (8139too uses 256) */

_Static_assert((RTL8139_NTX & (RTL8139_NTX - 1)) == 0, "descriptor indices wrap with a mask");
_Static_assert(HV_ETH_FRAME_MAX(RTL8139_MTU) <= RTL8139_TX_MAX_LEN, "a frame fits one TSD");

#define RTL8139_RX_MASK		(RTL8139_RX_RING - 1)
#define RTL8139_RX_ALIGN(n)	(((n) + 3u) & ~3u)
#define RTL8139_BOUNCE_BYTES	1536

_Static_assert((RTL8139_RX_RING & RTL8139_RX_MASK) == 0, "ring offsets wrap with a mask");
_Static_assert(RTL8139_RX_MAX_FRAME <= RTL8139_BOUNCE_BYTES, "the bounce buffer holds a frame");

int rtl8139_tx_alloc(struct rtl8139_softc *sc)
{
	sc->tx_buf = hv_dma_alloc_coherent(sc->pci, RTL8139_TX_BUF_BYTES, &sc->tx_buf_bus);
	if (!sc->tx_buf) {
		hv_log("rtl8139: %s: out of memory for the transmit buffers", sc->slot);
		return -HV_ENOMEM;
	}
	return 0;
}

/* Only after the chip stopped its DMA (rtl8139_hw_stop and a reset). */
void rtl8139_tx_free(struct rtl8139_softc *sc)
{
	if (sc->tx_buf)
		hv_dma_free_coherent(sc->pci, sc->tx_buf, RTL8139_TX_BUF_BYTES);
	sc->tx_buf = NULL;
}

/* After a reset: the chip owns nothing and starts at descriptor 0 again. */
void rtl8139_tx_start(struct rtl8139_softc *sc)
{
	for (unsigned i = 0; i < RTL8139_NTX; i++) {
		rtl8139_write32(sc, RTL8139_TSAD(i), (uint32_t)hv_dma_addr(sc->pci, sc->tx_buf_bus +
					(uint64_t)i * RTL8139_TX_BUFSZ, RTL8139_TX_BUFSZ));
		sc->tx_len[i] = 0;
	}
	sc->tx_head = 0;
	sc->tx_count = 0;
}

/*
 * Take back the descriptors the chip finished, oldest first; returns how many frames went
 * out. A descriptor is finished when TOK, TUN or TABT is set for it. After an abort
 * (excessive collisions) the chip stays in its abort state until TCR.CLRABT is written
 * (DS: TCR); 8139too also counts the frame as an error and writes CLRABT.
 * tx_lock held.
 */
unsigned rtl8139_tx_reclaim(struct rtl8139_softc *sc)
{
	unsigned n = 0;
	uint16_t st;

	if (!sc->tx_count)
		return 0;
	st = rtl8139_read16(sc, RTL8139_TSAD_ALL);
	if (st == 0xffff)
		return 0;	/* the function is gone (hot-unplug): nothing to believe */
	while (sc->tx_count) {
		unsigned i = sc->tx_head;

		if (!(st & (RTL8139_TSADS_TOK(i) | RTL8139_TSADS_TUN(i) | RTL8139_TSADS_TABT(i))))
			break;
		if (st & RTL8139_TSADS_TOK(i)) {
			sc->cnt.tx_packets++;
			sc->cnt.tx_bytes += sc->tx_len[i];
			n++;
		} else {
			sc->cnt.tx_errors++;
			if (st & RTL8139_TSADS_TABT(i))
				rtl8139_write32(sc, RTL8139_TCR, sc->tcr | RTL8139_TCR_CLRABT);
		}
		sc->tx_len[i] = 0;
		sc->tx_head = RTL8139_TX_NEXT(i);
		sc->tx_count--;
	}
	return n;
}

/*
 * Queue one frame: copy it into the next descriptor's buffer, zero-padded to HV_ETH_ZLEN (the
 * chip sends as many bytes as TSD says; 8139too pads the same way), and write TSD. 0, or
 * -HV_EAGAIN when all four descriptors are still the chip's. tx_lock held.
 */
int rtl8139_tx_enqueue(struct rtl8139_softc *sc, const void *frame, size_t len)
{
	size_t wire = len < HV_ETH_ZLEN ? HV_ETH_ZLEN : len;
	unsigned i;
	uint8_t *buf;

	if (sc->tx_count == RTL8139_NTX) {
		rtl8139_tx_reclaim(sc);
		if (sc->tx_count == RTL8139_NTX)
			return -HV_EAGAIN;	/* the caller retries or drops */
	}
	i = (sc->tx_head + sc->tx_count) & (RTL8139_NTX - 1);
	buf = sc->tx_buf + (size_t)i * RTL8139_TX_BUFSZ;
	__builtin_memcpy(buf, frame, len);
	if (wire > len)
		__builtin_memset(buf + len, 0, wire - len);
	sc->tx_len[i] = (uint16_t)len;
	sc->tx_count++;
	hv_wmb();	/* the buffer before the doorbell */
	rtl8139_write32(sc, RTL8139_TSD(i), (uint32_t)wire | RTL8139_TSD_ERTXTH(RTL8139_TX_ERTXTH));
	return 0;
}

int rtl8139_rx_alloc(struct rtl8139_softc *sc)
{
	sc->rx_ring = hv_dma_alloc_coherent(sc->pci, RTL8139_RX_RING_BYTES, &sc->rx_ring_bus);
	if (!sc->rx_ring)
		goto fail;
	if (sc->rx_ring_bus + RTL8139_RX_RING_BYTES > 0x100000000ull) {
		hv_log("rtl8139: %s: receive ring above 4 GiB (RBSTART has 32 bits)", sc->slot);
		goto free_ring;
	}
	sc->rx_bounce = hv_malloc(RTL8139_BOUNCE_BYTES);
	if (!sc->rx_bounce)
		goto free_ring;
	return 0;

free_ring:
	hv_dma_free_coherent(sc->pci, sc->rx_ring, RTL8139_RX_RING_BYTES);
	sc->rx_ring = NULL;
fail:
	hv_log("rtl8139: %s: out of memory for the receive ring", sc->slot);
	return -HV_ENOMEM;
}

/* Only after the chip stopped its DMA (rtl8139_hw_stop and a reset). */
void rtl8139_rx_free(struct rtl8139_softc *sc)
{
	hv_free(sc->rx_bounce);
	sc->rx_bounce = NULL;
	if (sc->rx_ring)
		hv_dma_free_coherent(sc->pci, sc->rx_ring, RTL8139_RX_RING_BYTES);
	sc->rx_ring = NULL;
}

/* Point the chip at the ring; it starts writing at offset 0 once RCR is written. */
void rtl8139_rx_start(struct rtl8139_softc *sc)
{
	rtl8139_write32(sc, RTL8139_RBSTART, (uint32_t)hv_dma_addr(sc->pci, sc->rx_ring_bus,
								  RTL8139_RX_RING_BYTES));
	sc->rx_off = 0;
	sc->capr_off = 0;
}

/*
 * A header that cannot be (no ROK, error bits we never asked to receive, a length larger
 * than the ring): the ring is out of step. Restart the receiver at offset 0, as after open;
 * what was in the ring is lost and counted. rx_lock held.
 */
static void rtl8139_rx_restart(struct rtl8139_softc *sc, uint32_t hdr)
{
	hv_log("rtl8139: %s: bad receive header %08x at offset %u: receiver restarted", sc->slot,
	       hdr, sc->rx_off);
	sc->cnt.rx_errors++;
	rtl8139_write8(sc, RTL8139_CR, RTL8139_CR_TE);
	rtl8139_rx_start(sc);
	rtl8139_write8(sc, RTL8139_CR, RTL8139_CR_RE | RTL8139_CR_TE);
	rtl8139_write32(sc, RTL8139_RCR, rtl8139_read32(sc, RTL8139_RCR));
	rtl8139_write16(sc, RTL8139_CAPR, (uint16_t)(sc->rx_off - RTL8139_CAPR_BIAS));
	sc->capr_off = sc->rx_off;
}

/* Hand one frame of len bytes at ring offset off up, made whole if it wraps. */
static void rtl8139_rx_deliver(struct rtl8139_softc *sc, unsigned off, size_t len)
{
	const uint8_t *frame = sc->rx_ring + off;

	if (len > RTL8139_RX_MAX_FRAME) {
		sc->cnt.rx_dropped++;	/* longer than the MTU allows (a jumbo frame on a hub) */
		return;
	}
#ifdef HV_DEFECT_RX_WRAP	/* certify self-test defect: a frame that wraps is read past the end */
	/* The tail of a frame that wraps is taken from the pad beyond the ring's end, not
	 * from the ring's start where the chip put it. */
	if (0) {
#else
	if (off + len > RTL8139_RX_RING) {
#endif
		size_t first = RTL8139_RX_RING - off;

		__builtin_memcpy(sc->rx_bounce, frame, first);
		__builtin_memcpy(sc->rx_bounce + first, sc->rx_ring, len - first);
		frame = sc->rx_bounce;
	}
	sc->cnt.rx_packets++;
	sc->cnt.rx_bytes += len;
	hv_netdev_rx(&sc->nd, frame, len);
}

/*
 * Deliver up to budget packets from the ring, then tell the chip with one CAPR write how
 * far we read, once RTL8139_CAPR_BATCH bytes were read since the last write or when the
 * ring holds more than that unread (the chip is ahead: give it all the room now). Returns
 * how many packets were taken. rx_lock held.
 */
unsigned rtl8139_rx_process(struct rtl8139_softc *sc, unsigned budget)
{
	uint16_t cbr = rtl8139_read16(sc, RTL8139_CBR);
	unsigned avail = (cbr - sc->rx_off) & RTL8139_RX_MASK, n = 0, start = sc->rx_off;

	if (cbr == 0xffff)
		return 0;	/* the function is gone (hot-unplug), or mid-DMA at the very end */
	hv_rmb();	/* CBR before the ring contents */
	while (n < budget && avail >= RTL8139_RX_HDR) {
		uint32_t hdr = *(volatile uint32_t *)(sc->rx_ring + sc->rx_off);
		unsigned len = RTL8139_RXH_LEN(hdr), rec;

		if (len == RTL8139_RXH_EARLY)
			break;		/* the chip is still writing this one */
		if (!(hdr & RTL8139_RXH_ROK) || (hdr & RTL8139_RXH_ERRORS) ||
		    len < HV_ETH_HLEN + RTL8139_RX_CRC || len > RTL8139_RX_RING / 2) {
			rtl8139_rx_restart(sc, hdr);
			return n;
		}
		rec = RTL8139_RX_ALIGN(RTL8139_RX_HDR + len);
		if (rec > avail)
			break;		/* not all of it written yet */
		rtl8139_rx_deliver(sc, (sc->rx_off + RTL8139_RX_HDR) & RTL8139_RX_MASK,
				   len - RTL8139_RX_CRC);
		sc->rx_off = (sc->rx_off + rec) & RTL8139_RX_MASK;
		avail -= rec;
		n++;
	}
	if (sc->rx_off != start &&
	    (((sc->rx_off - sc->capr_off) & RTL8139_RX_MASK) >= RTL8139_CAPR_BATCH ||
	     ((cbr - start) & RTL8139_RX_MASK) >= RTL8139_CAPR_BATCH)) {
		rtl8139_write16(sc, RTL8139_CAPR, (uint16_t)(sc->rx_off - RTL8139_CAPR_BIAS));
		sc->capr_off = sc->rx_off;
	}
	return n;
}
