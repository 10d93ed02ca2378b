/*
 * libFuzzer targets for the parsers of hcl, one binary per parser (mk/fuzz.mk builds this
 * file with -DHCL_FUZZ=name):
 *   lspci   lspci's human-readable output (-n/-nn/-v.../-k/-x), hcl/hcl_inv_lspci.c
 *   vmm     lspci -vmm / -mm records, hcl/hcl_inv_vmm.c
 *   boot    hvkernel boot logs, hcl/hcl_inv_boot.c
 *   invjson JSON inventories, hcl/hcl_invjson.c
 *   detect  what any inventory goes through first: limits, warnings, prompts, format
 *   list    the HCL JSON list and its canonical form, hcl/hcl_list.c, hcl/hcl_canon.c
 *   signed  the signed envelope, hcl/hcl_sign.c
 * Beyond "no memory error, no undefined behaviour" (ASan, UBSan), each checks what must hold:
 * a refusal is one line naming the input (and a line for text inputs); an accepted
 * inventory has valid slots, each once, sorted; an accepted list gives the same canonical
 * digest when its canonical form, and when the tool's own writing of it, is read again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../hcl/hcl.h"
#include "../../hcl/hcl_inv.h"
#include "../../hcl/hcl_json.h"

#define HCL_FUZZ_STR2(x) #x
#define HCL_FUZZ_STR(x) HCL_FUZZ_STR2(x)

/* Every refusal: "f:..." on one line. */
static void fuzz_err_ok(const struct hcl_err *err)
{
	if (strncmp(err->msg, "f", 1) != 0 || strchr(err->msg, '\n') || !err->msg[1])
		abort();
}

static uint64_t fuzz_slot_key(const struct hcl_dev *d)
{
	return (uint64_t)d->domain << 16 | (uint64_t)d->bus << 8 | (uint64_t)d->dev << 3 | d->fn;
}

static void fuzz_inventory(const char *reader, const uint8_t *data, size_t size)
{
	struct hcl_inv inv;
	struct hcl_err err;
	char *text = malloc(size + 1);

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = 0;
	if (hcl_inv_parse_as(&inv, "f", text, reader, &err) < 0) {
		fuzz_err_ok(&err);
		free(text);
		return;
	}
	for (size_t i = 0; i < inv.n; i++) {
		const struct hcl_dev *d = &inv.devs[i];
		uint32_t dom;
		uint8_t b, dv, fn;
		size_t sl = hcl_slot_parse(d->slot, &dom, &b, &dv, &fn);

		if (!sl || d->slot[sl] || dom != d->domain || b != d->bus || dv != d->dev ||
		    fn != d->fn || !memchr(d->vendor, 0, sizeof(d->vendor)) ||
		    !memchr(d->model, 0, sizeof(d->model)) || !d->model[0])
			abort();	/* a device has a valid slot and names */
		if (i && fuzz_slot_key(&inv.devs[i - 1]) >= fuzz_slot_key(d))
			abort();	/* each slot once, in order */
		if (d->vid == 0xffff && !d->absent)
			abort();	/* nothing answers with vendor ffff: it never counts */
	}
	hcl_inv_free(&inv);
	free(text);
}

/* The canonical form of l, read again: the same digest. */
static void fuzz_canon_again(const struct hcl_list *l, const uint8_t digest[HCL_DIGEST_SIZE])
{
	struct hcl_canon c;
	uint8_t d2[HCL_DIGEST_SIZE], d3[HCL_DIGEST_SIZE];
	struct hcl_list_opts o = { .digest = d3 };
	struct hcl_list back;
	struct hcl_err err;
	struct hcl_jr r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f || hcl_canon_begin(&c, 1, f) < 0)
		abort();
	for (size_t i = 0; i < l->nentries; i++)
		hcl_canon_entry(&c, &l->entries[i]);
	if (hcl_canon_end(&c, l, d2) < 0 || memcmp(d2, digest, HCL_DIGEST_SIZE) != 0)
		abort();	/* one list, one digest */
	fclose(f);
	hcl_jr_init(&r, "f", buf, len, &err);
	if (hcl_list_read(&r, &back, &o) < 0 || hcl_jr_finish(&r) < 0 ||
	    memcmp(d3, digest, HCL_DIGEST_SIZE) != 0)
		abort();	/* the canonical form is a list with the same digest */
	hcl_jr_free(&r);
	hcl_list_free(&back);
	free(buf);
}

static void fuzz_list(const uint8_t *data, size_t size)
{
	uint8_t digest[HCL_DIGEST_SIZE];
	struct hcl_list_opts o = { .keep_entries = 1, .digest = digest };
	struct hcl_list l;
	struct hcl_err err;
	struct hcl_jr r;

	hcl_jr_init(&r, "f", (const char *)data, size, &err);
	if (hcl_list_read(&r, &l, &o) < 0) {
		fuzz_err_ok(&err);
		hcl_jr_free(&r);
		return;
	}
	if (hcl_jr_finish(&r) < 0) {	/* a list, then text after it */
		fuzz_err_ok(&err);
		hcl_list_free(&l);
		hcl_jr_free(&r);
		return;
	}
	hcl_jr_free(&r);
	fuzz_canon_again(&l, digest);
	hcl_list_free(&l);
}

static void fuzz_signed(const uint8_t *data, size_t size)
{
	static char pub[4096];
	struct hcl_list_opts o = { .keep_entries = 0 };
	struct hcl_sigstate st;
	struct hcl_list l;
	struct hcl_err err;

	/* The seeds are signed with the test key tests/fuzz/hcl-test.key (mk/fuzz.mk), so
	 * fuzzed envelopes go through the whole verification. */
	if (!pub[0]) {
		const char *p = getenv("HCL_FUZZ_PUBKEY");

		if (!p || strlen(p) >= sizeof(pub))
			abort();
		snprintf(pub, sizeof(pub), "%s", p);
	}
	for (int insecure = 0; insecure < 2; insecure++) {
		if (hcl_open_list("f", (const char *)data, size, pub, insecure, &l, &o, &st, &err,
				  NULL, NULL) < 0) {
			fuzz_err_ok(&err);
			continue;
		}
		if (!insecure && !st.signed_ok)
			abort();	/* without --insecure only a verified list gets through */
		hcl_list_free(&l);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = HCL_FUZZ_STR(HCL_FUZZ);

	/* The inventory limit is 64 MiB; the fuzzer's inputs stay far below. */
	if (strcmp(t, "list") == 0)
		fuzz_list(data, size);
	else if (strcmp(t, "signed") == 0)
		fuzz_signed(data, size);
	else if (strcmp(t, "vmm") == 0)
		fuzz_inventory(size && (data[0] & 1) ? "mm" : "vmm", data, size);
	else if (strcmp(t, "invjson") == 0)
		fuzz_inventory("json", data, size);
	else
		fuzz_inventory(strcmp(t, "detect") == 0 ? NULL : t, data, size);
	return 0;
}
