/*
 * dbbench: the certification store's own costs, no QEMU (make db-bench, tests/dbbench.sh).
 *   dbbench write STORE N            N configuration records of a typical size, one
 *                                    certify_db_config_add each: median and p90 latency
 *   dbbench queue STORE WORKERS JOBS a submitted run of JOBS configurations drained by
 *                                    WORKERS threads (a connection each) that claim and store
 *                                    trivial records: configurations/s, median claim latency
 * STORE is a SQLite path or a postgresql:// URI (on SQLite the queue is the single-host one:
 * its idle workers poll, see db/store_queue_sq.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../db/store.h"

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double bench_pct(double *v, size_t n, double p)
{
	qsort(v, n, sizeof(*v), bench_cmp);
	return n ? v[(size_t)(p * (double)(n - 1) + 0.5)] : 0;
}

/* A record like a passing NIC configuration's: a device, 8 results with a metric each,
 * 2 host checks, a 4 KiB log. */
static void bench_config(struct certify_db_config *c, int idx, char *log)
{
	static struct certify_db_metric m = { "rx_pps", 123456.0, "frames/s" };
	static struct certify_db_result r[8];
	static struct certify_db_device d = { 0x8086, 0x100e, 0x1af4, 0x1100, 0x020000, "nic",
					      "e1000", "Intel" };
	static struct certify_hostcheck h[2] = {
		{ "peer.frames", 1, 1, "4096 frames, all as sent", 0 },
		{ "qemu.counters", 1, 1, "rx 4096 tx 4096", 0 },
	};

	for (int i = 0; i < 8; i++) {
		snprintf(r[i].suite, sizeof(r[i].suite), "nic");
		snprintf(r[i].name, sizeof(r[i].name), "test%d", i);
		snprintf(r[i].status, sizeof(r[i].status), "pass");
		r[i].us = 1000u + (unsigned)i;
		r[i].metric = &m;
		r[i].nmetric = 1;
	}
	memset(c, 0, sizeof(*c));
	c->idx = idx;
	snprintf(c->name, sizeof(c->name), "cfg-%d", idx);
	c->json = "{\"machine\":\"pc\",\"irq\":\"msix\",\"smp\":1,\"accel\":\"tcg\"}";
	c->cmdline = "test=nic seed=1";
	snprintf(c->outcome, sizeof(c->outcome), "pass");
	snprintf(c->verdict, sizeof(c->verdict), "pass");
	c->reason = "8 tests passed";
	c->duration = 1.5;
	c->log = log;
	snprintf(c->release, sizeof(c->release), "0.1.0");
	c->dev = &d;
	c->ndev = 1;
	c->result = r;
	c->nresult = 8;
	c->check = h;
	c->ncheck = 2;
}

static const struct certify_db_binding bench_bind = { "p", "k", "QEMU", 0, "benchmark" };
static const struct certify_db_driver bench_drv = { "e1000", "1.0", "hvkit", "bench" };

static int bench_write(const char *store, int n)
{
	struct certify_db *db;
	struct certify_db_config c;
	struct certify_err err;
	double *t = calloc((size_t)n, sizeof(*t));
	char *log = malloc(4097);
	int64_t run;

	if (!t || !log || certify_db_open(store, &db, &err) < 0 ||
	    certify_db_run_begin(db, "bench", "{}", 1, &bench_bind, &bench_drv, 1, &run, &err) < 0) {
		fprintf(stderr, "dbbench: %s\n", err.msg);
		return 2;
	}
	memset(log, 'x', 4096);
	log[4096] = '\0';
	for (int i = 0; i < n; i++) {
		double t0 = bench_now();

		bench_config(&c, i, log);
		if (certify_db_config_add(db, run, &c, &err) < 0) {
			fprintf(stderr, "dbbench: %s\n", err.msg);
			return 2;
		}
		t[i] = (bench_now() - t0) * 1e3;
	}
	printf("store write (%s): one configuration record (1 device, 8 results, 8 metrics, "
	       "2 host checks, 4 KiB log): median %.2f ms, p90 %.2f ms over %d\n",
	       certify_db_backend(db), bench_pct(t, (size_t)n, 0.5), bench_pct(t, (size_t)n, 0.9), n);
	certify_db_close(db);
	free(t);
	free(log);
	return 0;
}

struct bench_worker {
	const char *store;
	int slot, slots, stored, failed;
	double *claim_ms;
	size_t nclaim, cap;
};

