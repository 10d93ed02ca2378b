/*
 * The features of one certification from the store: the test results of the runs behind it
 * (certify_db_run_results), fed to the feature table's rules (hcl_feature.c). `hcl export`
 * lists what this returns and nothing written by hand.
 */
#include "../db/store.h"
#include "hcl_feature.h"

static int hcl_feature_db_row(void *ctx, const struct certify_db_test_result *r)
{
	hcl_feature_result(ctx, r->config, r->config_json, r->config_verdict, r->suite, r->name,
			   r->status);
	return 0;
}

int hcl_feature_derive(struct certify_db *db, enum hcl_type type, const int64_t *runs,
		       size_t nruns, const char **ids, size_t cap, size_t *n,
		       struct certify_err *err)
{
	struct hcl_feature_ev ev;

	hcl_feature_begin(&ev, type);
	for (size_t k = 0; k < nruns; k++) {
		if (certify_db_run_results(db, runs[k], hcl_feature_db_row, &ev, err) < 0)
			return -1;
		hcl_feature_end(&ev);	/* a configuration never spans two runs */
	}
	*n = hcl_feature_list(&ev, ids, cap);
	return 0;
}
