# For a driver's own Makefile: `make` and `make clean` in the driver's folder run the DDK on
# that folder. Use it as the last line of the driver's Makefile (docs/ddk.md):
#	HVM_EXTRA := ../shared		(optional: shared sources compiled in, see ddk/Makefile)
#	DDK ?= /path/to/ddk
#	include $(DDK)/driver.mk
# Options are passed on: make MODULE=name, make O=/out.
# The DDK reads the driver's Makefile for HVM_EXTRA with DDK_BUILD set: then this file
# defines no rules (they would run the DDK again).

ifneq ($(DDK_BUILD),1)
.PHONY: all clean
all:
	$(MAKE) -C $(DDK) M=$(CURDIR)

clean:
	$(MAKE) -C $(DDK) M=$(CURDIR) clean
endif
