/*
 * Tests for the strict JSON reader (hcl/hcl_json.c) as the list reads it, the canonical form
 * a list signature covers (hcl/hcl_canon.c) and signed lists recognised by parsing
 * (hcl/hcl_sign.c): re-serialised envelopes verify, changed content does not, and lists and
 * hcl.bin files signed by the previous format still verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "../../hcl/hcl.h"
#include "../../hcl/hcl_key.h"
#include "../../hcl/hcl_json.h"
#include "unit.h"

#define HP_HEAD "{\"schema_version\":1,\"generated\":\"2026-11-20T09:00:00Z\",\"releases\":[\"0.1.0\"],\"entries\":["
#define HP_CERT "{\"driver\":\"e1000\",\"driver_version\":\"1.0.0\",\"firmware\":null,\"features\":[\"msi\"],\"certified\":\"2026-11-18\",\"runs\":[\"run-1\"],\"status\":\"certified\"}"
#define HP_ENTRY "{\"vid\":\"8086\",\"did\":\"100e\",\"svid\":\"*\",\"ssid\":\"*\",\"vendor\":\"Intel\",\"model\":\"82540EM\",\"type\":\"nic\",\"releases\":{\"0.1.0\":" HP_CERT "}}"

/* The eight-bytes-at-a-time scan against the byte rule, for every byte value at every place
 * of runs of every length up to 24 (a word, a word and a part, the tail alone). */
static void test_hcl_json_plain_run(void)
{
	unsigned char buf[24];
	size_t bad = 0;

	for (size_t len = 0; len <= sizeof(buf); len++)
		for (size_t at = 0; at < len; at++)
			for (int v = 0; v < 256; v++) {
				size_t want = 0;

				memset(buf, 'a', sizeof(buf));
				buf[at] = (unsigned char)v;
				while (want < len && buf[want] >= 0x20 && buf[want] <= 0x7f &&
				       buf[want] != '"' && buf[want] != '\\')
					want++;
				bad += (size_t)(hcl_json_plain_run(buf, buf + len) - buf) != want;
			}
	CU_ASSERT_EQUAL(bad, 0);
	/* Two stops in one word: the first one counts (a borrow only moves upward). */
	memcpy(buf, "ab\x01\"cdefgh", 10);
	CU_ASSERT_EQUAL(hcl_json_plain_run(buf, buf + 10) - buf, 2);
	memcpy(buf, "abc\\\x01" "efgh", 10);
	CU_ASSERT_EQUAL(hcl_json_plain_run(buf, buf + 10) - buf, 3);
}

/* A key twice is an error wherever it is: two readers could take different copies. */
static void test_hcl_json_duplicates(void)
{
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HP_HEAD "{\"vid\":\"8086\",\"vid\":\"8087\",\"did\":\"100e\"}]}"),
			       "t.json:1: entries[0]: duplicate key \"vid\"");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HP_HEAD "{\"vid\":\"8086\",\"did\":\"100e\",\"svid\":\"*\",\"ssid\":\"*\",\"vendor\":\"Intel\",\"model\":\"M\",\"type\":\"nic\",\"releases\":{\"0.1.0\":{\"driver\":\"e1000\",\"status\":\"revoked\",\"status\":\"certified\"}}}]}"),
			       "t.json:1: entries[0].releases[\"0.1.0\"]: duplicate key \"status\"");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HP_HEAD "{\"vid\":\"8086\",\"did\":\"100e\",\"svid\":\"*\",\"ssid\":\"*\",\"vendor\":\"Intel\",\"model\":\"M\",\"type\":\"nic\",\"releases\":{\"0.1.0\":" HP_CERT ",\"0.1.0\":" HP_CERT "}}]}"),
			       "t.json:1: entries[0].releases: duplicate key \"0.1.0\"");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"schema_version\":1,\"schema_version\":1}"),
			       "t.json:1: duplicate key \"schema_version\"");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"schema_version\":1,\"generated\":\"2026-11-20T09:00:00Z\",\"releases\":[\"0.1.0\",\"0.1.0\"],\"entries\":[]}"),
			       "t.json:1: releases[1]: \"0.1.0\" is listed twice");
}

