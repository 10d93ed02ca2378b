# Bootable media: `make iso` builds build/hvkit.iso, a GRUB image that boots under BIOS and
# UEFI (grub-mkrescue with both GRUB platforms) and loads hvkernel with Multiboot 2, every
# inbox driver module and, when ISO_HCL names one, a compiled compatibility list (hcl.bin).
# ISO_CMDLINE is the kernel command line (default: hcl.policy=warn when a list is included).
#   make iso ISO_HCL=hcl.bin ISO_CMDLINE="hcl.policy=strict"

ISO        := $(BUILD)/hvkit.iso
ISO_DIR    := $(BUILD)/iso
ISO_HCL    ?=
ISO_CMDLINE ?= $(if $(ISO_HCL),hcl.policy=warn,)

.PHONY: iso
iso: $(ISO)

$(ISO): kernel modules scripts/mkiso.sh $(ISO_HCL)
	sh scripts/mkiso.sh $@ $(ISO_DIR) $(BUILD)/hvkernel.elf $(BUILD)/modules "$(ISO_CMDLINE)" $(ISO_HCL)

# The ISO boots under SeaBIOS and OVMF (tests/iso/run.sh): counts in build/check/iso.counts.
.PHONY: iso-check
iso-check: kernel modules $(BUILD)/bin/hvktest $(BUILD)/bin/hcl
	@mkdir -p $(BUILD)/check
	sh tests/iso/run.sh $(BUILD) $(BUILD)/check/iso.counts
