/* The host check nic.mac (certify/macverify.c): the NICs certify gives a mac=, mapped to
 * PCI slots by query-pci's qdev_id, compared with the kernel's netdev records. Each way it
 * must fail is tried: a wrong MAC, a NIC that never reported, no map at all. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "../../certify/macverify.h"
#include "../../certify/models.h"
#include "unit.h"

static const char macverify_pci[] =
	"[{\"bus\":0,\"devices\":["
	"{\"bus\":0,\"slot\":2,\"function\":0,\"class_info\":{\"class\":512},"
	" \"id\":{\"vendor\":32902,\"device\":4110},\"qdev_id\":\"n0a\"},"
	"{\"bus\":0,\"slot\":3,\"function\":0,\"class_info\":{\"class\":512},"
	" \"id\":{\"vendor\":32902,\"device\":4110},\"qdev_id\":\"n0b\"},"
	"{\"bus\":0,\"slot\":0,\"function\":0,\"class_info\":{\"class\":1536},"
	" \"id\":{\"vendor\":32902,\"device\":4663},\"qdev_id\":\"\"}]}]";

static void macverify_setup(struct certify_macverify *m, struct certify_plan *p,
			    struct certify_run_spec *spec, int map)
{
	struct certify_err err;

	memset(p, 0, sizeof(*p));
	memset(spec, 0, sizeof(*spec));
	p->topology = CERTIFY_TOPO_NIC_PAIR;
	spec->plan = p;
	spec->ndut = 1;
	strcpy(spec->dut[0].model, "e1000");
	spec->dut[0].m = certify_model_find("e1000");
	certify_macverify_init(m, spec);
	if (map) {
		json_object *j = json_tokener_parse(macverify_pci);
		CU_ASSERT_EQUAL(certify_macverify_map(m, j, &err), 0);
		json_object_put(j);
	}
}

static void test_macverify(void)
{
	struct certify_macverify m;
	struct certify_plan p;
	struct certify_run_spec spec;
	struct certify_hostcheck c;

	macverify_setup(&m, &p, &spec, 1);
	CU_ASSERT_EQUAL_FATAL(m.n, 2);
	CU_ASSERT_STRING_EQUAL(m.nic[0].mac, "52:54:00:12:00:01");
	CU_ASSERT_STRING_EQUAL(m.nic[1].slot, "0000:00:03.0");
	certify_macverify_record(&m, "vmnic0", "0000:00:02.0", "52:54:00:12:00:01");
	certify_macverify_record(&m, "vmnic1", "0000:00:03.0", "52:54:00:12:00:02");
	certify_macverify_record(&m, "vmnic2", "0000:00:02.0", "52:54:00:12:00:01");
	memset(&c, 0, sizeof(c));
	certify_macverify_check(&m, &c);
	CU_ASSERT(c.ran && c.ok);
	certify_macverify_free(&m);

	/* the bytes of a word swapped (e1000-wrong-mac reads the EEPROM so) */
	macverify_setup(&m, &p, &spec, 1);
	certify_macverify_record(&m, "vmnic0", "0000:00:02.0", "54:52:12:00:01:00");
	certify_macverify_record(&m, "vmnic1", "0000:00:03.0", "52:54:00:12:00:02");
	memset(&c, 0, sizeof(c));
	certify_macverify_check(&m, &c);
	CU_ASSERT(c.ran && !c.ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.msg, "reports MAC 54:52:12:00:01:00, QEMU was given 52:54:00:12:00:01"));
	certify_macverify_free(&m);

	/* right once, wrong on a later registration (a rebind) */
	macverify_setup(&m, &p, &spec, 1);
	certify_macverify_record(&m, "vmnic0", "0000:00:02.0", "52:54:00:12:00:01");
	certify_macverify_record(&m, "vmnic1", "0000:00:03.0", "52:54:00:12:00:02");
	certify_macverify_record(&m, "vmnic2", "0000:00:02.0", "52:54:00:12:00:0");
	memset(&c, 0, sizeof(c));
	certify_macverify_check(&m, &c);
	CU_ASSERT(c.ran && !c.ok);
	certify_macverify_free(&m);

	/* B never registered */
	macverify_setup(&m, &p, &spec, 1);
	certify_macverify_record(&m, "vmnic0", "0000:00:02.0", "52:54:00:12:00:01");
	memset(&c, 0, sizeof(c));
	certify_macverify_check(&m, &c);
	CU_ASSERT(c.ran && !c.ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.msg, "n0b at 0000:00:03.0 (mac=52:54:00:12:00:02) registered no netdev"));
	certify_macverify_free(&m);

	/* never mapped: not run, never a pass */
	macverify_setup(&m, &p, &spec, 0);
	certify_macverify_record(&m, "vmnic0", "0000:00:02.0", "52:54:00:12:00:01");
	memset(&c, 0, sizeof(c));
	certify_macverify_check(&m, &c);
	CU_ASSERT(!c.ran && !c.ok);
	certify_macverify_free(&m);
}

/* A query-pci answer without one of the NICs cannot be mapped. */
static void test_macverify_unmapped(void)
{
	struct certify_macverify m;
	struct certify_plan p;
	struct certify_run_spec spec;
	struct certify_err err;
	json_object *j = json_tokener_parse("[{\"bus\":0,\"devices\":["
		"{\"bus\":0,\"slot\":2,\"function\":0,\"class_info\":{\"class\":512},"
		" \"id\":{\"vendor\":32902,\"device\":4110},\"qdev_id\":\"n0a\"}]}]");

	macverify_setup(&m, &p, &spec, 0);
	CU_ASSERT_EQUAL(certify_macverify_map(&m, j, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no device with id n0b"));
	CU_ASSERT_FALSE(m.mapped);
	json_object_put(j);
	certify_macverify_free(&m);
}

UNIT_SUITE(certify_macverify_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_macverify),
		UNIT_TEST(test_macverify_unmapped),
		UNIT_TEST_END
	};
	unit_add_suite("certify_macverify", NULL, NULL, tests);
}
