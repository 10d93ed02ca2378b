/*
 * The netdev and blkdev layers with software devices behind them: a loopback NIC and a
 * RAM disk that can fail a chosen block or never complete, so registration, delivery,
 * completion, range checks, error propagation and timeouts are all exercised.
 */
#include <hv/errno.h>
#include <hv/mem.h>
#include <kern/blkdev.h>
#include <kern/mem.h>
#include <kern/ktest.h>
#include <kern/netdev.h>
#include <kern/string.h>

/* Loopback NIC: every transmitted frame comes straight back as received. */
static struct { uint64_t rx_ok, rx_bad; unsigned next_seq; } lo_rx;

static int lo_open(struct hv_netdev *nd) { hv_netdev_link_change(nd, true); return 0; }
static void lo_stop(struct hv_netdev *nd) { hv_netdev_link_change(nd, false); }

/* No length check of its own: the kernel's netdev_xmit refuses bad lengths before xmit. */
static int lo_xmit(struct hv_netdev *nd, const void *frame, size_t len)
{
	hv_netdev_rx(nd, frame, len);
	return 0;
}

static const struct hv_netdev_ops lo_ops = { .open = lo_open, .stop = lo_stop, .xmit = lo_xmit };

static void lo_receive(struct hv_netdev *nd, const void *frame, size_t len, void *arg)
{
	const unsigned char *f = frame;
	(void)nd;
	(void)arg;
	/* Bytes 14..17 carry a sequence number; every later byte is (seq + i) & 0xff. */
	unsigned seq = (unsigned)f[14] | (unsigned)f[15] << 8;
	int ok = seq == lo_rx.next_seq;
	for (size_t i = 16; i < len && ok; i++)
		ok = f[i] == (unsigned char)(seq + i);
	lo_rx.next_seq = seq + 1;
	ok ? lo_rx.rx_ok++ : lo_rx.rx_bad++;
}

KTEST(netdev, loopback)
{
	static unsigned char frame[1514];
	struct hv_netdev nd;
	struct hv_netdev_stats st;
	uint64_t rx, dropped, links;

	memset(&nd, 0, sizeof(nd));
	memset(&lo_rx, 0, sizeof(lo_rx));
	memcpy(nd.mac, "\x02\x00\x00\x00\x00\x01", 6);
	nd.ops = &lo_ops;
	KT_CHECK(t, hv_netdev_register(&nd) == 0, "register failed");
	KT_CHECK(t, netdev_find(nd.name) == &nd, "%s not found after registering", nd.name);
	KT_CHECK(t, netdev_open(&nd) == 0 && nd.link_up, "open did not bring the link up");
	/* Without a receiver frames are dropped and counted. */
	KT_CHECK(t, netdev_xmit(&nd, frame, 60) == 0, "xmit failed");
	netdev_set_rx(&nd, lo_receive, 0);
	for (unsigned i = 0; i < 2000; i++) {
		size_t len = 60 + (i * 7) % (1514 - 60 + 1);
		frame[14] = (unsigned char)i;
		frame[15] = (unsigned char)(i >> 8);
		for (size_t j = 16; j < len; j++)
			frame[j] = (unsigned char)(i + j);
		KT_CHECK(t, netdev_xmit(&nd, frame, len) == 0, "xmit of %zu bytes failed", len);
	}
	/* One byte over the MTU plus the header, one byte short of the header. */
	KT_CHECK(t, netdev_xmit(&nd, frame, 1515) == -HV_EINVAL, "oversized frame accepted");
	KT_CHECK(t, netdev_xmit(&nd, frame, 13) == -HV_EINVAL, "frame shorter than the header accepted");
	netdev_get_stats(&nd, &st);
	KT_CHECK(t, st.tx_errors == 2, "%llu refused frames counted, 2 expected",
		 (unsigned long long)st.tx_errors);
	netdev_counts(&nd, &rx, &dropped, &links);
	KT_CHECK(t, lo_rx.rx_ok == 2000 && lo_rx.rx_bad == 0, "%llu good, %llu corrupt frames",
		 (unsigned long long)lo_rx.rx_ok, (unsigned long long)lo_rx.rx_bad);
	KT_CHECK(t, rx == 2000 && dropped == 1, "counted %llu received, %llu dropped",
		 (unsigned long long)rx, (unsigned long long)dropped);
	hv_netdev_unregister(&nd);	/* stops it: link down */
	KT_CHECK(t, !nd.link_up && !netdev_find(nd.name), "unregister left %s up or listed", nd.name);
	ktest_metric(t, "frames", rx, "count");
	return KTEST_PASS;
}

/* RAM disk: fails reads and writes of one block with -HV_EIO, or never completes. */
struct rd {
	unsigned char *data;
	uint64_t bad_lba;
	int swallow;
	struct hv_blkreq *held;	/* the swallowed request, completed at "reset" */
};

