/*
 * DDK: device register access. A driver gets a handle to one BAR of its function with
 * hv_pci_bar() (hv/pci.h) and reads and writes registers as offsets into it, the same
 * calls for memory and I/O BARs (as OpenBSD's bus_space and Linux's iomap). Under the
 * verifier (kernel command line verifier=1) an access that does not lie wholly inside the
 * BAR is refused and reported with the offset and the caller's address (docs/ddk.md).
 */
#ifndef HV_IO_H
#define HV_IO_H

#include <stdint.h>

struct hv_bar;	/* one BAR of one PCI function; opaque */

/* The BAR's length in bytes. */
uint64_t hv_bar_size(const struct hv_bar *b);
/* Register off of the BAR (bytes from its start). A 64-bit access to an I/O BAR is two
 * 32-bit ones, the low half first. */
uint8_t hv_bar_read8(struct hv_bar *b, uint64_t off);
uint16_t hv_bar_read16(struct hv_bar *b, uint64_t off);
uint32_t hv_bar_read32(struct hv_bar *b, uint64_t off);
uint64_t hv_bar_read64(struct hv_bar *b, uint64_t off);
void hv_bar_write8(struct hv_bar *b, uint64_t off, uint8_t v);
void hv_bar_write16(struct hv_bar *b, uint64_t off, uint16_t v);
void hv_bar_write32(struct hv_bar *b, uint64_t off, uint32_t v);
void hv_bar_write64(struct hv_bar *b, uint64_t off, uint64_t v);

/* Order memory accesses (descriptor writes before a doorbell, and the reverse). */
static inline void hv_mb(void) { __asm__ volatile("mfence" ::: "memory"); }
static inline void hv_rmb(void) { __asm__ volatile("lfence" ::: "memory"); }
static inline void hv_wmb(void) { __asm__ volatile("sfence" ::: "memory"); }

#endif
