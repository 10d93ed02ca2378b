/*
 * The guest test OS: a few hundred lines of freestanding 32-bit C that the hypervisor runs
 * inside a VM to prove its virtual devices from the guest's side. It talks to its console
 * (a 16550 at port 0x3f8) and to virtio-mmio devices (VIRTIO 1.1, 4.2), polling, or for
 * the interrupt tests (irqtest.c) sleeping in HLT until the device's interrupt.
 */
#include <stdint.h>
#include <stddef.h>
#include <lib/blkpat.h>
#include <lib/nicframe.h>
#include "guest.h"
#include "gtest.h"

#define VIO_BLK_BASE	0xfeb00000u
#define VIO_NET_BASE	0xfeb01000u
#define SECTOR		512

int guest_main(uint32_t test, uint32_t seed);

static void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

void con_putc(char c)
{
	while (!(inb(0x3fd) & 0x20))
		;
	outb(0x3f8, (uint8_t)c);
}

void con_puts(const char *s)
{
	while (*s)
		con_putc(*s++);
}

void con_putu(uint32_t v)
{
	char buf[12];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		con_putc(buf[--n]);
}

static void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

static uint32_t vio_base = VIO_BLK_BASE;

static volatile uint32_t *vio_reg(uint32_t off)
{
	return (volatile uint32_t *)(vio_base + off);
}

static void hc_yield(void)
{
	uint32_t a = HC_YIELD;

	__asm__ volatile("vmmcall" : "+a"(a) :: "memory");
}

/* virtio-mmio register offsets and the split virtqueue (2.6). */
#define R_MAGIC		0x000
#define R_VERSION	0x004
#define R_DEVICE	0x008
#define R_DEV_FEAT	0x010
#define R_DEV_FEAT_SEL	0x014
#define R_DRV_FEAT	0x020
#define R_DRV_FEAT_SEL	0x024
#define R_QUEUE_SEL	0x030
#define R_QUEUE_NUM_MAX	0x034
#define R_QUEUE_NUM	0x038
#define R_QUEUE_READY	0x044
#define R_QUEUE_NOTIFY	0x050
#define R_INT_STATUS	0x060
#define R_INT_ACK	0x064
#define R_STATUS	0x070
#define R_DESC_LO	0x080
#define R_DESC_HI	0x084
#define R_AVAIL_LO	0x090
#define R_AVAIL_HI	0x094
#define R_USED_LO	0x0a0
#define R_USED_HI	0x0a4
#define R_CONFIG	0x100
#define S_ACK		1
#define S_DRIVER	2
#define S_DRIVER_OK	4
#define S_FEATURES_OK	8
#define QN		8

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QN]; };
struct used { uint16_t flags, idx; struct { uint32_t id, len; } ring[QN]; };

static struct desc vq_desc[QN] __attribute__((aligned(16)));
static struct avail vq_avail __attribute__((aligned(2)));
static struct used vq_used __attribute__((aligned(4)));
static struct { uint32_t type, reserved; uint64_t sector; } req_hdr;
static uint8_t req_status;
static uint8_t data[8 * SECTOR] __attribute__((aligned(16)));

struct vq {
	struct desc desc[QN] __attribute__((aligned(16)));
	struct avail avail __attribute__((aligned(2)));
	struct used used __attribute__((aligned(4)));
};

