/*
 * hcl features: what a certified device is listed with, each proven by certify tests
 * (docs/hcl.md, "Features"). One table (hcl_feature.c) maps a feature id to the tests that
 * must all have passed in one configuration of the runs behind a certification, and where
 * it matters to the interrupt mode of that configuration. `hcl export` derives each entry's
 * features from the store with it; `hcl check --require` accepts only its ids.
 */
#ifndef HCL_FEATURE_H
#define HCL_FEATURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hcl.h"

#define HCL_FEATURE_TESTS	3	/* tests of one rule, at most */
#define HCL_FEATURE_MAX		16	/* distinct feature ids, at most */

/* One way a feature is proven for one type of device. */
struct hcl_feature_rule {
	const char *id;			/* "jumbo", "msix": short and stable, in lists */
	enum hcl_type type;
	const char *irq;		/* the configuration's interrupt mode, NULL: any */
	const char *tests[HCL_FEATURE_TESTS];	/* "suite.name", NULL-terminated */
	const char *proves;		/* one sentence, for the docs table */
};

extern const struct hcl_feature_rule hcl_feature_rules[];
extern const size_t hcl_feature_nrules;

/* Whether id is a feature of the table (any type). */
int hcl_feature_known(const char *id);

/* Whether the table proves id for devices of type (jumbo: NICs only). */
int hcl_feature_applies_to(const char *id, enum hcl_type type);

/* Prints the table as docs/hcl.md's Markdown rows (`hcl features`). */
void hcl_feature_print(FILE *f);

/*
 * The evidence of a certification's runs, fed result by result in matrix order
 * (hcl_feature_result), with hcl_feature_end after each run. A rule holds when one passed
 * configuration of the rule's interrupt mode passed all its tests, and no configuration of
 * that mode failed one of them (a contradiction lists nothing).
 */
struct hcl_feature_ev {
	enum hcl_type type;
	char cfg[64];			/* the configuration being read, "" none */
	int cfg_pass;			/* its verdict is pass */
	char irq[16];			/* its interrupt mode */
	uint8_t passed[64];		/* per rule: bit k, test k passed in this configuration */
	uint8_t proven[64], refuted[64];
};

void hcl_feature_begin(struct hcl_feature_ev *ev, enum hcl_type type);
/* One test result: its configuration (name, JSON with "irq", verdict), the test and its
 * status (pass, fail, skip, error). */
void hcl_feature_result(struct hcl_feature_ev *ev, const char *cfg, const char *cfg_json,
			const char *cfg_verdict, const char *suite, const char *name,
			const char *status);
/* Ends the configuration being read (call after each run). */
void hcl_feature_end(struct hcl_feature_ev *ev);
/* The features proven, in table order, each once: ids point into the table. Returns n. */
size_t hcl_feature_list(const struct hcl_feature_ev *ev, const char **ids, size_t cap);

/* hcl_feature_db.c: the features the runs[0..nruns) of the store prove for a device of
 * type, into ids (at most cap, table order), *n of them. 0, or -1 with err. */
struct certify_db;
struct certify_err;
int hcl_feature_derive(struct certify_db *db, enum hcl_type type, const int64_t *runs,
		       size_t nruns, const char **ids, size_t cap, size_t *n,
		       struct certify_err *err);

/* `hcl check --require`: the features every certified device must be listed with. */
struct hcl_require {
	const char *ids[HCL_FEATURE_MAX];
	size_t n;
	const struct hcl_list *list;	/* the JSON list the check loaded */
};

/* Adds a --require value ("jumbo" or "jumbo,msix"); an unknown or empty name is an error
 * naming it. 0 or -1. */
int hcl_require_add(struct hcl_require *req, const char *arg, struct hcl_err *err);

/*
 * A device the list certifies for release index rel (of hb, compiled from req->list): when
 * its entry lacks a required feature that applies to its type (a NIC is not asked for
 * lba64, a storage controller not for jumbo), the device becomes not certified, with the
 * features missing in the reason. Returns 1 when it was downgraded, 0 otherwise.
 */
int hcl_require_dev(const struct hcl_require *req, const struct hclbin *hb, int rel,
		    const struct hcl_dev *d, struct hcl_result *r);

#endif
