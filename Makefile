# hvkit top-level build: `make` builds everything into build/.
#   build/hvkernel.elf   the hypervisor kernel (boots with qemu -kernel)
#   build/modules/       driver modules (.hvm)
#   build/bin/           host tools
# `make check` runs every test and ends with "N passed, N failed, N skipped".
# `make bench` prints the benchmarks; `make run` boots the kernel with a set of devices.

BUILD      := build
HV_RELEASE := $(shell cat hvkernel/RELEASE)
.DEFAULT_GOAL := all

# Host code: C11, warnings are errors. Test builds add ASan and UBSan.
HOST_CC     ?= cc
HOST_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
               -O2 -g -DHV_RELEASE='"$(HV_RELEASE)"' -Ihvkernel/include -Iddk/include -MMD -MP \
               -I/usr/include/postgresql
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all deps kernel host check bench run clean
all: kernel host modules

# The dependency script runs on every build; it is a single dpkg-query when nothing is missing.
deps:
	@sh scripts/deps.sh

include mk/kernel.mk
include mk/host.mk
include mk/modules.mk
include mk/unit.mk
include mk/ktest.mk
include mk/fuzz.mk
include mk/hcl.mk
include mk/certify.mk
include mk/iso.mk

# Every test phase writes build/check/<phase>.counts ("passed failed skipped"); the summary
# adds them up and fails when a phase failed, did not report at all, or ran no test.
check: deps
	@rm -rf $(BUILD)/check && mkdir -p $(BUILD)/check
	@$(MAKE) --no-print-directory all
	-@$(MAKE) --no-print-directory unit-check
	-@$(MAKE) --no-print-directory ktest-check
	-@$(MAKE) --no-print-directory ddk-check
	-@$(MAKE) --no-print-directory hcl-check
	-@$(MAKE) --no-print-directory policy-check
	-@$(MAKE) --no-print-directory certify-check
	-@$(MAKE) --no-print-directory iso-check
	-@$(MAKE) --no-print-directory fuzz-check
	@sh scripts/check-summary.sh $(BUILD)/check unit ktest ddk hcl policy certify iso fuzz

bench: deps all
	@$(MAKE) --no-print-directory bench-run

run: deps all
	@$(MAKE) --no-print-directory run-demo

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -path $(BUILD)/linux -prune -o -name '*.d' -type f -print 2>/dev/null)
