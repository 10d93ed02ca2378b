/*
 * The storage ceiling probes (ceil_blk.h): pick the first function of a model that has a
 * probe, time the driver bench's reads through the bare queue, write the block pattern over
 * the bench region (untimed; reported to the host as a blkwrite record, so verify_disk
 * finds a misdirected write in the image), then do the same reads again with every block
 * checked. The metrics carry the driver tests' names (blk.seqbench read_MBps,
 * blk.randbench iops_qd) so the bench script can put the two side by side. Manual tests:
 * `make bench` names them; make check runs them over a small region (tests/kernel/tests.cfg).
 */
#include <hv/errno.h>
#include <hv/mem.h>
#include <hv/pci.h>
#include <kern/hvr.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>
#include <lib/blkpat.h>

#include "ceil_blk.h"

#define CB_REQ_BYTES	(1024u * 1024)	/* blk.seqbench's request */
#define CB_RAND_BYTES	4096u		/* blk.randbench's request */
#define CB_STALL_US	10000000	/* no completion for this long: the probe is broken */

static const struct ceil_blk_model *const cb_models[] = {
	&ceil_nvme_model,
	&ceil_vblk_model,
	&ceil_ahci_model,
};

struct cb_run {
	struct ktest_ctx *t;
	const struct ceil_blk_model *mo;
	struct pci_dev *pd;
	struct ceil_blk_dev *d;
	struct ceil_blk_geom g;
	uint8_t *buf;			/* CB_REQ_BYTES: one sequential request, or the random slots */
	uint64_t bus;
	struct blkpat_key key;
	uint64_t lba[CEIL_BLK_DEPTH];	/* what each random slot reads */
	bool spin;			/* ceil.wait=spin: never halt while waiting */
};

/* The region this boot has filled with the pattern already (blk_seq, then blk_rand). */
static struct {
	struct pci_dev *pd;
	uint64_t blocks, seed;
} cb_filled;

/* The first function of a model with a probe and no driver bound. */
static const struct ceil_blk_model *cb_pick(struct pci_dev **out)
{
	for (struct pci_dev *d = pci_first(); d; d = d->next)
		for (unsigned m = 0; m < sizeof(cb_models) / sizeof(cb_models[0]); m++)
			if (d->vendor == cb_models[m]->vendor && d->device == cb_models[m]->device &&
			    !d->driver) {
				*out = d;
				return cb_models[m];
			}
	return 0;
}

static uint64_t cb_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Reap until `want` commands are back (their tags to tags[], which holds want); all must
 * have status 0. */
static int cb_wait(struct cb_run *r, unsigned want, unsigned *tags)
{
	unsigned got = 0;
	uint32_t status[CEIL_BLK_DEPTH];
	uint64_t last = time_us();

	while (got < want) {
		unsigned k = r->mo->reap(r->d, tags + got, status, want - got);
		for (unsigned i = 0; i < k; i++)
			if (status[i]) {
				ktest_msg(r->t, "%s: command tag %u failed with status %#x", r->mo->name,
					  tags[got + i], status[i]);
				return -HV_EIO;
			}
		got += k;
		if (k)
			last = time_us();
		else if (!r->spin)
			r->mo->idle(r->d);
		if (!k && time_us() - last > CB_STALL_US) {
			ktest_msg(r->t, "%s: %u of %u commands back after %u us without a completion",
				  r->mo->name, got, want, CB_STALL_US);
			return -HV_ETIMEDOUT;
		}
	}
	return 0;
}

/* One sequential request of CB_REQ_BYTES at lba, split at the device's transfer limit into
 * commands posted together behind one doorbell (queue depth 1 in requests, as
 * blk.seqbench). check: every block read must hold its pattern. */
static int cb_seq_req(struct cb_run *r, bool write, uint64_t lba, bool check)
{
	uint32_t n = CB_REQ_BYTES / r->g.block_size, bs = r->g.block_size;
	unsigned k = 0, tags[CEIL_BLK_DEPTH];

	for (uint32_t off = 0; off < n; off += r->g.max_blocks, k++) {
		uint32_t m = n - off < r->g.max_blocks ? n - off : r->g.max_blocks;
		r->mo->post(r->d, k, write, lba + off, m, r->bus + (uint64_t)off * bs);
	}
	r->mo->ring(r->d);
	int rc = cb_wait(r, k, tags);
	if (rc == 0 && check) {
		long bad = blkpat_first_bad(r->buf, bs, lba, n, &r->key);
		if (bad >= 0) {
			ktest_msg(r->t, "%s: LBA %llu read back as %s", r->mo->name,
				  (unsigned long long)(lba + (uint64_t)bad),
				  blkpat_state_text(blkpat_check(r->buf + (size_t)bad * bs, bs,
								 lba + (uint64_t)bad, &r->key)));
			rc = -HV_EIO;
		}
	}
	return rc;
}

