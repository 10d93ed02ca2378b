/* QEMU's block statistics against the storage suite's counts (certify/blkstats.c): the
 * parser of query-blockstats, the kernel's record, and every way the comparison fails. */
#include <string.h>
#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include "../../certify/blkstats.h"
#include "unit.h"

static const char *bs_reply =
	"[{\"device\":\"d1\",\"stats\":{}},"
	"{\"device\":\"d0\",\"stats\":{\"rd_operations\":10,\"rd_bytes\":40960,\"wr_operations\":4,"
	"\"wr_bytes\":8192,\"flush_operations\":2,\"failed_rd_operations\":1,"
	"\"failed_wr_operations\":0,\"failed_flush_operations\":1,\"wr_highest_offset\":0}}]";

static void test_blkstats_parse(void)
{
	json_object *ret = json_tokener_parse(bs_reply);
	struct certify_blkstats s;
	struct certify_err err;

	CU_ASSERT_EQUAL(certify_blkstats_parse(ret, "d0", &s, &err), 0);
	CU_ASSERT(s.rd_ops == 10 && s.rd_bytes == 40960 && s.wr_ops == 4 && s.wr_bytes == 8192);
	CU_ASSERT(s.fl_ops == 2 && s.rd_failed == 1 && s.wr_failed == 0 && s.fl_failed == 1);
	CU_ASSERT_EQUAL(certify_blkstats_parse(ret, "d9", &s, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no drive d9"));
	CU_ASSERT_EQUAL(certify_blkstats_parse(ret, "d1", &s, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "rd_operations missing"));
	json_object_put(ret);
	ret = json_tokener_parse("{\"device\":\"d0\"}");
	CU_ASSERT_EQUAL(certify_blkstats_parse(ret, "d0", &s, &err), -1);
	json_object_put(ret);
	ret = json_tokener_parse("[{\"device\":\"d0\",\"stats\":{\"rd_operations\":-1}}]");
	CU_ASSERT_EQUAL(certify_blkstats_parse(ret, "d0", &s, &err), -1);
	json_object_put(ret);
}

static void test_blkstats_record(void)
{
	struct hvr_record rec;
	struct certify_blkstats k;
	struct certify_err err;
	const char *line = "HVR1 blkstats dev=vmhba0 block_size=512 rd_ops=3 rd_bytes=4096 wr_ops=2 "
			   "wr_bytes=1024 fl_ops=1 rd_failed=0 wr_failed=1 fl_failed=0 rd_failed_bytes=0 wr_failed_bytes=512 "
			   "rd_reissued=0 rd_reissued_bytes=0 wr_reissued=1 wr_reissued_bytes=512 fl_reissued=0";

	CU_ASSERT_EQUAL_FATAL(hvr_parse(line, strlen(line), &rec, &err), 0);
	CU_ASSERT_EQUAL(certify_blkstats_record(&rec, &k), 0);
	CU_ASSERT(k.rd_ops == 3 && k.wr_bytes == 1024 && k.wr_failed == 1 && k.block_size == 512);
	CU_ASSERT(k.wr_failed_bytes == 512 && k.wr_reissued == 1 && k.wr_reissued_bytes == 512);
	line = "HVR1 blkstats dev=vmhba0 block_size=500 rd_ops=3 rd_bytes=4096 wr_ops=2 "
	       "wr_bytes=1024 fl_ops=1 rd_failed=0 wr_failed=1 fl_failed=0 rd_failed_bytes=0 wr_failed_bytes=512";
	CU_ASSERT_EQUAL_FATAL(hvr_parse(line, strlen(line), &rec, &err), 0);
	CU_ASSERT_EQUAL(certify_blkstats_record(&rec, &k), -1);
	/* A kernel that does not say what its driver reissued. */
	line = "HVR1 blkstats dev=vmhba0 block_size=512 rd_ops=3 rd_bytes=4096 wr_ops=2 "
	       "wr_bytes=1024 fl_ops=1 rd_failed=0 wr_failed=1 fl_failed=0 rd_failed_bytes=0 wr_failed_bytes=512";
	CU_ASSERT_EQUAL_FATAL(hvr_parse(line, strlen(line), &rec, &err), 0);
	CU_ASSERT_EQUAL(certify_blkstats_record(&rec, &k), -1);
	line = "HVR1 blkstats dev=vmhba0 block_size=512 rd_ops=3";
	CU_ASSERT_EQUAL_FATAL(hvr_parse(line, strlen(line), &rec, &err), 0);
	CU_ASSERT_EQUAL(certify_blkstats_record(&rec, &k), -1);
}

/* The kernel: 4 reads of 8 blocks, 2 writes of 1 block, 3 flushes, one failed read. */
static const struct certify_blkstats bs_kernel = {
	.rd_ops = 4, .rd_bytes = 4 * 4096, .wr_ops = 2, .wr_bytes = 1024, .fl_ops = 3,
	.rd_failed = 1, .rd_failed_bytes = 4096, .block_size = 512,
};

/* The kernel's counts the next comparison uses. */
static const struct certify_blkstats *bs_kp = &bs_kernel;

static int bs_compare_q(struct certify_blkstats after, int uncounted, int failed_as_done, char *msg)
{
	const struct certify_blkstats before = { .rd_ops = 100, .rd_bytes = 1000000, .wr_ops = 7,
						 .wr_bytes = 7000, .fl_ops = 5, .fl_failed = 2 };
	struct certify_hostcheck c = { .name = "qmp.blockstats" };

	after.rd_ops += before.rd_ops, after.rd_bytes += before.rd_bytes;
	after.wr_ops += before.wr_ops, after.wr_bytes += before.wr_bytes;
	after.fl_ops += before.fl_ops, after.fl_failed += before.fl_failed;
	certify_blkstats_compare(&before, &after, bs_kp, uncounted, failed_as_done, &c);
	CU_ASSERT_EQUAL(c.ran, 1);
	strcpy(msg, c.msg);
	return c.ok;
}

static int bs_compare(struct certify_blkstats after, int uncounted, char *msg)
{
	return bs_compare_q(after, uncounted, 0, msg);
}

static void test_blkstats_compare(void)
{
	struct certify_blkstats d = bs_kernel;
	char msg[256];

	CU_ASSERT_EQUAL(bs_compare(d, 0, msg), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "QEMU agrees: 4 reads (16384 bytes)"));
	/* The driver split each read in two: still at most one operation per block. */
	d.rd_ops = 8;
	CU_ASSERT_EQUAL(bs_compare(d, 0, msg), 1);
	d.rd_ops = 33;		/* more operations than the 32 blocks read */
	CU_ASSERT_EQUAL(bs_compare(d, 0, msg), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "more operations than blocks"));
	d.rd_ops = 3;		/* a read completed that the device never did */
	CU_ASSERT_EQUAL(bs_compare(d, 0, msg), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "QEMU counted 3 rd_operations for the suite's 4 read requests"));
	d = bs_kernel;
	d.fl_ops = 2;		/* a flush dropped by the driver */
	CU_ASSERT_EQUAL(bs_compare(d, 0, msg), 0);
	CU_ASSERT_STRING_EQUAL(msg, "QEMU counted 2 flush_operations, the suite 3");
	CU_ASSERT_EQUAL(bs_compare(d, 1, msg), 1);	/* a model that counts no flushes */
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "not compared"));
	d = bs_kernel;
	d.wr_bytes += 512;	/* a block written twice, or a write longer than asked */
	CU_ASSERT_EQUAL(bs_compare(d, 0, msg), 0);
	CU_ASSERT_STRING_EQUAL(msg, "QEMU counted 1536 wr_bytes, the suite 1024");
	d = bs_kernel;
	d.rd_failed = 0;	/* an error the kernel says it saw, the device never gave */
	CU_ASSERT_EQUAL(bs_compare(d, 0, msg), 0);
	d = bs_kernel;
	d.fl_failed = 1;	/* the device failed a flush the kernel counted as done */
	CU_ASSERT_EQUAL(bs_compare(d, 0, msg), 0);
	CU_ASSERT_STRING_EQUAL(msg, "QEMU counted 1 failed_flush_operations, the suite 0");

	/* A model that counts a failed read as done (ich9-ahci): the failed 8-block read is
	 * one more done operation with its 4096 bytes, and QEMU counts no failure. */
	d = bs_kernel;
	d.rd_ops = 5, d.rd_bytes += 4096, d.rd_failed = 0;
	CU_ASSERT_EQUAL(bs_compare_q(d, 0, 1, msg), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "counting the suite's 1 failed reads and 0 failed writes as done"));
	CU_ASSERT_EQUAL(bs_compare(d, 0, msg), 0);	/* without the quirk it disagrees */
	d.rd_bytes -= 512;	/* the failed read's bytes short by a block */
	CU_ASSERT_EQUAL(bs_compare_q(d, 0, 1, msg), 0);
	CU_ASSERT_STRING_EQUAL(msg, "QEMU counted 19968 rd_bytes, the suite 20480");
	d = bs_kernel;
	d.rd_ops = 5, d.rd_bytes += 4096;	/* and counts the failure as failed too */
	CU_ASSERT_EQUAL(bs_compare_q(d, 0, 1, msg), 0);
	CU_ASSERT_STRING_EQUAL(msg, "QEMU counted 1 failed_rd_operations, the suite 0");

	/* The driver reissued one 8-block read after a reset (DDK 2.2): the device did it
	 * twice, and QEMU's count holds both. */
	struct certify_blkstats k = bs_kernel;
	k.rd_reissued = 1, k.rd_reissued_bytes = 4096;
	bs_kp = &k;
	d = bs_kernel;
	d.rd_ops = 6, d.rd_bytes += 2 * 4096, d.rd_failed = 0;
	CU_ASSERT_EQUAL(bs_compare_q(d, 0, 1, msg), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "the driver's 1 reissued reads and 0 reissued writes"));
	d.rd_ops = 5, d.rd_bytes -= 4096;	/* a reissue reported that never reached the device */
	CU_ASSERT_EQUAL(bs_compare_q(d, 0, 1, msg), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "QEMU counted 5 rd_operations for the suite's 6 read requests"));
	bs_kp = &bs_kernel;	/* and a reissue not reported: the device did more */
	d.rd_ops = 6, d.rd_bytes += 4096;
	CU_ASSERT_EQUAL(bs_compare_q(d, 0, 1, msg), 0);
	CU_ASSERT_STRING_EQUAL(msg, "QEMU counted 24576 rd_bytes, the suite 20480");
}

UNIT_SUITE(certify_blkstats)
{
	CU_pSuite s = CU_add_suite("certify_blkstats", NULL, NULL);
	CU_add_test(s, "blkstats parse", test_blkstats_parse);
	CU_add_test(s, "blkstats record", test_blkstats_record);
	CU_add_test(s, "blkstats compare", test_blkstats_compare);
}
