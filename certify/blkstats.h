/*
 * certify: QEMU's block statistics of one drive against what the storage suite issued
 * (host check qmp.blockstats, docs/certify.md). The kernel counts every request it saw
 * complete (record `blkstats`, docs/result-channel.md); the host takes query-blockstats at
 * sync point blkstats-start, before the suite's first request, and again at blkstats, and
 * compares the difference:
 *   - bytes read and written, flushes, and failed reads, writes and flushes: exactly;
 *   - read and write operations: at least one per request and at most one per block (a
 *     driver may split a request at its controller's transfer limit, which only the
 *     driver knows), exactly when no request was split (then ops equal requests).
 * A flush the driver completed without sending shows as a flush QEMU never saw. A request
 * the driver sent again after a reset (it reports each, DDK 2.2) is one more operation with
 * its bytes, done: the drivers reissue only on ich9-ahci, whose model counts a failed
 * attempt as done too (failed_as_done), so a reissue adds exactly its bytes either way.
 */
#ifndef CERTIFY_BLKSTATS_H
#define CERTIFY_BLKSTATS_H

#include <stdint.h>

#include <json-c/json.h>

#include "err.h"
#include "hostcheck.h"
#include "hvr.h"

struct qmp;

struct certify_blkstats {
	uint64_t rd_ops, rd_bytes, wr_ops, wr_bytes, fl_ops;
	uint64_t rd_failed, wr_failed, fl_failed;
	uint64_t block_size;		/* the kernel's record only */
	uint64_t rd_failed_bytes, wr_failed_bytes;	/* the kernel's record only */
	/* The kernel's record only: requests the driver sent to the device again (DDK 2.2
	 * hv_blkdev_reissue), each one more operation QEMU counts. */
	uint64_t rd_reissued, rd_reissued_bytes, wr_reissued, wr_reissued_bytes, fl_reissued;
};

/* The entry of drive `device` (its -drive id) in query-blockstats' return value (an
 * array). 0, or -1 with a message when it is absent or a counter is missing. */
int certify_blkstats_parse(json_object *ret, const char *device, struct certify_blkstats *out,
			   struct certify_err *err);

/* Runs query-blockstats and parses the entry of `device`. 0 or -1 (err says why). */
int certify_blkstats_query(struct qmp *q, const char *device, struct certify_blkstats *out,
			   struct certify_err *err);

/* A kernel `blkstats` record. 0, or -1 when a field is missing or not a number. */
int certify_blkstats_record(const struct hvr_record *rec, struct certify_blkstats *out);

/* QEMU's difference after - before against the kernel's counts k: fills c (ran, ok or
 * not, the first disagreement or a summary). flushes_uncounted: the device model does not
 * count flushes (models.h); flushes, done or failed, are then not compared, and the
 * message says so. failed_as_done: the model counts a failed read or write as a done one
 * (models.h); the kernel's failures are then expected among QEMU's done operations and
 * bytes, and QEMU must count no failed read or write. */
void certify_blkstats_compare(const struct certify_blkstats *before,
			      const struct certify_blkstats *after, const struct certify_blkstats *k,
			      int flushes_uncounted, int failed_as_done, struct certify_hostcheck *c);

#endif
