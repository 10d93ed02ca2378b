/*
 * The hvkernel Driver Development Kit: everything a driver module may use. Include this
 * one header. The ABI version is in hv/module.h; docs/ddk.md states what breaks it.
 */
#ifndef HV_DDK_H
#define HV_DDK_H

#include <hv/blkdev.h>
#include <hv/errno.h>
#include <hv/io.h>
#include <hv/irq.h>
#include <hv/lock.h>
#include <hv/log.h>
#include <hv/mem.h>
#include <hv/module.h>
#include <hv/netdev.h>
#include <hv/pci.h>
#include <hv/pciid.h>
#include <hv/string.h>
#include <hv/time.h>

#endif
