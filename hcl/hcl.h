/*
 * hcl: the hardware compatibility list tool. One header for the list model, its JSON form,
 * signatures, the compiled table, inventories and the check. docs/hcl.md has the formats.
 * Every function that can fail returns 0 (or a count) on success and -1 with a one-line
 * message in *err that names the input and the problem.
 */
#ifndef HCL_H
#define HCL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <lib/hclbin.h>

#define HCL_SCHEMA_VERSION	1
#define HCL_STALE_DAYS		90
#define HCL_INPUT_MAX		(64u << 20)	/* the largest inventory read (64 MiB) */
#define HCL_DIGEST_SIZE		32		/* SHA-256 */

struct hcl_err {
	char msg[512];
};

/* A file mapped read-only (or read, when it cannot be mapped): data[0..len). */
struct hcl_map {
	const char *data;
	size_t len;
	int mapped;
	char *copy;
};

/* Input text quoted in a message: at most n bytes of s (and what fits), control characters
 * shown as '?' (a message is one line, and no escape sequence reaches the terminal), "..."
 * when cut. Returns dst. */
const char *hcl_printable(char *dst, size_t cap, const char *s, size_t n);

/* Formats msg into err (if not NULL) and returns -1. */
int hcl_errf(struct hcl_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

enum hcl_type { HCL_NIC = HCLBIN_NIC, HCL_STORAGE = HCLBIN_STORAGE };
enum hcl_status {
	HCL_CERTIFIED = HCLBIN_CERTIFIED,
	HCL_DEPRECATED = HCLBIN_DEPRECATED,
	HCL_REVOKED = HCLBIN_REVOKED,
};

/* A configuration of the certification matrix (e.g. "q35-msix-smp2-kvm") that the runs did
 * not cover, and why. */
struct hcl_cfgnote {
	char *name, *reason;
};

/*
 * What the runs behind a certification covered (docs/hcl.md, "coverage"): the
 * configurations that passed, those the host did not run (no KVM, another --accel) and
 * those that do not apply to the device (an interrupt mode it lacks). A name is in one list.
 */
struct hcl_coverage {
	char **passed;
	size_t npassed;
	struct hcl_cfgnote *not_run, *not_applicable;
	size_t nnot_run, nnot_applicable;
};

/* Adds a configuration's verdict ("pass", "notrun", "na"; anything else counts as not run)
 * from a later run: a pass stands, otherwise the later word replaces the earlier. 0 or -1. */
int hcl_coverage_add(struct hcl_coverage *c, const char *name, const char *verdict,
		     const char *reason);
/* A deep copy of src into dst (zeroed first). 0 or -1. */
int hcl_coverage_copy(struct hcl_coverage *dst, const struct hcl_coverage *src);
void hcl_coverage_free(struct hcl_coverage *c);

/* One release record of an entry. */
struct hcl_cert {
	char *release, *driver, *driver_version;
	char *firmware;			/* NULL when unknown */
	/* firmware_match (optional): HCLBIN_FW_*, fw_match_given 0 when the list leaves it
	 * out (then exact for a named firmware, any for null) */
	int fw_match, fw_match_given;
	char module_sha256[65];		/* the certified build; "" when the list names none */
	char **features;
	size_t nfeatures;
	char *certified;		/* YYYY-MM-DD */
	char **runs;
	size_t nruns;
	enum hcl_status status;
	int rel_id;			/* while reading: the reader's index of the release */
	struct hcl_coverage *coverage;	/* NULL when the list does not say (lists before it) */
	char **waivers;			/* "ID SUITE.NAME" of each test a waiver waived in its runs */
	size_t nwaivers;
};

/* One (vid, did, svid, ssid); svid/ssid may be HV_PCI_ANY (written "*"). */
struct hcl_entry {
	uint32_t vid, did, svid, ssid;
	char *vendor, *model;
	enum hcl_type type;
	struct hcl_cert *certs;
	size_t ncerts;
};

struct hcl_list {
	int schema_version;
	int64_t generated;		/* seconds since 1970, UTC */
	char **releases;
	size_t nreleases;
	struct hcl_entry *entries;
	size_t nentries, capentries;
	size_t nentries_read;		/* entries in the input (all read, kept or not) */
};

/* The seam for `hcl export`: one certified (device, release) row from the certification
 * store. Strings are borrowed; vendor/model may be NULL (then looked up in pci.ids). */
struct hcl_certified {
	uint32_t vid, did, svid, ssid;
	const char *vendor, *model;
	enum hcl_type type;
	const char *release, *driver, *driver_version, *firmware;
	const char *const *features;
	size_t nfeatures;
	const char *certified;
	const char *const *runs;
	size_t nruns;
	enum hcl_status status;
	const struct hcl_coverage *coverage;	/* NULL: not stated */
	const char *module_sha256;		/* the run's module; NULL: not known */
	const char *const *waivers;		/* "ID SUITE.NAME" waived in its runs */
	size_t nwaivers;
};

/* hcl_waivers.c: adds each "ID SUITE.NAME" of list (", "-separated, as the store's
 * certify_db_certified.waived) to v (n of at most max), once each. 0, or -1 out of memory. */
int hcl_waivers_add(char **v, size_t *n, size_t max, const char *list);

/* hcl_list.c: the JSON format, read in one pass. */
struct hcl_jr;
struct hcl_list_opts {
	int keep_entries;		/* keep every entry in list->entries */
	/* Called with every validated entry; its strings live until the call returns and its
	 * certs' rel_id index rel_map. */
	int (*entry)(void *ctx, const struct hcl_entry *e, struct hcl_err *err);
	void *ctx;
	int *rel_map;			/* [HCLBIN_MAX_RELEASES]: rel_id -> top-level index */
	uint8_t *digest;		/* [HCL_DIGEST_SIZE]: the canonical SHA-256, if wanted */
};
/* Reads a list object at the reader (hcl_json.h). */
int hcl_list_read(struct hcl_jr *r, struct hcl_list *l, const struct hcl_list_opts *o);
/* A whole text that is one list (every entry kept). */
int hcl_list_parse(struct hcl_list *l, const char *text, size_t len, const char *name,
		   struct hcl_err *err);
int hcl_list_build(struct hcl_list *l, const struct hcl_certified *rows, size_t n,
		   int64_t generated, struct hcl_err *err);
int hcl_list_write(const struct hcl_list *l, FILE *f);
/* hcl_probe.c: this Linux server's PCI functions from sysfs (sysfs NULL: /sys) as a JSON
 * inventory into f, with each bound driver's version and the firmware Linux exposes. */
int hcl_probe(const char *sysfs, FILE *f, struct hcl_err *err);
/* hcl_export.c: the list from the certification store db into out (NULL: stdout): from the
 * runs imported from vendors' packages, or with local from the store's own runs. */
int hcl_export(const char *db, const char *out, int local, struct hcl_err *err);
void hcl_list_free(struct hcl_list *l);
const char *hcl_type_name(enum hcl_type t);
/* firmware_match: "exact", "minimum", "any" <-> HCLBIN_FW_*. */
int hcl_parse_fw_match(const char *s, int *m);
const char *hcl_fw_match_name(int m);
const char *hcl_status_name(enum hcl_status s);
/* "8086" or "*" for HV_PCI_ANY; buf holds at least 5 bytes. */
const char *hcl_id_str(uint32_t v, char *buf);

/* hcl_canon.c: the canonical form a list signature covers (RFC 8785, docs/hcl.md), written
 * into SHA-256 and/or a file. */
struct hcl_canon {
	void *md;			/* OpenSSL digest context */
	FILE *out;
	size_t entries, n;
	int ok;
	char buf[16384];
};
int hcl_canon_begin(struct hcl_canon *c, int hash, FILE *out);
void hcl_canon_entry(struct hcl_canon *c, const struct hcl_entry *e);
int hcl_canon_end(struct hcl_canon *c, const struct hcl_list *top,
		  uint8_t digest[HCL_DIGEST_SIZE]);
void hcl_canon_abort(struct hcl_canon *c);
int hcl_sha256(const void *data, size_t len, uint8_t digest[HCL_DIGEST_SIZE]);

/* hcl_util.c */
int hcl_read_file(const char *path, char **buf, size_t *len, struct hcl_err *err);
/* Room for one more element in the array arr of *cap elements holding n, doubled (first: 64)
 * when full: the array, moved or not, or NULL out of memory (arr is then as it was). */
void *hcl_grow(void *arr, size_t *cap, size_t n, size_t elem);
int hcl_map_file(const char *path, struct hcl_map *m, struct hcl_err *err);
/* Gives back the pages before upto (a reader that never looks back). */
void hcl_map_release(struct hcl_map *m, const char *upto);
void hcl_unmap(struct hcl_map *m);
/* Writes data atomically: temporary file in the same folder, fsync, rename. */
int hcl_write_atomic(const char *path, const void *data, size_t len, int mode,
		     struct hcl_err *err);
int hcl_parse_time(const char *s, int64_t *t);	/* RFC 3339 UTC "…Z" */
void hcl_format_time(int64_t t, char out[32]);	/* 2026-11-25T21:00:00Z */
int hcl_parse_date(const char *s);		/* YYYY-MM-DD: 0 if valid */
/* hcl_ids.c: names from the pci.ids libpci uses ($HCL_PCI_IDS overrides the file). Vendor
 * "" when unknown, model "Device 1593" when unknown; *known (if not NULL) says whether the
 * device was named. */
void hcl_names(uint16_t vid, uint16_t did, uint16_t svid, uint16_t ssid, char *vendor,
	       size_t vlen, char *model, size_t mlen);
void hcl_names_ex(uint16_t vid, uint16_t did, char *vendor, size_t vlen, char *model,
		  size_t mlen, int *known);
/* The class name of a 24-bit class code from pci.ids ("Ethernet controller"). */
void hcl_class_name(uint32_t class, char *buf, size_t len);
/* Prints "list generated 2026-11-25, N days old" and the stale warning to f. */
int64_t hcl_age_days(int64_t generated, int64_t now);
void hcl_print_age(FILE *f, const char *name, int64_t generated);

/* hcl_sign.c: Ed25519 (libsodium). The signed form is an envelope, docs/hcl.md. */
/* hcl_keygen: hcl_key.h. */
int hcl_sign_list(const char *in, const char *keypath, const char *out, struct hcl_err *err);
struct hcl_sigstate {
	char key_id[17];
	char signed_at[32];
	int signed_ok;
	int format;			/* 0 plain list, 1 or 2: hcl-signed-v1/-v2, hcl.bin trailer */
	int bin;			/* the signature is an hcl.bin trailer's */
	char digest[2 * HCL_DIGEST_SIZE + 1];	/* what a v2 signature covers, hex */
};
/*
 * Reads a list file of JSON form, the plain list or the signed envelope (recognised by
 * parsing, in any member order or layout), with the list options o; verifies the signature
 * against pubkey, or refuses an unsigned or unverifiable list unless insecure.
 */
int hcl_open_list(const char *name, const char *text, size_t len, const char *pubkey,
		  int insecure, struct hcl_list *l, struct hcl_list_opts *o,
		  struct hcl_sigstate *st, struct hcl_err *err,
		  void (*release)(void *ctx, const char *upto), void *release_ctx);
/* Signs data[0..len) for the hcl.bin trailer: fills the 128-byte trailer. */
int hcl_sign_bin(const char *keypath, const uint8_t *data, size_t len,
		 uint8_t trailer[HCLBIN_TRAILER_SIZE], struct hcl_err *err);
int hcl_verify_bin(const char *name, const uint8_t *data, size_t len, const char *pubkey,
		   struct hcl_sigstate *st, struct hcl_err *err);

/* hcl_compile.c: the list as an hcl.bin image (malloc'd). */
int hcl_compile(const struct hcl_list *l, const char *keypath, uint8_t **img, size_t *len,
		struct hcl_err *err);
/* Loads a list from a file of any form (envelope, plain JSON, hcl.bin) into a validated
 * hclbin view; *img must be freed; *list (if not NULL) gets the parsed JSON list (not for
 * hcl.bin). */
struct hcl_loaded {
	uint8_t *img;
	size_t len;
	struct hcl_map map;		/* an hcl.bin is used where it is mapped (img = map.data) */
	struct hclbin hb;
	struct hcl_sigstate sig;
	int have_list;
	struct hcl_list list;
};
/* only (may be NULL): an inventory; a JSON list is then compiled with just the entries of
 * its vendor:device pairs (the whole list is still read, checked and verified). */
struct hcl_inv;
int hcl_load(const char *path, const char *pubkey, int insecure, int want_list,
	     const struct hcl_inv *only, struct hcl_loaded *ld, struct hcl_err *err);
/* Compiles entries (any order, release = top-level index) into an hcl.bin image. */
int hcl_compile_entries(struct hclbin_entry *ents, size_t n, const struct hcl_list *top,
			const char *keypath, uint8_t **img, size_t *len, struct hcl_err *err);
void hcl_loaded_free(struct hcl_loaded *ld);

/* hcl_inv*.c: inventories (docs/hcl.md, "Inventories"). */
struct hcl_dev {
	char slot[24];			/* as lspci prints it: "bb:dd.f" or "dddd:bb:dd.f" */
	uint32_t domain;		/* up to 5 hex digits (Intel VMD: 10000) */
	uint8_t bus, dev, fn;
	uint16_t vid, did, svid, ssid;	/* svid 0: no subsystem IDs */
	uint32_t class;			/* base << 16 | sub << 8 | prog-if */
	int rev;			/* -1 when the input does not say */
	char vendor[96], model[128];
	char driver[32];		/* kernel driver in use, when the input says */
	char modules[64];		/* kernel modules, when the input says */
	/* What JSON inventories and hvkernel boot logs say and lspci does not: */
	int fw_known;			/* the input says whether the driver reported firmware */
	char firmware[32];		/* the revision ("" none reported) when fw_known */
	char driver_version[32];	/* the bound driver's version, "" when not said */
	char module_sha256[65];		/* the driver module's sha256 (hvkernel), "" */
	const char *absent;		/* why the function is not really there, or NULL */
	size_t line;			/* where the input describes it (0: not a text input) */
};
#define HCL_INV_MAX_WARN 16
struct hcl_inv {
	struct hcl_dev *devs;
	size_t n, cap;
	const char *format;		/* "lspci -vvnn", "lspci -vmmnn", "json", "hvkernel", ... */
	char warn[HCL_INV_MAX_WARN][200];	/* lines skipped, with the reason */
	size_t nwarn;			/* may exceed HCL_INV_MAX_WARN (then the rest is counted) */
	char filter[96];		/* the command line said grep/-s/-d: only some devices */
};
/* path "-" reads standard input. At most HCL_INPUT_MAX bytes; NUL bytes are refused. */
int hcl_inv_read(struct hcl_inv *inv, const char *path, struct hcl_err *err);
int hcl_inv_parse(struct hcl_inv *inv, const char *name, const char *text, struct hcl_err *err);
int hcl_inv_probe(struct hcl_inv *inv, struct hcl_err *err);
int hcl_inv_add(struct hcl_inv *inv, const struct hcl_dev *d);
void hcl_inv_warn(struct hcl_inv *inv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hcl_inv_free(struct hcl_inv *inv);
/* A PCI address "[dddd[d]:]bb:dd.f" at s: its length (0 if none) and its parts. */
size_t hcl_slot_parse(const char *s, uint32_t *domain, uint8_t *bus, uint8_t *dev, uint8_t *fn);

/* hcl_check.c */
/* The first four mirror hclpolicy_verdict; absent is the host's: a function that reads all
 * ones is not there for the kernel either (its enumeration skips it). */
enum hcl_verdict { HCL_V_CERTIFIED, HCL_V_NOT_CERTIFIED, HCL_V_NO_DRIVER, HCL_V_IGNORED,
		   HCL_V_ABSENT };
struct hcl_result {
	const struct hcl_dev *dev;
	enum hcl_verdict verdict;
	char driver[HCLBIN_STR_SIZE], version[HCLBIN_STR_SIZE];
	int deprecated;
	int counted;			/* counts toward the server verdict */
	char reason[256];
	/* certified devices: the inventory's firmware and driver build against the entry */
	const char *fw_verdict;		/* "ok", "uncertified", "unknown", "any"; NULL otherwise */
	const char *build_verdict;	/* "certified", "uncertified", "unknown" (not said), NULL */
	char fw_rule[48];		/* "exactly 2.1-0", "at least 9.20", "any" */
	char note[256];			/* what is wrong with firmware or build, "" */
	char missing[128];		/* --require: the features its entry lacks, "a,b"; "" */
};
/* What the server verdict counts: certified controllers (cards: functions sharing a
 * domain:bus:device are one card) and their functions (ports). */
struct hcl_count {
	unsigned cards, functions;
};
struct hcl_report {
	struct hcl_result *res;
	size_t n;
	int bootable;
	struct hcl_count nic, storage;
	unsigned absent, behind_vmd;
	char why[256];
	const char *release;
};
int hcl_check(const struct hclbin *hb, const char *release, const struct hcl_inv *inv,
	      struct hcl_report *rep, struct hcl_err *err);
/* The same with `--require`d features (hcl_feature.h; NULL: none): a certified device
 * whose entry lacks one is not certified and does not count. */
struct hcl_require;
int hcl_check_req(const struct hclbin *hb, const char *release, const struct hcl_inv *inv,
		  const struct hcl_require *req, struct hcl_report *rep, struct hcl_err *err);
void hcl_report_print(const struct hcl_report *rep, FILE *f);
void hcl_report_json(const struct hcl_report *rep, const struct hcl_loaded *ld,
		     const struct hcl_inv *inv, const char *input, FILE *f);
/* The inventory's warnings, one line each ("NAME: warning: ..."). */
void hcl_report_warnings(const struct hcl_inv *inv, const char *input, FILE *f);
void hcl_report_free(struct hcl_report *rep);
const char *hcl_verdict_name(enum hcl_verdict v);

/* hcl_fetch.c (libcurl) */
struct hcl_net_opts {
	long timeout_s;
	int retries;
	long backoff_ms;
};
int hcl_fetch(const char *url, const char *out, const char *pubkey, int insecure,
	      const struct hcl_net_opts *o, struct hcl_err *err);
int hcl_publish(const char *file, const char *url, const char *token,
		const struct hcl_net_opts *o, struct hcl_err *err);

/* hcl_site.c */
int hcl_site(const struct hcl_list *l, const char *dir, const char *assets, struct hcl_err *err);

#endif
