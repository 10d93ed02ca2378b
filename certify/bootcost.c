/* The boot breakdown over several boots (bootcost.h). */
#include <stdlib.h>
#include <string.h>
#include "bootcost.h"

static struct bootcost_series *bootcost_find(struct bootcost *bc, int is_bind,
					     const struct hvr_cost *c)
{
	struct bootcost_series *grown;

	for (size_t i = 0; i < bc->n; i++)
		if (bc->s[i].is_bind == is_bind && strcmp(bc->s[i].name, c->name) == 0 &&
		    strcmp(bc->s[i].driver, c->driver) == 0)
			return &bc->s[i];
	grown = realloc(bc->s, (bc->n + 1) * sizeof(*bc->s));
	if (!grown)
		return NULL;
	bc->s = grown;
	memset(&bc->s[bc->n], 0, sizeof(bc->s[0]));
	bc->s[bc->n].is_bind = is_bind;
	snprintf(bc->s[bc->n].name, sizeof(bc->s[0].name), "%s", c->name);
	snprintf(bc->s[bc->n].driver, sizeof(bc->s[0].driver), "%s", c->driver);
	return &bc->s[bc->n++];
}

static int bootcost_add_list(struct bootcost *bc, int is_bind, const struct hvr_cost *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct bootcost_series *s = bootcost_find(bc, is_bind, &c[i]);

		if (!s)
			return -1;
		/* A name twice in one boot (a phase repeated) counts once: the first. */
		if (s->last == bc->runs + 1)
			continue;
		s->last = bc->runs + 1;
		s->v[0][s->n] = (double)c[i].dus / 1000.0;
		s->v[1][s->n] = (double)c[i].pio;
		s->v[2][s->n] = (double)c[i].mmio;
		s->v[3][s->n] = (double)c[i].other;
		s->v[4][s->n] = (double)c[i].con;
		s->n++;
	}
	return 0;
}

int bootcost_add(struct bootcost *bc, const struct hvr_run *run)
{
	if (bc->runs == BOOTCOST_MAX_RUNS)
		return -1;
	if (bootcost_add_list(bc, 0, run->phase, run->nphase) < 0 ||
	    bootcost_add_list(bc, 1, run->bind, run->nbind) < 0)
		return -1;
	bc->runs++;
	return 0;
}

static int bootcost_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* "MED (MIN..MAX)" of v[0..n), sorted in place. */
static void bootcost_stat(double *v, int n, const char *fmt, char *out, size_t len)
{
	char med[20], lo[20], hi[20];

	qsort(v, (size_t)n, sizeof(*v), bootcost_cmp);
	snprintf(med, sizeof(med), fmt, n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
	snprintf(lo, sizeof(lo), fmt, v[0]);
	snprintf(hi, sizeof(hi), fmt, v[n - 1]);
	snprintf(out, len, "%s (%s..%s)", med, lo, hi);
}

void bootcost_print(struct bootcost *bc, FILE *f)
{
	static const char *const fmts[BOOTCOST_NVAL] = { "%.2f", "%.0f", "%.0f", "%.0f", "%.0f" };

	fprintf(f, "  %-28s %-26s %-22s %-18s %-14s %s\n", "phase / probe", "ms", "port I/O",
		"MMIO", "other exits", "console bytes");
	for (int bind = 0; bind < 2; bind++) {
		for (size_t i = 0; i < bc->n; i++) {
			struct bootcost_series *s = &bc->s[i];
			char label[96], col[BOOTCOST_NVAL][72];

			if (s->is_bind != bind || s->n == 0)
				continue;
			if (bind)
				snprintf(label, sizeof(label), "%s %s", s->driver, s->name);
			else
				snprintf(label, sizeof(label), "%s", s->name);
			for (int k = 0; k < BOOTCOST_NVAL; k++)
				bootcost_stat(s->v[k], s->n, fmts[k], col[k], sizeof(col[k]));
			fprintf(f, "  %-28s %-26s %-22s %-18s %-14s %s%s\n", label, col[0], col[1],
				col[2], col[3], col[4], s->n == bc->runs ? "" : " (not in every boot)");
		}
	}
}

void bootcost_free(struct bootcost *bc)
{
	free(bc->s);
	memset(bc, 0, sizeof(*bc));
}
