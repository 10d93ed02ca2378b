/* certify: QEMU's block statistics against the storage suite's counts (blkstats.h). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "blkstats.h"
#include "qmp.h"

/* The counters compared, by their name in QEMU's BlockDeviceStats (qapi/block-core.json)
 * and in the kernel's record. */
static const struct {
	const char *qemu, *kernel;
	size_t off;
} blkstats_fields[] = {
	{ "rd_operations", "rd_ops", offsetof(struct certify_blkstats, rd_ops) },
	{ "rd_bytes", "rd_bytes", offsetof(struct certify_blkstats, rd_bytes) },
	{ "wr_operations", "wr_ops", offsetof(struct certify_blkstats, wr_ops) },
	{ "wr_bytes", "wr_bytes", offsetof(struct certify_blkstats, wr_bytes) },
	{ "flush_operations", "fl_ops", offsetof(struct certify_blkstats, fl_ops) },
	{ "failed_rd_operations", "rd_failed", offsetof(struct certify_blkstats, rd_failed) },
	{ "failed_wr_operations", "wr_failed", offsetof(struct certify_blkstats, wr_failed) },
	{ "failed_flush_operations", "fl_failed", offsetof(struct certify_blkstats, fl_failed) },
};
#define BLKSTATS_NFIELDS (sizeof(blkstats_fields) / sizeof(blkstats_fields[0]))

static uint64_t *blkstats_at(struct certify_blkstats *s, size_t i)
{
	return (uint64_t *)((char *)s + blkstats_fields[i].off);
}

static uint64_t blkstats_get(const struct certify_blkstats *s, size_t i)
{
	return *(const uint64_t *)((const char *)s + blkstats_fields[i].off);
}

int certify_blkstats_parse(json_object *ret, const char *device, struct certify_blkstats *out,
			   struct certify_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(ret, json_type_array))
		return certify_errf(err, "query-blockstats: the answer is not an array");
	for (size_t i = 0; i < json_object_array_length(ret); i++) {
		json_object *e = json_object_array_get_idx(ret, i), *dev, *stats;

		if (!json_object_object_get_ex(e, "device", &dev) ||
		    !json_object_is_type(dev, json_type_string) ||
		    strcmp(json_object_get_string(dev), device))
			continue;
		if (!json_object_object_get_ex(e, "stats", &stats) ||
		    !json_object_is_type(stats, json_type_object))
			return certify_errf(err, "query-blockstats: drive %s has no stats", device);
		for (size_t f = 0; f < BLKSTATS_NFIELDS; f++) {
			json_object *v;

			if (!json_object_object_get_ex(stats, blkstats_fields[f].qemu, &v) ||
			    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
				return certify_errf(err, "query-blockstats: drive %s: %s missing or not a "
						    "count", device, blkstats_fields[f].qemu);
			*blkstats_at(out, f) = (uint64_t)json_object_get_int64(v);
		}
		return 0;
	}
	return certify_errf(err, "query-blockstats: no drive %s", device);
}

int certify_blkstats_query(struct qmp *q, const char *device, struct certify_blkstats *out,
			   struct certify_err *err)
{
	json_object *ret = NULL;
	int r;

	if (!q)
		return certify_errf(err, "no QMP connection");
	if (qmp_execute(q, "query-blockstats", NULL, &ret, 5.0, err) < 0)
		return -1;
	r = certify_blkstats_parse(ret, device, out, err);
	json_object_put(ret);
	return r;
}

int certify_blkstats_record(const struct hvr_record *rec, struct certify_blkstats *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t f = 0; f < BLKSTATS_NFIELDS; f++)
		if (hvr_get_u64(rec, blkstats_fields[f].kernel, blkstats_at(out, f)) < 0)
			return -1;
	if (hvr_get_u64(rec, "rd_failed_bytes", &out->rd_failed_bytes) < 0 ||
	    hvr_get_u64(rec, "wr_failed_bytes", &out->wr_failed_bytes) < 0)
		return -1;
	if (hvr_get_u64(rec, "rd_reissued", &out->rd_reissued) < 0 ||
	    hvr_get_u64(rec, "rd_reissued_bytes", &out->rd_reissued_bytes) < 0 ||
	    hvr_get_u64(rec, "wr_reissued", &out->wr_reissued) < 0 ||
	    hvr_get_u64(rec, "wr_reissued_bytes", &out->wr_reissued_bytes) < 0 ||
	    hvr_get_u64(rec, "fl_reissued", &out->fl_reissued) < 0)
		return -1;
	if (hvr_get_u64(rec, "block_size", &out->block_size) < 0 ||
	    (out->block_size != 512 && out->block_size != 4096))
		return -1;
	return 0;
}

