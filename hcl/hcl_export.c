/*
 * hcl export: the compatibility list from the certification store. One entry per
 * (vid, did, svid, ssid) that a complete, passing, official run certified (the store's
 * certified_runs view: a run killed half-way never counts; a passing run whose plan is not
 * the shipped one is left out, and each is named on stderr), per hvkernel release the driver name and
 * version that ran, the certification date (the latest run's) and every run behind it.
 * A run that certified several devices with several drivers pairs each device with the
 * driver of the same kind of device only when that pairing is unambiguous (one driver);
 * otherwise that device is left out and said so. The list holds one certification per device
 * and release: when another driver or driver version was certified for it later, the latest
 * run's certification stands and the one it supersedes is named on stderr.
 * The published list comes from the runs imported from vendors' signed packages (`certify
 * import`); the store's own runs are listed only when asked (--local: a vendor's preview), and
 * the runs of the other kind are counted on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../db/store.h"
#include "hcl.h"
#include "hcl_feature.h"

struct hcl_export_row {
	struct hcl_certified c;
	char vendor[128], model[128], release[48], driver[32], version[32], date[16];
	char firmware[32], sha256[65];	/* the latest run's: what the list names */
	char *runs_buf[64];
	int64_t run_ids[64];
	size_t nruns;
	int last_run;			/* rows are ordered by run within one driver version */
	struct hcl_coverage cov;	/* what its runs covered, configuration by configuration */
	char *waivers[16];		/* tests its runs passed only by a live waiver */
	size_t nwaivers;
	const char *features[HCL_FEATURE_MAX];	/* proven by its runs' tests (hcl_feature.c) */
	size_t nfeatures;
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
	for (size_t k = 0; k < r->nwaivers; k++)
		free(r->waivers[k]);
	r->nwaivers = 0;
	hcl_coverage_free(&r->cov);
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

/* The rows read so far: one per device, release, driver and version, with its runs. */
struct hcl_export_rows {
	struct hcl_export_row *v;
	size_t n, skipped;
	size_t unofficial;		/* passing runs left out: their plan is not the shipped one */
	int local;			/* list the store's own runs, not the imported ones */
	size_t other;			/* device rows of certified runs of the other kind, left out */
};

#define HCL_EXPORT_SAY_MAX	10	/* unofficial runs named one by one, then counted */

static int hcl_export_unofficial(void *ctx, int64_t run, const char *plan, const char *why)
{
	struct hcl_export_rows *rows = ctx;

	if (rows->unofficial++ < HCL_EXPORT_SAY_MAX)
		fprintf(stderr, "hcl export: run %lld (plan %s) left out, unofficial: %s\n",
			(long long)run, plan, why);
	return 0;
}

static int hcl_export_add(void *ctx, const struct certify_db_certified *c)
{
	struct hcl_export_rows *rows = ctx;
	uint32_t svid = c->svid ? c->svid : HV_PCI_ANY, ssid = c->svid ? c->ssid : HV_PCI_ANY;
	struct hcl_export_row *r = rows->n ? &rows->v[rows->n - 1] : NULL;

	if (c->imported == rows->local) {
		rows->other++;
		return 0;
	}
	if (c->ndrivers != 1) {
		rows->skipped++;	/* which of the run's drivers drove this device is not recorded */
		return 0;
	}
	if (!r || !hcl_export_same(r, c->vid, c->did, svid, ssid, c->release, c->driver, c->version)) {
		struct hcl_export_row *nr = realloc(rows->v, (rows->n + 1) * sizeof(*nr));

		if (!nr)
			return -1;
		rows->v = nr;
		r = &rows->v[rows->n++];
		memset(r, 0, sizeof(*r));
		r->c.vid = c->vid;
		r->c.did = c->did;
		r->c.svid = svid;	/* SVID 0000 means no subsystem: certified for any */
		r->c.ssid = ssid;
		r->c.type = strcmp(c->kind, "nic") == 0 ? HCL_NIC : HCL_STORAGE;
		r->c.status = HCL_CERTIFIED;
		snprintf(r->release, sizeof(r->release), "%s", c->release);
		snprintf(r->driver, sizeof(r->driver), "%s", c->driver);
		snprintf(r->version, sizeof(r->version), "%s", c->version);
		hcl_names((uint16_t)c->vid, (uint16_t)c->did, (uint16_t)c->svid, (uint16_t)c->ssid,
			  r->vendor, sizeof(r->vendor), r->model, sizeof(r->model));
	}
	snprintf(r->date, sizeof(r->date), "%s", c->date);	/* ordered: the latest wins */
	snprintf(r->firmware, sizeof(r->firmware), "%s", c->firmware);
	snprintf(r->sha256, sizeof(r->sha256), "%s", c->sha256);
	r->last_run = (int)c->run;
	if (hcl_waivers_add(r->waivers, &r->nwaivers, 16, c->waived) < 0)
		return -1;
	if (r->nruns < sizeof(r->runs_buf) / sizeof(r->runs_buf[0])) {
		char id[32];

		snprintf(id, sizeof(id), "run-%lld", (long long)c->run);
		if (!(r->runs_buf[r->nruns] = strdup(id)))
			return -1;
		r->run_ids[r->nruns++] = c->run;
	}
	return 0;
}

