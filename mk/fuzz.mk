# libFuzzer targets for the freestanding parsers (clang with compiler-rt).
#   make fuzz                   build and run fuzz_elfmod for $(FUZZ_SECONDS) seconds
#   make fuzz-vmcfg             the same for VM configuration files and guest images
#   make fuzz FUZZ_SECONDS=600  longer run
#   make fuzz-gpt               the same for fuzz_gpt (lib/gpt: inputs are whole disks)
# The seed corpus is one real module compiled here with the module flags; new inputs the
# fuzzer finds go to $(BUILD)/fuzz/elfmod-corpus, crashes to $(BUILD)/fuzz/.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -Ihvkernel/include -Iddk/include
FUZZ_DIR     := $(BUILD)/fuzz
MODULE_CFLAGS := -O2 -mcmodel=small -fno-pic -ffreestanding -mno-red-zone \
                 -mgeneral-regs-only -fno-common -fno-stack-protector -Iddk/include

.PHONY: fuzz fuzz-vmcfg fuzz-gpt

$(FUZZ_DIR)/fuzz_elfmod: tests/fuzz/fuzz_elfmod.c $(wildcard hvkernel/lib/*.c) \
		$(wildcard hvkernel/include/*/*.h ddk/include/hv/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_elfmod.c $(wildcard hvkernel/lib/*.c)

$(FUZZ_DIR)/elfmod-seed/good.o: tests/unit/elfmod_fixtures/good_module.c ddk/include/hv/module.h
	@mkdir -p $(@D)
	gcc $(MODULE_CFLAGS) -c tests/unit/elfmod_fixtures/good_module.c -o $@

fuzz: $(FUZZ_DIR)/fuzz_elfmod $(FUZZ_DIR)/elfmod-seed/good.o
	@mkdir -p $(FUZZ_DIR)/elfmod-corpus
	cd $(FUZZ_DIR) && ./fuzz_elfmod -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
		-print_final_stats=1 elfmod-corpus elfmod-seed

# VM configurations and guest images (lib/vmcfg.c, lib/vmimage.c); seeds: the test
# configurations and the guest test OS.
$(FUZZ_DIR)/fuzz_vmcfg: tests/fuzz/fuzz_vmcfg.c $(wildcard hvkernel/lib/*.c) $(wildcard hvkernel/include/*/*.h ddk/include/hv/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_vmcfg.c $(wildcard hvkernel/lib/*.c)

fuzz-vmcfg: $(FUZZ_DIR)/fuzz_vmcfg $(BUILD)/guest/os.bin
	@mkdir -p $(FUZZ_DIR)/vmcfg-corpus $(FUZZ_DIR)/vmcfg-seed
	cp tests/vm/*.vm $(BUILD)/guest/os.elf $(FUZZ_DIR)/vmcfg-seed/
	cd $(FUZZ_DIR) && ./fuzz_vmcfg -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
		-print_final_stats=1 vmcfg-corpus vmcfg-seed

# lib/gpt: the seeds are small disks with a valid GPT, a broken primary header and a broken
# primary array (tests/fuzz/gpt_seed.c); new inputs go to $(BUILD)/fuzz/gpt-corpus.
$(FUZZ_DIR)/fuzz_gpt: tests/fuzz/fuzz_gpt.c hvkernel/lib/gpt.c hvkernel/lib/fmt.c hvkernel/include/lib/gpt.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_gpt.c hvkernel/lib/gpt.c hvkernel/lib/fmt.c

$(FUZZ_DIR)/gpt_seed: tests/fuzz/gpt_seed.c hvkernel/lib/gpt.c hvkernel/lib/fmt.c hvkernel/include/lib/gpt.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ tests/fuzz/gpt_seed.c hvkernel/lib/gpt.c hvkernel/lib/fmt.c

fuzz-gpt: $(FUZZ_DIR)/fuzz_gpt $(FUZZ_DIR)/gpt_seed
	@mkdir -p $(FUZZ_DIR)/gpt-corpus $(FUZZ_DIR)/gpt-seed
	$(FUZZ_DIR)/gpt_seed $(FUZZ_DIR)/gpt-seed
	cd $(FUZZ_DIR) && ./fuzz_gpt -max_total_time=$(FUZZ_SECONDS) -max_len=262144 \
		-print_final_stats=1 gpt-corpus gpt-seed

# hcl: a target per parser (tests/fuzz/fuzz_hcl.c built with -DHCL_FUZZ=name). The hcl and
# lib sources are compiled once for them. Seeds: the real lspci outputs of tests/hcl/corpus,
# the fixtures, and the fixture list signed with the test key tests/fuzz/hcl-test.key.
#   make fuzz-hcl-lspci FUZZ_SECONDS=120     one parser, longer
#   make fuzz-hcl                           every parser for $(HCL_FUZZ_SECONDS) each
HCL_FUZZ_TARGETS := lspci vmm boot invjson detect list signed
HCL_FUZZ_SECONDS ?= 6
HCL_FUZZ_SRCS    := $(filter-out hcl/hcl_main.c hcl/hcl_fetch.c hcl/hcl_site.c hcl/hcl_export.c hcl/hcl_feature_db.c,$(wildcard hcl/*.c)) \
                    hvkernel/lib/hclbin.c hvkernel/lib/hclpolicy.c hvkernel/lib/pcimatch.c \
                    hvkernel/lib/sha256.c
HCL_FUZZ_OBJS    := $(HCL_FUZZ_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
HCL_FUZZ_BINS    := $(HCL_FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_hcl_%)
HCL_FUZZ_LIBS    := -lpci -lsodium -ljson-c -lsqlite3 -lpq -lcrypto

.PHONY: fuzz-hcl $(HCL_FUZZ_TARGETS:%=fuzz-hcl-%)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
		-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DHV_RELEASE='"$(HV_RELEASE)"' \
		-Ihvkernel/include -Iddk/include -MMD -MP -c $< -o $@

$(FUZZ_DIR)/fuzz_hcl_%: tests/fuzz/fuzz_hcl.c $(HCL_FUZZ_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DHCL_FUZZ=$* \
		-o $@ tests/fuzz/fuzz_hcl.c $(HCL_FUZZ_OBJS) $(HCL_FUZZ_LIBS)

# Seeds of every parser in one folder (each target reads them all).
$(FUZZ_DIR)/hcl-seed/.done: $(wildcard tests/hcl/corpus/* tests/hcl/fixtures/*) tests/fuzz/hcl-test.key \
		$(BUILD)/bin/hcl
	@mkdir -p $(@D)
	cp tests/hcl/corpus/*.lspci* tests/hcl/fixtures/* $(@D)/
	$(BUILD)/bin/hcl sign tests/hcl/fixtures/hcl.json --key tests/fuzz/hcl-test.key \
		-o $(@D)/hcl.signed.json 2>/dev/null
	@touch $@

$(HCL_FUZZ_TARGETS:%=fuzz-hcl-%): fuzz-hcl-%: $(FUZZ_DIR)/fuzz_hcl_% $(FUZZ_DIR)/hcl-seed/.done
	@mkdir -p $(FUZZ_DIR)/hcl-$*-corpus
	cd $(FUZZ_DIR) && HCL_FUZZ_PUBKEY=$(CURDIR)/tests/fuzz/hcl-test.key.pub \
		HCL_PCI_IDS=$(CURDIR)/tests/hcl/corpus/pci.ids ./fuzz_hcl_$* \
		-max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
		hcl-$*-corpus hcl-seed

fuzz-hcl: $(HCL_FUZZ_TARGETS:%=fuzz-hcl-%)

-include $(HCL_FUZZ_OBJS:.o=.d)

# The host's readers of what a kernel and QEMU send: the result channel (certify/hvr.c,
# hvrrun.c) and QMP (certify/qmp.c). Seeds: tests/fuzz/seeds/{hvr,qmp}.
FUZZ_HOST_CFLAGS := $(FUZZ_CFLAGS) -D_GNU_SOURCE -Icertify
FUZZ_HVR_SRCS    := certify/hvr.c certify/hvrrun.c certify/err.c hvkernel/lib/fmt.c
FUZZ_QMP_SRCS    := certify/qmp.c certify/err.c certify/blkstats.c certify/hvr.c certify/hostcheck.c \
                    certify/fwverify.c \
                    hvkernel/lib/fmt.c

$(FUZZ_DIR)/fuzz_hvr: tests/fuzz/fuzz_hvr.c $(FUZZ_HVR_SRCS) certify/hvr.h certify/hvrrun.h certify/err.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_HOST_CFLAGS) -o $@ tests/fuzz/fuzz_hvr.c $(FUZZ_HVR_SRCS)

$(FUZZ_DIR)/fuzz_qmp: tests/fuzz/fuzz_qmp.c $(FUZZ_QMP_SRCS) certify/qmp.h certify/err.h certify/blkstats.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_HOST_CFLAGS) -o $@ tests/fuzz/fuzz_qmp.c $(FUZZ_QMP_SRCS) -ljson-c

.PHONY: fuzz-hvr fuzz-qmp fuzz-check
fuzz-hvr: $(FUZZ_DIR)/fuzz_hvr
	@mkdir -p $(FUZZ_DIR)/hvr-corpus
	cd $(FUZZ_DIR) && ./fuzz_hvr -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-print_final_stats=1 hvr-corpus $(CURDIR)/tests/fuzz/seeds/hvr

fuzz-qmp: $(FUZZ_DIR)/fuzz_qmp
	@mkdir -p $(FUZZ_DIR)/qmp-corpus
	cd $(FUZZ_DIR) && ./fuzz_qmp -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
		-print_final_stats=1 qmp-corpus $(CURDIR)/tests/fuzz/seeds/qmp

# make check's fuzz phase: every target above for FUZZ_CHECK_SECONDS each, from its seeds
# (and the corpus earlier runs grew). One test per target: it passes when the fuzzer ran to
# its time limit without a crash, a leak or a broken invariant. The counts go to
# build/check/fuzz.counts; scripts/fuzz-check.sh says how each target did.
FUZZ_CHECK_SECONDS ?= 15
FUZZ_CHECK_COUNTS  := $(BUILD)/check/fuzz.counts
FUZZ_CHECK_BINS    := $(FUZZ_DIR)/fuzz_elfmod $(FUZZ_DIR)/fuzz_vmcfg $(FUZZ_DIR)/fuzz_gpt \
                      $(FUZZ_DIR)/fuzz_hvr $(FUZZ_DIR)/fuzz_qmp $(HCL_FUZZ_BINS)
# The hcl parsers are small and fast, seven of them: a shorter time each keeps the phase lean.
HCL_FUZZ_CHECK_SECONDS ?= 8

fuzz-check: $(FUZZ_CHECK_BINS) $(FUZZ_DIR)/elfmod-seed/good.o $(FUZZ_DIR)/gpt_seed $(BUILD)/guest/os.bin \
		$(FUZZ_DIR)/hcl-seed/.done
	@mkdir -p $(BUILD)/check $(FUZZ_DIR)/vmcfg-seed $(FUZZ_DIR)/gpt-seed && rm -f $(FUZZ_CHECK_COUNTS)
	@cp tests/vm/*.vm $(BUILD)/guest/os.elf $(FUZZ_DIR)/vmcfg-seed/
	@$(FUZZ_DIR)/gpt_seed $(FUZZ_DIR)/gpt-seed
	@HCL_FUZZ_PUBKEY=$(CURDIR)/tests/fuzz/hcl-test.key.pub HCL_PCI_IDS=$(CURDIR)/tests/hcl/corpus/pci.ids \
		sh scripts/fuzz-check.sh $(FUZZ_DIR) $(FUZZ_CHECK_SECONDS) $(FUZZ_CHECK_COUNTS) \
		elfmod:16384:$(CURDIR)/$(FUZZ_DIR)/elfmod-seed vmcfg:16384:$(CURDIR)/$(FUZZ_DIR)/vmcfg-seed \
		gpt:262144:$(CURDIR)/$(FUZZ_DIR)/gpt-seed hvr:65536:$(CURDIR)/tests/fuzz/seeds/hvr \
		qmp:16384:$(CURDIR)/tests/fuzz/seeds/qmp \
		$(HCL_FUZZ_TARGETS:%=hcl_%:65536:$(CURDIR)/$(FUZZ_DIR)/hcl-seed:$(HCL_FUZZ_CHECK_SECONDS))
