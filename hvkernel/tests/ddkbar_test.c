/*
 * The BAR accessors under the verifier (ddk/ddk_bar.c): an access inside a BAR goes to the
 * device; one that does not lie wholly inside it is refused (all ones read, write dropped)
 * and reported with the offset, the device and the caller's address. Runs with verifier=1
 * on any machine with a memory BAR and an I/O BAR (pc with an edu device: its registers,
 * and the IDE's bus-master ports).
 */
#include <hv/io.h>
#include <hv/pci.h>
#include <kern/ddkvrf.h>
#include <kern/ksym.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/string.h>

/* The first function with an implemented BAR of the kind asked for; *n gets its index. */
static struct pci_dev *ddkbart_find(bool io, int *n)
{
	for (struct pci_dev *d = pci_first(); d; d = d->next)
		for (int i = 0; i < 6; i++)
			if (d->bar[i].size && d->bar[i].io == io && d->bar[i].size <= (1ull << 30) &&
			    (!io || d->bar[i].base + d->bar[i].size <= 0x10000)) {
				*n = i;
				return d;
			}
	return 0;
}

/* The last violation was kind at off of d, reported from inside this file's test. */
static bool ddkbart_caught(struct ktest_ctx *t, const struct pci_dev *d, uint64_t off)
{
	struct ddkvrf_info v;
	uint64_t symoff;

	ddkvrf_last(&v);
	const char *sym = ksym_lookup((uint64_t)(uintptr_t)v.site, &symoff);
	if (strcmp(v.kind, "bar_overrun") != 0 || v.dev != d || v.addr != off) {
		ktest_msg(t, "violation %s dev %p addr 0x%llx, expected bar_overrun at 0x%llx", v.kind,
			  (const void *)v.dev, (unsigned long long)v.addr, (unsigned long long)off);
		return false;
	}
	if (!sym || strcmp(sym, "ktest_ddk_bar") != 0) {
		ktest_msg(t, "call site %p is in %s, not in the test", v.site, sym ? sym : "?");
		return false;
	}
	return true;
}

KTEST(ddk, bar)
{
	int nm, ni;
	struct pci_dev *dm = ddkbart_find(false, &nm), *di = ddkbart_find(true, &ni);

	if (!ddkvrf_on()) {
		ktest_msg(t, "needs verifier=1 on the command line");
		return KTEST_ERROR;
	}
	if (!dm || !di) {
		ktest_msg(t, "needs a function with a memory BAR and one with an I/O BAR");
		return KTEST_ERROR;
	}
	struct hv_bar *m = hv_pci_bar((struct hv_pci_dev *)dm, nm);
	struct hv_bar *io = hv_pci_bar((struct hv_pci_dev *)di, ni);
	KT_CHECK(t, m && io, "hv_pci_bar refused BAR%d or BAR%d", nm, ni);
	KT_CHECK(t, hv_bar_size(m) == dm->bar[nm].size && hv_bar_size(io) == di->bar[ni].size,
		 "hv_bar_size gives 0x%llx and 0x%llx", (unsigned long long)hv_bar_size(m),
		 (unsigned long long)hv_bar_size(io));
	KT_CHECK(t, hv_pci_bar((struct hv_pci_dev *)dm, 6) == 0 && hv_pci_bar((struct hv_pci_dev *)dm, -1) == 0,
		 "hv_pci_bar accepted BAR 6 or -1");
	uint64_t ms = hv_bar_size(m), is = hv_bar_size(io);
	uint64_t before = ddkvrf_count();

	/* Inside: the last byte and the last dword of each BAR are no violation. */
	ddkvrf_expect(0);
	(void)hv_bar_read8(m, ms - 1);
	(void)hv_bar_read32(m, ms - 4);
	(void)hv_bar_read8(io, is - 1);
	(void)hv_bar_read16(io, is - 2);
	KT_CHECK(t, ddkvrf_count() == before && ddkvrf_expected_seen() == 0,
		 "an access inside a BAR was reported");

	/* Outside, one by one: straddling the end, right past it, and far past it. */
	ddkvrf_expect(1);
	KT_CHECK(t, hv_bar_read32(m, ms - 2) == 0xffffffffu, "a refused read did not return all ones");
	KT_CHECK(t, ddkvrf_expected_seen() == 1 && ddkbart_caught(t, dm, ms - 2),
		 "a read32 straddling the end of a memory BAR was not caught");
	ddkvrf_expect(1);
	hv_bar_write64(m, ms, 0);
	KT_CHECK(t, ddkvrf_expected_seen() == 1 && ddkbart_caught(t, dm, ms),
		 "a write64 right past a memory BAR was not caught");
	ddkvrf_expect(1);
	KT_CHECK(t, hv_bar_read8(io, is) == 0xff, "a refused port read did not return all ones");
	KT_CHECK(t, ddkvrf_expected_seen() == 1 && ddkbart_caught(t, di, is),
		 "a port read right past an I/O BAR was not caught");
	ddkvrf_expect(1);
	hv_bar_write32(io, ~0ull - 1, 0);
	KT_CHECK(t, ddkvrf_expected_seen() == 1 && ddkbart_caught(t, di, ~0ull - 1),
		 "a port write at offset 2^64-2 (wrapping) was not caught");
	ddkvrf_expect(0);
	KT_CHECK(t, ddkvrf_count() == before, "an expected violation was counted as a real one");
	return KTEST_PASS;
}
