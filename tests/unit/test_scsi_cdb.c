/*
 * Tests for the shared SCSI layer's pure part (drivers/scsi/scsi_cdb.c, compiled here as
 * the driver modules compile it): CDB layouts, the choice between READ/WRITE(10) and (16),
 * READ CAPACITY and REPORT LUNS parsing, LUN addressing, fixed and descriptor sense data,
 * and the mapping of a finished command to an HV_E* code.
 */
#include <string.h>

#include "../../drivers/scsi/scsi_cdb.c"
#include "unit.h"

static void test_scsi_cdb_small(void)
{
	uint8_t cdb[16];
	static const uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	static const uint8_t rs[6] = { 0x03, 0, 0, 0, 96, 0 };
	static const uint8_t rl[12] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x08, 0, 0 };
	static const uint8_t rc16[16] = { 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0 };

	CU_ASSERT_EQUAL(scsi_cdb_test_unit_ready(cdb), 6);
	CU_ASSERT_EQUAL(cdb[0], 0x00);
	CU_ASSERT_EQUAL(scsi_cdb_inquiry(cdb, 36), 6);
	CU_ASSERT_EQUAL(memcmp(cdb, inq, 6), 0);
	CU_ASSERT_EQUAL(scsi_cdb_request_sense(cdb, 96), 6);
	CU_ASSERT_EQUAL(memcmp(cdb, rs, 6), 0);
	CU_ASSERT_EQUAL(scsi_cdb_report_luns(cdb, 264), 12);
	CU_ASSERT_EQUAL(memcmp(cdb, rl, 12), 0);
	CU_ASSERT_EQUAL(scsi_cdb_read_capacity10(cdb), 10);
	CU_ASSERT_EQUAL(cdb[0], 0x25);
	CU_ASSERT_EQUAL(scsi_cdb_read_capacity16(cdb, 32), 16);
	CU_ASSERT_EQUAL(memcmp(cdb, rc16, 16), 0);
	CU_ASSERT_EQUAL(scsi_cdb_sync_cache(cdb), 10);
	CU_ASSERT_EQUAL(cdb[0], 0x35);
	for (int i = 1; i < 10; i++)
		CU_ASSERT_EQUAL(cdb[i], 0);	/* whole medium, IMMED off */
}

static void test_scsi_cdb_rw(void)
{
	uint8_t cdb[16];
	static const uint8_t r10[10] = { 0x28, 0, 0x12, 0x34, 0x56, 0x78, 0, 0x08, 0x00, 0 };
	static const uint8_t w16[16] = { 0x8a, 0, 0, 0, 0, 0x01, 0, 0, 0, 0x05, 0, 0, 0, 0x10, 0, 0 };

	CU_ASSERT_EQUAL(scsi_cdb_rw(cdb, 0, 0x12345678, 0x800), 10);
	CU_ASSERT_EQUAL(memcmp(cdb, r10, 10), 0);
	CU_ASSERT_EQUAL(scsi_cdb_rw(cdb, 1, 0, 1), 10);
	CU_ASSERT_EQUAL(cdb[0], 0x2a);
	/* The last block addressable by (10) is still (10); one more block is (16). */
	CU_ASSERT_EQUAL(scsi_cdb_rw(cdb, 0, 0xffffffffull, 1), 10);
	CU_ASSERT_EQUAL(scsi_cdb_rw(cdb, 0, 0xfffffffeull, 2), 10);
	CU_ASSERT_EQUAL(scsi_cdb_rw(cdb, 0, 0xfffffffeull, 3), 16);
	CU_ASSERT_EQUAL(cdb[0], 0x88);
	CU_ASSERT_EQUAL(scsi_cdb_rw(cdb, 1, 0x100000005ull, 16), 16);
	CU_ASSERT_EQUAL(memcmp(cdb, w16, 16), 0);
	/* A count beyond 16 bits needs (16) at any LBA. */
	CU_ASSERT_EQUAL(scsi_cdb_rw(cdb, 0, 0, 0xffff), 10);
	CU_ASSERT_EQUAL(scsi_cdb_rw(cdb, 0, 0, 0x10000), 16);
	CU_ASSERT_EQUAL(cdb[10], 0);
	CU_ASSERT_EQUAL(cdb[11], 1);
	CU_ASSERT_EQUAL(cdb[12], 0);
	CU_ASSERT_EQUAL(cdb[13], 0);
}

