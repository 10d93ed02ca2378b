# For a driver's own Makefile: `make` and `make clean` in the driver's folder run the DDK on
# that folder. Use it with two lines (docs/ddk.md):
#	DDK ?= /path/to/ddk
#	include $(DDK)/driver.mk
# Options are passed on: make MODULE=name, make O=/out.

.PHONY: all clean
all:
	$(MAKE) -C $(DDK) M=$(CURDIR)

clean:
	$(MAKE) -C $(DDK) M=$(CURDIR) clean
