/* db: what `hcl export` reads (certify_db_certified in store.h). */
#include <stdio.h>

#include "store_int.h"

/* The certified runs' NIC and storage devices, once per driver of the run; ndrivers tells
 * whether that pairing is known (the store does not record which driver drove a device). */
#define DB_CERTIFIED_QUERY \
	"SELECT d.vid, d.did, d.svid, d.ssid, d.kind, dr.name, dr.version, rel.release, r.id, " \
	"       substr(r.finished, 1, 10), " \
	"       (SELECT count(*) FROM run_drivers x WHERE x.run_id = r.id) AS ndrivers " \
	"FROM certified_runs r " \
	"JOIN run_devices rd ON rd.run_id = r.id JOIN devices d ON d.id = rd.device_id " \
	"JOIN run_drivers rr ON rr.run_id = r.id JOIN drivers dr ON dr.id = rr.driver_id " \
	"JOIN releases rel ON rel.id = r.release_id " \
	"WHERE d.kind IN ('nic', 'storage') " \
	"ORDER BY d.vid, d.did, d.svid, d.ssid, rel.release, dr.name, dr.version, r.id"

int certify_db_certified(struct certify_db *db,
			 int (*fn)(void *ctx, const struct certify_db_certified *c), void *ctx,
			 struct certify_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, DB_CERTIFIED_QUERY, &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct certify_db_certified c;

		c.vid = (unsigned)sqlite3_column_int(st, 0);
		c.did = (unsigned)sqlite3_column_int(st, 1);
		c.svid = (unsigned)sqlite3_column_int(st, 2);
		c.ssid = (unsigned)sqlite3_column_int(st, 3);
		db_col_text(st, 4, c.kind, sizeof(c.kind));
		db_col_text(st, 5, c.driver, sizeof(c.driver));
		db_col_text(st, 6, c.version, sizeof(c.version));
		db_col_text(st, 7, c.release, sizeof(c.release));
		c.run = sqlite3_column_int64(st, 8);
		db_col_text(st, 9, c.date, sizeof(c.date));
		c.ndrivers = sqlite3_column_int(st, 10);
		if (fn(ctx, &c) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	/* Anything but the end of the rows (a busy store above all) is an error, never a short
	 * list that looks complete. */
	if (rc != SQLITE_DONE) {
		db_error(db, err);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}
