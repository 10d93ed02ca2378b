/*
 * hcl export: the compatibility list from the certification store. One entry per
 * (vid, did, svid, ssid) that a complete, passing run certified (the store's certified_runs
 * view: a run killed half-way never counts), per hvkernel release the driver name and
 * version that ran, the certification date (the latest run's) and every run behind it.
 * A run that certified several devices with several drivers pairs each device with the
 * driver of the same kind of device only when that pairing is unambiguous (one driver);
 * otherwise that device is left out and said so. The list holds one certification per device
 * and release: when another driver or driver version was certified for it later, the latest
 * run's certification stands and the one it supersedes is named on stderr.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcl.h"

#define HCL_EXPORT_QUERY \
	"SELECT d.vid, d.did, d.svid, d.ssid, d.kind, dr.name, dr.version, rel.release, r.id, " \
	"       substr(r.finished, 1, 10), " \
	"       (SELECT count(*) FROM run_drivers x WHERE x.run_id = r.id) AS ndrivers " \
	"FROM certified_runs r " \
	"JOIN run_devices rd ON rd.run_id = r.id JOIN devices d ON d.id = rd.device_id " \
	"JOIN run_drivers rr ON rr.run_id = r.id JOIN drivers dr ON dr.id = rr.driver_id " \
	"JOIN releases rel ON rel.id = r.release_id " \
	"WHERE d.kind IN ('nic', 'storage') " \
	"ORDER BY d.vid, d.did, d.svid, d.ssid, rel.release, dr.name, dr.version, r.id"

struct hcl_export_row {
	struct hcl_certified c;
	char vendor[128], model[128], release[32], driver[32], version[32], date[16];
	char *runs_buf[64];
	size_t nruns;
	int last_run;			/* rows are ordered by run within one driver version */
};

static int hcl_export_same(const struct hcl_export_row *r, uint32_t vid, uint32_t did, uint32_t svid,
			   uint32_t ssid, const char *release, const char *driver, const char *version)
{
	return r->c.vid == vid && r->c.did == did && r->c.svid == svid && r->c.ssid == ssid &&
	       strcmp(r->release, release) == 0 && strcmp(r->driver, driver) == 0 &&
	       strcmp(r->version, version) == 0;
}

static void hcl_export_free_runs(struct hcl_export_row *r)
{
	for (size_t k = 0; k < r->nruns; k++)
		free(r->runs_buf[k]);
	r->nruns = 0;
}

/*
 * One certification per device and release (the list's format): of the rows for the same
 * device and release (adjacent, as the query orders them) keep the one whose latest run is
 * the newest. Returns the number of rows kept.
 */
static size_t hcl_export_supersede(struct hcl_export_row *rows, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		struct hcl_export_row *r = &rows[i], *k = kept ? &rows[kept - 1] : NULL;

		if (k && k->c.vid == r->c.vid && k->c.did == r->c.did && k->c.svid == r->c.svid &&
		    k->c.ssid == r->c.ssid && strcmp(k->release, r->release) == 0) {
			struct hcl_export_row *old = k->last_run > r->last_run ? r : k;
			struct hcl_export_row *cur = old == r ? k : r;

			fprintf(stderr, "hcl export: %04x:%04x release %s: %s %s (run %d) superseded by %s %s "
				"(run %d)\n", r->c.vid, r->c.did, r->release, old->driver, old->version,
				old->last_run, cur->driver, cur->version, cur->last_run);
			hcl_export_free_runs(old);
			if (cur == r)
				*k = *r;
			continue;
		}
		if (kept != i)
			rows[kept] = *r;
		kept++;
	}
	return kept;
}

