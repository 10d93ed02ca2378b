# Host side: libcertify (certify/*.c) and the tools in build/bin/.
#   build/lib/libcertify.a   QEMU command line, process control, QMP, result channel, sessions
#   build/bin/hvktest        kernel test runner (tests/kernel/tests.cfg)
#   build/bin/hvboot         boot the kernel with a device set, print the inventory
#   build/bin/hvbench        boot-time benchmark
# mk/unit.mk links the unit tests with $(CERTIFY_LIB_SRCS) and $(CERTIFY_LDLIBS).

CERTIFY_LIB_SRCS := $(wildcard certify/*.c)
CERTIFY_LDLIBS   := -ljson-c -lpthread
CERTIFY_LIB      := $(BUILD)/lib/libcertify.a
# The archive also carries the freestanding code it shares with the kernel (result-channel
# escaping, the GPT encoder of scratch disks, the block test pattern and the NIC test frame);
# the unit tests link hvkernel/lib/*.c themselves, so it is not in CERTIFY_LIB_SRCS.
CERTIFY_OBJS     := $(CERTIFY_LIB_SRCS:%.c=$(BUILD)/host/%.o) $(BUILD)/host/hvkernel/lib/fmt.o \
                    $(BUILD)/host/hvkernel/lib/blkpat.o $(BUILD)/host/hvkernel/lib/nicframe.o \
                    $(BUILD)/host/hvkernel/lib/gpt.o $(BUILD)/host/hvkernel/lib/elfmod.o \
                    $(BUILD)/host/hvkernel/lib/pcimatch.o $(BUILD)/host/hvkernel/lib/crc32.o \
                    $(BUILD)/host/hvkernel/lib/pcicap.o

HVKTEST_SRCS := $(wildcard tests/kernel/*.c)
HOST_TOOLS   := $(BUILD)/bin/hvktest $(BUILD)/bin/hvboot $(BUILD)/bin/hvbench

.PHONY: host
host: $(HOST_TOOLS)

$(BUILD)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -Icertify -c $< -o $@

$(CERTIFY_LIB): $(CERTIFY_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/hvktest: $(HVKTEST_SRCS:%.c=$(BUILD)/host/%.o) $(CERTIFY_LIB)
	@mkdir -p $(dir $@)
	$(HOST_CC) -o $@ $^ $(CERTIFY_LDLIBS)

$(BUILD)/bin/%: $(BUILD)/host/tools/%.o $(CERTIFY_LIB)
	@mkdir -p $(dir $@)
	$(HOST_CC) -o $@ $^ $(CERTIFY_LDLIBS)