/* Reset, negotiate VIRTIO_F_VERSION_1 (and feature bits lo), set up queues 0..nq-1. */
static int vio_init(uint32_t base, uint32_t device, uint32_t lo, struct vq *qs, unsigned nq)
{
	vio_base = base;
	if (*vio_reg(R_MAGIC) != 0x74726976u || *vio_reg(R_VERSION) != 2 || *vio_reg(R_DEVICE) != device)
		return -1;
	*vio_reg(R_STATUS) = 0;
	*vio_reg(R_STATUS) = S_ACK | S_DRIVER;
	*vio_reg(R_DEV_FEAT_SEL) = 1;
	if (!(*vio_reg(R_DEV_FEAT) & 1))
		return -2;
	*vio_reg(R_DRV_FEAT_SEL) = 1;
	*vio_reg(R_DRV_FEAT) = 1;
	*vio_reg(R_DRV_FEAT_SEL) = 0;
	*vio_reg(R_DRV_FEAT) = lo;
	*vio_reg(R_STATUS) = S_ACK | S_DRIVER | S_FEATURES_OK;
	for (unsigned q = 0; q < nq; q++) {
		*vio_reg(R_QUEUE_SEL) = q;
		if (*vio_reg(R_QUEUE_NUM_MAX) < QN)
			return -3;
		*vio_reg(R_QUEUE_NUM) = QN;
		*vio_reg(R_DESC_LO) = (uint32_t)qs[q].desc;
		*vio_reg(R_DESC_HI) = 0;
		*vio_reg(R_AVAIL_LO) = (uint32_t)&qs[q].avail;
		*vio_reg(R_AVAIL_HI) = 0;
		*vio_reg(R_USED_LO) = (uint32_t)&qs[q].used;
		*vio_reg(R_USED_HI) = 0;
		*vio_reg(R_QUEUE_READY) = 1;
	}
	*vio_reg(R_STATUS) = S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK;
	return 0;
}

static int blk_init(uint32_t *capacity)
{
	vio_base = VIO_BLK_BASE;
	if (*vio_reg(R_MAGIC) != 0x74726976u || *vio_reg(R_VERSION) != 2 || *vio_reg(R_DEVICE) != 2)
		return -1;
	*vio_reg(R_STATUS) = 0;
	*vio_reg(R_STATUS) = S_ACK | S_DRIVER;
	*vio_reg(R_DEV_FEAT_SEL) = 1;
	if (!(*vio_reg(R_DEV_FEAT) & 1))
		return -2;			/* no VIRTIO_F_VERSION_1 */
	*vio_reg(R_DRV_FEAT_SEL) = 1;
	*vio_reg(R_DRV_FEAT) = 1;
	*vio_reg(R_DRV_FEAT_SEL) = 0;
	*vio_reg(R_DRV_FEAT) = 0;
	*vio_reg(R_STATUS) = S_ACK | S_DRIVER | S_FEATURES_OK;
	*vio_reg(R_QUEUE_SEL) = 0;
	if (*vio_reg(R_QUEUE_NUM_MAX) < QN)
		return -3;
	*vio_reg(R_QUEUE_NUM) = QN;
	*vio_reg(R_DESC_LO) = (uint32_t)vq_desc;
	*vio_reg(R_DESC_HI) = 0;
	*vio_reg(R_AVAIL_LO) = (uint32_t)&vq_avail;
	*vio_reg(R_AVAIL_HI) = 0;
	*vio_reg(R_USED_LO) = (uint32_t)&vq_used;
	*vio_reg(R_USED_HI) = 0;
	*vio_reg(R_QUEUE_READY) = 1;
	*vio_reg(R_STATUS) = S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK;
	*capacity = *vio_reg(R_CONFIG);
	return 0;
}

/* One request: header, data, status; waits for the used ring. Returns the status byte. */
static int blk_io(uint32_t type, uint32_t sector, void *buf, uint32_t len)
{
	req_hdr.type = type;
	req_hdr.reserved = 0;
	req_hdr.sector = sector;
	req_status = 0xff;
	vq_desc[0] = (struct desc){ (uint32_t)&req_hdr, sizeof(req_hdr), 1, 1 };
	vq_desc[1] = (struct desc){ (uint32_t)buf, len, (uint16_t)(1 | (type == 0 ? 2 : 0)), 2 };
	vq_desc[2] = (struct desc){ (uint32_t)&req_status, 1, 2, 0 };
	uint16_t want = (uint16_t)(vq_used.idx + 1);
	vq_avail.ring[vq_avail.idx % QN] = 0;
	__asm__ volatile("" ::: "memory");
	vq_avail.idx++;
	__asm__ volatile("" ::: "memory");
	if (blk_irq_mode) {
		/* Sleep until the device's interrupt; only then look at the used ring. */
		uint32_t seen = blk_irqs;
		cli();
		*vio_reg(R_QUEUE_NOTIFY) = 0;
		while (blk_irqs == seen)
			sti_hlt_cli();
		sti();
		return *(volatile uint16_t *)&vq_used.idx == want ? req_status : 0x100;
	}
	*vio_reg(R_QUEUE_NOTIFY) = 0;
	while (*(volatile uint16_t *)&vq_used.idx != want)
		;
	return req_status;
}