static void test_scsi_parse_capacity(void)
{
	static const uint8_t rc10[8] = { 0x00, 0x01, 0xff, 0xff, 0, 0, 0x02, 0x00 };
	static const uint8_t rc16[32] = { 0, 0, 0x02, 0, 0, 0, 0, 0x0f, 0, 0, 0x10, 0 };
	uint64_t n;
	uint32_t bs;

	scsi_parse_capacity10(rc10, &n, &bs);
	CU_ASSERT_EQUAL(n, 0x20000);
	CU_ASSERT_EQUAL(bs, 512);
	scsi_parse_capacity16(rc16, &n, &bs);
	CU_ASSERT_EQUAL(n, 0x20000000010ull);	/* 2 TiB+ of 4 KiB blocks: beyond (10) */
	CU_ASSERT_EQUAL(bs, 4096);
}

static void test_scsi_report_luns(void)
{
	uint8_t d[40] = { 0, 0, 0, 24 };
	uint8_t luns[4][8];

	d[8 + 1] = 0;
	d[16 + 1] = 3;
	d[24 + 0] = 0x40 | 0x01;	/* flat space LUN 0x105 */
	d[24 + 1] = 0x05;
	CU_ASSERT_EQUAL(scsi_parse_report_luns(d, sizeof(d), luns, 4), 3);
	CU_ASSERT_EQUAL(scsi_lun_id(luns[0]), 0);
	CU_ASSERT_EQUAL(scsi_lun_id(luns[1]), 3);
	CU_ASSERT_EQUAL(scsi_lun_id(luns[2]), 0x105);
	/* Only what arrived counts, and at most max entries. */
	CU_ASSERT_EQUAL(scsi_parse_report_luns(d, 16, luns, 4), 1);
	CU_ASSERT_EQUAL(scsi_parse_report_luns(d, sizeof(d), luns, 2), 2);
	CU_ASSERT_EQUAL(scsi_parse_report_luns(d, 4, luns, 4), 0);
	d[3] = 0xff;	/* a list length beyond the data */
	CU_ASSERT_EQUAL(scsi_parse_report_luns(d, sizeof(d), luns, 4), 4);
}

static void test_scsi_lun_addressing(void)
{
	uint8_t lun[8];
	static const uint8_t odd[8] = { 0xc0, 1, 0, 0, 0, 0, 0, 0 };

	for (unsigned id = 0; id < 16384; id += 37) {
		scsi_lun_from_id(lun, (uint16_t)id);
		CU_ASSERT_EQUAL(scsi_lun_id(lun), id);
	}
	scsi_lun_from_id(lun, 7);
	CU_ASSERT_EQUAL(lun[0], 0);
	CU_ASSERT_EQUAL(lun[1], 7);	/* what QEMU's pvscsi takes: lun[1], the rest zero */
	CU_ASSERT_EQUAL(scsi_lun_id(odd), 0xffff);
}

static void test_scsi_sense(void)
{
	uint8_t fixed[18] = { 0xf0, 0, 0x03, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x11, 0x00 };
	uint8_t desc[8] = { 0x72, 0x05, 0x21, 0x00, 0, 0, 0, 0 };
	uint8_t shortfix[8] = { 0x70, 0, 0x06, 0, 0, 0, 0, 0 };
	uint8_t junk[18] = { 0x12, 0x05, 0x21 };
	struct scsi_sense s;

	s = scsi_sense_decode(fixed, sizeof(fixed));	/* VALID bit set: still fixed */
	CU_ASSERT(s.valid && s.key == SCSI_SK_MEDIUM_ERROR && s.asc == 0x11 && s.ascq == 0);
	s = scsi_sense_decode(desc, sizeof(desc));
	CU_ASSERT(s.valid && s.key == SCSI_SK_ILLEGAL_REQUEST && s.asc == 0x21);
	s = scsi_sense_decode(shortfix, sizeof(shortfix));
	CU_ASSERT(s.valid && s.key == SCSI_SK_UNIT_ATTENTION && s.asc == 0 && s.ascq == 0);
	CU_ASSERT_FALSE(scsi_sense_decode(junk, sizeof(junk)).valid);
	CU_ASSERT_FALSE(scsi_sense_decode(fixed, 2).valid);
	CU_ASSERT_FALSE(scsi_sense_decode(fixed, 0).valid);
}