static int rd_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
{
	struct rd *r = bd->priv;

	if (r->swallow) {
		r->held = rq;	/* accepted, never completed: the caller must time out */
		return 0;
	}
	if (rq->op == HV_BLK_FLUSH) {
		hv_blkreq_complete(rq, 0);
		return 0;
	}
	if (r->bad_lba >= rq->lba && r->bad_lba < rq->lba + rq->nblocks) {
		hv_blkreq_complete(rq, -HV_EIO);
		return 0;
	}
	unsigned char *p = r->data + rq->lba * bd->block_size;
	size_t n = (size_t)rq->nblocks * bd->block_size;
	if (rq->op == HV_BLK_WRITE)
		memcpy(p, rq->buf, n);
	else
		memcpy(rq->buf, p, n);
	hv_blkreq_complete(rq, 0);
	return 0;
}

static const struct hv_blkdev_ops rd_ops = { .submit = rd_submit };

KTEST(blkdev, ramdisk)
{
	struct rd r = { 0, ~0ull, 0, 0 };
	struct hv_blkdev bd;
	struct hv_blkreq rq;
	uint64_t bus;
	enum ktest_status st = KTEST_PASS;

	memset(&bd, 0, sizeof(bd));
	r.data = kdma_alloc(256 * 512, &bus);
	unsigned char *buf = kdma_alloc(8 * 512, &bus);
	KT_CHECK(t, r.data && buf, "no memory");
	bd.block_size = 512;
	bd.nblocks = 256;
	bd.queue_depth = 1;
	bd.ops = &rd_ops;
	bd.priv = &r;
	if (hv_blkdev_register(&bd) != 0) {
		ktest_msg(t, "register failed");
		st = KTEST_FAIL;
		goto free;
	}
	for (uint64_t lba = 0; lba < 256 && st == KTEST_PASS; lba += 8) {
		for (int i = 0; i < 8 * 512; i++)
			buf[i] = (unsigned char)(lba * 3 + (uint64_t)i);
		memset(&rq, 0, sizeof(rq));
		rq.op = HV_BLK_WRITE, rq.lba = lba, rq.nblocks = 8, rq.buf = buf;
		if (blkdev_submit_wait(&bd, &rq, 100000) != 0) {
			ktest_msg(t, "write at %llu failed", (unsigned long long)lba);
			st = KTEST_FAIL;
		}
	}
	for (uint64_t lba = 0; lba < 256 && st == KTEST_PASS; lba += 8) {
		memset(&rq, 0, sizeof(rq));
		rq.op = HV_BLK_READ, rq.lba = lba, rq.nblocks = 8, rq.buf = buf;
		int ret = blkdev_submit_wait(&bd, &rq, 100000);
		for (int i = 0; i < 8 * 512 && ret == 0; i++)
			if (buf[i] != (unsigned char)(lba * 3 + (uint64_t)i))
				ret = -HV_EBADMSG;
		if (ret) {
			ktest_msg(t, "read-back at %llu: %d", (unsigned long long)lba, ret);
			st = KTEST_FAIL;
		}
	}
	memset(&rq, 0, sizeof(rq));
	rq.op = HV_BLK_READ, rq.lba = 250, rq.nblocks = 8, rq.buf = buf;
	if (st == KTEST_PASS && blkdev_submit_wait(&bd, &rq, 100000) != -HV_ERANGE) {
		ktest_msg(t, "a read past the end was not refused");
		st = KTEST_FAIL;
	}
	r.bad_lba = 17;
	rq.lba = 16, rq.nblocks = 2;
	if (st == KTEST_PASS && blkdev_submit_wait(&bd, &rq, 100000) != -HV_EIO) {
		ktest_msg(t, "the injected EIO did not reach the caller");
		st = KTEST_FAIL;
	}
	rq.lba = 18;
	if (st == KTEST_PASS && blkdev_submit_wait(&bd, &rq, 100000) != 0) {
		ktest_msg(t, "I/O after the error failed");
		st = KTEST_FAIL;
	}
	r.swallow = 1;
	if (st == KTEST_PASS && blkdev_submit_wait(&bd, &rq, 20000) != -HV_ETIMEDOUT) {
		ktest_msg(t, "a request that never completes did not time out");
		st = KTEST_FAIL;
	}
	/* A device reset completes what it held; the late completion must be safe (it lands in
	 * the block layer's own copy, which it frees: the leak check proves it). */
	if (r.held)
		hv_blkreq_complete(r.held, -HV_EIO);
	hv_blkdev_unregister(&bd);
free:
	kdma_free(buf, 8 * 512);
	kdma_free(r.data, 256 * 512);
	return st;
}
