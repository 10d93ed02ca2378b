/* The storage soak (blk.soak, hvkernel/tests/blk_soak.c). */
#ifndef HVK_TESTS_BLK_SOAK_H
#define HVK_TESTS_BLK_SOAK_H

#include <stdint.h>

#include <hv/blkdev.h>
#include <kern/ktest.h>

/* Mixed reads, writes and flushes at full queue depth over the whole of bd for `seconds`,
 * generations and planted errors checked per completion; metrics requests, bytes and the
 * longest wait for a completion. */
enum ktest_status blk_soak_run(struct ktest_ctx *t, struct hv_blkdev *bd, uint64_t seconds);

#endif
