/*
 * db: waivers (errata; docs/certify.md, "Waivers"). A waiver is a maintainer's signed
 * statement that a test's failure, in the configurations and releases it names, is a known
 * erratum that does not fail a run until its expiry date. It is a JSON file:
 *
 *   {"format": "hvkit-waiver-1", "id": "E-0001", "test": "nic.wrap",
 *    "configurations": ["e1000/pc-*"], "releases": ["0.1.0"], "reason": "...",
 *    "expires": "2027-03-01",
 *    "signature": {"key_id": "...", "signed_at": "...", "ed25519": "..."}}
 *
 * The signature (hcl_key.h, tag "hvkit-waiver-v1") covers the sha256 of the canonical text
 * certify_waiver_text() builds from the fields, so a changed byte of any field is found.
 * This file parses and checks waivers and applies the live ones to a loaded run; the store
 * keeps them (store_waiver.c) and certify checks signatures (tools/certify/cmd_waiver.c).
 */
#ifndef CERTIFY_DB_WAIVER_H
#define CERTIFY_DB_WAIVER_H

#include <stddef.h>

#include "store.h"

#define WAIVER_FORMAT	"hvkit-waiver-1"
#define WAIVER_SIG_TAG	"hvkit-waiver-v1"
#define WAIVER_MAX_PAT	16		/* configuration patterns */
#define WAIVER_MAX_REL	8		/* releases */

struct certify_waiver {
	char id[32];			/* [A-Za-z0-9._-], at most 31 */
	char test[112];			/* SUITE.NAME */
	char cfg[WAIVER_MAX_PAT][96];	/* MODEL/CONFIG glob patterns (fnmatch) */
	size_t ncfg;
	char rel[WAIVER_MAX_REL][48];	/* releases, exactly */
	size_t nrel;
	char reason[256];		/* one printable line */
	char expires[11];		/* YYYY-MM-DD: waives nothing from that day on (UTC) */
	char key_id[17], signed_at[32], sig[92];	/* "" when unsigned */
	/* What the store adds (store_waiver.c): the maintainer's name, revocation. */
	char maintainer[64];
	char added[32];
	char revoked[32];		/* "" when not revoked */
	char revoked_why[256];
};

/* Today (UTC) as YYYY-MM-DD: $HVKIT_TODAY when set (to see what a list said, or will say, on
 * a day), else the clock. */
void certify_waiver_today(char out[11]);

/* 0 when s is a valid YYYY-MM-DD date (month 1..12, day within the month), else -1. */
int certify_waiver_date_ok(const char *s);

/* Checks every field but the signature: id, test, patterns, releases, reason, expiry date.
 * Returns 0, or -1 with one line "what: why" in err. */
int certify_waiver_check(const struct certify_waiver *w, struct certify_err *err);

/* Parses a waiver file's text (name names it in messages): every field present, none
 * unknown, each as certify_waiver_check wants it; the signature object when present.
 * Returns 0 or -1 with "NAME: what is wrong". */
int certify_waiver_parse(const char *name, const char *text, struct certify_waiver *w,
			 struct certify_err *err);

/* The canonical text the signature covers: one "key value" line per field, lists one line
 * per item, in a fixed order. Returns its length, or -1 when cap is too small. */
int certify_waiver_text(const struct certify_waiver *w, char *out, size_t cap);

/* The waiver as its JSON file (malloc'ed, with the signature when signed), or NULL. */
char *certify_waiver_json(const struct certify_waiver *w);

/* 1 when w is live on today: not revoked and today before its expiry date. */
int certify_waiver_live(const struct certify_waiver *w, const char *today);

/* 1 when w covers test in configuration cfgname of a run of a device of that model on
 * release: the test exactly, MODEL/CONFIG against one pattern (fnmatch, '*' stops at '/'),
 * the release one of its releases. Liveness is not checked here. */
int certify_waiver_matches(const struct certify_waiver *w, const char *test, const char *model,
			   const char *cfgname, const char *release);

/*
 * Applies the live waivers (of w, n) on today to a loaded complete run: a configuration
 * stored as failed whose only fault is failed tests (the kernel exited "fail", no verifier
 * violation, every host check ran and agreed, no test in error or skipped) and whose every
 * failed test a live waiver covers becomes "pass", each such test "waived" with the
 * waiver's id (result.waiver), config.waived 1, its reason "waived: ..."; the run's verdict
 * follows (certify_run_verdict's rule), the stored one kept in run.stored_verdict. Nothing
 * else changes: an error is never waived. Returns the number of tests waived.
 */
size_t certify_waiver_apply(const struct certify_waiver *w, size_t n, const char *today,
			    struct certify_db_run *r);

/* The store's waivers (store_waiver.c): adds one (refused when its id is already there:
 * "waiver E-0001: already in the store"), all of them (free with free()), revokes one. */
int certify_db_waiver_add(struct certify_db *db, const struct certify_waiver *w,
			  const char *document, struct certify_err *err);
int certify_db_waivers(struct certify_db *db, struct certify_waiver **w, size_t *n,
		       struct certify_err *err);
int certify_db_waiver_revoke(struct certify_db *db, const char *id, const char *why,
			     struct certify_err *err);

/* Loads the store's waivers and applies them to r (above) on today. Returns the number of
 * tests waived, or -1 with err. */
long certify_db_run_waive(struct certify_db *db, struct certify_db_run *r, const char *today,
			  struct certify_err *err);

#endif