volatile int blk_irq_mode;
volatile uint32_t blk_irqs;

/* The disk's interrupt: read and acknowledge InterruptStatus (4.2.2), which lowers the
 * level-triggered line, then EOI. */
void blk_irq(void)
{
	uint32_t isr = *vio_reg(R_INT_STATUS);

	*vio_reg(R_INT_ACK) = isr;
	if (isr & 1)
		blk_irqs++;
	lapic_eoi();
}

/* Test 0: write a pattern to sectors 0..63 in chunks of 1 to 8 sectors, read it back. */
int test_vblk(void)
{
	uint32_t cap;
	int ret = blk_init(&cap);

	if (ret < 0) {
		con_puts("vblk: no usable virtio-blk device\n");
		return 10 - ret;
	}
	con_puts("vblk: capacity ");
	con_putu(cap);
	con_puts(" sectors\n");
	for (uint32_t s = 0, n = 1; s < 64; s += n, n = n % 8 + 1) {
		uint32_t c = s + n > 64 ? 64 - s : n;
		for (uint32_t i = 0; i < c * SECTOR; i++)
			data[i] = (uint8_t)((s * SECTOR + i) * 7 + 3);
		if (blk_io(1, s, data, c * SECTOR) != 0)
			return 20;
	}
	for (uint32_t s = 0; s < 64; s += 4) {
		memset(data, 0, 4 * SECTOR);
		if (blk_io(0, s, data, 4 * SECTOR) != 0)
			return 21;
		for (uint32_t i = 0; i < 4 * SECTOR; i++)
			if (data[i] != (uint8_t)((s * SECTOR + i) * 7 + 3))
				return 22;
	}
	/* Past the end of the disk: the device must refuse it. */
	if (blk_io(0, cap, data, SECTOR) == 0)
		return 23;
	con_puts("vblk: 64 sectors written and verified\n");
	return 0;
}

/* Networking: queue 0 receives, queue 1 transmits; frames carry a 12-byte virtio_net_hdr. */
#define NET_HDR		12
#define NET_BUF		(NET_HDR + 1514)
static struct vq net_q[2];
static uint8_t net_rx[QN][NET_BUF] __attribute__((aligned(16)));
static uint8_t net_tx[NET_BUF] __attribute__((aligned(16)));
static uint8_t net_mac[6];
static uint16_t net_rx_seen;

static void net_post_rx(unsigned i)
{
	struct vq *q = &net_q[0];

	q->desc[i] = (struct desc){ (uint32_t)net_rx[i], NET_BUF, 2, 0 };
	q->avail.ring[q->avail.idx % QN] = (uint16_t)i;
	__asm__ volatile("" ::: "memory");
	q->avail.idx++;
}

static int net_init(void)
{
	int ret = vio_init(VIO_NET_BASE, 1, 1u << 5, net_q, 2);	/* VIRTIO_NET_F_MAC */

	if (ret < 0)
		return ret;
	for (int i = 0; i < 6; i++)
		net_mac[i] = ((volatile uint8_t *)(VIO_NET_BASE + R_CONFIG))[i];
	for (unsigned i = 0; i < QN; i++)
		net_post_rx(i);
	*vio_reg(R_QUEUE_NOTIFY) = 0;
	return 0;
}

static void net_send(const uint8_t *frame, uint32_t len)
{
	struct vq *q = &net_q[1];

	memset(net_tx, 0, NET_HDR);
	for (uint32_t i = 0; i < len; i++)
		net_tx[NET_HDR + i] = frame[i];
	uint16_t want = (uint16_t)(q->used.idx + 1);
	q->desc[0] = (struct desc){ (uint32_t)net_tx, NET_HDR + len, 0, 0 };
	q->avail.ring[q->avail.idx % QN] = 0;
	__asm__ volatile("" ::: "memory");
	q->avail.idx++;
	*vio_reg(R_QUEUE_NOTIFY) = 1;
	while (*(volatile uint16_t *)&q->used.idx != want)
		;
}

