/*
 * Bit helpers for the freestanding libraries. Written out rather than __builtin_popcount:
 * without -mpopcnt gcc turns the builtin into a libgcc call, and the kernel links no libgcc.
 */
#ifndef LIB_BITOPS_H
#define LIB_BITOPS_H

#include <stdint.h>

/*
 * Number of set bits in x, in a fixed dozen operations: bit counts of pairs, nibbles and
 * bytes summed in place, then the bytes added by one multiplication. The old loop took one
 * turn per set bit, 64 per free word, and mem_init releasing 256 MiB ran 65 536 turns: a
 * visible part of the boot under a slow hypervisor.
 */
static inline unsigned bitops_popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

#endif