static void test_hcl_json_syntax(void)
{
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HP_HEAD HP_ENTRY "]}\n{}"),
			       "t.json:2: text after the end of the JSON value");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HP_HEAD HP_ENTRY "]} x"),
			       "t.json:1: text after the end of the JSON value");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HP_HEAD HP_ENTRY ",]}"), "t.json:1: not valid JSON: trailing comma");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"schema_version\":1.0}"),
			       "t.json:1: schema_version: expected an integer");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"schema_version\":-}"), "t.json:1: not valid JSON: invalid number");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"schema_version\":1,\"generated\":\"2026-11-20T09:00:60Z\"}"),
			       "t.json:1: generated: expected RFC 3339 UTC, e.g. 2026-11-25T21:00:00Z");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"schema_version\":1,\n\"generated\":\"2026-11-20T09:00:00Z\",\n\"releases\":[\"0.\xff\"]}"),
			       "t.json:3: not valid JSON: invalid UTF-8 in a string");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"releases\":[\"\\ud800x\"]}"),
			       "t.json:1: not valid JSON: unpaired surrogate in a \\u escape");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"releases\":[\"a\tb\"]}"),
			       "t.json:1: not valid JSON: control character in a string");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"releases\":[\"\\u0000\"]}"),
			       "t.json:1: not valid JSON: NUL character in a string");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"releases\":[\"\\q\"]}"),
			       "t.json:1: not valid JSON: invalid escape in a string");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"releas\\nes\":1}"),
			       "t.json:1: unknown key \"releas?es\"");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("[1]"), "t.json:1: (top): expected an object");
	/* The release a certification names must be listed, wherever the list comes. */
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"entries\":[{\"vid\":\"8086\",\"did\":\"100e\",\"svid\":\"*\",\"ssid\":\"*\",\"vendor\":\"Intel\",\"model\":\"M\",\"type\":\"nic\",\"releases\":{\"0.2.0\":" HP_CERT "}}],\n\"schema_version\":1,\"generated\":\"2026-11-20T09:00:00Z\",\"releases\":[\"0.1.0\"]}"),
			       "t.json:1: entries[0].releases[\"0.2.0\"]: release not listed in the top-level releases");
}

/* Members in any order, any layout, escapes the canonical form does not use. */
static void test_hcl_canon_form(void)
{
	const char *text =
		"{ \"entries\" : [ {\"type\":\"nic\",\"releases\":{\"0.2.0\":{\"status\":\"deprecated\",\n"
		"  \"runs\":[\"r\\/2\"],\"certified\":\"2026-01-02\",\"features\":[],\"firmware\":\"f\\u00e9\",\n"
		"  \"driver_version\":\"2\",\"driver\":\"d\"},\"0.1.0\":{\"driver\":\"d\",\"driver_version\":\"1\",\n"
		"  \"firmware\":null,\"features\":[\"a\\tb\",\"\\u001f\"],\"certified\":\"2026-01-01\",\"runs\":[\"r1\"],\n"
		"  \"coverage\":{\"passed\":[\"q35\",\"pc\"],\"not_run\":[{\"reason\":\"no KVM\",\"name\":\"kvm\"},\n"
		"  {\"name\":\"kvm2\",\"reason\":\"no \\\"KVM\\\"\"}],\"not_applicable\":[]},\n"
		"  \"status\":\"certified\"}},\"model\":\"M \\\"x\\\"\",\"vendor\":\"V\\\\\",\"ssid\":\"*\",\n"
		"  \"svid\":\"*\",\"did\":\"00ff\",\"vid\":\"abcd\"}],\n"
		" \"releases\" : [\"0.1.0\",\"0.2.0\"], \"generated\":\"2026-11-20T09:00:00Z\",\"schema_version\" : 1 }";
	const char *want =
		"{\"entries\":[{\"did\":\"00ff\",\"model\":\"M \\\"x\\\"\",\"releases\":{\"0.1.0\":{\"certified\":"
		"\"2026-01-01\",\"coverage\":{\"not_applicable\":[],\"not_run\":[{\"name\":\"kvm\",\"reason\":"
		"\"no KVM\"},{\"name\":\"kvm2\",\"reason\":\"no \\\"KVM\\\"\"}],\"passed\":[\"q35\",\"pc\"]},\"driver\":\"d\",\"driver_version\":\"1\",\"features\":[\"a\\tb\",\"\\u001f\"],"
		"\"firmware\":null,\"runs\":[\"r1\"],\"status\":\"certified\"},\"0.2.0\":{\"certified\":"
		"\"2026-01-02\",\"driver\":\"d\",\"driver_version\":\"2\",\"features\":[],\"firmware\":"
		"\"f\xc3\xa9\",\"runs\":[\"r/2\"],\"status\":\"deprecated\"}},\"ssid\":\"*\",\"svid\":\"*\","
		"\"type\":\"nic\",\"vendor\":\"V\\\\\",\"vid\":\"abcd\"}],\"generated\":\"2026-11-20T09:00:00Z\","
		"\"releases\":[\"0.1.0\",\"0.2.0\"],\"schema_version\":1}";
	uint8_t d1[HCL_DIGEST_SIZE], d2[HCL_DIGEST_SIZE], d3[HCL_DIGEST_SIZE];
	struct hcl_list_opts o = { .keep_entries = 1, .digest = d1 };
	struct hcl_list l;
	struct hcl_canon c;
	struct hcl_err err;
	struct hcl_jr r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	hcl_jr_init(&r, "t.json", text, strlen(text), &err);
	CU_ASSERT_EQUAL_FATAL(hcl_list_read(&r, &l, &o), 0);
	CU_ASSERT_EQUAL(hcl_jr_finish(&r), 0);
	hcl_jr_free(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(hcl_canon_begin(&c, 1, f), 0);
	for (size_t i = 0; i < l.nentries; i++)
		hcl_canon_entry(&c, &l.entries[i]);
	CU_ASSERT_EQUAL(hcl_canon_end(&c, &l, d2), 0);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf, want);
	/* The digest is SHA-256 of exactly that text. */
	CU_ASSERT_EQUAL(hcl_sha256(want, strlen(want), d3), 0);
	CU_ASSERT(memcmp(d1, d3, sizeof(d1)) == 0);
	CU_ASSERT(memcmp(d2, d3, sizeof(d2)) == 0);
	free(buf);
	hcl_list_free(&l);
}

