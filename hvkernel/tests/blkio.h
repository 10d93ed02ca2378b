/*
 * The storage suite's requests (test=blk): how it submits them, how it waits for their
 * completion, and what it counts of them for the host.
 *
 * Waiting (blk.wait=): by default the suite waits for the driver's interrupt and never calls
 * its poll function, so every request of every test proves the interrupt path in that
 * configuration (MSI-X, MSI or INTx). blk.wait=poll is the polling configuration: the suite
 * completes requests only by calling the driver's poll function, with interrupts masked on
 * this CPU. A wait that runs out fails the test that waited.
 *
 * Counting: every request the suite saw complete is counted per disk (a partition's requests
 * on its disk), successful and failed apart, as QEMU counts them in query-blockstats; the
 * host compares the two (docs/certify.md, host check qmp.blockstats).
 */
#ifndef HVK_TESTS_BLKIO_H
#define HVK_TESTS_BLKIO_H

#include <stdint.h>

#include <hv/blkdev.h>
#include <kern/ktest.h>

#define BLK_TIMEOUT_US	10000000ull

/* What the suite issued to one disk and saw completed. */
struct blk_counts {
	uint64_t rd_ops, rd_bytes, wr_ops, wr_bytes, fl_ops;
	uint64_t rd_failed, wr_failed, fl_failed;
	uint64_t rd_failed_bytes, wr_failed_bytes;	/* what the failed requests asked for */
};

/* Reads blk.wait= (intr, the default, or poll). -1 with a message when the mode is unknown
 * or bd cannot be driven that way (poll without a poll function). */
int blk_mode_init(struct ktest_ctx *t, struct hv_blkdev *bd);

/* 1 in the polling configuration. */
int blk_mode_polling(void);

/* Submits rq (done and ctx are the caller's), waiting for room while the queue is full. */
int blk_submit(struct hv_blkdev *bd, struct hv_blkreq *rq);

/* Waits until *count >= want, in the configuration's way; 0, or -HV_ETIMEDOUT. */
int blk_wait(struct hv_blkdev *bd, volatile unsigned *count, unsigned want, uint64_t timeout_us);

/* Counts one completed request of bd (rq->status says whether it failed). */
void blk_account(const struct hv_blkdev *bd, const struct hv_blkreq *rq);
/* Counts reads the kernel itself made on bd, in the suite's name: ok of ok_bytes done,
 * failed of failed_bytes failed (a re-attached disk's partition table scan). */
void blk_account_reads(const struct hv_blkdev *bd, uint64_t ok, uint64_t ok_bytes, uint64_t failed,
		       uint64_t failed_bytes);

/* One request, submitted and waited for: its status, -HV_ERANGE, or -HV_ETIMEDOUT (the
 * request stays the driver's; a late completion frees its wrapper). Counted. */
int blk_io(struct hv_blkdev *bd, int op, uint64_t lba, uint32_t n, void *buf, uint64_t bus);

/* The same without the suite's own range check, and not counted (QEMU does not count a
 * request it refuses for its range): what the driver does with a request past the end of
 * its disk (submit's refusal, or the completion's status). */
int blk_io_unchecked(struct hv_blkdev *bd, int op, uint64_t lba, uint32_t n, void *buf,
		     uint64_t bus);

/* The counts of bd's disk (NULL when nothing was counted for it), and one record
 * `blkstats` per disk with its counts, for the host to compare with QEMU's. */
const struct blk_counts *blk_counts_of(const struct hv_blkdev *bd);
void blk_counts_report(void);

/* The disk `now`, registered again under a new name after its driver was detached and
 * attached (blk.soak), counts as the disk `was`: its requests and its driver's reissues go
 * to was's record, which is what the host holds against the one QEMU drive. */
void blk_counts_alias(const char *now, const char *was);

#endif