void certify_blkstats_compare(const struct certify_blkstats *before,
			      const struct certify_blkstats *after, const struct certify_blkstats *kernel,
			      int flushes_uncounted, int failed_as_done, struct certify_hostcheck *c)
{
	struct certify_blkstats d, expect = *kernel;
	const struct certify_blkstats *k = &expect;

	if (failed_as_done) {
		expect.rd_ops += expect.rd_failed, expect.rd_bytes += expect.rd_failed_bytes;
		expect.wr_ops += expect.wr_failed, expect.wr_bytes += expect.wr_failed_bytes;
		expect.rd_failed = expect.wr_failed = 0;
	}
	/* Each reissue is one more operation of the device's, with its bytes (blkstats.h). */
	expect.rd_ops += expect.rd_reissued, expect.rd_bytes += expect.rd_reissued_bytes;
	expect.wr_ops += expect.wr_reissued, expect.wr_bytes += expect.wr_reissued_bytes;
	expect.fl_ops += expect.fl_reissued;

	for (size_t f = 0; f < BLKSTATS_NFIELDS; f++) {
		if (blkstats_get(after, f) < blkstats_get(before, f)) {
			certify_hostcheck_done(c, 0, "QEMU's %s went down from %llu to %llu",
					       blkstats_fields[f].qemu,
					       (unsigned long long)blkstats_get(before, f),
					       (unsigned long long)blkstats_get(after, f));
			return;
		}
		*blkstats_at(&d, f) = blkstats_get(after, f) - blkstats_get(before, f);
	}
	for (size_t f = 0; f < BLKSTATS_NFIELDS; f++) {
		uint64_t host = blkstats_get(&d, f), kern = blkstats_get(k, f);
		int rd = !strcmp(blkstats_fields[f].kernel, "rd_ops");
		int wr = !strcmp(blkstats_fields[f].kernel, "wr_ops");

		if (flushes_uncounted && !strncmp(blkstats_fields[f].kernel, "fl_", 3))
			continue;
		if (!rd && !wr && host != kern) {
			certify_hostcheck_done(c, 0, "QEMU counted %llu %s, the suite %llu",
					       (unsigned long long)host, blkstats_fields[f].qemu,
					       (unsigned long long)kern);
			return;
		}
		/* A request is one or more operations, each of at least one block. */
		uint64_t most = (rd ? k->rd_bytes : k->wr_bytes) / k->block_size;
		if ((rd || wr) && (host < kern || host > most)) {
			certify_hostcheck_done(c, 0, "QEMU counted %llu %s for the suite's %llu %s "
					       "requests (%s)", (unsigned long long)host,
					       blkstats_fields[f].qemu, (unsigned long long)kern,
					       rd ? "read" : "write", host < kern ?
					       "fewer operations than requests" : "more operations than blocks");
			return;
		}
	}
	if (failed_as_done)
		certify_hostcheck_done(c, 1, "QEMU agrees: %llu reads (%llu bytes), %llu writes (%llu "
				       "bytes), %llu flushes, counting the suite's %llu failed reads and "
				       "%llu failed writes as done (the model counts failures so) and the "
				       "driver's %llu reissued reads and %llu reissued writes",
				       (unsigned long long)d.rd_ops, (unsigned long long)d.rd_bytes,
				       (unsigned long long)d.wr_ops, (unsigned long long)d.wr_bytes,
				       (unsigned long long)d.fl_ops, (unsigned long long)kernel->rd_failed,
				       (unsigned long long)kernel->wr_failed,
				       (unsigned long long)kernel->rd_reissued,
				       (unsigned long long)kernel->wr_reissued);
	else if (flushes_uncounted)
		certify_hostcheck_done(c, 1, "QEMU agrees: %llu reads (%llu bytes), %llu writes (%llu "
				       "bytes), failed reads/writes %llu/%llu; flushes not compared (the "
				       "model counts none)", (unsigned long long)d.rd_ops,
				       (unsigned long long)d.rd_bytes, (unsigned long long)d.wr_ops,
				       (unsigned long long)d.wr_bytes, (unsigned long long)d.rd_failed,
				       (unsigned long long)d.wr_failed);
	else
		certify_hostcheck_done(c, 1, "QEMU agrees: %llu reads (%llu bytes), %llu writes (%llu "
				       "bytes), %llu flushes; failed reads/writes/flushes %llu/%llu/%llu",
				       (unsigned long long)d.rd_ops, (unsigned long long)d.rd_bytes,
				       (unsigned long long)d.wr_ops, (unsigned long long)d.wr_bytes,
				       (unsigned long long)d.fl_ops, (unsigned long long)d.rd_failed,
				       (unsigned long long)d.wr_failed, (unsigned long long)d.fl_failed);
}
