# hcl: the hardware compatibility list tool (docs/hcl.md).
#   build/bin/hcl     check, keygen, sign, verify, compile, fetch, publish, site
#   make hcl-check    end-to-end tests (tests/hcl/*.sh); counts in build/check/hcl.counts
#   make hcl-bench    hcl check of 100 functions against a signed 100 000-entry list, JSON and
#                     hcl.bin: medians, peak memory, the goals (tests/hcl/bench.sh)
# The unit tests (tests/unit/test_hcl_*.c) link HCL_LIB_SRCS with HCL_LDLIBS.

HCL_SRCS     := $(wildcard hcl/*.c)
# Everything but the command line, the network and the page goes into the unit tests.
HCL_LIB_SRCS := $(filter-out hcl/hcl_main.c hcl/hcl_fetch.c hcl/hcl_site.c,$(HCL_SRCS))
HCL_LDLIBS   := -lpci -lsodium -ljson-c -lsqlite3 -lpq -lcrypto
HCL_ASSETS   := $(wildcard hcl/site/*)
HCL_ASSETS_C := $(BUILD)/gen/hcl_site_assets.c
# `hcl export` reads the certification store through db/ (compiled by mk/certify.mk's rules).
HCL_DB_OBJS  := $(patsubst %.c,$(BUILD)/host/%.o,$(wildcard db/*.c)) \
                $(BUILD)/host/gen/db/migrations_gen.o $(BUILD)/host/gen/db/migrations_pg_gen.o \
                $(BUILD)/host/certify/err.o
HCL_OBJS     := $(HCL_SRCS:%.c=$(BUILD)/host/%.o) $(BUILD)/host/gen/hcl_site_assets.o $(HCL_DB_OBJS) \
                $(BUILD)/host/hvkernel/lib/hclbin.o $(BUILD)/host/hvkernel/lib/hclpolicy.o \
                $(BUILD)/host/hvkernel/lib/pcimatch.o \
                $(BUILD)/host/hvkernel/lib/sha256.o
HCL_BIN      := $(BUILD)/bin/hcl

.PHONY: hcl hcl-check hcl-bench
all: hcl
hcl: $(HCL_BIN)

$(HCL_BIN): $(HCL_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) -o $@ $^ $(HCL_LDLIBS)

# The page assets become C arrays, so `hcl site` needs no files beside the binary.
$(HCL_ASSETS_C): $(HCL_ASSETS) mk/hcl.mk
	@mkdir -p $(@D)
	@{ echo '#include <stddef.h>'; \
	   echo 'struct hcl_asset { const char *name; const unsigned char *data; size_t len; };'; \
	   i=0; for f in $(HCL_ASSETS); do \
		echo "static const unsigned char hcl_asset_$$i[] = {"; \
		od -An -v -tx1 $$f | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
		echo "0 };"; i=$$((i+1)); done; \
	   echo 'const struct hcl_asset hcl_site_assets[] = {'; \
	   i=0; for f in $(HCL_ASSETS); do \
		echo "{ \"$$(basename $$f)\", hcl_asset_$$i, sizeof(hcl_asset_$$i) - 1 },"; \
		i=$$((i+1)); done; \
	   echo '};'; \
	   echo "const size_t hcl_site_nassets = $(words $(HCL_ASSETS));"; } > $@.tmp
	@mv $@.tmp $@

$(BUILD)/host/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

# Unit tests: the hcl library files join the unit binary (mk/unit.mk links $(HCL_LDLIBS)).
$(UNIT_BIN): $(HCL_LIB_SRCS:%.c=$(BUILD)/san/%.o)

hcl-check: $(HCL_BIN)
	@mkdir -p $(BUILD)/check
	@rm -f $(BUILD)/check/hcl.counts
	CERTIFY=$(CURDIR)/$(BUILD)/bin/certify sh tests/hcl/run.sh $(HCL_BIN) $(BUILD)/hcltest $(BUILD)/check/hcl.counts

hcl-bench: $(HCL_BIN)
	sh tests/hcl/bench.sh $(HCL_BIN) $(BUILD)/hclbench