int hcl_export(const char *db, const char *out, struct hcl_err *err)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	struct hcl_export_row *rows = NULL;
	size_t n = 0, skipped = 0;
	int rc = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err->msg, sizeof(err->msg), "%s: cannot open the certification store: %s", db,
			 h ? sqlite3_errmsg(h) : "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(h, HCL_EXPORT_QUERY, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err->msg, sizeof(err->msg), "%s: not a certification store (%s)", db, sqlite3_errmsg(h));
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		uint32_t vid = (uint32_t)sqlite3_column_int(st, 0), did = (uint32_t)sqlite3_column_int(st, 1);
		uint32_t svid = (uint32_t)sqlite3_column_int(st, 2), ssid = (uint32_t)sqlite3_column_int(st, 3);
		const char *kind = (const char *)sqlite3_column_text(st, 4);
		const char *driver = (const char *)sqlite3_column_text(st, 5);
		const char *version = (const char *)sqlite3_column_text(st, 6);
		const char *release = (const char *)sqlite3_column_text(st, 7);
		int run = sqlite3_column_int(st, 8);
		const char *date = (const char *)sqlite3_column_text(st, 9);
		int ndrivers = sqlite3_column_int(st, 10);

		if (ndrivers != 1) {
			skipped++;	/* which of the run's drivers drove this device is not recorded */
			continue;
		}
		struct hcl_export_row *r = n ? &rows[n - 1] : NULL;
		if (!r || !hcl_export_same(r, vid, did, svid ? svid : HV_PCI_ANY, svid ? ssid : HV_PCI_ANY,
					   release, driver, version)) {
			struct hcl_export_row *nr = realloc(rows, (n + 1) * sizeof(*rows));
			if (!nr) {
				snprintf(err->msg, sizeof(err->msg), "out of memory");
				goto out;
			}
			rows = nr;
			r = &rows[n++];
			memset(r, 0, sizeof(*r));
			r->c.vid = vid;
			r->c.did = did;
			/* SVID 0000 means no subsystem: certified for any. */
			r->c.svid = svid ? svid : HV_PCI_ANY;
			r->c.ssid = svid ? ssid : HV_PCI_ANY;
			r->c.type = strcmp(kind, "nic") == 0 ? HCL_NIC : HCL_STORAGE;
			r->c.status = HCL_CERTIFIED;
			snprintf(r->release, sizeof(r->release), "%s", release);
			snprintf(r->driver, sizeof(r->driver), "%s", driver);
			snprintf(r->version, sizeof(r->version), "%s", version);
			hcl_names((uint16_t)vid, (uint16_t)did, (uint16_t)svid, (uint16_t)ssid, r->vendor,
				  sizeof(r->vendor), r->model, sizeof(r->model));
		}
		snprintf(r->date, sizeof(r->date), "%s", date ? date : "");	/* ordered: the latest wins */
		r->last_run = run;
		if (r->nruns < sizeof(r->runs_buf) / sizeof(r->runs_buf[0])) {
			char id[32];
			snprintf(id, sizeof(id), "run-%d", run);
			r->runs_buf[r->nruns++] = strdup(id);
		}
	}
	n = hcl_export_supersede(rows, n);
	for (size_t i = 0; i < n; i++) {
		struct hcl_export_row *r = &rows[i];
		r->c.vendor = r->vendor;
		r->c.model = r->model;
		r->c.release = r->release;
		r->c.driver = r->driver;
		r->c.driver_version = r->version;
		r->c.certified = r->date;
		r->c.runs = (const char *const *)r->runs_buf;
		r->c.nruns = r->nruns;
	}
	struct hcl_list list;
	struct hcl_certified *cs = calloc(n ? n : 1, sizeof(*cs));
	if (!cs) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		cs[i] = rows[i].c;
	if (hcl_list_build(&list, cs, n, (int64_t)time(NULL), err) < 0) {
		free(cs);
		goto out;
	}
	free(cs);
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f) {
		snprintf(err->msg, sizeof(err->msg), "%s: cannot write", out);
		hcl_list_free(&list);
		goto out;
	}
	hcl_list_write(&list, f);
	if (out && fclose(f) != 0) {
		snprintf(err->msg, sizeof(err->msg), "%s: write failed", out);
		hcl_list_free(&list);
		goto out;
	}
	hcl_list_free(&list);
	fprintf(stderr, "%s: %zu entries from the certified runs%s\n", out ? out : "hcl export", n,
		skipped ? " (devices of multi-driver runs left out: the store does not say which driver drove them)" : "");
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < rows[i].nruns; k++)
			free(rows[i].runs_buf[k]);
	free(rows);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return rc;
}
