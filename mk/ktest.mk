# Kernel tests under QEMU, benchmarks and the demo boot.
#   make ktest-check   every entry of tests/kernel/tests.cfg; counts in build/check/ktest.counts
#   make bench-run     boot-time benchmark (build/bin/hvbench)
#   make run-demo      boot the kernel with the default device set (build/bin/hvboot)
# KTEST_FLAGS adds runner options, e.g. make ktest-check KTEST_FLAGS='-g pci -v'.

KTEST_CFG   ?= tests/kernel/tests.cfg
KTEST_FLAGS ?=

.PHONY: ktest-check bench-run run-demo
ktest-check: $(BUILD)/bin/hvktest
	@mkdir -p $(BUILD)/check
	@# The Linux guest's kernel and initramfs (cached; entries that need them SKIP without)
	-@sh scripts/linux-guest.sh $(BUILD)/linux >/dev/null 2>&1 || echo "linux-guest: not available: $$(cat $(BUILD)/linux/fetch.log 2>/dev/null)"
	$(BUILD)/bin/hvktest -c $(KTEST_CFG) --kernel $(BUILD)/hvkernel.elf \
		--logdir $(BUILD)/ktest --counts $(BUILD)/check/ktest.counts $(KTEST_FLAGS)

# Boot times and module cost, the drivers against the Linux baseline's workloads and
# against their device models' ceilings (scripts/bench-ceiling.sh), the
# verifier's cost (verifier=1 against 0), the VMM (in-kernel vmm.vmmcall/vnet metrics), the
# IOMMU on against off (scripts/bench-iommu.sh), and
# hcl check against a 100 000-entry list.
# LINUX=1 also runs the Linux baseline and prints it beside hvkit and the ceilings
# (scripts/bench-linux.sh).
BENCH_RUNS ?= 5
bench-run: $(BUILD)/bin/hvbench $(BUILD)/bin/hvktest modules
	$(BUILD)/bin/hvbench --kernel $(BUILD)/hvkernel.elf
	sh scripts/bench-drivers.sh $(BUILD) $(BENCH_RUNS) | tee $(BUILD)/bench-drivers.out
	sh scripts/bench-ceiling.sh $(BUILD) $(BENCH_RUNS) $(BUILD)/bench-drivers.out $(BUILD)/bench-ceiling.out
	$(if $(filter 1,$(LINUX)),sh scripts/bench-linux.sh $(BENCH_RUNS) $(BUILD)/bench-drivers.out $(BUILD)/bench-ceiling.out)
	sh scripts/bench-verifier.sh $(BUILD) $(BENCH_RUNS)
	sh scripts/bench-iommu.sh $(BUILD) 3
	$(BUILD)/bin/hvktest -c tests/kernel/bench.cfg --kernel $(BUILD)/hvkernel.elf -v | \
		grep -E 'roundtrip|minimal_loop|ratio_x100|round_trips|MBps|_pps|share|mmio_exits|^PASS|^FAIL'
	$(MAKE) --no-print-directory hcl-bench
	$(MAKE) --no-print-directory db-bench

# The main job (scripts/main-job.sh): boot with every inbox module, certify every inbox
# driver, export, sign and publish the list as a web page, check this machine. `make demo`
# only boots.
run-demo: $(BUILD)/bin/hvboot $(BUILD)/bin/certify $(BUILD)/bin/hcl modules
	sh scripts/main-job.sh $(BUILD)

.PHONY: demo
demo: $(BUILD)/bin/hvboot modules
	$(BUILD)/bin/hvboot --kernel $(BUILD)/hvkernel.elf \
		--initrd "$$(ls $(BUILD)/modules/*.hvm | tr '\n' ',' | sed 's/,$$//')"

# The boot policy against `hcl check` (tests/policy/run.sh): counts in build/check/policy.counts.
.PHONY: policy-check
policy-check: $(BUILD)/bin/hvktest $(BUILD)/bin/hcl kernel modules
	@mkdir -p $(BUILD)/check
	sh tests/policy/run.sh $(BUILD) $(BUILD)/check/policy.counts