/* k (at most QN) copies of a frame made available at once, one notification for all
 * (the device takes every available chain per notification), then wait for all. */
static uint8_t net_txb[QN][NET_BUF] __attribute__((aligned(16)));

static void net_send_batch(const uint8_t *frame, uint32_t len, unsigned k)
{
	struct vq *q = &net_q[1];
	uint16_t want = (uint16_t)(q->used.idx + k);

	for (unsigned j = 0; j < k; j++) {
		memset(net_txb[j], 0, NET_HDR);
		for (uint32_t i = 0; i < len; i++)
			net_txb[j][NET_HDR + i] = frame[i];
		q->desc[j] = (struct desc){ (uint32_t)net_txb[j], NET_HDR + len, 0, 0 };
		q->avail.ring[(uint16_t)(q->avail.idx + j) % QN] = (uint16_t)j;
	}
	__asm__ volatile("" ::: "memory");
	q->avail.idx = (uint16_t)(q->avail.idx + k);
	__asm__ volatile("" ::: "memory");
	*vio_reg(R_QUEUE_NOTIFY) = 1;
	while (*(volatile uint16_t *)&q->used.idx != want)
		;
}

volatile int net_irq_mode;
volatile uint32_t net_irqs;

/* The NIC's interrupt (edge-triggered): acknowledge InterruptStatus, so the next used
 * buffer raises the line again, then EOI. */
void net_irq(void)
{
	uint32_t isr = *vio_reg(R_INT_STATUS);

	*vio_reg(R_INT_ACK) = isr;
	if (isr & 1)
		net_irqs++;
	lapic_eoi();
}

/* Wait (yielding the CPU, or in irq mode sleeping in HLT) for the next received frame;
 * returns its buffer and length. */
static uint8_t *net_recv(uint32_t *len, uint32_t spins)
{
	struct vq *q = &net_q[0];

	while (*(volatile uint16_t *)&q->used.idx == net_rx_seen) {
		if (!spins--)
			return 0;
		if (!net_irq_mode) {
			hc_yield();
			continue;
		}
		cli();		/* sleep until the device interrupts, unless a frame came meanwhile */
		if (*(volatile uint16_t *)&q->used.idx == net_rx_seen)
			sti_hlt_cli();
		sti();
	}
	uint32_t id = q->used.ring[net_rx_seen % QN].id;
	*len = q->used.ring[net_rx_seen % QN].len - NET_HDR;
	net_rx_seen++;
	return net_rx[id] + NET_HDR;
}

static void net_repost(uint8_t *frame)
{
	unsigned i = (unsigned)((frame - NET_HDR - net_rx[0]) / NET_BUF);

	net_post_rx(i);
	*vio_reg(R_QUEUE_NOTIFY) = 0;
}

/* Test 1: echo frames back to whoever sent them, until the one with sequence n - 1. */
int test_echo(uint32_t n)
{
	if (net_init() < 0)
		return 30;
	con_puts("net: echo ready\n");
	for (;;) {
		uint32_t len;
		uint8_t *f = net_recv(&len, 1000000);
		if (!f)
			return 31;
		uint8_t out[1514];
		for (uint32_t i = 0; i < len; i++)
			out[i] = f[i];
		for (int i = 0; i < 6; i++) {
			out[i] = f[6 + i];
			out[6 + i] = net_mac[i];
		}
		uint32_t seq = (uint32_t)f[14] | (uint32_t)f[15] << 8 | (uint32_t)f[16] << 16;
		net_repost(f);
		net_send(out, len);
		if (seq == n - 1)
			break;
	}
	con_puts("net: echoed all\n");
	return 0;
}

/* Test 2: send n frames of growing size to the broadcast address; each must come back.
 * A frame may be lost before the echo side has posted its buffers (the switch drops
 * frames a guest has no buffer for), so a missing reply is retransmitted, and replies to
 * earlier copies are skipped by sequence number. */
