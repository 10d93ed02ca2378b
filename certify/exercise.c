/* certify: which devices a plan exercises (exercise.h). */
#include <stdio.h>
#include <string.h>

#include "exercise.h"
#include "models.h"

/* The first earlier device of kind k, or NULL. */
static const struct certify_dut *exercise_first(const struct certify_dut *dut, size_t upto,
						enum certify_kind k)
{
	for (size_t i = 0; i < upto; i++)
		if (dut[i].m->kind == k)
			return &dut[i];
	return NULL;
}

int certify_exercise_check(const struct certify_plan *p, const struct certify_dut *dut, size_t n,
			   struct certify_err *err)
{
	const char *topo = certify_topology_name(p->topology);

	for (size_t i = 0; i < n; i++) {
		enum certify_kind k = dut[i].m->kind;
		const struct certify_dut *twin = exercise_first(dut, i, k);
		int wired = p->topology == CERTIFY_TOPO_VM ? k != CERTIFY_KIND_OTHER :
			    p->topology == CERTIFY_TOPO_NIC_PAIR ? k == CERTIFY_KIND_NIC :
			    p->topology == CERTIFY_TOPO_DISK ? k == CERTIFY_KIND_STORAGE :
			    k == CERTIFY_KIND_OTHER;

		if (!wired)
			return certify_errf(err, "--device %s: plan '%s' (topology %s) exercises no %s; "
					    "it would be stored untested", dut[i].model, p->name, topo,
					    k == CERTIFY_KIND_NIC ? "NIC" : k == CERTIFY_KIND_STORAGE ?
					    "storage controller" : "device of this kind");
		if (twin && k != CERTIFY_KIND_OTHER)
			return certify_errf(err, "--device %s: plan '%s' (topology %s) exercises one %s "
					    "per run, %s already; certify %s in a run of its own",
					    dut[i].model, p->name, topo, certify_kind_name(k), twin->model,
					    dut[i].model);
	}
	if (p->topology == CERTIFY_TOPO_VM)
		for (int k = CERTIFY_KIND_NIC; k <= CERTIFY_KIND_STORAGE; k++)
			if (!exercise_first(dut, n, (enum certify_kind)k))
				return certify_errf(err, "plan '%s' (topology vm) needs one NIC and one "
						    "storage controller: no %s given", p->name,
						    k == CERTIFY_KIND_NIC ? "NIC" : "storage controller");
	return 0;
}