struct hp_files {
	char dir[32], key[64], pub[80], sig[80], alt[80];
};

static void hp_setup(struct hp_files *h)
{
	struct hcl_err err;

	snprintf(h->dir, sizeof(h->dir), "/tmp/hcl-unit.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(h->dir));
	snprintf(h->key, sizeof(h->key), "%s/k", h->dir);
	snprintf(h->pub, sizeof(h->pub), "%s/k.pub", h->dir);
	snprintf(h->sig, sizeof(h->sig), "%s/s.json", h->dir);
	snprintf(h->alt, sizeof(h->alt), "%s/alt.json", h->dir);
	CU_ASSERT_EQUAL_FATAL(hcl_keygen(h->key, &err), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_sign_list("tests/hcl/fixtures/hcl.json", h->key, h->sig, &err), 0);
}

static void hp_teardown(struct hp_files *h)
{
	unlink(h->key);
	unlink(h->pub);
	unlink(h->sig);
	unlink(h->alt);
	rmdir(h->dir);
}

/* The envelope re-serialised by another tool (json-c: pretty-printed, members in another
 * order, "/" escaped): it still verifies; one changed value does not. */
static void test_hcl_signed_reserialised(void)
{
	struct hp_files h;
	struct hcl_loaded ld;
	struct hcl_err err;
	json_object *env, *out, *pl, *e1, *cert;
	char was[32];

	hp_setup(&h);
	env = json_object_from_file(h.sig);
	CU_ASSERT_PTR_NOT_NULL_FATAL(env);
	out = json_object_new_object();
	for (const char *const *k = (const char *const[]){ "payload", "signature", "signed_at",
							  "key_id", "format", NULL }; *k; k++) {
		json_object *v;

		CU_ASSERT_FATAL(json_object_object_get_ex(env, *k, &v));
		json_object_object_add(out, *k, json_object_get(v));
	}
	CU_ASSERT_EQUAL(json_object_to_file_ext(h.alt, out, JSON_C_TO_STRING_PRETTY), 0);
	CU_ASSERT_EQUAL(hcl_load(h.alt, h.pub, 0, 1, NULL, &ld, &err), 0);
	CU_ASSERT(ld.sig.signed_ok);
	CU_ASSERT_EQUAL(ld.sig.format, 2);
	CU_ASSERT_EQUAL(ld.list.nentries, 11);
	hcl_loaded_free(&ld);
	/* One driver version changed. */
	json_object_object_get_ex(out, "payload", &pl);
	e1 = json_object_array_get_idx(json_object_object_get(pl, "entries"), 1);
	cert = json_object_object_get(json_object_object_get(e1, "releases"), "0.1.0");
	snprintf(was, sizeof(was), "%s", json_object_get_string(json_object_object_get(cert, "driver_version")));
	json_object_object_add(cert, "driver_version", json_object_new_string("6.6.6"));
	CU_ASSERT_EQUAL(json_object_to_file_ext(h.alt, out, JSON_C_TO_STRING_PLAIN), 0);
	CU_ASSERT_EQUAL(hcl_load(h.alt, h.pub, 0, 1, NULL, &ld, &err), -1);
	CU_ASSERT(strstr(err.msg, "bad signature") != NULL);
	/* Entries in another order are another list. */
	json_object_object_add(cert, "driver_version", json_object_new_string(was));
	CU_ASSERT_EQUAL(json_object_to_file_ext(h.alt, out, JSON_C_TO_STRING_PLAIN), 0);
	CU_ASSERT_EQUAL(hcl_load(h.alt, h.pub, 0, 1, NULL, &ld, &err), 0);
	hcl_loaded_free(&ld);
	json_object_array_put_idx(json_object_object_get(pl, "entries"), 0,
				  json_object_get(json_object_array_get_idx(json_object_object_get(pl, "entries"), 2)));
	CU_ASSERT_EQUAL(json_object_to_file_ext(h.alt, out, JSON_C_TO_STRING_PLAIN), 0);
	CU_ASSERT_EQUAL(hcl_load(h.alt, h.pub, 0, 1, NULL, &ld, &err), -1);
	json_object_put(out);
	json_object_put(env);
	hp_teardown(&h);
}

static void test_hcl_signed_envelope_errors(void)
{
	struct hp_files h;
	struct hcl_loaded ld;
	struct hcl_err err;
	FILE *f;

	hp_setup(&h);
	f = fopen(h.alt, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"format\":\"hcl-signed-v2\",\"key_id\":\"0011223344556677\",\n\"payload\":{}}", f);
	fclose(f);
	CU_ASSERT_EQUAL(hcl_load(h.alt, h.pub, 0, 1, NULL, &ld, &err), -1);
	CU_ASSERT(strstr(err.msg, ":2: missing \"schema_version\"") != NULL);
	f = fopen(h.alt, "w");
	fputs("{\"format\":\"hcl-signed-v2\",\"payload\":\"text\",\"key_id\":\"0011223344556677\","
	      "\"signed_at\":\"2026-11-20T09:00:00Z\",\"signature\":\"AAAA\"}", f);
	fclose(f);
	CU_ASSERT_EQUAL(hcl_load(h.alt, h.pub, 0, 1, NULL, &ld, &err), -1);
	CU_ASSERT(strstr(err.msg, "signature: not a base64 Ed25519 signature") != NULL);
	hp_teardown(&h);
}

/* Files signed by the tool before version 2 (tests/hcl/fixtures/legacy-v1.*). */
static void test_hcl_signed_legacy(void)
{
	struct hcl_loaded ld;
	struct hcl_err err;

	CU_ASSERT_EQUAL_FATAL(hcl_load("tests/hcl/fixtures/legacy-v1.signed.json",
				       "tests/hcl/fixtures/legacy-v1.pub", 0, 1, NULL, &ld, &err), 0);
	CU_ASSERT(ld.sig.signed_ok);
	CU_ASSERT_EQUAL(ld.sig.format, 1);
	CU_ASSERT_EQUAL(ld.list.nentries, 11);
	hcl_loaded_free(&ld);
	CU_ASSERT_EQUAL_FATAL(hcl_load("tests/hcl/fixtures/legacy-v1.bin",
				       "tests/hcl/fixtures/legacy-v1.pub", 0, 0, NULL, &ld, &err), 0);
	CU_ASSERT(ld.sig.signed_ok);
	CU_ASSERT_EQUAL(ld.sig.format, 1);
	CU_ASSERT_EQUAL(ld.hb.count, 13);
	hcl_loaded_free(&ld);
}

/* A check compiles only the inventory's vid:did entries; the answers are the same. */
static void test_hcl_load_filtered(void)
{
	struct hcl_loaded all, some;
	struct hcl_inv inv;
	struct hcl_report ra, rs;
	struct hcl_err err;

	CU_ASSERT_EQUAL_FATAL(hcl_inv_read(&inv, "tests/hcl/fixtures/r640.lspci-vvnn", &err), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_load("tests/hcl/fixtures/hcl.json", NULL, 1, 0, NULL, &all, &err), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_load("tests/hcl/fixtures/hcl.json", NULL, 1, 0, &inv, &some, &err), 0);
	CU_ASSERT(some.hb.count < all.hb.count);
	CU_ASSERT_EQUAL_FATAL(hcl_check(&all.hb, "0.1.0", &inv, &ra, &err), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_check(&some.hb, "0.1.0", &inv, &rs, &err), 0);
	for (size_t i = 0; i < inv.n; i++) {
		CU_ASSERT_EQUAL(ra.res[i].verdict, rs.res[i].verdict);
		CU_ASSERT_STRING_EQUAL(ra.res[i].reason, rs.res[i].reason);
	}
	CU_ASSERT_STRING_EQUAL(ra.why, rs.why);
	hcl_report_free(&ra);
	hcl_report_free(&rs);
	hcl_loaded_free(&all);
	hcl_loaded_free(&some);
	hcl_inv_free(&inv);
}

UNIT_SUITE(hcl_parse_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_hcl_json_plain_run),
		UNIT_TEST(test_hcl_json_duplicates),
		UNIT_TEST(test_hcl_json_syntax),
		UNIT_TEST(test_hcl_canon_form),
		UNIT_TEST(test_hcl_signed_reserialised),
		UNIT_TEST(test_hcl_signed_envelope_errors),
		UNIT_TEST(test_hcl_signed_legacy),
		UNIT_TEST(test_hcl_load_filtered),
		UNIT_TEST_END
	};
	unit_add_suite("hcl_parse", NULL, NULL, tests);
}