static int hcl_export_cfg(void *ctx, const char *name, const char *verdict, const char *reason)
{
	return hcl_coverage_add(ctx, name, verdict, reason);
}

/* Each kept row's coverage, from the configurations of its runs, oldest run first, and its
 * features, from their test results. */
static int hcl_export_coverage(struct certify_db *db, struct hcl_export_rows *rows,
			       struct certify_err *err)
{
	for (size_t i = 0; i < rows->n; i++) {
		struct hcl_export_row *r = &rows->v[i];

		for (size_t k = 0; k < r->nruns; k++)
			if (certify_db_run_configs(db, r->run_ids[k], hcl_export_cfg, &r->cov, err) < 0)
				return -1;
		if (hcl_feature_derive(db, r->c.type, r->run_ids, r->nruns, r->features,
				       HCL_FEATURE_MAX, &r->nfeatures, err) < 0)
			return -1;
		if (r->cov.npassed == 0)
			return certify_errf(err, "run %lld: certified, but no configuration passed",
					    (long long)r->run_ids[0]);
	}
	return 0;
}

/* Reads the certified rows of the store at path, one per device, release and driver (the
 * latest certification standing), with their coverage. 0, or -1 with err. */
static int hcl_export_read(const char *path, struct hcl_export_rows *rows, struct hcl_err *err)
{
	struct certify_err cerr = { "" };
	struct certify_db *db;
	int rc;

	if (certify_db_open_read(path, &db, &cerr) < 0)
		return hcl_errf(err, "%s", cerr.msg);
	rc = certify_db_certified(db, hcl_export_add, rows, &cerr);
	if (rc == 0)
		rc = certify_db_unofficial(db, hcl_export_unofficial, rows, &cerr);
	if (rc == 0) {
		rows->n = hcl_export_supersede(rows->v, rows->n);
		rc = hcl_export_coverage(db, rows, &cerr);
	}
	certify_db_close(db);
	if (rc < 0)
		return hcl_errf(err, "%s", cerr.msg[0] ? cerr.msg : "out of memory");
	return 0;
}

/* Writes the list to out atomically (a reader never sees half a file), or to stdout. */
static int hcl_export_write(const struct hcl_list *list, const char *out, struct hcl_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (!out) {
		hcl_list_write(list, stdout);
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : hcl_errf(err, "stdout: write failed");
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return hcl_errf(err, "out of memory");
	hcl_list_write(list, f);
	if (fclose(f) != 0) {
		free(buf);
		return hcl_errf(err, "out of memory");
	}
	rc = hcl_write_atomic(out, buf, len, 0644, err);
	free(buf);
	return rc;
}

int hcl_export(const char *db, const char *out, int local, struct hcl_err *err)
{
	struct hcl_export_rows rows = { .local = local };
	struct hcl_certified *cs = NULL;
	struct hcl_list list;
	size_t n = 0;
	int rc = -1;

	if (hcl_export_read(db, &rows, err) < 0)
		goto free_rows;
	n = rows.n;
	cs = calloc(n ? n : 1, sizeof(*cs));
	if (!cs) {
		hcl_errf(err, "out of memory");
		goto free_rows;
	}
	for (size_t i = 0; i < n; i++) {
		struct hcl_export_row *r = &rows.v[i];

		r->c.vendor = r->vendor;
		r->c.model = r->model;
		r->c.release = r->release;
		r->c.driver = r->driver;
		r->c.driver_version = r->version;
		r->c.certified = r->date;
		r->c.firmware = r->firmware[0] ? r->firmware : NULL;
		r->c.module_sha256 = strlen(r->sha256) == 64 ? r->sha256 : NULL;
		r->c.runs = (const char *const *)r->runs_buf;
		r->c.nruns = r->nruns;
		r->c.coverage = &r->cov;
		r->c.waivers = (const char *const *)r->waivers;
		r->c.nwaivers = r->nwaivers;
		r->c.features = r->features;
		r->c.nfeatures = r->nfeatures;
		cs[i] = r->c;
	}
	if (hcl_list_build(&list, cs, n, (int64_t)time(NULL), err) < 0)
		goto free_rows;
	rc = hcl_export_write(&list, out, err);
	hcl_list_free(&list);
	if (rc == 0 && rows.unofficial > HCL_EXPORT_SAY_MAX)
		fprintf(stderr, "hcl export: %zu more unofficial runs left out\n",
			rows.unofficial - HCL_EXPORT_SAY_MAX);
	if (rc == 0 && rows.other)
		fprintf(stderr, "hcl export: %zu devices of certified %s runs left out%s\n", rows.other,
			local ? "imported" : "local", local ? "" : " (--local lists the store's own runs)");
	if (rc == 0)
		fprintf(stderr, "%s: %zu entries from the certified %s runs%s%s\n", out ? out : "hcl export",
			n, local ? "local" : "imported", rows.skipped ? " (devices of multi-driver runs left out: the store does not say "
					  "which driver drove them)" : "",
			rows.unofficial ? "; unofficial runs left out (their plans are not the shipped "
					  "ones)" : "");
free_rows:
	free(cs);
	for (size_t i = 0; i < rows.n; i++)
		hcl_export_free_runs(&rows.v[i]);
	free(rows.v);
	return rc;
}
