/*
 * The result channel on COM2 (format: docs/result-channel.md, version 1).
 * A record is built with hvr_begin(), any number of key/value calls, then hvr_end().
 * Records are built in a buffer and written whole, so they never interleave.
 */
#ifndef KERN_HVR_H
#define KERN_HVR_H

#include <stdint.h>

void hvr_init(void);
/* Reads hvr.port= (com2, the default, or com1: records framed among the log lines). */
void hvr_configure(void);
void hvr_begin(const char *record);
void hvr_str(const char *key, const char *value);	/* escaped */
void hvr_u64(const char *key, uint64_t value);
void hvr_hex(const char *key, uint64_t value, int digits);
void hvr_end(void);
/*
 * Announce sync point `point` and wait for "go <point>" from the host. Returns 0, or
 * -HV_ETIMEDOUT after hvr.sync_timeout seconds (default 30).
 */
int hvr_sync(const char *point);

#endif
