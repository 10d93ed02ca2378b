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

struct hcl_err {
	char msg[512];
};

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
	char **features;
	size_t nfeatures;
	char *certified;		/* YYYY-MM-DD */
	char **runs;
	size_t nruns;
	enum hcl_status status;
	struct hcl_coverage *coverage;	/* NULL when the list does not say (lists before it) */
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
	size_t nentries;
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
};

/* hcl_list.c: the JSON format. */
int hcl_list_parse(struct hcl_list *l, const char *text, size_t len, const char *name,
		   struct hcl_err *err);
int hcl_list_build(struct hcl_list *l, const struct hcl_certified *rows, size_t n,
		   int64_t generated, struct hcl_err *err);
int hcl_list_write(const struct hcl_list *l, FILE *f);
/* hcl_export.c: the list from the certification store db into out (NULL: stdout). */
int hcl_export(const char *db, const char *out, struct hcl_err *err);
void hcl_list_free(struct hcl_list *l);
const char *hcl_type_name(enum hcl_type t);
const char *hcl_status_name(enum hcl_status s);
/* "8086" or "*" for HV_PCI_ANY; buf holds at least 5 bytes. */
const char *hcl_id_str(uint32_t v, char *buf);

/* hcl_util.c */
int hcl_read_file(const char *path, char **buf, size_t *len, struct hcl_err *err);
/* Writes data atomically: temporary file in the same folder, fsync, rename. */
int hcl_write_atomic(const char *path, const void *data, size_t len, int mode,
		     struct hcl_err *err);
int hcl_parse_time(const char *s, int64_t *t);	/* RFC 3339 UTC "…Z" */
void hcl_format_time(int64_t t, char out[32]);	/* 2026-11-25T21:00:00Z */
int hcl_parse_date(const char *s);		/* YYYY-MM-DD: 0 if valid */
/* Vendor and device names from pci.ids (libpci); "" when unknown. */
void hcl_names(uint16_t vid, uint16_t did, uint16_t svid, uint16_t ssid, char *vendor,
	       size_t vlen, char *model, size_t mlen);
/* The class name of a 24-bit class code from pci.ids ("Ethernet controller"). */
void hcl_class_name(uint32_t class, char *buf, size_t len);
/* Prints "list generated 2026-11-25, N days old" and the stale warning to f. */
int64_t hcl_age_days(int64_t generated, int64_t now);
void hcl_print_age(FILE *f, const char *name, int64_t generated);

/* hcl_sign.c: Ed25519 (libsodium). The signed form is an envelope, docs/hcl.md. */
int hcl_keygen(const char *path, struct hcl_err *err);
int hcl_sign_list(const char *in, const char *keypath, const char *out, struct hcl_err *err);
/* Opens a list file: a signed envelope (verified against pubkey) or, with insecure, a plain
 * list. On success *payload (malloc'd) holds the list JSON; *key_id and *signed_at the
 * signature details ("" when unsigned). */
struct hcl_sigstate {
	char key_id[17];
	char signed_at[32];
	int signed_ok;
};
int hcl_open_signed(const char *name, const char *text, size_t len, const char *pubkey,
		    int insecure, char **payload, size_t *plen, struct hcl_sigstate *st,
		    struct hcl_err *err);
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
	struct hclbin hb;
	struct hcl_sigstate sig;
	int have_list;
	struct hcl_list list;
};
int hcl_load(const char *path, const char *pubkey, int insecure, int want_list,
	     struct hcl_loaded *ld, struct hcl_err *err);
void hcl_loaded_free(struct hcl_loaded *ld);

/* hcl_inv.c: inventories. */
struct hcl_dev {
	char slot[32];
	uint16_t vid, did, svid, ssid;	/* svid 0: no subsystem IDs */
	uint32_t class;			/* base << 16 | sub << 8 | prog-if */
	char vendor[96], model[128];
	char driver[32];		/* kernel driver in use, when the input says */
};
struct hcl_inv {
	struct hcl_dev *devs;
	size_t n, cap;
	const char *format;		/* "lspci-nn", "lspci-vmm", "dump", "json", "hvkernel", "libpci" */
};
int hcl_inv_read(struct hcl_inv *inv, const char *path, struct hcl_err *err);
int hcl_inv_parse(struct hcl_inv *inv, const char *name, const char *text, struct hcl_err *err);
int hcl_inv_probe(struct hcl_inv *inv, struct hcl_err *err);
/* hcl_pci.c: an lspci -x dump through libpci; appending one device. */
int hcl_inv_dump(struct hcl_inv *inv, const char *path, struct hcl_err *err);
int hcl_inv_add(struct hcl_inv *inv, const struct hcl_dev *d);
void hcl_inv_free(struct hcl_inv *inv);

/* hcl_check.c */
enum hcl_verdict { HCL_V_CERTIFIED, HCL_V_NOT_CERTIFIED, HCL_V_NO_DRIVER, HCL_V_IGNORED };
struct hcl_result {
	const struct hcl_dev *dev;
	enum hcl_verdict verdict;
	char driver[HCLBIN_STR_SIZE], version[HCLBIN_STR_SIZE];
	int deprecated;
	char reason[256];
};
struct hcl_report {
	struct hcl_result *res;
	size_t n;
	int bootable;
	char why[128];
	const char *release;
};
int hcl_check(const struct hclbin *hb, const char *release, const struct hcl_inv *inv,
	      struct hcl_report *rep, struct hcl_err *err);
void hcl_report_print(const struct hcl_report *rep, FILE *f);
void hcl_report_json(const struct hcl_report *rep, const struct hcl_loaded *ld,
		     const char *input, FILE *f);
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
