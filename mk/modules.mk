# Driver modules, built with the DDK (ddk/Makefile) exactly as a vendor builds one.
#   make modules     build/modules/NAME.hvm for every driver folder under drivers/ (one with
#                    a Makefile, or a *.c with HV_MODULE; NAME is the folder's name; code
#                    shared by drivers, drivers/virtio and drivers/scsi, is neither: a driver
#                    compiles it in through HVM_EXTRA in its Makefile), build/bin/mkbadmod,
#                    the broken-module corpus build/modules/bad/*.hvm and the benchmark
#                    modules build/modules/bench/bench00.hvm .. bench63.hvm
#   make ddk-check   copy drivers/sample/edu out of the tree, build it there with the DDK,
#                    boot it; counts in build/check/ddk.counts
# The kernel test list names modules relative to build/modules (tests/kernel/tests.cfg).

MOD_DIR      := $(BUILD)/modules
MOD_MARK     := HV_MODULE(
MOD_SRCDIRS  := $(sort $(patsubst %/,%,$(dir $(shell find drivers -name Makefile -not -path '*/.hvm-obj/*' \
                  2>/dev/null) $(shell grep -rlF --include='*.c' '$(MOD_MARK)' drivers 2>/dev/null))))
MOD_FILES    := $(foreach d,$(MOD_SRCDIRS),$(MOD_DIR)/$(notdir $(d)).hvm)
MOD_BAD      := $(MOD_DIR)/bad/.stamp
MOD_BENCH_N  := 64
MOD_BENCH    := $(MOD_DIR)/bench/.stamp
MOD_DEPS     := ddk/Makefile ddk/driver.mk $(wildcard ddk/include/hv/*.h)

# Deliberately defective builds of inbox drivers, for certify's own test: each must fail
# certification on the test that should catch it (tests/certify/defect-test.sh). The tables
# in tests/certify/defects/*.tab list them (format in its README); each lives in
# build/modules/defect/NAME/ and is never loaded unless named with --module.
MOD_DEFECT_TABS := $(wildcard tests/certify/defects/*.tab)
MOD_DEFECT_LIST := $(shell awk '!/^[ \t]*(\#|$$)/ { print $$1 ":" $$2 ":" $$3 }' $(MOD_DEFECT_TABS))
MOD_DEFECT_DRV   = $(word 2,$(subst :, ,$(1)))
MOD_DEFECT_NAME  = $(word 1,$(subst :, ,$(1)))
MOD_DEFECT_FLAG  = $(word 3,$(subst :, ,$(1)))
MOD_DEFECT_DIR   = $(firstword $(filter %/$(call MOD_DEFECT_DRV,$(1)),$(MOD_SRCDIRS)))
MOD_DEFECTS     := $(foreach x,$(MOD_DEFECT_LIST),$(MOD_DIR)/defect/$(call MOD_DEFECT_NAME,$(x))/$(call MOD_DEFECT_DRV,$(x)).hvm)

define MOD_DEFECT_RULE
$(MOD_DIR)/defect/$(call MOD_DEFECT_NAME,$(1))/$(call MOD_DEFECT_DRV,$(1)).hvm: mod-force
	@test -n "$(call MOD_DEFECT_DIR,$(1))" || { echo "tests/certify/defects: defect $(call MOD_DEFECT_NAME,$(1)): no driver folder named $(call MOD_DEFECT_DRV,$(1))" >&2; exit 1; }
	@$$(MAKE) --no-print-directory -C ddk M=$(CURDIR)/$(call MOD_DEFECT_DIR,$(1)) \
		O=$(CURDIR)/$(MOD_DIR)/defect/$(call MOD_DEFECT_NAME,$(1)) EXTRA_CFLAGS=-D$(call MOD_DEFECT_FLAG,$(1))
endef
$(foreach x,$(MOD_DEFECT_LIST),$(eval $(call MOD_DEFECT_RULE,$(x))))

.PHONY: modules ddk-check mod-force
modules: $(MOD_FILES) $(MOD_BAD) $(MOD_BENCH) $(MOD_DEFECTS)

# One rule per driver folder: objects in build/modules/.obj/NAME, the module copied up when
# it changed. The DDK always runs: its dependency files know what a driver includes (also
# from outside its folder), this file does not.
define MOD_RULE
$(MOD_DIR)/$(notdir $(1)).hvm: mod-force
	@$$(MAKE) --no-print-directory -C ddk M=$(CURDIR)/$(1) O=$(CURDIR)/$(MOD_DIR)/.obj/$(notdir $(1))
	@cmp -s $(MOD_DIR)/.obj/$(notdir $(1))/$(notdir $(1)).hvm $$@ || \
		{ echo "cp $(MOD_DIR)/.obj/$(notdir $(1))/$(notdir $(1)).hvm $$@"; \
		  cp $(MOD_DIR)/.obj/$(notdir $(1))/$(notdir $(1)).hvm $$@; }
endef
$(foreach d,$(MOD_SRCDIRS),$(eval $(call MOD_RULE,$(d))))

# mkbadmod needs only libc and the DDK headers, not libcertify.
$(BUILD)/bin/mkbadmod: $(BUILD)/host/tools/mkbadmod.o
	@mkdir -p $(@D)
	$(HOST_CC) -o $@ $^

$(MOD_BAD): $(BUILD)/bin/mkbadmod $(MOD_DIR)/edu.hvm $(MOD_DEPS)
	rm -rf $(@D)
	+$(BUILD)/bin/mkbadmod --ddk $(CURDIR)/ddk $(MOD_DIR)/edu.hvm $(@D)
	@touch $@

$(MOD_BENCH): $(BUILD)/bin/mkbadmod $(MOD_DEPS)
	rm -rf $(@D)
	+$(BUILD)/bin/mkbadmod --ddk $(CURDIR)/ddk --bench $(MOD_BENCH_N) $(@D)
	@touch $@

# The out-of-tree check: the build counts as one test, the boot entry adds its own counts,
# and one more: a copy of the sample that includes a kernel header must not compile (the
# DDK's include path holds the hv/ headers only). A failed build writes "0 1 0"; a crash
# of the recipe writes nothing (check-summary fails it).
DDK_CHECK_COUNTS := $(BUILD)/check/ddk.counts

ddk-check: $(BUILD)/bin/hvktest $(BUILD)/hvkernel.elf
	@mkdir -p $(BUILD)/check $(BUILD)/ktest && rm -f $(DDK_CHECK_COUNTS)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	cp -r drivers/sample/edu "$$tmp/edu" && rm -rf "$$tmp/edu/.hvm-obj" "$$tmp/edu/"*.hvm && \
	if ! $(MAKE) -s --no-print-directory -C $(CURDIR)/ddk M="$$tmp/edu"; then \
		echo "FAIL ddk-out-of-tree (the DDK build of $$tmp/edu failed)"; \
		echo "0 1 0" > $(DDK_CHECK_COUNTS); exit 0; \
	fi; \
	printf '%s\n' '[ddk-out-of-tree]' 'qemu = -device edu,addr=4' "initrd = $$tmp/edu/edu.hvm" \
		'modules = edu.hvm:loaded' 'driver = 00:04.0:edu' 'groups = ddk' > "$$tmp/ddk.cfg"; \
	$(BUILD)/bin/hvktest -c "$$tmp/ddk.cfg" --kernel $(BUILD)/hvkernel.elf \
		--logdir $(BUILD)/ktest --counts "$$tmp/counts"; \
	read -r p f sk < "$$tmp/counts" && \
	cp -r "$$tmp/edu" "$$tmp/leak" && rm -rf "$$tmp/leak/.hvm-obj" "$$tmp/leak/"*.hvm && \
	printf '#include <kern/mem.h>\nvoid *edu_leak(void) { return kmalloc(1); }\n' > "$$tmp/leak/leak.c" && \
	if $(MAKE) -s --no-print-directory -C $(CURDIR)/ddk M="$$tmp/leak" >"$$tmp/leak.log" 2>&1; then \
		echo "FAIL ddk-include-path (a module that includes <kern/mem.h> built: the DDK's include path reaches kernel headers)"; \
		f=$$((f + 1)); \
	elif ! grep -q 'kern/mem.h' "$$tmp/leak.log"; then \
		echo "FAIL ddk-include-path (the build of the module including <kern/mem.h> failed for another reason:)"; \
		cat "$$tmp/leak.log"; f=$$((f + 1)); \
	else \
		echo "PASS ddk-include-path (a module cannot include <kern/mem.h>)"; p=$$((p + 1)); \
	fi; \
	echo "$$((p + 1)) $$f $$sk" > $(DDK_CHECK_COUNTS)
