/* reports: a stored certification run as JSON, JUnit XML or one HTML page (docs/report-format.md). */
#ifndef CERTIFY_REPORT_H
#define CERTIFY_REPORT_H

#include <stdio.h>

#include "../certify/err.h"
#include "../db/store.h"

enum report_format { REPORT_JSON, REPORT_JUNIT, REPORT_HTML };

/* Parses "json", "junit" or "html". Returns 0 or -1. */
int report_format_parse(const char *s, enum report_format *out);

/* Writes the run in format f to out. Returns 0, or -1 with a message. */
int report_write(const struct certify_db_run *r, enum report_format f, FILE *out,
		 struct certify_err *err);

/* Writes the run to path (atomically: a temp file renamed). Returns 0 or -1. */
int report_write_file(const struct certify_db_run *r, enum report_format f, const char *path,
		      struct certify_err *err);

int report_json(const struct certify_db_run *r, FILE *out, struct certify_err *err);
int report_junit(const struct certify_db_run *r, FILE *out, struct certify_err *err);
int report_html(const struct certify_db_run *r, FILE *out, struct certify_err *err);

/* Helpers shared by the writers. */
struct report_counts {
	unsigned cfg_pass, cfg_fail, cfg_error, cfg_na, cfg_notrun;
	unsigned pass, fail, skip, error;	/* in-kernel test results */
	unsigned check_ok, check_fail, check_notrun;	/* host checks */
	unsigned viol;				/* verifier violations */
	unsigned waived;			/* failed tests waived (db/waiver.h) */
};
void report_count(const struct certify_db_run *r, struct report_counts *c);

/* One line for a verifier violation: "KIND in MODULE at WHERE (+0xOFF), address 0xADDR,
 * N bytes, device SLOT, during TEST: MESSAGE" (parts that are unknown left out). */
void report_violation_text(const struct certify_violation *v, char *buf, size_t len);

/* A host check's state: "ok", "fail" (ran and disagreed) or "notrun". */
const char *report_check_state(const struct certify_hostcheck *c);

/* Writes s with &, <, >, " and ' escaped; control bytes other than tab/newline dropped, bytes >= 0x7f as '?'. */
void report_xml_text(FILE *out, const char *s);

/* 1 when the run counts as certified (complete, passed and official: the certified_runs
 * view's conditions). */
int report_certified(const struct certify_db_run *r);

/* "full" when every configuration that applies to the device ran, else "partial" (the run
 * certifies only the configurations that passed). */
const char *report_coverage(const struct report_counts *c);

/* certify rerun: the run r completes and the configurations it reran, comma-separated, from
 * its request (docs/report-format.md, request.completes). Returns the run, 0 when r is no
 * rerun. */
long long report_completes(const struct certify_db_run *r, char *names, size_t len);

#endif