static const char *bench_verdict(const char *const *v, size_t n)
{
	(void)v;
	(void)n;
	return "pass";
}

static void *bench_worker(void *arg)
{
	struct bench_worker *w = arg;
	struct certify_db *db;
	struct certify_db_config c;
	struct certify_db_job job;
	struct certify_err err;
	int64_t id;

	if (certify_db_open(w->store, &db, &err) < 0 ||
	    certify_db_worker_add(db, w->slot, w->slots, &id, &err) < 0) {
		fprintf(stderr, "dbbench: %s\n", err.msg);
		w->failed = 1;
		return NULL;
	}
	for (;;) {
		double t0 = bench_now();
		int got = certify_db_claim(db, id, 60, &job, &err), fin;

		if (got < 0) {
			fprintf(stderr, "dbbench: %s\n", err.msg);
			w->failed = 1;
			break;
		}
		if (got == 0)
			break;
		if (w->nclaim < w->cap)
			w->claim_ms[w->nclaim++] = (bench_now() - t0) * 1e3;
		memset(&c, 0, sizeof(c));
		c.idx = job.idx;
		snprintf(c.name, sizeof(c.name), "%s", job.name);
		snprintf(c.verdict, sizeof(c.verdict), "pass");
		if (certify_db_job_store(db, id, &job, &c, bench_verdict, &fin, &err) != 1) {
			fprintf(stderr, "dbbench: store: %s\n", err.msg);
			w->failed = 1;
			break;
		}
		w->stored++;
	}
	certify_db_worker_stop(db, id, NULL);
	certify_db_close(db);
	return NULL;
}

static int bench_queue(const char *store, int workers, int jobs)
{
	struct bench_worker *w = calloc((size_t)workers, sizeof(*w));
	pthread_t *th = calloc((size_t)workers, sizeof(*th));
	const char **names = calloc((size_t)jobs, sizeof(*names));
	char *buf = calloc((size_t)jobs, 16);
	double *all = calloc((size_t)jobs, sizeof(*all)), t0, secs;
	struct certify_db *db;
	struct certify_err err;
	char backend[16];
	size_t nall = 0;
	int64_t run;
	int stored = 0, failed = 0;

	if (!w || !th || !names || !buf || !all)
		return 2;
	for (int i = 0; i < jobs; i++) {
		snprintf(buf + i * 16, 16, "cfg-%d", i);
		names[i] = buf + i * 16;
	}
	if (certify_db_open(store, &db, &err) < 0 ||
	    certify_db_submit(db, "bench", "{}", 1, &bench_bind, &bench_drv, 1, names, (size_t)jobs,
			      &run, &err) < 0) {
		fprintf(stderr, "dbbench: %s\n", err.msg);
		return 2;
	}
	snprintf(backend, sizeof(backend), "%s", certify_db_backend(db));
	t0 = bench_now();
	for (int i = 0; i < workers; i++) {
		w[i] = (struct bench_worker){ .store = store, .slot = i + 1, .slots = workers,
					      .claim_ms = calloc((size_t)jobs, sizeof(double)) };
		w[i].cap = w[i].claim_ms ? (size_t)jobs : 0;
		pthread_create(&th[i], NULL, bench_worker, &w[i]);
	}
	for (int i = 0; i < workers; i++) {
		pthread_join(th[i], NULL);
		stored += w[i].stored;
		failed |= w[i].failed;
	}
	secs = bench_now() - t0;
	for (int i = 0; i < workers; i++) {
		for (size_t k = 0; k < w[i].nclaim && nall < (size_t)jobs; k++)
			all[nall++] = w[i].claim_ms[k];
		free(w[i].claim_ms);
	}
	certify_db_close(db);
	if (failed || stored != jobs) {
		fprintf(stderr, "dbbench: %d of %d configurations stored\n", stored, jobs);
		return 2;
	}
	printf("queue (%s): %d workers drained %d trivial configurations in %.2f s: "
	       "%.0f configurations/s; claim median %.2f ms, p90 %.2f ms\n", backend, workers, jobs, secs,
	       jobs / secs, bench_pct(all, nall, 0.5), bench_pct(all, nall, 0.9));
	free(all);
	free(names);
	free(buf);
	free(th);
	free(w);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "write"))
		return bench_write(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "queue"))
		return bench_queue(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: dbbench write STORE N | dbbench queue STORE WORKERS JOBS\n");
	return 2;
}
