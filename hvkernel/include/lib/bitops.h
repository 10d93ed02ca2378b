/*
 * Bit helpers for the freestanding libraries. Written out rather than __builtin_popcount:
 * without -mpopcnt gcc turns the builtin into a libgcc call, and the kernel links no libgcc.
 */
#ifndef LIB_BITOPS_H
#define LIB_BITOPS_H

#include <stdint.h>

/* Number of set bits in x (one loop turn per set bit). */
static inline unsigned bitops_popcount64(uint64_t x)
{
	unsigned n = 0;

	for (; x != 0; x &= x - 1)
		n++;
	return n;
}

#endif
