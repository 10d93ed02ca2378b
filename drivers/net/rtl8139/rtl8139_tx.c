/*
 * rtl8139 transmit (DS: transmit operation). Four descriptors, each a pair of registers:
 * TSADn holds the bus address of a buffer (fixed here: one 2 KiB slot per descriptor, set
 * once at start), TSDn its length. Writing TSDn with OWN clear hands the buffer to the
 * chip, which sends descriptors strictly in the order 0, 1, 2, 3, 0, ... and sets OWN when
 * the buffer is read and TOK (or TUN/TABT) when the frame is out.
 *
 * Completions raise no interrupt (TOK stays out of IMR): an interrupt per frame would cost
 * more than it buys, since the DDK has no "ring has room again" callback. Descriptors are
 * reclaimed when xmit finds all four busy, from poll, from any interrupt and from
 * get_stats, with one read of TSAD_ALL (the four TSDs' status bits at once).
 */
#include "rtl8139_var.h"

#define RTL8139_TX_BUF_BYTES	((size_t)RTL8139_NTX * RTL8139_TX_BUFSZ)
#define RTL8139_TX_NEXT(i)	(((i) + 1) & (RTL8139_NTX - 1))
#define RTL8139_TX_ERTXTH	256	/* early transmit threshold in bytes (8139too uses 256) */

_Static_assert((RTL8139_NTX & (RTL8139_NTX - 1)) == 0, "descriptor indices wrap with a mask");
_Static_assert(HV_ETH_FRAME_MAX(RTL8139_MTU) <= RTL8139_TX_MAX_LEN, "a frame fits one TSD");

int rtl8139_tx_alloc(struct rtl8139_softc *sc)
{
	sc->tx_buf = hv_dma_alloc(RTL8139_TX_BUF_BYTES, &sc->tx_buf_bus);
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
		hv_dma_free(sc->tx_buf, RTL8139_TX_BUF_BYTES);
	sc->tx_buf = NULL;
}

/* After a reset: the chip owns nothing and starts at descriptor 0 again. */
void rtl8139_tx_start(struct rtl8139_softc *sc)
{
	for (unsigned i = 0; i < RTL8139_NTX; i++) {
		rtl8139_write32(sc, RTL8139_TSAD(i), (uint32_t)(sc->tx_buf_bus + (uint64_t)i * RTL8139_TX_BUFSZ));
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
