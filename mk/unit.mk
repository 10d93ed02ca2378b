# Host unit tests (CUnit): tests/unit/*.c with the freestanding libraries (hvkernel/lib) and
# the certify library sources (CERTIFY_LIB_SRCS, from mk/host.mk), built with ASan/UBSan.
#   make unit-check              build, run, write $(BUILD)/check/unit.counts; the store's
#                                PostgreSQL suites run on a private server (tests/pgserver.sh)
#   make lib-freestanding-check  compile hvkernel/lib/*.c with the kernel's flags

UNIT_LIB_SRCS  := $(wildcard hvkernel/lib/*.c)
UNIT_TEST_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS      := $(patsubst %.c,$(BUILD)/san/%.o,$(UNIT_TEST_SRCS) $(UNIT_LIB_SRCS) $(CERTIFY_LIB_SRCS))
UNIT_BIN       := $(BUILD)/tests/unit-tests

.PHONY: unit-check lib-freestanding-check

$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(UNIT_BIN): $(UNIT_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(SAN_FLAGS) -o $@ $^ -lcunit -ljson-c -lsqlite3 -lpq -lpthread $(HCL_LDLIBS)

# A crash must not leave an old counts file behind for check-summary.sh to believe.
unit-check: lib-freestanding-check $(UNIT_BIN)
	@mkdir -p $(BUILD)/check
	@rm -f $(BUILD)/check/unit.counts
	UNIT_COUNTS=$(BUILD)/check/unit.counts UNIT_MODULES=$(BUILD)/modules sh tests/pgserver.sh run $(UNIT_BIN)

# The kernel links these files with no libc: compile them with its flags and allow only
# the four libc symbols the kernel provides, plus each other's (a lib file's globals carry
# its file name as prefix), so a stray dependency fails here first.
LIBCHECK_CC      ?= gcc
LIBCHECK_CFLAGS  := -std=gnu11 -ffreestanding -mno-red-zone -mgeneral-regs-only -fno-pic \
                    -O2 -Wall -Wextra -Werror -Ihvkernel/include -Iddk/include -MMD -MP
LIBCHECK_ALLOWED := memset memcpy memcmp strlen
LIBCHECK_OBJS    := $(patsubst hvkernel/lib/%.c,$(BUILD)/libcheck/%.o,$(UNIT_LIB_SRCS))

$(BUILD)/libcheck/%.o: hvkernel/lib/%.c
	@mkdir -p $(@D)
	$(LIBCHECK_CC) $(LIBCHECK_CFLAGS) -MF $(@:.o=.d) -MT $@ -c $< -o $@.tmp
	@bad=$$(nm -u $@.tmp | awk '{print $$2}' | grep -vxF $(LIBCHECK_ALLOWED:%=-e %) | \
		grep -v $(patsubst hvkernel/lib/%.c,-e '^%_',$(UNIT_LIB_SRCS))); \
	if [ -n "$$bad" ]; then \
		echo "$<: freestanding code needs symbols the kernel lacks: $$bad" >&2; \
		rm -f $@.tmp; exit 1; \
	fi
	@mv $@.tmp $@

lib-freestanding-check: $(LIBCHECK_OBJS)
