/* certify: a package's report.json as a stored run (pkg_report.c). */
#ifndef CERTIFY_PKG_REPORT_H
#define CERTIFY_PKG_REPORT_H

#include "pkg.h"
#include "store.h"

/* Reads p's report.json into r (free with certify_db_run_free). 0, or -1 with one line. */
int pkg_report_read(const struct pkg *p, struct certify_db_run *r, struct certify_err *err);

#endif