static int scsi_errno_of(uint8_t host, uint8_t status, uint8_t key, uint8_t asc)
{
	struct scsi_cmd c;

	memset(&c, 0, sizeof(c));
	c.host = host;
	c.status = status;
	if (status == SCSI_STATUS_CHECK_CONDITION && key != 0xff) {
		c.sense[0] = 0x70;
		c.sense[2] = key;
		c.sense[7] = 10;
		c.sense[12] = asc;
		c.sense_len = 18;
	}
	return scsi_cmd_errno(&c);
}

static void test_scsi_errno(void)
{
	const uint8_t CC = SCSI_STATUS_CHECK_CONDITION;

	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_NO_TARGET, 0, 0, 0), -HV_ENODEV);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_ABORTED, 0, 0, 0), -HV_ETIMEDOUT);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_RESET, 0, 0, 0), -HV_EAGAIN);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_ERROR, 0, 0, 0), -HV_EIO);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_GONE, 0, 0, 0), -HV_ENODEV);
	/* QEMU's answer to a host EIO: ABORTED COMMAND, I/O PROCESS TERMINATED. */
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, CC, SCSI_SK_ABORTED_COMMAND, 0), -HV_EIO);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, CC, SCSI_SK_MEDIUM_ERROR, 0x11), -HV_EIO);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, CC, SCSI_SK_RECOVERED_ERROR, 0), 0);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, CC, SCSI_SK_UNIT_ATTENTION, 0x29), -HV_EAGAIN);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, CC, SCSI_SK_ILLEGAL_REQUEST, 0x21), -HV_ERANGE);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, CC, SCSI_SK_ILLEGAL_REQUEST, 0x20), -HV_ENOTSUP);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, CC, SCSI_SK_ILLEGAL_REQUEST, 0x24), -HV_EINVAL);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, CC, SCSI_SK_NOT_READY, 0x3a), -HV_ENODEV);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, CC, SCSI_SK_NOT_READY, 0x04), -HV_EBUSY);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, CC, SCSI_SK_DATA_PROTECT, 0x27), -HV_EPERM);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, CC, 0xff, 0), -HV_EIO);	/* no sense */
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, SCSI_STATUS_BUSY, 0, 0), -HV_EAGAIN);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, SCSI_STATUS_TASK_SET_FULL, 0, 0), -HV_EAGAIN);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, SCSI_STATUS_RESERVATION_CONFLICT, 0, 0), -HV_EBUSY);
	CU_ASSERT_EQUAL(scsi_errno_of(SCSI_HOST_OK, SCSI_STATUS_TASK_ABORTED, 0, 0), -HV_EIO);
}

static void test_scsi_ascii(void)
{
	static const uint8_t v[8] = { 'Q', 'E', 'M', 'U', ' ', ' ', ' ', ' ' };
	static const uint8_t bad[4] = { 'A', 0x01, 'B', 'C' };
	char out[9];

	scsi_ascii(out, v, 8);
	CU_ASSERT_STRING_EQUAL(out, "QEMU");
	scsi_ascii(out, bad, 4);
	CU_ASSERT_STRING_EQUAL(out, "A");
}

UNIT_SUITE(scsi_cdb_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_scsi_cdb_small),
		UNIT_TEST(test_scsi_cdb_rw),
		UNIT_TEST(test_scsi_parse_capacity),
		UNIT_TEST(test_scsi_report_luns),
		UNIT_TEST(test_scsi_lun_addressing),
		UNIT_TEST(test_scsi_sense),
		UNIT_TEST(test_scsi_errno),
		UNIT_TEST(test_scsi_ascii),
		UNIT_TEST_END
	};
	unit_add_suite("scsi_cdb", NULL, NULL, tests);
}
