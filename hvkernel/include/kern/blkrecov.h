/*
 * Recoveries of storage drivers (DDK 2.1 hv_blkdev_recovery): every abort, reset or
 * timeout a driver performs is counted with the requests it completed through it (their
 * completion came from the recovery, not from the device). The test runner sends one
 * `recovery` record per recovery (docs/result-channel.md) after each test and fails a test
 * in which requests completed that way unless the test asked for it
 * (ktest_expect_recovery): recovery must not hide a lost completion from the verdict.
 */
#ifndef KERN_BLKRECOV_H
#define KERN_BLKRECOV_H

#include <stdint.h>

#include <kern/pci.h>

struct blkrecov_counts {
	uint64_t events, requests;
};

/* A driver's recovery on function d (any context). */
void blkrecov_note(struct pci_dev *d, const char *action, unsigned requests);

/*
 * Requests a driver sent to its device again (DDK 2.2 hv_blkdev_reissue), per disk name
 * (a disk registered again under a new name starts at zero): the device may have run each
 * twice, and QEMU's block statistics count both.
 */
struct blkrecov_reissued {
	uint64_t rd, rd_bytes, wr, wr_bytes, fl;
};
void blkrecov_reissue(const char *disk, int op, uint64_t bytes);
/* 0 and the counts of disk, or -1 when it had none (all zero then). */
int blkrecov_reissued_of(const char *disk, struct blkrecov_reissued *out);

/* Every recovery since boot. */
void blkrecov_get(struct blkrecov_counts *c);

/* One `recovery` record per recovery noted since the last call, naming test (thread
 * context; more than 16 at once are summed in one record). */
void blkrecov_report(const char *test);

#endif
