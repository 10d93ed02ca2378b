/*
 * certify CLI: progress. On a terminal one status line is redrawn four times a second
 * (configurations done, the ones running and their current test, elapsed time and an
 * estimate of the rest); otherwise plain lines, one per finished configuration.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct cli_progress {
	FILE *out;
	int tty, verbose, jobs, stop;
	size_t total, done, running;
	double t0, busy;		/* busy: seconds the finished configurations took */
	char current[256];		/* "q35-msix-smp1-tcg: nic.rate" */
	pthread_mutex_t lock;
	pthread_t ticker;
	int has_ticker;
};

static void progress_clock(char *out, size_t len, double s)
{
	int t = (int)(s + 0.5);

	snprintf(out, len, "%d:%02d", t / 60, t % 60);
}

/* Called with the lock held. */
static void progress_draw(struct cli_progress *p)
{
	double el = certify_now() - p->t0, left = -1;
	char e[16], l[16];

	if (p->done)
		left = (double)(p->total - p->done) * (p->busy / (double)p->done) /
		       (double)(p->jobs < 1 ? 1 : p->jobs);
	progress_clock(e, sizeof(e), el);
	progress_clock(l, sizeof(l), left);
	fprintf(p->out, "\r\033[K[%zu/%zu] %s", p->done, p->total, p->running ? p->current : "");
	if (p->running > 1)
		fprintf(p->out, " (+%zu running)", p->running - 1);
	fprintf(p->out, "  %s elapsed, %s%s", e, left < 0 ? "estimating" : "~", left < 0 ? "" : l);
	if (left >= 0)
		fputs(" left", p->out);
	fflush(p->out);
}

static void *progress_tick(void *arg)
{
	struct cli_progress *p = arg;
	struct timespec ts = { 0, 250 * 1000 * 1000 };

	for (;;) {
		pthread_mutex_lock(&p->lock);
		if (p->stop) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		progress_draw(p);
		pthread_mutex_unlock(&p->lock);
		nanosleep(&ts, NULL);
	}
}

struct cli_progress *cli_progress_new(FILE *out, size_t total, int jobs, int verbose)
{
	struct cli_progress *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->out = out;
	p->tty = isatty(fileno(out)) && getenv("TERM") && strcmp(getenv("TERM"), "dumb");
	p->verbose = verbose;
	p->jobs = jobs;
	p->total = total;
	p->t0 = certify_now();
	pthread_mutex_init(&p->lock, NULL);
	if (p->tty && pthread_create(&p->ticker, NULL, progress_tick, p) == 0)
		p->has_ticker = 1;
	return p;
}

void cli_progress_start(struct cli_progress *p, const struct certify_config *c)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->running++;
	snprintf(p->current, sizeof(p->current), "%s: booting", c->name);
	pthread_mutex_unlock(&p->lock);
}

void cli_progress_test(struct cli_progress *p, const struct certify_config *c,
		       const struct hvr_test *t)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	snprintf(p->current, sizeof(p->current), "%s: %s.%s %s", c->name, t->suite, t->name,
		 hvr_status_name(t->status));
	if (p->verbose) {
		fprintf(p->out, "%s    %-5s %s.%s (%.3f ms)%s%s\n", p->tty ? "\r\033[K" : "",
			hvr_status_name(t->status), t->suite, t->name, (double)t->us / 1000.0,
			t->msg[0] ? ": " : "", t->msg);
		fflush(p->out);
	}
	pthread_mutex_unlock(&p->lock);
}

void cli_progress_done(struct cli_progress *p, const struct certify_config_result *r)
{
	static const char *const tag[] = { "PASS", "FAIL", "ERROR", "N/A", "NOTRUN" };

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->done++;
	if (r->ran) {
		p->running--;
		p->busy += r->res.duration_s;
	}
	if (r->verdict == CERTIFY_V_NA || r->verdict == CERTIFY_V_NOTRUN)
		fprintf(p->out, "%s%-6s %s: %s\n", p->tty ? "\r\033[K" : "", tag[r->verdict],
			r->cfg.name, r->reason);
	else
		fprintf(p->out, "%s%-6s %s (%zu tests, %.2f s): %s\n", p->tty ? "\r\033[K" : "",
			tag[r->verdict], r->cfg.name, r->ran ? r->res.run.ntest : 0,
			r->ran ? r->res.duration_s : 0.0, r->reason);
	fflush(p->out);
	pthread_mutex_unlock(&p->lock);
}

void cli_progress_free(struct cli_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_mutex_unlock(&p->lock);
	if (p->has_ticker) {
		pthread_join(p->ticker, NULL);
		fputs("\r\033[K", p->out);
		fflush(p->out);
	}
	pthread_mutex_destroy(&p->lock);
	free(p);
}