/* The pattern over the first `reqs` requests' blocks, once per boot and seed. */
static int cb_fill(struct cb_run *r, uint64_t reqs)
{
	uint32_t n = CB_REQ_BYTES / r->g.block_size;

	if (cb_filled.pd == r->pd && cb_filled.seed == r->key.seed && cb_filled.blocks >= reqs * n)
		return 0;
	for (uint64_t i = 0; i < reqs; i++) {
		blkpat_fill(r->buf, r->g.block_size, i * n, n, &r->key);
		int rc = cb_seq_req(r, true, i * n, false);
		if (rc < 0)
			return rc;
	}
	hvr_begin("blkwrite");
	hvr_str("dev", r->mo->name);
	hvr_u64("lba", 0);
	hvr_u64("blocks", reqs * n);
	hvr_u64("block_size", r->g.block_size);
	hvr_u64("seed", r->key.seed);
	hvr_u64("gen", 0);
	hvr_end();
	cb_filled.pd = r->pd;
	cb_filled.seed = r->key.seed;
	cb_filled.blocks = reqs * n;
	return 0;
}

/* ops random 4 KiB reads over `span` 4 KiB units, depth slots kept busy: each slot gets its
 * next read as soon as its completion is reaped, one doorbell per reaped batch. */
static int cb_rand_pass(struct cb_run *r, uint64_t ops, uint64_t span, unsigned depth,
			uint64_t *rng, bool check)
{
	uint32_t n = CB_RAND_BYTES / r->g.block_size;
	uint64_t posted = 0, done = 0, last = time_us();
	unsigned tags[CEIL_BLK_DEPTH];
	uint32_t status[CEIL_BLK_DEPTH];

	for (unsigned s = 0; s < depth && posted < ops; s++, posted++) {
		r->lba[s] = (cb_rand(rng) % span) * n;
		r->mo->post(r->d, s, false, r->lba[s], n, r->bus + (uint64_t)s * CB_RAND_BYTES);
	}
	r->mo->ring(r->d);
	while (done < ops) {
		unsigned k = r->mo->reap(r->d, tags, status, depth);
		if (!k) {
			if (!r->spin)
				r->mo->idle(r->d);
			if (time_us() - last > CB_STALL_US) {
				ktest_msg(r->t, "%s: %llu of %llu reads back after %u us without a completion",
					  r->mo->name, (unsigned long long)done, (unsigned long long)ops,
					  CB_STALL_US);
				return -HV_ETIMEDOUT;
			}
			continue;
		}
		last = time_us();
		for (unsigned i = 0; i < k; i++) {
			unsigned s = tags[i];
			const uint8_t *b = r->buf + (size_t)s * CB_RAND_BYTES;
			if (status[i]) {
				ktest_msg(r->t, "%s: read of LBA %llu failed with status %#x", r->mo->name,
					  (unsigned long long)r->lba[s], status[i]);
				return -HV_EIO;
			}
			if (check && blkpat_first_bad(b, r->g.block_size, r->lba[s], n, &r->key) >= 0) {
				ktest_msg(r->t, "%s: slot %u, LBA %llu read back as %s", r->mo->name, s,
					  (unsigned long long)r->lba[s],
					  blkpat_state_text(blkpat_check(b, r->g.block_size, r->lba[s], &r->key)));
				return -HV_EIO;
			}
			done++;
			if (posted < ops) {
				r->lba[s] = (cb_rand(rng) % span) * n;
				r->mo->post(r->d, s, false, r->lba[s], n, r->bus + (uint64_t)s * CB_RAND_BYTES);
				posted++;
			}
		}
		r->mo->ring(r->d);
	}
	return 0;
}