static int test_ping(uint32_t n)
{
	if (net_init() < 0)
		return 40;
	uint8_t f[1514];
	for (uint32_t k = 0; k < n; k++) {
		uint32_t len = 60 + (k * 97) % (1514 - 60), got = 0;
		for (int i = 0; i < 6; i++) {
			f[i] = 0xff;
			f[6 + i] = net_mac[i];
		}
		f[12] = 0x88;
		f[13] = 0xb5;
		f[14] = (uint8_t)k;
		f[15] = (uint8_t)(k >> 8);
		f[16] = (uint8_t)(k >> 16);
		for (uint32_t i = 17; i < len; i++)
			f[i] = (uint8_t)(k + i);
		uint8_t *r = 0;
		for (int tries = 0; tries < 50 && !r; tries++) {
			net_send(f, len);
			while ((r = net_recv(&got, 2000))) {
				uint32_t seq = (uint32_t)r[14] | (uint32_t)r[15] << 8 | (uint32_t)r[16] << 16;
				if (seq == k)
					break;
				net_repost(r);	/* a late reply to an earlier copy */
			}
		}
		if (!r)
			return 41;
		if (got != len)
			return 42;
		for (uint32_t i = 17; i < len; i++)
			if (r[i] != (uint8_t)(k + i))
				return 43;
		for (int i = 0; i < 6; i++)
			if (r[i] != net_mac[i])
				return 44;
		net_repost(r);
	}
	con_puts("net: all frames came back\n");
	return 0;
}

/* Test 3: through the virtual switch to a physical NIC and the host behind it: send one
 * frame of every size 60..1514 (sequence 0..1454), yield, then receive the host's 1455
 * frames and check each (probe frames, sequence >= 0xffff0000, are skipped). */
static int test_uplink(void)
{
	const uint32_t n = 1455;
	struct nicframe_ends e;
	struct nicframe_order order;
	uint8_t f[NICFRAME_MAX_STD];

	if (net_init() < 0)
		return 50;
	/* The kernel test paces the host peer here: a guest may do it itself only when the
	 * VMs were started with vm.uplink=1 (a Linux guest), so this one must be refused. */
	uint32_t a = HC_PEER_SYNC;
	__asm__ volatile("vmmcall" : "+a"(a) : "b"(0), "c"(0) : "memory");
	if (a != HC_EPERM)
		return 54;
	for (int i = 0; i < 6; i++) {
		e.dst[i] = 0xff;
		e.src[i] = net_mac[i];
	}
	for (uint32_t k = 0; k < n; k++)
		net_send(f, (uint32_t)nicframe_build(f, &e, k, NICFRAME_MIN + k));
	con_puts("uplink: sent all\n");
	hc_yield();
	nicframe_order_start(&order, 0);
	for (uint32_t got = 0; got < n; ) {
		struct nicframe_info fi;
		uint32_t len;
		uint8_t *r = net_recv(&len, 2000000);
		if (!r)
			return 51;
		int ours = nicframe_check(r, len, &fi);
		net_repost(r);
		if (!ours || fi.seq >= NICFRAME_PROBE_SEQ)
			continue;	/* a probe, or not a test frame */
		if (ours < 0)
			return 52;
		if (!nicframe_order_step(&order, fi.seq))
			return 53;
		got++;
	}
	con_puts("uplink: received all\n");
	return 0;
}

/* Test 19: the network benchmark: set up, yield (the hypervisor starts its clock), then
 * send n 60-byte broadcast frames as fast as they are taken, a ring's worth (QN) per
 * notification, as a driver that batches its doorbell does. */
static int test_net_blast(uint32_t n)
{
	struct nicframe_ends e;
	uint8_t f[NICFRAME_MIN];

	if (net_init() < 0)
		return 50;
	for (int i = 0; i < 6; i++) {
		e.dst[i] = 0xff;
		e.src[i] = net_mac[i];
	}
	uint32_t len = (uint32_t)nicframe_build(f, &e, 0, NICFRAME_MIN);
	hc_yield();
	for (uint32_t k = 0; k < n; k += QN)
		net_send_batch(f, len, n - k < QN ? n - k : QN);
	return 0;
}

