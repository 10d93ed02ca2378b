/* Tests for certify/vfio: the --host-device address (the sysfs side is tests/certify/vfio-test.sh). */
#include <string.h>

#include "../../certify/vfio.h"
#include "unit.h"

static void test_vfio_parse(void)
{
	struct certify_err err;
	char a[16];

	CU_ASSERT_EQUAL(certify_vfio_parse("0000:01:00.0", a, &err), 0);
	CU_ASSERT_STRING_EQUAL(a, "0000:01:00.0");
	CU_ASSERT_EQUAL(certify_vfio_parse("0001:AF:1f.7", a, &err), 0);
	CU_ASSERT_STRING_EQUAL(a, "0001:af:1f.7");	/* sysfs names are lower case */
	CU_ASSERT_EQUAL(certify_vfio_parse("0000:01:20.0", a, &err), -1);	/* device > 31 */
	CU_ASSERT_EQUAL(certify_vfio_parse("0000:01:00.8", a, &err), -1);	/* function > 7 */
	CU_ASSERT_EQUAL(certify_vfio_parse("01:00.0", a, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "--host-device 01:00.0: expected DOMAIN:BUS:DEV.FN in hex, "
			       "e.g. 0000:01:00.0");
	CU_ASSERT_EQUAL(certify_vfio_parse("0000:01:00.0 ", a, &err), -1);
	CU_ASSERT_EQUAL(certify_vfio_parse("0000:1:00.0", a, &err), -1);
	CU_ASSERT_EQUAL(certify_vfio_parse("0000:01:0g.0", a, &err), -1);
	CU_ASSERT_EQUAL(certify_vfio_parse("", a, &err), -1);
}

UNIT_SUITE(certify_vfio_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_vfio_parse),
		UNIT_TEST_END
	};
	unit_add_suite("certify_vfio", NULL, NULL, tests);
}
