# hvkernel: a freestanding x86_64 kernel, linked at 1 MiB and identity mapped.
# Every .c/.S under hvkernel/ is part of the kernel (the in-kernel tests included);
# hvkernel/lib/ is the freestanding code the host tools compile too.

KCC      := gcc
KLD      := ld
KCFLAGS  := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
            -mcmodel=small -fno-stack-protector -fno-omit-frame-pointer -fno-common \
            -fno-asynchronous-unwind-tables --param=min-pagesize=0 -O2 -g -Wall -Wextra -Werror -MMD -MP \
            -DHV_RELEASE='"$(HV_RELEASE)"' -DHV_KERNEL=1 \
            -Ihvkernel/include -Iddk/include -Ihvkernel/arch/x86/include
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 --no-warn-rwx-segments -z noexecstack \
            -T hvkernel/arch/x86/kernel.ld

KSRCS := $(sort $(shell find hvkernel -name '*.c' -o -name '*.S'))
KOBJS := $(patsubst %,$(BUILD)/kobj/%.o,$(KSRCS))

.PHONY: kernel
kernel: $(BUILD)/hvkernel.elf

# Two links: the first gives the function addresses, which become a symbol table for
# backtraces; the table sits after the code, so the second link moves no function. The
# cmp of the function addresses proves it.
$(BUILD)/hvkernel.stage1.elf: $(KOBJS) hvkernel/arch/x86/kernel.ld
	@mkdir -p $(dir $@)
	$(KLD) $(KLDFLAGS) -o $@ $(KOBJS)

$(BUILD)/kobj/ksyms.S: $(BUILD)/hvkernel.stage1.elf scripts/ksyms.sh
	sh scripts/ksyms.sh $< > $@

$(BUILD)/hvkernel.elf: $(BUILD)/hvkernel.stage1.elf $(BUILD)/kobj/ksyms.S.o $(BUILD)/kobj/ddk-exports.ok
	$(KLD) $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/kobj/ksyms.S.o
	@nm -n --defined-only $(BUILD)/hvkernel.stage1.elf | grep ' [tT] ' > $(BUILD)/kobj/syms1.txt
	@nm -n --defined-only $@ | grep ' [tT] ' > $(BUILD)/kobj/syms2.txt
	@cmp -s $(BUILD)/kobj/syms1.txt $(BUILD)/kobj/syms2.txt || \
		{ echo "kernel.mk: the symbol table moved kernel code" >&2; rm -f $@; exit 1; }

# The export table and the DDK headers agree (scripts/ddk-exports.sh).
$(BUILD)/kobj/ddk-exports.ok: hvkernel/ddk/ddk_export.c $(wildcard ddk/include/hv/*.h) scripts/ddk-exports.sh
	@mkdir -p $(@D)
	sh scripts/ddk-exports.sh $(KCC) ddk/include hvkernel/ddk/ddk_export.c
	@touch $@

$(BUILD)/kobj/ksyms.S.o: $(BUILD)/kobj/ksyms.S
	$(KCC) $(KCFLAGS) -D__ASSEMBLY__ -c -o $@ $<

$(BUILD)/kobj/%.c.o: %.c hvkernel/RELEASE
	@mkdir -p $(dir $@)
	$(KCC) $(KCFLAGS) -c -o $@ $<

$(BUILD)/kobj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(KCC) $(KCFLAGS) -D__ASSEMBLY__ -c -o $@ $<

# The guest test OS: 32-bit freestanding C linked at 0x1000 into a flat binary that the
# kernel carries (hvkernel/tests/guest_os.S) and copies into test VMs. It shares the block
# test pattern and the NIC test frame with the kernel and the host (hvkernel/lib).
GUEST_CFLAGS := -m32 -march=i686 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
                -fno-asynchronous-unwind-tables -mgeneral-regs-only -O2 -Wall -Wextra -Werror \
                -Ihvkernel/include -MMD -MP
GUEST_LIBS   := blkpat nicframe
GUEST_OBJS   := $(BUILD)/guest/entry.o $(BUILD)/guest/os.o $(BUILD)/guest/isr.o $(BUILD)/guest/irq.o \
                $(BUILD)/guest/irqtest.o $(BUILD)/guest/smptest.o \
                $(GUEST_LIBS:%=$(BUILD)/guest/lib/%.o)

$(BUILD)/guest/%.o: tests/guest/%.c
	@mkdir -p $(dir $@)
	$(KCC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guest/lib/%.o: hvkernel/lib/%.c
	@mkdir -p $(dir $@)
	$(KCC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guest/%.o: tests/guest/%.S
	@mkdir -p $(dir $@)
	$(KCC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guest/os.bin: $(GUEST_OBJS) tests/guest/guest.ld
	$(KLD) -m elf_i386 -nostdlib -z noexecstack --no-warn-rwx-segments -T tests/guest/guest.ld -o $(BUILD)/guest/os.elf $(GUEST_OBJS)
	objcopy -O binary $(BUILD)/guest/os.elf $@

$(BUILD)/kobj/hvkernel/tests/guest_os.S.o: $(BUILD)/guest/os.bin

# VMs from configuration files (docs/vm-config.md): the guest test OS as boot modules (ELF,
# and flat with its .bss left to the VM's zeroed RAM) and the test configurations, next to the driver modules where hvktest's `initrd` finds them.
VM_FILES := $(BUILD)/modules/guest-os.elf $(BUILD)/modules/guest-os.bin $(patsubst tests/vm/%,$(BUILD)/modules/vm/%,$(wildcard tests/vm/*.vm))
kernel: $(VM_FILES)

$(BUILD)/modules/guest-os.elf: $(BUILD)/guest/os.bin
	@mkdir -p $(dir $@)
	cp $(BUILD)/guest/os.elf $@

$(BUILD)/modules/guest-os.bin: $(BUILD)/guest/os.bin
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/modules/vm/%.vm: tests/vm/%.vm
	@mkdir -p $(dir $@)
	cp $< $@
