/*
 * BAR decoding (PCI 3.0, 6.2.5.1). The caller sizes a BAR the usual way (save it, write all
 * ones, read back, restore; for a 64-bit BAR both halves) and hands the four values here;
 * this file only interprets them, so the kernel and the host tools agree on every BAR.
 */
#ifndef LIB_PCIBAR_H
#define LIB_PCIBAR_H

#include <stdbool.h>
#include <stdint.h>

/* One decoded BAR. */
struct pcibar {
	uint64_t base;		/* address programmed by firmware */
	uint64_t size;		/* bytes decoded; a power of two */
	bool io;		/* I/O space rather than memory */
	bool mem64;		/* 64-bit memory BAR: used two registers */
	bool prefetch;		/* prefetchable memory */
};

/*
 * Decodes one BAR from its original and sized values (orig_hi/sized_hi are the next register
 * and are only read for a 64-bit BAR; a 64-bit type in the last BAR slot is the caller's
 * problem). Returns the number of registers consumed (1 or 2), 0 when the BAR is not
 * implemented (sized_lo reads 0), -HV_EINVAL for a reserved memory type, type bits that
 * changed under sizing, or a BAR with no writable address bits. *out is zeroed unless > 0.
 */
int pcibar_decode(uint32_t orig_lo, uint32_t orig_hi, uint32_t sized_lo, uint32_t sized_hi,
		  struct pcibar *out);

#endif