/* Test 4: read the first (arg) MiB of the disk sequentially in 1 MiB requests, for the
 * hypervisor to time (the benchmark of a guest's disk against the direct rate). */
/* Not in .bss: other tests run in 1 MiB VMs. The benchmark VM has 4 MiB; its buffer is the
 * second MiB. */
#define BIG_BUF		((uint8_t *)0x100000)
#define BIG_LEN		(1024 * 1024)

static int test_vblk_read(uint32_t mib)
{
	uint32_t cap;

	if (blk_init(&cap) < 0)
		return 60;
	if ((uint64_t)mib * 2048 > cap)
		return 61;
	for (uint32_t s = 0; s < mib * 2048; s += BIG_LEN / SECTOR)
		if (blk_io(0, s, BIG_BUF, BIG_LEN) != 0)
			return 62;
	return 0;
}

/* Tests 5..7: the disk with the block test pattern (lib/blkpat.h) of the guest's LBAs and
 * the seed, so the host can check the image: sectors 0..TAG_SECTORS-1 in requests of 1 to 8
 * sectors, read back and checked, then a flush. */
#define TAG_SECTORS	256

static int test_vblk_tagged(uint32_t seed)
{
	const struct blkpat_key key = { .seed = seed };
	uint32_t cap;

	if (blk_init(&cap) < 0)
		return 70;
	if (cap < TAG_SECTORS)
		return 71;
	for (uint32_t s = 0, n = 1; s < TAG_SECTORS; s += n, n = n % 8 + 1) {
		uint32_t c = s + n > TAG_SECTORS ? TAG_SECTORS - s : n;
		blkpat_fill(data, SECTOR, s, c, &key);
		if (blk_io(1, s, data, c * SECTOR) != 0)
			return 72;
	}
	for (uint32_t s = 0; s < TAG_SECTORS; s += 8) {
		memset(data, 0, 8 * SECTOR);
		if (blk_io(0, s, data, 8 * SECTOR) != 0)
			return 73;
		if (blkpat_first_bad(data, SECTOR, s, 8, &key) >= 0)
			return 74;
	}
	if (blk_io(4, 0, data, 0) != 0)
		return 75;
	con_puts("vblk: 256 tagged sectors written and verified\n");
	return 0;
}

int guest_main(uint32_t test, uint32_t seed)
{
	con_puts("guest os: test ");
	con_putu(test);
	con_putc('\n');
	switch (test & 0xff) {
	case GTEST_VBLK:
		return test_vblk();
	case GTEST_ECHO:
		return test_echo(test >> 8);
	case GTEST_PING:
		return test_ping(test >> 8);
	case GTEST_UPLINK:
		return test_uplink();
	case GTEST_VBLK_READ:
		return test_vblk_read(test >> 8);
	case GTEST_VBLK_TAGGED:
		return test_vblk_tagged(seed);
	case GTEST_TAGGED_ECHO:
		return test_vblk_tagged(seed) ?: test_echo(test >> 8);
	case GTEST_TAGGED_PING:
		return test_vblk_tagged(seed) ?: test_ping(test >> 8);
	case GTEST_TIMER_PERIODIC:
		return test_timer_periodic(test >> 8);
	case GTEST_TIMER_ONESHOT:
		return test_timer_oneshot();
	case GTEST_IRQ_MASKED:
		return test_irq_masked();
	case GTEST_VBLK_IRQ:
		return test_vblk_irq();
	case GTEST_IRQ_BAD:
		return test_irq_bad();
	case GTEST_ECHO_IRQ:
		return test_echo_irq(test >> 8);
	case GTEST_IRQ_SHADOW:
		return test_irq_shadow(test >> 8);
	case GTEST_SMP_COUNT:
		return test_smp_count(test >> 8, 0);
	case GTEST_SMP_FAULT:
		return test_smp_fault();
	case GTEST_SMP_APIC:
		return test_smp_count(test >> 8, 1);
	case GTEST_SMP_IPI:
		return test_smp_ipi(test >> 8);
	case GTEST_NET_BLAST:
		return test_net_blast(test >> 8);
	default:
		return 99;
	}
}
