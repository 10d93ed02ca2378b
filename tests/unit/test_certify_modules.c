/* Tests for the driver-module parts of certify: `module` records, and the test list's
 * initrd, modules and driver keys. */
#include <stdlib.h>
#include <string.h>

#include "../../certify/hvr.h"
#include "../../certify/hvrrun.h"
#include "../../certify/ktcfg.h"
#include "unit.h"

static void mod_add(struct hvr_run *run, const char *line, int want_rc)
{
	static struct hvr_record rec;
	struct certify_err err;

	CU_ASSERT_EQUAL_FATAL(hvr_parse(line, strlen(line), &rec, &err), 0);
	CU_ASSERT_EQUAL(hvr_run_add(run, &rec, 0.5), want_rc);
}

/* A run with the records the corpus entry expects to see. */
static void mod_run(struct hvr_run *run)
{
	memset(run, 0, sizeof(*run));
	mod_add(run, "HVR1 module file=edu.hvm name=edu version=1.0 vendor=hvkit%20sample "
		"sha256=0b1e76ac size=5208 status=loaded reason= us=12", 0);
	mod_add(run, "HVR1 module file=trunc.hvm name=- version=- vendor=- sha256=aa size=10 "
		"status=refused reason=section%20table%20extends%20past%20the%20end us=3", 0);
	mod_add(run, "HVR1 module file=unresolved.hvm name=unresolved version=1.0 vendor=x "
		"sha256=bb size=900 status=refused reason=unresolved%20symbol%20'hv_nonexistent' us=4", 0);
	mod_add(run, "HVR1 pci slot=0000:00:04.0 vid=1234 did=11e8 svid=1af4 ssid=1100 "
		"class=00ff00 rev=10 hdr=0 driver=edu", 0);
}

static void test_module_record(void)
{
	struct hvr_run run;
	const struct hvr_module *m;

	mod_run(&run);
	CU_ASSERT_EQUAL_FATAL(run.nmodule, 3);
	m = hvr_run_module(&run, "edu.hvm");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->name, "edu");
	CU_ASSERT_STRING_EQUAL(m->vendor, "hvkit sample");
	CU_ASSERT_STRING_EQUAL(m->sha256, "0b1e76ac");
	CU_ASSERT_STRING_EQUAL(m->status, "loaded");
	CU_ASSERT_STRING_EQUAL(m->reason, "");
	CU_ASSERT_EQUAL(m->size, 5208);
	CU_ASSERT_EQUAL(m->us, 12);
	m = hvr_run_module(&run, "trunc.hvm");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->name, "-");
	CU_ASSERT_STRING_EQUAL(m->reason, "section table extends past the end");
	CU_ASSERT_PTR_NULL(hvr_run_module(&run, "nope.hvm"));
	CU_ASSERT_EQUAL(run.nerrors, 0);
	/* A record without a file or with an unknown status is a protocol error. */
	mod_add(&run, "HVR1 module name=x status=loaded", -1);
	mod_add(&run, "HVR1 module file=x.hvm status=maybe", -1);
	CU_ASSERT_EQUAL(run.nerrors, 2);
	CU_ASSERT_EQUAL(run.nmodule, 3);
	hvr_run_free(&run);
}

static const char mod_cfg[] =
	"[corpus]\n"
	"initrd = edu.hvm bad/trunc.hvm,/abs/rival.hvm \\\n"
	"         bad/dup.hvm\n"
	"modules = edu.hvm:loaded trunc.hvm:refused:past_the_end \\\n"
	"          unresolved.hvm:refused:symbol_'hv_nonexistent'\n"
	"driver = 00:04.0:edu 0000:00:05.0:-\n";

static void test_ktcfg_module_keys(void)
{
	struct certify_ktcfg cfg;
	struct certify_err err;
	const struct certify_ktest *t;

	CU_ASSERT_EQUAL_FATAL(certify_ktcfg_parse(mod_cfg, "m.cfg", &cfg, &err), 0);
	t = &cfg.test[0];
	CU_ASSERT_EQUAL_FATAL(t->initrd.n, 4);
	CU_ASSERT_STRING_EQUAL(t->initrd.v[1], "bad/trunc.hvm");
	CU_ASSERT_STRING_EQUAL(t->initrd.v[2], "/abs/rival.hvm");
	CU_ASSERT_EQUAL_FATAL(t->nmodcheck, 3);
	CU_ASSERT_STRING_EQUAL(t->modcheck[0].file, "edu.hvm");
	CU_ASSERT_STRING_EQUAL(t->modcheck[0].status, "loaded");
	CU_ASSERT_STRING_EQUAL(t->modcheck[0].reason, "");
	CU_ASSERT_STRING_EQUAL(t->modcheck[1].reason, "past_the_end");
	CU_ASSERT_EQUAL_FATAL(t->ndrvcheck, 2);
	CU_ASSERT_STRING_EQUAL(t->drvcheck[0].slot, "00:04.0");
	CU_ASSERT_STRING_EQUAL(t->drvcheck[0].driver, "edu");
	CU_ASSERT_STRING_EQUAL(t->drvcheck[1].slot, "0000:00:05.0");
	CU_ASSERT_STRING_EQUAL(t->drvcheck[1].driver, "-");
	certify_ktcfg_free(&cfg);
}

