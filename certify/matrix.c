/* certify: a plan's QEMU configuration matrix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"

static int matrix_has(const struct certify_strv *v, const char *w)
{
	for (size_t i = 0; i < v->n; i++) {
		if (!strcmp(v->v[i], w))
			return 1;
	}
	return 0;
}

/* Why configuration c does not boot, if it does not. */
static void matrix_state(struct certify_config *c, enum qemu_accel want, int kvm_ok,
			 const char *kvm_why, unsigned irqs)
{
	if (strcmp(c->irq, "none") && strcmp(c->irq, "poll") && !(irqs & certify_irq_bit(c->irq))) {
		c->state = CERTIFY_CFG_NA;
		snprintf(c->why, sizeof(c->why), "the device under test has no %s", c->irq);
	} else if (want != QEMU_ACCEL_AUTO && c->accel != want) {
		c->state = CERTIFY_CFG_NOTRUN;
		snprintf(c->why, sizeof(c->why), "not asked for: --accel %s", qemu_accel_name(want));
	} else if (c->accel == QEMU_ACCEL_KVM && !kvm_ok) {
		c->state = CERTIFY_CFG_NOTRUN;
		snprintf(c->why, sizeof(c->why), "KVM unusable: %s", kvm_why ? kvm_why : "?");
	}
}

int certify_matrix_build(const struct certify_plan *p, enum qemu_accel want, int kvm_ok,
			 const char *kvm_why, unsigned irqs, struct certify_config **out,
			 struct certify_err *err)
{
	const char *accels[2];
	size_t naccel = 0, n = 0, cap;
	struct certify_config *v;

	if (want == QEMU_ACCEL_TCG || matrix_has(&p->accels, "tcg"))
		accels[naccel++] = "tcg";
	if (want == QEMU_ACCEL_KVM || matrix_has(&p->accels, "kvm"))
		accels[naccel++] = "kvm";
	cap = p->machines.n * p->irqs.n * p->smps.n * naccel;
	v = calloc(cap ? cap : 1, sizeof(*v));
	if (!v)
		return certify_errf(err, "out of memory");
	for (size_t m = 0; m < p->machines.n; m++)
		for (size_t i = 0; i < p->irqs.n; i++)
			for (size_t s = 0; s < p->smps.n; s++)
				for (size_t a = 0; a < naccel; a++) {
					struct certify_config *c = &v[n];

					c->index = (int)n++;
					snprintf(c->machine, sizeof(c->machine), "%s", p->machines.v[m]);
					snprintf(c->irq, sizeof(c->irq), "%s", p->irqs.v[i]);
					c->smp = atoi(p->smps.v[s]);
					c->accel = strcmp(accels[a], "kvm") ? QEMU_ACCEL_TCG : QEMU_ACCEL_KVM;
					snprintf(c->name, sizeof(c->name), "%s-%s-smp%d-%s", c->machine,
						 c->irq, c->smp, accels[a]);
					matrix_state(c, want, kvm_ok, kvm_why, irqs);
				}
	*out = v;
	return (int)n;
}

void certify_config_json(const struct certify_config *c, char *out, size_t outlen)
{
	snprintf(out, outlen, "{\"name\":\"%s\",\"machine\":\"%s\",\"irq\":\"%s\",\"smp\":%d,"
		 "\"accel\":\"%s\"}", c->name, c->machine, c->irq, c->smp, qemu_accel_name(c->accel));
}

void certify_matrix_target(struct certify_config *cfgs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct certify_config *c = &cfgs[i];
		size_t k;

		if (c->state == CERTIFY_CFG_NA)
			continue;
		for (k = 0; k < i; k++)
			if (!strcmp(cfgs[k].machine, "target") && !strcmp(cfgs[k].irq, c->irq))
				break;
		if (k < i) {
			c->state = CERTIFY_CFG_NOTRUN;
			snprintf(c->why, sizeof(c->why), "a bare-metal target is one machine: %s covers it",
				 cfgs[k].name);
			continue;
		}
		c->state = CERTIFY_CFG_RUN;
		c->why[0] = '\0';
		snprintf(c->machine, sizeof(c->machine), "target");
		snprintf(c->name, sizeof(c->name), "target-%s", c->irq);
	}
}