static int cb_open(struct ktest_ctx *t, struct cb_run *r)
{
	memset(r, 0, sizeof(*r));
	r->t = t;
	r->key.seed = ktest_param_u64(t, "seed", 0xce11b1c) | 1;
	const char *wait = ktest_param(t, "wait", "halt");
	if (strcmp(wait, "halt") != 0 && strcmp(wait, "spin") != 0) {
		ktest_msg(t, "ceil.wait=%s: expected halt or spin", wait);
		return -HV_EINVAL;
	}
	r->spin = wait[0] == 's';
	r->mo = cb_pick(&r->pd);
	if (!r->mo) {
		ktest_msg(t, "no storage function with a ceiling probe and no driver bound");
		return -HV_ENODEV;
	}
	int rc = r->mo->open(t, r->pd, &r->d, &r->g);
	if (rc < 0)
		return rc;
	if (r->g.block_size < BLKPAT_HDR_BYTES || CB_RAND_BYTES % r->g.block_size ||
	    r->g.depth < CEIL_BLK_DEPTH || !r->g.max_blocks ||
	    CB_REQ_BYTES / r->g.block_size > (uint64_t)r->g.max_blocks * CEIL_BLK_DEPTH) {
		ktest_msg(t, "%s: block size %u, depth %u, %u blocks per command: not what the probe needs",
			  r->mo->name, r->g.block_size, r->g.depth, r->g.max_blocks);
		r->mo->close(r->d);
		return -HV_EINVAL;
	}
	r->buf = hv_dma_alloc_coherent((struct hv_pci_dev *)r->pd, CB_REQ_BYTES, &r->bus);
	if (!r->buf) {
		ktest_msg(t, "no DMA memory");
		r->mo->close(r->d);
		return -HV_ENOMEM;
	}
	return 0;
}

static void cb_close(struct cb_run *r)
{
	r->mo->close(r->d);	/* no DMA into the buffer after this */
	hv_dma_free_coherent((struct hv_pci_dev *)r->pd, r->buf, CB_REQ_BYTES);
}

/* The bench region in requests: ceil.bench_mib MiB (blk.bench_mib's default, 64), no more
 * than the disk holds. */
static uint64_t cb_reqs(struct cb_run *r)
{
	uint64_t mib = ktest_param_u64(r->t, "bench_mib", 64);
	uint64_t per = CB_REQ_BYTES / r->g.block_size;

	return mib * per > r->g.nblocks ? r->g.nblocks / per : mib;
}

/* blk.seqbench's reads: the region in 1 MiB requests at queue depth 1, timed; then again
 * with every block checked. */
KTEST_MANUAL(ceil, blk_seq)
{
	struct cb_run r;

	if (cb_open(t, &r) < 0)
		return KTEST_FAIL;
	uint64_t reqs = cb_reqs(&r), n = CB_REQ_BYTES / r.g.block_size, us = 0;
	int rc = reqs ? 0 : -HV_EINVAL;
	if (!reqs)
		ktest_msg(t, "%s: the disk is smaller than one request", r.mo->name);
	/* Timed before the fill, as blk.seqbench reads before it writes (the timed pass
	 * checks nothing, so it needs no pattern). */
	uint64_t t0 = time_us();
	for (uint64_t i = 0; i < reqs && rc == 0; i++)
		rc = cb_seq_req(&r, false, i * n, false);
	us = time_us() - t0;
	if (rc == 0)
		rc = cb_fill(&r, reqs);
	for (uint64_t i = 0; i < reqs && rc == 0; i++)
		rc = cb_seq_req(&r, false, i * n, true);
	cb_close(&r);
	if (rc < 0)
		return KTEST_FAIL;
	/* MB/s as blk.seqbench counts it. */
	ktest_metric(t, "read_MBps", us ? reqs * CB_REQ_BYTES / us : 0, "MB/s");
	return KTEST_PASS;
}

/* blk.randbench's queue-depth reads: ceil.rand_ops (default 4000, as blk.rand_ops) 4 KiB
 * reads at depth 32 over the region, timed; then as many again, every block checked. */
KTEST_MANUAL(ceil, blk_rand)
{
	struct cb_run r;

	if (cb_open(t, &r) < 0)
		return KTEST_FAIL;
	uint64_t reqs = cb_reqs(&r), ops = ktest_param_u64(t, "rand_ops", 4000), us = 0;
	uint64_t span = reqs * (CB_REQ_BYTES / CB_RAND_BYTES), rng = r.key.seed;
	int rc = reqs ? 0 : -HV_EINVAL;
	if (!reqs)
		ktest_msg(t, "%s: the disk is smaller than one request", r.mo->name);
	if (rc == 0) {	/* timed before the fill, as in ceil.blk_seq */
		uint64_t t0 = time_us();
		rc = cb_rand_pass(&r, ops, span, CEIL_BLK_DEPTH, &rng, false);
		us = time_us() - t0;
	}
	if (rc == 0)
		rc = cb_fill(&r, reqs);
	if (rc == 0)
		rc = cb_rand_pass(&r, ops, span, CEIL_BLK_DEPTH, &rng, true);
	cb_close(&r);
	if (rc < 0)
		return KTEST_FAIL;
	ktest_metric(t, "iops_qd", us ? ops * 1000000 / us : 0, "iops");
	return KTEST_PASS;
}