static void test_ktcfg_initrd_join(void)
{
	struct certify_ktcfg cfg;
	struct certify_err err;
	char *s;
	int rc;

	CU_ASSERT_EQUAL_FATAL(certify_ktcfg_parse(mod_cfg, "m.cfg", &cfg, &err), 0);
	s = certify_ktest_initrd(&cfg.test[0], "build/modules", &rc, &err);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(s, "build/modules/edu.hvm,build/modules/bad/trunc.hvm,"
			       "/abs/rival.hvm,build/modules/bad/dup.hvm");
	free(s);
	/* QEMU splits -initrd at commas and a module's name at blanks. */
	s = certify_ktest_initrd(&cfg.test[0], "my modules", &rc, &err);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "m.cfg:1: initrd 'my modules/edu.hvm': QEMU cannot take "
			       "a path with a comma or blank");
	certify_ktcfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(certify_ktcfg_parse("[b]\nmem = 64\n", "m.cfg", &cfg, &err), 0);
	CU_ASSERT_PTR_NULL(certify_ktest_initrd(&cfg.test[0], "x", &rc, &err));
	CU_ASSERT_EQUAL(rc, 0);
	certify_ktcfg_free(&cfg);
}

static int mod_eval(const char *file, const char *status, const char *reason, char *why)
{
	struct certify_modcheck c;
	struct hvr_run run;
	int ok;

	memset(&c, 0, sizeof(c));
	strcpy(c.file, file);
	strcpy(c.status, status);
	strcpy(c.reason, reason);
	mod_run(&run);
	why[0] = '\0';
	ok = certify_modcheck_eval(&c, &run, why, 256);
	hvr_run_free(&run);
	return ok;
}

static void test_modcheck_eval(void)
{
	char why[256];

	CU_ASSERT_EQUAL(mod_eval("edu.hvm", "loaded", "", why), 1);
	CU_ASSERT_EQUAL(mod_eval("trunc.hvm", "refused", "past_the_end", why), 1);
	/* '_' matches a blank or an underscore. */
	CU_ASSERT_EQUAL(mod_eval("unresolved.hvm", "refused", "symbol_'hv_nonexistent'", why), 1);
	CU_ASSERT_EQUAL(mod_eval("trunc.hvm", "refused", "past_the_start", why), 0);
	CU_ASSERT_STRING_EQUAL(why, "trunc.hvm: reason 'section table extends past the end' "
			       "does not contain 'past_the_start'");
	CU_ASSERT_EQUAL(mod_eval("trunc.hvm", "loaded", "", why), 0);
	CU_ASSERT_STRING_EQUAL(why, "trunc.hvm: status refused, expected loaded "
			       "(section table extends past the end)");
	CU_ASSERT_EQUAL(mod_eval("edu.hvm", "skipped", "", why), 0);
	CU_ASSERT_STRING_EQUAL(why, "edu.hvm: status loaded, expected skipped");
	CU_ASSERT_EQUAL(mod_eval("gone.hvm", "loaded", "", why), 0);
	CU_ASSERT_STRING_EQUAL(why, "gone.hvm: no module record");
}

static int drv_eval(const char *slot, const char *driver, char *why)
{
	struct certify_drvcheck c;
	struct hvr_run run;
	int ok;

	memset(&c, 0, sizeof(c));
	strcpy(c.slot, slot);
	strcpy(c.driver, driver);
	mod_run(&run);
	ok = certify_drvcheck_eval(&c, &run, why, 256);
	hvr_run_free(&run);
	return ok;
}

static void test_drvcheck_eval(void)
{
	char why[256];

	CU_ASSERT_EQUAL(drv_eval("00:04.0", "edu", why), 1);
	CU_ASSERT_EQUAL(drv_eval("0000:00:04.0", "edu", why), 1);
	CU_ASSERT_EQUAL(drv_eval("00:04.0", "-", why), 0);
	CU_ASSERT_STRING_EQUAL(why, "0000:00:04.0: driver edu, expected -");
	/* A slot matches whole fields only. */
	CU_ASSERT_EQUAL(drv_eval("0:04.0", "edu", why), 0);
	CU_ASSERT_STRING_EQUAL(why, "0:04.0: no pci record");
}

UNIT_SUITE(certify_modules_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_module_record),
		UNIT_TEST(test_ktcfg_module_keys),
		UNIT_TEST(test_ktcfg_initrd_join),
		UNIT_TEST(test_modcheck_eval),
		UNIT_TEST(test_drvcheck_eval),
		UNIT_TEST_END
	};
	unit_add_suite("certify_modules", NULL, NULL, tests);
}
